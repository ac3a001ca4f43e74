"""The TTS tab in the launched app: gradio_client calls and the /tts page in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
import soundfile as sf

pytestmark = pytest.mark.app

TEXT = "Hello from the study group. Text to speech runs offline."


@pytest.fixture(scope="module")
def spoken(client):
    """The main endpoint called with the text alone, every other input at its default."""
    return client.predict(TEXT, api_name="/synthesize")


def test_synthesize_with_defaults_returns_audio_first(spoken):
    audio_path, downloads, summary, phonemes, _plot, roundtrip = spoken
    info = sf.info(audio_path)
    assert info.samplerate == 22050 and info.channels == 1
    assert 2.0 < info.duration < 10.0
    data, _ = sf.read(audio_path)
    assert abs(data).max() > 0.5  # int16 we clipped ourselves: not renormalised, not silent
    suffixes = sorted(Path(d["path"] if isinstance(d, dict) else d).suffix for d in downloads)
    assert suffixes == [".flac", ".mp3", ".wav"]
    assert "of speech at 22,050 Hz" in summary and "real-time factor" in summary
    assert "Hello from the study group." in phonemes and "ˈ" in phonemes
    assert roundtrip == ""


def test_round_trip_endpoint_scores_the_speech(client, spoken):
    from gradio_client import handle_file

    report = client.predict(handle_file(spoken[0]), TEXT, api_name="/tts_roundtrip")
    assert "WER" in report and "Heard by Whisper" in report
    wer = float(report.split("WER ")[1].split("%")[0])
    assert wer <= 20.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("   ",), "The text is empty"),
        (("😀🎉",), "nothing to speak"),
        (("a" * 5001,), "at most 5,000"),
        (("Hello.", "Robot voice"), "Robot voice is not in the list of choices"),
        (("Hello.", "MMS-TTS German (facebook/mms-tts-deu, Hub)"), "cannot be reached"),
    ],
)
def test_bad_inputs_give_our_sentence_and_the_server_stays_up(client, args, message):
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name="/synthesize")
    assert client.predict("Still here.", api_name="/synthesize")[0]


@pytest.mark.browser
def test_page_speaks_the_preloaded_example(page, app_url, output_dir):
    page.goto(app_url + "tts")
    page.get_by_role("button", name="Speak").click()
    summary = page.get_by_text("of speech at 22,050 Hz")
    summary.wait_for(timeout=120_000)
    assert "Read as: Doctor Smith paid 3 dollars 50 cents" in page.inner_text("body")
    page.locator(".tts-ph").first.wait_for()
    page.locator(".js-plotly-plot, img, canvas").first.wait_for()
    page.get_by_role("button", name="Check by ear and by machine").click()
    page.get_by_text("Heard by Whisper").wait_for(timeout=120_000)
    page.wait_for_timeout(500)
    page.screenshot(path=output_dir / "tts-page.png", full_page=True)
