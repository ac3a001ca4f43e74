"""The Speech recognition tab as users meet it: through the launched app's API and a browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from audiokit.engines.asr import EMBEDDED_NAME
from audiokit.metrics import word_error_rate
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, JFK, JFK_REFERENCE

pytestmark = pytest.mark.app


def test_endpoint_names_are_pinned(client):
    named = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert {"/transcribe", "/asr_stream"} <= named
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


@pytest.mark.browser
def test_page_transcribes_the_preloaded_example(app_url, page, output_dir):
    response = page.goto(app_url + "asr")
    if response is not None and response.status == 404:  # the page mounted as a sub-app
        page.goto(app_url + "asr/")
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
