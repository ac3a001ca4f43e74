"""Start-up: what is built and loaded before the first request, lazy pages, the warm-up."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import types

import gradio as gr
import httpx
import pytest

import app
from audiokit import warmup
from audiokit.models import load_once
from audiokit.serving import ServedBlocks
from demos import DEMOS, Demo
from tests.conftest import run_async

# Libraries that only a model needs: none may be imported before the first request.
MODEL_LIBRARIES = (
    "torch",
    "faster_whisper",
    "ctranslate2",
    "onnxruntime",
    "piper",
    "speechbrain",
    "transformers",
    "resemblyzer",
)


# --- the warm-up machinery ---------------------------------------------------------------


def _recording_job(log: list, name: str, seconds: float = 0.0):
    def job() -> None:
        log.append(("start", name, threading.current_thread().name))
        time.sleep(seconds)
        log.append(("end", name))

    return job


def test_jobs_run_one_at_a_time_in_order_on_a_daemon_thread():
    log: list = []
    jobs = [(n, _recording_job(log, n, 0.05)) for n in ("asr", "tts", "speaker")]
    warm = warmup.start(jobs, delay_s=0.0, pause_s=0.0)
    assert warm.thread.daemon
    assert warm.wait(10)
    # One thread, never two jobs at once: each ends before the next starts.
    assert [e[:2] for e in log] == [
        ("start", "asr"),
        ("end", "asr"),
        ("start", "tts"),
        ("end", "tts"),
        ("start", "speaker"),
        ("end", "speaker"),
    ]
    assert {e[2] for e in log if e[0] == "start"} == {"audiostudy-warmup"}
    assert {name: outcome for name, (outcome, _) in warm.outcomes.items()} == {
        "asr": "ready",
        "tts": "ready",
        "speaker": "ready",
    }


def test_the_warm_up_waits_before_its_first_job_and_pauses_between_jobs():
    times: list[float] = []
    started = time.perf_counter()
    warm = warmup.start(
        [(n, lambda: times.append(time.perf_counter())) for n in ("a", "b")],
        delay_s=0.3,
        pause_s=0.2,
    )
    assert warm.wait(10)
    assert times[0] - started >= 0.3
    assert times[1] - times[0] >= 0.2


def test_a_failing_or_absent_job_does_not_stop_the_others():
    def broken() -> None:
        raise RuntimeError("model file damaged")

    done: list[str] = []
    warm = warmup.start(
        [
            ("broken", broken),
            ("absent", warmup.task_warm_up("audiokit.tasks.no_such_task")),
            ("fine", lambda: done.append("fine")),
        ],
        delay_s=0.0,
        pause_s=0.0,
    )
    assert warm.wait(10)
    assert done == ["fine"]
    assert warm.outcomes["broken"][0] == "failed"
    assert warm.outcomes["absent"][0] == "skipped"
    assert warm.outcomes["fine"][0] == "ready"


def test_stop_prevents_the_next_job():
    gate = threading.Event()
    done: list[str] = []
    warm = warmup.start(
        [("first", gate.wait), ("second", lambda: done.append("second"))],
        delay_s=0.0,
        pause_s=0.2,
    )
    time.sleep(0.1)
    warm.stop()
    gate.set()
    assert warm.wait(10)
    assert done == [] and "second" not in warm.outcomes


def test_task_warm_up_imports_the_module_only_when_it_runs(monkeypatch):
    calls: list[str] = []
    module = types.ModuleType("audiokit.tasks.fake_task")
    module.warm_up = lambda: calls.append("warm")
    job = warmup.task_warm_up("audiokit.tasks.fake_task")
    assert calls == []
    monkeypatch.setitem(sys.modules, "audiokit.tasks.fake_task", module)
    job()
    assert calls == ["warm"]

    without = types.ModuleType("audiokit.tasks.no_warm_up")
    monkeypatch.setitem(sys.modules, "audiokit.tasks.no_warm_up", without)
    with pytest.raises(warmup.Skipped):
        warmup.task_warm_up("audiokit.tasks.no_warm_up")()


def test_an_import_error_inside_a_task_is_a_failure_not_a_skip(monkeypatch, tmp_path):
    package = tmp_path / "broken_task_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("import a_library_that_is_not_installed\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError):
        warmup.task_warm_up("broken_task_pkg")()


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, True), ("1", True), ("yes", True), ("0", False), ("off", False), ("False", False)],
)
def test_the_environment_turns_the_warm_up_off(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("AUDIOSTUDY_WARMUP", raising=False)
    else:
        monkeypatch.setenv("AUDIOSTUDY_WARMUP", value)
    assert warmup.enabled() is expected


def test_a_request_during_the_warm_up_waits_for_the_same_load():
    """The warm-up and a request share the loader's lock: one load, one model."""
    loads: list[int] = []
    loading = threading.Event()

    @load_once
    def embedded_model() -> object:
        loads.append(1)
        loading.set()
        time.sleep(0.3)
        return object()

    warm = warmup.start([("asr", embedded_model)], delay_s=0.0, pause_s=0.0)
    assert loading.wait(5)
    started = time.perf_counter()
    model = embedded_model()  # the "request", while the warm-up is loading
    waited = time.perf_counter() - started
    assert warm.wait(5)
    assert loads == [1]
    assert model is embedded_model()
    assert 0.1 < waited < 1.0  # it waited for the running load instead of starting its own


def test_the_app_warms_every_task_by_name_without_importing_it():
    jobs = app.warm_up_jobs()
    assert [name for name, _ in jobs] == list(app.WARM_TASKS)
    assert {d.id for d in DEMOS} - {"community"} <= set(app.WARM_TASKS)


# --- what start-up builds --------------------------------------------------------------


def test_start_up_builds_the_tabbed_app_only_and_loads_no_model(monkeypatch):
    built: list[str] = []
    original = app._build

    def counting(demo):
        built.append(demo.id)
        return original(demo)

    monkeypatch.setattr(app, "_build", counting)
    before = set(sys.modules)
    server = app.create_server()
    assert sorted(built) == sorted(d.id for d in DEMOS)  # each tab once, no page yet
    assert not [m for m in MODEL_LIBRARIES if m in sys.modules and m not in before]
    # The root app is the MCP server and its queue reads the app that serves it.
    root = server.routes[-1].app.get_blocks()
    assert root.mcp_server and root.app is server.routes[-1].app


def _tiny_demo(builds: list[int]) -> Demo:
    def build() -> gr.Blocks:
        builds.append(1)
        time.sleep(0.2)  # long enough for the second request to arrive meanwhile
        with ServedBlocks() as blocks:
            gr.Markdown("tiny")
        return blocks

    return Demo("tiny", "Tiny", build)


def test_a_page_is_built_once_on_its_first_requests():
    builds: list[int] = []
    page = app.LazyPage(_tiny_demo(builds))

    async def two_first_visitors():
        transport = httpx.ASGITransport(app=page)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            first, second = await asyncio.gather(http.get("/config"), http.get("/config"))
            again = await http.get("/config")
        await page.stop()
        return first, second, again

    first, second, again = run_async(two_first_visitors())
    assert builds == [1]
    assert first.status_code == second.status_code == again.status_code == 200
    assert "tiny" in again.text


def test_the_build_shortcut_applies_only_while_building():
    from gradio.routes import App

    with app._quick_build(), gr.Blocks() as skipped:
        gr.Markdown("x")
    assert skipped.app is None
    with gr.Blocks() as normal:
        gr.Markdown("x")
    assert isinstance(normal.app, App)


def test_a_page_prepared_in_the_background_is_not_built_again():
    builds: list[int] = []
    page = app.LazyPage(_tiny_demo(builds))
    page.prepare()

    async def visit():
        transport = httpx.ASGITransport(app=page)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            answer = await http.get("/config")
        await page.stop()
        return answer

    assert run_async(visit()).status_code == 200
    assert builds == [1]


def test_the_server_builds_its_pages_in_the_background(monkeypatch):
    """The real lifespan: pages built after start even with the model warm-up off."""
    from fastapi.testclient import TestClient

    monkeypatch.setenv("AUDIOSTUDY_WARMUP", "0")
    monkeypatch.setenv("AUDIOSTUDY_WARMUP_DELAY_S", "0")
    monkeypatch.setenv("AUDIOSTUDY_WARMUP_PAUSE_S", "0")
    server = app.create_server()
    with TestClient(server) as http:
        deadline = time.monotonic() + 120
        while any(page._holder is None for page in app._PAGES):
            assert time.monotonic() < deadline, "the pages were not built in the background"
            time.sleep(0.2)
        assert http.get("/asr/config").status_code == 200
        assert http.get("/").status_code == 200


def test_the_warm_up_thread_outlives_its_models_until_stopped():
    """A model's thread pools can be tied to the thread that loaded it (CTranslate2's were)."""
    warm = warmup.start([("a", lambda: None)], delay_s=0.0, pause_s=0.0)
    assert warm.wait(10)
    time.sleep(0.1)
    assert warm.thread.is_alive()
    warm.stop()
    warm.thread.join(5)
    assert not warm.thread.is_alive()
