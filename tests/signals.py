"""Generated test signals: exact, repeatable, with known physics."""

from __future__ import annotations

import numpy as np

from audiokit.audio import Audio

RATES = (16000, 22050, 44100, 48000)
# What the bundled Piper voice says when a third, synthetic speaker is needed (the speaker
# tests and the speaker benchmark's calibration trials).
PIPER_SENTENCES = (
    "The study group meets every Tuesday to read papers about audio.",
    "Speaker verification compares two voices and returns a single number.",
    "A quiet room and a good microphone make every model more reliable.",
    "The embedding of a voice should not change when the words change.",
    "Please bring your own recordings and a pair of headphones next time.",
    "Noise, music and other people talking can confuse a voice encoder.",
)

CHANNELS = (1, 2)


def tone(
    frequency_hz: float | list[float],
    *,
    sample_rate: int = 16000,
    duration_s: float = 1.0,
    channels: int = 1,
    amplitude: float = 0.5,
) -> Audio:
    """A sum of sines (equal amplitude each), the same in every channel."""
    freqs = np.atleast_1d(np.asarray(frequency_hz, dtype=np.float64))
    t = np.arange(int(round(duration_s * sample_rate))) / sample_rate
    x = sum(np.sin(2 * np.pi * f * t) for f in freqs) * amplitude / len(freqs)
    return Audio(np.tile(x.astype(np.float32), (channels, 1)), sample_rate, "tone")


def white_noise(
    *, sample_rate: int = 16000, duration_s: float = 1.0, amplitude: float = 0.1, seed: int = 0
) -> np.ndarray:
    """Gaussian white noise, mono, with RMS ``amplitude``."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(int(duration_s * sample_rate)) * amplitude).astype(np.float32)


def pink_noise(
    *, sample_rate: int = 16000, duration_s: float = 1.0, amplitude: float = 0.1, seed: int = 0
) -> np.ndarray:
    """1/f noise (spectrally shaped white noise), mono, with RMS ``amplitude``."""
    n = int(duration_s * sample_rate)
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(spectrum.size, dtype=np.float64)
    f[0] = 1.0
    x = np.fft.irfft(spectrum / np.sqrt(f), n)
    return (x / np.sqrt(np.mean(x**2)) * amplitude).astype(np.float32)


def band_level_db(x: np.ndarray, sample_rate: int, frequency_hz: float, width_hz: float = 20.0):
    """Level of the spectrum around one frequency, in dB (Hann window)."""
    x = np.asarray(x, dtype=np.float64).ravel()
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    freqs = np.fft.rfftfreq(x.size, 1 / sample_rate)
    band = (freqs > frequency_hz - width_hz) & (freqs < frequency_hz + width_hz)
    return 20 * np.log10(spectrum[band].max() + 1e-12)


def peak_frequency_hz(x: np.ndarray, sample_rate: int) -> float:
    """Frequency of the largest spectral peak."""
    x = np.asarray(x, dtype=np.float64).ravel()
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return float(np.fft.rfftfreq(x.size, 1 / sample_rate)[int(np.argmax(spectrum))])
