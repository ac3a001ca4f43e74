"""Audio Study Space: assembles the registry into tabs, deep links and one app per demo.

``python app.py`` serves the tabbed app at ``/`` and every demo alone at ``/<id>``, each a
complete Gradio app of its own, so the ``<gradio-app>`` web component and iframes can embed
exactly one demo (the web component fetches ``<src>/config``, which Gradio's multipage
routes do not serve). Gradio's own variables (GRADIO_SERVER_NAME, GRADIO_SERVER_PORT, set by
Hugging Face Spaces) choose the host and port.
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import logging
import os
import shutil
import tempfile

import gradio as gr

from audiokit import limits
from audiokit.ui import ServedBlocks, error_panel, launch_kwargs, release_memory, sweep_cache
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


def select_tab(request: gr.Request) -> tuple[gr.Tabs, gr.Markdown]:
    """Open the tab named by ``?tab=<id>`` (Gradio has no built-in tab deep link)."""
    wanted = (request.query_params.get("tab") or "").strip().lower() if request else ""
    if wanted in DEMO_IDS:
        return gr.Tabs(selected=wanted), gr.Markdown(visible=False)
    if wanted:
        return gr.Tabs(), gr.Markdown(unknown_tab_note(wanted), visible=True)
    return gr.Tabs(), gr.Markdown(visible=False)


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
    """Every demo as a tab, with a header, and ``?tab=<id>`` deep links."""
    with ServedBlocks(title=TITLE) as app:
        gr.Markdown(INTRO)
        note = gr.Markdown(visible=False, elem_id="tab-note")
        with gr.Tabs() as tabs:
            for demo in DEMOS:
                with gr.Tab(demo.title, id=demo.id):
                    _build(demo)
        app.load(select_tab, None, [tabs, note], api_visibility="private", show_progress="hidden")
    return app


def build_page(demo: Demo) -> gr.Blocks:
    """One demo alone, no app chrome: what a slide embeds."""
    with ServedBlocks(title=f"{demo.title} · {TITLE}") as page:
        _build(demo)
    return page


def _to_slash(request, *, target: str):
    from starlette.responses import RedirectResponse

    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(target + query)


# The cache folder main() made for this process, removed at shutdown.
_OWN_CACHE: list[str] = []


@contextlib.asynccontextmanager
async def _cache_cleaner(_server):
    """Keep Gradio's cache folder bounded: uploads nobody ran and old outputs go.

    Gradio's ``delete_cache`` (set by ServedBlocks) removes the files runs used; this also
    removes uploads that never reached a run and the folders left empty.
    """
    import asyncio

    async def sweep_forever():
        while True:
            await asyncio.sleep(limits.CACHE_CLEAN_EVERY_S)
            files, size = await asyncio.to_thread(sweep_cache, limits.CACHE_MAX_AGE_S)
            if files:
                log.info("Cache: removed %d old files (%.1f MB)", files, size / 1e6)
            await asyncio.to_thread(release_memory)

    task = asyncio.create_task(sweep_forever())
    try:
        yield
    finally:
        task.cancel()
        # Here, not after uvicorn.run(): uvicorn re-raises SIGTERM once it has shut down,
        # which ends the process before any code after run() could clean up.
        if _OWN_CACHE:
            shutil.rmtree(_OWN_CACHE[0], ignore_errors=True)


def create_server():
    """A FastAPI app with every demo mounted at ``/<id>`` and the tabbed app at ``/``.

    Every Blocks is a ServedBlocks: file inputs only from this server's uploads (and the
    bundled examples), our own sentence for bad values, a capped queue per event.
    """
    from fastapi import FastAPI

    server = FastAPI(title=TITLE, lifespan=_cache_cleaner)
    for demo in DEMOS:
        # A mount answers only below its path: send /asr to /asr/ (relative, proxy-safe).
        server.add_route(f"/{demo.id}", functools.partial(_to_slash, target=f"{demo.id}/"))
        page = build_page(demo).queue()
        gr.mount_gradio_app(server, page, path=f"/{demo.id}", **launch_kwargs())
    # Mounted last: "/" would otherwise swallow the demo paths.
    gr.mount_gradio_app(
        server,
        build_app().queue(),
        path="",
        **launch_kwargs(),
        js=TAB_SCRIPT,
    )
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
