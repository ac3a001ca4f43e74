"""What a recognizer heard: words, segments and the whole transcript (plain data, JSON-ready)."""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class Word:
    """A word with its time span and, where the backend gives one, its probability."""

    start_s: float
    end_s: float
    text: str
    probability: float | None = None


@dataclasses.dataclass(frozen=True)
class Segment:
    """A stretch of transcript; the confidences come from faster-whisper only."""

    start_s: float
    end_s: float
    text: str
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    words: tuple[Word, ...] = ()


@dataclasses.dataclass(frozen=True)
class Transcript:
    """What a recognizer heard.

    Attributes:
        text: the whole transcript.
        segments: time-ordered, within the audio.
        language: ISO code of the spoken (or chosen) language.
        language_probability: the detector's probability for it; 1.0 when chosen or fixed.
        duration_s: the audio's duration.
        model_id: the allowlist id (or folder) that produced it.
        task: ``transcribe`` or ``translate``.
        note: a remark for the user (silence, nothing recognised), else empty.
    """

    text: str
    segments: tuple[Segment, ...]
    language: str
    language_probability: float
    duration_s: float
    model_id: str
    task: str = "transcribe"
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (times in seconds)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        """The inverse of :meth:`to_dict`."""
        segments = tuple(
            Segment(**{**s, "words": tuple(Word(**w) for w in s.get("words") or ())})
            for s in data["segments"]
        )
        return cls(**{**data, "segments": segments})
