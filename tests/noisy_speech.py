"""Noisy real speech with a known clean reference: what the denoiser tests and the
separation benchmark both score, so the README's figures and the tests' bounds are about the
same mixtures.

The speech is LJ Speech's lj050-0131 (a close-miked reader, 7.7 s); the noises are white,
pink (1/f from 50 Hz up) and babble (six time-shifted copies of the distant, reverberant jfk
recording), each scaled to an exact SNR over the whole clip.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from audiokit.audio import load_audio
from tests.signals import white_noise

# The same files as tests.conftest's JFK and LJ, named here so the benchmark can use this
# module without the test fixtures (conftest forces the Hub offline).
_ASR_EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "asr"
JFK = _ASR_EXAMPLES / "jfk.flac"
LJ = _ASR_EXAMPLES / "lj050-0131.flac"

NOISES = ("white", "pink", "babble")
SNRS_DB = (0.0, 5.0)


def audible_pink(n: int, sample_rate: int, *, seed: int = 0) -> np.ndarray:
    """1/f noise from 50 Hz up, unit RMS: below 50 Hz, 1/f noise is inaudible drift that
    carries half of its energy and that no speech enhancer is meant to remove."""
    spectrum = np.fft.rfft(np.random.default_rng(seed).standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / sample_rate)
    x = np.fft.irfft(np.where(f >= 50.0, spectrum / np.sqrt(np.maximum(f, 50.0)), 0.0), n)
    return (x / np.sqrt(np.mean(x**2))).astype(np.float32)


def babble(n: int, sample_rate: int, *, talkers: int = 6) -> np.ndarray:
    """Talkers from the distant jfk recording, each starting 1.3 s after the last."""
    jfk = load_audio(JFK).for_model(sample_rate)
    looped = np.resize(jfk, n)
    return sum(np.roll(looped, k * int(1.3 * sample_rate)) for k in range(talkers)).astype(
        np.float32
    )


def scaled_to_snr(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``noise`` scaled so that speech / noise power is ``snr_db``."""
    gain = np.sqrt(np.mean(speech**2) / np.mean(noise**2)) / 10 ** (snr_db / 20)
    return (noise * gain).astype(np.float32)


def lj_speech(sample_rate: int) -> np.ndarray:
    """The clean reader, mono at ``sample_rate``."""
    return load_audio(LJ).for_model(sample_rate)


def noise_like(speech: np.ndarray, sample_rate: int, kind: str, *, seed: int = 0) -> np.ndarray:
    """Unscaled noise of ``kind`` as long as ``speech``."""
    if kind == "white":
        return white_noise(
            sample_rate=sample_rate, duration_s=speech.size / sample_rate + 1, seed=seed
        )[: speech.size]
    if kind == "pink":
        return audible_pink(speech.size, sample_rate, seed=seed)
    if kind == "babble":
        return babble(speech.size, sample_rate)
    raise ValueError(f"unknown noise {kind!r}; one of {NOISES}")


def noisy_mixture(
    speech: np.ndarray, sample_rate: int, kind: str, snr_db: float
) -> tuple[np.ndarray, np.ndarray]:
    """(mixture, scaled noise): ``speech`` plus ``kind`` noise at ``snr_db``."""
    noise = scaled_to_snr(speech, noise_like(speech, sample_rate, kind), snr_db)
    return (speech + noise).astype(np.float32), noise
