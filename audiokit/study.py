"""The study features every tab shares, in one place and one look.

Share these settings (a link or a JSON file), the timing badge under every result, "Send to"
another tab, and "Code: do this yourself" (the library program and the API call for the
settings in the tab). The widgets they read are the ones ``ui.control`` makes from a task's
``PARAMS``; ``app.py`` wires the panels into the tabbed app.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import html
import os
from pathlib import Path
from typing import Any

import gradio as gr

from audiokit.errors import AudioStudyError
from audiokit.params import Param
from audiokit.serving import Sentence
from audiokit.ui import PRIVATE, download_dir

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
