"""Compare A/B in speech recognition: the core on real speech (JFK), the word diff and its
HTML view, the /transcribe_compare endpoint of the launched app, and the tab in a browser."""

from __future__ import annotations

import re

import pytest

from audiokit.audio import load_audio
from audiokit.errors import AudioStudyError, ModelUnavailableError
from audiokit.metrics import word_error_rate
from audiokit.tasks import asr
from tests.conftest import JFK

# The sentence as spoken, with its capitals and punctuation (normalised away for WER).
JFK_SENTENCE = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
SAID_A = "ask not what your country can do for you"
SAID_B = "ask not what your nation could do for you today"


@pytest.fixture(scope="module")
def jfk():
    return load_audio(JFK)


@pytest.fixture(scope="module")
def tiny_vs_base(jfk):
    seen: list[tuple[float, str]] = []
    result = asr.compare(
        jfk,
        a={"model_id": asr.EMBEDDED_ID},
        b={"model_id": asr.BASE_ID},
        reference=JFK_SENTENCE,
        progress=lambda f, m: seen.append((f, m)),
    )
    return result, seen


# ------------------------------------------------------------------------------- the core


def test_tiny_and_base_both_transcribe_jfk_within_tolerance(tiny_vs_base, jfk):
    result, _ = tiny_vs_base
    for side, model_id in ((result.a, asr.EMBEDDED_ID), (result.b, asr.BASE_ID)):
        assert side.model_id == model_id and side.settings == {"model_id": model_id}
        assert side.result.text.strip(), model_id
        assert side.wer is not None and side.wer.wer <= 0.15, (model_id, side.result.text)
        assert side.wer.wer == word_error_rate(JFK_SENTENCE, side.result.text).wer
        assert side.seconds > 0 and side.rtf == pytest.approx(side.seconds / jfk.duration_s)
        assert side.engine.startswith("faster-whisper · Whisper ")
    assert result.duration_s == pytest.approx(jfk.duration_s)
    assert result.diff == asr.word_diff(result.a.result.text, result.b.result.text)


def test_compare_reports_a_in_the_first_half_and_b_in_the_second(tiny_vs_base):
    _, seen = tiny_vs_base
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    a = [f for f, m in seen if m.startswith("Model A")]
    b = [f for f, m in seen if m.startswith("Model B")]
    assert a and b and max(a) <= 0.5 <= min(b)


def test_diff_of_a_transcript_against_itself_marks_nothing(tiny_vs_base):
    text = tiny_vs_base[0].a.result.text
    diff = asr.word_diff(text, text)
    assert diff and all(step.op == "equal" for step in diff)
    assert asr.only_in(diff) == ([], [])


def test_diff_of_two_texts_marks_exactly_the_differing_words():
    diff = asr.word_diff(SAID_A, SAID_B)
    assert asr.only_in(diff) == (["country", "can"], ["nation", "could", "today"])
    shared = [s.hypothesis for s in diff if s.op == "equal"]
    assert shared == ["ask", "not", "what", "your", "do", "for", "you"]


def test_diff_with_an_empty_side_marks_every_word_of_the_other():
    assert asr.only_in(asr.word_diff("", "two words")) == ([], ["two", "words"])
    assert asr.only_in(asr.word_diff("two words", "")) == (["two", "words"], [])
    assert asr.word_diff("", "") == ()


def test_same_model_twice_is_allowed_and_agrees_with_itself(jfk):
    greedy = {"model_id": asr.EMBEDDED_ID, "beam_size": 1}
    result = asr.compare(jfk, a=greedy, b=greedy)
    assert result.a.result.text == result.b.result.text and result.differing == 0
    assert result.a.wer is None and result.b.wer is None  # no reference, no WER


def test_unknown_or_unreachable_model_is_refused_before_anything_runs(jfk):
    seen = []
    with pytest.raises(AudioStudyError, match="Unknown model 'evil/model'"):
        asr.compare(
            jfk, a={"model_id": asr.EMBEDDED_ID}, b={"model_id": "evil/model"}, progress=seen.append
        )
    # Offline and not cached: the app's sentence names the embedded alternative.
    with pytest.raises(ModelUnavailableError, match=re.escape(asr.EMBEDDED_NAME)):
        asr.compare(
            jfk,
            a={"model_id": asr.EMBEDDED_ID},
            b={"model_id": "openai/whisper-small"},
            progress=seen.append,
        )
    assert seen == []


def test_compare_refuses_unknown_settings_and_a_too_long_reference(jfk):
    with pytest.raises(TypeError, match="unknown settings for b: speed"):
        asr.compare(jfk, a={"model_id": asr.EMBEDDED_ID}, b={"model_id": asr.BASE_ID, "speed": 2})
    with pytest.raises(TypeError, match="needs a model_id"):
        asr.compare(jfk, a={}, b={"model_id": asr.BASE_ID})
    with pytest.raises(AudioStudyError, match="reference text is"):
        asr.compare(
            jfk,
            a={"model_id": asr.EMBEDDED_ID},
            b={"model_id": asr.EMBEDDED_ID},
            reference="word " * 5000,
        )
    with pytest.raises(AudioStudyError, match="Beam size"):
        too_wide = {"model_id": asr.EMBEDDED_ID, "beam_size": 99}
        asr.compare(jfk, a=too_wide, b={"model_id": asr.BASE_ID})


# --------------------------------------------------------------------- the views, directly


def _marked(html_text: str, cls: str) -> list[str]:
    return re.findall(rf'<span class="{cls}"[^>]*>([^<]*)</span>', html_text)


def test_diff_html_of_a_text_against_itself_marks_nothing():
    from demos.asr import views

    shown = views.diff_html(asr.word_diff(JFK_SENTENCE, JFK_SENTENCE))
    assert not _marked(shown, "only-a") and not _marked(shown, "only-b")
    assert "A and B say the same words" in shown


def test_diff_html_marks_exactly_the_differing_words():
    from demos.asr import views

    shown = views.diff_html(asr.word_diff(SAID_A, SAID_B))
    assert _marked(shown, "only-a") == ["country", "can"]
    assert _marked(shown, "only-b") == ["nation", "could", "today"]
    assert "2 words only in A, 3 only in B" in shown


def test_diff_html_escapes_the_words():
    from demos.asr import views

    shown = views.diff_html(asr.word_diff("a b", "a <b>"))
    assert "<b>b</b>" not in shown.split("<p>")[1]


def test_comparison_view_shows_each_wer_and_timing_badge(tiny_vs_base):
    from demos.asr import views

    result, _ = tiny_vs_base
    shown = views.comparison_html(result)
    assert re.search(r"WER A \d+\.\d%", shown) and re.search(r"WER B \d+\.\d%", shown)
    badge = views.side_badge(result.a)
    assert "faster-whisper · Whisper tiny.en" in badge and re.search(r"RTF \d\.\d\d", badge)


def test_compare_section_is_built_with_shareable_model_choices():
    import gradio as gr

    from audiokit import ui
    from demos import asr as tab

    with ui.collect_controls() as found:
        demo = tab.build()
    names = [p.name for p, _ in found]
    assert "model_a" in names and "model_b" in names
    badges = [
        b
        for b in demo.blocks.values()
        if isinstance(b, gr.Markdown) and "timing-badge" in (b.elem_classes or [])
    ]
    assert len(badges) >= 3  # the main result's summary and each side of the compare


# ------------------------------------------------------------------- through the launched app


@pytest.mark.app
def test_compare_endpoint_through_the_api(client):
    from gradio_client import handle_file

    text_a, badge_a, text_b, badge_b, diff = client.predict(
        handle_file(str(JFK)),
        model_a=asr.EMBEDDED_ID,
        model_b=asr.BASE_ID,
        reference=JFK_SENTENCE,
        api_name="/transcribe_compare",
    )
    for text in (text_a, text_b):
        assert word_error_rate(JFK_SENTENCE, text).wer <= 0.15, text
    assert "faster-whisper · Whisper tiny.en" in badge_a and "RTF" in badge_a
    assert "faster-whisper · Whisper base" in badge_b and "RTF" in badge_b
    assert "WER A" in diff and "WER B" in diff and 'class="asr-diff"' in diff


@pytest.mark.app
def test_compare_endpoint_unknown_model_gets_the_sentence(client):
    from gradio_client import handle_file

    with pytest.raises(Exception, match="Unknown model 'evil/model'"):
        client.predict(
            handle_file(str(JFK)), asr.EMBEDDED_ID, "evil/model", api_name="/transcribe_compare"
        )
    with pytest.raises(Exception, match=re.escape(asr.EMBEDDED_NAME)):
        client.predict(
            handle_file(str(JFK)),
            asr.EMBEDDED_ID,
            "openai/whisper-base",
            api_name="/transcribe_compare",
        )


@pytest.mark.app
def test_main_transcription_ends_in_its_timing_badge(client):
    from gradio_client import handle_file

    summary = client.predict(handle_file(str(JFK)), beam_size=1, api_name="/transcribe")[1]
    badge = summary.strip().splitlines()[-1]
    assert badge.startswith("⏱ **faster-whisper · Whisper tiny.en**"), summary
    assert re.search(r"\d+\.\d\d s · RTF \d\.\d\d \(11\.0 s of audio\)", badge), badge


@pytest.mark.browser
@pytest.mark.app
def test_page_compares_two_models(app_url, page, tmp_path):
    response = page.goto(app_url + "asr")
    if response is not None and response.status == 404:  # the page mounted as a sub-app
        page.goto(app_url + "asr/")
    page.get_by_text("Compare A/B: the same speech").click()
    page.get_by_role("button", name="Compare A and B", exact=True).click()
    page.locator(".asr-diff b").first.wait_for(timeout=240_000)
    sides = (
        "() => [...document.querySelectorAll('textarea')]"
        ".filter(e => /Transcript [AB]/.test(e.closest('label')?.innerText || ''))"
        ".map(e => e.value)"
    )
    page.wait_for_function(f"() => ({sides})().filter(v => /country/i.test(v)).length == 2")
    for text in page.evaluate(sides):
        assert word_error_rate(JFK_SENTENCE, text).wer <= 0.15, text
    body = page.locator("body").inner_text()
    assert "A and B say the same words" in body or "only in A" in body
    assert len(re.findall(r"faster-whisper · Whisper", body)) >= 2
    page.screenshot(path=str(tmp_path / "asr-compare.png"), full_page=True)


def test_sent_audio_lands_in_the_transcribe_input():
    from audiokit import study
    from demos import asr as tab

    with study.collect_sends() as found:
        tab.build()
    (tab_id, component, note), *others = found["receivers"]
    assert tab_id == "asr" and not others
    assert component.label == "Speech" and component.type == "filepath"
    assert "sent-from" in note.elem_classes
    # Placed right under the input: the note follows the input in the same column.
    children = component.parent.children
    assert children.index(note) == children.index(component) + 1
