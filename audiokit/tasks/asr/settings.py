"""The speech recognition task's parameters and limits, each declared once."""

from __future__ import annotations

import dataclasses

from audiokit import limits
from audiokit.params import Param, declare
from audiokit.tasks.asr.catalog import AUTO, EMBEDDED_ID, MODELS, TASKS


@dataclasses.dataclass(frozen=True)
class Limits:
    """How much the task takes (``AUDIOSTUDY_ASR_MAX_S`` and friends, see audiokit/limits.py).

    Attributes:
        max_duration_s: the longest audio transcribed (and translated by Whisper base).
        xlsr_max_s: the longest audio XLS-R 2B translates (2.6 B parameters on the CPU).
        max_reference_chars: the longest reference text compared for the WER.
    """

    max_duration_s: float = limits.ASR_MAX_S
    xlsr_max_s: float = 120.0
    max_reference_chars: int = limits.ASR_MAX_REFERENCE_CHARS


LIMITS = Limits()

PARAMS = declare(
    Param(
        "model_id",
        EMBEDDED_ID,
        label="Model",
        help="an allowlisted model id; the embedded Whisper tiny.en and base work offline",
        max_chars=200,
    ),
    Param(
        "language",
        AUTO,
        label="Language",
        help="auto = detect (shown with its probability)",
        max_chars=8,
    ),
    Param(
        "task",
        "transcribe",
        label="Task",
        help="translate writes English, whatever language is spoken",
        choices=TASKS,
    ),
    Param("word_timestamps", False, label="Word timestamps", help="also time every word"),
    Param("vad_filter", False, label="Skip silence (VAD)", help="Silero voice activity filter"),
    Param(
        "beam_size",
        5,
        label="Beam size",
        help="1 = greedy (fastest) to 10",
        minimum=1,
        maximum=10,
        step=1,
        integer=True,
    ),
    Param(
        "temperature_fallback",
        True,
        label="Temperature fallback",
        help="re-decode doubtful windows at higher temperatures (faster-whisper)",
    ),
)


def beam_for(model_id: str) -> int:
    """The beam the benchmark chose for a model, else the ``beam_size`` parameter's default."""
    spec = MODELS.get(model_id)
    chosen = spec.beam_size if spec is not None else None
    return PARAMS["beam_size"].default if chosen is None else chosen


DEFAULT_BEAM: dict[str, int] = {model_id: beam_for(model_id) for model_id in MODELS}
