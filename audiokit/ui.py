"""Gradio adapters shared by the demos: errors, validators, panels.

Pure code raises :class:`AudioStudyError`; :func:`user_errors` turns it into
``gr.Error(message)``, the only kind of exception whose text reaches API callers.
"""

from __future__ import annotations

import functools
import html
import inspect
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from audiokit.audio import NO_AUDIO, check_duration, probe_duration_s
from audiokit.errors import AudioStudyError

log = logging.getLogger("audiostudy")


def _as_gr_error(exc: BaseException, where: str) -> gr.Error:
    if isinstance(exc, gr.Error):
        return exc
    if isinstance(exc, AudioStudyError):
        return gr.Error(str(exc), print_exception=False)
    log.exception("Unexpected error in %s", where)
    return gr.Error(
        f"Something went wrong in {where} ({type(exc).__name__}: {exc}). "
        "The app is still running: try another input or setting."
    )


def user_errors(fn: Callable) -> Callable:
    """Decorate an event handler so every failure reaches the user as a clear sentence.

    Works for plain functions and generators (streaming, progress), keeping the signature
    that Gradio inspects for ``gr.Progress`` and the API page.
    """
    where = fn.__name__.strip("_").replace("_", " ")
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def gen_wrapper(*args: Any, **kwargs: Any):
            try:
                yield from fn(*args, **kwargs)
            except Exception as exc:
                raise _as_gr_error(exc, where) from exc

        return gen_wrapper

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            raise _as_gr_error(exc, where) from exc

    return wrapper


def audio_problem(value: Any, *, max_duration_s: float | None, required: bool = True) -> str:
    """The cheap pre-queue check of an audio input: '' when fine, else the sentence."""
    if value is None or value == "":
        return NO_AUDIO if required else ""
    path = value.get("path") if isinstance(value, dict) else value
    if not isinstance(path, (str, Path)):
        return ""
    duration = probe_duration_s(Path(path))
    if duration is None:
        return ""  # unknown from the header: the handler decodes and decides
    try:
        check_duration(duration, max_duration_s=max_duration_s)
    except AudioStudyError as exc:
        return str(exc)
    return ""


def audio_validator(
    *, max_duration_s: float | None, audio_inputs: int = 1, optional: tuple[int, ...] = ()
) -> Callable:
    """A Gradio ``validator=`` for events whose first ``audio_inputs`` inputs are audio paths.

    It runs before the queue, so a missing or over-long file is refused at once; the
    handler repeats the checks (API callers may skip validators).
    """

    def validator(*values: Any) -> list[dict]:
        results = []
        for i, value in enumerate(values):
            problem = ""
            if i < audio_inputs:
                problem = audio_problem(
                    value, max_duration_s=max_duration_s, required=i not in optional
                )
            results.append(gr.validate(not problem, problem))
        return results

    return validator


CSS = """
.gradio-container {max-width: 1200px !important; margin: auto;}
/* gr.Navbar(visible=False) does not hide the multipage "Home" bar in gradio 6.31; pages
   at /<id> are meant for slides, so no navigation chrome at all. */
nav:has(> a[data-sveltekit-reload]) {display: none !important;}
"""


def launch_kwargs() -> dict[str, Any]:
    """Theme and css, which go to ``launch()`` in Gradio 6 (the app and each demo alone)."""
    return {"theme": gr.themes.Soft(), "css": CSS}


def error_panel(title: str, exc: BaseException) -> gr.Blocks:
    """What a tab shows when its demo failed to build: the rest of the app keeps working."""
    with gr.Blocks() as panel:
        gr.Markdown(
            f"### {html.escape(title)} is unavailable\n\n"
            f"This demo failed to start: `{type(exc).__name__}: {html.escape(str(exc))}`.\n\n"
            "The other tabs work. Check the server log for the full traceback."
        )
    return panel


def download_dir() -> Path:
    """A fresh folder for files a handler offers for download (Gradio serves temp files)."""
    return Path(tempfile.mkdtemp(prefix="audiostudy-"))


def model_card(
    *, name: str, architecture: str, size: str, training_data: str, paper: str, url: str
) -> str:
    """A short Markdown model card, the same shape in every tab."""
    return (
        f"**{name}** — {architecture}; {size}.  \n"
        f"Trained on: {training_data}.  \n"
        f"Paper: {paper} · [model page]({url})"
    )
