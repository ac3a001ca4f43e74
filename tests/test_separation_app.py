"""The Separation tab as users meet it: its views and handlers called directly, then the
launched app through its API and a browser."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audiokit.audio import load_audio
from audiokit.metrics import si_sdr
from audiokit.tasks import separation as sep
from demos.separation import EXAMPLES, handlers, layout, views
from tests.conftest import JFK, hub_cache

HUB_MARK = "· Hub, not downloaded"


def _chord_and_clicks(rate: int = 22050, duration_s: float = 3.0) -> np.ndarray:
    t = np.arange(int(rate * duration_s)) / rate
    chord = 0.2 * np.sin(2 * np.pi * 220.0 * t)
    clicks = np.zeros_like(chord)
    clicks[:: rate // 2] = 0.8
    return (chord + clicks).astype(np.float32)[None]


# --- views and handlers, called directly ----------------------------------------------


def test_views_of_a_dsp_result_mask_and_summary_with_reference():
    from audiokit.audio import Audio

    mix = Audio(_chord_and_clicks(), 22050, "mix")
    result = sep.run(mix, method="hpss", reference=Audio(mix.samples * 0.5, 22050))
    assert views.frame_track(result) is None  # HPSS reports nothing per frame
    assert views.learn_figure(result) is not None
    assert views.spectrograms_figure(result) is not None
    summary = views.metrics_markdown(result)
    assert "SI-SDRi" in summary and "2 stems" in summary and "3.0 s at 22050 Hz" in summary
    plain = views.metrics_markdown(sep.run(mix, method="hpss"))
    assert "Upload the clean source" in plain and "SI-SDRi" not in plain


def test_learn_view_draws_rnnoise_speech_probability():
    speech = load_audio(JFK)
    result = sep.run(speech, method="rnnoise")
    values, title, _ = views.frame_track(result)
    assert values is result.speech_probability and "RNNoise" in title
    assert views.learn_figure(result) is not None


def test_learn_view_and_readme_show_the_same_measured_denoiser_comparison():
    figures = sep.load_denoiser_figures()
    assert figures is not None, "run benchmarks/bench_separation.py"
    table = sep.denoiser_table(figures)
    for method in sep.DENOISERS:
        assert table in views.method_notes(method)
    assert table not in views.method_notes("hpss")
    assert "DeepFilterNet3" in views.method_notes("denoise")
    both = views.method_notes("sepformer")
    assert "SepFormer wsj02mix" in both and "SepFormer whamr" in both
    assert views.method_notes("demucs") == ""


def test_widgets_come_from_params():
    with layout.build() as demo:
        pass
    by_label = {getattr(b, "label", None): b for b in demo.blocks.values()}
    atten = by_label["Attenuation limit (dB)"]
    p = sep.PARAMS["atten_lim_db"]
    assert (atten.minimum, atten.maximum, atten.value) == (p.minimum, p.maximum, p.default)
    gate = by_label["Gate strength"]
    assert gate.value == sep.PARAMS["gate_strength"].default
    assert by_label["Method"].value == sep.PARAMS["method"].default


def test_public_handler_is_documented_under_its_endpoint_name():
    assert handlers.separate.__name__ == "separate"
    doc = handlers.separate.__doc__
    assert "Args:" in doc and "Returns:" in doc
    for name in ("audio_path", "method", "atten_lim_db", "reference_path", "gate_strength"):
        assert f"{name}:" in doc


def test_separate_holds_the_result_and_draw_follows_up_without_decoding(tmp_path, monkeypatch):
    import types

    from audiokit import ui

    clip = tmp_path / "chord.wav"
    sf.write(clip, _chord_and_clicks()[0], 22050)
    request = types.SimpleNamespace(session_hash="separation-held-test")
    seen = []
    answer = handlers.separate(
        str(clip),
        "hpss",
        request=request,
        progress=lambda fraction, desc="": seen.append(fraction),
    )
    # The answer only: two stems, the summary, the files; no held state among the outputs.
    assert len(answer) == 4 and isinstance(answer[2], str)
    assert seen and seen[-1] == 1.0
    held = ui.held(handlers.HELD, request)
    assert isinstance(held, sep.Result) and held.method == "hpss"

    def no_decoding(*args, **kwargs):
        raise AssertionError("the learn views must not decode the input again")

    monkeypatch.setattr(handlers, "load_audio", no_decoding)
    monkeypatch.setattr(handlers.sep, "run", no_decoding)
    spectrograms, masks = handlers.draw(request)
    assert spectrograms is not None and masks is not None
    assert ui.held(handlers.HELD, request) is None  # let go once drawn
    assert handlers.draw(request) == (None, None)


def test_offline_and_uncached_sepformer_is_marked_and_its_example_hidden(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    labels = dict((value, label) for label, value in layout.method_choices())
    assert labels["sepformer"].endswith(HUB_MARK)
    assert labels["denoise"] == sep.METHODS["denoise"].title  # embedded: unmarked
    assert all(label.endswith(HUB_MARK) for label, _ in layout.sepformer_choices())
    rows = layout.examples()
    assert "sepformer" not in [row[1] for row in rows]
    assert {"denoise", "rnnoise", "spectral_gating", "hpss", "vocals"} <= {r[1] for r in rows}


def test_cached_sepformer_is_unmarked_but_the_example_waits_for_the_default(tmp_path, monkeypatch):
    """A SepFormer laid out in the Hub cache as huggingface_hub lays out a download (the
    labels look at the files only; tests/test_separation.py runs a tiny real one)."""

    repo = "speechbrain/sepformer-whamr"
    hub_cache(monkeypatch, tmp_path / "hub", repo, dict.fromkeys(sep.SEPFORMER_FILES, b"0"))
    labels = dict((value, label) for label, value in layout.sepformer_choices())
    assert labels[repo] == repo
    assert labels[sep.SEPFORMER_DEFAULT].endswith(HUB_MARK)
    assert "sepformer" not in [row[1] for row in layout.examples()]  # it uses the default


def test_separate_holds_its_timing_badge_for_the_ui_step(tmp_path):
    import types

    clip = tmp_path / "chord.wav"
    sf.write(clip, _chord_and_clicks()[0], 22050)
    request = types.SimpleNamespace(session_hash="separation-badge-test")
    answer = handlers.separate(str(clip), "hpss", request=request, progress=lambda *a, **k: None)
    assert len(answer) == 4  # /separate's answer is unchanged: the badge is a UI output
    badge = handlers.show_badge(request)
    assert badge.startswith("⏱ **HPSS**") and "RTF" in badge and "3.0 s of audio" in badge
    assert handlers.show_badge(types.SimpleNamespace(session_hash="nobody")) == ""


def _comparison(method_b: str = "hpss", *, reference: bool = True) -> sep.Comparison:
    from audiokit.audio import Audio

    mix = Audio(_chord_and_clicks(), 22050, "mix")
    t = np.arange(mix.frames) / 22050
    chord = Audio((0.2 * np.sin(2 * np.pi * 220.0 * t)).astype(np.float32)[None], 22050)
    return sep.compare(
        mix,
        a={"method": "hpss", "hpss_margin": 2},
        b={"method": method_b},
        reference=chord if reference else None,
    )


def test_comparison_view_shows_both_sides_and_their_difference():
    table = views.comparison_markdown(_comparison())
    assert "| | A: HPSS | B: HPSS |" in table
    assert "`hpss`, HPSS margin 2" in table and "`hpss`, HPSS margin 1" in table
    assert "**SI-SDRi (dB)**" in table and "B's SI-SDRi minus A's" in table
    assert "harmonic / percussive" in table and "RTF (time ÷ duration)" in table
    plain = views.comparison_markdown(_comparison("rnnoise", reference=False))
    assert "SI-SDRi" not in plain and "Add the clean source" in plain
    assert "B: RNNoise" in plain and "| settings | `hpss`, HPSS margin 2 | `rnnoise` |" in plain
    assert views.comparison_figure(_comparison(reference=False)) is not None


def test_separate_compare_holds_the_comparison_and_draw_compare_follows_up(tmp_path, monkeypatch):
    import types

    from audiokit import ui

    clip = tmp_path / "chord.wav"
    sf.write(clip, _chord_and_clicks()[0], 22050)
    request = types.SimpleNamespace(session_hash="separation-compare-held-test")
    seen = []
    answer = handlers.separate_compare(
        str(clip),
        "hpss",
        "rnnoise",
        request=request,
        progress=lambda fraction, desc="": seen.append((fraction, desc)),
    )
    # The answer only: A's stems and badge, B's stems and badge, the table; no state.
    a1, a2, a_badge, b1, b2, b_badge, table = answer
    assert [Path(f).name for f in (a1, a2, b1, b2)] == [
        "chord-A-hpss-harmonic.wav",
        "chord-A-hpss-percussive.wav",
        "chord-B-rnnoise-speech.wav",
        "chord-B-rnnoise-noise.wav",
    ]
    assert "A: HPSS" in a_badge and "B: RNNoise" in b_badge and "RTF" in b_badge
    assert "| | A: HPSS | B: RNNoise |" in table
    assert seen[-1][0] == 1.0 and any(d.startswith("B: ") for _, d in seen)
    held = ui.held(handlers.HELD_COMPARE, request)
    assert isinstance(held, sep.Comparison) and held.b.method == "rnnoise"

    def no_decoding(*args, **kwargs):
        raise AssertionError("the learn views must not decode or separate again")

    monkeypatch.setattr(handlers, "load_audio", no_decoding)
    monkeypatch.setattr(handlers.sep, "compare", no_decoding)
    assert handlers.draw_compare(request) is not None
    assert ui.held(handlers.HELD_COMPARE, request) is None  # let go once drawn
    assert handlers.draw_compare(request) is None


def test_compare_handler_is_documented_under_its_endpoint_name():
    assert handlers.separate_compare.__name__ == "separate_compare"
    doc = handlers.separate_compare.__doc__
    assert "Args:" in doc and "Returns:" in doc
    for name in ("audio_path", "method_a", "method_b", "reference_path", "gate_strength"):
        assert f"{name}:" in doc


def test_compare_widgets_badges_and_sends_are_declared():
    from audiokit import study, ui

    with study.collect_sends() as found, ui.collect_controls() as controls, layout.build() as demo:
        pass
    by_label = {getattr(b, "label", None): b for b in demo.blocks.values()}
    assert by_label["Model A"].value == sep.PARAMS["method"].default
    assert by_label["Model B"].value == sep.DEFAULT_B
    # A result's badge under each result: the main one, and one per compare side.
    badges = [b for b in demo.blocks.values() if "timing-badge" in (b.elem_classes or [])]
    assert len(badges) == 3
    # Sent audio lands in the mixture input; each of the six stems can be sent on.
    assert [(tab, c.label) for tab, c, _ in found["receivers"]] == [("separation", "Mixture")]
    senders = found["senders"]
    assert len(senders) == 6
    assert all(set(buttons) == {"asr", "speaker", "effects"} for *_, buttons in senders)
    assert {source for _, source, *_ in senders} >= {
        "Separation (stem 1)",
        "Separation A (stem 2)",
        "Separation B (stem 1)",
    }
    # Every setting is shareable; the compare's methods share the one "method" setting.
    assert {p.name for p, _ in controls} == set(sep.PARAMS)


def test_compare_stem_labels_follow_each_side_method():
    first, second = handlers.compare_stem_labels("B", "hpss")
    assert (first.label, second.label) == ("B, stem 1: harmonic", "B, stem 2: percussive")


# --- the launched app ------------------------------------------------------------------


@pytest.mark.app
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


@pytest.mark.app
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


@pytest.mark.app
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


@pytest.mark.app
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


@pytest.mark.app
def test_not_audio_gives_our_sentence(client, tmp_path):
    from gradio_client import handle_file

    bogus = tmp_path / "notes.wav"
    bogus.write_text("these are meeting notes, not audio", encoding="utf-8")
    with pytest.raises(Exception, match="Could not read 'notes.wav' as audio"):
        client.predict(handle_file(str(bogus)), api_name="/separate")


@pytest.mark.app
def test_over_limit_audio_is_refused_before_the_queue_with_our_sentence(client, tmp_path):
    from gradio_client import handle_file

    long = tmp_path / "long.wav"
    sf.write(long, np.zeros(8000 * 301, dtype=np.int16), 8000)  # 5:01, header says so
    with pytest.raises(Exception, match="this demo takes at most 5:00"):
        client.predict(handle_file(str(long)), api_name="/separate")


@pytest.mark.app
def test_unknown_method_gets_our_sentence(client):
    from gradio_client import handle_file

    with pytest.raises(Exception, match="demucs") as info:
        client.predict(
            handle_file(str(EXAMPLES / "chord_clicks.wav")), "demucs", api_name="/separate"
        )
    assert "400 Bad Request" not in str(info.value)


@pytest.mark.app
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


@pytest.mark.app
@pytest.mark.browser
def test_page_separates_the_preloaded_example(app_url, page, output_dir):
    _open_tab(page, app_url)
    page.get_by_role("button", name="Separate", exact=True).click()
    page.get_by_text("sample-aligned with the input").wait_for(timeout=90_000)
    # The timing badge, right under the result, from the private step after the answer.
    badge = page.locator(".timing-badge").first
    badge.get_by_text("DeepFilterNet3").wait_for(timeout=30_000)
    assert "RTF" in badge.inner_text() and "11.0 s of audio" in badge.inner_text()
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


@pytest.mark.app
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


@pytest.mark.app
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


@pytest.mark.app
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
