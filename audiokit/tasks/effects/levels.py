"""Loudness and peaks of a clip, before and after a chain (ITU-R BS.1770, 4x true peak)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from audiokit.audio import Audio


@dataclasses.dataclass(frozen=True)
class Levels:
    """Loudness and peaks of a clip.

    Attributes:
        lufs: integrated loudness (ITU-R BS.1770, pyloudnorm); ``-inf`` for silence, None
            when the clip is shorter than one 400 ms gating block.
        sample_peak_db: largest sample, dBFS (``-inf`` for silence).
        true_peak_db: largest peak between samples (4x oversampled), dBTP.
    """

    lufs: float | None
    sample_peak_db: float
    true_peak_db: float


def _db(value: float) -> float:
    return 20.0 * math.log10(value) if value > 0 else float("-inf")


def measure_levels(audio: Audio) -> Levels:
    """Integrated loudness, sample peak and true peak of an ``Audio``."""
    import warnings

    import pyloudnorm
    from scipy.signal import resample_poly

    x = audio.samples
    lufs: float | None = None
    if audio.duration_s >= 0.4:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pyloudnorm warns on clipping; we report peaks
            lufs = float(pyloudnorm.Meter(audio.sample_rate).integrated_loudness(x.T))
    true_peak = float(np.abs(resample_poly(x, 4, 1, axis=1)).max()) if x.any() else 0.0
    return Levels(lufs, _db(float(np.abs(x).max())), _db(max(true_peak, float(np.abs(x).max()))))


def format_level(value: float | None, unit: str) -> str:
    """``-23.04 -> '-23.0 LUFS'``, silence as ``-∞``, too short as 'n/a'."""
    if value is None:
        return "n/a (shorter than 0.4 s)"
    if math.isinf(value):
        return f"-∞ {unit} (silence)"
    return f"{value:+.1f} {unit}"
