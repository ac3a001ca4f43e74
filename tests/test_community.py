"""The Community data file and its cards (offline)."""

from __future__ import annotations

import copy
import datetime as dt
import html
import re

import pytest
import yaml

from audiokit.errors import AudioStudyError
from demos import DEMO_IDS
from demos.community import (
    ALL,
    DATA_FILE,
    TASKS,
    filter_entries,
    load_entries,
    parse_entries,
    render_cards,
)


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


def test_the_data_file_is_valid_and_complete():
    entries = load_entries()
    by_id = {e.id: e for e in entries}
    spaces = {e.space_id for e in entries if e.space_id}
    assert spaces == {
        "akhaliq/steerable-nafx",
        "akhaliq/coqui-ai-tts",
        "facebook/XLS-R-2B-22-16",
        "nateraw/spotify-pedalboard-demo",
    }
    assert {"speechbrain", "ims-toucan", "espnet"} <= set(by_id)
    assert {"speech-recognition-papers", "speech-synthesis-paper"} <= set(by_id)
    assert {"cs224s", "lsa352", "slp-asr", "slp-tts"} <= set(by_id)
    sessions = sorted(e.date for e in entries if e.kind == "session")
    assert sessions == [dt.date(2021, 12, 14), dt.date(2021, 12, 21), dt.date(2021, 12, 28)]
    assert all(e.readings for e in entries if e.kind == "session")
    assert all(set(e.tabs) <= set(DEMO_IDS) for e in entries)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r[0].pop("url"), "missing: url"),
        (lambda r: r[0].update(url="http://example.com"), "https://"),
        (lambda r: r[0].update(url="not a url"), "https://"),
        (lambda r: r[1].update(id=r[0]["id"]), "unique"),
        (lambda r: r[0].update(tasks=["cooking"]), "unknown tasks cooking"),
        (lambda r: r[0].update(tasks=[]), "at least one task"),
        (lambda r: r[0].update(tabs=["karaoke"]), "unknown tabs karaoke"),
        (lambda r: r[0].update(kind="blog"), "kind must be one of"),
        (lambda r: r[0].update(title=""), "'title' must be non-empty"),
        (lambda r: r[0].update(colour="red"), "unknown fields: colour"),
        (lambda r: r[-1].pop("date"), "needs a date"),
        (lambda r: r[-1].update(readings=["nowhere"]), "unknown entries nowhere"),
    ],
)
def test_validation_names_the_entry_and_field(raw, mutate, message):
    broken = copy.deepcopy(raw)
    mutate(broken)
    with pytest.raises(AudioStudyError, match=message):
        parse_entries(broken)


def test_empty_or_wrong_shaped_file_is_refused():
    for bad in (None, [], {"a": 1}, ["text"]):
        with pytest.raises(AudioStudyError):
            parse_entries(bad)


def test_search_and_task_filter():
    entries = load_entries()
    assert filter_entries(entries) == entries
    pedal = filter_entries(entries, query="Pedalboard")
    assert [e.id for e in pedal] == ["spotify-pedalboard-demo"]
    tts = filter_entries(entries, task="tts")
    assert tts and all("tts" in e.tasks for e in tts)
    assert "coqui-ai-tts" in {e.id for e in tts}
    assert filter_entries(entries, query="speech papers", task="asr")[0].id == (
        "speech-recognition-papers"
    )
    assert filter_entries(entries, query="zzzz nothing") == []
    assert set(TASKS) >= {t for e in entries for t in e.tasks}
    with pytest.raises(AudioStudyError, match="Unknown task"):
        filter_entries(entries, task="karaoke")
    assert filter_entries(entries, task=ALL) == entries


def test_cards_render_offline_with_links_to_tabs():
    entries = load_entries()
    page = render_cards(entries)
    assert f"{len(entries)} entries" in page
    assert page.count('class="cc-card"') == len(entries)
    assert 'href="/?tab=effects"' in page
    assert 'href="https://huggingface.co/spaces/akhaliq/steerable-nafx"' in page
    assert "cc-status cc-" not in page  # no status without a network
    live = render_cards(entries, {"steerable-nafx": "running"})
    assert 'cc-status cc-running">running' in live
    assert "No entries match" in render_cards([])


def test_session_readings_are_titles_with_links_even_when_filtered_out():
    entries = load_entries()
    by_id = {e.id: e for e in entries}
    session = next(e for e in entries if e.kind == "session" and e.readings)
    page = render_cards([session])  # the readings' own cards are filtered out
    readings = re.search(r'<div class="cc-read">(.*?)</div>', page).group(1)
    for rid in session.readings:
        assert f'href="{html.escape(by_id[rid].url)}"' in readings
        assert f">{html.escape(by_id[rid].title)}</a>" in readings
        assert f">{rid}<" not in readings and f" {rid}," not in readings
