"""Who spoke when: DER on conversations of real voices, counts, silence, bad input, writers,
speaker-labelled transcripts, and the panel through gradio_client, raw HTTP and Chromium."""

from __future__ import annotations

import dataclasses
import itertools
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from audiokit.audio import Audio, load_audio
from audiokit.errors import AudioStudyError
from audiokit.tasks import asr, diarization
from audiokit.tasks.diarization import Diarization, Segment, labels, segmentation
from demos import diarization as panel
from tests.conftest import JFK, LJ, ROOT
from tests.conversations import SR, conversation, voice

# The bound this pipeline reaches on 2 and 3 real voices (JFK, LJ Speech, the German reader):
# 0 to 4 % on the conversations below; benchmarks/bench_diarization.py has the whole set.
DER_BOUND = 0.10
EXAMPLE = panel.EXAMPLE
EXAMPLE_RTTM = EXAMPLE.with_suffix(".rttm")


def _reference(path) -> list[tuple[float, float, str]]:
    turns = []
    for line in path.read_text().splitlines():
        f = line.split()
        turns.append((float(f[3]), float(f[3]) + float(f[4]), f[7]))
    return turns


# --------------------------------------------------------------------- accuracy (DER)
@pytest.mark.parametrize(
    ("voices", "seed"),
    [
        (("jfk", "lj"), 0),
        (("jfk", "german"), 0),
        (("lj", "german"), 1),
        (("jfk", "lj", "german"), 0),
        (("jfk", "lj", "german"), 2),
    ],
)
def test_real_voices_are_told_apart_within_the_der_bound(voices, seed):
    c = conversation(voices, turns=3 * len(voices), seed=seed)
    result = diarization.run(c.audio)
    score = diarization.der(c.turns, result)
    assert score["der"] <= DER_BOUND, score
    assert result.num_speakers == len(voices)


def test_four_voices_with_piper():
    c = conversation(("jfk", "lj", "german", "piper"), turns=12, seed=0)
    result = diarization.run(c.audio)
    assert diarization.der(c.turns, result)["der"] <= DER_BOUND
    assert result.num_speakers == 4


def test_the_bundled_example_matches_its_reference_rttm():
    result = diarization.run(load_audio(EXAMPLE))
    assert diarization.der(_reference(EXAMPLE_RTTM), result)["der"] <= DER_BOUND
    assert result.num_speakers == 3
    # Speaker 1 is the first to speak, and turns never overlap or run backwards.
    assert result.segments[0].speaker == "Speaker 1"
    ends = [s.end_s for s in result.segments]
    starts = [s.start_s for s in result.segments]
    assert all(a < b for a, b in zip(starts, ends, strict=True))
    assert all(e <= s for e, s in zip(ends[:-1], starts[1:], strict=True))


def test_der_of_a_perfect_and_of_a_swapped_hypothesis():
    ref = [(0.0, 4.0, "a"), (4.5, 8.0, "b")]
    assert diarization.der(ref, [(0.0, 4.0, "x"), (4.5, 8.0, "y")])["der"] == 0.0
    half = diarization.der(ref, [(0.0, 8.0, "x")])
    assert half["confusion"] == pytest.approx(3.5 / 7.5, abs=0.03)


# ----------------------------------------------------------------- counts and silence
@pytest.mark.parametrize("name", ["jfk", "lj", "german", "piper"])
def test_one_voice_alone_is_one_speaker(name):
    x = voice(name)
    result = diarization.run(Audio(x[None, :], SR, name))
    assert result.num_speakers == 1
    assert "One voice" in result.how or "1 speaker," in result.how


@pytest.mark.parametrize("rate", [8000, 44100])
def test_silence_gives_no_segments_and_a_note(rate):
    result = diarization.run(Audio(np.zeros((2, 5 * rate), np.float32), rate, "quiet"))
    assert result.segments == ()
    assert "No speech was found in 'quiet'" in result.note
    assert json.loads(diarization.to_json(result))["segments"] == []
    assert diarization.to_rttm(result) == ""


def test_low_noise_without_speech_gives_no_segments():
    noise = np.random.default_rng(0).normal(0, 1e-4, 4 * SR).astype(np.float32)
    result = diarization.run(Audio(noise[None, :], SR, "hiss"))
    assert result.segments == () and "No speech" in result.note


@pytest.fixture(scope="module")
def three_voices() -> object:
    return conversation(("jfk", "lj", "german"), turns=9, seed=0)


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_the_given_speaker_count_is_respected(three_voices, count):
    result = diarization.run(three_voices.audio, num_speakers=count)
    assert result.requested == count
    assert result.num_speakers == count
    assert f"You asked for **{count}**" in result.how
    if count == 3:
        assert diarization.der(three_voices.turns, result)["der"] <= DER_BOUND


def test_stereo_and_any_rate_give_the_same_turns(three_voices):
    x = three_voices.audio.samples
    stereo = Audio(np.vstack([x, x]), SR, "stereo").resampled(44100)
    result = diarization.run(stereo)
    assert result.num_speakers == 3
    assert diarization.der(three_voices.turns, result)["der"] <= DER_BOUND


# ------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("value", "message"),
    [(-1, "out of range"), (11, "out of range"), (2.5, "out of range"), ("two", "whole number")],
)
def test_a_bad_speaker_count_is_a_sentence(value, message):
    with pytest.raises(AudioStudyError, match=message):
        diarization.check_num_speakers(value)


def test_too_short_too_long_and_nan_are_sentences():
    with pytest.raises(AudioStudyError, match="needs at least 1 s"):
        diarization.run(Audio(np.ones((1, SR // 2), np.float32) * 0.1, SR))
    with pytest.raises(AudioStudyError, match="takes at most 30:00"):
        diarization.run(Audio(np.zeros((1, 1801 * 100), np.float32), 100))
    bad = np.zeros((1, 2 * SR), np.float32)
    bad[0, 5] = np.nan
    with pytest.raises(AudioStudyError, match="NaN"):
        diarization.run(Audio(bad, SR))


def test_more_speakers_than_windows_is_a_sentence():
    x = voice("lj")[: int(1.5 * SR)]
    with pytest.raises(AudioStudyError, match="too few to split into 9 speakers"):
        diarization.run(Audio(x[None, :], SR, "short"), num_speakers=9)


# ------------------------------------------------------------------ writers, rename, play
def _result() -> Diarization:
    segs = (
        Segment(0.5, 2.0, "Speaker 1"),
        Segment(2.4, 5.0, "Speaker 2"),
        Segment(5.5, 6.0, "Speaker 1"),
    )
    return Diarization("talk show", 7.0, segs)


def test_rttm_and_json_carry_names(tmp_path):
    named = diarization.rename(_result(), "Speaker 2", "  Anna   Lee ")
    rttm = diarization.to_rttm(named).splitlines()
    assert rttm[1].split() == [
        "SPEAKER",
        "talk_show",
        "1",
        "2.400",
        "2.600",
        "<NA>",
        "<NA>",
        "Anna_Lee",
        "<NA>",
        "<NA>",
    ]
    assert all(len(line.split()) == 10 for line in rttm)
    data = json.loads(diarization.to_json(named))
    assert data["segments"][1] == {"start": 2.4, "end": 5.0, "speaker": "Anna Lee"}
    assert data["speakers"][0]["talk_time_s"] == pytest.approx(2.0)
    paths = diarization.write_downloads(named, folder=tmp_path)
    assert [p.name for p in paths] == ["talk_show.rttm", "talk_show.diarization.json"]
    assert "Anna_Lee" in paths[0].read_text(encoding="utf-8")
    back = diarization.rename(named, "Speaker 2", "")
    assert back.display("Speaker 2") == "Speaker 2"


def test_rename_refuses_unknown_speakers_and_taken_names():
    with pytest.raises(AudioStudyError, match="no 'Speaker 7'"):
        diarization.rename(_result(), "Speaker 7", "Bo")
    with pytest.raises(AudioStudyError, match="already names another speaker"):
        diarization.rename(_result(), "Speaker 2", "Speaker 1")


def test_a_speakers_turns_play_back_to_back():
    rate = 8000
    audio = Audio(np.full((2, 7 * rate), 0.25, np.float32), rate, "talk")
    clip = diarization.speaker_audio(audio, _result(), "Speaker 1", gap_s=0.4)
    assert clip.channels == 2
    assert clip.duration_s == pytest.approx(1.5 + 0.4 + 0.5, abs=2 / rate)


def test_views_have_a_lane_and_a_row_per_turn():
    named = diarization.rename(_result(), "Speaker 1", "<b>Bo</b>")
    html = panel.timeline_html(named)
    assert html.count('class="diar-lane"') == 2
    assert html.count('class="diar-seg"') == 3
    assert "<b>Bo</b>" not in html and "&lt;b&gt;Bo&lt;/b&gt;" in html
    assert panel.segment_rows(named)[0] == [0.5, 2.0, "<b>Bo</b>", 1.5]
    summary = panel.summary_markdown(named)
    assert "**2 speakers** (estimated)" in summary and "| 2.6 s | 57% | 1 |" in summary


def test_learn_view_draws_prints_affinity_and_merges_from_the_held_result(three_voices):
    import gradio as gr

    from audiokit import ui

    result = diarization.run(three_voices.audio)
    request = SimpleNamespace(session_hash="learn-view")
    ui.hold(panel.HELD, result, request)
    # The private follow-up of /diarize: the speaker list and the figure, from the held result.
    who, fig, text = panel.draw(request)
    assert [c[0] for c in who.choices] == result.speakers
    assert len(fig.axes) >= 3
    assert result.affinity.shape == (result.embeddings.shape[0],) * 2
    assert "Merging stopped at distance 0.40" in text
    # Renaming works on the held result and keeps the renamed one for the next step.
    segments, *_ = panel.rename_speaker(None, "Anna", request)
    assert segments[0]["speaker"] == "Anna"
    assert ui.held(panel.HELD, request).display("Speaker 1") == "Anna"
    legend = [t.get_text() for t in panel.redraw(request).axes[0].get_legend().get_texts()]
    assert legend[0] == "Anna"
    # A session that ran nothing has nothing to draw, and is told what to do first.
    other = SimpleNamespace(session_hash="ran-nothing")
    assert panel.draw(other)[2] == ""
    with pytest.raises(gr.Error, match="Run “Who spoke when\\?” first"):
        panel.rename_speaker("Speaker 1", "Bo", other)


def test_the_answer_holds_the_result_instead_of_returning_it(silent_wav):
    from audiokit import ui

    request = SimpleNamespace(session_hash="answer")
    answer = panel.diarize(str(silent_wav), 0, request=request)
    assert len(answer) == 5
    assert not any(isinstance(value, Diarization) for value in answer)
    assert "No speech was found in 'silence'" in ui.held(panel.HELD, request).note


@pytest.mark.parametrize(
    ("value", "message"),
    [(11, "out of range"), (2.5, "out of range"), ("2", "whole number"), (True, "whole number")],
)
def test_run_refuses_a_bad_count_with_a_sentence(value, message):
    audio = Audio(np.full((1, 2 * SR), 0.1, np.float32), SR, "tone")
    with pytest.raises(AudioStudyError, match=f"number of speakers .*{message}"):
        diarization.run(audio, num_speakers=value)


def test_the_count_is_declared_once_and_the_widget_reads_it():
    param = diarization.PARAMS["num_speakers"]
    assert (param.default, param.minimum, param.maximum) == (0, 0, 10)
    assert param.maximum == diarization.LIMITS.max_speakers and param.integer
    box = panel._count_box()
    assert box.value == param.default and box.info == param.help
    assert "up to 10" in box.label


def test_run_reports_its_progress_in_order_up_to_done():
    seen = []
    x = voice("jfk")
    diarization.run(Audio(x[None, :], SR, "jfk"), progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(isinstance(m, str) and m for _, m in seen)


def test_the_catalog_is_the_embedded_encoder_which_warm_up_loads_once():
    import time

    from audiokit.models import ModelCard

    card = diarization.CATALOG[diarization.DEFAULT_MODEL]
    assert isinstance(card, ModelCard) and card.offline and "GE2E" in card.markdown()
    diarization.warm_up()
    start = time.perf_counter()
    diarization.warm_up()
    assert time.perf_counter() - start < 0.5


def test_importing_the_task_loads_no_model():
    code = (
        "import sys, audiokit.tasks.diarization;"
        "print(sorted(m for m in ('torch', 'resemblyzer', 'sklearn', 'pyannote.metrics')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------- speaker-labelled transcripts
def test_words_are_split_between_speakers_and_written_with_voice_tags():
    words = tuple(
        asr.Word(a, a + 0.4, f" w{i}") for i, a in enumerate([0.6, 1.2, 1.6, 2.6, 3.2, 4.0])
    )
    seg = asr.Segment(0.6, 4.4, "w0 w1 w2 w3 w4 w5", words=words)
    transcript = asr.Transcript(seg.text, (seg,), "en", 1.0, 7.0, "test")
    named = diarization.rename(_result(), "Speaker 2", "Anna")
    labelled = labels.attribute(transcript, named)
    assert labelled.turns == [("Speaker 1", "w0 w1 w2"), ("Anna", "w3 w4 w5")]
    assert labelled.text == "Speaker 1: w0 w1 w2\n\nAnna: w3 w4 w5"
    vtt = labels.to_vtt(labelled)
    assert "<v Speaker 1>w0 w1 w2" in vtt and "<v Anna>w3 w4 w5" in vtt
    assert "Anna: w3 w4 w5" in labels.to_srt(labelled)
    data = labels.to_dict(labelled)
    assert [s["speaker"] for s in data["segments"]] == ["Speaker 1", "Anna"]
    assert {w["speaker"] for w in data["segments"][1]["words"]} == {"Anna"}


def test_segments_without_words_take_the_speaker_they_overlap_most():
    segs = (asr.Segment(0.4, 2.2, "hello"), asr.Segment(2.3, 5.2, "there"))
    transcript = asr.Transcript("hello there", segs, "en", 1.0, 7.0, "test")
    labelled = labels.attribute(transcript, _result())
    assert [p.speaker for p in labelled.pieces] == ["Speaker 1", "Speaker 2"]


@pytest.fixture(scope="module")
def dialogue():
    return conversation(("jfk", "piper"), turns=4, seed=0, min_turn_s=3, pause_s=(0.5, 0.9))


def test_each_transcript_turn_gets_its_speaker(dialogue):
    # Word times, as the app asks for with speaker labels: without them Whisper may put one
    # segment across a change of voice, and a segment cannot be split.
    transcript = asr.transcribe(dialogue.audio, word_timestamps=True)
    labelled = labels.label_speakers(dialogue.audio, transcript)
    # Which label stands for which true voice: the one on most of that voice's pieces.
    truth = []
    for p in labelled.pieces:
        middle = (p.start_s + p.end_s) / 2
        turn = min(dialogue.turns, key=lambda t: max(t[0] - middle, middle - t[1], 0.0))
        truth.append(turn[2])
    pairs = list(zip(labelled.pieces, truth, strict=True))
    mapping = {}
    for v in set(truth):
        given = [p.speaker for p, t in pairs if t == v]
        mapping[v] = max(set(given), key=given.count)
    assert len(set(mapping.values())) == 2
    assert all(mapping[t] == p.speaker for p, t in pairs)
    assert len(labelled.turns) == len(dialogue.turns)
    assert labelled.text.startswith(f"{mapping[dialogue.turns[0][2]]}: ")


def test_asr_tab_times_words_for_speaker_labels_even_when_word_times_are_off(dialogue, tmp_path):
    from demos import asr as tab

    path = tmp_path / "dialogue.wav"
    sf.write(path, dialogue.audio.samples[0], dialogue.audio.sample_rate)
    text, *_ = tab.transcribe(str(path), word_timestamps=False, label_speakers=True)
    turns = [block for block in text.split("\n\n") if block]
    assert len(turns) == len(dialogue.turns), text
    assert turns[0].split(":")[0] != turns[1].split(":")[0]


def test_speaker_labels_refuse_recordings_over_the_limit():
    long = Audio(np.zeros((1, 1801 * 100), np.float32), 100, "long")
    with pytest.raises(AudioStudyError, match="Speaker labels work on recordings up to 30:00"):
        labels.check_length(long)


# ------------------------------------------------------------------ the app, as users meet it
def _file(path):
    from gradio_client import handle_file

    return handle_file(str(path))


@pytest.fixture
def silent_wav(tmp_path):
    path = tmp_path / "silence.wav"
    sf.write(path, np.zeros(3 * 16000, dtype=np.int16), 16000)
    return path


@pytest.fixture
def short_wav(tmp_path):
    path = tmp_path / "short.wav"
    sf.write(path, voice("jfk")[: int(0.5 * SR)], SR)
    return path


@pytest.fixture
def long_wav(tmp_path):
    # 30 min and 1 s, as the header says, in a few hundred kilobytes (100 Hz).
    path = tmp_path / "long.wav"
    sf.write(path, np.zeros(1801 * 100, dtype=np.int16), 100)
    return path


@pytest.fixture
def text_wav(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("not audio at all")
    return path


@pytest.mark.app
def test_diarize_endpoint_answers_with_segments(client):
    segments, summary, timeline, table, files = client.predict(
        _file(EXAMPLE), 0, api_name="/diarize"
    )
    assert set(segments[0]) == {"start", "end", "speaker"}
    hyp = [(s["start"], s["end"], s["speaker"]) for s in segments]
    assert diarization.der(_reference(EXAMPLE_RTTM), hyp)["der"] <= DER_BOUND
    assert len({s["speaker"] for s in segments}) == 3
    assert "**3 speakers** (estimated)" in summary and "talk time" in summary
    assert timeline.count('class="diar-lane"') == 3
    assert len(table["data"]) == len(segments)
    names = sorted(p.rsplit("/", 1)[-1] for p in files)
    assert names == ["conversation.diarization.json", "conversation.rttm"]


@pytest.mark.app
def test_diarize_endpoint_respects_the_count(client):
    segments, summary, *_ = client.predict(_file(EXAMPLE), 2, api_name="/diarize")
    assert len({s["speaker"] for s in segments}) == 2
    assert "(2 asked for)" in summary


@pytest.mark.app
def test_diarize_endpoint_on_silence_gives_no_segments_and_a_note(client, silent_wav):
    segments, summary, timeline, *_ = client.predict(_file(silent_wav), 0, api_name="/diarize")
    assert segments == [] and timeline == ""
    assert "No speech was found in 'silence'" in summary


@pytest.mark.app
@pytest.mark.parametrize(
    ("fixture", "count", "message"),
    [
        ("short_wav", 0, "needs at least 1 s"),
        ("long_wav", 0, "this demo takes at most 30:00"),
        ("text_wav", 0, "Could not read 'notes.wav' as audio"),
        ("silent_wav", 11, "from 1 to 10, or 0 to estimate it"),
        ("silent_wav", -2, "out of range"),
    ],
)
def test_bad_input_gives_our_sentence_through_the_client(client, request, fixture, count, message):
    path = request.getfixturevalue(fixture)
    with pytest.raises(Exception, match=message) as info:
        client.predict(_file(path), count, api_name="/diarize")
    assert "400 Bad Request" not in str(info.value)


@pytest.mark.app
@pytest.mark.parametrize(
    ("count", "message"), [(12, "out of range"), ("lots", "finite number"), (None, "")]
)
def test_bad_count_gives_our_sentence_through_raw_http(app_url, count, message):
    import httpx

    base = f"{app_url}gradio_api"
    with EXAMPLE.open("rb") as f:
        uploaded = httpx.post(f"{base}/upload", files={"files": f}, timeout=30).json()[0]
    data = [{"path": uploaded, "meta": {"_type": "gradio.FileData"}}, count]
    call = httpx.post(f"{base}/call/diarize", json={"data": data}, timeout=30)
    if message:
        # The validator answers before the queue: 422 with our sentence for the bad input.
        assert call.status_code == 422
        problems = [d["message"] for d in call.json()["detail"] if not d["is_valid"]]
        assert len(problems) == 1 and message in problems[0]
        assert "Traceback" not in call.text
        return
    # None is "not given": the default, estimate.
    event = call.json()["event_id"]
    with httpx.stream("GET", f"{base}/call/diarize/{event}", timeout=180) as response:
        body = "".join(response.iter_text())
    assert "event: complete" in body and "Speaker 1" in body


@pytest.mark.app
def test_transcribe_with_speaker_labels_through_the_client(client):
    text, summary, _, _, files, *_ = client.predict(
        _file(EXAMPLE), asr.EMBEDDED_ID, "auto", "transcribe", True, False, 5, "", True,
        api_name="/transcribe",
    )  # fmt: skip
    assert text.startswith("Speaker 1: ") and "\n\nSpeaker 2: " in text
    assert "3 speakers" in summary
    vtt = next(p for p in files if p.endswith(".vtt"))
    assert "<v Speaker 1>" in Path(vtt).read_text(encoding="utf-8")
    # Existing callers that never heard of speaker labels keep the old answer.
    plain, *_ = client.predict(_file(JFK), api_name="/transcribe")
    assert "Speaker" not in plain and "country" in plain.lower()


@pytest.mark.app
def test_speaker_page_has_diarize_and_no_private_endpoints(app_url):
    from gradio_client import Client

    page = Client(f"{app_url}speaker/", verbose=False)
    names = set(page.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert "/diarize" in names
    assert not {n for n in names if n.startswith("/diarize_")}


@pytest.mark.browser
def test_page_diarizes_renames_and_plays(page, app_url, output_dir):
    page.goto(app_url + "speaker")
    page.get_by_role("tab", name="Who spoke when").click()
    page.get_by_role("button", name="Who spoke when?").click()
    page.locator(".diar-lane").nth(2).wait_for(timeout=120_000)
    assert page.locator(".diar-lane").count() == 3
    # The speaker the list shows first, without picking; then one picked from the list.
    page.get_by_placeholder("e.g. Anna").fill("Anna")
    page.get_by_role("button", name="Rename").click()
    page.locator(".diar-name", has_text="Anna").wait_for(timeout=30_000)
    page.get_by_label("Speaker (by number)").click()
    page.get_by_role("option", name="Speaker 3").click()
    page.get_by_placeholder("e.g. Anna").fill("Piper")
    page.get_by_role("button", name="Rename").click()
    page.locator(".diar-name", has_text="Piper").wait_for(timeout=30_000)
    page.get_by_role("button", name="Play this speaker's turns").click()
    page.get_by_text("Learn: how the voices were told apart").click()
    page.wait_for_timeout(3000)
    page.screenshot(path=str(output_dir / "speaker-diarization.png"), full_page=True)
    names = page.locator(".diar-name").all_inner_texts()
    assert [n.split("\n")[0] for n in names] == ["Anna", "Speaker 2", "Piper"]


def test_examples_are_small_and_sourced():
    assert EXAMPLE.stat().st_size <= 1_000_000
    sources = (EXAMPLE.parent / "SOURCES.md").read_text()
    assert "conversation.flac" in sources and "conversation.rttm" in sources
    assert load_audio(EXAMPLE).duration_s == pytest.approx(_reference(EXAMPLE_RTTM)[-1][1], abs=1)


def test_lj_and_jfk_recordings_are_two_speakers_when_joined():
    jfk, lj = load_audio(JFK).for_model(SR), load_audio(LJ).for_model(SR)
    gap = np.zeros(SR // 2, np.float32)
    joined = Audio(np.concatenate([jfk, gap, lj])[None, :], SR, "joined")
    result = diarization.run(joined)
    assert result.num_speakers == 2
    cut = (jfk.size + gap.size / 2) / SR
    assert all((s.end_s <= cut + 0.3) or (s.start_s >= cut - 0.3) for s in result.segments)
    assert dataclasses.asdict(result.segments[0])["speaker"] == "Speaker 1"


def test_asr_tab_refuses_speaker_labels_over_30_minutes_before_transcribing(long_wav):
    import gradio as gr

    from demos import asr as tab

    with pytest.raises(gr.Error, match="Speaker labels work on recordings up to 30:00"):
        tab.transcribe(str(long_wav), label_speakers=True)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-1, 3), min_size=1, max_size=400))
def test_resegmentation_keeps_speech_and_silence_and_orders_turns(frames):
    frames = np.asarray(frames)
    # Runs of at least 3 frames, as the VAD's smoothing gives them.
    frames = np.repeat(frames, 3)
    out = segmentation.absorb_short_turns(frames)
    assert np.array_equal(out < 0, frames < 0)
    segments = segmentation.to_segments(out)
    assert all(s.end_s > s.start_s for s in segments)
    assert all(a.end_s <= b.start_s for a, b in itertools.pairwise(segments))
    assert all(s.end_s <= frames.size * segmentation.FRAME_S + 1e-9 for s in segments)
    numbers = [int(s.speaker.split()[1]) for s in segments]
    assert [n for i, n in enumerate(numbers) if n not in numbers[:i]] == sorted(set(numbers))
