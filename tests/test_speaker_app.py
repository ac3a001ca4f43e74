"""The Speaker verification tab as users meet it: the launched app, gradio_client, Chromium."""

from __future__ import annotations

import re

import numpy as np
import pytest
import soundfile as sf

from audiokit.tasks.speaker import BACKENDS
from demos.speaker import ALL_EXAMPLES, EXAMPLES, example, handlers, views

pytestmark = pytest.mark.app

THRESHOLD = BACKENDS["ge2e"].threshold


def _file(name: str):
    from gradio_client import handle_file

    return handle_file(str(EXAMPLES / f"{name}.wav"))


def _names(client) -> set[str]:
    return set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])


def test_endpoints_are_pinned(client):
    names = _names(client)
    assert {"/verify", "/speaker_enroll", "/speaker_matrix", "/verify_compare"} <= names
    # UI-only events (model choice, dragging the threshold) stay off the API page.
    assert not {
        n for n in names if n.endswith(("_model", "_threshold", "_learn", "_custom", "_clear"))
    }


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
    # The answer only: the bar chart is a learn view, drawn after it for the page.
    score, decision, summary = client.predict(
        [_file("piper_1"), _file("piper_2")], _file("piper_3"), api_name="/speaker_enroll"
    )
    assert decision == "same speaker" and score >= THRESHOLD
    assert "Enrolled **2** clip(s)" in summary


def test_matrix_endpoint(client):
    names = ("jfk_1", "jfk_2", "lj_1", "lj_2", "piper_1", "piper_2")
    table, summary = client.predict([_file(n) for n in names], api_name="/speaker_matrix")
    assert "Nearest voice of each clip: jfk_1 → jfk_2" in summary
    assert table["headers"] == ["", *names]
    assert [row[0] for row in table["data"]] == list(names)
    scores = np.array([row[1:] for row in table["data"]], dtype=float)
    np.testing.assert_allclose(np.diag(scores), 1.0, atol=1e-3)
    np.testing.assert_allclose(scores, scores.T, atol=1e-3)
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


def test_dvector_through_the_api(client):
    threshold = BACKENDS["dvector"].threshold
    score, decision, explanation = client.predict(
        _file("jfk_1"), _file("jfk_3"), "dvector", api_name="/verify"
    )
    assert decision == "same speaker" and score >= threshold
    assert f"{threshold:.2f} by default" in explanation
    score, decision, _ = client.predict(
        _file("lj_2"), _file("piper_2"), "dvector", api_name="/verify"
    )
    assert decision == "different speakers" and score < threshold
    _, summary = client.predict(
        [_file(n) for n in ("jfk_1", "jfk_2", "lj_1", "lj_2", "piper_1", "piper_2")],
        "dvector",
        api_name="/speaker_matrix",
    )
    assert "Nearest voice of each clip: jfk_1 → jfk_2" in summary


# ------------------------------------------------------- handlers and views, in process
class _Request:
    """What the handlers read of a gr.Request: the session."""

    def __init__(self, session: str) -> None:
        self.session_hash = session


def _silent(fraction, desc=""):
    pass


def test_learn_views_are_drawn_from_the_held_result():
    """The public handler holds its Result; the private follow-up draws from it."""
    from matplotlib.figure import Figure

    mine, other = _Request("speaker-a"), _Request("speaker-b")
    answer = handlers.verify.__wrapped__(
        example("jfk_1"), example("jfk_3"), request=mine, progress=_silent
    )
    assert answer[1] == "same speaker" and len(answer) == 3
    figure = handlers.draw_verification.__wrapped__(mine)
    assert isinstance(figure, Figure)
    # One axes per panel: waveform, log-mel, print for A and B, and the window scores.
    assert len(figure.axes) == 7
    # Another session has nothing held: its follow-up leaves the plot as it is.
    import gradio as gr

    assert isinstance(handlers.draw_verification.__wrapped__(other), type(gr.skip()))
    handlers.speaker_enroll.__wrapped__(
        [example("jfk_1"), example("jfk_2")], example("lj_1"), request=mine, progress=_silent
    )
    bars = handlers.draw_enrolment.__wrapped__(mine)
    assert [t.get_text() for t in bars.axes[0].get_yticklabels()] == [
        "jfk_1",
        "jfk_2",
        "averaged print",
    ]
    names = ("jfk_1", "jfk_2", "lj_1")
    handlers.speaker_matrix.__wrapped__([example(n) for n in names], request=mine, progress=_silent)
    heat, pca = handlers.draw_map.__wrapped__(mine)
    assert isinstance(heat, Figure) and isinstance(pca, Figure)
    # The verification held before is still this session's.
    assert handlers.draw_verification.__wrapped__(mine).axes


def test_public_events_return_no_state_and_are_named_as_their_handlers():
    import gradio as gr

    from demos.speaker import build

    public = {
        fn.api_name: fn
        for fn in build().fns.values()
        if fn.api_name and fn.api_visibility == "public"
    }
    assert set(public) >= {"verify", "speaker_enroll", "speaker_matrix", "verify_compare"}
    for name in ("verify", "speaker_enroll", "speaker_matrix", "verify_compare"):
        fn = public[name]
        assert not [o for o in fn.outputs if isinstance(o, gr.State)], name
        assert fn.fn.__name__ == name
        assert "Args:" in fn.fn.__doc__ and "Returns:" in fn.fn.__doc__


def test_timing_badges_are_held_for_the_private_follow_up():
    """Each run's badge (engine, device, time, RTF) is held; the follow-up shows it."""
    import gradio as gr

    mine, other = _Request("badge-a"), _Request("badge-b")
    handlers.verify.__wrapped__(
        example("jfk_1"), example("jfk_3"), "dvector", request=mine, progress=_silent
    )
    badge = handlers.verification_badge(mine)
    assert badge.startswith("⏱ **d-vector encoder**") and re.search(r" m?s · RTF ", badge)
    assert isinstance(handlers.verification_badge(other), type(gr.skip()))
    handlers.speaker_enroll.__wrapped__(
        [example("jfk_1"), example("jfk_2")], example("lj_1"), request=mine, progress=_silent
    )
    badge = handlers.enrolment_badge(mine)
    assert badge.startswith("⏱ **GE2E voice encoder**") and "RTF" in badge
    # Three clips of the examples: the RTF divides by all the audio embedded.
    seconds = sum(sf.info(example(n)).duration for n in ("jfk_1", "jfk_2", "lj_1"))
    assert f"({seconds:.1f} s of audio)" in badge


def test_badges_sit_under_each_result_and_sent_audio_lands_in_recording_b():
    from audiokit import study
    from demos.speaker import build

    with study.collect_sends() as found:
        demo = build()
    (tab, into, _note), *others = [r for r in found["receivers"] if r[0] == "speaker"]
    assert tab == "speaker" and into.label == "Recording B" and not others
    badges = [
        b for b in demo.blocks.values() if "timing-badge" in (getattr(b, "elem_classes", 0) or [])
    ]
    # Verification, enrolment, and each side of Compare A/B.
    assert len(badges) == 4


def test_choosing_another_compare_model_clears_the_old_pair_of_answers():
    from demos.speaker import build

    demo = build()
    labels = {id(b): getattr(b, "label", None) for b in demo.blocks.values()}
    for side in ("A", "B"):
        (menu,) = [b for b in demo.blocks.values() if getattr(b, "label", None) == f"Model {side}"]
        cleared = [
            {labels[id(o)] for o in fn.outputs}
            for fn in demo.fns.values()
            if (menu._id, "change") in [(t[0], t[1]) for t in fn.targets]
        ]
        assert {"Score A (cosine)", "Decision B"} <= set().union(*cleared), side


def test_compare_summary_says_when_the_models_disagree():
    from audiokit.tasks.speaker import Comparison, Result

    def result(model, score):
        t = BACKENDS[model].threshold
        return Result(score, t, model, None, None, ("a",), (score,), 1.0)

    c = Comparison(result("ge2e", 0.70), result("dvector", 0.50), {}, {}, 0.4, 0.8, 8.0)
    text = views.compare_summary(c)
    assert "**The models disagree**: A says *same speaker*, B says *different speakers*" in text
    assert "| Margin | +0.030 | -0.080 |" in text
    assert "0.80 s (RTF 0.10)" in text
    assert "⏱ **d-vector encoder**" in views.side_badge(c, "b")


def test_unreadable_file_is_refused(tmp_path):
    from audiokit.errors import AudioStudyError

    bad = tmp_path / "notes.wav"
    bad.write_text("this is not audio")
    with pytest.raises(AudioStudyError, match="Could not read 'notes.wav'"):
        handlers.verify.__wrapped__(str(bad), example("jfk_1"), progress=_silent)


def test_examples_exist_and_are_small():
    files = sorted(EXAMPLES.glob("*.wav"))
    assert {f.stem for f in files} >= set(ALL_EXAMPLES)
    assert all(f.stat().st_size <= 1_000_000 for f in files)
    sources = (EXAMPLES / "SOURCES.md").read_text()
    assert all(f.name.split("_")[0] in sources for f in files)


def test_explanation_uses_the_models_own_scale():
    ge2e = views.explain(0.8, 0.67, "ge2e")
    dvector = views.explain(0.5, 0.58, "dvector")
    assert "non-negative" in ge2e and "non-negative" not in dvector
    assert "Same speaker" in ge2e and "Different speakers" in dvector
    assert "0.58 by default" in dvector and "256 numbers" in dvector


def test_the_model_card_says_where_the_threshold_comes_from():
    card = views.card("dvector")
    assert card.startswith("**d-vector encoder")
    assert "embedded, offline" in card and "Threshold 0.58: calibrated" in card


def test_redeciding_a_dragged_threshold_checks_its_range():
    from audiokit.errors import AudioStudyError

    decision, explanation, custom = handlers.redecide.__wrapped__(0.7, "ge2e", 0.75)
    assert decision == "different speakers" and custom is True
    assert "threshold 0.75" in explanation
    with pytest.raises(AudioStudyError, match="'Threshold' must be between -1 and 1"):
        handlers.redecide.__wrapped__(0.7, "ge2e", 3.0)


# ---------------------------------------------------------------------------------- browser
# gr.Plot draws a matplotlib figure as an image inside its "matplotlib" block.
LEARN_FIGURE = "[data-testid=matplotlib] img"
SIZES = {"desktop": {"width": 1400, "height": 1000}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(SIZES))
def sized_page(request, browser):
    """A page at the desktop size and at a phone's, with the size's name."""
    context = browser.new_context(viewport=SIZES[request.param])
    page = context.new_page()
    yield page, request.param
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport=SIZES["desktop"])
    page = context.new_page()
    yield page
    context.close()


def _open(page, app_url: str) -> None:
    page.goto(app_url + "speaker/")
    page.get_by_role("button", name="Verify", exact=True).wait_for(timeout=60_000)


def _visible_numbers(page) -> dict[str, str]:
    """Every visible number box on the page: its label and the value it shows."""
    return {
        box.get_attribute("aria-label") or "": box.input_value()
        for box in page.locator("input[type=number]").all()
        if box.is_visible()
    }


def _wait_decision(page, decision, text: str = "speaker") -> None:
    page.wait_for_function(
        "([el, text]) => el.value.includes(text)",
        arg=[decision.element_handle(), text],
        timeout=120_000,
    )


def _fits(page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.browser
def test_page_verifies_the_preloaded_pair(sized_page, app_url, output_dir):
    page, size = sized_page
    _open(page, app_url)
    # Before any run there is no score to show: no box reads "0".
    assert list(_visible_numbers(page)) == ["number input for Threshold"]
    page.get_by_role("button", name="Verify", exact=True).click()
    decision = page.get_by_label("Decision").first
    _wait_decision(page, decision)
    assert decision.input_value() == "same speaker"
    score = page.get_by_label("Similarity score (cosine)").first
    score.wait_for(state="visible")
    assert float(score.input_value()) >= THRESHOLD
    page.locator(".timing-badge").filter(has_text="GE2E voice encoder").first.wait_for()
    page.get_by_text("What the model sees").click()
    page.locator(LEARN_FIGURE).first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    _fits(page)
    page.screenshot(path=str(output_dir / f"speaker-verify-{size}.png"), full_page=True)
    assert page.get_by_text("Same speaker").first.is_visible()


@pytest.mark.browser
def test_failed_run_clears_the_last_result_and_says_why(desktop, app_url, output_dir, silent_wav):
    page = desktop
    _open(page, app_url)
    page.get_by_role("button", name="Verify", exact=True).click()
    decision = page.get_by_label("Decision").first
    _wait_decision(page, decision)
    page.get_by_text("What the model sees").click()
    page.locator(LEARN_FIGURE).first.wait_for(timeout=60_000)
    # Swap recording B for three seconds of silence and run again.
    block_b = (
        page.locator(".block")
        .filter(has=page.get_by_test_id("block-label").get_by_text("Recording B", exact=True))
        .first
    )
    block_b.get_by_role("button", name="Clear").click()
    block_b.locator("input[type=file]").set_input_files(str(silent_wav))
    page.get_by_test_id("waveform-Recording B").first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Verify", exact=True).click()
    status = page.locator(".run-status").first
    status.get_by_text("Could not run.").wait_for(timeout=60_000)
    assert "is silent" in status.inner_text()
    # The previous answer is gone, not left under the error: no score, no decision, no
    # explanation, no learn figure.
    assert decision.input_value() == ""
    assert list(_visible_numbers(page)) == ["number input for Threshold"]
    assert not page.get_by_text("Same speaker").count()
    assert not page.locator(LEARN_FIGURE).count()
    page.wait_for_timeout(1000)
    page.screenshot(path=str(output_dir / "speaker-error-desktop.png"), full_page=True)
    # The sentence stays after the toast is gone.
    page.wait_for_timeout(6000)
    assert status.is_visible() and "is silent" in status.inner_text()


@pytest.mark.browser
def test_enrolment_score_appears_only_after_a_run(sized_page, app_url, output_dir):
    page, size = sized_page
    _open(page, app_url)
    page.get_by_role("tab", name="Enrolment").click()
    run = page.get_by_role("button", name="Enrol and test")
    run.wait_for()
    assert list(_visible_numbers(page)) == ["number input for Threshold"]
    run.click()
    page.get_by_text("clip(s); they agree").wait_for(timeout=120_000)
    score = page.get_by_label("Score of the averaged print").first
    score.wait_for(state="visible")
    assert float(score.input_value()) >= THRESHOLD
    page.locator(".timing-badge").filter(has_text="RTF").first.wait_for()
    page.wait_for_timeout(1500)
    _fits(page)
    page.screenshot(path=str(output_dir / f"speaker-enrol-{size}.png"), full_page=True)


@pytest.mark.browser
def test_dvector_from_the_menu(desktop, app_url, output_dir):
    page = desktop
    _open(page, app_url)
    page.get_by_label("Model").first.click()
    options = [o.inner_text() for o in page.get_by_role("option").all()]
    assert any(
        o.startswith("d-vector encoder") and o.endswith("embedded, offline") for o in options
    )
    # The app runs offline with an empty Hub cache: both Hub models say so.
    assert sum(o.endswith("· Hub, not downloaded") for o in options) == 2
    page.get_by_role("option", name="d-vector encoder").first.click()
    threshold = page.get_by_label("number input for Threshold")
    page.wait_for_function(
        "([el, v]) => el.value === v",
        arg=[threshold.element_handle(), str(BACKENDS["dvector"].threshold)],
        timeout=10_000,
    )
    page.get_by_role("button", name="Verify", exact=True).click()
    decision = page.get_by_label("Decision").first
    _wait_decision(page, decision)
    assert decision.input_value() == "same speaker"
    page.get_by_text("What the model sees").click()
    page.locator(LEARN_FIGURE).first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(output_dir / "speaker-dvector-desktop.png"), full_page=True)


@pytest.mark.browser
def test_page_maps_the_preloaded_clips(sized_page, app_url, output_dir):
    page, size = sized_page
    _open(page, app_url)
    page.get_by_role("tab", name="Many clips").click()
    page.get_by_role("button", name="Compare all").click()
    page.get_by_text("Nearest voice of each clip").wait_for(timeout=120_000)
    page.wait_for_timeout(1500)
    _fits(page)
    page.screenshot(path=str(output_dir / f"speaker-map-{size}.png"), full_page=True)
    assert page.get_by_text("within a name group").is_visible()
