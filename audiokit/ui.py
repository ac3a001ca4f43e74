"""How a demo's widgets and events are made: the Gradio side of every task.

One job, the adapter between a demo and its task core: failures become one sentence
(:func:`user_errors`), the core's progress type meets ``gr.Progress``, widgets are made from
a task's ``PARAMS`` (:func:`control`), a run button clears, runs and says why it failed
(:func:`run_event`), and a run's ``Result`` is held for the learn views drawn after the
answer (:func:`hold`). What the server lets in is :mod:`audiokit.serving`; the study panels
every tab shares are :mod:`audiokit.study`. These three are the modules of ``audiokit`` that
import Gradio.

Pure code raises :class:`AudioStudyError`; :func:`user_errors` turns it into
``gr.Error(message)``, the only kind of exception whose text reaches API callers.
"""

from __future__ import annotations

import contextlib
import contextvars
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

from audiokit import cancel, limits
from audiokit.audio import NO_AUDIO, check_decoded_size, check_duration, probe
from audiokit.errors import AudioStudyError
from audiokit.params import Param
from audiokit.progress import Progress
from audiokit.serving import cache_dir, event_gone, unexpected_error_sentence

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
        # The traceback stays in the server log: exception names and texts can hold paths,
        # object reprs or library internals.
        log.exception("Unexpected error in %s", where)
        error = gr.Error(unexpected_error_sentence(where), print_exception=False)
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
            args, kwargs = _checked_progress(args, kwargs)
            # Gradio resumes a generator in a fresh context per step: watch per step.
            steps = fn(*args, **kwargs)
            try:
                while True:
                    with cancel.watching(event_gone):
                        try:
                            item = next(steps)
                        except StopIteration:
                            return
                    yield item
            except cancel.Cancelled as exc:
                log.info("Stopped %s: its client went away", where)
                raise _as_gr_error(exc, where) from None
            except Exception as exc:
                raise _as_gr_error(exc, where) from exc

        return gen_wrapper

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any):
        args, kwargs = _checked_progress(args, kwargs)
        try:
            with cancel.watching(event_gone):
                return fn(*args, **kwargs)
        except cancel.Cancelled as exc:
            log.info("Stopped %s: its client went away", where)
            raise _as_gr_error(exc, where) from None
        except Exception as exc:
            raise _as_gr_error(exc, where) from exc

    return wrapper


class _CheckedProgress:
    """A ``gr.Progress`` that first checks whether the run should stop (see audiokit.cancel).

    Every long engine already reports progress through the handler's ``gr.Progress``, so
    this one hook makes ASR, TTS, separation and steering stop soon after the client leaves.
    """

    def __init__(self, progress: gr.Progress) -> None:
        self._progress = progress

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        cancel.check()
        return self._progress(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._progress, name)


def _checked_progress(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    args = tuple(_CheckedProgress(a) if isinstance(a, gr.Progress) else a for a in args)
    kwargs = {
        k: _CheckedProgress(v) if isinstance(v, gr.Progress) else v for k, v in kwargs.items()
    }
    return args, kwargs


def audio_problem(value: Any, *, max_duration_s: float | None, required: bool = True) -> str:
    """The cheap pre-queue check of an audio input: '' when fine, else the sentence."""
    if value is None or value == "":
        return NO_AUDIO if required else ""
    path = value.get("path") if isinstance(value, dict) else value
    if not isinstance(path, (str, Path)):
        return ""
    info = probe(Path(path))
    if info is None:
        return ""  # not readable from the header: the handler decodes and decides
    try:
        check_decoded_size(
            info.sample_rate, info.channels, info.frames, max_duration_s=max_duration_s
        )
        if info.duration_s is not None:
            check_duration(info.duration_s, max_duration_s=max_duration_s)
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
/* One look for the study features on every tab: the timing badge under a result, the note on
   audio sent from another tab, and the send buttons. */
.timing-badge {font-size: 0.85em; opacity: 0.8; margin-top: -4px;}
.sent-from {font-size: 0.85em; color: var(--color-accent);}
.send-to {gap: 6px; flex-wrap: wrap;}
.send-to button {flex: 0 0 auto; min-width: 0;}
"""


def launch_kwargs() -> dict[str, Any]:
    """What ``launch()`` would take, for each mounted app: theme and css (Gradio 6 takes them
    at launch), the upload limit, and no exception text in answers (``show_error=False``)."""
    return {
        "theme": gr.themes.Soft(),
        "css": CSS,
        "max_file_size": limits.MAX_UPLOAD_BYTES,
        "show_error": False,
    }


def error_panel(title: str, exc: BaseException) -> gr.Blocks:
    """What a tab shows when its demo failed to build: the rest of the app keeps working."""
    with gr.Blocks() as panel:
        gr.Markdown(
            f"### {html.escape(title)} is unavailable\n\n"
            "This demo failed to start. The other tabs work; the server log has the details."
        )
    return panel


def download_dir() -> Path:
    """A fresh folder for files a handler offers for download, inside Gradio's cache.

    Files already in the cache are served as they are: Gradio neither hashes nor copies
    them (which it would do on the event loop), and the cache cleaning removes them.
    """
    root = cache_dir() / "audiostudy-downloads"
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="run-", dir=root))


def status_box() -> gr.Markdown:
    """Where a failed run's reason stays readable, in place of the result (hidden until then)."""
    return gr.Markdown("", visible=False, elem_classes=["run-status"])


def _clearing(count: int, held: tuple[str, ...]) -> Callable:
    def clear(request: gr.Request) -> list[Any]:
        forget(held, request)
        return [None] * count + [gr.Markdown("", visible=False)]

    return clear


def _show_failure(request: gr.Request) -> gr.Markdown:
    with _last_errors_lock:
        message = _LAST_ERRORS.pop(getattr(request, "session_hash", None) or "", "")
    text = message or "The run failed; the previous result was cleared."
    return gr.Markdown(f"**Could not run.** {html.escape(text)}", visible=True)


def run_event(
    trigger: Any,
    fn: Callable,
    inputs: Any,
    outputs: list[Any],
    *,
    status: Any,
    held: tuple[str, ...] = (),
    **kwargs,
):
    """Wire a run button: clear the last result, run ``fn``, and on failure say why in ``status``.

    The public event (``api_name`` and ``validator`` in ``kwargs``) is ``fn`` alone, so API
    callers see no change; the clearing and the failure note are private UI steps. Returns the
    public event, for ``.success()`` follow-ups such as learn views.

    ``held``: the keys under which ``fn`` holds its result for those follow-ups. The clearing
    forgets them, so a follow-up of the last run that starts after the new click (its learn
    view, its badge) finds nothing and draws nothing over the new result or failure.
    """
    cleared = trigger(
        _clearing(len(outputs), held),
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


# --- One shape for every task: widgets from PARAMS, one progress bridge, learn-view holding --


def control(param: Param, *, number: bool = False, **overrides: Any) -> Any:
    """The widget for one task parameter, its default, range, step and help read from ``param``.

    ``overrides`` set anything else (``visible``, ``scale``, ``label``); the range and default
    come from the task's ``PARAMS`` only, so the UI cannot disagree with ``run()``. The widget
    is also a shareable setting of its tab (see ``collect_controls``).
    """
    return shareable(param, _widget(param, number=number, **overrides))


def _widget(param: Param, *, number: bool = False, **overrides: Any) -> Any:
    """The widget for ``param`` (see ``control``); ``number=True`` asks for a typed number
    instead of a slider (a box that may be left empty, or whose own sentence matters)."""
    common: dict[str, Any] = {"label": param.title, "value": param.default}
    if param.help:
        common["info"] = param.help
    kind = param.kind
    if kind == "choice":
        common["choices"] = list(param.choices)
        return gr.Dropdown(**(common | overrides))
    if kind == "bool":
        return gr.Checkbox(**(common | overrides))
    if kind == "text":
        if param.max_chars:
            common["max_length"] = param.max_chars
        return gr.Textbox(**(common | overrides))
    label = f"{param.title} ({param.unit.strip()})" if param.unit.strip() else param.title
    common["label"] = label
    if param.minimum is not None and param.maximum is not None and not number:
        step = param.step if param.step is not None else (1 if param.integer else None)
        return gr.Slider(
            **(
                common
                | {"minimum": param.minimum, "maximum": param.maximum, "step": step}
                | overrides
            )
        )
    number = {"precision": 0} if param.integer else {}
    if param.minimum is not None:
        number["minimum"] = param.minimum
    if param.maximum is not None:
        number["maximum"] = param.maximum
    return gr.Number(**(common | number | overrides))


def progress_bridge(progress: Any) -> Progress:
    """Gradio's ``gr.Progress`` as the core's one progress type ``(fraction, message)``."""

    def report(fraction: float, message: str) -> None:
        progress(min(max(float(fraction), 0.0), 1.0), desc=message)

    return report


PRIVATE: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
"""The keywords of a UI-only step (learn views, clearing, chain editing): no API, no MCP tool."""

_HELD_MAX = 256
_held: OrderedDict[tuple[str, str], Any] = OrderedDict()
_held_lock = threading.Lock()


def _session(request: Any) -> str:
    return str(getattr(request, "session_hash", None) or "")


def hold(key: str, value: Any, request: Any = None, *, keep: int = 64) -> None:
    """Keep a task's last ``Result`` on the server for this session's learn views.

    The public event returns only the answer; a ``gr.State`` output would make the result
    part of the API (and Gradio 6.31's MCP layer fails on State outputs). At most ``keep``
    sessions' results are kept under ``key`` (the newest; a task with large results, such as
    separated stems, keeps few) and ``_HELD_MAX`` in all. ``request`` defaults to the request
    being served.
    """
    if request is None:
        from gradio.context import LocalContext

        request = LocalContext.request.get(None)
    with _held_lock:
        _held[(_session(request), key)] = value
        _held.move_to_end((_session(request), key))
        same = [k for k in _held if k[1] == key]
        for old in same[: max(len(same) - keep, 0)]:
            del _held[old]
        while len(_held) > _HELD_MAX:
            _held.popitem(last=False)


def forget(keys: tuple[str, ...] | list[str], request: Any) -> None:
    """Drop what this session holds under ``keys`` (a new run of that task has started)."""
    with _held_lock:
        for key in keys:
            _held.pop((_session(request), key), None)


def held(key: str, request: Any) -> Any:
    """The value this session last held under ``key``, or None."""
    with _held_lock:
        return _held.get((_session(request), key))


def launch_alone(build: Callable[[], gr.Blocks]) -> None:
    """``python -m demos.<id>``: one demo served alone, as the app serves it."""
    build().queue(default_concurrency_limit=1).launch(**launch_kwargs())


# --- Shareable settings: every widget made by control() can travel in a link or a file ----

_controls: contextvars.ContextVar[list[tuple[Param, Any]] | None] = contextvars.ContextVar(
    "audiostudy_controls", default=None
)


@contextlib.contextmanager
def collect_controls():
    """Collect the widgets ``control()`` makes while a demo builds: its shareable settings."""
    found: list[tuple[Param, Any]] = []
    token = _controls.set(found)
    try:
        yield found
    finally:
        _controls.reset(token)


def shareable(param: Param, component: Any) -> Any:
    """Register a widget not made by ``control()`` (a TTS text box) as a shareable setting."""
    found = _controls.get()
    if found is not None and all(p.name != param.name for p, _ in found):
        found.append((param, component))
    return component
