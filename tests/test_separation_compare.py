"""Compare A/B in the Separation tab: the core ``compare()`` on real noisy speech, its checks
before any run, then ``/separate_compare`` through gradio_client and in a browser."""

from __future__ import annotations

import importlib
import math
import re

import numpy as np
import pytest
import soundfile as sf

from audiokit.audio import Audio
from audiokit.errors import AudioStudyError, ModelUnavailableError
from audiokit.metrics import si_sdr
from audiokit.tasks import separation as sep
from tests.conftest import ROOT
from tests.noisy_speech import lj_speech, noisy_mixture

EXAMPLES = ROOT / "examples" / "separation"
RATE = 22050  # LJ Speech's own rate
# The module, not the package's function of the same name.
COMPARE_MODULE = importlib.import_module("audiokit.tasks.separation.compare")


def _chord_and_clicks(rate: int = 16000, duration_s: float = 2.0) -> tuple[Audio, Audio]:
    """(a chord with clicks, the chord alone): a mixture and its harmonic reference."""
    t = np.arange(int(rate * duration_s)) / rate
    chord = 0.2 * np.sin(2 * np.pi * 220.0 * t) + 0.1 * np.sin(2 * np.pi * 330.0 * t)
    mix = chord.copy()
    mix[:: rate // 4] += 0.7
    as_audio = lambda x, name: Audio(x.astype(np.float32)[None], rate, name)  # noqa: E731
    return as_audio(mix, "chord"), as_audio(chord, "chord-alone")


def _chord(rate: int = 16000, duration_s: float = 2.0) -> Audio:
    return _chord_and_clicks(rate, duration_s)[0]


# --- the core --------------------------------------------------------------------------


# Measured on this machine (LJ Speech lj050-0131 at 22.05 kHz, 5 dB SNR): DeepFilterNet3
# +10.3 dB SI-SDRi on white noise and +8.0 dB on six-talker babble; RNNoise +7.2 and +5.4;
# the two speech stems agree at 14.5 and 11.6 dB SI-SDR.
@pytest.mark.parametrize("noise", ["white", "babble"])
def test_compare_two_denoisers_on_real_noisy_speech(noise):
    speech = lj_speech(RATE)
    mix, _ = noisy_mixture(speech, RATE, noise, 5.0)
    seen: list[tuple[float, str]] = []
    comparison = sep.compare(
        Audio(mix[None], RATE, "noisy"),
        a={"method": "denoise"},
        b={"method": "rnnoise"},
        reference=Audio(speech[None], RATE, "clean"),
        progress=lambda fraction, text: seen.append((fraction, text)),
    )
    a, b = comparison.a, comparison.b
    assert (a.engine, b.engine) == ("DeepFilterNet3", "RNNoise")
    assert a.settings == {"method": "denoise", "atten_lim_db": 100.0}
    assert b.settings == {"method": "rnnoise"}  # RNNoise reads no setting
    # The same mixture and reference for both: the mixture scores its own SNR on each side.
    for side in (a, b):
        assert side.result.score.mixture_si_sdr_db == pytest.approx(5.0, abs=0.1)
        assert side.result.primary.frames == mix.size
        assert side.seconds > 0 and side.rtf == pytest.approx(side.seconds / (mix.size / RATE))
        assert math.isfinite(side.si_sdri_db)
        # The reported SI-SDR is the stem's own, sample-aligned, no search.
        assert side.si_sdr_db == pytest.approx(si_sdr(side.result.primary.samples[0], speech))
    assert a.si_sdri_db > 5.0, a.si_sdri_db
    assert b.si_sdri_db > 2.0, b.si_sdri_db
    assert comparison.si_sdri_difference_db == pytest.approx(b.si_sdri_db - a.si_sdri_db)
    # Two denoisers of the same speech give alike speech stems, not identical ones.
    assert 5.0 < comparison.agreement_db < 40.0
    # Progress: A fills the first half, B the second, each named, never going back.
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(f <= 0.5 for f, text in seen if text.startswith("A: "))
    assert all(f >= 0.5 for f, text in seen if text.startswith("B: "))
    assert {text[:3] for _, text in seen} == {"A: ", "B: "}


def test_same_method_twice_is_allowed_and_agrees_exactly():
    clip, chord = _chord_and_clicks()
    comparison = sep.compare(clip, a={"method": "hpss"}, b={"method": "hpss"}, reference=chord)
    a, b = comparison.a.result, comparison.b.result
    np.testing.assert_array_equal(a.primary.samples, b.primary.samples)
    assert comparison.agreement_db == float("inf")
    assert comparison.a.si_sdri_db > 0 and comparison.si_sdri_difference_db == 0.0


def test_a_side_keeps_only_the_setting_its_method_reads_but_all_are_checked():
    clip = _chord()
    comparison = sep.compare(
        clip,
        a={"method": "hpss", "hpss_margin": 3, "atten_lim_db": 12},
        b={"method": "denoise", "atten_lim_db": 12, "hpss_margin": 3},
    )
    assert comparison.a.settings == {"method": "hpss", "hpss_margin": 3.0}
    assert comparison.b.settings == {"method": "denoise", "atten_lim_db": 12.0}
    assert comparison.si_sdri_difference_db is None  # no reference, no score
    assert comparison.a.si_sdr_db is None and comparison.b.si_sdri_db is None
    with pytest.raises(AudioStudyError, match="'Attenuation limit' must be between 0 and 100"):
        sep.compare(clip, a={"method": "hpss", "atten_lim_db": 200}, b={"method": "hpss"})


@pytest.fixture
def no_runs(monkeypatch):
    """Fail the test if compare() runs a method: its checks come first."""

    def refuse(*args, **kwargs):
        raise AssertionError("compare() ran a method before checking both sides")

    monkeypatch.setattr(COMPARE_MODULE, "run", refuse)


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        ({"method": "denoise"}, {"method": "demucs"}, r"'Method' must be one of .*'demucs'"),
        ({"method": "demucs"}, {"method": "denoise"}, r"'Method' must be one of .*'demucs'"),
        ({"method": "hpss"}, {"method": "hpss", "strength": 1}, "Unknown setting 'strength'"),
        ({"method": "hpss"}, "rnnoise", "Side B must be a dict of settings"),
    ],
)
def test_a_bad_side_is_refused_with_a_sentence_before_either_runs(no_runs, a, b, message):
    with pytest.raises(AudioStudyError, match=message):
        sep.compare(_chord(), a=a, b=b)


def test_a_reference_of_another_length_is_refused_before_either_runs(no_runs):
    clip = _chord(duration_s=2.0)
    short = Audio(clip.samples[:, :8000], 16000, "short")
    with pytest.raises(
        AudioStudyError, match=r"The reference is 0.5 s long but the mixture is 2.0 s"
    ):
        sep.compare(clip, a={"method": "hpss"}, b={"method": "denoise"}, reference=short)


def test_sepformer_offline_names_the_embedded_alternative_before_a_runs(no_runs, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    if sep.sepformer_available(sep.SEPFORMER_DEFAULT):
        pytest.skip("a SepFormer is cached here")
    with pytest.raises(ModelUnavailableError, match="DeepFilterNet3"):
        sep.compare(_chord(), a={"method": "denoise"}, b={"method": "sepformer"})


def test_the_mixture_must_fit_both_methods_limits(no_runs, monkeypatch):
    limits = sep.Limits(max_duration_s=300.0, sepformer_max_duration_s=1.0)
    monkeypatch.setattr(COMPARE_MODULE, "LIMITS", limits)
    with pytest.raises(AudioStudyError, match="this demo takes at most 1.0 s"):
        sep.compare(_chord(duration_s=2.0), a={"method": "hpss"}, b={"method": "sepformer"})


# --- the launched app ------------------------------------------------------------------


def _si_sdri(table: str) -> tuple[float, float]:
    row = re.search(
        r"\*\*SI-SDRi \(dB\)\*\* \| \*\*([+-][\d.]+)\*\* \| \*\*([+-][\d.]+)\*\*", table
    )
    assert row, table
    return float(row.group(1)), float(row.group(2))


@pytest.mark.app
def test_endpoint_takes_two_methods_and_answers_both_sides(client):
    named = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    endpoint = named["/separate_compare"]
    params = [p["parameter_name"] for p in endpoint["parameters"]]
    assert params[:4] == ["audio_path", "method_a", "method_b", "reference_path"]
    assert params[4:] == [
        "atten_lim_db",
        "hpss_margin",
        "vocals_margin",
        "sepformer_model",
        "gate_strength",
    ]
    returns = [r["component"] for r in endpoint["returns"]]
    assert returns == ["Audio", "Audio", "Markdown", "Audio", "Audio", "Markdown", "Markdown"]


@pytest.mark.app
def test_compare_through_the_api_scores_both_denoisers(client):
    from gradio_client import handle_file

    mixture = EXAMPLES / "noisy_speech.wav"
    a1, a2, a_badge, b1, b2, b_badge, table = client.predict(
        handle_file(str(mixture)),
        "denoise",
        "rnnoise",
        handle_file(str(EXAMPLES / "jfk_clean.wav")),
        api_name="/separate_compare",
    )
    mix, rate = sf.read(mixture, dtype="float32")
    for first, second in ((a1, a2), (b1, b2)):
        speech, speech_rate = sf.read(first, dtype="float32")
        noise, _ = sf.read(second, dtype="float32")
        assert speech_rate == rate and speech.shape == noise.shape == mix.shape
        np.testing.assert_allclose(speech + noise, mix, atol=2e-4)  # two 16-bit roundings
    assert "A-denoise-speech" in a1 and "B-rnnoise-speech" in b1
    assert "A: DeepFilterNet3" in a_badge and "RTF" in a_badge
    assert "B: RNNoise" in b_badge and "RTF" in b_badge
    a_gain, b_gain = _si_sdri(table)
    assert a_gain > 3 and b_gain > 1, table  # as /separate's own tests of this example
    assert "B's SI-SDRi minus A's" in table


@pytest.mark.app
def test_same_method_twice_through_the_api(client):
    from gradio_client import handle_file

    *_, table = client.predict(
        handle_file(str(EXAMPLES / "chord_clicks.wav")),
        "hpss",
        "hpss",
        api_name="/separate_compare",
    )
    assert "∞ (identical)" in table and "Add the clean source" in table


@pytest.mark.app
def test_unknown_method_through_the_api_gets_our_sentence(client):
    from gradio_client import handle_file

    with pytest.raises(Exception, match="demucs") as info:
        client.predict(
            handle_file(str(EXAMPLES / "chord_clicks.wav")),
            "hpss",
            "demucs",
            api_name="/separate_compare",
        )
    assert "400 Bad Request" not in str(info.value)
    assert "must be one of" in str(info.value)


@pytest.mark.app
def test_reference_of_another_length_through_the_api_gets_our_sentence(client):
    from gradio_client import handle_file

    with pytest.raises(Exception, match="The reference is .* long but the mixture is"):
        client.predict(
            handle_file(str(EXAMPLES / "noisy_speech.wav")),
            "denoise",
            "rnnoise",
            handle_file(str(EXAMPLES / "chord_clicks.wav")),
            api_name="/separate_compare",
        )


@pytest.mark.app
def test_sepformer_offline_through_the_api_names_the_embedded_alternative(client):
    from gradio_client import handle_file

    with pytest.raises(Exception, match="DeepFilterNet3"):
        client.predict(
            handle_file(str(EXAMPLES / "two_speakers.wav")),
            "denoise",
            "sepformer",
            api_name="/separate_compare",
        )


@pytest.mark.app
@pytest.mark.browser
def test_page_compares_two_methods_and_shows_both_pairs_of_stems(app_url, page, tmp_path):
    response = page.goto(app_url + "separation")
    if response is not None and response.status == 404:
        page.goto(app_url + "separation/")
    page.get_by_text("Compare A/B: two methods on the same mixture").click()
    button = page.get_by_role("button", name="Compare A and B", exact=True)
    button.wait_for(timeout=30_000)
    button.click()
    table = page.locator("#sep-compare-table")
    table.get_by_text("RTF (time ÷ duration)").wait_for(timeout=180_000)
    page.locator("#sep-compare-spectrograms img").wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    body = page.locator("body").inner_text()
    for letter, method in (("A", "denoise"), ("B", "rnnoise")):
        assert f"{letter}, stem 1: speech" in body and f"{letter}, stem 2: noise" in body
        # Both stems of this side hold audio (Gradio's player has an <audio> inside).
        stems = page.locator(f".block.sep-compare-{letter.lower()}")
        assert stems.count() == 2, (letter, method)
        for k in range(2):
            stems.nth(k).locator("audio").first.wait_for(state="attached", timeout=30_000)
    badges = page.locator(".timing-badge").all_inner_texts()
    assert any("A: DeepFilterNet3" in b and "RTF" in b for b in badges), badges
    assert any("B: RNNoise" in b and "RTF" in b for b in badges), badges
    assert "A: DeepFilterNet3" in table.inner_text() and "B: RNNoise" in table.inner_text()
    page.screenshot(path=str(tmp_path / "separation-compare.png"), full_page=True)
