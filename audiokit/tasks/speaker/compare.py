"""Compare A/B: the same enrolment and test clip scored by two models, one after the other.

The raw cosines of two models are not comparable (GE2E's sit in [0, 1], ECAPA's centre near
0), so each side is judged against its own model's threshold; the difference that means
something is the *margin* (score minus that threshold) and whether the two decisions agree.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from typing import Any

from audiokit.audio import Audio
from audiokit.errors import AudioStudyError
from audiokit.progress import Progress, or_silent, scaled
from audiokit.tasks.speaker.catalog import backend
from audiokit.tasks.speaker.enrolment import Result, check_enrolment_count, score_enrolment
from audiokit.tasks.speaker.settings import checked

SIDES = ("A", "B")


@dataclasses.dataclass(frozen=True)
class Comparison:
    """Two models' verdicts on one enrolment and one test clip.

    Attributes:
        a: model A's result (score, its threshold, decision, the two voice prints).
        b: model B's result.
        settings_a: the settings A ran with, checked, defaults filled in.
        settings_b: the settings B ran with.
        seconds_a: wall time of A's run (the model already loaded), in seconds.
        seconds_b: wall time of B's run.
        audio_s: seconds of audio each side embedded (enrolment clips and test clip).
    """

    a: Result
    b: Result
    settings_a: dict[str, Any]
    settings_b: dict[str, Any]
    seconds_a: float
    seconds_b: float
    audio_s: float

    @property
    def rtf_a(self) -> float:
        """Model A's real-time factor: processing time over audio duration."""
        return self.seconds_a / self.audio_s if self.audio_s > 0 else 0.0

    @property
    def rtf_b(self) -> float:
        return self.seconds_b / self.audio_s if self.audio_s > 0 else 0.0

    @property
    def margin_a(self) -> float:
        """A's score minus A's own threshold: >= 0 means "same speaker"."""
        return self.a.score - self.a.threshold

    @property
    def margin_b(self) -> float:
        return self.b.score - self.b.threshold

    @property
    def agree(self) -> bool:
        """Whether both models reach the same decision."""
        return self.a.same == self.b.same


def _side_settings(name: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """One side's settings checked against PARAMS; the sentence says which side."""
    try:
        return checked(**dict(values))
    except AudioStudyError as exc:
        raise type(exc)(f"Model {name}: {exc}") from None


def compare(
    enrol: Audio | Sequence[Audio],
    test: Audio,
    *,
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    progress: Progress | None = None,
) -> Comparison:
    """Score the same clips with two models (A, then B), each against its own threshold.

    Args:
        enrol: one clip of the speaker, or several whose prints are averaged.
        test: the clip to test.
        a: model A's settings, keywords of ``run()`` (``{"model": "ge2e"}``; ``threshold``
            and ``min_speech_s`` may be given too). The same model on both sides is allowed.
        b: model B's settings.
        progress: told the fraction done: A fills 0 to 0.5, B 0.5 to 1.

    Raises:
        AudioStudyError: a setting out of range or an unknown model (naming the side), a bad
            clip, or a Hub model that cannot be had (offline), before either model runs.
    """
    settings = [_side_settings(name, values) for name, values in zip(SIDES, (a, b), strict=True)]
    clips = [enrol] if isinstance(enrol, Audio) else list(enrol)
    check_enrolment_count(len(clips))
    report = or_silent(progress)
    # Both models are loaded before either runs: a Hub model that cannot be had answers at
    # once, and neither side's time includes a first load (a fair race).
    for name, s in zip(SIDES, settings, strict=True):
        chosen = backend(s["model"])
        report(0.0, f"Loading model {name}: {chosen.short_name}")
        try:
            chosen.load()
        except AudioStudyError as exc:
            raise type(exc)(f"Model {name}: {exc}") from None
    results, seconds = [], []
    for (start, end), s in zip(((0.0, 0.5), (0.5, 1.0)), settings, strict=True):
        t0 = time.perf_counter()
        results.append(score_enrolment(clips, test, progress=scaled(progress, start, end), **s))
        seconds.append(time.perf_counter() - t0)
    report(1.0, "Both models scored")
    return Comparison(
        a=results[0],
        b=results[1],
        settings_a=settings[0],
        settings_b=settings[1],
        seconds_a=seconds[0],
        seconds_b=seconds[1],
        audio_s=sum(c.duration_s for c in [*clips, test]),
    )
