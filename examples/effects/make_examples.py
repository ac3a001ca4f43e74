"""Regenerate the Effects tab's example audio and impulse responses (deterministic).

    .venv/bin/python examples/effects/make_examples.py

Everything here is synthesised from numbers, so it is ours to license (CC0).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
RATE = 44100


def pluck(freq_hz: float, duration_s: float, rng: np.random.Generator) -> np.ndarray:
    """Karplus-Strong plucked string: a noise burst through a damped delay line."""
    n = int(duration_s * RATE)
    period = int(round(RATE / freq_hz))
    buf = rng.uniform(-1, 1, period)
    out = np.empty(n)
    for i in range(n):
        out[i] = buf[i % period]
        buf[i % period] = 0.996 * 0.5 * (buf[i % period] + buf[(i + 1) % period])
    return out


def pluck_loop(rng: np.random.Generator) -> np.ndarray:
    """Eight seconds of an arpeggio over a bass line with a hi-hat, in stereo."""
    bar_s, steps = 2.0, 8
    notes = [(220.0, 261.63, 329.63, 392.0), (174.61, 220.0, 261.63, 349.23)]
    left = np.zeros(int(8 * RATE) + RATE)
    right = np.zeros_like(left)
    step_s = bar_s / steps
    for bar in range(4):
        chord = notes[bar % 2]
        start = int(bar * bar_s * RATE)
        bass = pluck(chord[0] / 2, bar_s, rng) * 0.5
        left[start : start + bass.size] += bass
        right[start : start + bass.size] += bass
        for k in range(steps):
            s = start + int(k * step_s * RATE)
            tone = pluck(chord[k % 4] * 2, 0.9, rng) * 0.35
            pan = 0.5 + 0.35 * np.sin(k)
            left[s : s + tone.size] += tone * (1 - pan)
            right[s : s + tone.size] += tone * pan
            hat = rng.standard_normal(int(0.03 * RATE)) * np.exp(-np.arange(int(0.03 * RATE)) / 200)
            hat = np.diff(hat, prepend=0.0) * 0.08
            left[s : s + hat.size] += hat
            right[s : s + hat.size] += hat
    x = np.stack([left, right], axis=1)[: int(8 * RATE)]
    return (x / np.abs(x).max() * 0.8).astype(np.float32)


def impulse_response(
    duration_s: float, rt60_low_s: float, rt60_high_s: float, rate: int, rng, pre_delay_s=0.0
) -> np.ndarray:
    """Stereo exponentially decaying noise whose highs die faster than its lows (air, walls)."""
    n = int(duration_s * rate)
    t = np.arange(n) / rate
    out = []
    for _ in range(2):
        noise = rng.standard_normal(n)
        spectrum_low = np.fft.rfft(noise)
        freqs = np.fft.rfftfreq(n, 1 / rate)
        low = np.fft.irfft(spectrum_low * (freqs < 1500), n)
        high = np.fft.irfft(spectrum_low * (freqs >= 1500), n)
        # -60 dB after rt60: amplitude exp(-6.91 t / rt60).
        tail = low * np.exp(-6.91 * t / rt60_low_s) + high * np.exp(-6.91 * t / rt60_high_s)
        ir = np.concatenate([np.zeros(int(pre_delay_s * rate)), tail])[:n]
        ir[0] = 1.0
        out.append(ir)
    ir = np.stack(out, axis=1)
    return (ir / np.abs(ir).max() * 0.9).astype(np.float32)


def main() -> None:
    rng = np.random.default_rng(2021)
    sf.write(HERE / "pluck_loop.flac", pluck_loop(rng), RATE, subtype="PCM_16")
    ir_dir = HERE / "ir"
    ir_dir.mkdir(exist_ok=True)
    irs = {
        "small_room.wav": impulse_response(0.5, 0.35, 0.2, 32000, rng),
        "concert_hall.wav": impulse_response(2.5, 2.2, 1.2, 32000, rng, pre_delay_s=0.02),
        "cathedral.wav": impulse_response(4.0, 4.0, 2.0, 16000, rng, pre_delay_s=0.04),
    }
    for name, ir in irs.items():
        sf.write(ir_dir / name, ir, 32000 if name != "cathedral.wav" else 16000, subtype="PCM_16")


if __name__ == "__main__":
    main()
