"""What the app's API adds over its core, for every main endpoint, in one run (issue 12).

Run: .venv/bin/python benchmarks/bench_api_ratio.py [--runs N] [--quick]. Prints a Markdown
table and writes it to benchmarks/output/api_ratio.md (and the figures to api_ratio.json for
benchmarks/report.py).

For /transcribe, /synthesize, /apply_effects, /separate and /verify, on a short input (3–10 s
of audio or one sentence) and a long one (about 60 s, or a paragraph): the time of the call
through gradio_client against the launched app (``python app.py`` on a free local port, its
background warm-up off: the warm-up calls here load the models) and the time of the core call
on the same input file, in the same process as this script. The core side decodes the file too
(the API has to), so the ratio is what the app adds on top: upload, queue, event stream, the
handler's checks and conversions, writing the answer's files.

The main client shares one TLS context between its requests (``ssl_verify=<SSLContext>``):
gradio_client as shipped builds a new ``httpx.Client``, and with it a new TLS context that
loads the system's certificate bundle, for each upload, join and stream, even over plain
http; profiled here that is about 0.1 s of the client's CPU per call, which is not the app's.
A second column times the client as shipped. Neither fetches the answer's files
(``download_files=False``); a third column fetches them, as a browser would play them. One
warm-up call of every path (the server loads its models on its first request), then N rounds
(default 3) in turn, so a change in the machine's load hits every path alike; medians with
(min–max).

Goal (issue 12): API ÷ core ≤ 1.3× on short inputs, ≤ 1.05× on long ones.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import ssl
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from report import launch_app, publish, save_json, spread, stop_app  # noqa: E402

from audiokit.audio import Audio, load_audio, write_audio  # noqa: E402

EXAMPLES = ROOT / "examples"
CHAIN = [
    {"effect": "HighpassFilter", "params": {"cutoff_frequency_hz": 80}},
    {"effect": "Compressor", "params": {"threshold_db": -18, "ratio": 3}},
    {"effect": "Reverb", "params": {"room_size": 0.4, "wet_level": 0.2}},
    {"effect": "Gain", "params": {"gain_db": 2}},
]
TAIL_S = 2.0
SENTENCE = "The quick brown fox jumps over the lazy dog."
PARAGRAPH = (EXAMPLES / "tts" / "lecture.txt").read_text(encoding="utf-8").strip()


# The core call of each endpoint, on one decoded input: the task's run() with the same
# settings the API call uses.
def _transcribe(audio: Audio) -> object:
    from audiokit.tasks import asr

    return asr.run(audio)


def _synthesize(text: str) -> object:
    from audiokit.tasks import tts

    return tts.run(text)


def _apply_effects(audio: Audio) -> object:
    from audiokit.tasks import effects

    return effects.run(audio, chain=json.dumps(CHAIN), tail_s=TAIL_S)


def _separate(audio: Audio) -> object:
    from audiokit.tasks import separation

    return separation.run(audio, method="denoise")


def _verify(pair: tuple[Audio, Audio]) -> object:
    from audiokit.tasks import speaker

    return speaker.run(*pair)


CORE: dict[str, Callable] = {
    "/transcribe": _transcribe,
    "/synthesize": _synthesize,
    "/apply_effects": _apply_effects,
    "/separate": _separate,
    "/verify": _verify,
}


def tiled(path: Path, seconds: float, folder: Path, name: str) -> Path:
    """``path`` repeated to ``seconds``, written as wav into ``folder``."""
    clip = load_audio(path)
    frames = int(seconds * clip.sample_rate)
    samples = np.resize(clip.samples, (clip.channels, frames)).astype(np.float32)
    return write_audio(Audio(samples, clip.sample_rate, name), folder / f"{name}.wav")


def spliced(paths: list[Path], seconds: float, folder: Path, name: str) -> Path:
    """Whole clips in turn, 0.5 s of silence after each, until ``seconds`` (16 kHz wav).

    For speech recognition: ``tiled`` cuts a clip mid-word where it repeats, and Whisper meets
    each cut with its temperature fallback, decoding those windows again (10-19 s for 60 s
    here, and the app renews the model's workers after every such run): a recording nobody
    makes, timing the fallback rather than the app. Clips joined at pauses give one text in
    3.4-4.4 s on every call (5 calls checked).
    """
    clips = [load_audio(p).for_model(16000) for p in paths]
    gap = np.zeros(8000, dtype=np.float32)
    parts: list[np.ndarray] = []
    frames = 0
    while frames < seconds * 16000:
        clip = np.asarray(clips[len(parts) // 2 % len(clips)], dtype=np.float32).reshape(-1)
        parts += [clip, gap]
        frames += clip.size + gap.size
    return write_audio(Audio(np.concatenate(parts)[None], 16000, name), folder / f"{name}.wav")


def inputs(folder: Path, long_s: float) -> dict[tuple[str, str], tuple[str, object]]:
    """(endpoint, size) -> (description, file path(s) or text)."""
    lj = EXAMPLES / "asr" / "lj050-0131.flac"
    jfk = EXAMPLES / "asr" / "jfk.flac"
    speech_long = spliced([jfk, lj], long_s, folder, "speech_long")
    pluck = EXAMPLES / "effects" / "pluck_loop.flac"
    noisy = EXAMPLES / "separation" / "noisy_speech.wav"
    a, b = EXAMPLES / "speaker" / "jfk_1.wav", EXAMPLES / "speaker" / "jfk_2.wav"
    return {
        ("/transcribe", "short"): ("LJ Speech, 7.7 s", lj),
        ("/transcribe", "long"): (
            f"jfk and LJ Speech in turn, {load_audio(speech_long).duration_s:.0f} s",
            speech_long,
        ),
        ("/synthesize", "short"): ("one sentence", SENTENCE),
        ("/synthesize", "long"): (f"lecture.txt ({len(PARAGRAPH)} characters)", PARAGRAPH),
        ("/apply_effects", "short"): ("8 s, 44.1 kHz stereo", pluck),
        ("/apply_effects", "long"): (
            f"{long_s:.0f} s, 44.1 kHz stereo",
            tiled(pluck, long_s, folder, "pluck_long"),
        ),
        ("/separate", "short"): ("noisy speech, 11 s, denoise", noisy),
        ("/separate", "long"): (
            f"noisy speech tiled to {long_s:.0f} s",
            tiled(noisy, long_s, folder, "noisy_long"),
        ),
        ("/verify", "short"): ("two 3.9 s clips", (a, b)),
        ("/verify", "long"): (
            f"two {long_s:.0f} s clips",
            (tiled(a, long_s, folder, "a_long"), tiled(b, long_s, folder, "b_long")),
        ),
    }


def core_call(endpoint: str, value: object) -> Callable[[], object]:
    """The core on the same input as the API gets, decoding the file(s) as the app does."""
    fn = CORE[endpoint]
    if endpoint == "/synthesize":
        return lambda: fn(value)
    if endpoint == "/verify":
        return lambda: fn(tuple(load_audio(p) for p in value))
    return lambda: fn(load_audio(value))


def api_call(client, endpoint: str, value: object) -> Callable[[], object]:
    from gradio_client import handle_file

    if endpoint == "/synthesize":
        return lambda: client.predict(value, api_name=endpoint)
    if endpoint == "/verify":
        a, b = (handle_file(str(p)) for p in value)
        return lambda: client.predict(a, b, api_name=endpoint)
    if endpoint == "/apply_effects":
        chain = json.dumps(CHAIN)
        return lambda: client.predict(handle_file(str(value)), chain, TAIL_S, api_name=endpoint)
    return lambda: client.predict(handle_file(str(value)), api_name=endpoint)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed rounds per figure (≥ 3)")
    parser.add_argument("--quick", action="store_true", help="1 round, 20 s 'long' inputs")
    parser.add_argument("--long-s", type=float, default=60.0)
    args = parser.parse_args()
    runs = 1 if args.quick else max(3, args.runs)
    long_s = 20.0 if args.quick else args.long_s
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from gradio_client import Client

    work = Path(tempfile.mkdtemp(prefix="bench-api-"))
    (work / "server").mkdir()
    cases = inputs(work, long_s)
    proc, url = launch_app(extra_env={"TMPDIR": str(work / "server"), "AUDIOSTUDY_WARMUP": "0"})
    results = []
    try:
        tls = ssl.create_default_context()  # one for all requests (see the docstring)
        answer = Client(url, verbose=False, download_files=False, ssl_verify=tls)
        shipped = Client(url, verbose=False, download_files=False)
        downloads = str(work / "downloads")
        fetching = Client(url, verbose=False, download_files=downloads, ssl_verify=tls)
        for (endpoint, size), (label, value) in cases.items():
            paths = {
                "core": core_call(endpoint, value),
                "api": api_call(answer, endpoint, value),
                "api_shipped": api_call(shipped, endpoint, value),
            }
            if not args.quick:
                paths["api_files"] = api_call(fetching, endpoint, value)
            for fn in paths.values():
                fn()  # warm-up: the server loads its model on its first request
            times: dict[str, list[float]] = {name: [] for name in paths}
            for _ in range(runs):
                for name, fn in paths.items():
                    started = time.perf_counter()
                    fn()
                    times[name].append(time.perf_counter() - started)
            print(f"{endpoint} {size}: done", file=sys.stderr, flush=True)
            results.append((endpoint, size, label, times))
        for client in (answer, shipped, fetching):
            client.close()
    finally:
        stop_app(proc)
        shutil.rmtree(work, ignore_errors=True)

    lines = [
        f"API via gradio_client ÷ core call, same input, one run · {len(os.sched_getaffinity(0))} "
        f"cores · median of {runs} warm rounds (min–max), paths interleaved. Goal: ≤ 1.3× "
        "short, ≤ 1.05× long.",
        "",
        "| endpoint | input | core | API (answer) | API ÷ core | gradio_client as shipped "
        "| ÷ core | API + fetching files | ÷ core |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    rows = []
    for endpoint, size, label, times in results:
        core = statistics.median(times["core"])
        api = statistics.median(times["api"])
        goal = 1.3 if size == "short" else 1.05
        r = api / core
        mark = "" if r <= goal else " (over goal)"
        files = (
            f"{spread(times['api_files'], unit='s')} | "
            f"{statistics.median(times['api_files']) / core:.2f}×"
            if "api_files" in times
            else "– | –"
        )
        shipped_s = statistics.median(times["api_shipped"])
        lines.append(
            f"| `{endpoint}` | {size}: {label} | {spread(times['core'], unit='s')} | "
            f"{spread(times['api'], unit='s')} | **{r:.2f}×**{mark} | "
            f"{spread(times['api_shipped'], unit='s')} | {shipped_s / core:.2f}× | {files} |"
        )
        rows.append(
            {
                "endpoint": endpoint,
                "size": size,
                "input": label,
                "core_s": core,
                "api_s": api,
                "ratio": r,
                "api_shipped_s": shipped_s,
            }
        )
    added_ms = sorted(
        1000 * (row["api_s"] - row["core_s"]) for row in rows if row["size"] == "short"
    )
    added = (
        f"{added_ms[0]:+.0f} to {added_ms[-1]:+.0f} ms (median API minus median core) on the "
        "short inputs of this run"
        if added_ms
        else "not measured in this run"
    )
    lines += [
        "",
        "Core: decoding the file and the core function, in this process (for /synthesize: the "
        "text to a Synthesis). API (answer): the client's call until the answer arrives, its "
        "files left on the server, the client sharing one TLS context between requests. "
        "gradio_client as shipped: the same call with the client's default, a new TLS context "
        "(the certificate bundle loaded again) for every HTTP request it makes. API + fetching "
        "files: the client also downloads every output file. The difference between API and "
        "core is what the app adds per request: three HTTP requests (upload, join, event "
        "stream), the input checks, Gradio's queue and file handling, and writing the answer's "
        f"files (which grows with the output): {added}. A fixed cost like that is a large "
        "share of a core that takes tens of milliseconds and a small one of a long input. "
        "A ratio below 1 means the two paths differ by less than their run-to-run spread "
        "(the min–max columns), not that the API is faster than the work it wraps.",
    ]
    publish("api_ratio", "\n".join(lines))
    save_json("api_ratio", {"runs": runs, "rows": rows})


if __name__ == "__main__":
    main()
