"""Separation speed and memory: real-time factor of each method on 30 s of audio.

    .venv/bin/python benchmarks/bench_separation.py

Each method runs in its own child process, so its peak resident memory (``ru_maxrss``) is
its own; inside the child: one warm-up run, then the median of ``RUNS`` timed runs. Prints a
Markdown table and writes it to ``benchmarks/output/separation.md``.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DURATION_S = 30.0
RATE = 44100
RUNS = 3
# (row label, method id, channels, goal RTF from issue #6 or None)
CASES = (
    ("denoise", "denoise", 1, 0.2),
    ("denoise, stereo", "denoise", 2, None),
    ("hpss", "hpss", 1, 0.05),
    ("vocals", "vocals", 1, 0.1),
    ("sepformer", "sepformer", 1, None),
)
from report import publish  # noqa: E402


def test_signal(channels: int):
    """30 s at 44.1 kHz: real speech (jfk, looped) over pink-ish noise and a repeating bar."""
    import numpy as np

    from audiokit.audio import Audio, load_audio

    speech = load_audio(ROOT / "examples" / "asr" / "jfk.flac").for_model(RATE)
    frames = int(DURATION_S * RATE)
    x = np.resize(speech, frames)
    rng = np.random.default_rng(0)
    noise = np.cumsum(rng.standard_normal(frames)) * 0.001  # brownish, then high-passed
    noise -= np.convolve(noise, np.ones(441) / 441, mode="same")
    t = np.arange(frames) / RATE
    bar = 0.1 * np.sin(2 * np.pi * 110 * t) * np.exp(-(t % 0.5) * 8)
    mix = (x + noise + bar).astype(np.float32)
    return Audio(np.tile(mix, (channels, 1)), RATE, "bench")


def child(method: str, channels: int) -> dict:
    """Time one method in this process; returns the measurements as a dict."""
    import librosa  # imported lazily by the engines; counted as import, not as separating

    from audiokit.errors import ModelUnavailableError
    from demos.separation import separate_audio

    audio = test_signal(channels)
    librosa.stft(audio.samples[0, :4096])  # its first call compiles and loads FFT plans
    imports_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        separate_audio(audio, method=method)  # warm-up: model load, caches
    except ModelUnavailableError as exc:
        return {"error": str(exc).split(".")[0]}
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        separate_audio(audio, method=method)
        times.append(time.perf_counter() - start)
    return {
        "median_s": statistics.median(times),
        "duration_s": audio.duration_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "imports_rss_mb": imports_kb / 1024,
    }


def main() -> None:
    rows = []
    for label, method, channels, goal in CASES:
        out = subprocess.run(
            [sys.executable, __file__, "--child", method, str(channels)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        try:
            result = json.loads(out.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            result = {"error": (out.stderr.strip().splitlines() or ["failed"])[-1][:80]}
        rows.append((label, channels, goal, result))

    fastest = min(r["median_s"] / r["duration_s"] for *_, r in rows if "median_s" in r)
    lines = [
        f"Separation, {DURATION_S:g} s at {RATE} Hz; median of {RUNS} warm runs; "
        f"{platform.machine()}, {len(os.sched_getaffinity(0))} CPUs.",
        "",
        "| method | ch | median (s) | RTF | goal RTF | RTF / goal | × fastest "
        "| peak RSS (MB) | of which separating (MB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, channels, goal, r in rows:
        if "median_s" not in r:
            lines.append(f"| {label} | {channels} | n/a: {r['error']} | | | | | | |")
            continue
        rtf = r["median_s"] / r["duration_s"]
        lines.append(
            f"| {label} | {channels} | {r['median_s']:.2f} | {rtf:.3f} | "
            f"{goal if goal is not None else '–'} | "
            f"{f'{rtf / goal:.2f}' if goal else '–'} | {rtf / fastest:.1f} | "
            f"{r['peak_rss_mb']:.0f} | {r['peak_rss_mb'] - r['imports_rss_mb']:.0f} |"
        )
    lines += [
        "",
        "RTF = processing time / audio duration (lower is faster; < 1 is faster than real time). "
        "Peak RSS is the whole child process; 'of which separating' is the peak minus the "
        "process after imports and test signal (model, buffers, STFTs).",
    ]
    table = "\n".join(lines)
    publish("separation", table)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], int(sys.argv[3]))))
    else:
        main()
