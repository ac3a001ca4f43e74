"""Gradio adapters shared by the demos: errors, validators, panels.

One job, the Gradio boundary, and the only module of ``audiokit`` that imports Gradio (which
is why it is long): errors and progress, the serving guard every request passes, widgets made
from ``PARAMS``, results held for learn views, and the study panels every tab shares (share
settings, show the code, send to another tab, the timing badge).

Pure code raises :class:`AudioStudyError`; :func:`user_errors` turns it into
``gr.Error(message)``, the only kind of exception whose text reaches API callers.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import html
import inspect
import logging
import math
import os
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


class Sentence(gr.Error):
    """A ``gr.Error`` whose ``str()`` is the sentence itself.

    Gradio answers a failure before the queue (a validator's inputs) with ``str(error)``,
    which for ``gr.Error`` is the message's repr, quotes and all.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, print_exception=False)

    def __str__(self) -> str:
        return self.message


def unexpected_error_sentence(where: str) -> str:
    """The one sentence for a failure we did not foresee: no exception name, text or path."""
    return (
        f"Something went wrong in {where}. The app is still running: try another input "
        "or setting; the details are in the server log."
    )


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


# The server's event loop, recorded by ServedBlocks, so worker threads can see whether the
# task running their event was cancelled.
_LOOP: list[asyncio.AbstractEventLoop] = []
# The queue and id of the queued event a worker runs, set by ServedBlocks.process_api (the
# context reaches the worker thread); None outside a queued event.
_QUEUED_EVENT: contextvars.ContextVar[tuple[Any, str] | None] = contextvars.ContextVar(
    "audiostudy_queued_event", default=None
)


def event_gone() -> bool:
    """Whether the event this worker thread runs was cancelled or lost its client.

    Gradio marks a disconnected client's running job ``alive = False``; ``/cancel`` cancels
    the asyncio task that awaits this thread (the cancellation waits for the thread, so we
    look at the task's ``cancelling()`` count). Outside a queued event: never.
    """
    queued = _QUEUED_EVENT.get()
    if queued is None:
        return False
    queue, event_id = queued
    event = queue.event_ids_to_events.get(event_id)
    # /cancel ends the event's task without waiting for this thread: the event is dropped.
    if event is None or not event.alive:
        return True
    if _LOOP:
        suffix = f"<gradio-sep>{event_id}"
        try:
            tasks = asyncio.all_tasks(_LOOP[0])
        except RuntimeError:  # the loop's task set changed while we read it: next time
            return False
        return any(t.get_name().endswith(suffix) and t.cancelling() for t in tasks)
    return False


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


def sweep_cache(max_age_s: float, folder: Path | None = None) -> tuple[int, int]:
    """Delete files older than ``max_age_s`` under Gradio's cache, then empty folders.

    Gradio's own ``delete_cache`` only knows files a run used; uploads nobody ran and the
    folders they sit in stay. Returns (files removed, bytes removed).
    """
    import time

    root = folder or cache_dir()
    now = time.time()
    files = size = 0
    for dirpath, _dirnames, filenames in os.walk(root, topdown=False):
        for name in filenames:
            path = os.path.join(dirpath, name)
            try:
                info = os.lstat(path)
                if now - max(info.st_mtime, info.st_ctime) > max_age_s:
                    os.remove(path)
                    files += 1
                    size += info.st_size
            except OSError:
                continue
        if dirpath != str(root):
            # Only old empty folders: a run's fresh download folder is empty until it writes.
            with contextlib.suppress(OSError):
                if now - os.stat(dirpath).st_mtime > max_age_s:
                    os.rmdir(dirpath)  # only when empty
    return files, size


def release_memory() -> None:
    """Hand freed heap back to the OS (glibc keeps it per thread arena otherwise, so the
    RSS of a server that ran many threads stays at its peak long after the work is done)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name:
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(name).malloc_trim(0)


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


# --- Serving: what API callers may send --------------------------------------------------

FILE_REFUSED = (
    "Only files uploaded to this app (or its bundled examples) can be used: "
    "upload the file and try again."
)
TOO_NESTED = "The request is nested too deeply to be an input of this app."
BUSY = "The app is busy: too many requests are waiting for this step. Try again in a minute."
EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
_MAX_NESTING = 16


def cache_dir() -> Path:
    """Gradio's upload and cache folder (GRADIO_TEMP_DIR), where every upload lands."""
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder())


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def file_refusal(path: Any) -> str:
    """'' when ``path`` is a regular file uploaded to this server or a bundled example.

    Anything else (another server path, a device, a FIFO, a folder, a URL, a missing file,
    an over-large file) gets the same sentence, which says nothing about the server's files.
    Only ``realpath`` and ``stat`` are used: nothing is opened, so a FIFO cannot block.
    """
    import stat

    if not isinstance(path, str) or not path or "\x00" in path or "://" in path:
        return FILE_REFUSED
    try:
        real = Path(os.path.realpath(path))
        roots = (Path(os.path.realpath(cache_dir())), Path(os.path.realpath(EXAMPLES_DIR)))
        if not any(_inside(real, root) for root in roots):
            return FILE_REFUSED
        info = os.stat(real)
    except (OSError, ValueError):
        return FILE_REFUSED
    if not stat.S_ISREG(info.st_mode) or info.st_size > limits.MAX_UPLOAD_BYTES:
        return FILE_REFUSED
    return ""


class InputRefused(Sentence):
    """A refused input value: the sentence, and which input it was."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.index = index


_FILE_ROUTE = "/gradio_api/file="


def own_file_path(url: Any) -> str | None:
    """The path in a URL of a file served by a Gradio app (``.../gradio_api/file=<path>``).

    MCP tools take files as URLs, typically one another tool answered with; Gradio would
    download it (and refuses loopback hosts). Only the path is used, whatever the host, and
    it is then checked like any path: one outside the uploads and examples is refused.
    """
    from urllib.parse import unquote, urlsplit

    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    try:
        route = urlsplit(url).path
    except ValueError:
        return None
    _, found, rest = route.partition(_FILE_ROUTE)
    return unquote(rest) if found and rest else None


def _check_files(value: Any) -> None:
    """Refuse every file reference inside one input value (iteratively, depth-bounded).

    A URL of a file this app served becomes its path, in place, before the check.
    """
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > _MAX_NESTING:
            raise Sentence(TOO_NESTED)
        if isinstance(item, dict):
            if "path" in item or "url" in item or "meta" in item:
                local = own_file_path(item.get("path"))
                if local is not None:
                    item["path"], item["url"] = local, None
                path = item.get("path")
                if path is not None or item.get("url") is not None:
                    problem = file_refusal(path)
                    if problem:
                        raise Sentence(problem)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend((v, depth + 1) for v in item)


def _label(block: Any) -> str:
    label = getattr(block, "label", None)
    return f"'{label}'" if label else "This value"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    x = float(value)
    return x if math.isfinite(x) else None


def _choice_values(block: Any) -> list[Any]:
    return [c[1] if isinstance(c, (tuple, list)) else c for c in (block.choices or [])]


def _fmt(values: list[Any]) -> str:
    shown = [str(v) for v in values[:12]]
    return ", ".join(shown) + (", ..." if len(values) > 12 else "")


def value_problem(block: Any, value: Any) -> str:
    """'' when ``value`` fits ``block`` (slider, number, radio, dropdown, checkbox, textbox),
    else the sentence naming what is allowed. Other components pass."""
    name = _label(block)
    if isinstance(block, gr.Slider):
        x = _number(value)
        low, high = float(block.minimum), float(block.maximum)
        if x is None or not low <= x <= high:
            return f"{name} must be a number from {low:g} to {high:g}."
    elif isinstance(block, gr.Number):
        if value is None:
            return ""
        x = _number(value)
        low = getattr(block, "minimum", None)
        high = getattr(block, "maximum", None)
        if x is None or (low is not None and x < low) or (high is not None and x > high):
            bounds = f" from {low:g} to {high:g}" if low is not None and high is not None else ""
            return f"{name} must be a finite number{bounds}."
    elif isinstance(block, gr.Checkbox):
        if not isinstance(value, bool):
            return f"{name} must be true or false."
    elif isinstance(block, (gr.Radio, gr.Dropdown)):
        if isinstance(block, gr.Dropdown) and block.allow_custom_value:
            return ""
        allowed = _choice_values(block)
        multi = isinstance(block, gr.Dropdown) and block.multiselect
        picked = value if multi and isinstance(value, list) else [value]
        if value is None and not multi:
            return ""
        if multi and not isinstance(value, list):
            return f"{name} must be a list of: {_fmt(allowed)}."
        for v in picked:
            if not isinstance(v, (str, int, float)) or isinstance(v, bool) or v not in allowed:
                return f"{name} must be one of: {_fmt(allowed)}."
    elif isinstance(block, gr.Textbox):
        if value is None:
            return ""
        if not isinstance(value, str):
            return f"{name} must be text."
        if "\x00" in value:
            return f"{name} must not contain a null character."
        if block.max_length is not None and len(value) > block.max_length:
            return f"{name} takes at most {block.max_length:,} characters."
    return ""


def check_inputs(blocks_in: list[Any], inputs: list[Any], state: Any = None) -> None:
    """Refuse foreign files and out-of-range or wrong-typed values before Gradio reads them."""
    if not isinstance(inputs, list) or len(inputs) != len(blocks_in):
        raise Sentence(
            f"This endpoint takes {len(blocks_in)} input values, in the order the API page "
            "lists them."
        )
    for index, (block, value) in enumerate(zip(blocks_in, inputs, strict=True)):
        if state is not None and getattr(block, "_id", None) in state:
            block = state[block._id]
        try:
            _check_files(value)
        except Sentence as exc:
            raise InputRefused(exc.message, index) from None
        problem = value_problem(block, value)
        if problem:
            raise InputRefused(problem, index)


def _make_guarded_queue():
    from gradio import queueing, route_utils

    class GuardedQueue(queueing.Queue):
        """Gradio's queue with a cap per event and our sentence when it is full."""

        async def push(self, body, request, username):
            try:
                fn = route_utils.get_fn(self.blocks, None, body)
                waiting = self.event_queue_per_concurrency_id.get(fn.concurrency_id)
            except Exception:  # noqa: BLE001 - Gradio's own push answers a bad fn index
                waiting = None
            if waiting is not None and len(waiting.queue) >= limits.QUEUE_MAX_PER_EVENT:
                return False, BUSY, "queue_full"
            if waiting is not None:
                # Checked before the event is queued, validator or not: a refused value is
                # answered like a failed validator (422, the sentence on that input), which
                # the page and gradio_client show as it is.
                try:
                    check_inputs(list(fn.inputs), body.data, self._session_state(body))
                except InputRefused as exc:
                    results = [
                        gr.validate(i != exc.index, exc.message if i == exc.index else "")
                        for i in range(len(fn.inputs))
                    ]
                    _, details = queueing.process_validation_response(results, fn)
                    return False, details, "validator_error"
                except Sentence as exc:
                    return False, exc.message, "error"
            ok, message, state = await super().push(body, request, username)
            if state == "queue_full":
                message = BUSY
            elif state == "error" and not isinstance(message, str):
                message = unexpected_error_sentence("this request")
            return ok, message, state

        def _session_state(self, body):
            app = self.server_app
            holder = getattr(app, "state_holder", None)
            session = getattr(body, "session_hash", None)
            try:
                return holder[session] if holder is not None and session in holder else None
            except Exception:  # noqa: BLE001 - no session state: check against the layout
                return None

    return GuardedQueue


def _lazy_session_state() -> None:
    """Make Gradio build a new session's copy of each component's config when it is needed.

    Gradio 6.31's ``SessionState`` renders the config of every block of the app for every new
    session (for deep links): about 80 ms on this app's ~1,000 blocks, paid by the first event
    of each page load and each new API client, inside the request. Here a session starts with
    only the configs it changes; ``components`` (the deep-link reader) adds the others when it
    runs, from the same blocks, so what it yields is the same.
    """
    from gradio import state_holder

    base = state_holder.SessionState
    if getattr(base, "lazy_configs", False):
        return

    class _AppWithoutBlocks:
        def __init__(self, blocks: Any) -> None:
            self.default_config, self.blocks = blocks.default_config, {}

    class LazySessionState(base):
        lazy_configs = True

        def __init__(self, blocks: Any) -> None:
            super().__init__(_AppWithoutBlocks(blocks))
            self._app_block_ids = blocks.blocks.keys()

        @property
        def components(self):
            configs = self.config_values
            for key, block in self.blocks_config.blocks.items():
                if key in self._app_block_ids and key not in configs:
                    configs[key] = self.blocks_config.config_for_block(key, [], block)
            # In the app's block order, as Gradio's own list is.
            order = [key for key in self.blocks_config.blocks if key in configs]
            self.config_values = {key: configs[key] for key in order} | configs
            return base.components.fget(self)

    state_holder.SessionState = LazySessionState


class ServedBlocks(gr.Blocks):
    """A Blocks that enforces, when mounted with ``gr.mount_gradio_app``, what ``launch()``
    would: only uploaded files (and the bundled examples) as inputs; plus our own sentence
    for every bad value, a capped queue, a bounded cache, and no internals in any answer.

    Gradio checks that a file input was uploaded only for launched apps (``has_launched``);
    a mounted app skips it, so an API caller could post any server path. The check here runs
    before Gradio reads, copies or hashes anything, on every event, validators included.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("delete_cache", (limits.CACHE_CLEAN_EVERY_S, limits.CACHE_MAX_AGE_S))
        super().__init__(*args, **kwargs)
        # Each session holds a copy of the whole app's config plus its gr.State values;
        # the oldest sessions beyond this are dropped (see limits.STATE_MAX_SESSIONS).
        self.state_session_capacity = limits.STATE_MAX_SESSIONS
        _lazy_session_state()

    def queue(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("max_size", limits.QUEUE_MAX_SIZE)
        kwargs.setdefault("default_concurrency_limit", limits.CONCURRENCY_PER_EVENT)
        result = super().queue(*args, **kwargs)
        self._queue.__class__ = _make_guarded_queue()
        return result

    async def preprocess_data(self, block_fn, inputs, state, explicit_call: bool = False):
        check_inputs(list(block_fn.inputs), inputs, state)
        return await super().preprocess_data(block_fn, inputs, state, explicit_call)

    async def process_api(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if not _LOOP:
            _LOOP.append(asyncio.get_running_loop())
        event_id = kwargs.get("event_id")
        queue = getattr(self, "_queue", None)
        if event_id and queue is not None and event_id in queue.event_ids_to_events:
            _QUEUED_EVENT.set((queue, event_id))
        else:
            _QUEUED_EVENT.set(None)
        try:
            return await super().process_api(*args, **kwargs)
        except gr.Error:
            raise
        except Exception as exc:
            # Gradio's own failures (a component's preprocess, a wrong input count) carry
            # handler names, paths and reprs: log them, answer with a sentence.
            log.warning("Refused a request: %s", type(exc).__name__, exc_info=True)
            raise Sentence(
                "This request could not be read: check the inputs' types and values "
                "against the API page."
            ) from None


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


_LINK_JS = (
    "(q) => q ? window.location.origin + window.location.pathname.replace(/\\/?$/, '/') + q : q"
)


def _settings_of(controls: list[tuple[Param, Any]], values: tuple) -> dict[str, Any]:
    return {p.name: v for (p, _), v in zip(controls, values, strict=True)}


def share_panel(tab: str, controls: list[tuple[Param, Any]]) -> None:
    """A "Share these settings" accordion: a link that reopens the tab with them, and a small
    JSON file to save and load (a session leader hands out an exercise)."""
    from audiokit import share

    if not controls:
        return
    params = {p.name: p for p, _ in controls}
    widgets = [c for _, c in controls]
    with gr.Accordion("Share these settings", open=False, elem_classes=["share-settings"]):
        with gr.Row():
            make_link = gr.Button("Make a link", size="sm", elem_classes=["share-link-button"])
            save = gr.Button("Save as JSON", size="sm")
            load = gr.UploadButton("Load JSON", file_types=[".json"], size="sm")
        link = gr.Textbox(
            label="Link to these settings",
            buttons=["copy"],
            interactive=False,
            elem_classes=["share-link"],
        )
        saved = gr.File(label="Settings file", visible=False, interactive=False)
        note = gr.Markdown("", visible=False, elem_classes=["share-note"])

    def link_query(*values: Any) -> tuple[str, gr.Markdown]:
        query = share.to_link(tab, params, _settings_of(controls, values)).lstrip("/")
        if len(query) <= share.MAX_LINK_CHARS:
            return query, gr.Markdown("", visible=False)
        # Some chat apps and browsers cut long addresses; a file always arrives whole.
        return query, gr.Markdown(
            f"This link is {len(query):,} characters long, and some apps cut links over "
            f"{share.MAX_LINK_CHARS:,}: **Save as JSON** hands these settings out safely.",
            visible=True,
        )

    def save_json(*values: Any) -> Any:
        path = download_dir() / f"{tab}-settings.json"
        path.write_text(share.to_json(tab, params, _settings_of(controls, values)))
        return gr.File(value=str(path), visible=True)

    def load_json(file: Any) -> list[Any]:
        try:
            values, notes = share.from_json(Path(file).read_bytes(), tab, params)
        except AudioStudyError as exc:
            return [gr.skip()] * len(widgets) + [
                gr.Markdown(f"**Not loaded.** {exc}", visible=True)
            ]
        return settings_updates(controls, values, notes)

    make_link.click(link_query, widgets, [link, note], queue=False, **PRIVATE).then(
        None, link, link, js=_LINK_JS, **PRIVATE
    )
    save.click(save_json, widgets, saved, queue=False, **PRIVATE)
    load.upload(load_json, load, [*widgets, note], queue=False, **PRIVATE)


def settings_updates(
    controls: list[tuple[Param, Any]], values: dict[str, Any], notes: list[str]
) -> list[Any]:
    """Widget updates for ``values`` (others untouched) and the note on what was left out."""
    updates = [values[p.name] if p.name in values else gr.skip() for p, _ in controls]
    text = " ".join(notes)
    return [
        *updates,
        gr.Markdown(
            f"**Some of the link's settings were not used.** {text}" if text else "",
            visible=bool(text),
        ),
    ]


def settings_from_link(controls: list[tuple[Param, Any]], query: dict[str, str]) -> list[Any]:
    """The updates a link's query parameters make to a tab's widgets (see ``settings_updates``)."""
    from audiokit import share

    params = {p.name: p for p, _ in controls}
    values, notes = share.from_query(params, query)
    return settings_updates(controls, values, notes)


# --- The timing badge: the same place and format on every tab ------------------------------


def device_name() -> str:
    """Where the models run: the GPU's name when torch already uses one, else the CPU."""
    import sys

    torch = sys.modules.get("torch")
    with contextlib.suppress(Exception):
        if torch is not None and torch.cuda.is_available():
            return f"GPU ({torch.cuda.get_device_name(0)})"
    return f"CPU ({os.cpu_count() or 1} cores)"


def timing_badge(engine: str, seconds: float, audio_s: float | None = None) -> str:
    """``engine · device · time · real-time factor``, one line of Markdown for every result.

    The real-time factor is processing time over audio duration (below 1 is faster than
    real time); it is left out where there is no audio duration to divide by.
    """
    parts = [f"⏱ **{html.escape(engine)}**", device_name(), duration_text(seconds)]
    if audio_s and audio_s > 0:
        rtf = seconds / audio_s
        digits = 2 if rtf >= 0.01 else 4  # a few ms over seconds of audio is not "RTF 0.00"
        parts.append(f"RTF {rtf:.{digits}f} ({audio_s:.1f} s of audio)")
    return " · ".join(parts)


def duration_text(seconds: float) -> str:
    """A time taken, readable at every scale: ``1.10 s``, ``42 ms``, ``0.4 ms``.

    Pedalboard runs a chain over seconds of audio in a few milliseconds; "0.00 s" would say
    nothing, and the badge exists to compare speeds.
    """
    if seconds >= 0.1:
        return f"{seconds:.2f} s"
    if seconds >= 0.001:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds * 1000:.1f} ms"


# --- Send to another tab: an audio output goes into another tab's input ---------------------

SEND_TARGETS: dict[str, str] = {
    "asr": "Speech recognition",
    "effects": "Effects",
    "separation": "Separation",
    "speaker": "Speaker verification",
}
_sends: contextvars.ContextVar[dict[str, list] | None] = contextvars.ContextVar(
    "audiostudy_sends", default=None
)


@contextlib.contextmanager
def collect_sends():
    """Collect the send buttons and receiving inputs the demos declare while they build."""
    found: dict[str, list] = {"senders": [], "receivers": []}
    token = _sends.set(found)
    try:
        yield found
    finally:
        _sends.reset(token)


def send_from(component: Any, source: str, targets: tuple[str, ...] = tuple(SEND_TARGETS)) -> Any:
    """ "Send to …" buttons under an audio output, one per receiving tab.

    Hidden until the tabbed app wires them (``wire_sends``): a demo served alone at ``/<id>/``
    (a slide) has no other tab to send to.
    """
    with gr.Row(visible=False, elem_classes=["send-to"]) as row:
        buttons = {t: gr.Button(f"Send to {SEND_TARGETS[t]}", size="sm") for t in targets}
    found = _sends.get()
    if found is not None:
        found["senders"].append((component, source, row, buttons))
    return row


def receive_into(tab: str, component: Any) -> gr.Markdown:
    """Declare ``component`` the audio input of ``tab`` that sent audio lands in; returns the
    note that says where it came from (place it next to the input)."""
    note = gr.Markdown("", visible=False, elem_classes=["sent-from"])
    found = _sends.get()
    if found is not None:
        found["receivers"].append((tab, component, note))
    return note


def _pass_on(source: str, target: str, value: Any) -> tuple[Any, gr.Markdown, gr.Tabs]:
    if value is None:
        raise Sentence(f"There is no {source.lower()} output to send yet: run it first.")
    note = gr.Markdown(f"🔁 This audio came from **{source}**.", visible=True)
    return value, note, gr.Tabs(selected=target)


def wire_sends(found: dict[str, list], tabs: gr.Tabs, app: gr.Blocks) -> None:
    """Wire every send button to its tab's input, switch to that tab, and show the buttons.

    A button whose tab declared no input (``receive_into``) stays hidden.
    """
    receivers = {tab: (component, note) for tab, component, note in found["receivers"]}
    rows = []
    for component, source, row, buttons in found["senders"]:
        for target, button in buttons.items():
            if target not in receivers:
                button.visible = False
                continue
            into, note = receivers[target]
            button.click(
                functools.partial(_pass_on, source, target),
                component,
                [into, note, tabs],
                queue=False,
                **PRIVATE,
            )
        rows.append(row)
    for into, note in receivers.values():
        into.upload(lambda: gr.Markdown("", visible=False), None, note, queue=False, **PRIVATE)
    app.load(lambda: [gr.Row(visible=True)] * len(rows), None, rows, queue=False, **PRIVATE)


# --- Show the code: the library program and the API call for the current settings ---------

APP_URL = "__APP_URL__"
_URL_JS = (
    "(lib, cli) => [lib, cli.replaceAll('__APP_URL__', "
    "window.location.origin + window.location.pathname.replace(/\\/?$/, '/'))]"
)


def code_panel(task: str, controls: list[tuple[Param, Any]]) -> None:
    """A "Code" accordion: a short program that reproduces the tab's result with the library
    itself (no import of this app), and the ``gradio_client`` call of this app's API, both for
    the settings now in the tab."""
    from audiokit import snippets

    widgets = [c for _, c in controls]
    with gr.Accordion("Code: do this yourself", open=False, elem_classes=["code-panel"]):
        show = gr.Button("Show the code for these settings", size="sm")
        library = gr.Code(label="With the library itself", language="python", interactive=False)
        client = gr.Code(label="With this app's API", language="python", interactive=False)

    names = snippets.ENDPOINTS[task][1]

    def write(*values: Any) -> tuple[str, str]:
        # The endpoint's own settings; a compare's or a sub-panel's widgets are not part of it.
        settings = {k: v for k, v in _settings_of(controls, values).items() if k in names}
        return snippets.library(task, settings), snippets.client(task, settings, APP_URL)

    show.click(write, widgets, [library, client], queue=False, **PRIVATE).then(
        None, [library, client], [library, client], js=_URL_JS, **PRIVATE
    )
