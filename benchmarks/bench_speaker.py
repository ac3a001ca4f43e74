"""Speed, memory and calibration of the Speaker verification tab's embedded GE2E backend.

Run: .venv/bin/python benchmarks/bench_speaker.py [--runs N]. Prints Markdown tables and writes
them to benchmarks/output/speaker.md. Every time is the median of N warm runs (default 5)
unless marked "cold". RTF = processing time / audio duration (lower is faster). The goal the
issue sets: a pair of 5 s clips verified in at most 0.5 s on a 2-core CPU.

The second table is the calibration of the GE2E threshold: every voice available offline
(JFK, the LJ Speech reader, the Piper voice) cut into 2.5 s segments, each also 20 dB quieter
and through an 8 kHz telephone band, all cross-segment pairs scored. Three speakers only: the
EER it gives is a sanity check, not a measurement of GE2E in the wild.
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
from audiokit.engines import speaker as engine  # noqa: E402
from audiokit.engines.tts import speak  # noqa: E402
from demos import speaker  # noqa: E402
from tests.signals import PIPER_SENTENCES  # noqa: E402

EXAMPLES = ROOT / "examples" / "asr"
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
    speaker.verify(a, b)
    cold = time.perf_counter() - start
    rss_model = peak_rss_mb()
    pair = median_time(lambda: speaker.verify(a, b), runs)
    files = (speaker._example("jfk_1"), speaker._example("lj_1"))
    from_files = median_time(lambda: speaker.verify_clips(*files), runs)
    figure = median_time(lambda: speaker.learn_view(speaker.verify(a, b)), runs) - pair
    encoder = engine.ge2e_encoder()
    rows = [
        "| measurement | seconds | ratio |",
        "| --- | ---: | ---: |",
        f"| verify a pair of 5 s clips, cold (model load included) | {cold:.3f} | |",
        f"| verify a pair of 5 s clips, warm | {pair:.3f} | {pair / GOAL_S:.2f} × goal (0.5 s) |",
        f"| the /verify endpoint's work on two ~4 s wav files (decode included) "
        f"| {from_files:.3f} | {from_files / GOAL_S:.2f} × goal |",
        f"| then the learn-view figure (drawn after the answer, UI only) | {figure:.3f} | |",
    ]
    for seconds in (2.0, 5.0, 10.0):
        clip = cut(jfk, 0.0, seconds, f"jfk{seconds:g}")
        prep = median_time(lambda clip=clip: engine.prepare(clip), runs)
        speech = engine.prepare(clip).speech
        emb = median_time(lambda speech=speech: encoder.embed(speech), runs)
        rows.append(
            f"| one {seconds:g} s clip: VAD + levelling / GE2E embedding "
            f"| {prep:.3f} / {emb:.3f} | RTF {(prep + emb) / seconds:.4f} |"
        )
    # The GE2E encoder limits itself to one OpenMP thread; this row compares that with the
    # app-wide torch setting (every tab sets it to the core count) on the same clip.
    import torch

    speech = engine.prepare(cut(jfk, 0.0, 5.0, "jfk5")).speech
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


def calibration() -> list[str]:
    voices = {
        "jfk": [load_audio(EXAMPLES / "jfk.flac")],
        "lj": [load_audio(EXAMPLES / "lj050-0131.flac")],
        "piper": [speak(s) for s in PIPER_SENTENCES],
    }
    items = engine.calibration_items(voices)
    trials = engine.score_trials(items)
    scores = np.array([t.score for t in trials])
    same = np.array([t.same for t in trials])
    eer, best = engine.equal_error_rate(scores, same)
    threshold = engine.BACKENDS["ge2e"].threshold
    far = np.mean(scores[~same] >= threshold)
    frr = np.mean(scores[same] < threshold)
    return [
        "| GE2E calibration | value |",
        "| --- | ---: |",
        f"| speakers / clips (segments × 3 conditions) | 3 / {len(items)} |",
        f"| trials: same / different speaker | {same.sum()} / {(~same).sum()} |",
        f"| same-speaker scores: min / median | {scores[same].min():.3f} / "
        f"{np.median(scores[same]):.3f} |",
        f"| different-speaker scores: median / max | {np.median(scores[~same]):.3f} / "
        f"{scores[~same].max():.3f} |",
        f"| EER / threshold at the EER point | {eer:.1%} / {best:.3f} |",
        f"| shipped threshold: FAR / FRR | {threshold:.2f}: {far:.1%} / {frr:.1%} |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="warm runs per median (≥3)")
    args = parser.parse_args()
    runs = max(3, args.runs)
    header = (
        "## Speaker verification (GE2E, embedded)\n\n"
        f"{platform.processor() or platform.machine()}, "
        f"{len(os.sched_getaffinity(0))} cores, torch threads {engine.cpu_threads()}, "
        f"median of {runs} warm runs.\n"
    )
    text = "\n".join(
        [header, *speed(runs), "", *calibration(), "", "ECAPA and WavLM: not measured (offline)."]
    )
    publish("speaker", text)


if __name__ == "__main__":
    main()
