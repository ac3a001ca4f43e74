"""What the learn view shows, computed from a transcript and the audio the model read (never
by running the model again): Whisper's log-mel spectrogram and the model's confidences."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from audiokit.audio import format_duration
from audiokit.tasks.asr.catalog import SAMPLE_RATE
from audiokit.tasks.asr.transcript import Transcript

# The learn view's spectrogram is pooled to about this many columns, however long the audio.
DISPLAY_COLUMNS = 2000


@dataclasses.dataclass(frozen=True)
class Learned:
    """What a learn view needs from one run: its transcript and the 16 kHz samples read.

    ``samples`` may be None once the spectrogram was pooled into ``mel`` (a few hundred KB,
    where an hour of samples is 230 MB), so a held result stays small after its first drawing.
    """

    transcript: Transcript
    samples: np.ndarray | None = None
    mel: np.ndarray | None = None

    def with_mel(self) -> Learned:
        """This result with its display spectrogram computed and the samples let go."""
        if self.mel is not None or self.samples is None:
            return self
        return Learned(self.transcript, None, display_mel(self.samples))


def log_mel(samples: np.ndarray) -> np.ndarray:
    """The 80-band log-mel spectrogram Whisper sees (10 ms hop), scaled as Whisper scales it."""
    from faster_whisper.feature_extractor import FeatureExtractor

    return FeatureExtractor(feature_size=80)(samples, padding=0)


def display_mel(samples: np.ndarray, *, max_columns: int = DISPLAY_COLUMNS) -> np.ndarray:
    """Whisper's log-mel of a 16 kHz clip, max-pooled in time to at most ~``max_columns``.

    Computed 30 s at a time (as Whisper reads it), so an hour of audio never needs the
    whole hour's spectrogram in memory at once.
    """
    hop = SAMPLE_RATE // 100  # Whisper's 10 ms frames
    step = max(1, -(-samples.size // hop) // max_columns)
    chunk = max(1, 3000 // step) * step * hop
    parts = []
    for start in range(0, max(samples.size, 1), chunk):
        mel = log_mel(samples[start : start + chunk])
        cols = max(1, mel.shape[1] // step)
        parts.append(mel[:, : cols * step].reshape(mel.shape[0], cols, -1).max(axis=2))
    return np.concatenate(parts, axis=1)


def confidence_summary(transcript: Transcript) -> str:
    """One line: how sure the model was, from its segments' average log-probability."""
    scored = [s for s in transcript.segments if s.avg_logprob is not None]
    if not scored:
        return "This backend does not report per-segment confidence."
    worst = min(scored, key=lambda s: s.avg_logprob)
    mean_p = math.exp(float(np.mean([s.avg_logprob for s in scored])))
    return (
        f"Mean token probability {mean_p:.0%}; least sure at "
        f"{format_duration(worst.start_s)} (avg log-prob {worst.avg_logprob:.2f})."
    )
