"""The Separation tab as users meet it: through the launched app's API and a browser."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audiokit.audio import load_audio
from audiokit.metrics import si_sdr
from demos.separation import EXAMPLES
from tests.conftest import JFK

pytestmark = pytest.mark.app


def test_endpoint_names_are_pinned(client):
    named = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert "/separate" in named
    # UI-only events stay private, so they do not clutter the API page.
    assert not {e for e in named if "separation_" in e}


def test_separate_with_only_the_audio_gives_aligned_stems(client, tmp_path):
    from gradio_client import handle_file

    # 44.1 kHz stereo in, so the stems must keep the rate and both channels.
    mono = load_audio(JFK).for_model(44100)
    stereo = tmp_path / "jfk.wav"
    sf.write(stereo, np.stack([mono, 0.6 * np.roll(mono, 18)], axis=1), 44100, subtype="PCM_16")
    stem1, stem2, summary, _spectrograms, _masks, files = client.predict(
        handle_file(str(stereo)), api_name="/separate"
    )
    mix, rate = sf.read(stereo, dtype="float32")
    speech, speech_rate = sf.read(stem1, dtype="float32")
    noise, _ = sf.read(stem2, dtype="float32")
    assert speech_rate == rate == 44100 and speech.shape == noise.shape == mix.shape
    # Sample-aligned (no search): a clean speech recording mostly survives denoising.
    assert si_sdr(speech[:, 0], mix[:, 0]) > 10
    np.testing.assert_allclose(speech + noise, mix, atol=2e-4)  # two 16-bit roundings
    assert "2 stems" in summary and "11.0 s at 44100 Hz" in summary
    assert sorted(Path(f).name for f in files) == ["jfk-noise.wav", "jfk-speech.wav"]


def test_hpss_with_a_reference_reports_si_sdr_improvement(client):
    from gradio_client import handle_file

    result = client.predict(
        handle_file(str(EXAMPLES / "noisy_speech.wav")),
        "denoise",
        reference_path=handle_file(str(EXAMPLES / "jfk_clean.wav")),
        api_name="/separate",
    )
    summary = result[2]
    improvement = float(re.search(r"SI-SDRi\)\*\* \| \*\*([+-][\d.]+)", summary).group(1))
    assert improvement > 3, summary
    harmonic, *_ = client.predict(
        handle_file(str(EXAMPLES / "chord_clicks.wav")), "hpss", api_name="/separate"
    )
    assert sf.info(harmonic).frames == sf.info(EXAMPLES / "chord_clicks.wav").frames


def test_not_audio_gives_our_sentence(client, tmp_path):
    from gradio_client import handle_file

    bogus = tmp_path / "notes.wav"
    bogus.write_text("these are meeting notes, not audio", encoding="utf-8")
    with pytest.raises(Exception, match="Could not read 'notes.wav' as audio"):
        client.predict(handle_file(str(bogus)), api_name="/separate")


def test_over_limit_audio_is_refused_before_the_queue_with_our_sentence(client, tmp_path):
    from gradio_client import handle_file

    long = tmp_path / "long.wav"
    sf.write(long, np.zeros(8000 * 301, dtype=np.int16), 8000)  # 5:01, header says so
    with pytest.raises(Exception, match="this demo takes at most 5:00"):
        client.predict(handle_file(str(long)), api_name="/separate")


def test_unknown_method_gets_our_sentence(client):
    from gradio_client import handle_file

    with pytest.raises(Exception, match="demucs") as info:
        client.predict(
            handle_file(str(EXAMPLES / "chord_clicks.wav")), "demucs", api_name="/separate"
        )
    assert "400 Bad Request" not in str(info.value)


def test_sepformer_offline_gives_our_sentence(client):
    from gradio_client import handle_file

    with pytest.raises(Exception, match="DeepFilterNet3"):
        client.predict(
            handle_file(str(EXAMPLES / "two_speakers.wav")), "sepformer", api_name="/separate"
        )


@pytest.mark.browser
def test_page_separates_the_preloaded_example(app_url, page, output_dir):
    response = page.goto(app_url + "separation")
    if response is not None and response.status == 404:  # the page mounted as a sub-app
        page.goto(app_url + "separation/")
    page.get_by_role("button", name="Separate", exact=True).click()
    page.get_by_text("sample-aligned with the input").wait_for(timeout=90_000)
    page.get_by_text("Learn: what the method sees").click()
    page.get_by_text("DeepFilterNet3", exact=False).first.wait_for(timeout=30_000)
    page.locator("img[src^='data:image']").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    body = page.locator("body").inner_text()
    assert "Stem 1: speech" in body and "Stem 2: noise" in body
    assert re.search(r"noisy_speech-speech\s*\.wav", body)
    page.screenshot(path=str(output_dir / "separation-page.png"), full_page=True)
    # Choosing another method renames the stems and shows that method's setting.
    page.get_by_label("Method").click()
    page.get_by_role("option", name="Harmonic vs. percussive (librosa HPSS)").click()
    page.get_by_text("Stem 1: harmonic").wait_for(timeout=10_000)
    page.get_by_text("HPSS margin").wait_for(timeout=10_000)
    assert not page.get_by_text("Attenuation limit (dB)").is_visible()
