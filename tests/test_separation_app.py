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
    named = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert "/separate" in named
    # UI-only events (the figures drawn after the answer among them) stay private.
    assert not {e for e in named if "separation_" in e}
    # The answer is the stems, the summary and the files: no figures, no held state.
    returns = [r["component"] for r in named["/separate"]["returns"]]
    assert returns == ["Audio", "Audio", "Markdown", "File"]
    params = [p["parameter_name"] for p in named["/separate"]["parameters"]]
    assert params[-1] == "gate_strength" and params[:2] == ["audio_path", "method"]


def test_separate_with_only_the_audio_gives_aligned_stems(client, tmp_path):
    from gradio_client import handle_file

    # 44.1 kHz stereo in, so the stems must keep the rate and both channels.
    mono = load_audio(JFK).for_model(44100)
    stereo = tmp_path / "jfk.wav"
    sf.write(stereo, np.stack([mono, 0.6 * np.roll(mono, 18)], axis=1), 44100, subtype="PCM_16")
    stem1, stem2, summary, files = client.predict(handle_file(str(stereo)), api_name="/separate")
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


@pytest.mark.parametrize("method", ["rnnoise", "spectral_gating"])
def test_offline_denoisers_through_the_api_improve_the_example(client, method):
    from gradio_client import handle_file

    speech, noise, summary, _files = client.predict(
        handle_file(str(EXAMPLES / "noisy_speech.wav")),
        method,
        reference_path=handle_file(str(EXAMPLES / "jfk_clean.wav")),
        api_name="/separate",
    )
    improvement = float(re.search(r"SI-SDRi\)\*\* \| \*\*([+-][\d.]+)", summary).group(1))
    assert improvement > 1.0, summary
    mix, rate = sf.read(EXAMPLES / "noisy_speech.wav", dtype="float32")
    clean, clean_rate = sf.read(speech, dtype="float32")
    assert clean_rate == rate and clean.shape == mix.shape
    np.testing.assert_allclose(clean + sf.read(noise, dtype="float32")[0], mix, atol=2e-4)


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


def _open_tab(page, app_url: str) -> None:
    response = page.goto(app_url + "separation")
    if response is not None and response.status == 404:  # the page mounted as a sub-app
        page.goto(app_url + "separation/")


@pytest.mark.browser
def test_page_separates_the_preloaded_example(app_url, page, output_dir):
    _open_tab(page, app_url)
    page.get_by_role("button", name="Separate", exact=True).click()
    page.get_by_text("sample-aligned with the input").wait_for(timeout=90_000)
    page.get_by_text("Learn: what the method sees").click()
    page.get_by_text("DeepFilterNet3", exact=False).first.wait_for(timeout=30_000)
    page.locator("img[src^='data:image']").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    body = page.locator("body").inner_text()
    assert "Stem 1: speech" in body and "Stem 2: noise" in body
    assert re.search(r"noisy_speech-speech\s*\.wav", body)
    # The learn view compares the three denoisers with the benchmark's figures.
    assert "The three denoisers on the same noisy speech" in body and "RNNoise" in body
    page.screenshot(path=str(output_dir / "separation-page.png"), full_page=True)
    # Choosing another method renames the stems and shows that method's setting.
    page.get_by_label("Method").click()
    page.get_by_role("option", name="Harmonic vs. percussive (librosa HPSS)").click()
    page.get_by_text("Stem 1: harmonic").wait_for(timeout=10_000)
    page.get_by_text("HPSS margin").wait_for(timeout=10_000)
    assert not page.get_by_text("Attenuation limit (dB)").is_visible()
    page.get_by_label("Method").click()
    page.get_by_role("option", name="Speech vs. noise (spectral gating, noisereduce)").click()
    page.get_by_text("Gate strength").wait_for(timeout=10_000)


@pytest.mark.browser
def test_offline_sepformer_is_marked_and_has_no_example(app_url, page):
    _open_tab(page, app_url)
    page.get_by_role("button", name="Separate", exact=True).wait_for(timeout=30_000)
    examples = page.locator(".gradio-container").get_by_text("two_speakers.wav")
    assert examples.count() == 0
    assert page.get_by_text("noisy_speech.wav").count() >= 1  # the other examples are there
    page.get_by_label("Method").click()
    option = page.get_by_role("option", name=re.compile("SepFormer"))
    assert "· Hub, not downloaded" in option.inner_text()


@pytest.mark.browser
def test_a_failed_run_clears_the_previous_result_and_says_why_there(app_url, page, output_dir):
    """Issue 15 item 6: after a good run, a run that fails (SepFormer offline) must not
    leave the previous stems and figures on screen, and its reason stays readable."""
    _open_tab(page, app_url)
    page.get_by_role("button", name="Separate", exact=True).click()
    page.get_by_text("sample-aligned with the input").wait_for(timeout=90_000)
    page.locator("#sep-spectrograms img").wait_for(timeout=30_000)
    page.get_by_label("Method").click()
    page.get_by_role("option", name=re.compile("SepFormer")).click()
    page.get_by_role("button", name="Separate", exact=True).click()
    status = page.locator(".block.run-status")
    status.get_by_text("Could not run.").wait_for(timeout=30_000)
    page.wait_for_timeout(6000)  # longer than the error toast stays
    assert "DeepFilterNet3" in status.inner_text()
    assert "not downloaded" in status.inner_text()
    body = page.locator("body").inner_text()
    assert "sample-aligned with the input" not in body
    assert page.locator("#sep-spectrograms img").count() == 0
    assert page.locator("audio").count() == 0 or not re.search(r"noisy_speech-speech", body)
    page.screenshot(path=str(output_dir / "separation-failed-run.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), [(1400, 1000), (390, 844)])
def test_spectrogram_axes_are_not_covered_by_a_label_badge(
    app_url, browser, output_dir, width, height
):
    """Issue 15 item 8: Gradio draws a plot's label as a badge over its top-left corner,
    where the top tick of the frequency axis is. The figures carry no badge; their headings
    are Markdown above them."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        _open_tab(page, app_url)
        page.get_by_role("button", name="Separate", exact=True).click()
        figure = page.locator("#sep-spectrograms img")
        figure.wait_for(timeout=90_000)
        page.get_by_text("Learn: what the method sees").click()
        page.locator("#sep-masks img").wait_for(timeout=30_000)
        page.wait_for_timeout(1000)
        figure.scroll_into_view_if_needed()
        page.screenshot(path=str(output_dir / f"separation-plots-{width}x{height}.png"))
        page.screenshot(
            path=str(output_dir / f"separation-page-{width}x{height}.png"), full_page=True
        )
        for plot in ("#sep-spectrograms", "#sep-masks"):
            badges = page.locator(f"{plot} [data-testid='block-label']")
            assert badges.count() == 0 or not badges.first.is_visible(), plot
            # The figure is scaled to its block, so no axis is cut off at the right. (Whether
            # the page itself fits a phone is the app's layout, issue 15 item 1.)
            box = page.locator(f"{plot} img").bounding_box()
            block = page.locator(plot).bounding_box()
            assert box["x"] >= block["x"] - 1, plot
            assert box["x"] + box["width"] <= block["x"] + block["width"] + 1, plot
    finally:
        context.close()
