"""The study features across tabs, in headless Chromium against the launched app: a sent
output lands in another tab, a shared link reopens a tab with its settings, the Code panel
shows runnable code for the current settings, and slide pages have no send buttons."""

from __future__ import annotations

import ast
import re

import pytest

from audiokit.metrics import word_error_rate

pytestmark = [pytest.mark.app, pytest.mark.browser]

SENTENCE = "Please bring your own recordings to the next study group."


def _tab(page, title: str):
    return page.get_by_role("tablist").first.get_by_role("tab", name=title, exact=True)


def _visible(page, selector: str):
    return page.locator(selector).locator("visible=true")


def test_tts_output_sent_to_asr_is_transcribed_as_typed(page, app_url, output_dir):
    page.goto(app_url + "?tab=tts")
    _tab(page, "Text to speech").and_(page.get_by_role("tab", selected=True)).wait_for()
    page.get_by_label("Text", exact=True).locator("visible=true").fill(SENTENCE)
    page.get_by_role("button", name="Speak", exact=True).click()
    send = _visible(page, ".send-to button").filter(has_text="Send to Speech recognition")
    # The summary comes with the answer; the send button then has audio to pass on.
    page.get_by_text(re.compile(r"s of speech at 22,050 Hz")).locator(
        "visible=true"
    ).first.wait_for(timeout=120_000)
    send.first.click()
    _tab(page, "Speech recognition").and_(page.get_by_role("tab", selected=True)).wait_for()
    note = _visible(page, ".sent-from").first
    note.wait_for()
    assert "Text to speech" in note.inner_text()
    page.get_by_role("button", name="Transcribe", exact=True).click()
    # The transcript box is the ASR tab's textarea that fills with the words.
    page.wait_for_function(
        "() => [...document.querySelectorAll('textarea')]"
        ".some(t => t.offsetParent && /study group/i.test(t.value))",
        timeout=120_000,
    )
    heard = page.locator("textarea").evaluate_all(
        "els => els.filter(t => t.offsetParent && /study group/i.test(t.value))[0].value"
    )
    page.screenshot(path=output_dir / "study-tts-to-asr.png", full_page=True)
    result = word_error_rate(SENTENCE, heard)
    assert result.wer <= 0.2, heard


def test_a_made_link_reopens_the_tab_with_its_settings(browser, page, app_url, output_dir):
    page.goto(app_url + "?tab=tts")
    _tab(page, "Text to speech").and_(page.get_by_role("tab", selected=True)).wait_for()
    length = page.get_by_label("number input for Length scale (×)").locator("visible=true")
    length.fill("1.35")
    length.press("Enter")
    page.get_by_label("Text", exact=True).locator("visible=true").fill("A shared exercise.")
    _visible(page, ".share-settings").first.click()
    page.get_by_role("button", name="Make a link").locator("visible=true").click()
    box = _visible(page, ".share-link textarea").first
    page.wait_for_function("(el) => el.value.startsWith('http')", arg=box.element_handle())
    link = box.input_value()
    assert "tab=tts" in link and "length_scale=1.35" in link and "text=A+shared" in link

    other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    other.goto(link)
    _tab(other, "Text to speech").and_(other.get_by_role("tab", selected=True)).wait_for()
    reopened = other.get_by_label("number input for Length scale (×)").locator("visible=true")
    other.wait_for_function("(el) => el.value === '1.35'", arg=reopened.element_handle())
    text = other.get_by_label("Text", exact=True).locator("visible=true")
    assert text.input_value() == "A shared exercise."
    assert not other.locator("#tab-note").is_visible()
    other.screenshot(path=output_dir / "study-link-reopened.png", full_page=True)
    other.context.close()


def test_a_link_with_bad_values_opens_the_tab_with_a_note(page, app_url):
    page.goto(app_url + "?tab=tts&length_scale=99&loudness=11&noise_w=0.3")
    _tab(page, "Text to speech").and_(page.get_by_role("tab", selected=True)).wait_for()
    note = page.locator("#tab-note")
    note.wait_for()
    text = note.inner_text()
    assert "must be between 0.25 and 4" in text and "`loudness`" not in text
    assert "loudness is not a setting of this tab" in text
    kept = page.get_by_label("number input for Length scale (×)").locator("visible=true")
    assert kept.input_value() == "1"  # the default stays where the link's value did not fit
    taken = page.get_by_label("number input for Rhythm variability (noise w)")
    assert taken.locator("visible=true").input_value() == "0.3"


def test_the_code_panel_shows_a_program_and_an_api_call_for_these_settings(page, app_url):
    page.goto(app_url + "?tab=asr&beam_size=2")
    _tab(page, "Speech recognition").and_(page.get_by_role("tab", selected=True)).wait_for()
    _visible(page, ".code-panel").first.click()
    page.get_by_role("button", name="Show the code for these settings").locator(
        "visible=true"
    ).click()
    blocks = _visible(page, ".code-panel .cm-content")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.code-panel .cm-content')]"
        ".filter(e => e.offsetParent && e.innerText.includes('beam_size')).length === 2"
    )
    library, client = (b.inner_text() for b in blocks.all()[:2])
    ast.parse(library)
    ast.parse(client)
    assert "faster_whisper" in library and "beam_size=2" in library.replace(" ", "")
    assert "audiokit" not in library  # the library alone, not this app
    assert re.search(r"Client\(['\"]http://127\.0\.0\.1:\d+/['\"]\)", client), client
    assert 'api_name="/transcribe"' in client or "api_name='/transcribe'" in client


def test_slide_pages_have_no_send_buttons_but_take_settings(page, app_url):
    page.goto(app_url + "tts/?length_scale=1.5")
    length = page.get_by_label("number input for Length scale (×)").locator("visible=true")
    length.wait_for()
    page.wait_for_function("(el) => el.value === '1.5'", arg=length.element_handle())
    assert page.locator(".send-to button").locator("visible=true").count() == 0
    assert (
        page.get_by_role("tablist").count() == 0
        or not page.get_by_role("tab", name="Speech recognition").count()
    )


def test_the_address_bar_follows_tab_clicks(page, app_url):
    page.goto(app_url)
    _tab(page, "Speech recognition").and_(page.get_by_role("tab", selected=True)).wait_for()
    for title, tab_id in (("Effects", "effects"), ("Speaker verification", "speaker")):
        _tab(page, title).click()
        page.wait_for_function(f"() => window.location.search === '?tab={tab_id}'")
    page.reload()
    _tab(page, "Speaker verification").and_(page.get_by_role("tab", selected=True)).wait_for()
