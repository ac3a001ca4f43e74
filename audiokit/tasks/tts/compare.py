"""Compare A/B: one text read by two voices (or one voice with two settings), side by side.

Each side is one :func:`~audiokit.tasks.tts.run` with its own settings, timed around the call,
then checked by the round trip through the embedded recogniser (:mod:`.roundtrip`), so the two
can be compared by ear (the audio), by eye (the spectrograms with their phoneme marks, drawn by
the tab) and by machine (each side's WER). The sides run one after the other: the machine has
two cores, and running both at once would make each side's time meaningless.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from typing import Any

from audiokit.errors import AudioStudyError
from audiokit.params import check_params
from audiokit.progress import Progress, scaled
from audiokit.tasks.tts import PARAMS, Result, backend_for, run
from audiokit.tasks.tts.roundtrip import RoundTrip, check

SIDES = ("A", "B")
#: The part of a side's progress spent speaking; the round trip takes the rest.
_SPEAKING = 0.6


@dataclasses.dataclass(frozen=True)
class Side:
    """One side of a comparison.

    Attributes:
        name: "A" or "B".
        settings: every keyword of ``run()`` as it was used (checked, defaults filled in).
        result: what ``run()`` returned.
        seconds: wall time around the ``run()`` call.
        roundtrip: the recogniser's check of the speech, None when it could not be made.
        roundtrip_note: why there is no round trip ('' when there is one).
        roundtrip_s: wall time of the round trip.
    """

    name: str
    settings: Mapping[str, Any]
    result: Result
    seconds: float
    roundtrip: RoundTrip | None
    roundtrip_note: str
    roundtrip_s: float

    @property
    def real_time_factor(self) -> float:
        """Time around ``run()`` per second of speech (below 1 = faster than real time)."""
        duration = self.result.audio.duration_s
        return self.seconds / duration if duration else 0.0

    @property
    def wer(self) -> float | None:
        """The round trip's word error rate (0 to 1 and beyond), None without one."""
        return self.roundtrip.score.wer if self.roundtrip else None


@dataclasses.dataclass(frozen=True)
class Comparison:
    """What :func:`compare` returns: both sides and how they differ.

    Attributes:
        text: the input, cleaned (as both sides read it before normalisation).
        a: side A.
        b: side B.
    """

    text: str
    a: Side
    b: Side

    @property
    def sides(self) -> tuple[Side, Side]:
        """(A, B)."""
        return self.a, self.b

    @property
    def differing(self) -> tuple[str, ...]:
        """The names of the settings in which A and B differ, in ``PARAMS`` order."""
        return tuple(n for n in PARAMS if self.a.settings[n] != self.b.settings[n])

    @property
    def duration_ratio(self) -> float:
        """B's duration over A's (1.3: B takes 30 % longer to say the same words)."""
        a_s = self.a.result.audio.duration_s
        return self.b.result.audio.duration_s / a_s if a_s else 0.0

    @property
    def wer_difference(self) -> float | None:
        """B's WER minus A's (negative: B was understood better), None unless both have one."""
        if self.a.wer is None or self.b.wer is None:
            return None
        return self.b.wer - self.a.wer

    def label(self, side: Side) -> str:
        """A side in words: its voice and the settings that set it apart from the other."""
        parts = [
            f"{PARAMS[n].title.lower()} {_shown(side.settings[n])}"
            for n in self.differing
            if n != "voice"
        ]
        return side.settings["voice"] + (f" ({', '.join(parts)})" if parts else "")


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{value:g}" if isinstance(value, float) else str(value)


def side_settings(name: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` checked against ``PARAMS`` with every default filled in.

    Raises:
        AudioStudyError: an unknown or out-of-range setting, its sentence prefixed with
            "Model A:" or "Model B:".
    """
    try:
        return check_params(PARAMS, dict(given))
    except AudioStudyError as exc:
        raise type(exc)(f"Model {name}: {exc}") from exc


def _named(progress: Progress, side: str) -> Progress:
    def report(fraction: float, message: str) -> None:
        progress(fraction, f"Model {side}: {message}")

    return report


def _roundtrip(result: Result) -> tuple[RoundTrip | None, str]:
    try:
        heard = check(result.audio, result.text, voice=result.voice, normalize=result.normalize)
    except AudioStudyError as exc:  # a non-English voice or speech too long to check
        return None, str(exc)
    return heard, ""


def compare(
    text: str,
    *,
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    progress: Progress | None = None,
) -> Comparison:
    """Speak ``text`` with the settings ``a``, then with ``b``, and check each by the round trip.

    Args:
        text: as for ``run()`` (up to ``LIMITS.max_characters``).
        a, b: keywords of ``run()`` (voice, length_scale, ...); missing ones take their
            default. The same voice twice is allowed: compare its settings.
        progress: called with (fraction done, message): A takes 0 to 0.5, B 0.5 to 1.

    Raises:
        AudioStudyError: bad text or setting (naming the side), or ModelUnavailableError for
            a Hub voice that cannot be had offline, before either side speaks.
    """
    settings = {"A": side_settings("A", a), "B": side_settings("B", b)}
    for name, chosen in settings.items():
        # Both voices load before either speaks: an offline Hub voice on side B answers at
        # once instead of after side A's work.
        try:
            backend_for(chosen["voice"])
        except AudioStudyError as exc:
            raise type(exc)(f"Model {name}: {exc}") from exc
    sides = []
    for k, name in enumerate(SIDES):
        outer = scaled(progress, k / 2, (k + 1) / 2)
        speaking = scaled(outer, 0.0, _SPEAKING)
        started = time.perf_counter()
        result = run(text, **settings[name], progress=_named(speaking, name))
        seconds = time.perf_counter() - started
        outer(_SPEAKING, f"Model {name}: checking by the round trip")
        started = time.perf_counter()
        heard, note = _roundtrip(result)
        roundtrip_s = time.perf_counter() - started
        sides.append(Side(name, settings[name], result, seconds, heard, note, roundtrip_s))
    outer(1.0, "Compared A and B")
    return Comparison(sides[0].result.text, *sides)


__all__ = ["SIDES", "Comparison", "Side", "compare", "side_settings"]
