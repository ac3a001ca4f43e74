"""Shareable settings: links and JSON files that reopen a tab with exactly its settings, and
leave out what does not fit with a note instead of an error page."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audiokit import share, study
from audiokit.errors import AudioStudyError
from audiokit.params import Param, declare

PARAMS = declare(
    Param("voice", "joe", choices=("joe", "amy")),
    Param("length_scale", 1.0, minimum=0.5, maximum=2.0, step=0.05),
    Param("beam_size", 5, minimum=1, maximum=10, integer=True),
    Param("sample_rate", 16000, choices=(16000, 22050)),
    Param("word_timestamps", False),
    Param("text", "Hello.", max_chars=50),
)


def _query(link: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query, keep_blank_values=True))


def test_a_link_carries_the_tab_and_only_what_differs_from_the_defaults():
    values = {"voice": "amy", "length_scale": 1.0, "beam_size": 3, "text": "Hi there & bye"}
    link = share.to_link("tts", PARAMS, values, base="https://space.hf.space/")
    assert link.startswith("https://space.hf.space/?tab=tts&")
    assert _query(link) == {
        "tab": "tts",
        "voice": "amy",
        "beam_size": "3",
        "text": "Hi there & bye",
    }


def test_a_link_reopens_exactly_the_settings_it_was_made_from():
    values = {
        "voice": "amy",
        "length_scale": 1.35,
        "beam_size": 2,
        "sample_rate": 22050,
        "word_timestamps": True,
        "text": "Read this, slowly.",
    }
    back, notes = share.from_query(PARAMS, _query(share.to_link("tts", PARAMS, values)))
    assert back == values and notes == []


@settings(deadline=None)  # a loaded CI machine may take longer than 200 ms per case
@given(
    st.floats(0.5, 2.0, allow_nan=False),
    st.integers(1, 10),
    st.text(max_size=50),
    st.booleans(),
)
def test_every_value_in_range_survives_a_link_and_a_file(scale, beam, text, words):
    values = {"length_scale": scale, "beam_size": beam, "text": text, "word_timestamps": words}
    from_link, notes = share.from_query(PARAMS, _query(share.to_link("tts", PARAMS, values)))
    assert notes == []
    assert {k: from_link.get(k, PARAMS[k].default) for k in values} == values
    from_file, notes = share.from_json(share.to_json("tts", PARAMS, values), "tts", PARAMS)
    assert notes == [] and {k: from_file[k] for k in values} == values


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ({"loudness": "11"}, "`loudness` is not a setting of this tab"),
        ({"length_scale": "9"}, "must be between 0.5 and 2"),
        ({"length_scale": "fast"}, "must be a number"),
        ({"beam_size": "2.5"}, "must be a whole number"),
        ({"voice": "<script>"}, "must be one of joe, amy"),
        ({"word_timestamps": "maybe"}, "must be true or false"),
        ({"text": "x" * 51}, "at most 50 are taken"),
    ],
)
def test_a_bad_value_in_a_link_is_left_out_with_a_note(query, note):
    values, notes = share.from_query(PARAMS, {"tab": "tts", "voice": "amy", **query})
    assert len(notes) == 1 and note in notes[0]
    assert values == ({} if "voice" in query else {"voice": "amy"})


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("not json", "not a settings file"),
        (json.dumps([1, 2]), "not a settings file"),
        (json.dumps({"tab": "asr", "settings": {}}), "are for the `asr` tab, not this one"),
        ("x" * 70_000, "too large"),
    ],
)
def test_a_file_that_is_not_this_tabs_settings_is_refused_with_a_sentence(text, sentence):
    with pytest.raises(AudioStudyError, match=sentence):
        share.from_json(text, "tts", PARAMS)


def test_the_timing_badge_names_engine_device_time_and_real_time_factor():

    badge = study.timing_badge("faster-whisper · Whisper tiny.en", 1.1, audio_s=11.0)
    assert badge.startswith("⏱ **faster-whisper · Whisper tiny.en**")
    assert "CPU (" in badge and "1.10 s" in badge and "RTF 0.10 (11.0 s of audio)" in badge
    assert "RTF" not in study.timing_badge("Piper", 0.2)
    # Milliseconds where seconds would round to nothing, and an RTF that still says something.
    fast = study.timing_badge("Pedalboard, 3 effects", 0.0043, audio_s=8.0)
    assert "· 4 ms · RTF 0.0005 (8.0 s of audio)" in fast
    assert [study.duration_text(s) for s in (0.00042, 0.042, 0.42)] == ["0.4 ms", "42 ms", "0.42 s"]
