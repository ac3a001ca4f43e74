"""What ``run()`` returns: the stems of one mixture, with what the denoisers report per frame
and the score against a reference."""

from __future__ import annotations

import dataclasses

import numpy as np

from audiokit.audio import Audio
from audiokit.tasks.separation.backends.deepfilternet import DF_HOP_SAMPLES, DF_SAMPLE_RATE
from audiokit.tasks.separation.metrics import ReferenceScore, effective_mask

# The denoisers report one value per 10 ms frame (DeepFilterNet's hop, RNNoise's frame).
FRAME_TRACK_S = DF_HOP_SAMPLES / DF_SAMPLE_RATE


@dataclasses.dataclass(frozen=True)
class Result:
    """The stems of one mixture, primary first, each as long as the input at its rate.

    Attributes:
        method: the method id that made them.
        mixture: the input clip.
        stems: (name, clip) per stem, primary first.
        local_snr_db: DeepFilterNet's local SNR estimate every 10 ms (``denoise`` only).
        score: SI-SDR against the reference, when one was given.
        speech_probability: RNNoise's voice activity every 10 ms (``rnnoise`` only).
    """

    method: str
    mixture: Audio
    stems: tuple[tuple[str, Audio], ...]
    local_snr_db: np.ndarray | None = None
    score: ReferenceScore | None = None
    speech_probability: np.ndarray | None = None

    @property
    def primary(self) -> Audio:
        """The first stem: speech, harmonic, vocals or speaker 1."""
        return self.stems[0][1]

    def effective_mask(self) -> tuple[np.ndarray, float, float]:
        """(the primary stem's effective mask, duration in s, top frequency in Hz)."""
        (_, first), (_, second) = self.stems
        rate = self.mixture.sample_rate
        return effective_mask(first.mono(), second.mono(), rate), first.duration_s, rate / 2
