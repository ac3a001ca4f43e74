"""One benchmark report: runs every ``benchmarks/bench_*.py`` and writes ``benchmarks/REPORT.md``.

Run: ``.venv/bin/python benchmarks/report.py [--quick] [--only NAME ...]`` (``make bench``).

Each benchmark runs as it is, in its own process, one after the other; its printed tables go
into the report verbatim, one section each, with its wall time and the load average before and
after it (the machine may be shared: a load average above the core count means the absolute
times overstate a quiet machine's, while the ratios measured side by side in one run hold). The
report starts with the machine, the start-up of the app against ``import gradio`` and a key
table drawn from the API ÷ core and peer benchmarks. ``--quick`` runs every benchmark with its
smallest settings (a smoke run of a few minutes, not figures to quote).

The small helpers at the top (peak memory, a free port, publishing a table, timing with a
median and its spread) are shared by the benchmarks, which import this module.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUTPUT = HERE / "output"
REPORT = HERE / "REPORT.md"


# ------------------------------------------------------------------ helpers the benchmarks share
def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def free_port() -> int:
    """A port nothing listens on now, on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def publish(name: str, table: str) -> None:
    """Print the table and keep it in ``benchmarks/output/<name>.md``."""
    print(table)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"{name}.md").write_text(table + "\n", encoding="utf-8")


def save_json(name: str, data: dict) -> None:
    """Keep figures in ``benchmarks/output/<name>.json`` for the report's key table."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"{name}.json").write_text(json.dumps(data, indent=1), encoding="utf-8")


def launch_app(
    *, extra_env: dict[str, str] | None = None, timeout_s: float = 180
) -> tuple[subprocess.Popen, str]:
    """``python app.py`` on a free local port, offline, as users start it; returns the process
    and its URL once ``/`` answers 200."""
    import httpx

    port = free_port()
    env = {
        **os.environ,
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_SERVER_PORT": str(port),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        **(extra_env or {}),
    }
    proc = subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"app.py did not answer within {timeout_s:.0f} s")


def stop_app(proc: subprocess.Popen) -> None:
    """Stop a launched app the way a user does (SIGTERM), killing it if it hangs."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def timings(fn: Callable[[], object], runs: int, *, warmup: int = 1) -> list[float]:
    """Seconds of ``runs`` calls of ``fn`` after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def spread(values: list[float], *, scale: float = 1.0, digits: int = 3, unit: str = "") -> str:
    """``median (min–max)`` of ``values`` times ``scale``, e.g. ``0.120 s (0.118–0.131)``."""
    v = [x * scale for x in values]
    u = f" {unit}" if unit else ""
    return f"{statistics.median(v):.{digits}f}{u} ({min(v):.{digits}f}–{max(v):.{digits}f})"


# ----------------------------------------------------------------------------------- the runner
# (name, arguments for the full run, arguments for --quick, time limit in seconds). The full
# settings keep the whole run within about 40 minutes on 2 cores (28-36 minutes measured); each
# benchmark's own defaults (more seeds, a longer soak) remain for runs of one benchmark alone.
# The API ÷ core ratios take 5 rounds: their medians must hold against a shared machine's
# bursts, which a core call of seconds meets at random.
PLAN: tuple[tuple[str, list[str], list[str], int], ...] = (
    ("api_ratio", ["--runs", "5"], ["--quick"], 1500),
    ("peers", ["--runs", "3"], ["--quick"], 900),
    ("asr", ["--runs", "3"], ["--runs", "1", "--ladder-only"], 1500),
    ("tts", [], ["--api-only"], 600),
    ("effects", [], [], 600),
    ("separation", [], ["--denoisers"], 900),
    ("speaker", ["--runs", "3"], ["--runs", "1"], 900),
    ("diarization", ["--seeds", "1", "--long-minutes", "3"],
     ["--seeds", "1", "--long-minutes", "1"], 900),
    ("startup", [], ["--skip-first-requests"], 1500),
    ("load", ["--clients", "4", "--rounds", "3", "--max-seconds", "150", "--idle-s", "20"],
     ["--clients", "2", "--rounds", "1", "--max-seconds", "60", "--idle-s", "5"], 600),
)  # fmt: skip


def plan() -> list[tuple[str, list[str], list[str], int]]:
    """PLAN, then every other ``bench_*.py`` found, with its own defaults: every benchmark runs."""
    known = {p[0] for p in PLAN}
    found = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    return [p for p in PLAN if p[0] in found] + [
        (name, [], [], 900) for name in found if name not in known
    ]


PACKAGES = (
    "gradio",
    "gradio_client",
    "torch",
    "transformers",
    "faster-whisper",
    "ctranslate2",
    "onnxruntime",
    "piper-tts",
    "pedalboard",
    "scipy",
    "numpy",
    "speechbrain",
    "resemblyzer",
)


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def ram_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024**2
    return float("nan")


def machine_lines() -> list[str]:
    """The machine, in a Markdown list."""
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    cores = len(os.sched_getaffinity(0))
    return [
        f"- CPU: {cpu_model()} ({platform.machine()}), {cores} cores usable "
        f"({os.cpu_count()} online), no GPU used",
        f"- RAM: {ram_gb():.1f} GiB; OS: {platform.platform()}",
        f"- Python {platform.python_version()}; " + ", ".join(versions),
    ]


def load_text() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def start_up(runs: int) -> tuple[list[str], dict]:
    """``import gradio`` against ``python app.py`` until it answers HTTP 200, same run."""
    imports, ready = [], []
    for _ in range(runs):  # interleaved, so load changes hit both alike
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import gradio"], check=True, cwd=ROOT)
        imports.append(time.perf_counter() - started)
        tmp = tempfile.mkdtemp(prefix="bench-start-")
        started = time.perf_counter()
        proc, _ = launch_app(extra_env={"TMPDIR": tmp}, timeout_s=120)
        ready.append(time.perf_counter() - started)
        stop_app(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    ratio = [r / i for r, i in zip(ready, imports, strict=True)]
    lines = [
        f"Fresh processes, {runs} run(s) interleaved; median (min–max). Goal (issue 17): ready "
        "within 1.5× `import gradio`.",
        "",
        "| measurement | time |",
        "| --- | --- |",
        f"| `python -c 'import gradio'` | {spread(imports, digits=2, unit='s')} |",
        f"| `python app.py` until `/` answers 200 | {spread(ready, digits=2, unit='s')} |",
        f"| ready ÷ import gradio (per run) | {spread(ratio, digits=2, unit='×')} |",
    ]
    figures = {
        "import_gradio_s": statistics.median(imports),
        "ready_s": statistics.median(ready),
        "ratio": statistics.median(ratio),
    }
    return lines, figures


def changed_tracked_files() -> set[str]:
    done = subprocess.run(
        ["git", "diff", "--name-only"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return set(done.stdout.split())


def restore(files: set[str]) -> None:
    """Put back tracked files a benchmark rewrote (their figures then differ from the README's)."""
    if files:
        subprocess.run(["git", "checkout", "--", *sorted(files)], cwd=ROOT, check=False)


def run_one(name: str, args: list[str], limit_s: int) -> tuple[list[str], float]:
    """Run ``bench_<name>.py`` and return its report section and wall time.

    A benchmark that rewrites a tracked file (bench_separation keeps its denoiser figures in
    ``examples/separation/``, which the README and a test must agree on) gets it restored:
    a report run must not change what the tests check. Run that benchmark alone to update it.
    """
    script = HERE / f"bench_{name}.py"
    untouched = changed_tracked_files()
    before = load_text()
    started = time.perf_counter()
    # Its own session, so that a timeout stops the workers it started too, not only itself.
    proc = subprocess.Popen(
        [sys.executable, str(script), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=limit_s)
        rc: int | str = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        rc = f"stopped after {limit_s} s"
    wall = time.perf_counter() - started
    rewritten = changed_tracked_files() - untouched
    restore(rewritten)
    command = " ".join(["python", f"benchmarks/bench_{name}.py", *args])
    lines = [
        f"## {name}",
        "",
        f"`{command}` · {wall:.0f} s · load average before {before}, after {load_text()}"
        + ("" if rc == 0 else f" · **exit status {rc}**"),
        "",
        out.strip() or "(no output)",
        "",
    ]
    if rewritten:
        lines += [
            f"(It rewrote {', '.join(sorted(rewritten))}; restored, as the README's figures "
            "come from that file.)",
            "",
        ]
    if rc != 0:
        tail = "\n".join(err.strip().splitlines()[-25:])
        lines += ["<details><summary>stderr (last lines)</summary>", "", "```", tail, "```",
                  "", "</details>", ""]  # fmt: skip
    print(f"{name}: {wall:.0f} s, exit {rc}", file=sys.stderr, flush=True)
    return lines, wall


def key_table(start: dict | None) -> list[str]:
    """The figures the README copies, from the JSON the new benchmarks leave."""
    rows = ["| measurement | figure | goal |", "| --- | --- | --- |"]
    if start:
        rows.append(
            f"| app ready ÷ `import gradio` ({start['ready_s']:.2f} s ÷ "
            f"{start['import_gradio_s']:.2f} s) | {start['ratio']:.2f}× | ≤ 1.5× |"
        )
    ratios = OUTPUT / "api_ratio.json"
    if ratios.exists():
        for row in json.loads(ratios.read_text())["rows"]:
            goal = "≤ 1.3×" if row["size"] == "short" else "≤ 1.05×"
            rows.append(
                f"| `{row['endpoint']}` API ÷ core, {row['size']} ({row['input']}) | "
                f"{row['ratio']:.2f}× ({row['api_s']:.3f} s ÷ {row['core_s']:.3f} s) | {goal} |"
            )
    peers = OUTPUT / "peers.json"
    if peers.exists():
        for row in json.loads(peers.read_text())["rows"]:
            rows.append(f"| {row['what']} | {row['figure']} | |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smallest settings: a smoke run")
    parser.add_argument("--only", nargs="*", help="benchmark names (default: all)")
    parser.add_argument("--output", type=Path, default=REPORT)
    args = parser.parse_args()

    names = [p[0] for p in plan()]
    unknown = set(args.only or ()) - set(names)
    if unknown:
        parser.error(f"unknown benchmark(s) {sorted(unknown)}; known: {names}")
    for stale in ("api_ratio.json", "peers.json"):  # never report figures of an earlier run
        (OUTPUT / stale).unlink(missing_ok=True)

    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_before = load_text()
    started = time.perf_counter()
    start_lines, start = start_up(1 if args.quick else 3)
    sections, walls = [], {}
    for name, full, quick, limit_s in plan():
        if args.only and name not in args.only:
            continue
        lines, walls[name] = run_one(name, quick if args.quick else full, limit_s)
        sections += lines
    total = time.perf_counter() - started
    cores = len(os.sched_getaffinity(0))
    loads = os.getloadavg()
    busy = max(float(load_before.split(" / ")[0]), loads[0]) > cores
    header = [
        "# Benchmark report",
        "",
        f"Written by `benchmarks/report.py{' --quick' if args.quick else ''}` on {stamp} in "
        f"{total / 60:.1f} minutes. Generated: do not edit by hand; `make bench` rewrites it.",
        "",
        "## Machine",
        "",
        *machine_lines(),
        f"- Load average (1 / 5 / 15 min): {load_before} before the run, {load_text()} after."
        + (
            f" **The machine was shared** (load above its {cores} cores): absolute times "
            "overstate a quiet machine's; ratios measured side by side in one run hold better."
            if busy
            else ""
        ),
        "",
        "Conventions: every figure is the median of at least 3 warm runs with (min–max) unless "
        "a table says otherwise"
        + (" (this is a `--quick` smoke run: 1 run)" if args.quick else "")
        + "; RTF = processing time ÷ audio duration (lower is faster); a ratio A ÷ B above 1 "
        "means A is slower.",
        "",
        "## Key figures",
        "",
        *key_table(start),
        "",
        "## Start-up",
        "",
        *start_lines,
        "",
        "Wall time per benchmark: " + ", ".join(f"{n} {w:.0f} s" for n, w in walls.items()) + ".",
        "",
    ]
    args.output.write_text("\n".join(header + sections).rstrip() + "\n", encoding="utf-8")
    print(f"wrote {args.output.relative_to(ROOT)} in {total:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
