"""The Effects tab: its handlers, views and editor directly, then the launched app through
gradio_client and the /effects page in Chromium (the tests marked ``app``)."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
import soundfile as sf
from gradio_client import handle_file

from audiokit.audio import load_audio
from audiokit.errors import AudioStudyError
from audiokit.tasks import effects as fx
from demos import effects as demo
from demos.effects import editor, views
from tests.signals import tone

EXAMPLE = fx.EXAMPLE_CLIP
GAIN_6 = json.dumps([{"effect": "Gain", "params": {"gain_db": 6}}])


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.asarray(x, dtype=np.float64) ** 2)))


# --- The tab's own functions, called directly (no app launched) -----------------------------


class _Request:
    """What ``ui.hold``/``ui.held`` read from a ``gr.Request``: the browser session."""

    def __init__(self, session_hash: str) -> None:
        self.session_hash = session_hash


def test_apply_effects_returns_the_answer_and_the_follow_up_draws_from_the_held_result():
    import matplotlib.figure

    mine, other = _Request("effects-test-session"), _Request("effects-other-session")
    chain = json.dumps([{"effect": "Gain", "params": {"gain_db": -6}}])
    answer = demo.apply_effects(str(EXAMPLE), chain, 0.5, mine)
    assert len(answer) == 2  # the audio and the snippet: no state for API or MCP callers
    path, snippet = answer
    assert sf.info(path).channels == 2 and "Gain(gain_db=-6.0)" in snippet
    drawn = demo.effects_views("flac", mine)
    download, levels, *figures, learn, loss = drawn
    assert download.endswith(".flac") and sf.info(download).channels == 2
    assert "Integrated loudness" in levels and "1. **Gain**" in learn and loss is None
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figures)
    # Another session has nothing held, so its follow-up says what to do first.
    with pytest.raises(Exception, match="Apply a chain first"):
        demo.effects_views("wav", other)


def test_build_registers_the_promised_endpoint_names_literally():
    import inspect

    assert not inspect.signature(demo.build).parameters  # no api_prefix: names are literal
    fns = {fn.api_name: fn for fn in demo.build().fns.values()}
    assert fns["apply_effects"].api_visibility == "public"
    assert {fns[n].api_visibility for n in ("effects_preset", "effects_add")} == {"undocumented"}
    private = {"effects_views", "effects_badge", "effects_load_example", "effects_import"}
    private |= {"effects_export"}
    private |= {"effects_preset_reset", "effects_export_initial"}
    assert {fns[n].api_visibility for n in private} == {"private"}
    assert not any(type(o).__name__ == "State" for o in fns["apply_effects"].outputs)
    assert demo.apply_effects.__name__ == "apply_effects" and "Args:" in demo.apply_effects.__doc__


def test_the_tail_slider_is_built_from_the_tasks_params():
    fns = {fn.api_name: fn for fn in demo.build().fns.values()}
    tail = fns["apply_effects"].inputs[2]
    param = fx.PARAMS["tail_s"]
    assert (tail.minimum, tail.maximum, tail.value) == (param.minimum, param.maximum, 2.0)
    assert fns["apply_effects"].inputs[1].value == fx.PARAMS["chain"].default


THREE = json.dumps(
    [
        {"effect": "HighpassFilter", "params": {"cutoff_frequency_hz": 300}},
        {"effect": "LowpassFilter", "params": {"cutoff_frequency_hz": 3400}},
        {"effect": "Reverb", "params": {"room_size": 0.5}, "bypass": True},
    ],
    indent=2,
)


def test_the_timing_badge_shows_the_engine_chain_length_time_and_rtf():
    mine = _Request("effects-badge-session")
    assert demo.effects_badge(mine) == ""  # nothing run yet: an empty badge
    demo.apply_effects(str(EXAMPLE), THREE, 0.0, mine)
    badge = demo.effects_badge(mine)
    # ⏱ **Pedalboard, 3 effects (1 bypassed)** · CPU (2 cores) · 4 ms · RTF 0.0005 (8.0 s ...)
    engine, device, taken, rtf = badge.split(" · ")
    assert engine == "⏱ **Pedalboard, 3 effects (1 bypassed)**"
    assert device.startswith(("CPU", "GPU"))
    number, unit = taken.split()
    took = float(number) / (1000 if unit == "ms" else 1)
    duration = load_audio(EXAMPLE).duration_s
    assert 0 < took < 60 and rtf.endswith(f"({duration:.1f} s of audio)")
    # Shown to 2 significant places at least: a few ms is not rounded to nothing.
    assert float(rtf.split()[1]) == pytest.approx(took / duration, rel=0.1, abs=0.006)
    assert float(rtf.split()[1]) > 0
    neural = fx.Result(
        load_audio(EXAMPLE),
        load_audio(EXAMPLE),
        tuple(fx.parse_chain([{"effect": "Gain"}, {"effect": "NeuralTCN"}])),
        0.0,
    )
    assert demo.timing_badge(neural, 2.0).startswith("⏱ **Pedalboard + neural effect, 2 effects**")


def _blocks(app) -> list:
    return list(app.blocks.values())


def test_the_badge_sits_under_the_output_and_is_drawn_by_a_private_follow_up():
    app = demo.build()
    fns = {fn.api_name: fn for fn in app.fns.values()}
    (badge,) = fns["effects_badge"].outputs
    assert badge.elem_classes == ["timing-badge"] and fns["effects_badge"].inputs == []
    after = fns["apply_effects"].outputs[0]
    column = after.parent
    assert column.children.index(badge) == column.children.index(after) + 1
    assert len(fns["apply_effects"].outputs) == 2  # the public answer is unchanged


def test_send_buttons_and_the_receiving_input_are_declared_and_hidden_when_alone():
    from audiokit import study

    with study.collect_sends() as sends:
        app = demo.build()
    fns = {fn.api_name: fn for fn in app.fns.values()}
    audio_in, after = fns["apply_effects"].inputs[0], fns["apply_effects"].outputs[0]
    (sender,) = sends["senders"]
    component, source, row, buttons = sender
    assert component is after and source == "Effects"
    assert list(buttons) == ["asr", "separation", "speaker"]  # never to itself
    (receiver,) = sends["receivers"]
    tab, into, note = receiver
    assert (tab, into) == ("effects", audio_in) and "sent-from" in note.elem_classes
    # Right under the input, and the send row right under the output's badge.
    column = audio_in.parent
    assert column.children.index(note) == column.children.index(audio_in) + 1
    assert after.parent.children.index(row) == after.parent.children.index(after) + 2
    # Served alone (a slide at /effects/), nothing wires them: the row stays hidden.
    alone = [
        b for b in _blocks(demo.build()) if "send-to" in (getattr(b, "elem_classes", None) or [])
    ]
    assert alone and all(b.visible is False for b in alone)


def test_the_chain_editor_and_the_tail_are_the_tabs_shareable_settings():
    from audiokit import study, ui

    with ui.collect_controls() as controls:
        app = demo.build()
    fns = {fn.api_name: fn for fn in app.fns.values()}
    _, chain, tail = fns["apply_effects"].inputs
    assert [(p, c) for p, c in controls] == [
        (fx.PARAMS["chain"], chain),
        (fx.PARAMS["tail_s"], tail),
    ]
    # A link with a 3-effect chain sets the editor's text exactly (the rows render from it);
    # a malformed one leaves the editor alone and shows a note.
    *updates, note = study.settings_from_link(controls, {"tab": "effects", "chain": THREE})
    assert updates[0] == THREE and not note.visible
    assert [s.effect for s in fx.parse_chain(updates[0])] == [
        "HighpassFilter",
        "LowpassFilter",
        "Reverb",
    ]
    *updates, note = study.settings_from_link(
        controls, {"chain": '[{"effect": "Fuzz"}]', "tail_s": "4"}
    )
    assert updates[1] == 4.0 and note.visible and "unknown effect 'Fuzz'" in note.value
    assert updates[0] == gr.skip()  # the editor keeps its chain


def test_unknown_preset_and_effect_are_refused():
    with pytest.raises(AudioStudyError, match="Unknown preset"):
        demo.effects_preset.__wrapped__("nope")
    with pytest.raises(AudioStudyError, match="Unknown effect 'Fuzz'"):
        editor.effects_add.__wrapped__("[]", "Fuzz")


def test_editor_actions_rewrite_the_json():
    chain = fx.chain_to_json(fx.parse_chain([{"effect": "Gain"}, {"effect": "Reverb"}]))
    added = demo.edit_chain(chain, "add", value="Delay")
    assert [s["effect"] for s in json.loads(added)] == ["Gain", "Reverb", "Delay"]
    moved = demo.edit_chain(added, "up", 2)
    assert [s["effect"] for s in json.loads(moved)] == ["Gain", "Delay", "Reverb"]
    assert demo.edit_chain(moved, "up", 0) == moved
    removed = demo.edit_chain(moved, "remove", 0)
    assert [s["effect"] for s in json.loads(removed)] == ["Delay", "Reverb"]
    bypassed = demo.edit_chain(removed, "bypass", 1)
    assert json.loads(bypassed)[1]["bypass"] is True
    set_ = demo.edit_chain(bypassed, "set", 0, ("feedback", 0.25))
    assert json.loads(set_)[0]["params"]["feedback"] == 0.25
    with pytest.raises(AudioStudyError, match="'feedback' must be between 0 and 1"):
        demo.edit_chain(bypassed, "set", 0, ("feedback", 3))


def test_clipping_warning_says_which_peak_with_its_value():
    """Issue 15 item 9: an empty chain was said to clip 'above 0 dBFS' at -1.9 dBFS."""
    clip = load_audio(EXAMPLE)
    same = views.levels_markdown(fx.run(clip, chain=[]))
    assert "clips" not in same
    # The pluck loop's samples peak at -1.9 dBFS, its 4x-oversampled true peak at +0.0 dBTP.
    assert "true peak +0.0 dBTP, while the sample peak is -1.9 dBFS" in same
    assert "The input's true peak was already +0.0 dBTP" in same
    loud = views.levels_markdown(fx.run(clip, chain=[{"effect": "Gain", "params": {"gain_db": 6}}]))
    assert "**The output clips**: its sample peak is +4.1 dBFS" in loud
    quiet = views.levels_markdown(fx.run(tone(440, amplitude=0.5), chain=[]))
    assert "peak" not in quiet.split("\n\n")[-1] and "clips" not in quiet


def test_neural_fuzz_preset_does_not_clip():
    clip = load_audio(EXAMPLE)
    result = fx.run(clip, chain=fx.presets()["neural fuzz (steered)"]["chain"])
    levels = fx.measure_levels(result.after)
    assert levels.sample_peak_db < -1.0 and levels.true_peak_db < 0.0
    assert views.clipping_warning(fx.measure_levels(clip), levels) == ""
    assert "Steered toward **distortion**" in views.learn_markdown(result)


def test_every_frequency_gets_a_number_box_not_a_linear_slider():
    """Issue 15 item 10: on a 10-20,000 Hz slider, one pixel is tens of hertz."""
    import gradio as gr

    frequencies = 0
    for spec in fx.effects().values():
        step = fx.parse_chain([{"effect": spec.name}])[0]
        for param in spec.params:
            widget = editor.control(step, param, True)
            assert widget.label == param.name
            if param.unit == " Hz":
                frequencies += 1
                assert isinstance(widget, gr.Number), f"{spec.name}.{param.name}"
                assert f"{param.minimum:g} … {param.maximum:g} Hz" in widget.info
            if param.minimum and param.maximum / param.minimum >= 100:
                assert isinstance(widget, gr.Number), f"{spec.name}.{param.name}"
    assert frequencies >= 10
    # The neural effect's seed (0-9999) is typed in full, not picked on a clipped slider.
    nafx_step = fx.parse_chain([{"effect": fx.NEURAL}])[0]
    seed = fx.effects()[fx.NEURAL].param("seed")
    seed_box = editor.control(nafx_step, seed, True)
    assert isinstance(seed_box, gr.Number) and seed_box.precision == 0
    assert "0 … 9999" in seed_box.info
    # A typed value goes through the chain's own check, with its own sentence.
    chain = fx.chain_to_json(fx.parse_chain([{"effect": "HighpassFilter"}]))
    set_ = editor.set_param.__wrapped__(chain, 80, index=0, name="cutoff_frequency_hz")
    assert json.loads(set_)[0]["params"]["cutoff_frequency_hz"] == 80
    with pytest.raises(AudioStudyError, match="must be between 10 and 20000 Hz, not 5"):
        editor.set_param.__wrapped__(chain, 5, index=0, name="cutoff_frequency_hz")
    with pytest.raises(AudioStudyError, match="must be a number, not None"):
        editor.set_param.__wrapped__(chain, None, index=0, name="cutoff_frequency_hz")


def test_the_neural_controls_refuse_a_setting_over_the_limits():
    """The UI path: a slider moved to depth 8 goes through the chain parser and is refused."""
    chain = fx.chain_to_json(fx.parse_chain([{"effect": "NeuralTCN"}]))
    with pytest.raises(AudioStudyError, match="receptive field would be 133,333,333"):
        editor.set_param.__wrapped__(chain, 8, index=0, name="depth")
    note = views.receptive_field_note(fx.parse_chain(chain)[0])
    assert "13,333 samples (limit 32,768)" in note and "7,713 weights (limit 150,000)" in note


# --- The launched app ------------------------------------------------------------------------


@pytest.mark.app
def test_public_effects_endpoints(client):
    names = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert "/apply_effects" in names
    # Chain editing is callable (the page uses it) but undocumented: not an MCP tool.
    assert not {"/effects_preset", "/effects_add"} & names


@pytest.mark.app
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


@pytest.mark.app
def test_apply_effects_with_only_the_audio_uses_the_default_chain_and_keeps_the_tail(client):
    audio, snippet = client.predict(handle_file(str(EXAMPLE)), api_name="/apply_effects")
    out, out_rate = sf.read(audio, always_2d=True)
    source, source_rate = sf.read(EXAMPLE, always_2d=True)
    assert out_rate == source_rate == 44100 and out.shape[1] == 2
    assert out.shape[0] > source.shape[0]  # the reverb's tail
    assert "Reverb(" in snippet and "Bitcrush(" in snippet


@pytest.mark.app
def test_presets_through_the_api(client):
    chain, description = client.predict("telephone", api_name="/effects_preset")
    assert json.loads(chain)[0]["effect"] == "HighpassFilter" and "landline" in description
    added = client.predict(GAIN_6, "Reverb", api_name="/effects_add")
    assert [s["effect"] for s in json.loads(added)] == ["Gain", "Reverb"]


@pytest.mark.app
@pytest.mark.parametrize(
    ("chain", "message"),
    [
        ('[{"effect": "os.system"}]', "unknown effect 'os.system'"),
        ('[{"effect": "Gain", "params": {"gain": 6}}]', "unknown parameter(s) 'gain'"),
        ('[{"effect": "Delay", "params": {"feedback": 7}}]', "'feedback' must be between 0 and 1"),
        ('[{"effect": "Gain", "params": {"gain_db": NaN}}]', "must be a finite number"),
        ("[{effect: Gain}]", "not valid JSON"),
        (
            '[{"effect": "NeuralTCN", "params": {"depth": 8}}]',
            "receptive field would be 133,333,333 samples",
        ),
        (
            '[{"effect": "NeuralTCN", "params": {"channels": 64, "steer": "reverb", '
            '"steer_steps": 400}}]',
            "Use at most 39 steps",
        ),
    ],
)
def test_bad_chain_is_a_clear_sentence_and_the_server_stays_up(client, chain, message):
    with pytest.raises(Exception) as info:
        client.predict(handle_file(str(EXAMPLE)), chain, api_name="/apply_effects")
    assert message in str(info.value)


@pytest.mark.app
def test_nan_audio_is_a_clear_sentence(client, tmp_path):
    bad = tmp_path / "nan.wav"
    sf.write(bad, np.full(8000, np.nan, np.float32), 16000, subtype="FLOAT")
    with pytest.raises(Exception, match="NaN or infinite samples"):
        client.predict(handle_file(str(bad)), GAIN_6, api_name="/apply_effects")
    audio, _ = client.predict(handle_file(str(EXAMPLE)), GAIN_6, api_name="/apply_effects")
    assert sf.info(audio).channels == 2


@pytest.mark.app
@pytest.mark.browser
def test_page_applies_the_preloaded_chain(page, app_url, output_dir):
    page.goto(app_url + "effects")
    page.get_by_text("1. Resample").wait_for(timeout=60_000)
    page.get_by_role("button", name="Apply effects").click()
    page.get_by_text("Integrated loudness").wait_for(timeout=120_000)
    body = page.inner_text("body")
    assert "44100 Hz, 2 channel(s)" in body and "LUFS" in body
    badge = page.locator(".timing-badge").first
    badge.get_by_text("RTF").wait_for(timeout=30_000)
    assert "Pedalboard, 5 effects" in badge.inner_text()
    # A page of its own (a slide) has no other tab to send to: no "Send to" buttons.
    assert page.get_by_role("button", name="Send to Speech recognition").count() == 0
    page.get_by_role("tab", name="Python").click()
    page.get_by_text("from pedalboard import").first.wait_for()
    page.get_by_role("tab", name="Before / after").click()
    page.wait_for_timeout(1500)
    page.screenshot(path=output_dir / "effects-page.png", full_page=True)


@pytest.mark.app
def test_identical_concurrent_requests_all_get_complete_identical_files(app_url, tmp_path):
    """Issue 11 item 9: a burst of identical requests used to share one content-hash output
    path, so a download could read it while another request was rewriting it (truncated)."""
    from gradio_client import Client

    source, rate = sf.read(EXAMPLE, always_2d=True)
    chain = json.dumps([{"effect": "Gain", "params": {"gain_db": -3}}])
    expected = np.clip(source * 10 ** (-3 / 20), -1, 1)
    # Generous timeouts: on a loaded 2-core machine, joining the queue can take over the
    # client's default 5 s; what is tested is every file's content, not latency.
    clients = [Client(app_url, verbose=False, httpx_kwargs={"timeout": 120}) for _ in range(10)]
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


SIZES = {"desktop": (1400, 1000), "phone": (390, 844)}
CHAIN_TEXT = ".cm-content"


def _open_effects(browser, app_url, size):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(app_url + "effects/")
    page.get_by_text("1. Resample").wait_for(timeout=60_000)  # the lo-fi preset is preloaded
    return context, page


def _apply_and_wait(page):
    page.get_by_role("button", name="Apply effects").click()
    page.get_by_text("Integrated loudness").wait_for(timeout=180_000)
    page.locator(".matplotlib img").nth(3).wait_for(timeout=60_000)


def _labels_over_plots(page) -> list[str]:
    """Visible Gradio label badges that overlap a figure (they hid the y-axis labels)."""
    return page.evaluate(
        """() => {
        const boxes = [...document.querySelectorAll('.matplotlib img')]
            .filter(e => e.offsetParent).map(e => e.getBoundingClientRect());
        return [...document.querySelectorAll('[data-testid="block-label"]')]
            .filter(e => e.offsetParent)
            .filter(e => { const r = e.getBoundingClientRect();
                return boxes.some(b => r.left < b.right && b.left < r.right
                                       && r.top < b.bottom && b.top < r.bottom); })
            .map(e => e.innerText.trim());
        }"""
    )


@pytest.mark.app
@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES)
def test_choosing_a_preset_loads_it_and_apply_runs_it(browser, app_url, output_dir, size):
    """Issue 15 items 2, 8 and 10: the preset loads on choice, the figures' axes are not
    covered, and a cutoff is typed, not dragged."""
    context, page = _open_effects(browser, app_url, size)
    page.get_by_label("Preset").click()
    page.get_by_role("option", name="telephone").click()
    # No "Load preset" click: the chain, its controls and the description follow the choice.
    page.get_by_text("1. HighpassFilter").wait_for(timeout=30_000)
    page.get_by_text("A landline").wait_for()
    assert "GSMFullRateCompressor" in page.locator(CHAIN_TEXT).first.inner_text()
    cutoff = page.get_by_label("cutoff_frequency_hz").first
    assert cutoff.get_attribute("type") == "number"
    cutoff.fill("80")
    cutoff.press("Enter")
    page.wait_for_function(
        f"document.querySelector('{CHAIN_TEXT}').innerText.includes('\"cutoff_frequency_hz\": 80')"
    )
    _apply_and_wait(page)
    assert _labels_over_plots(page) == []
    page.screenshot(path=output_dir / f"effects-telephone-{size}.png", full_page=True)
    page.get_by_role("tab", name="Python").click()
    snippet = page.get_by_text("GSMFullRateCompressor(quality=").first
    snippet.wait_for()
    assert "HighpassFilter(cutoff_frequency_hz=80.0)" in page.inner_text("body")
    context.close()


@pytest.mark.app
@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES)
def test_a_failed_run_clears_the_last_result_and_says_why(browser, app_url, output_dir, size):
    """Issue 15 item 6: after a failure, no stale output under an "Error" label."""
    context, page = _open_effects(browser, app_url, size)
    _apply_and_wait(page)
    status = page.locator(".block.run-status")
    assert not status.is_visible()
    page.locator(CHAIN_TEXT).first.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("[{not json")
    page.get_by_role("button", name="Apply effects").click()
    status.get_by_text("Could not run.").wait_for(timeout=60_000)
    assert "The chain is not valid JSON" in status.inner_text()
    page.get_by_text("Integrated loudness").wait_for(state="hidden")
    assert "RTF" not in page.locator(".timing-badge").first.inner_text()  # no stale badge either
    assert page.locator(".matplotlib img:visible").count() == 0
    assert page.get_by_text("pluck_loop-fx.wav").count() == 0  # the old download is gone
    page.screenshot(path=output_dir / f"effects-failed-{size}.png", full_page=True)
    # A good run afterwards hides the note again.
    page.get_by_label("Preset").click()
    page.get_by_role("option", name="slapback echo").click()
    page.get_by_text("1. Delay").wait_for(timeout=30_000)
    _apply_and_wait(page)
    assert not status.is_visible()
    context.close()
