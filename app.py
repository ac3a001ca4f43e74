"""Audio Study Space: assembles the registry into tabs, deep links and one app per demo.

``python app.py`` serves the tabbed app at ``/`` and every demo alone at ``/<id>``, each a
complete Gradio app of its own, so the ``<gradio-app>`` web component and iframes can embed
exactly one demo (the web component fetches ``<src>/config``, which Gradio's multipage
routes do not serve). Gradio's own variables (GRADIO_SERVER_NAME, GRADIO_SERVER_PORT, set by
Hugging Face Spaces) choose the host and port.

The app at ``/`` is also an MCP server (``/gradio_api/mcp/``): its public endpoints are the
tools. Start-up builds only the tabbed app; once the server is up, one background thread
builds the ``/<id>`` pages and then warms the embedded models (audiokit.warmup); a request
that comes first builds its page, or loads its model, itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import html
import json
import logging
import os
import shutil
import tempfile
import threading
from typing import Any

import gradio as gr

from audiokit import limits, study, ui, warmup
from audiokit.params import Param
from audiokit.serving import ServedBlocks, release_memory, sweep_cache
from audiokit.ui import error_panel, launch_kwargs
from demos import DEMO_IDS, DEMOS, Demo

log = logging.getLogger("audiostudy")

TITLE = "Audio Study Space"
TASKS_IN_WORDS = ", ".join(d.title.lower() for d in DEMOS if d.id != "community")
INTRO = (
    f"# 🎧 {TITLE}\n"
    f"Try what the study group reads about: {TASKS_IN_WORDS}, all running offline on the "
    "CPU with bundled models, with bigger Hub models on demand. Each tab shows what the "
    "model sees."
)


def _build(demo: Demo) -> gr.Blocks:
    """The demo's Blocks, or an error panel when it fails: one broken demo costs one tab.

    Called inside the tab's (or page's) context, where a new Blocks renders itself;
    calling ``.render()`` on a finished Blocks inside a Tab duplicates its layout
    (seen with gradio 6.31).
    """
    try:
        return demo.build()
    except Exception as exc:
        log.exception("Demo %r failed to build", demo.id)
        return error_panel(demo.title, exc)


def unknown_tab_note(wanted: str) -> str:
    """What a link to a tab that does not exist says (it opens the first tab)."""
    known = ", ".join(f"`{d}`" for d in DEMO_IDS)
    return (
        f"There is no tab called `{html.escape(wanted[:40])}`, so the app opened "
        f"{DEMOS[0].title}. The tabs are: {known}."
    )


Controls = list[tuple[Param, Any]]


def open_link(controls: dict[str, Controls], request: gr.Request) -> list[Any]:
    """Open the tab named by ``?tab=<id>`` (Gradio has no built-in tab deep link) with the
    settings the link carries; what does not fit is left out with a note, never an error."""
    query = dict(request.query_params) if request else {}
    wanted = (query.get("tab") or "").strip().lower()
    updates: list[Any] = []
    note = gr.Markdown(visible=False)
    for tab, widgets in controls.items():
        if tab == wanted and set(query) - {"tab"}:
            *changed, note = study.settings_from_link(widgets, query)
            updates += changed
        else:
            updates += [gr.skip()] * len(widgets)
    if wanted in DEMO_IDS:
        return [gr.Tabs(selected=wanted), note, *updates]
    if wanted:
        return [gr.Tabs(), gr.Markdown(unknown_tab_note(wanted), visible=True), *updates]
    return [gr.Tabs(), note, *updates]


def _open_page_link(widgets: Controls, request: gr.Request) -> list[Any]:
    """A ``/<id>/`` page takes the same settings in its own address (``/tts/?length_scale=1.2``)."""
    query = {k: v for k, v in dict(request.query_params).items() if k != "tab"} if request else {}
    if not query:
        return [gr.skip()] * len(widgets) + [gr.Markdown(visible=False)]
    return study.settings_from_link(widgets, query)


# Each tab's "Code" panel shows this task's snippets (Community has no code to show).
CODE_TASKS = ("asr", "tts", "effects", "separation", "speaker")


def _build_tab(demo: Demo) -> Controls:
    """The demo, then its study panels: the code for its settings and a link to share them.
    Returns the settings the demo's widgets hold (those a link or a JSON file can carry)."""
    with ui.collect_controls() as controls:
        _build(demo)
    if controls:
        if demo.id in CODE_TASKS:
            study.code_panel(demo.id, controls)
        study.share_panel(demo.id, controls)
    return controls


# Inside the tabbed app, a Community "Try it" link switches tabs in place (a full page load
# would lose every other tab's results), and the address bar follows the open tab so a copied
# link reopens it. On a phone a tab button may sit in Gradio's overflow menu, where it carries
# no id, so buttons are matched by title too. Only user clicks change the address: Gradio also
# fires a tab's select event when the page mounts, which would overwrite ?tab= before it is read.
TAB_SCRIPT = """
() => {
  const titles = __TITLES__;
  const bar = () => document.querySelector(".tabs > .tab-wrapper");
  const idOf = (button) => button.dataset.tabId && button.dataset.tabId in titles
    ? button.dataset.tabId
    : Object.keys(titles).find((id) => titles[id] === button.textContent.trim());
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.cc-tab[data-tab]");
    if (link && bar()) {
      const button = [...bar().querySelectorAll("button")].find(
        (b) => idOf(b) === link.dataset.tab && !b.closest(".visually-hidden"));
      if (button) {
        event.preventDefault();
        button.click();
        window.scrollTo({ top: 0 });
      }
      return;
    }
    const button = event.target.closest("button");
    if (!button || !bar() || !bar().contains(button)) return;
    const id = idOf(button);
    if (!id) return;
    const url = new URL(window.location.href);
    url.searchParams.set("tab", id);
    window.history.replaceState(null, "", url);
  }, true);
}
""".replace("__TITLES__", json.dumps({d.id: d.title for d in DEMOS}))


def build_app() -> gr.Blocks:
    """Every demo as a tab, with a header, ``?tab=<id>`` deep links that carry settings, and
    "Send to …" buttons between the tabs."""
    with ServedBlocks(title=TITLE) as app, study.collect_sends() as sends:
        gr.Markdown(INTRO)
        note = gr.Markdown(visible=False, elem_id="tab-note")
        controls: dict[str, Controls] = {}
        with gr.Tabs() as tabs:
            for demo in DEMOS:
                with gr.Tab(demo.title, id=demo.id):
                    controls[demo.id] = _build_tab(demo)
        study.wire_sends(sends, tabs, app)
        widgets = [c for tab in controls.values() for _, c in tab]

        def on_load(request: gr.Request) -> list[Any]:
            # A closure, not functools.partial: Gradio finds the gr.Request by its annotation.
            return open_link(controls, request)

        app.load(
            on_load,
            None,
            [tabs, note, *widgets],
            api_visibility="private",
            show_progress="hidden",
        )
    return app


def build_page(demo: Demo) -> gr.Blocks:
    """One demo alone, no app chrome and no "Send to" buttons: what a slide embeds."""
    with ServedBlocks(title=f"{demo.title} · {TITLE}") as page:
        note = gr.Markdown(visible=False, elem_id="tab-note")
        controls = _build_tab(demo)
        if controls:

            def on_load(request: gr.Request) -> list[Any]:
                return _open_page_link(controls, request)

            page.load(
                on_load,
                None,
                [*(c for _, c in controls), note],
                api_visibility="private",
                show_progress="hidden",
            )
    return page


def _to_slash(request, *, target: str):
    from starlette.responses import RedirectResponse

    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(target + query)


# --- Start-up: build only what serves ---------------------------------------------------

_BUILDING: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "audiostudy_building", default=False
)


def _install_build_shortcut() -> None:
    """Skip the FastAPI apps Gradio builds and throws away while a Blocks is being built.

    Gradio 6.31 creates a whole ``App`` (some 80 routes) at the end of every ``with Blocks()``
    and every ``.queue()``; ``mount_gradio_app`` then creates the one that serves. For the
    tabbed app (7 Blocks) that was 1.5 of its 1.9 s of build time on this machine. While
    ``_BUILDING`` is set (only in :func:`_quick_build`, per context, so a request served
    meanwhile is untouched) those calls get None; :func:`_mount` then points ``blocks.app``
    at the served app, as ``launch()`` does.
    """
    from gradio.routes import App

    original = App.__dict__["create_app"].__func__
    if getattr(original, "_audiostudy_shortcut", False):
        return

    def create_app(*args, **kwargs):
        if _BUILDING.get():
            return None
        return original(*args, **kwargs)

    create_app._audiostudy_shortcut = True
    App.create_app = staticmethod(create_app)


@contextlib.contextmanager
def _quick_build():
    _install_build_shortcut()
    token = _BUILDING.set(True)
    try:
        yield
    finally:
        _BUILDING.reset(token)


def _mount(server, blocks: gr.Blocks, path: str, **kwargs) -> None:
    """``gr.mount_gradio_app``, then ``blocks.app`` is the app that serves (its queue reads it)."""
    gr.mount_gradio_app(server, blocks, path=path, **launch_kwargs(), **kwargs)
    blocks.app = server.routes[-1].app
    if getattr(blocks, "mcp_server_obj", None) is not None:
        _mend_mcp_answers(blocks.mcp_server_obj)


def _refusal_sentence(exc: BaseException) -> str | None:
    """Our sentence inside a refused queue join (HTTP 400), which gradio_client drops."""
    import httpx

    if not isinstance(exc, httpx.HTTPStatusError):
        return None
    try:
        detail = exc.response.json().get("detail")
    except (ValueError, AttributeError):
        return None
    return detail if isinstance(detail, str) and detail else None


def _mend_mcp_answers(mcp_server) -> None:
    """Three fixes to Gradio 6.31's MCP tool calls:

    - a tool with several outputs came back as one text, the repr of the whole tuple, when
      the client sent no progress token (and
      a ``gr.State`` output then failed with "pop index out of range"): each output is now
      its own content item, the audio as its URL;
    - a request the serving guard refused before the queue (a foreign file, a value out of
      range) reached the agent as "400 Bad Request": it now gets the guard's sentence;
    - a list of files (the downloads) was the repr of its dicts: each file is its URL.
    """
    from anyio.to_thread import run_sync
    from gradio_client import utils as client_utils

    async def without_progress(job) -> list:
        try:
            result = await run_sync(job.result)
        except Exception as exc:
            sentence = _refusal_sentence(exc)
            if sentence is None:
                raise
            raise RuntimeError(sentence) from None
        # gradio_client answers a tuple for several outputs and the value itself for one.
        return list(result) if isinstance(result, tuple) else [result]

    original_with_progress = mcp_server._execute_tool_with_progress

    async def with_progress(job, progress_token) -> list:
        try:
            return await original_with_progress(job, progress_token)
        except Exception as exc:
            sentence = _refusal_sentence(exc)
            if sentence is None:
                raise
            raise RuntimeError(sentence) from None

    original_postprocess = mcp_server.postprocess_output_data

    def postprocess(data, root_url):
        # A list of files (the downloads) would be one text, the repr of its dicts.
        flat = []
        for output in data:
            files = isinstance(output, list) and output
            if files and all(client_utils.is_file_obj_with_meta(item) for item in output):
                flat.extend(output)
            else:
                flat.append(output)
        return original_postprocess(flat, root_url)

    mcp_server._execute_tool_without_progress = without_progress
    mcp_server._execute_tool_with_progress = with_progress
    mcp_server.postprocess_output_data = postprocess


# Gradio's build context (the Blocks being filled) is one per process: one build at a time.
_BUILD_LOCK = threading.Lock()


def _page_server(demo: Demo):
    """A small FastAPI app serving one demo's page at its root (built on a worker thread)."""
    from fastapi import FastAPI

    with _BUILD_LOCK, _quick_build():
        page = build_page(demo).queue()
    holder = FastAPI()
    _mount(holder, page, "", mcp_server=False)
    return holder


class LazyPage:
    """The ASGI app at ``/<id>``: the demo's page, built after start-up instead of before.

    Building every page before serving doubled the start (6 more Blocks); most visitors open
    ``/`` only. The background warm-up builds the pages once the server is up
    (:meth:`prepare`); a request that comes first builds it itself (others arriving
    meanwhile wait for that build), then starts the page's queue (what a mount's lifespan
    does at start-up) and is served.
    """

    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self._holder = None
        self._built = threading.Lock()
        self._app = None
        self._lock: asyncio.Lock | None = None
        self._stack: contextlib.AsyncExitStack | None = None

    def prepare(self):
        """Build the page's app once (thread-safe; the warm-up calls this); returns it."""
        with self._built:
            if self._holder is None:
                self._holder = _page_server(self.demo)
                log.info("Built the /%s/ page", self.demo.id)
            return self._holder

    async def __call__(self, scope, receive, send) -> None:
        app = self._app or await self._start()
        await app(scope, receive, send)

    async def _start(self):
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._app is None:
                holder = await asyncio.to_thread(self.prepare)
                stack = contextlib.AsyncExitStack()
                await stack.enter_async_context(holder.router.lifespan_context(holder))
                self._stack = stack
                self._app = holder
        return self._app

    async def stop(self) -> None:
        """Stop the page's queue and clean its files, as the server's shutdown would."""
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = None


# The lazily built pages of the server create_server() made last, stopped at shutdown.
_PAGES: list[LazyPage] = []

# The tasks whose embedded default model warms up after start, in tab order; a package
# that does not exist (yet) or has no ``warm_up`` is skipped.
WARM_TASKS = ("asr", "tts", "effects", "separation", "speaker", "diarization")


def warm_up_jobs() -> list[tuple[str, warmup.Job]]:
    """Each task's ``warm_up``, imported only when the warm-up thread reaches it."""
    return [(task, warmup.task_warm_up(f"audiokit.tasks.{task}")) for task in WARM_TASKS]


# The cache folder main() made for this process, removed at shutdown.
_OWN_CACHE: list[str] = []


@contextlib.asynccontextmanager
async def _lifespan(_server):
    """Keep Gradio's cache folder bounded, build the pages and warm the models in the
    background, stop the pages at shutdown.

    Gradio's ``delete_cache`` (set by ServedBlocks) removes the files runs used; the sweep
    also removes uploads that never reached a run and the folders left empty.
    """

    async def sweep_forever():
        while True:
            await asyncio.sleep(limits.CACHE_CLEAN_EVERY_S)
            files, size = await asyncio.to_thread(sweep_cache, limits.CACHE_MAX_AGE_S)
            if files:
                log.info("Cache: removed %d old files (%.1f MB)", files, size / 1e6)
            await asyncio.to_thread(release_memory)

    task = asyncio.create_task(sweep_forever())
    # The pages first (a fraction of a second each), then the models (seconds each).
    jobs = [(f"/{page.demo.id}/ page", page.prepare) for page in _PAGES]
    warming = warmup.start(jobs + (warm_up_jobs() if warmup.enabled() else []))
    try:
        yield
    finally:
        task.cancel()
        warming.stop()
        for page in _PAGES:
            with contextlib.suppress(Exception):
                await page.stop()
        # Here, not after uvicorn.run(): uvicorn re-raises SIGTERM once it has shut down,
        # which ends the process before any code after run() could clean up.
        if _OWN_CACHE:
            shutil.rmtree(_OWN_CACHE[0], ignore_errors=True)


def create_server():
    """A FastAPI app with the tabbed app (and MCP server) at ``/`` and every demo at ``/<id>``.

    Every Blocks is a ServedBlocks: file inputs only from this server's uploads (and the
    bundled examples), our own sentence for bad values, a capped queue per event. Only the
    app at ``/`` is an MCP server; the pages are built after start-up (LazyPage).
    """
    from fastapi import FastAPI

    server = FastAPI(title=TITLE, lifespan=_lifespan)
    _PAGES.clear()
    for demo in DEMOS:
        # A mount answers only below its path: send /asr to /asr/ (relative, proxy-safe).
        server.add_route(f"/{demo.id}", functools.partial(_to_slash, target=f"{demo.id}/"))
        page = LazyPage(demo)
        _PAGES.append(page)
        server.mount(f"/{demo.id}", page)
    with _BUILD_LOCK, _quick_build():
        root = build_app().queue()
    # Mounted last: "/" would otherwise swallow the demo paths.
    _mount(server, root, "", mcp_server=True, js=TAB_SCRIPT)
    return server


def main() -> None:
    """Serve on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (default 127.0.0.1:7860)."""
    import uvicorn

    logging.basicConfig(level=logging.INFO)
    # A cache folder of this process's own (unless GRADIO_TEMP_DIR names one), removed whole
    # at shutdown: nothing is left behind, and no other server's files are touched.
    own_cache = None
    if not os.environ.get("GRADIO_TEMP_DIR"):
        own_cache = tempfile.mkdtemp(prefix="audiostudy-gradio-")
        os.environ["GRADIO_TEMP_DIR"] = own_cache
        _OWN_CACHE.append(own_cache)
    host = os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1")
    port = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    print(f"* Running on http://{host}:{port} (demos alone at /{', /'.join(DEMO_IDS)})")
    # Open event streams would hold a graceful shutdown for long; a few seconds is plenty.
    try:
        uvicorn.run(
            create_server(), host=host, port=port, log_level="warning", timeout_graceful_shutdown=3
        )
    finally:
        if own_cache:
            shutil.rmtree(own_cache, ignore_errors=True)


if __name__ == "__main__":
    main()
