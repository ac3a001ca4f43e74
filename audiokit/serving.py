"""What the server lets in, and how it holds up in front of anyone on the internet.

One job: the checks every request passes before Gradio reads it (only uploaded files and the
bundled examples, values inside each widget's range, a nesting bound), the capped queue and
its sentence, lazy per-session state, cancellation of a run whose client left, and the
cleaning of Gradio's cache. :class:`ServedBlocks` applies them to a mounted app the way
``launch()`` would (and more). Demos never import this module; ``app.py`` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import math
import os
from pathlib import Path
from typing import Any

import gradio as gr

from audiokit import limits

log = logging.getLogger("audiostudy")


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
