"""One progress type for every task: a callable taking (fraction done, message).

``run()`` functions take ``progress: Progress | None``; ``ui.progress_bridge`` turns Gradio's
``gr.Progress`` into one, so the core never imports Gradio.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[float, str], None]


def silent(fraction: float, message: str) -> None:
    """The progress of a caller that does not watch."""


def or_silent(progress: Progress | None) -> Progress:
    """``progress``, or a callable that does nothing."""
    return progress if progress is not None else silent


def scaled(progress: Progress | None, start: float, end: float) -> Progress:
    """Report a sub-step's 0..1 as ``start``..``end`` of the whole (a compare's two runs)."""
    outer = or_silent(progress)

    def inner(fraction: float, message: str) -> None:
        outer(start + (end - start) * min(max(fraction, 0.0), 1.0), message)

    return inner
