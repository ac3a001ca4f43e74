"""The ASR ladder (embedded Whisper tiny.en and multilingual base: WER on English and German
speech, RTF, load time, peak memory), base's decoding options (beam size, VAD, temperature
fallback), Compare A/B (tiny.en then base: each side's time and RTF, the compare's overhead),
and the overhead of the app's API over calling faster-whisper directly.

Run: .venv/bin/python benchmarks/bench_asr.py [--runs N] [--ladder-only]. Prints Markdown tables
and writes them to benchmarks/output/asr.md. RTF = processing time / audio duration (lower is
faster); every figure is the median of N warm runs (default 3) unless marked "cold". Each
model of the ladder is measured in a fresh process, so load time and peak memory are its own.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report import launch_app, peak_rss_mb, publish, stop_app  # noqa: E402

from audiokit.audio import Audio, load_audio, write_audio  # noqa: E402
from audiokit.metrics import word_error_rate  # noqa: E402
from audiokit.tasks import asr  # noqa: E402

EXAMPLES = ROOT / "examples" / "asr"
SR = asr.SAMPLE_RATE
LONG_S = 300.0
# Distinct sentences, so that no 30 s window repeats itself (Whisper's compression-ratio check
# would otherwise re-decode it at higher temperatures, which is not what real speech costs).
SENTENCES = [
    "The study group meets every Tuesday evening to read one paper about audio.",
    "This week we compare connectionist temporal classification with attention decoders.",
    "A log mel spectrogram squeezes the frequency axis the way the ear does.",
    "Beam search keeps several hypotheses alive and picks the most probable one.",
    "Voice activity detection tells speech from silence before the model runs.",
    "Word error rate counts substitutions, deletions and insertions against a reference.",
    "Subtitles need timestamps that never run backwards and never pass the end.",
    "Quantising the weights to eight bits makes the model smaller and faster on a laptop.",
    "The encoder sees thirty seconds at a time, so long recordings are read in windows.",
    "Please bring your questions about the homework to the next session.",
    "Distillation trains a small student to imitate a large teacher model.",
    "Translation to English uses the same decoder with a different task token.",
]


MULTILINGUAL = ROOT / "tests" / "data" / "multilingual.mp3"
JFK_REFERENCE = (
    "and so my fellow americans ask not what your country can do for you "
    "ask what you can do for your country"
)
# The English half (0-30 s) of multilingual.mp3 reads the MIT licence's first two paragraphs.
MIT_ENGLISH = (
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this "
    "software and associated documentation files (the Software), to deal in the Software "
    "without restriction, including without limitation the rights to use, copy, modify, merge, "
    "publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons "
    "to whom the Software is furnished to do so, subject to the following conditions: The above "
    "copyright notice and this permission notice shall be included in all copies or substantial "
    "portions of the Software."
)
LADDER = (asr.EMBEDDED_ID, asr.BASE_ID)


def german_reference() -> str:
    text = (MULTILINGUAL.parent / "SOURCES.md").read_text(encoding="utf-8")
    block = text.split("Reference of the German half", 1)[1]
    return " ".join(line.strip() for line in block.splitlines() if line.startswith("    "))


def ladder_clips() -> dict[str, tuple[Audio, str]]:
    """English and German speech from the repository, each with its reference."""
    full = load_audio(MULTILINGUAL)
    half = 30 * full.sample_rate
    return {
        "jfk.flac (en, 11 s)": (load_audio(EXAMPLES / "jfk.flac"), JFK_REFERENCE),
        "multilingual.mp3 0-30 s (en)": (
            Audio(full.samples[:, :half], full.sample_rate, "en"),
            MIT_ENGLISH,
        ),
        "multilingual.mp3 30-60 s (de)": (
            Audio(full.samples[:, half:], full.sample_rate, "de"),
            german_reference(),
        ),
    }


def worker(model_id: str, runs: int, sweep: bool) -> dict:
    """One model in this (fresh) process: load, WER and RTF per clip, peak memory."""
    clips = ladder_clips()
    join_s = None
    if model_id == asr.BASE_ID:  # the ladder runs it on an empty cache: first use joins
        started = time.perf_counter()
        asr.prepare_embedded_base()
        join_s = time.perf_counter() - started
    started = time.perf_counter()
    recognizer = asr.get_recognizer(model_id)
    load_s = time.perf_counter() - started

    def measure(audio: Audio, reference: str, n: int = runs, **options) -> tuple[float, float, str]:
        times, text, language = [], "", ""
        for _ in range(n + 1):  # the first run warms up
            started = time.perf_counter()
            t = asr.run(audio, recognizer=recognizer, model_id=model_id, **options)
            times.append(time.perf_counter() - started)
            text, language = t.text, t.language
        rtf = statistics.median(times[1:]) / audio.duration_s
        return word_error_rate(reference, text).wer, rtf, language

    rows = {name: measure(audio, ref) for name, (audio, ref) in clips.items()}
    options = {}
    if sweep:
        for beam, vad, fallback in itertools.product((1, 2, 5), (False, True), (True, False)):
            key = (
                f"beam {beam}, VAD {'on' if vad else 'off'}, fallback {'on' if fallback else 'off'}"
            )
            options[key] = {
                name: measure(
                    clips[name][0], clips[name][1], n=1,  # 12 settings: one timed run each
                    beam_size=beam, vad_filter=vad, temperature_fallback=fallback,
                )[:2]
                for name in ("jfk.flac (en, 11 s)", "multilingual.mp3 30-60 s (de)")
            }  # fmt: skip
    return {
        "join_s": join_s,
        "load_s": load_s,
        "peak_mb": peak_rss_mb(),
        "rows": rows,
        "sweep": options,
    }


def ladder_tables(runs: int) -> str:
    """The ladder, each model in a fresh interpreter (its own load time and memory)."""
    results = {}
    cache = tempfile.mkdtemp(prefix="bench-asr-cache-")
    for model_id in LADDER:
        out = subprocess.run(
            [sys.executable, __file__, "--worker", model_id, "--runs", str(runs)]
            + (["--sweep"] if model_id == asr.BASE_ID else []),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, asr.CACHE_ENV: cache, "HF_HUB_OFFLINE": "1"},
        )
        results[model_id] = json.loads(out.stdout.strip().splitlines()[-1])
    shutil.rmtree(cache, ignore_errors=True)
    names = list(next(iter(results.values()))["rows"])
    lines = [
        f"ASR ladder · {os.cpu_count()} CPUs · median of {runs} warm runs · default options "
        f"(beam {asr.DEFAULT_BEAM[asr.EMBEDDED_ID]} for tiny.en, {asr.DEFAULT_BEAM[asr.BASE_ID]} "
        "for base; language detected by base)",
        "",
        "| model | "
        + " | ".join(f"{n}: WER / RTF" for n in names)
        + " | first-use join | load (cold) | peak RSS |",
        "| --- | " + " | ".join("---" for _ in names) + " | --- | --- | --- |",
    ]
    for model_id, r in results.items():
        cells = [
            f"{r['rows'][n][0]:.1%} / {r['rows'][n][1]:.3f} ({r['rows'][n][2]})" for n in names
        ]
        join = "—" if r["join_s"] is None else f"{r['join_s']:.2f} s"
        tail = f" | {join} | {r['load_s']:.2f} s | {r['peak_mb']:.0f} MB |"
        lines.append(f"| {model_id} | " + " | ".join(cells) + tail)
    sweep = results[asr.BASE_ID]["sweep"]
    if sweep:
        clips = list(next(iter(sweep.values())))
        lines += [
            "",
            "Whisper base: decoding options (WER / RTF)",
            "",
            "| options | " + " | ".join(clips) + " |",
            "| --- | " + " | ".join("---" for _ in clips) + " |",
        ]
        for key, cells in sweep.items():
            lines.append(
                f"| {key} | "
                + " | ".join(f"{cells[c][0]:.1%} / {cells[c][1]:.3f}" for c in clips)
                + " |"
            )
    return "\n".join(lines)


def long_clip(path: Path) -> Audio:
    """≥ 5 minutes: jfk, the LJ Speech sentence and Piper sentences, with 0.4-2 s pauses."""
    from audiokit.tasks.tts import speak

    jfk = load_audio(EXAMPLES / "jfk.flac").for_model(SR)
    lj = load_audio(EXAMPLES / "lj050-0131.flac").for_model(SR)
    spoken = [speak(s).for_model(SR) for s in SENTENCES]
    rng = np.random.default_rng(0)
    parts, total, i = [], 0.0, 0
    while total < LONG_S:
        piece = jfk if i % 8 == 0 else lj if i % 8 == 4 else spoken[i % len(spoken)]
        pause = np.zeros(int(rng.uniform(0.4, 2.0) * SR), np.float32)
        parts += [piece, pause]
        total += (piece.size + pause.size) / SR
        i += 1
    clip = Audio(np.concatenate(parts)[np.newaxis, :], SR, "study-group-5min")
    write_audio(clip, path)
    return clip


def cold_start() -> tuple[float, float]:
    """In a fresh interpreter: seconds to load the model, and to the first jfk transcript."""
    code = (
        "import time; t=time.perf_counter()\n"
        "from audiokit.tasks import asr; from audiokit.audio import load_audio\n"
        "asr.get_recognizer(); l=time.perf_counter()-t\n"
        f"asr.run(load_audio({str(EXAMPLES / 'jfk.flac')!r}))\n"
        "print(l, time.perf_counter()-t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    load_s, first_s = (float(v) for v in out.stdout.split()[-2:])
    return load_s, first_s


def server_peak_mb(pid: int) -> float:
    """The app server's peak resident memory (VmHWM), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def compare_table(runs: int) -> str:
    """Compare A/B (tiny.en then base on jfk.flac): each side's time and RTF inside
    ``asr.compare``, against the same two ``asr.run`` calls made alone (the compare's overhead:
    the word diff and the WERs)."""
    jfk = load_audio(EXAMPLES / "jfk.flac")
    a, b = {"model_id": asr.EMBEDDED_ID}, {"model_id": asr.BASE_ID}
    asr.compare(jfk, a=a, b=b, reference=JFK_REFERENCE)  # warm-up: loads both models
    inside: dict[str, list[float]] = {"A": [], "B": []}
    together, alone = [], []
    for _ in range(runs):
        started = time.perf_counter()
        result = asr.compare(jfk, a=a, b=b, reference=JFK_REFERENCE)
        together.append(time.perf_counter() - started)
        inside["A"].append(result.a.seconds)
        inside["B"].append(result.b.seconds)
        started = time.perf_counter()
        asr.run(jfk, **a)
        asr.run(jfk, **b)
        alone.append(time.perf_counter() - started)
    sides = {"A": result.a, "B": result.b}
    lines = [
        f"Compare A/B on jfk.flac ({jfk.duration_s:.0f} s) · median of {runs} warm runs",
        "",
        "| side | model | time | RTF | WER vs reference |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, side in sides.items():
        seconds = statistics.median(inside[name])
        lines.append(
            f"| {name} | {side.engine} | {seconds:.2f} s | {seconds / jfk.duration_s:.2f} | "
            f"{side.wer.wer:.1%} |"
        )
    total, bare = statistics.median(together), statistics.median(alone)
    lines.append(
        f"| A then B | `asr.compare` {total:.2f} s vs two `asr.run` {bare:.2f} s | "
        f"overhead {total - bare:+.2f} s | | {result.differing} words differ |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="warm runs per figure (≥ 3)")
    parser.add_argument("--ladder-only", action="store_true", help="skip the API overhead part")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # one ladder model, fresh process
    parser.add_argument("--sweep", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    runs = max(3, args.runs)
    if args.worker:
        print(json.dumps(worker(args.worker, runs, args.sweep)))
        return
    ladder = f"{ladder_tables(runs)}\n\n{compare_table(runs)}"
    if args.ladder_only:
        publish("asr", ladder)
        return
    work = Path(tempfile.mkdtemp(prefix="bench-asr-"))
    jfk_path = EXAMPLES / "jfk.flac"
    long_path = work / "study-group-5min.flac"
    clip = long_clip(long_path)
    durations = {"jfk.flac": load_audio(jfk_path).duration_s, long_path.name: clip.duration_s}

    load_s, first_s = cold_start()
    model = asr.embedded_whisper()
    recognizer = asr.get_recognizer()
    # The same decoding options on every path: English, beam 5, no VAD, segment timestamps.
    options = {"language": "en", "beam_size": 5}

    def direct(path: Path) -> None:
        segments, _ = model.transcribe(str(path), **options)
        list(segments)  # faster-whisper decodes lazily, as the segments are consumed

    def core(path: Path) -> None:
        asr.run(load_audio(path, max_duration_s=asr.LIMITS.max_duration_s), recognizer=recognizer)

    def decode_ours(path: Path) -> None:
        load_audio(path).for_model(SR)

    def decode_fw(path: Path) -> None:
        from faster_whisper.audio import decode_audio

        decode_audio(str(path), sampling_rate=SR)

    from gradio_client import Client, handle_file

    proc, url = launch_app()
    try:
        client = Client(url, verbose=False)

        # gradio_client fetches every output file by default (here 4 small downloads).
        bare = Client(url, verbose=False, download_files=False)

        def api(path: Path) -> None:
            client.predict(handle_file(str(path)), api_name="/transcribe")

        def api_bare(path: Path) -> None:
            bare.predict(handle_file(str(path)), api_name="/transcribe")

        paths = {
            "faster-whisper directly": direct,
            "core: asr.run": core,
            "app API via gradio_client": api,
            "app API, output files not fetched": api_bare,
            "decode + resample: ours": decode_ours,
            "decode + resample: faster-whisper": decode_fw,
        }
        started = time.perf_counter()
        api(jfk_path)  # the server loads the model on its first request
        first_api_s = time.perf_counter() - started
        times: dict[tuple[str, str], list[float]] = {}
        for path in (jfk_path, long_path):
            for fn in paths.values():
                fn(path)  # warm-up
            # Round-robin, so that a change in the machine's load hits every path alike.
            for _ in range(runs):
                for how, fn in paths.items():
                    started = time.perf_counter()
                    fn(path)
                    times.setdefault((path.name, how), []).append(time.perf_counter() - started)
        results = {key: statistics.median(values) for key, values in times.items()}
        bench_peak = peak_rss_mb()
        app_peak = server_peak_mb(proc.pid)
        client.close()
        bare.close()
    finally:
        stop_app(proc)
        shutil.rmtree(work, ignore_errors=True)

    lines = [
        f"ASR benchmark · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} CPUs · median of {runs} warm runs, paths interleaved",
        "",
        "| clip | path | time | RTF | vs faster-whisper directly |",
        "| --- | --- | --- | --- | --- |",
    ]
    for (name, how), seconds in results.items():
        base = results[(name, "faster-whisper directly")]
        ratio = f"{seconds / base:.2f}×" if "decode" not in how else ""
        lines.append(
            f"| {name} ({durations[name]:.0f} s) | {how} | {seconds:.2f} s | "
            f"{seconds / durations[name]:.3f} | {ratio} |"
        )
    lines += [
        "",
        "| cold start (fresh process) | time |",
        "| --- | --- |",
        f"| import + load the embedded model | {load_s:.2f} s |",
        f"| … + first jfk.flac transcript | {first_s:.2f} s |",
        f"| first API request to a fresh app.py (jfk.flac, model load included) | "
        f"{first_api_s:.2f} s |",
        "",
        "| peak memory (RSS) | MB |",
        "| --- | --- |",
        f"| benchmark process (Piper to build the clip, model, direct and core runs) | "
        f"{bench_peak:.0f} |",
        f"| app server, all tabs built, after the API runs | {app_peak:.0f} |",
    ]
    table = "\n".join(lines)
    publish("asr", f"{ladder}\n\n{table}")


if __name__ == "__main__":
    main()
