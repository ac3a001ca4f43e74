"""Shared fixtures: real test audio, the launched app, a gradio_client, headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from hypothesis import settings

# No per-example deadline anywhere: on a loaded 2-core CI machine one example may take longer
# than Hypothesis's 200 ms, which says nothing about the property (a flaky failure, seen).
settings.register_profile("audiostudy", deadline=None)
settings.load_profile("audiostudy")


@pytest.fixture(autouse=True)
def _hide_broken_lazy_modules(monkeypatch):
    """Hypothesis reads ``__file__`` of every loaded module; SpeechBrain (loaded by the tiny
    ECAPA and SepFormer tests) leaves lazy modules whose ``__file__`` raises ImportError
    (flair, k2 are not installed), which failed any property test run after them."""
    for name, module in list(sys.modules.items()):
        try:
            getattr(module, "__file__", None)
        except ImportError:
            monkeypatch.delitem(sys.modules, name)


# Tests touch no network but localhost: the Hub is "offline" before huggingface_hub is
# imported, so Hub-backed paths answer from the cache or with our offline message.
os.environ["HF_HUB_OFFLINE"] = "1"

ROOT = Path(__file__).resolve().parents[1]


def run_async(coroutine):
    """Run a coroutine to its end in a thread of its own.

    The session's Playwright browser (sync API) keeps an event loop running in the main
    thread, where ``asyncio.run`` refuses to start a second one.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# Real speech inside the repository (sources and licences: examples/asr/SOURCES.md,
# tests/data/SOURCES.md). Nothing reads from outside the repository.
JFK = ROOT / "examples" / "asr" / "jfk.flac"
LJ = ROOT / "examples" / "asr" / "lj050-0131.flac"
MULTILINGUAL = ROOT / "tests" / "data" / "multilingual.mp3"
OUTPUT = ROOT / "tests" / "output"
JFK_REFERENCE = (
    "and so my fellow americans ask not what your country can do for you "
    "ask what you can do for your country"
)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where tests leave artefacts to look at (screenshots)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(output_dir: Path):
    """The real app, launched as users launch it (python app.py), on a free local port."""
    port = _free_port()
    env = {
        **os.environ,
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_SERVER_PORT": str(port),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        # Models load on first use, as each test expects; tests/test_startup.py covers the
        # background warm-up, which here would compete with the tests for two cores.
        "AUDIOSTUDY_WARMUP": "0",
    }
    log = (output_dir / "app-server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 300  # a loaded 2-core machine can take minutes
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}; see {log.name}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("app.py did not start within 300 s")
        time.sleep(0.5)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def client(app_url: str):
    """A gradio_client connected to the launched app."""
    from gradio_client import Client

    return Client(app_url, verbose=False)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, headless."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page at a desktop size."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    yield p
    context.close()


def cut(audio, start_s: float, stop_s: float, name: str):
    """The part of ``audio`` from ``start_s`` to ``stop_s``, as a clip of its own."""
    import dataclasses

    a, b = int(start_s * audio.sample_rate), int(stop_s * audio.sample_rate)
    return dataclasses.replace(audio, samples=audio.samples[:, a:b].copy(), name=name)


# Real speech shared by the speaker tests: two different voices, and one voice cut in two.
@pytest.fixture(scope="module")
def jfk():
    from audiokit.audio import load_audio

    return load_audio(JFK)


@pytest.fixture(scope="module")
def lj():
    from audiokit.audio import load_audio

    return load_audio(LJ)


@pytest.fixture(scope="module")
def jfk_halves(jfk):
    """The JFK clip as two clips of one speaker: 0–5.5 s and 5.5–11 s."""
    return cut(jfk, 0.0, 5.5, "jfk_a"), cut(jfk, 5.5, 11.0, "jfk_b")


def hub_cache(monkeypatch, cache: Path, repo_id: str, files: dict[str, bytes]) -> Path:
    """Lay ``files`` out in ``cache`` as huggingface_hub lays out a download of ``repo_id``
    (refs/main naming one snapshot), point the Hub cache at it, offline; the snapshot folder."""
    import huggingface_hub.constants

    commit = "0" * 40
    storage = cache / f"models--{repo_id.replace('/', '--')}"
    snapshot = storage / "snapshots" / commit
    for name, data in files.items():
        (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
        (snapshot / name).write_bytes(data)
    (storage / "refs").mkdir(parents=True, exist_ok=True)
    (storage / "refs" / "main").write_text(commit)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return snapshot
