"""The shared task shape: parameters as data, the one progress type, model cards, mp3 writing,
and the learn-view holder."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audiokit.audio import Audio, load_audio, write_audio
from audiokit.errors import AudioStudyError
from audiokit.models import ModelCard
from audiokit.params import Param, check_params, declare
from audiokit.progress import scaled

PARAMS = declare(
    Param("beam_size", 5, minimum=1, maximum=10, integer=True),
    Param("gain_db", 0.0, minimum=-24.0, maximum=24.0, step=0.5, unit=" dB"),
    Param("task", "transcribe", choices=("transcribe", "translate")),
    Param("words", False),
    Param("text", "", max_chars=10),
)


def test_defaults_fill_what_the_caller_leaves_out():
    assert check_params(PARAMS, {"beam_size": 3.0}) == {
        "beam_size": 3,
        "gain_db": 0.0,
        "task": "transcribe",
        "words": False,
        "text": "",
    }


@pytest.mark.parametrize(
    ("values", "sentence"),
    [
        ({"gain_db": 30}, "'Gain db' must be between -24 and 24 dB, not 30."),
        ({"gain_db": math.nan}, "must be a finite number"),
        ({"beam_size": 2.5}, "must be a whole number, not 2.5"),
        ({"beam_size": True}, "must be a number"),
        ({"task": "sing"}, "must be one of transcribe, translate"),
        ({"words": "yes"}, "must be true or false"),
        ({"text": "x" * 11}, "at most 10 are taken"),
        ({"loudness": 1}, "Unknown setting 'loudness'"),
    ],
)
def test_bad_values_are_refused_with_a_sentence_naming_the_field(values, sentence):
    with pytest.raises(AudioStudyError, match=sentence.replace("(", r"\(")):
        check_params(PARAMS, values)


@settings(deadline=None)  # a loaded CI machine may take longer than 200 ms per case
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_number_is_taken_exactly_when_it_is_in_range(x):
    p = PARAMS["gain_db"]
    if -24.0 <= x <= 24.0:
        assert p.check(x) == x
    else:
        with pytest.raises(AudioStudyError):
            p.check(x)


def test_scaled_progress_maps_a_sub_step_into_its_share():
    seen = []
    half = scaled(lambda f, m: seen.append((f, m)), 0.5, 1.0)
    half(0.0, "a")
    half(0.5, "b")
    half(2.0, "c")
    assert seen == [(0.5, "a"), (0.75, "b"), (1.0, "c")]


def test_model_card_says_offline_or_hub_and_its_figures():
    card = ModelCard(
        "x", "Whisper tiny.en", "transformer", params="39 M", figures="WER 5.6 %", offline=True
    )
    text = card.markdown()
    assert "embedded, offline" in text and "39 M parameters" in text and "WER 5.6 %" in text
    assert "Hugging Face Hub" in ModelCard("y", "Big", "transformer").markdown()


@pytest.mark.parametrize("rate", [16000, 22050, 44100, 96000])
def test_mp3_downloads_keep_the_tone_and_length(tmp_path, rate):
    t = np.arange(rate) / rate
    tone = Audio((0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None], rate, "tone")
    back = load_audio(str(write_audio(tone, tmp_path / "tone.mp3")))
    assert back.sample_rate == (rate if rate <= 48000 else 48000)
    assert back.duration_s == pytest.approx(1.0, abs=0.06)
    spectrum = np.abs(np.fft.rfft(back.samples[0]))
    peak_hz = np.argmax(spectrum) * back.sample_rate / back.samples.shape[1]
    assert peak_hz == pytest.approx(440, abs=3)
    level = 20 * np.log10(np.sqrt(np.mean(back.samples[0] ** 2)))
    assert level == pytest.approx(20 * np.log10(0.5 / np.sqrt(2)), abs=1.0)


def test_held_results_are_per_session_and_bounded():
    from types import SimpleNamespace

    from audiokit import ui

    a, b = SimpleNamespace(session_hash="a"), SimpleNamespace(session_hash="b")
    ui.hold("asr", 1, a)
    ui.hold("asr", 2, b)
    assert (ui.held("asr", a), ui.held("asr", b), ui.held("tts", a)) == (1, 2, None)
    for i in range(ui._HELD_MAX + 5):
        ui.hold("k", i, SimpleNamespace(session_hash=f"s{i}"), keep=ui._HELD_MAX + 10)
    assert ui.held("asr", a) is None
    assert len(ui._held) == ui._HELD_MAX


def test_a_task_with_large_results_keeps_only_its_newest_few():
    from types import SimpleNamespace

    from audiokit import ui

    for i in range(6):
        ui.hold("stems", i, SimpleNamespace(session_hash=f"big{i}"), keep=2)
    kept = [ui.held("stems", SimpleNamespace(session_hash=f"big{i}")) for i in range(6)]
    assert kept == [None, None, None, None, 4, 5]


def test_a_new_run_forgets_what_the_last_run_held_for_its_follow_ups():
    """The clearing step of a run button drops the task's held results, so a learn view of the
    last run that starts after the click draws nothing over the new result or failure."""
    from types import SimpleNamespace

    import gradio as gr

    from audiokit import ui

    session, other = SimpleNamespace(session_hash="late"), SimpleNamespace(session_hash="else")
    with gr.Blocks() as blocks:
        button, answer, status = gr.Button(), gr.Textbox(), ui.status_box()
        ui.run_event(button.click, str.upper, answer, [answer], status=status, held=("k", "kb"))
    for who in (session, other):
        ui.hold("k", "last run", who)
        ui.hold("kb", "last badge", who)
    ui.hold("unrelated", 1, session)
    clearing = next(iter(blocks.fns.values()))
    assert clearing.api_visibility == "private" and not clearing.queue

    cleared = clearing.fn(session)
    assert cleared[0] is None and len(cleared) == 2
    assert (ui.held("k", session), ui.held("kb", session)) == (None, None)
    assert ui.held("unrelated", session) == 1  # another task's result stays
    assert ui.held("k", other) == "last run"  # and so does another session's
