"""Speed, memory and calibration of the Speaker verification tab's embedded backends.

Run: .venv/bin/python benchmarks/bench_speaker.py [--runs N]. Prints Markdown tables and writes
them to benchmarks/output/speaker.md. Every time is the median of N warm runs (default 5)
unless marked "cold". RTF = processing time / audio duration (lower is faster). The goal the
issue sets: a pair of 5 s clips verified in at most 0.5 s on a 2-core CPU.

The second table is the calibration of both embedded models' thresholds (GE2E and the
d-vector), side by side on one trial list: every voice available offline (JFK, the LJ Speech
reader, the Piper voice) cut into 2.5 s segments, each also 20 dB quieter and through an 8 kHz
telephone band, all cross-segment pairs scored. A threshold is put in the middle of the gap
between the two score distributions (equal_error_rate), then rounded. Three speakers only: the
EER it gives is a sanity check, not a measurement of either model in the wild.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report import peak_rss_mb, publish  # noqa: E402

from audiokit.audio import Audio, load_audio  # noqa: E402
from audiokit.models import cpu_threads  # noqa: E402
from audiokit.tasks import speaker as task  # noqa: E402
from audiokit.tasks.tts import speak  # noqa: E402
from tests.signals import PIPER_SENTENCES  # noqa: E402

EXAMPLES = ROOT / "examples" / "asr"
SPEAKER_EXAMPLES = ROOT / "examples" / "speaker"
GOAL_S = 0.5


def median_time(fn, runs: int) -> float:
    """Median wall time of ``runs`` calls (the caller warms up first)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cut(audio: Audio, start_s: float, seconds: float, name: str) -> Audio:
    a = int(start_s * audio.sample_rate)
    b = a + int(seconds * audio.sample_rate)
    return dataclasses.replace(audio, samples=audio.samples[:, a:b].copy(), name=name)


def speed(runs: int) -> list[str]:
    jfk = load_audio(EXAMPLES / "jfk.flac")
    lj = load_audio(EXAMPLES / "lj050-0131.flac")
    a, b = cut(jfk, 0.0, 5.0, "jfk5"), cut(lj, 0.0, 5.0, "lj5")
    rss_before = peak_rss_mb()
    start = time.perf_counter()
    task.run(a, b)
    cold = time.perf_counter() - start
    rss_model = peak_rss_mb()
    pair = median_time(lambda: task.run(a, b), runs)
    files = (SPEAKER_EXAMPLES / "jfk_1.wav", SPEAKER_EXAMPLES / "lj_1.wav")
    from_files = median_time(lambda: task.run(*(load_audio(f) for f in files)), runs)
    encoder = task.ge2e_encoder()
    rows = [
        "| measurement | seconds | ratio |",
        "| --- | ---: | ---: |",
        f"| verify a pair of 5 s clips, cold (model load included) | {cold:.3f} | |",
        f"| verify a pair of 5 s clips, warm | {pair:.3f} | {pair / GOAL_S:.2f} × goal (0.5 s) |",
        f"| the /verify endpoint's work on two ~4 s wav files (decode included) "
        f"| {from_files:.3f} | {from_files / GOAL_S:.2f} × goal |",
    ]
    for seconds in (2.0, 5.0, 10.0):
        clip = cut(jfk, 0.0, seconds, f"jfk{seconds:g}")
        prep = median_time(lambda clip=clip: task.prepare(clip), runs)
        speech = task.prepare(clip).speech
        emb = median_time(lambda speech=speech: encoder.embed(speech), runs)
        rows.append(
            f"| one {seconds:g} s clip: VAD + levelling / GE2E embedding "
            f"| {prep:.3f} / {emb:.3f} | RTF {(prep + emb) / seconds:.4f} |"
        )
    dvector = task.dvector_encoder()
    task.run(a, b, model="dvector")
    pair_dv = median_time(lambda: task.run(a, b, model="dvector"), runs)
    rows.append(
        f"| d-vector: verify a pair of 5 s clips, warm | {pair_dv:.3f} | "
        f"{pair_dv / GOAL_S:.2f} × goal |"
    )
    # Compare A/B runs the two models one after the other: its time should be the two runs'.
    both = median_time(
        lambda: task.compare(a, b, a={"model": "ge2e"}, b={"model": "dvector"}), runs
    )
    rows.append(
        f"| Compare A/B (GE2E, then d-vector) on the pair of 5 s clips | {both:.3f} | "
        f"{both / (pair + pair_dv):.2f} × the two runs alone |"
    )
    for seconds in (5.0, 10.0):
        speech = task.prepare(cut(jfk, 0.0, seconds, f"jfk{seconds:g}")).speech
        emb = median_time(lambda speech=speech: dvector.embed(speech), runs)
        rows.append(
            f"| one {seconds:g} s clip: d-vector embedding | {emb:.3f} | RTF {emb / seconds:.4f} |"
        )
    rows.extend(threads_row(dvector, jfk, runs))
    # Diarization's use: many windows of one recording, batched.
    windows = [(t, t + 1.5) for t in np.arange(0.0, jfk.duration_s - 1.5, 0.75)]
    for model in ("ge2e", "dvector"):
        t = median_time(lambda model=model: task.embed_windows(jfk, windows, model=model), runs)
        rows.append(
            f"| embed_windows, {model}: {len(windows)} windows of 1.5 s every 0.75 s over "
            f"jfk.flac ({jfk.duration_s:.1f} s) | {t:.3f} | RTF {t / jfk.duration_s:.4f} |"
        )
    # The GE2E encoder limits itself to one OpenMP thread; this row compares that with the
    # app-wide torch setting (every tab sets it to the core count) on the same clip.
    import torch

    speech = task.prepare(cut(jfk, 0.0, 5.0, "jfk5")).speech
    shared = torch.get_num_threads()
    encoder.model.embed_utterance(speech)
    with_shared = median_time(lambda: encoder.model.embed_utterance(speech), runs)
    with_one = median_time(lambda: encoder.embed(speech), runs)
    rows.append(
        f"| GE2E embedding of a 5 s clip, 1 (shipped) / {shared} OpenMP threads "
        f"| {with_one:.3f} / {with_shared:.3f} | {with_shared / with_one:.2f} × slower with "
        f"{shared} |"
    )
    rows.append(
        f"| peak memory (RSS): before the model / after / end "
        f"| {rss_before:.0f} / {rss_model:.0f} / {peak_rss_mb():.0f} MB | |"
    )
    return rows


def threads_row(dvector, jfk: Audio, runs: int) -> list[str]:
    """The d-vector session runs on DVECTOR_THREADS; compare with one per core."""
    import onnxruntime as ort

    speech = task.prepare(cut(jfk, 0.0, 5.0, "jfk5")).speech
    options = ort.SessionOptions()
    options.intra_op_num_threads = cpu_threads()
    options.inter_op_num_threads = 1
    wide = ort.InferenceSession(
        str(task.dvector_model_path()), options, providers=["CPUExecutionProvider"]
    )
    windows = dvector._windows(speech)
    wide.run(None, {dvector.input_name: windows})
    shipped = median_time(lambda: dvector._forward(windows), runs)
    many = median_time(lambda: wide.run(None, {dvector.input_name: windows}), runs)
    return [
        f"| d-vector network on a 5 s clip, {task.DVECTOR_THREADS} (shipped) / "
        f"{cpu_threads()} ONNX Runtime threads | {shipped:.3f} / {many:.3f} | "
        f"{many / shipped:.2f} × the shipped time |"
    ]


def calibration() -> list[str]:
    voices = {
        "jfk": [load_audio(EXAMPLES / "jfk.flac")],
        "lj": [load_audio(EXAMPLES / "lj050-0131.flac")],
        "piper": [speak(s) for s in PIPER_SENTENCES],
    }
    items = task.calibration_items(voices)
    models = ("ge2e", "dvector")
    rows = {
        "speakers / clips (segments × 3 conditions)": [],
        "trials: same / different speaker": [],
        "same-speaker scores: min / median": [],
        "different-speaker scores: median / max": [],
        "gap between the classes (same min − different max)": [],
        "**EER** / threshold at the EER point": [],
        "EER without the 8 kHz (telephone band) clips": [],
        "shipped threshold: FAR / FRR": [],
    }
    for model in models:
        trials = task.score_trials(items, model=model)
        scores = np.array([t.score for t in trials])
        same = np.array([t.same for t in trials])
        phone = np.array(["@8k" in t.a or "@8k" in t.b for t in trials])
        eer, best = task.equal_error_rate(scores, same)
        threshold = task.BACKENDS[model].threshold
        far = np.mean(scores[~same] >= threshold)
        frr = np.mean(scores[same] < threshold)
        values = (
            f"3 / {len(items)}",
            f"{same.sum()} / {(~same).sum()}",
            f"{scores[same].min():.3f} / {np.median(scores[same]):.3f}",
            f"{np.median(scores[~same]):.3f} / {scores[~same].max():.3f}",
            f"{scores[same].min() - scores[~same].max():+.3f}",
            f"**{eer:.1%}** / {best:.3f}",
            f"{task.equal_error_rate(scores[~phone], same[~phone])[0]:.1%}",
            f"{threshold:.2f}: {far:.1%} / {frr:.1%}",
        )
        for row, value in zip(rows.values(), values, strict=True):
            row.append(value)
    names = " | ".join(task.BACKENDS[m].short_name for m in models)
    return [
        f"| calibration (same trial list) | {names} |",
        "| --- | ---: | ---: |",
        *(f"| {label} | {' | '.join(v)} |" for label, v in rows.items()),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="warm runs per median (≥3)")
    args = parser.parse_args()
    runs = max(3, args.runs)
    header = (
        "## Speaker verification (GE2E and d-vector, embedded)\n\n"
        f"{platform.processor() or platform.machine()}, "
        f"{len(os.sched_getaffinity(0))} cores, torch threads {cpu_threads()}, "
        f"median of {runs} warm runs.\n"
    )
    text = "\n".join(
        [header, *speed(runs), "", *calibration(), "", "ECAPA and WavLM: not measured (offline)."]
    )
    publish("speaker", text)


if __name__ == "__main__":
    main()
