"""The one small interface every speech recognition engine meets, and its decoding options.

A backend module per engine: :mod:`.faster_whisper` (CTranslate2) and :mod:`.transformers`
(the ``automatic-speech-recognition`` pipeline). Both take 16 kHz mono float32.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Protocol

import numpy as np

from audiokit.tasks.asr.transcript import Segment

SecondsDone = Callable[[float], None]
"""Called by a backend with the seconds of audio decoded so far."""


@dataclasses.dataclass(frozen=True)
class Options:
    """Decoding options, already checked against ``PARAMS``; ``language`` None: detect it.

    ``temperature_fallback``: Whisper's fallback, re-decoding a window at rising temperatures
    when the text is too repetitive or too unlikely (faster-whisper's default); False decodes
    once at 0.
    """

    language: str | None
    task: str
    word_timestamps: bool
    vad_filter: bool
    beam_size: int
    temperature_fallback: bool


class Recognizer(Protocol):
    """A speech recognizer: 16 kHz mono float32 in, time-stamped segments out."""

    sample_rate: int
    multilingual: bool

    def recognize(
        self, samples: np.ndarray, *, options: Options, on_progress: SecondsDone
    ) -> tuple[list[Segment], str, float]:
        """Segments, language code, language probability."""
        ...
