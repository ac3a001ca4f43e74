"""Compare two models on one recording (A/B): both transcripts, their word diff, each one's
time, real-time factor and (given a reference) word error rate.

:func:`compare` runs A then B one after the other (the machine has two cores) through
:func:`~audiokit.tasks.asr.run`; :func:`word_diff` aligns A's words against B's with the
same alignment the WER uses (:func:`audiokit.metrics.word_error_rate`). Gradio-free.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from audiokit.audio import Audio
from audiokit.errors import AudioStudyError
from audiokit.metrics import WerResult, WordAlignment, normalize_text, word_error_rate
from audiokit.models import check_allowed
from audiokit.params import Param, declare
from audiokit.progress import Progress, or_silent, scaled
from audiokit.tasks.asr.catalog import BASE_ID, EMBEDDED_ID, EMBEDDED_IDS, MODELS
from audiokit.tasks.asr.recognize import hub_folder, run
from audiokit.tasks.asr.settings import LIMITS, PARAMS
from audiokit.tasks.asr.transcript import Transcript

# The two model choices of the compare; the rest of each side's settings are run()'s keywords.
COMPARE_PARAMS = declare(
    Param(
        "model_a",
        EMBEDDED_ID,
        label="Model A",
        help="an allowlisted model id; the embedded Whisper tiny.en and base work offline",
        max_chars=PARAMS["model_id"].max_chars,
    ),
    Param(
        "model_b",
        BASE_ID,
        label="Model B",
        help="an allowlisted model id; the same model twice is allowed",
        max_chars=PARAMS["model_id"].max_chars,
    ),
)


def engine_name(model_id: str) -> str:
    """``backend · model name`` for a timing badge ("faster-whisper · Whisper tiny.en ...")."""
    spec = MODELS.get(model_id)
    if spec is None:
        return model_id
    return f"{spec.backend} · {spec.title}"


@dataclasses.dataclass(frozen=True)
class Side:
    """One side of a comparison.

    Attributes:
        settings: the keywords ``run()`` was called with (model_id first).
        result: the transcript.
        seconds: wall time of the ``run()`` call.
        rtf: real-time factor, ``seconds`` over the audio's duration (below 1: faster than
            real time).
        wer: the word error rate against the reference, or None without one.
    """

    settings: dict[str, Any]
    result: Transcript
    seconds: float
    rtf: float
    wer: WerResult | None = None

    @property
    def model_id(self) -> str:
        return self.result.model_id

    @property
    def engine(self) -> str:
        return engine_name(self.model_id)


@dataclasses.dataclass(frozen=True)
class Comparison:
    """Two transcripts of one recording and how they differ.

    Attributes:
        a, b: the two sides, in the order they ran.
        diff: A's words aligned against B's: ``equal``; ``substitute`` (A's word, B's word);
            ``delete`` (only in A); ``insert`` (only in B). Words are normalised as for WER.
        duration_s: the audio's duration.
    """

    a: Side
    b: Side
    diff: tuple[WordAlignment, ...]
    duration_s: float

    @property
    def differing(self) -> int:
        """How many alignment steps differ (0: the two transcripts say the same words)."""
        return sum(step.op != "equal" for step in self.diff)


def word_diff(a: str, b: str) -> tuple[WordAlignment, ...]:
    """Align text ``a`` against text ``b`` word by word (the WER alignment, A as reference).

    Either text may be empty: then every word of the other is marked as only in it.
    """
    a_words, b_words = normalize_text(a).split(), normalize_text(b).split()
    if not a_words:
        return tuple(WordAlignment("insert", "", w) for w in b_words)
    return word_error_rate(a, b).alignment


def only_in(diff: tuple[WordAlignment, ...]) -> tuple[list[str], list[str]]:
    """The words marked only in A and only in B (substitutions count on both sides)."""
    in_a = [s.reference for s in diff if s.op in ("substitute", "delete")]
    in_b = [s.hypothesis for s in diff if s.op in ("substitute", "insert")]
    return in_a, in_b


def _settings(side: dict[str, Any], name: str) -> dict[str, Any]:
    settings = dict(side)
    if "model_id" not in settings:
        raise TypeError(f"compare(): {name} needs a model_id")
    unknown = set(settings) - set(PARAMS)
    if unknown:
        raise TypeError(f"compare(): unknown settings for {name}: {', '.join(sorted(unknown))}")
    return settings


def compare(
    audio: Audio,
    *,
    a: dict[str, Any],
    b: dict[str, Any],
    reference: str = "",
    progress: Progress | None = None,
) -> Comparison:
    """Transcribe ``audio`` with the settings ``a``, then with ``b``, and diff the two.

    Args:
        audio: any rate and channel count, up to ``LIMITS.max_duration_s``.
        a, b: ``run()`` keywords for each side, at least ``model_id`` (the same model twice
            is allowed).
        reference: optional reference transcript; when it has words, each side's WER.
        progress: called with (fraction done, message); A reports 0..0.5, B 0.5..1.

    Raises:
        AudioStudyError: an unknown model (before anything runs), bad audio or options.
        ModelUnavailableError: a Hub model that is not cached here while offline.
    """
    sides = {"A": _settings(a, "a"), "B": _settings(b, "b")}
    for settings in sides.values():
        # Refuse an unknown model, or a Hub model that cannot be had, before anything runs.
        if check_allowed(settings["model_id"], MODELS) not in EMBEDDED_IDS:
            hub_folder(settings["model_id"])
    if reference and len(reference) > LIMITS.max_reference_chars:
        raise AudioStudyError(
            f"The reference text is {len(reference):,} characters; at most "
            f"{LIMITS.max_reference_chars:,} are compared."
        )
    scored = bool(normalize_text(reference))
    report = or_silent(progress)
    done: list[Side] = []
    for (name, settings), (start, end) in zip(sides.items(), ((0.0, 0.5), (0.5, 1.0)), strict=True):
        part = scaled(report, start, end)

        def labelled(fraction: float, message: str, name: str = name, part=part) -> None:
            part(fraction, f"Model {name}: {message}")

        started = time.perf_counter()
        result = run(audio, **settings, progress=labelled)
        seconds = time.perf_counter() - started
        wer = word_error_rate(reference, result.text) if scored else None
        rtf = seconds / max(audio.duration_s, 1e-9)
        done.append(Side(settings, result, seconds, rtf, wer))
    report(1.0, "Compared")
    diff = word_diff(done[0].result.text, done[1].result.text)
    return Comparison(done[0], done[1], diff, audio.duration_s)
