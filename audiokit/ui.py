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
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from audiokit.audio import NO_AUDIO, check_duration, probe_duration_s
from audiokit.errors import AudioStudyError

log = logging.getLogger("audiostudy")


# The last failure's sentence per browser session, so the page can show it where the result
# would be (a toast fades). Bounded: old sessions fall out.
_LAST_ERRORS: OrderedDict[str, str] = OrderedDict()
_LAST_ERRORS_MAX = 1000
_last_errors_lock = threading.Lock()


def _remember_error(message: str) -> None:
    from gradio.context import LocalContext

    request = LocalContext.request.get(None)
    session = getattr(request, "session_hash", None)
    if not session:
        return
    with _last_errors_lock:
        _LAST_ERRORS[session] = message
        _LAST_ERRORS.move_to_end(session)
        while len(_LAST_ERRORS) > _LAST_ERRORS_MAX:
            _LAST_ERRORS.popitem(last=False)


def _as_gr_error(exc: BaseException, where: str) -> gr.Error:
    if isinstance(exc, gr.Error):
        error = exc
    elif isinstance(exc, AudioStudyError):
        error = gr.Error(str(exc), print_exception=False)
    else:
        log.exception("Unexpected error in %s", where)
        error = gr.Error(
            f"Something went wrong in {where} ({type(exc).__name__}: {exc}). "
            "The app is still running: try another input or setting."
        )
    _remember_error(error.message)
    return error


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
/* Gradio measures tab buttons in a hidden one-line row; on a phone that row alone forced the
   page to 780 px (two columns cut off). Let it wrap: the visible bar still gets its "..." menu. */
@media (max-width: 640px) {
  .tab-container {flex-wrap: wrap;}
  /* An examples table with long headers scrolls inside its own box instead of widening the
     page; 72 px is the container's and the block's padding on both sides. */
  .table-wrap {overflow-x: auto; max-width: calc(100vw - 72px);}
}
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


def status_box() -> gr.Markdown:
    """Where a failed run's reason stays readable, in place of the result (hidden until then)."""
    return gr.Markdown("", visible=False, elem_classes=["run-status"])


def _clear(count: int) -> list[Any]:
    return [None] * count + [gr.Markdown("", visible=False)]


def _show_failure(request: gr.Request) -> gr.Markdown:
    with _last_errors_lock:
        message = _LAST_ERRORS.pop(getattr(request, "session_hash", None) or "", "")
    text = message or "The run failed; the previous result was cleared."
    return gr.Markdown(f"**Could not run.** {html.escape(text)}", visible=True)


def run_event(
    trigger: Any, fn: Callable, inputs: Any, outputs: list[Any], *, status: Any, **kwargs
):
    """Wire a run button: clear the last result, run ``fn``, and on failure say why in ``status``.

    The public event (``api_name`` and ``validator`` in ``kwargs``) is ``fn`` alone, so API
    callers see no change; the clearing and the failure note are private UI steps. Returns the
    public event, for ``.success()`` follow-ups such as learn views.
    """
    cleared = trigger(
        functools.partial(_clear, len(outputs)),
        None,
        [*outputs, status],
        queue=False,
        show_progress="hidden",
        api_visibility="private",
    )
    event = cleared.then(fn, inputs, outputs, **kwargs)
    event.failure(
        _show_failure, None, status, queue=False, show_progress="hidden", api_visibility="private"
    )
    return event
