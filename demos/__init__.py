"""The registry: one line per demo, in tab order.

Adding a demo = one task package (``audiokit/tasks/<id>/``) + one module with
``build() -> gr.Blocks`` + one line here.
Modules are imported only when their tab is built, so one demo that fails to import or
build cannot take the others down (app.py shows an error panel in its place).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import NamedTuple

import gradio as gr


class Demo(NamedTuple):
    id: str
    title: str
    build: Callable[..., gr.Blocks]


def _lazy(module: str) -> Callable[..., gr.Blocks]:
    def build(**kwargs) -> gr.Blocks:
        return importlib.import_module(module).build(**kwargs)

    build.__qualname__ = f"{module}.build"
    return build


DEMOS: tuple[Demo, ...] = (
    Demo("asr", "Speech recognition", _lazy("demos.asr")),
    Demo("tts", "Text to speech", _lazy("demos.tts")),
    Demo("effects", "Effects", _lazy("demos.effects")),
    Demo("separation", "Separation", _lazy("demos.separation")),
    Demo("speaker", "Speaker verification", _lazy("demos.speaker")),
    Demo("community", "Community", _lazy("demos.community")),
)

DEMO_IDS: tuple[str, ...] = tuple(d.id for d in DEMOS)
