"""Audio Study Space: assembles the registry into tabs, deep links and one page per demo.

``python app.py`` serves it; Gradio's own variables (GRADIO_SERVER_NAME, GRADIO_SERVER_PORT,
set by Hugging Face Spaces) choose the host and port.
"""

from __future__ import annotations

import logging

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


def _build(demo: Demo, *, api_prefix: str = "") -> gr.Blocks:
    """The demo's Blocks, or an error panel when it fails: one broken demo costs one tab.

    Called inside the tab's (or page's) context, where a new Blocks renders itself;
    calling ``.render()`` on a finished Blocks inside a Tab duplicates its layout
    (seen with gradio 6.31).
    """
    try:
        return demo.build(api_prefix=api_prefix)
    except Exception as exc:
        log.exception("Demo %r failed to build", demo.id)
        return error_panel(demo.title, exc)


def select_tab(request: gr.Request) -> gr.Tabs:
    """Open the tab named by ``?tab=<id>`` (Gradio has no built-in tab deep link)."""
    wanted = (request.query_params.get("tab") or "").strip().lower() if request else ""
    return gr.Tabs(selected=wanted) if wanted in DEMO_IDS else gr.Tabs()


def build_app() -> gr.Blocks:
    """Every demo as a tab at ``/`` and alone, chrome-free, at ``/<id>``."""
    with gr.Blocks(title=TITLE) as app:
        gr.Markdown(INTRO)
        with gr.Tabs() as tabs:
            for demo in DEMOS:
                with gr.Tab(demo.title, id=demo.id):
                    _build(demo)
        app.load(select_tab, None, tabs, api_visibility="private", show_progress="hidden")
    for demo in DEMOS:
        # The page copies get their own endpoint names; Gradio would rename clashes to _1.
        with app.route(demo.title, f"/{demo.id}", show_in_navbar=False):
            _build(demo, api_prefix=f"{demo.id}_page_")
    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    build_app().queue(default_concurrency_limit=1).launch(**launch_kwargs())
