"""Cooperative cancellation: long work stops soon after its client goes away.

The Gradio adapter (:func:`audiokit.ui.user_errors`) installs a checker for the run it wraps;
engines need no Gradio: the progress callbacks they already call pass through
:func:`check`, and a loop without a callback can call it directly. A stopped run raises
:class:`Cancelled`, which unwinds the engine like any other error.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from audiokit.errors import AudioStudyError

# Answering "is the client still there?" walks the server's tasks; a few times a second is
# plenty for work that reports progress many times a second.
_CHECK_EVERY_S = 0.2

_checker: ContextVar[Callable[[], bool] | None] = ContextVar("audiostudy_cancel", default=None)
_last: ContextVar[list[float] | None] = ContextVar("audiostudy_cancel_last", default=None)


class Cancelled(AudioStudyError):
    """The run was cancelled or its client disconnected; nobody waits for the answer."""

    def __init__(self) -> None:
        super().__init__("The run was cancelled.")


@contextlib.contextmanager
def watching(stop_requested: Callable[[], bool]) -> Iterator[None]:
    """Within this block, :func:`check` raises once ``stop_requested()`` turns true."""
    token = _checker.set(stop_requested)
    last = _last.set([0.0])
    try:
        yield
    finally:
        _checker.reset(token)
        _last.reset(last)


def check() -> None:
    """Raise :class:`Cancelled` when the current run's client has gone (cheap, throttled)."""
    stop_requested = _checker.get()
    if stop_requested is None:
        return
    last = _last.get()
    now = time.monotonic()
    if last is not None:
        if now - last[0] < _CHECK_EVERY_S:
            return
        last[0] = now
    if stop_requested():
        raise Cancelled()


def checking(callback: Callable | None) -> Callable | None:
    """``callback`` that first checks for cancellation (None stays None)."""
    if callback is None:
        return None

    def checked(*args, **kwargs):
        check()
        return callback(*args, **kwargs)

    return checked
