"""Compare A/B of speaker verification: the core on real speech, /verify_compare through
gradio_client against the launched app, bad input, and the compare run in Chromium."""

from __future__ import annotations

import re

import pytest

from audiokit.errors import AudioStudyError, ModelUnavailableError
from audiokit.tasks import speaker as task
from tests.conftest import JFK, LJ

OFFLINE = ("ge2e", "dvector")
THRESHOLD = {m: task.BACKENDS[m].threshold for m in task.BACKENDS}


@pytest.fixture(scope="module")
def halves(jfk_halves) -> task.Comparison:
    return task.compare(*jfk_halves, a={"model": "ge2e"}, b={"model": "dvector"})


@pytest.fixture(scope="module")
def strangers(jfk, lj) -> task.Comparison:
    return task.compare(jfk, lj, a={"model": "ge2e"}, b={"model": "dvector"})


# ------------------------------------------------------------------------------ the core
def test_both_models_hear_one_speaker_in_the_two_halves_of_jfk(halves):
    for side, result in (("a", halves.a), ("b", halves.b)):
        model = OFFLINE[0] if side == "a" else OFFLINE[1]
        assert result.model == model
        # Each against its own threshold, not one shared number.
        assert result.threshold == THRESHOLD[model]
        assert result.score >= result.threshold and result.decision == "same speaker", model
    assert halves.agree and halves.margin_a > 0 and halves.margin_b > 0


def test_both_models_hear_two_speakers_in_jfk_and_lj(strangers):
    assert strangers.a.score < THRESHOLD["ge2e"] and strangers.a.decision == "different speakers"
    assert strangers.b.score < THRESHOLD["dvector"]
    assert strangers.b.decision == "different speakers"
    assert strangers.agree and strangers.margin_a < 0 and strangers.margin_b < 0


def test_same_voice_scores_above_different_voices_on_each_model(halves, strangers):
    # The separation each model makes, in its own units: a clear gap, not a coin toss.
    assert halves.a.score - strangers.a.score > 0.1
    assert halves.b.score - strangers.b.score > 0.1


def test_each_side_equals_a_run_of_its_own_model(jfk_halves, halves):
    for result in (halves.a, halves.b):
        alone = task.run(*jfk_halves, model=result.model)
        assert result.score == pytest.approx(alone.score, abs=1e-5)


def test_times_rtf_and_settings_are_kept_per_side(halves, jfk_halves):
    assert halves.audio_s == pytest.approx(sum(c.duration_s for c in jfk_halves))
    for seconds, rtf in ((halves.seconds_a, halves.rtf_a), (halves.seconds_b, halves.rtf_b)):
        assert seconds > 0 and rtf == pytest.approx(seconds / halves.audio_s)
    assert halves.settings_a == {"model": "ge2e", "threshold": None, "min_speech_s": 1.0}
    assert halves.settings_b["model"] == "dvector"


def test_the_same_model_twice_is_allowed_and_repeatable(jfk_halves):
    c = task.compare(*jfk_halves, a={"model": "dvector"}, b={"model": "dvector"})
    assert c.a.score == pytest.approx(c.b.score, abs=1e-5) and c.agree


def test_progress_runs_a_in_the_first_half_and_b_in_the_second(jfk_halves):
    seen: list[tuple[float, str]] = []
    task.compare(
        *jfk_halves,
        a={"model": "ge2e"},
        b={"model": "dvector"},
        progress=lambda f, m: seen.append((f, m)),
    )
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    scored = [f for f, m in seen if m == "Scored"]
    assert scored == [0.5, 1.0]


def test_an_enrolment_of_several_clips_compares_too(jfk, lj, jfk_halves):
    c = task.compare(list(jfk_halves), lj, a={"model": "ge2e"}, b={"model": "dvector"})
    assert c.a.names == ("jfk_a", "jfk_b") and not c.a.same and not c.b.same


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        ({"model": "ge2e"}, {"model": "xvector"}, "Model B: 'Model' must be one of"),
        ({"model": "xvector"}, {"model": "ge2e"}, "Model A: 'Model' must be one of"),
        ({"model": "ge2e", "threshold": 2.0}, {"model": "ge2e"}, "Model A: 'Threshold'"),
        ({"model": "ge2e"}, {"model": "ge2e", "speed": 2}, "Model B: Unknown setting 'speed'"),
    ],
)
def test_bad_settings_name_their_side_before_any_audio_is_read(a, b, message):
    with pytest.raises(AudioStudyError, match=message):
        task.compare(None, None, a=a, b=b)


@pytest.mark.parametrize("hub", ["ecapa", "wavlm"])
def test_an_offline_hub_model_names_the_embedded_alternative(monkeypatch, jfk_halves, hub):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HUB_CACHE", "/nonexistent-cache")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", "/nonexistent-cache")
    with pytest.raises(ModelUnavailableError, match="Model B: .*embedded GE2E voice encoder"):
        task.compare(*jfk_halves, a={"model": "ge2e"}, b={"model": hub})


# ---------------------------------------------------------------- the endpoint (the app)
def _file(path):
    from gradio_client import handle_file

    return handle_file(str(path))


def _speaker_example(name: str):
    return _file(JFK.parents[1] / "speaker" / f"{name}.wav")


@pytest.mark.app
def test_verify_compare_endpoint_gives_both_scores_decisions_and_times(client):
    api = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    params = [p["parameter_name"] for p in api["/verify_compare"]["parameters"]]
    assert params == ["audio_a", "audio_b", "model_a", "model_b"]
    score_a, decision_a, badge_a, score_b, decision_b, badge_b, summary = client.predict(
        _file(JFK), _file(LJ), "ge2e", "dvector", api_name="/verify_compare"
    )
    assert score_a < THRESHOLD["ge2e"] and decision_a == "different speakers"
    assert score_b < THRESHOLD["dvector"] and decision_b == "different speakers"
    assert "GE2E voice encoder" in badge_a and "d-vector encoder" in badge_b
    assert re.search(r" m?s · RTF ", badge_a) and "CPU" in badge_a
    assert "The models agree: different speakers" in summary
    assert f"{THRESHOLD['ge2e']:.2f}" in summary and f"{THRESHOLD['dvector']:.2f}" in summary
    # The defaults are the two embedded models; the same pair of one voice is "same".
    score_a, decision_a, _, score_b, decision_b, _, _ = client.predict(
        _speaker_example("jfk_1"), _speaker_example("jfk_3"), api_name="/verify_compare"
    )
    assert decision_a == decision_b == "same speaker"
    assert score_a >= THRESHOLD["ge2e"] and score_b >= THRESHOLD["dvector"]


@pytest.mark.app
@pytest.mark.parametrize(
    ("model_a", "model_b", "message"),
    [
        ("ge2e", "xvector", "Model B: 'Model' must be one of ge2e, dvector"),
        ("ge2e", "ecapa", "Model B: .*embedded GE2E voice encoder"),
    ],
)
def test_verify_compare_refuses_a_bad_model_with_our_sentence(client, model_a, model_b, message):
    with pytest.raises(Exception, match=message):
        client.predict(
            _speaker_example("jfk_1"),
            _speaker_example("lj_1"),
            model_a,
            model_b,
            api_name="/verify_compare",
        )


@pytest.mark.app
def test_verify_compare_allows_the_same_model_twice(client):
    score_a, _, _, score_b, _, _, summary = client.predict(
        _speaker_example("lj_1"),
        _speaker_example("lj_2"),
        "ge2e",
        "ge2e",
        api_name="/verify_compare",
    )
    assert score_a == pytest.approx(score_b, abs=1e-3)
    assert "The same model on both sides" in summary


# -------------------------------------------------------------------------- the browser
SIZES = {"desktop": {"width": 1400, "height": 1000}, "phone": {"width": 390, "height": 844}}


@pytest.mark.app
@pytest.mark.browser
@pytest.mark.parametrize("size", list(SIZES))
def test_compare_in_the_tab_shows_both_scores_and_badges(browser, app_url, tmp_path, size):
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    try:
        page.goto(app_url + "speaker/")
        page.get_by_text("Compare A/B").first.wait_for(timeout=60_000)
        page.get_by_text("Compare A/B").first.click()
        run = page.get_by_role("button", name="Compare A and B")
        run.wait_for()
        run.click()
        page.get_by_text("The models agree: same speaker").wait_for(timeout=180_000)
        scores = {}
        for name, model in (("A", "ge2e"), ("B", "dvector")):
            box = page.get_by_label(f"Score {name} (cosine)").first
            box.wait_for(state="visible")
            scores[name] = float(box.input_value())
            assert scores[name] >= THRESHOLD[model]
            assert page.get_by_label(f"Decision {name}").first.input_value() == "same speaker"
        badges = page.locator(".timing-badge").filter(has_text="RTF")
        badges.first.wait_for()
        texts = [b.inner_text() for b in badges.all() if b.is_visible()]
        assert any("GE2E voice encoder" in t for t in texts)
        assert any("d-vector encoder" in t for t in texts)
        page.wait_for_timeout(1000)
        # The two sides stack on a phone: nothing sticks out of the width.
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
        page.screenshot(path=str(tmp_path / f"speaker-compare-{size}.png"), full_page=True)
    finally:
        context.close()
