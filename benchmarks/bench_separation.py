"""Separation speed and memory, and the three offline denoisers compared, in one run.

    .venv/bin/python benchmarks/bench_separation.py

1. Real-time factor and peak memory of each method on 30 s of audio. Each method runs in its
   own child process, so its peak resident memory (``ru_maxrss``) is its own; inside the
   child: one warm-up run, then the median of ``RUNS`` timed runs.
2. DeepFilterNet3, RNNoise and spectral gating on the same noisy speech (LJ Speech plus white,
   pink and babble noise at 0 and 5 dB SNR, from ``tests/noisy_speech.py``, which the tests'
   bounds use too): SI-SDR improvement per case and RTF. Written to
   ``examples/separation/denoiser_benchmark.json``, which the tab's learn view shows, and as
   the Markdown table the README carries.

``--denoisers`` runs part 2 alone. Prints the tables and writes them to
``benchmarks/output/separation.md`` and ``benchmarks/output/denoisers.md``.

``--compare`` runs the tab's Compare A/B (``compare()``: DeepFilterNet3 then RNNoise) on the
same noisy speech at 5 dB SNR, and shows what the compare adds to its two runs (the checks
before them and the agreement SI-SDR after): ``benchmarks/output/separation_compare.md``.
"""

from __future__ import annotations

import datetime
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
# The denoiser comparison runs at LJ Speech's own rate.
DENOISE_RATE = 22050
# (row label, method id, channels, goal RTF from issue #6 or None)
CASES = (
    ("denoise", "denoise", 1, 0.2),
    ("denoise, stereo", "denoise", 2, None),
    ("rnnoise", "rnnoise", 1, None),
    ("spectral_gating", "spectral_gating", 1, None),
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
    from audiokit.tasks.separation import run

    audio = test_signal(channels)
    librosa.stft(audio.samples[0, :4096])  # its first call compiles and loads FFT plans
    imports_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        run(audio, method=method)  # warm-up: model load, caches
    except ModelUnavailableError as exc:
        return {"error": str(exc).split(".")[0]}
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run(audio, method=method)
        times.append(time.perf_counter() - start)
    return {
        "median_s": statistics.median(times),
        "duration_s": audio.duration_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "imports_rss_mb": imports_kb / 1024,
    }


def denoiser_child(method: str) -> dict:
    """SI-SDRi of one denoiser on every noisy case, and its RTF (median of RUNS warm runs
    per case, summed over the cases and divided by their total duration).

    The RTF counts this process's CPU time, not wall time: the development machine is shared,
    and CPU time does not grow with other processes' load. The three denoisers run on one
    thread, so on an idle core the two are the same; a method that used more threads would
    show more CPU time than wall time, never less.
    """
    from audiokit.audio import Audio
    from audiokit.metrics import si_sdr
    from audiokit.tasks.separation import run
    from tests.noisy_speech import NOISES, SNRS_DB, lj_speech, noisy_mixture

    speech = lj_speech(DENOISE_RATE)
    gains, seconds, duration = {}, 0.0, 0.0
    for noise in NOISES:
        for snr_db in SNRS_DB:
            mix, _ = noisy_mixture(speech, DENOISE_RATE, noise, snr_db)
            audio = Audio(mix[None], DENOISE_RATE, "bench")
            result = run(audio, method=method)  # warm-up, and the scored run
            gains[f"{noise} {snr_db:g}"] = si_sdr(result.primary.samples[0], speech) - si_sdr(
                mix, speech
            )
            times = []
            for _ in range(RUNS):
                start = time.process_time()
                run(audio, method=method)
                times.append(time.process_time() - start)
            seconds += statistics.median(times)
            duration += audio.duration_s
    return {"gains": gains, "rtf": seconds / duration}


def compare_denoisers() -> dict:
    """The three denoisers, each in its own child process, on the same noisy cases."""
    from audiokit.tasks.separation import DENOISERS, METHODS
    from tests.noisy_speech import NOISES, SNRS_DB

    measured = {}
    load_before = os.getloadavg()[0]
    for method in DENOISERS:
        out = subprocess.run(
            [sys.executable, __file__, "--denoiser", method],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        measured[method] = json.loads(out.stdout.strip().splitlines()[-1])
    cases = [
        {
            "noise": noise,
            "snr_db": snr_db,
            "si_sdri_db": {
                m: round(measured[m]["gains"][f"{noise} {snr_db:g}"], 2) for m in DENOISERS
            },
        }
        for noise in NOISES
        for snr_db in SNRS_DB
    ]
    names = {
        "denoise": "DeepFilterNet3",
        "rnnoise": "RNNoise",
        "spectral_gating": "spectral gating",
    }
    assert set(names) == set(DENOISERS) and set(DENOISERS) <= set(METHODS)
    return {
        "setup": (
            f"LJ Speech lj050-0131 ({DENOISE_RATE / 1000:g} kHz mono, 7.7 s) plus white, pink "
            "(from 50 Hz up) or six-talker babble (the distant jfk recording) at 0 and 5 dB "
            f"SNR; RTF: CPU time ÷ audio duration, median of {RUNS} warm runs per clip, on "
            f"{platform.machine()} with {len(os.sched_getaffinity(0))} CPU cores (load average "
            f"{load_before:.1f} before and {os.getloadavg()[0]:.1f} after: compare the RTFs "
            "with each other); measured "
            f"{datetime.date.today().isoformat()} by benchmarks/bench_separation.py."
        ),
        "methods": names,
        "cases": cases,
        "mean_si_sdri_db": {
            m: round(statistics.mean(c["si_sdri_db"][m] for c in cases), 2) for m in DENOISERS
        },
        "rtf": {m: round(measured[m]["rtf"], 4) for m in DENOISERS},
    }


def main(*, denoisers_only: bool = False) -> None:
    from audiokit.tasks.separation import DENOISER_FIGURES, denoiser_table

    figures = compare_denoisers()
    DENOISER_FIGURES.write_text(
        json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    publish("denoisers", f"{figures['setup']}\n\n{denoiser_table(figures)}")
    if denoisers_only:
        return
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


def compare_overhead() -> None:
    """Compare A/B on LJ Speech plus white and babble noise at 5 dB: both sides' SI-SDRi and
    time, and the compare's own wall time beyond its two runs (median of ``RUNS``)."""
    from audiokit.audio import Audio
    from audiokit.tasks.separation import compare
    from tests.noisy_speech import lj_speech, noisy_mixture

    speech = lj_speech(DENOISE_RATE)
    reference = Audio(speech[None], DENOISE_RATE, "clean")
    lines = [
        f"Compare A/B, DeepFilterNet3 (A) then RNNoise (B), LJ Speech at {DENOISE_RATE} Hz "
        f"plus noise at 5 dB SNR; median of {RUNS} warm compares; {platform.machine()}, "
        f"{len(os.sched_getaffinity(0))} CPUs (load average {os.getloadavg()[0]:.1f}).",
        "",
        "| noise | SI-SDRi A (dB) | SI-SDRi B (dB) | A (s) | B (s) | compare (s) | "
        "added by the compare (s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for noise in ("white", "babble"):
        mix, _ = noisy_mixture(speech, DENOISE_RATE, noise, 5.0)
        audio = Audio(mix[None], DENOISE_RATE, "bench")
        sides = {"a": {"method": "denoise"}, "b": {"method": "rnnoise"}}
        compare(audio, **sides, reference=reference)  # warm-up: model load, caches
        runs = []
        for _ in range(RUNS):
            start = time.perf_counter()
            c = compare(audio, **sides, reference=reference)
            runs.append((time.perf_counter() - start, c))
        total, c = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
        lines.append(
            f"| {noise} | {c.a.si_sdri_db:+.1f} | {c.b.si_sdri_db:+.1f} | {c.a.seconds:.2f} | "
            f"{c.b.seconds:.2f} | {total:.2f} | {total - c.a.seconds - c.b.seconds:.3f} |"
        )
    publish("separation_compare", "\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], int(sys.argv[3]))))
    elif len(sys.argv) == 3 and sys.argv[1] == "--denoiser":
        print(json.dumps(denoiser_child(sys.argv[2])))
    elif sys.argv[1:] == ["--compare"]:
        compare_overhead()
    else:
        main(denoisers_only="--denoisers" in sys.argv[1:])
