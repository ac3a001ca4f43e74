"""Load and soak: N concurrent clients over every tab, with bursts, cancels and disconnects.

Run: .venv/bin/python benchmarks/bench_load.py [--clients 4] [--rounds 6] [--max-seconds 300]
     [--idle-s 40]. Localhost only and bounded in count and time: it launches ``app.py`` on a
free local port, with a fresh TMPDIR so that every temp file the server makes (Gradio's cache,
the app's downloads) is counted, and stops it at the end.

Each client, per round, runs one request of each kind in a shuffled order through the raw
queue API (upload, join, event stream, then downloads every output file and checks it is
complete: Content-Length, and a sound file that decodes). Every third round a client cancels
one request right after it starts and abandons (disconnects from) another. Each round starts
with a burst of quick requests from all clients at once. Reports requests, failures (must be
0), requests refused as busy (the queue cap's sentence), truncated downloads (must be 0),
p50/p95 per endpoint, and the server's RSS and temp folder before, after, after idling, and
after shutdown. Prints a Markdown table and writes benchmarks/output/load.md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import free_port, publish  # noqa: E402

JFK = ROOT / "examples" / "asr" / "jfk.flac"
LJ = ROOT / "examples" / "asr" / "lj050-0131.flac"
CHAIN = json.dumps(
    [
        {"effect": "HighpassFilter", "params": {"cutoff_frequency_hz": 300}},
        {"effect": "Compressor", "params": {"threshold_db": -20}},
        {"effect": "Reverb", "params": {"room_size": 0.3}},
    ]
)


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    times: dict[str, list[float]] = field(default_factory=dict)
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    busy: int = 0
    cancelled: int = 0
    disconnected: int = 0
    downloads: int = 0
    truncated: int = 0
    truncated_where: list[str] = field(default_factory=list)

    def add(self, name: str, seconds: float) -> None:
        with self.lock:
            self.times.setdefault(name, []).append(seconds)


class App:
    """The launched server and what the load needs of its config."""

    def __init__(self, port: int, tmpdir: Path, env: dict[str, str], log_path: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.tmpdir = tmpdir
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=ROOT,
            env={**os.environ, **env, "TMPDIR": str(tmpdir), "GRADIO_SERVER_PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 180
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError("app.py did not start")
            time.sleep(0.5)
        self.configs: dict[str, dict] = {}

    def config(self, mount: str) -> dict:
        if mount not in self.configs:
            self.configs[mount] = httpx.get(f"{self.url}{mount}/config", timeout=30).json()
        return self.configs[mount]

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> float:
        """SIGTERM, as a host stops a Space; returns the seconds until the process ended."""
        start = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return float("inf")
        return time.monotonic() - start


def folder_size(folder: Path) -> tuple[int, float]:
    """(files, MB) under ``folder``."""
    files, size = 0, 0
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            try:
                size += os.lstat(os.path.join(dirpath, name)).st_size
                files += 1
            except OSError:
                pass
    return files, size / 1e6


def upload(app: App, mount: str, path: Path) -> dict:
    with path.open("rb") as f:
        r = httpx.post(
            f"{app.url}{mount}/gradio_api/upload", files={"files": (path.name, f)}, timeout=60
        )
    r.raise_for_status()
    return {"path": r.json()[0], "orig_name": path.name, "meta": {"_type": "gradio.FileData"}}


def request_data(app: App, mount: str, api_name: str, values: dict[int, object]):
    config = app.config(mount)
    dep = next(d for d in config["dependencies"] if d.get("api_name") == api_name)
    components = {c["id"]: c for c in config["components"]}
    data = [components[i].get("props", {}).get("value") for i in dep["inputs"]]
    for i, v in values.items():
        data[i] = v
    return dep["id"], data


def check_downloads(app: App, output: object, stats: Stats, name: str) -> None:
    """Fetch every file in an answer; count those shorter than promised or undecodable."""
    stack = [output]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("url"), str) and item.get("path"):
                url = item["url"] if item["url"].startswith("http") else app.url + item["url"]
                r = httpx.get(url, timeout=60)
                ok = r.status_code == 200
                expected = r.headers.get("content-length")
                # Bytes on the wire (a compressed answer decodes to more than it announced).
                if ok and expected is not None and int(expected) != r.num_bytes_downloaded:
                    ok = False
                if ok and Path(item["path"]).suffix == ".json":
                    try:
                        json.loads(r.content)
                    except ValueError:
                        ok = False
                if ok and Path(item["path"]).suffix in (".wav", ".flac"):
                    try:
                        sf.read(io.BytesIO(r.content))
                    except Exception:  # noqa: BLE001 - any decode failure is a bad download
                        ok = False
                with stats.lock:
                    stats.downloads += 1
                    if not ok:
                        stats.truncated += 1
                        stats.truncated_where.append(f"{name}: {Path(item['path']).name}")
            else:
                stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def run(app: App, stats: Stats, name: str, mount: str, api_name: str, values, *, mode="full"):
    """One request through the raw queue API; mode 'cancel' or 'disconnect' leaves early."""
    fn_index, data = request_data(app, mount, api_name, values)
    session = uuid.uuid4().hex
    base = f"{app.url}{mount}/gradio_api"
    start = time.monotonic()
    body = {"data": data, "fn_index": fn_index, "session_hash": session}
    r = httpx.post(f"{base}/queue/join", json=body, timeout=60)
    with stats.lock:
        stats.requests += 1
    if r.status_code == 503:
        with stats.lock:
            stats.busy += 1
        return
    if r.status_code != 200:
        with stats.lock:
            stats.failures.append(f"{name}: join {r.status_code} {r.text[:200]}")
        return
    event_id = r.json()["event_id"]
    with (
        httpx.Client(timeout=600) as http,
        http.stream("GET", f"{base}/queue/data", params={"session_hash": session}) as s,
    ):
        for line in s.iter_lines():
            if not line.startswith("data:"):
                continue
            msg = json.loads(line[5:])
            if mode == "cancel" and msg.get("msg") == "process_starts":
                cancel = {"session_hash": session, "fn_index": fn_index, "event_id": event_id}
                httpx.post(f"{base}/cancel", json=cancel, timeout=120)
                with stats.lock:
                    stats.cancelled += 1
                return
            if mode == "disconnect" and msg.get("msg") == "process_starts":
                with stats.lock:
                    stats.disconnected += 1
                return  # closing the stream is the disconnect
            if msg.get("event_id") == event_id and msg.get("msg") == "process_completed":
                if not msg.get("success"):
                    error = (msg.get("output") or {}).get("error")
                    with stats.lock:
                        stats.failures.append(f"{name}: {error}")
                    return
                stats.add(name, time.monotonic() - start)
                check_downloads(app, msg.get("output"), stats, name)
                return
    with stats.lock:
        stats.failures.append(f"{name}: stream ended without an answer")


CLIPS: dict[str, Path] = {"jfk": JFK, "lj": LJ}


def trim_clips(folder: Path, seconds: float) -> None:
    """Use the first ``seconds`` of each speech example (a lighter load on a small machine)."""
    for key, path in list(CLIPS.items()):
        data, rate = sf.read(path)
        out = folder / f"{path.stem}-{seconds:g}s.wav"
        sf.write(out, data[: int(seconds * rate)], rate)
        CLIPS[key] = out


def workload(app: App) -> list[tuple[str, str, str, dict]]:
    """(name, mount, api_name, values) for every tab; uploads are made per request."""
    JFK, LJ = CLIPS["jfk"], CLIPS["lj"]
    return [
        ("transcribe", "", "transcribe", {0: JFK}),
        ("synthesize", "/tts", "synthesize", {0: "The study group meets on Thursday at six."}),
        ("apply_effects", "", "apply_effects", {0: JFK, 1: CHAIN}),
        ("separate hpss", "/separation", "separate", {0: LJ, 1: "hpss"}),
        ("separate denoise", "", "separate", {0: JFK, 1: "denoise"}),
        ("verify", "/speaker", "verify", {0: JFK, 1: LJ}),
        ("effects_preset", "/effects", "effects_preset", {0: "telephone"}),
        ("community_cards", "", "community_cards", {0: "", 1: "all"}),
    ]


def with_uploads(app: App, mount: str, values: dict) -> dict:
    return {i: upload(app, mount, v) if isinstance(v, Path) else v for i, v in values.items()}


def client_loop(
    app: App, stats: Stats, seed: int, rounds: int, deadline: float, barrier, cancel_every: int
):
    rng = random.Random(seed)
    for rnd in range(rounds):
        if time.monotonic() > deadline:
            return
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=120)  # the burst: every client at once
        run(app, stats, "effects_preset", "/effects", "effects_preset", {0: "radio"})
        jobs = workload(app)
        rng.shuffle(jobs)
        for k, (name, mount, api_name, values) in enumerate(jobs):
            if time.monotonic() > deadline:
                return
            mode = "full"
            if rnd % cancel_every == cancel_every - 1 and k == 0:
                mode = "cancel"
            elif rnd % cancel_every == cancel_every - 1 and k == 1:
                mode = "disconnect"
            try:
                run(app, stats, name, mount, api_name, with_uploads(app, mount, values), mode=mode)
            except httpx.HTTPError as exc:
                with stats.lock:
                    stats.failures.append(f"{name}: {type(exc).__name__}")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--max-seconds", type=float, default=300.0)
    parser.add_argument("--idle-s", type=float, default=90.0)
    # Older uploads and outputs are deleted: longer than any request waits and runs here.
    parser.add_argument("--cache-age-s", type=int, default=60)
    parser.add_argument("--name", default="load")
    parser.add_argument("--cancel-every", type=int, default=3, help="rounds per cancel")
    parser.add_argument("--clip-s", type=float, default=0, help="trim the speech clips")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    tmpdir = work / "tmp"
    tmpdir.mkdir()
    if args.clip_s:
        trim_clips(work, args.clip_s)
    env = {
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "AUDIOSTUDY_CACHE_MAX_AGE_S": str(args.cache_age_s),
        "AUDIOSTUDY_CACHE_CLEAN_EVERY_S": str(max(1, args.cache_age_s // 4)),
    }
    env.pop("GRADIO_TEMP_DIR", None)
    os.environ.pop("GRADIO_TEMP_DIR", None)
    from report import OUTPUT

    app = App(free_port(), tmpdir, env, OUTPUT / f"{args.name}-server.log")
    stats = Stats()
    try:
        # Warm every model once, so "before" is the loaded app, not the bare one.
        for name, mount, api_name, values in workload(app):
            run(app, Stats(), name, mount, api_name, with_uploads(app, mount, values))
        rss_before, tmp_before = app.rss_mb(), folder_size(tmpdir)
        deadline = time.monotonic() + args.max_seconds
        barrier = threading.Barrier(args.clients)
        threads = [
            threading.Thread(
                target=client_loop,
                args=(app, stats, seed, args.rounds, deadline, barrier, args.cancel_every),
            )
            for seed in range(args.clients)
        ]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - start
        rss_after, tmp_after = app.rss_mb(), folder_size(tmpdir)
        time.sleep(args.idle_s)
        rss_idle, tmp_idle = app.rss_mb(), folder_size(tmpdir)
        alive = httpx.get(app.url, timeout=10).status_code == 200
    finally:
        stop_s = app.stop()
    tmp_gone = folder_size(tmpdir)
    left = sorted(str(p.relative_to(tmpdir)) for p in tmpdir.rglob("*"))
    shutil.rmtree(work, ignore_errors=True)

    rows = [
        "| endpoint | n | p50 s | p95 s |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, times in sorted(stats.times.items()):
        rows.append(
            f"| {name} | {len(times)} | {statistics.median(times):.2f} | {pct(times, 0.95):.2f} |"
        )
    summary = [
        "| measure | value |",
        "| --- | --- |",
        f"| clients × rounds (wall) | {args.clients} × {args.rounds} ({wall:.0f} s) |",
        f"| requests | {stats.requests} |",
        f"| failures | {len(stats.failures)} |",
        f"| refused as busy (queue cap) | {stats.busy} |",
        f"| cancelled / disconnected | {stats.cancelled} / {stats.disconnected} |",
        f"| downloads / truncated | {stats.downloads} / {stats.truncated} |",
        f"| server RSS before / after / after {args.idle_s:.0f} s idle (MB) | "
        f"{rss_before:.0f} / {rss_after:.0f} / {rss_idle:.0f} |",
        f"| temp files before / after / idle / after shutdown | "
        f"{tmp_before[0]} / {tmp_after[0]} / {tmp_idle[0]} / {tmp_gone[0]} |",
        f"| temp MB before / after / idle / after shutdown | "
        f"{tmp_before[1]:.1f} / {tmp_after[1]:.1f} / {tmp_idle[1]:.1f} / {tmp_gone[1]:.1f} |",
        f"| answers after the load; SIGTERM to exit | {alive}; {stop_s:.1f} s |",
    ]
    table = "\n".join(summary) + "\n\n" + "\n".join(rows)
    publish(args.name, table)
    for failure in stats.failures[:20]:
        print("FAILURE", failure)
    for where in stats.truncated_where[:20]:
        print("TRUNCATED", where)
    return {
        "requests": stats.requests,
        "failures": stats.failures,
        "busy": stats.busy,
        "cancelled": stats.cancelled,
        "disconnected": stats.disconnected,
        "downloads": stats.downloads,
        "truncated": stats.truncated,
        "truncated_where": stats.truncated_where,
        "rss": (rss_before, rss_after, rss_idle),
        "tmp": (tmp_before, tmp_after, tmp_idle, tmp_gone),
        "alive": alive,
        "left_after_shutdown": left,
        "stop_s": stop_s,
        "times": stats.times,
    }


if __name__ == "__main__":
    main()
