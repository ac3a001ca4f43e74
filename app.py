"""Audio Study Space: assembles the registry into tabs, deep links and one app per demo.

``python app.py`` serves the tabbed app at ``/`` and every demo alone at ``/<id>``, each a
complete Gradio app of its own, so the ``<gradio-app>`` web component and iframes can embed
exactly one demo (the web component fetches ``<src>/config``, which Gradio's multipage
routes do not serve). Gradio's own variables (GRADIO_SERVER_NAME, GRADIO_SERVER_PORT, set by
Hugging Face Spaces) choose the host and port.
"""

from __future__ import annotations

import functools
import logging
import os

import gradio as gr

from audiokit.ui import error_panel, launch_kwargs
from demos import DEMO_IDS, DEMOS, Demo

log = logging.getLogger("audiostudy")

TITLE = "Audio Study Space"
INTRO = (
    f"# 🎧 {TITLE}\n"
    "Try what the study group reads about: speech recognition, text to speech, effects, "
    "separation and speaker verification, all running offline on the CPU with bundled "
    "models, with bigger Hub models on demand. Each tab shows what the model sees."
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


def select_tab(request: gr.Request) -> gr.Tabs:
    """Open the tab named by ``?tab=<id>`` (Gradio has no built-in tab deep link)."""
    wanted = (request.query_params.get("tab") or "").strip().lower() if request else ""
    return gr.Tabs(selected=wanted) if wanted in DEMO_IDS else gr.Tabs()


def build_app() -> gr.Blocks:
    """Every demo as a tab, with a header, and ``?tab=<id>`` deep links."""
    with gr.Blocks(title=TITLE) as app:
        gr.Markdown(INTRO)
        with gr.Tabs() as tabs:
            for demo in DEMOS:
                with gr.Tab(demo.title, id=demo.id):
                    _build(demo)
        app.load(select_tab, None, tabs, api_visibility="private", show_progress="hidden")
    return app


def build_page(demo: Demo) -> gr.Blocks:
    """One demo alone, no app chrome: what a slide embeds."""
    with gr.Blocks(title=f"{demo.title} · {TITLE}") as page:
        _build(demo)
    return page


def _to_slash(request, *, target: str):
    from starlette.responses import RedirectResponse

    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(target + query)


def create_server():
    """A FastAPI app with every demo mounted at ``/<id>`` and the tabbed app at ``/``."""
    from fastapi import FastAPI

    server = FastAPI(title=TITLE)
    for demo in DEMOS:
        # A mount answers only below its path: send /asr to /asr/ (relative, proxy-safe).
        server.add_route(f"/{demo.id}", functools.partial(_to_slash, target=f"{demo.id}/"))
        page = build_page(demo).queue(default_concurrency_limit=1)
        gr.mount_gradio_app(server, page, path=f"/{demo.id}", **launch_kwargs())
    # Mounted last: "/" would otherwise swallow the demo paths.
    gr.mount_gradio_app(
        server, build_app().queue(default_concurrency_limit=1), path="", **launch_kwargs()
    )
    return server


def main() -> None:
    """Serve on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (default 127.0.0.1:7860)."""
    import uvicorn

    logging.basicConfig(level=logging.INFO)
    host = os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1")
    port = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    print(f"* Running on http://{host}:{port} (demos alone at /{', /'.join(DEMO_IDS)})")
    # Open event streams would hold a graceful shutdown for long; a few seconds is plenty.
    uvicorn.run(
        create_server(), host=host, port=port, log_level="warning", timeout_graceful_shutdown=3
    )


if __name__ == "__main__":
    main()
