"""Community tab: the study group's Spaces, toolkits, papers, courses and schedule as cards.

Everything comes from ``community.yaml``; adding an entry means editing that file only.
Cards render offline at once; when the Hub is reachable, Space cards gain their live status.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import gradio as gr

from audiokit.errors import AudioStudyError
from audiokit.models import hub_reachable
from audiokit.ui import launch_alone, user_errors
from demos import DEMO_IDS

DATA_FILE = Path(__file__).with_name("community.yaml")
KINDS = {
    "space": "Space",
    "toolkit": "Toolkit",
    "papers": "Paper list",
    "course": "Course",
    "session": "Session",
}
TASKS = ("asr", "tts", "effects", "separation", "enhancement", "speaker", "translation", "overview")
ALL = "all"
REQUIRED = ("id", "title", "url", "kind", "tasks", "description", "tabs")
STATUS_TTL_S = 600.0
STATUS_TIMEOUT_S = 2.0


@dataclasses.dataclass(frozen=True)
class Entry:
    """One card."""

    id: str
    title: str
    url: str
    kind: str
    tasks: tuple[str, ...]
    description: str
    tabs: tuple[str, ...]
    date: dt.date | None = None
    readings: tuple[str, ...] = ()

    @property
    def space_id(self) -> str | None:
        """``owner/name`` for a Hugging Face Space, else None."""
        parts = urlparse(self.url).path.strip("/").split("/")
        if self.kind == "space" and len(parts) == 3 and parts[0] == "spaces":
            return f"{parts[1]}/{parts[2]}"
        return None


def _entry(raw: Any, index: int) -> Entry:
    where = f"entry {index + 1}"
    if not isinstance(raw, dict):
        raise AudioStudyError(f"{where} must be a mapping of fields, not {type(raw).__name__}.")
    where = f"entry {index + 1} ({raw.get('id', 'no id')})"
    missing = [f for f in REQUIRED if f not in raw]
    if missing:
        raise AudioStudyError(f"{where} is missing: {', '.join(missing)}.")
    unknown = set(raw) - set(REQUIRED) - {"date", "readings"}
    if unknown:
        raise AudioStudyError(f"{where} has unknown fields: {', '.join(sorted(unknown))}.")
    for field in ("id", "title", "url", "description"):
        if not isinstance(raw[field], str) or not raw[field].strip():
            raise AudioStudyError(f"{where}: '{field}' must be non-empty text.")
    url = urlparse(raw["url"])
    if url.scheme != "https" or not url.netloc:
        raise AudioStudyError(f"{where}: url must be an https:// address, not {raw['url']!r}.")
    if raw["kind"] not in KINDS:
        raise AudioStudyError(f"{where}: kind must be one of {', '.join(KINDS)}.")
    for field, known in (("tasks", TASKS), ("tabs", DEMO_IDS)):
        values = raw[field]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise AudioStudyError(f"{where}: '{field}' must be a list of names.")
        bad = [v for v in values if v not in known]
        if bad:
            raise AudioStudyError(
                f"{where}: unknown {field} {', '.join(bad)}; known: {', '.join(known)}."
            )
    if not raw["tasks"]:
        raise AudioStudyError(f"{where}: 'tasks' needs at least one task.")
    date = raw.get("date")
    if raw["kind"] == "session" and not isinstance(date, dt.date):
        raise AudioStudyError(f"{where}: a session needs a date written YYYY-MM-DD.")
    return Entry(
        id=raw["id"],
        title=raw["title"],
        url=raw["url"],
        kind=raw["kind"],
        tasks=tuple(raw["tasks"]),
        description=raw["description"],
        tabs=tuple(raw["tabs"]),
        date=date,
        readings=tuple(raw.get("readings") or ()),
    )


def parse_entries(raw: Any) -> list[Entry]:
    """Validate the data file's content: fields, URLs, unique ids, known tags and tabs.

    Raises:
        AudioStudyError: naming the entry and the field at fault.
    """
    if not isinstance(raw, list) or not raw:
        raise AudioStudyError("The community file must be a non-empty list of entries.")
    entries = [_entry(item, i) for i, item in enumerate(raw)]
    ids = [e.id for e in entries]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise AudioStudyError(f"Entry ids must be unique; repeated: {', '.join(duplicates)}.")
    for e in entries:
        dangling = [r for r in e.readings if r not in ids]
        if dangling:
            raise AudioStudyError(f"{e.id}: readings name unknown entries {', '.join(dangling)}.")
    return entries


def load_entries(path: Path = DATA_FILE) -> list[Entry]:
    """Read and validate the data file."""
    import yaml

    with path.open(encoding="utf-8") as fh:
        return parse_entries(yaml.safe_load(fh))


def filter_entries(entries: list[Entry], *, query: str = "", task: str = ALL) -> list[Entry]:
    """Entries matching every word of ``query`` (title, description, id, tags) and ``task``.

    Raises:
        AudioStudyError: unknown task.
    """
    if task != ALL and task not in TASKS:
        raise AudioStudyError(f"Unknown task '{task}'; choose one of: {ALL}, {', '.join(TASKS)}.")
    words = (query or "").lower().split()
    out = []
    for e in entries:
        haystack = " ".join((e.id, e.title, e.description, e.kind, *e.tasks)).lower()
        if (task == ALL or task in e.tasks) and all(w in haystack for w in words):
            out.append(e)
    return out


_status_cache: dict[str, tuple[float, str]] = {}
_status_lock = threading.Lock()


def space_status(space_id: str) -> str | None:
    """Live stage of a Space ('running', 'sleeping', 'error', ...), cached; None offline."""
    now = time.monotonic()
    with _status_lock:
        hit = _status_cache.get(space_id)
    if hit and now - hit[0] < STATUS_TTL_S:
        return hit[1]
    if not hub_reachable():
        return None
    import httpx

    try:
        response = httpx.get(
            f"https://huggingface.co/api/spaces/{space_id}/runtime", timeout=STATUS_TIMEOUT_S
        )
        stage = str(response.json().get("stage", "unknown")).lower()
    except Exception:  # noqa: BLE001 - a status is a nicety; its absence is not an error
        return None
    status = "error" if "error" in stage else stage
    with _status_lock:
        _status_cache[space_id] = (now, status)
    return status


def _card(entry: Entry, titles: dict[str, str], status: str | None, by_id: dict[str, Entry]) -> str:
    esc = html.escape
    badges = "".join(f'<span class="cc-tag">{esc(t)}</span>' for t in entry.tasks)
    meta = KINDS[entry.kind]
    if entry.date:
        meta += f" · {entry.date:%a %d %b %Y}"
    if status:
        meta += f' · <span class="cc-status cc-{esc(status)}">{esc(status)}</span>'
    links = "".join(
        # Root-relative: right from the demo alone at /community/; inside the tabbed app a
        # script switches tabs in place instead (data-tab), keeping the other tabs' results.
        f'<a class="cc-tab" href="/?tab={esc(t)}" target="_top" data-tab="{esc(t)}" '
        f'data-title="{esc(titles[t])}">Try it: {esc(titles[t])}</a>'
        for t in entry.tabs
    )
    readings = ""
    if entry.readings:
        items = ", ".join(
            f'<a href="{esc(by_id[r].url)}" target="_blank" rel="noopener">'
            f"{esc(by_id[r].title)}</a>"
            for r in entry.readings
        )
        readings = f'<div class="cc-read">Readings: {items}</div>'
    return (
        f'<div class="cc-card" data-id="{esc(entry.id)}">'
        f'<div class="cc-meta">{meta}</div>'
        f'<a class="cc-title" href="{esc(entry.url)}" target="_blank" rel="noopener">'
        f"{esc(entry.title)}</a>"
        f"<p>{esc(entry.description)}</p><div>{badges}</div>{readings}"
        f'<div class="cc-links">{links}</div></div>'
    )


STYLE = """<style>
.cc-grid {display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px}
.cc-card {border:1px solid var(--border-color-primary);border-radius:10px;padding:12px;
  background:var(--block-background-fill)}
.cc-title {font-weight:600;font-size:1.05em}
.cc-meta {font-size:.8em;opacity:.75;margin-bottom:4px}
.cc-tag {display:inline-block;font-size:.75em;padding:1px 8px;margin:2px 4px 2px 0;
  border-radius:999px;background:var(--color-accent-soft)}
.cc-read {font-size:.8em;margin-top:6px;opacity:.85}
.cc-links a {display:inline-block;margin-top:8px;margin-right:8px;font-size:.85em}
.cc-status {font-weight:600}
.cc-running {color:#16a34a} .cc-sleeping {color:#ca8a04} .cc-error {color:#dc2626}
</style>"""


def render_cards(entries: list[Entry], statuses: dict[str, str | None] | None = None) -> str:
    """The cards as HTML; needs no network."""
    from demos import DEMOS

    titles = {d.id: d.title for d in DEMOS}
    statuses = statuses or {}
    if not entries:
        return STYLE + "<p>No entries match. Clear the search or pick another task.</p>"
    # Readings name any entry, also one the current filter hides.
    by_id = {e.id: e for e in load_entries()}
    cards = "".join(_card(e, titles, statuses.get(e.id), by_id) for e in entries)
    return f'{STYLE}<p>{len(entries)} entries</p><div class="cc-grid">{cards}</div>'


@user_errors
def show_cards(query: str, task: str) -> str:
    """Cards matching a search and a task filter, offline.

    Args:
        query: words that must all appear (title, description, tags); empty for all.
        task: a task tag or "all".

    Returns:
        The matching cards as HTML.
    """
    return render_cards(filter_entries(load_entries(), query=query, task=task))


@user_errors
def show_cards_live(query: str, task: str) -> str:
    """The same cards, with the live status of each Space when the Hub is reachable."""
    entries = filter_entries(load_entries(), query=query, task=task)
    statuses = {e.id: space_status(e.space_id) for e in entries if e.space_id}
    return render_cards(entries, statuses) if any(statuses.values()) else gr.skip()


def build() -> gr.Blocks:
    """The Community tab."""
    with gr.Blocks() as demo:
        gr.Markdown(
            "### Community\nThe study group's demos, toolkits, paper lists, courses and "
            "schedule. Search, filter by task, and jump to the tab of this app that does "
            "the same thing."
        )
        with gr.Row():
            query = gr.Textbox(label="Search", placeholder="e.g. pedalboard, vocoder", scale=3)
            task = gr.Dropdown([ALL, *TASKS], value=ALL, label="Task", scale=1)
        cards = gr.HTML(render_cards(load_entries()))
        inputs = [query, task]
        gr.on(
            [query.change, task.change],
            show_cards,
            inputs,
            cards,
            api_name="community_cards",
            api_visibility="undocumented",  # callable, but no MCP tool or API-page entry
            show_progress="hidden",
            queue=False,
        )
        demo.load(
            show_cards_live,
            inputs,
            cards,
            api_name="community_status",
            api_visibility="undocumented",  # callable, but no MCP tool or API-page entry
            show_progress="hidden",
        )
    return demo


if __name__ == "__main__":
    launch_alone(build)
