"""Shareable settings: a tab's settings as a link (query parameters) or a small JSON file.

A session leader hands out an exercise as ``/?tab=tts&length_scale=1.3&voice=...``; the link
reopens the tab with exactly those settings. What a link carries is read against the task's
``PARAMS``, so an unknown name or an out-of-range value is left out with a note the page
shows, never an error page. No Gradio here.
"""

from __future__ import annotations

import json
import math
import urllib.parse
from collections.abc import Mapping
from typing import Any

from audiokit.errors import AudioStudyError
from audiokit.params import Param

RESERVED = ("tab",)
MAX_LINK_CHARS = 4000
MAX_JSON_BYTES = 64_000


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parse(param: Param, raw: Any) -> Any:
    """``raw`` (text from a link, or a JSON value) as the parameter's type; checked."""
    kind = param.kind
    if isinstance(raw, str) and kind == "bool":
        low = raw.strip().lower()
        if low not in {"true", "false", "1", "0", "yes", "no"}:
            raise AudioStudyError(f"'{param.title}' must be true or false.")
        raw = low in {"true", "1", "yes"}
    elif isinstance(raw, str) and kind == "number":
        try:
            raw = float(raw)
        except ValueError:
            raise AudioStudyError(f"'{param.title}' must be a number.") from None
        if param.integer and math.isfinite(raw) and raw.is_integer():
            raw = int(raw)
    elif isinstance(raw, str) and kind == "choice":
        # A link carries text; a numeric choice (a sample rate) is matched by its text.
        raw = next((c for c in param.choices if _text(c) == raw), raw)
    return param.check(raw)


def changed(params: Mapping[str, Param], values: Mapping[str, Any]) -> dict[str, Any]:
    """The settings that differ from their defaults: what a link needs to carry."""
    return {k: v for k, v in values.items() if k in params and v != params[k].default}


def to_link(
    tab: str, params: Mapping[str, Param], values: Mapping[str, Any], base: str = ""
) -> str:
    """``<base>/?tab=<tab>&name=value...`` with the settings that differ from the defaults."""
    query = {"tab": tab} | {k: _text(v) for k, v in changed(params, values).items()}
    return f"{base.rstrip('/')}/?{urllib.parse.urlencode(query)}"


def from_query(
    params: Mapping[str, Param], query: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The settings a link (or JSON) carries, and a note for each value left out.

    Names that are not settings of this tab, and values out of range or of the wrong type,
    are left out: the tab keeps its default there and the note says so.
    """
    values: dict[str, Any] = {}
    notes: list[str] = []
    for name, raw in query.items():
        if name in RESERVED:
            continue
        shown = str(name)[:40]
        param = params.get(name)
        if param is None:
            notes.append(f"`{shown}` is not a setting of this tab, so it was ignored.")
            continue
        try:
            values[name] = _parse(param, raw)
        except AudioStudyError as exc:
            notes.append(f"{exc} The link's value was ignored; the default is kept.")
    return values, notes


def to_json(tab: str, params: Mapping[str, Param], values: Mapping[str, Any]) -> str:
    """The tab's settings, every one of them, as a small JSON document."""
    settings = {k: values.get(k, p.default) for k, p in params.items()}
    return json.dumps({"tab": tab, "settings": settings}, indent=2, ensure_ascii=False)


def from_json(text: str | bytes, tab: str, params: Mapping[str, Param]) -> tuple[dict, list[str]]:
    """Settings saved by :func:`to_json`, read as a link is (with notes for what is left out).

    Raises:
        AudioStudyError: not a settings file of this app, or one for another tab.
    """
    if len(text) > MAX_JSON_BYTES:
        raise AudioStudyError("That settings file is too large to be one saved by this app.")
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise AudioStudyError("That file is not a settings file saved by this app.") from None
    if not isinstance(data, dict) or not isinstance(data.get("settings"), dict):
        raise AudioStudyError("That file is not a settings file saved by this app.")
    if data.get("tab") != tab:
        other = str(data.get("tab"))[:40]
        raise AudioStudyError(f"Those settings are for the `{other}` tab, not this one.")
    return from_query(params, data["settings"])
