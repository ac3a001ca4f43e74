"""Regenerate the Separation examples (run from the repo root with the project's venv).

    .venv/bin/python examples/separation/make_examples.py

Deterministic (fixed seeds); sources and licences in SOURCES.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from audiokit.audio import Audio, load_audio, write_audio
from audiokit.tasks.tts import speak

HERE = Path(__file__).resolve().parent
TESTDATA = HERE.parent / "asr"


def pink(n: int, rate: int, seed: int) -> np.ndarray:
    """1/f noise from 50 Hz up, unit RMS (below 50 Hz 1/f noise is mostly inaudible drift)."""
    spectrum = np.fft.rfft(np.random.default_rng(seed).standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / rate)
    shaped = np.where(f >= 50.0, spectrum / np.sqrt(np.maximum(f, 50.0)), 0.0)
    x = np.fft.irfft(shaped, n)
    return x / np.sqrt(np.mean(x**2))


def at_snr(signal: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``noise`` scaled so that signal / noise power is ``snr_db``."""
    return noise * np.sqrt(np.mean(signal**2) / np.mean(noise**2)) / 10 ** (snr_db / 20)


def chord_and_clicks(rate: int, duration_s: float) -> tuple[np.ndarray, np.ndarray]:
    """A sustained A major chord (with harmonics) and clicks every 0.5 s."""
    t = np.arange(int(rate * duration_s)) / rate
    chord = sum(
        np.sin(2 * np.pi * f * k * t) / k for f in (220.0, 277.18, 329.63) for k in (1, 2, 3)
    )
    chord = 0.25 * chord / np.abs(chord).max()
    clicks = np.zeros_like(t)
    burst = np.random.default_rng(1).standard_normal(int(0.01 * rate))
    burst *= np.exp(-np.arange(burst.size) / (0.002 * rate))
    for start in range(int(0.25 * rate), t.size - burst.size, int(0.5 * rate)):
        clicks[start : start + burst.size] += 0.6 * burst
    return chord, clicks


def repeating_loop(rate: int, duration_s: float) -> np.ndarray:
    """A 1 s bar (bass and a plucked arpeggio, with harmonics) repeated: what REPET-SIM
    calls background. No hi-hats: a 30 ms transient falls on a different part of each
    46 ms analysis frame at every repeat, and too few of its nearest frames share it."""
    t = np.arange(rate // 4) / rate
    envelope = np.exp(-t * 6)
    notes = []
    for bass, top in ((110.0, 440.0), (110.0, 554.37), (146.83, 659.26), (130.81, 554.37)):
        tone = sum(np.sin(2 * np.pi * f * k * t) / k for f in (bass, top) for k in (1, 2, 3))
        notes.append(tone * envelope)
    bar = np.concatenate(notes)
    reps = int(np.ceil(duration_s)) + 1
    return 0.2 * np.tile(bar, reps)[: int(rate * duration_s)] / np.abs(bar).max()


def main() -> None:
    jfk = load_audio(TESTDATA / "jfk.flac").resampled(16000)
    speech = jfk.mono()
    write_audio(Audio(speech[None], 16000, "jfk_clean"), HERE / "jfk_clean.wav")
    noisy = speech + at_snr(speech, pink(speech.size, 16000, 0), 5.0)
    write_audio(Audio(noisy[None].astype(np.float32), 16000), HERE / "noisy_speech.wav")

    chord, clicks = chord_and_clicks(22050, 6.0)
    write_audio(Audio((chord + clicks)[None].astype(np.float32), 22050), HERE / "chord_clicks.wav")

    voice = speak(
        "Music repeats itself, but a voice rarely does. "
        "This separation keeps what repeats and lets the voice stand out."
    ).mono()
    loop = repeating_loop(22050, voice.size / 22050 + 2.0)
    mix = loop.copy()
    mix[22050 : 22050 + voice.size] += 0.7 * voice / np.abs(voice).max()
    write_audio(Audio(mix[None].astype(np.float32), 22050), HERE / "loop_voice.wav")

    lj = load_audio(TESTDATA / "lj050-0131.flac").for_model(8000)
    him = jfk.for_model(8000)[: lj.size]
    both = 0.5 * (him / np.abs(him).max() + lj[: him.size] / np.abs(lj).max())
    write_audio(Audio(both[None].astype(np.float32), 8000), HERE / "two_speakers.wav")


if __name__ == "__main__":
    main()
