"""Background warm-up: load the embedded default models once the server is up.

One daemon thread runs the jobs one at a time, after a short delay and with a pause between
them, so the first page load and any early request keep most of the CPU. A job is a task's
``warm_up()``, which loads its model through the task's ``load_once`` loader: a request that
arrives while that load runs waits on the loader's lock and gets the same model, it does not
load a second copy.

The thread does not lower its own priority (``os.nice`` in a thread is per thread on Linux):
engines such as CTranslate2 and ONNX Runtime start their worker threads when the model is
loaded, and those would inherit the low priority and slow every later request.

The app also builds its ``/<id>/`` pages here, before the models. ``AUDIOSTUDY_WARMUP=0``
turns the model warm-up off (the pages are still built); ``AUDIOSTUDY_WARMUP_DELAY_S`` and
``AUDIOSTUDY_WARMUP_PAUSE_S`` set the delay and the pause (seconds).
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable

log = logging.getLogger("audiostudy")

Job = Callable[[], None]

DEFAULT_DELAY_S = 2.0
DEFAULT_PAUSE_S = 0.5


def enabled() -> bool:
    """Whether the warm-up runs (``AUDIOSTUDY_WARMUP``; on unless 0, false, no or off)."""
    value = os.environ.get("AUDIOSTUDY_WARMUP", "1").strip().lower()
    return value not in {"0", "false", "no", "off"}


def _seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value >= 0 else default


class Skipped(Exception):
    """Raised by a job that has nothing to warm here (e.g. its task package is absent)."""


def task_warm_up(module: str) -> Job:
    """A job that imports ``module`` when it runs and calls its ``warm_up()``.

    The import waits for the warm-up thread, so it costs nothing at start-up. A module that
    does not exist or has no ``warm_up`` is skipped; an import error inside it is a failure.
    """

    def job() -> None:
        try:
            target = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and module.startswith(exc.name):
                raise Skipped(f"{module} does not exist") from None
            raise
        warm = getattr(target, "warm_up", None)
        if warm is None:
            raise Skipped(f"{module} has no warm_up()")
        warm()

    job.__qualname__ = f"warm_up[{module}]"
    return job


class WarmUp:
    """The running warm-up: its thread, and how each job went (for logs, tests, benchmarks)."""

    def __init__(self, jobs: Iterable[tuple[str, Job]], *, delay_s: float, pause_s: float):
        self.jobs = list(jobs)
        self.delay_s = delay_s
        self.pause_s = pause_s
        # name -> ("ready" | "skipped" | "failed", seconds the job took)
        self.outcomes: dict[str, tuple[str, float]] = {}
        self.finished = threading.Event()
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="audiostudy-warmup", daemon=True)

    def _run(self) -> None:
        self._run_jobs()
        # The thread outlives its models: once the thread that loaded the CTranslate2 Whisper
        # had exited, every later transcription ran 5-10x slower here (measured: 3-5 s
        # against 10-33 s for the 11 s JFK clip), an OpenMP thread pool tied to it, it seems.
        self._stop.wait()

    def _run_jobs(self) -> None:
        try:
            if self._stop.wait(self.delay_s):
                return
            started = time.perf_counter()
            for index, (name, job) in enumerate(self.jobs):
                if index and self._stop.wait(self.pause_s):
                    return
                self.outcomes[name] = self._one(name, job)
            ready = sum(outcome == "ready" for outcome, _ in self.outcomes.values())
            log.info(
                "Warm-up: finished in %.1f s (%d of %d ready)",
                time.perf_counter() - started,
                ready,
                len(self.jobs),
            )
        finally:
            self.finished.set()

    @staticmethod
    def _one(name: str, job: Job) -> tuple[str, float]:
        start = time.perf_counter()
        try:
            job()
        except Skipped as exc:
            log.debug("Warm-up: %s skipped (%s)", name, exc)
            return "skipped", time.perf_counter() - start
        except Exception:
            # A model that cannot load now is loaded (and explained) by its first request.
            log.warning("Warm-up: %s failed; its first request loads it", name, exc_info=True)
            return "failed", time.perf_counter() - start
        took = time.perf_counter() - start
        log.info("Warm-up: %s ready in %.1f s", name, took)
        return "ready", took

    def stop(self) -> None:
        """No further job starts (one already loading finishes) and the thread ends."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every job has run (or the warm-up was stopped); True when finished."""
        return self.finished.wait(timeout)


def start(
    jobs: Iterable[tuple[str, Job]],
    *,
    delay_s: float | None = None,
    pause_s: float | None = None,
) -> WarmUp:
    """Run ``jobs`` (name, callable) one at a time on a daemon thread; returns at once."""
    warm = WarmUp(
        jobs,
        delay_s=_seconds("AUDIOSTUDY_WARMUP_DELAY_S", DEFAULT_DELAY_S)
        if delay_s is None
        else delay_s,
        pause_s=_seconds("AUDIOSTUDY_WARMUP_PAUSE_S", DEFAULT_PAUSE_S)
        if pause_s is None
        else pause_s,
    )
    warm.thread.start()
    return warm
