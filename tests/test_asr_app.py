"""The Speech recognition tab as users meet it: through the launched app's API and a browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from audiokit.engines.asr import BASE_ID, BASE_NAME, EMBEDDED_NAME, XLSR_ID
from audiokit.metrics import word_error_rate
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, JFK, JFK_REFERENCE, ROOT

GERMAN = ROOT / "examples" / "asr" / "german_mit.flac"

pytestmark = pytest.mark.app


def test_endpoint_names_are_pinned(client):
    named = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert {"/transcribe", "/translate_speech"} <= named
    # The live microphone's chunks are callable but undocumented (not an MCP tool).
    assert "/asr_stream" not in named
    # UI-only events stay private, so they do not clutter the API page.
    assert not {e for e in named if "asr_learn" in e or "asr_model_info" in e}


def test_transcribe_with_only_the_audio(client):
    from gradio_client import handle_file

    result = client.predict(handle_file(str(JFK)), api_name="/transcribe")
    text, summary, segments, words, files, wer = result
    assert word_error_rate(JFK_REFERENCE, text).wer <= 0.05, text
    assert "11.0 s transcribed" in summary
    rows = segments["data"]
    assert rows and [r[0] for r in rows] == sorted(r[0] for r in rows) and rows[-1][1] <= 11.1
    assert words["data"] in ([], [[]]) or not any(words["data"][0])
    names = sorted(Path(f).name for f in files)
    assert names == ["jfk.json", "jfk.srt", "jfk.txt", "jfk.vtt"]
    srt = Path(next(f for f in files if f.endswith(".srt"))).read_bytes()
    assert not srt.startswith(b"\xef\xbb\xbf") and b" --> " in srt
    assert wer == ""


def test_reference_text_gives_wer_and_alignment(client):
    from gradio_client import handle_file

    result = client.predict(
        handle_file(str(JFK)),
        reference="And so my fellow Americans, ask not what your nation can do for you.",
        api_name="/transcribe",
    )
    wer_html = result[5]
    assert "WER" in wer_html and "background:#bbf7d0" in wer_html  # insertions highlighted
    assert re.search(r"1 substituted", wer_html)


def test_not_audio_gives_our_sentence(client, tmp_path):
    from gradio_client import handle_file

    bogus = tmp_path / "notes.wav"
    bogus.write_text("these are meeting notes, not audio", encoding="utf-8")
    with pytest.raises(Exception, match="Could not read 'notes.wav' as audio"):
        client.predict(handle_file(str(bogus)), api_name="/transcribe")


def test_hub_model_offline_gives_our_sentence(client):
    from gradio_client import handle_file

    with pytest.raises(Exception, match=re.escape(EMBEDDED_NAME)):
        client.predict(
            handle_file(str(JFK)),
            model_id="openai/whisper-base",
            api_name="/transcribe",
        )


def test_base_through_the_api_detects_the_language(client):
    from gradio_client import handle_file

    text, summary, *_ = client.predict(
        handle_file(str(GERMAN)), model_id=BASE_ID, beam_size=1, api_name="/transcribe"
    )
    assert re.search(r"language \*\*de\*\* \(detected, p = (0\.9\d|1\.00)\)", summary), summary
    assert "Software" in text


def test_translate_speech_through_the_api(client):
    from gradio_client import handle_file

    text, summary = client.predict(handle_file(str(GERMAN)), api_name="/translate_speech")
    assert re.search(r"\bsoftware", text, re.IGNORECASE) and " the " in f" {text} ", text
    assert "into **English**" in summary and "spoken language **de**" in summary


def test_translate_speech_refuses_what_the_model_cannot_write(client):
    from gradio_client import handle_file

    with pytest.raises(Exception, match="only into English"):
        client.predict(handle_file(str(GERMAN)), BASE_ID, "de", api_name="/translate_speech")
    with pytest.raises(Exception, match=re.escape(BASE_NAME)):  # offline, not cached
        client.predict(handle_file(str(GERMAN)), XLSR_ID, "de", api_name="/translate_speech")


def test_translate_speech_raw_http_bad_model_is_a_sentence(app_url):
    """Raw HTTP bypasses gradio_client's checks: the answer is still our sentence."""
    import httpx

    with GERMAN.open("rb") as f:
        uploaded = httpx.post(
            f"{app_url}gradio_api/upload", files={"files": (GERMAN.name, f)}, timeout=30
        ).json()[0]
    audio = {"path": uploaded, "meta": {"_type": "gradio.FileData"}}
    call = httpx.post(
        f"{app_url}gradio_api/call/translate_speech",
        json={"data": [audio, "evil/model", "en"]},
        timeout=30,
    )
    event_id = call.json()["event_id"]
    stream = httpx.get(f"{app_url}gradio_api/call/translate_speech/{event_id}", timeout=120)
    assert "event: error" in stream.text and "Unknown model 'evil/model'" in stream.text
    assert "Traceback" not in stream.text


def _open_asr(page, app_url):
    response = page.goto(app_url + "asr")
    if response is not None and response.status == 404:  # the page mounted as a sub-app
        page.goto(app_url + "asr/")


@pytest.mark.browser
def test_choosing_base_unlocks_options_and_shows_detected_language(app_url, page, output_dir):
    _open_asr(page, app_url)
    # tiny.en says why translate is locked, in the page (not only a greyed-out radio).
    page.get_by_text("translate needs a multilingual model").first.wait_for(timeout=30_000)
    page.get_by_label(re.compile(r"^Model \(size")).click()
    page.get_by_role("option", name=re.compile(r"Whisper base \(multilingual\)")).click()
    page.get_by_text("translate writes English").first.wait_for(timeout=30_000)
    assert page.get_by_label("translate").is_enabled()
    page.get_by_text("german_mit.flac").first.click()  # the German example row
    page.get_by_role("button", name="Transcribe", exact=True).click()
    detected = page.get_by_text(re.compile(r"language de \(detected, p = \d\.\d\d\)"))
    detected.wait_for(timeout=180_000)
    shown = page.locator("textarea").evaluate_all("els => els.map(e => e.value).join(' ')")
    assert "Software" in shown
    page.screenshot(path=str(output_dir / "asr-base-german.png"), full_page=True)


@pytest.mark.browser
def test_a_failed_translation_clears_the_old_result_and_says_why(app_url, page, output_dir):
    _open_asr(page, app_url)
    page.get_by_role("tab", name="Translate speech").click()
    page.get_by_role("button", name="Translate", exact=True).click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('textarea')].some(t => /software/i.test(t.value))",
        timeout=180_000,
    )
    target = page.get_by_label("Write in")
    target.fill("de")
    target.press("Enter")
    page.get_by_role("button", name="Translate", exact=True).click()
    page.get_by_text("Could not run.").wait_for(timeout=60_000)
    assert page.get_by_text(re.compile("translates only into English")).first.is_visible()
    texts = page.locator("textarea").evaluate_all("els => els.map(e => e.value).join(' ')")
    assert "software" not in texts.lower(), "the previous translation was cleared"
    page.screenshot(path=str(output_dir / "asr-translate-error.png"), full_page=True)


@pytest.mark.browser
def test_page_transcribes_the_preloaded_example(app_url, page, output_dir):
    _open_asr(page, app_url)
    page.get_by_role("button", name="Transcribe", exact=True).click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('textarea')].some(t => /country/i.test(t.value))",
        timeout=90_000,
    )
    shown = page.locator("textarea").evaluate_all("els => els.map(e => e.value).join(' ')")
    assert "fellow Americans" in shown
    page.get_by_text("Learn: what the model sees").click()
    page.get_by_text("Mean token probability").wait_for(timeout=60_000)
    page.locator("img[src^='data:image']").first.wait_for(timeout=30_000)
    page.screenshot(path=str(output_dir / "asr-page.png"), full_page=True)
    assert re.search(r"jfk\s*\.srt", page.locator("body").inner_text())


@pytest.mark.browser
def test_live_microphone_streams_partial_text(app_url, browser, output_dir, tmp_path):
    """Chromium's fake microphone plays jfk; the live transcript must pick up its words."""
    from audiokit.audio import load_audio, write_audio

    speech = load_audio(JFK).resampled(48000)
    wav = write_audio(speech, tmp_path / "mic.wav")
    live = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}",
        ],
    )
    try:
        context = live.new_context(viewport={"width": 1280, "height": 900})
        context.grant_permissions(["microphone"])
        page = context.new_page()
        response = page.goto(app_url + "asr")
        if response is not None and response.status == 404:
            page.goto(app_url + "asr/")
        page.get_by_role("tab", name="Live microphone").click()
        page.get_by_role("button", name=re.compile("record", re.IGNORECASE)).first.click()
        try:
            page.wait_for_function(
                "() => [...document.querySelectorAll('textarea')]"
                ".some(t => /fellow.*country/i.test(t.value))",
                timeout=60_000,
            )
        finally:
            page.screenshot(path=str(output_dir / "asr-live.png"), full_page=True)
    finally:
        live.close()
