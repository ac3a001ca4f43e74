"""The Speaker verification tab as users meet it: the launched app, gradio_client, Chromium."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from audiokit.engines.speaker import BACKENDS
from demos.speaker import EXAMPLES

pytestmark = pytest.mark.app

THRESHOLD = BACKENDS["ge2e"].threshold


def _file(name: str):
    from gradio_client import handle_file

    return handle_file(str(EXAMPLES / f"{name}.wav"))


def _names(client) -> set[str]:
    return set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])


def test_endpoints_are_pinned(client):
    names = _names(client)
    assert {"/verify", "/speaker_enroll", "/speaker_matrix"} <= names
    # UI-only events (model choice, dragging the threshold) stay off the API page.
    assert not {n for n in names if n.endswith(("_model", "_threshold", "_learn", "_custom"))}


@pytest.fixture(scope="module")
def page_client(app_url):
    from gradio_client import Client

    return Client(f"{app_url}speaker/", verbose=False)


def test_page_copy_has_its_own_endpoints(page_client):
    # Gradio serves the /speaker page as an app of its own, with the same public names.
    assert {"/verify", "/speaker_enroll", "/speaker_matrix"} <= _names(page_client)
    score, decision, *_ = page_client.predict(_file("piper_1"), _file("lj_2"), api_name="/verify")
    assert decision == "different speakers" and score < THRESHOLD


def test_verify_with_only_the_two_recordings(client):
    score, decision, explanation = client.predict(
        _file("jfk_1"), _file("jfk_3"), api_name="/verify"
    )
    assert isinstance(score, float) and score >= THRESHOLD
    assert decision == "same speaker"
    assert "cosine" in explanation
    score, decision, *_ = client.predict(_file("jfk_1"), _file("lj_1"), api_name="/verify")
    assert score < THRESHOLD and decision == "different speakers"


def test_enrolment_endpoint(client):
    score, decision, summary, _ = client.predict(
        [_file("piper_1"), _file("piper_2")], _file("piper_3"), api_name="/speaker_enroll"
    )
    assert decision == "same speaker" and score >= THRESHOLD
    assert "Enrolled **2** clip(s)" in summary


def test_matrix_endpoint(client):
    names = ("jfk_1", "jfk_2", "lj_1", "lj_2", "piper_1", "piper_2")
    _, _, summary = client.predict([_file(n) for n in names], api_name="/speaker_matrix")
    assert "Nearest voice of each clip: jfk_1 → jfk_2" in summary
    assert "within a name group" in summary


@pytest.fixture
def silent_wav(tmp_path):
    path = tmp_path / "silence.wav"
    sf.write(path, np.zeros(3 * 16000, dtype=np.int16), 16000)
    return path


@pytest.fixture
def short_wav(tmp_path):
    data, rate = sf.read(EXAMPLES / "jfk_3.wav")
    path = tmp_path / "short.wav"
    sf.write(path, data[: int(0.6 * rate)], rate)
    return path


@pytest.fixture
def long_wav(tmp_path):
    path = tmp_path / "long.wav"
    noise = np.random.default_rng(0).normal(0, 0.1, 61 * 8000)
    sf.write(path, noise, 8000)
    return path


@pytest.fixture
def text_wav(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("not audio at all")
    return path


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("silent_wav", "is silent"),
        ("short_wav", "s of speech after removing silence"),
        ("long_wav", "this demo takes at most 1:00"),
        ("text_wav", "Could not read 'notes.wav' as audio"),
    ],
)
def test_bad_recording_gives_our_sentence(client, request, fixture, message):
    from gradio_client import handle_file

    path = request.getfixturevalue(fixture)
    with pytest.raises(Exception, match=message):
        client.predict(handle_file(str(path)), _file("jfk_1"), api_name="/verify")


def test_hub_model_offline_gives_our_sentence(client):
    with pytest.raises(Exception, match="embedded GE2E voice encoder"):
        client.predict(_file("jfk_1"), _file("jfk_3"), "ecapa", api_name="/verify")


@pytest.mark.browser
def test_page_verifies_the_preloaded_pair(page, app_url, output_dir):
    page.goto(app_url + "speaker")
    page.get_by_role("button", name="Verify", exact=True).click()
    decision = page.get_by_label("Decision").first
    page.wait_for_function(
        "el => el.value.includes('speaker')", arg=decision.element_handle(), timeout=90_000
    )
    assert decision.input_value() == "same speaker"
    page.get_by_text("What the model sees").click()
    page.locator(".js-plotly-plot, img, canvas, svg").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(output_dir / "speaker-page.png"), full_page=True)
    assert page.get_by_text("Same speaker").first.is_visible()


@pytest.mark.browser
def test_page_maps_the_preloaded_clips(page, app_url, output_dir):
    page.goto(app_url + "speaker")
    page.get_by_role("tab", name="Many clips").click()
    page.get_by_role("button", name="Compare all").click()
    page.get_by_text("Nearest voice of each clip").wait_for(timeout=90_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(output_dir / "speaker-map.png"), full_page=True)
    assert page.get_by_text("within a name group").is_visible()
