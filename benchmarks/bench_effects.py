"""Speed of the Effects tab: a 5-effect chain on 60 s of 44.1 kHz stereo, bare and via the API.

Run: .venv/bin/python benchmarks/bench_effects.py. Prints a Markdown table and writes it to
benchmarks/output/effects.md. Medians of warm runs, interleaved so shared load hits every
variant alike; "x real time" = audio duration / processing time.

Rows: the bare Pedalboard call (the floor), the pure function (validation, fresh boards,
NaN check, tail trim), the API call through gradio_client on a locally launched tab, and
a "transfer only" echo endpoint that takes the same file and hands it back (upload, then the
client's download of an equally large answer), so that API minus transfer is what the app
adds beyond moving the audio. Also: two concurrent pure calls (each builds its own
boards: a Pedalboard plugin instance holds a lock), the follow-up views (levels and plots),
and the neural effect.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report import free_port, peak_rss_mb, publish  # noqa: E402

from audiokit.audio import Audio, load_audio  # noqa: E402
from audiokit.tasks import effects as fx  # noqa: E402

RUNS = 5
DURATION_S = 60.0
TAIL_S = 2.0
CHAIN = [
    {"effect": "HighpassFilter", "params": {"cutoff_frequency_hz": 80}},
    {"effect": "Compressor", "params": {"threshold_db": -20, "ratio": 4}},
    {"effect": "Chorus", "params": {"mix": 0.3}},
    {"effect": "Delay", "params": {"delay_seconds": 0.25, "feedback": 0.3, "mix": 0.25}},
    {"effect": "Reverb", "params": {"room_size": 0.6, "wet_level": 0.25}},
]


def interleaved(variants: dict, runs: int = RUNS) -> dict[str, float]:
    """Median seconds per variant; one warm-up each, then the variants take turns."""
    for fn in variants.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, fn in variants.items():
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(ts) for name, ts in times.items()}


def launch_apps():
    """The Effects tab and a transfer-only echo app, each on its own local port."""
    import gradio as gr

    from demos import effects as demo

    tab = demo.build().queue(default_concurrency_limit=1)
    tab.launch(server_port=free_port(), prevent_thread_lock=True, quiet=True)
    with gr.Blocks() as echo:
        inp, out = gr.Audio(type="filepath"), gr.Audio(type="filepath")
        gr.Button().click(lambda path: path, inp, out, api_name="echo")
    echo.queue(default_concurrency_limit=1)
    echo.launch(server_port=free_port(), prevent_thread_lock=True, quiet=True)
    return tab, echo


def main() -> None:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import pedalboard as pb
    from gradio_client import Client, handle_file

    from audiokit import ui
    from demos import effects as demo

    loop = load_audio(fx.EXAMPLES / "pluck_loop.flac")
    reps = int(np.ceil(DURATION_S / loop.duration_s))
    samples = np.tile(loop.samples, (1, reps))[:, : int(DURATION_S * loop.sample_rate)]
    clip = Audio(np.ascontiguousarray(samples), loop.sample_rate, "bench")
    rate = clip.sample_rate
    path = Path(tempfile.mkdtemp()) / "bench.wav"
    sf.write(path, clip.samples.T, rate, subtype="PCM_16")
    clip = load_audio(path)  # exactly what the API decodes
    chain_json = json.dumps(CHAIN)
    steps = fx.parse_chain(CHAIN)

    def bare() -> None:
        board = pb.Pedalboard([fx.make_plugin(s) for s in steps])
        board(np.pad(clip.samples, ((0, 0), (0, round(TAIL_S * rate)))), rate)

    def pure() -> None:
        fx.run(clip, chain=CHAIN, tail_s=TAIL_S)

    def concurrent() -> None:
        threads = [threading.Thread(target=pure) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    rss_before = peak_rss_mb()
    tab, echo = launch_apps()
    api = Client(tab.local_url, verbose=False)
    transfer = Client(echo.local_url, verbose=False)

    def via_api() -> None:
        api.predict(handle_file(str(path)), chain_json, TAIL_S, api_name="/apply_effects")

    def transfer_only() -> None:
        transfer.predict(handle_file(str(path)), api_name="/echo")

    t = interleaved(
        {
            "bare": bare,
            "pure": pure,
            "api": via_api,
            "transfer": transfer_only,
            "concurrent": concurrent,
        }
    )
    result = fx.run(clip, chain=CHAIN, tail_s=TAIL_S)
    session = SimpleNamespace(session_hash="bench")
    ui.hold(demo.HELD, result, session)
    views = interleaved({"views": lambda: demo.effects_views("wav", session)}, runs=3)["views"]

    ten_s = Audio(np.ascontiguousarray(clip.samples[:, : 10 * rate]), rate)
    neural = interleaved(
        {"tcn": lambda: fx.run(ten_s, chain=[{"effect": "NeuralTCN"}], tail_s=0)}, runs=3
    )["tcn"]
    from audiokit.tasks.effects.backends import nafx

    started = time.perf_counter()
    nafx.steer(nafx.TCNConfig(), target="compressor", sample_rate=rate, steps=100)
    steer_s = time.perf_counter() - started
    tab.close()
    echo.close()

    def xrt(seconds: float, audio_s: float = DURATION_S) -> str:
        return f"{audio_s / seconds:,.0f}×"

    overhead = t["api"] - t["transfer"]
    rows = [
        ("Bare Pedalboard call (5 effects)", t["bare"], xrt(t["bare"]), "1.00"),
        ("Pure function `run`", t["pure"], xrt(t["pure"]), f"{t['pure'] / t['bare']:.2f}"),
        ("API `/apply_effects` (gradio_client)", t["api"], xrt(t["api"]), ""),
        ("  transfer only (echo endpoint: same file up and back)", t["transfer"], "", ""),
        ("  API minus transfer", overhead, xrt(overhead), f"{overhead / t['bare']:.2f}"),
        ("2 concurrent pure calls (own boards)", t["concurrent"], xrt(t["concurrent"], 120), ""),
        ("Views after the call (levels, 4 plots, wav)", views, xrt(views), ""),
        ("NeuralTCN defaults, 10 s stereo", neural, xrt(neural, 10.0), ""),
        ("Steering, 100 Adam steps (compressor)", steer_s, "", ""),
    ]
    lines = [
        f"Effects benchmark: 5-effect chain ({', '.join(s['effect'] for s in CHAIN)}) on "
        f"{DURATION_S:.0f} s of {rate} Hz stereo, tail {TAIL_S:g} s; medians of {RUNS} warm "
        f"runs (views and neural: 3; steering: 1). {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, pedalboard {pb.__version__}.",
        "",
        "| step | median s | x real time | ratio to bare call |",
        "|---|---:|---:|---:|",
        *(f"| {name} | {s:.3f} | {x} | {r} |" for name, s, x, r in rows),
        "",
        f"Peak RSS: {rss_before:.0f} MB before the servers, {peak_rss_mb():.0f} MB at the end. "
        f"Goal: ≥ 200× real time, API minus transfer within 1.2× the bare call "
        f"(measured {overhead / t['bare']:.2f}×).",
    ]
    table = "\n".join(lines)
    publish("effects", table)


if __name__ == "__main__":
    main()
