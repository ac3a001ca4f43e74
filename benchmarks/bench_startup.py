"""Start-up and first requests: ``import gradio`` against "app ready", and each tab's first
request with and without the background warm-up.

Run: .venv/bin/python benchmarks/bench_startup.py [--runs 3] [--skip-start-up]
     [--skip-first-requests]
     [--app app.py] (another entry point in the repository root, e.g. an older app.py, to
     compare).

Part 1, in one run, alternating so both see the same machine load: the wall and CPU time of
``python -c "import gradio"`` from process start to the import done and of ``python app.py``
from process start to the first 200 on ``/`` (polled every 50 ms). Goal (issue 17): ready
within 1.5x the import. The server's RSS when ready is noted too.

Part 2: a fresh server per mode and run; once it is ready, the warm-up mode waits until the
server logs "Warm-up: finished", the other mode waits 2 s; then one request per tab, in tab
order, through gradio_client (client set-up not timed). Later tabs share libraries the
earlier ones imported, as in a real session; each tab's model is loaded by its own first
request only. Localhost only; every server is stopped at the end.

Prints Markdown tables (medians with min-max) and writes benchmarks/output/startup.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import free_port, publish  # noqa: E402

PY = sys.executable
JFK = ROOT / "examples" / "asr" / "jfk.flac"
LJ = ROOT / "examples" / "asr" / "lj050-0131.flac"
TEXT = "The study group meets on Thursday to read about speech recognition."
GOAL_RATIO = 1.5
APP = "app.py"


def _first_requests():
    from gradio_client import handle_file

    return [
        ("asr", "/transcribe", (handle_file(str(JFK)),)),
        ("tts", "/synthesize", (TEXT,)),
        ("effects", "/apply_effects", (handle_file(str(JFK)),)),
        ("separation", "/separate", (handle_file(str(LJ)),)),
        ("speaker", "/verify", (handle_file(str(JFK)), handle_file(str(LJ)))),
        ("diarization", "/diarize", (handle_file(str(JFK)),)),
    ]


def _env(port: int, warm: bool, cache: str) -> dict[str, str]:
    return {
        **os.environ,
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_SERVER_PORT": str(port),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "AUDIOSTUDY_WARMUP": "1" if warm else "0",
        "GRADIO_TEMP_DIR": cache,
    }


class Server:
    """``python app.py`` on a free port; ``ready_s`` is process start to the first 200 on /."""

    def __init__(self, *, warm: bool) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.cache = tempfile.mkdtemp(prefix="bench-startup-")
        self.log = Path(self.cache) / "server.log"
        started = time.perf_counter()
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                [PY, APP],
                cwd=ROOT,
                env=_env(self.port, warm, self.cache),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 300
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app.py exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("app.py did not start within 300 s")
            time.sleep(0.05)
        self.ready_s = time.perf_counter() - started
        self.ready_cpu_s = self.cpu_s()

    def cpu_s(self) -> float:
        """CPU seconds the server used so far (user + system): robust to a loaded machine."""
        return _proc_cpu_s(self.proc.pid)

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def wait_for_log(self, text: str, timeout_s: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            if text in self.log.read_text(errors="replace"):
                return time.monotonic() - started
            time.sleep(0.2)
        raise RuntimeError(f"the server never logged {text!r}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        import shutil

        shutil.rmtree(self.cache, ignore_errors=True)


def _proc_cpu_s(pid: int) -> float:
    """CPU seconds process ``pid`` used so far (user + system, all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _import_gradio_s() -> tuple[float, float]:
    """Wall and CPU seconds from process start to ``import gradio`` done (not to the
    process's exit: the interpreter's shutdown is no part of a server's start)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [PY, "-c", "import gradio, sys; print('imported', flush=True); sys.stdin.read()"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "imported"
    wall = time.perf_counter() - started
    cpu = _proc_cpu_s(proc.pid)
    proc.communicate("")
    return wall, cpu


def _stat(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def start_up(runs: int) -> tuple[str, float]:
    imports, import_cpu, ready, ready_cpu, rss = [], [], [], [], []
    for _ in range(runs):
        wall, cpu = _import_gradio_s()
        imports.append(wall)
        import_cpu.append(cpu)
        server = Server(warm=True)
        ready.append(server.ready_s)
        ready_cpu.append(server.ready_cpu_s)
        rss.append(server.rss_mb())
        server.stop()
    ratio = statistics.median(ready) / statistics.median(imports)
    cpu_ratio = statistics.median(ready_cpu) / statistics.median(import_cpu)
    table = "\n".join(
        [
            f"### Start-up (median of {runs} runs, min-max; seconds)",
            "",
            "| measure | `import gradio` | app ready (first 200 on /) | ratio | goal |",
            "|---|---|---|---|---|",
            f"| wall clock | {_stat(imports)} | {_stat(ready)} | {ratio:.2f}x | <= {GOAL_RATIO}x |",
            f"| CPU time (user + system) | {_stat(import_cpu)} | {_stat(ready_cpu)} "
            f"| {cpu_ratio:.2f}x | |",
            "",
            f"Server RSS when ready: {statistics.median(rss):.0f} MB. The CPU-time ratio holds "
            "on a loaded machine, where wall clock times stretch unevenly.",
        ]
    )
    return table, ratio


def first_requests(runs: int) -> str:
    from gradio_client import Client

    times: dict[tuple[bool, str], list[float]] = {}
    warm_total: list[float] = []
    for _ in range(runs):
        for warm in (True, False):
            server = Server(warm=warm)
            try:
                if warm:
                    warm_total.append(server.wait_for_log("Warm-up: finished", 600))
                else:
                    time.sleep(2.0)
                # A busy machine answers a queue join in more than httpx's default 5 s.
                client = Client(server.url, verbose=False, httpx_kwargs={"timeout": 300})
                for tab, api_name, args in _first_requests():
                    started = time.perf_counter()
                    client.predict(*args, api_name=api_name)
                    times.setdefault((warm, tab), []).append(time.perf_counter() - started)
            finally:
                server.stop()
    rows = [
        f"### First request per tab (median of {runs} runs, min-max; seconds)",
        "",
        "| tab (endpoint) | no warm-up | after the warm-up | ratio |",
        "|---|---|---|---|",
    ]
    for tab, api_name, _ in _first_requests():
        cold, warmed = times[(False, tab)], times[(True, tab)]
        ratio = statistics.median(cold) / statistics.median(warmed)
        rows.append(f"| {tab} ({api_name}) | {_stat(cold)} | {_stat(warmed)} | {ratio:.1f}x |")
    rows += ["", f"Warm-up took {_stat(warm_total)} s after the server was up (one thread)."]
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-first-requests", action="store_true")
    parser.add_argument("--skip-start-up", action="store_true")
    parser.add_argument("--app", default="app.py", help="the entry point, relative to the root")
    args = parser.parse_args()
    global APP
    APP = args.app
    load = os.getloadavg()
    machine = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average before: "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    parts = [f"Machine: {machine}; entry point: {APP}", ""]
    if not args.skip_start_up:
        parts.append(start_up(args.runs)[0])
    if not args.skip_first_requests:
        parts += ["", first_requests(args.runs)]
    publish("startup", "\n".join(parts))


if __name__ == "__main__":
    main()
