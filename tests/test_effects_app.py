"""The Effects tab in the launched app: gradio_client calls and the /effects page in Chromium."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from gradio_client import handle_file

from audiokit.engines.effects import EXAMPLES

pytestmark = pytest.mark.app

EXAMPLE = EXAMPLES / "pluck_loop.flac"
GAIN_6 = json.dumps([{"effect": "Gain", "params": {"gain_db": 6}}])


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.asarray(x, dtype=np.float64) ** 2)))


def test_public_effects_endpoints(client):
    names = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert {"/apply_effects", "/effects_preset", "/effects_add"} <= names


def test_apply_effects_keeps_rate_and_channels_and_applies_the_gain(client, tmp_path):
    rate = 48000
    t = np.arange(rate) / rate
    left = 0.2 * np.sin(2 * np.pi * 440 * t)
    source = tmp_path / "stereo.wav"
    sf.write(source, np.stack([left, 0.5 * left], axis=1), rate, subtype="PCM_16")
    audio, snippet = client.predict(handle_file(str(source)), GAIN_6, api_name="/apply_effects")
    out, out_rate = sf.read(audio, always_2d=True)
    assert out_rate == rate and out.shape == (rate, 2)
    assert rms(out[:, 0]) / rms(left) == pytest.approx(2.0, rel=0.01)
    assert rms(out[:, 0]) / rms(out[:, 1]) == pytest.approx(2.0, rel=0.01)
    assert "Gain(gain_db=6.0)" in snippet and "from pedalboard import" in snippet


def test_apply_effects_with_only_the_audio_uses_the_default_chain_and_keeps_the_tail(client):
    audio, snippet = client.predict(handle_file(str(EXAMPLE)), api_name="/apply_effects")
    out, out_rate = sf.read(audio, always_2d=True)
    source, source_rate = sf.read(EXAMPLE, always_2d=True)
    assert out_rate == source_rate == 44100 and out.shape[1] == 2
    assert out.shape[0] > source.shape[0]  # the reverb's tail
    assert "Reverb(" in snippet and "Bitcrush(" in snippet


def test_presets_through_the_api(client):
    chain, description = client.predict("telephone", api_name="/effects_preset")
    assert json.loads(chain)[0]["effect"] == "HighpassFilter" and "landline" in description
    added = client.predict(GAIN_6, "Reverb", api_name="/effects_add")
    assert [s["effect"] for s in json.loads(added)] == ["Gain", "Reverb"]


@pytest.mark.parametrize(
    ("chain", "message"),
    [
        ('[{"effect": "os.system"}]', "unknown effect 'os.system'"),
        ('[{"effect": "Gain", "params": {"gain": 6}}]', "unknown parameter(s) 'gain'"),
        ('[{"effect": "Delay", "params": {"feedback": 7}}]', "'feedback' must be between 0 and 1"),
        ('[{"effect": "Gain", "params": {"gain_db": NaN}}]', "must be a finite number"),
        ("[{effect: Gain}]", "not valid JSON"),
    ],
)
def test_bad_chain_is_a_clear_sentence_and_the_server_stays_up(client, chain, message):
    with pytest.raises(Exception) as info:
        client.predict(handle_file(str(EXAMPLE)), chain, api_name="/apply_effects")
    assert message in str(info.value)


def test_nan_audio_is_a_clear_sentence(client, tmp_path):
    bad = tmp_path / "nan.wav"
    sf.write(bad, np.full(8000, np.nan, np.float32), 16000, subtype="FLOAT")
    with pytest.raises(Exception, match="NaN or infinite samples"):
        client.predict(handle_file(str(bad)), GAIN_6, api_name="/apply_effects")
    audio, _ = client.predict(handle_file(str(EXAMPLE)), GAIN_6, api_name="/apply_effects")
    assert sf.info(audio).channels == 2


@pytest.mark.browser
def test_page_applies_the_preloaded_chain(page, app_url, output_dir):
    page.goto(app_url + "effects")
    page.get_by_text("1. Resample").wait_for(timeout=60_000)
    page.get_by_role("button", name="Apply effects").click()
    page.get_by_text("Integrated loudness").wait_for(timeout=120_000)
    body = page.inner_text("body")
    assert "44100 Hz, 2 channel(s)" in body and "LUFS" in body
    page.get_by_role("tab", name="Python").click()
    page.get_by_text("from pedalboard import").first.wait_for()
    page.get_by_role("tab", name="Before / after").click()
    page.wait_for_timeout(1500)
    page.screenshot(path=output_dir / "effects-page.png", full_page=True)


def test_identical_concurrent_requests_all_get_complete_identical_files(app_url, tmp_path):
    """Issue 11 item 9: a burst of identical requests used to share one content-hash output
    path, so a download could read it while another request was rewriting it (truncated)."""
    from gradio_client import Client

    source, rate = sf.read(EXAMPLE, always_2d=True)
    chain = json.dumps([{"effect": "Gain", "params": {"gain_db": -3}}])
    expected = np.clip(source * 10 ** (-3 / 20), -1, 1)
    clients = [Client(app_url, verbose=False) for _ in range(10)]
    barrier = threading.Barrier(len(clients))

    def call(c):
        barrier.wait()
        path, _ = c.predict(handle_file(str(EXAMPLE)), chain, 0.0, api_name="/apply_effects")
        return Path(path).read_bytes()

    with ThreadPoolExecutor(len(clients)) as pool:
        answers = list(pool.map(call, clients))
    assert len(set(answers)) == 1, f"{len(set(answers))} different files for identical requests"
    out_path = tmp_path / "out.wav"
    out_path.write_bytes(answers[0])
    out, out_rate = sf.read(out_path, always_2d=True)
    assert out_rate == rate and out.shape == source.shape
    np.testing.assert_allclose(out, expected, atol=1.5 / 32768)
