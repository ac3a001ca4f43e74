"""The Speech recognition tab: its handlers and views called directly, and the tab as users
meet it, through the launched app's API (marked ``app``) and a browser (``browser``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from audiokit.audio import load_audio
from audiokit.metrics import word_error_rate
from audiokit.tasks import asr
from audiokit.tasks.asr import BASE_ID, BASE_NAME, EMBEDDED_NAME, XLSR_ID
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, JFK, JFK_REFERENCE, ROOT

GERMAN = ROOT / "examples" / "asr" / "german_mit.flac"


# ------------------------------------------------------------- handlers and views, called directly


def test_examples_exist_are_small_and_have_sources():
    from demos import asr as tab

    sources = (tab.EXAMPLES / "SOURCES.md").read_text(encoding="utf-8")
    clips = sorted(p for p in tab.EXAMPLES.iterdir() if p.suffix == ".flac")
    assert tab.DEFAULT_EXAMPLE in clips
    for clip in clips:
        assert clip.stat().st_size < 1_000_000 and clip.name in sources
        assert load_audio(clip).duration_s > 5


def test_reference_text_is_capped_in_the_adapter():
    import gradio as gr

    from demos import asr as tab

    with pytest.raises(gr.Error, match="reference text is"):
        tab.transcribe(str(tab.DEFAULT_EXAMPLE), reference="word " * 5000)


@pytest.mark.parametrize(
    ("model_id", "multilingual"),
    [
        (asr.EMBEDDED_ID, False),
        ("openai/whisper-small", True),
        ("Systran/faster-whisper-small", True),
    ],
)
def test_model_choice_enables_language_and_task_only_when_multilingual(model_id, multilingual):
    from demos import asr as tab

    language, task, card, _ = tab.model_changed(model_id)
    assert language["interactive"] is multilingual and task["interactive"] is multilingual
    assert "Paper:" in card and ("language detection" in card) is multilingual
    assert ("translate needs a multilingual model" in card) is not multilingual


def test_dropdown_shows_size_published_wer_and_speed_and_marks_the_hub():
    from demos import asr as tab

    labels = dict((v, k) for k, v in tab.model_choices())
    assert "75 MB" in labels[asr.EMBEDDED_ID] and "5.66 / 15.45" in labels[asr.EMBEDDED_ID]
    assert "145 MB" in labels[asr.BASE_ID] and "5.0 / 12.4" in labels[asr.BASE_ID]
    assert "4.25 / 10.35" in labels["Systran/faster-whisper-base.en"]
    for model_id, label in labels.items():
        assert re.search(r"RTF ≈?\d\.\d\d", label), label
        offline = model_id in asr.EMBEDDED_IDS
        assert ("embedded, offline" in label) is offline
        # Tests run with the Hub offline and nothing cached: every Hub entry says so.
        assert label.endswith("Hub, not downloaded") is not offline, label


def test_english_only_model_says_why_translate_is_locked():
    from demos import asr as tab

    language, task, _, beam = tab.model_changed(asr.EMBEDDED_ID)
    assert task["interactive"] is False and "English only" in task["info"]
    assert "Whisper base" in task["info"]  # and which model can
    assert beam["value"] == 5
    language, task, card, beam = tab.model_changed(asr.BASE_ID)
    assert task["interactive"] and language["interactive"]
    assert beam["value"] == 1  # the benchmark's choice for base
    assert "translation to English" in card
    assert "Slow here" in tab.card_markdown("Systran/faster-whisper-medium")


def test_translation_targets_follow_the_model():
    from demos import asr as tab

    assert [v for _, v in tab.target_choices(asr.BASE_ID)] == ["en"]
    update, card = tab.translation_model_changed(asr.XLSR_ID)
    assert [v for _, v in update["choices"]] == list(asr.XLSR_TARGETS)
    assert ("German (de)", "de") in update["choices"]
    assert "mBART-50" in card
    assert "Slow here" in tab.translation_card(asr.XLSR_ID)


def test_offline_the_tab_offers_no_example_that_needs_the_hub():
    import gradio as gr

    from demos import asr as tab

    demo = tab.build()
    samples = [
        value
        for block in demo.blocks.values()
        if isinstance(block, gr.Dataset)
        for row in block.samples
        for value in row
    ]
    assert asr.BASE_ID in [str(v) for v in samples]  # the offline translation row is there
    assert not any(asr.XLSR_ID in str(v) for v in samples)
    for label, model_id in tab.translation_model_choices():
        assert label.endswith("Hub, not downloaded") is (model_id == asr.XLSR_ID)


def test_the_learn_view_is_drawn_from_the_held_result_without_decoding_again(monkeypatch):
    from demos import asr as tab

    text, *_ = tab.transcribe(str(JFK))  # outside a request: held for the "" session
    assert "country" in text.lower()

    def never(*args, **kwargs):
        raise AssertionError("the learn view ran the model again")

    monkeypatch.setattr(asr, "run", never)
    monkeypatch.setattr(asr, "get_recognizer", never)
    monkeypatch.setattr("audiokit.tasks.asr.recognize.get_recognizer", never)
    figure, card = tab.draw_learn(asr.EMBEDDED_ID, None)
    assert figure is not None and "Mean token probability" in card
    held = tab.handlers.ui.held(tab.handlers.HELD, None)
    # After drawing, the session keeps the pooled spectrogram, not the samples.
    assert held.samples is None and held.mel.shape[0] == 80
    assert held.transcript.text == text
    again, _ = tab.draw_learn(asr.EMBEDDED_ID, None)
    assert again is not None


def test_public_events_return_no_state_and_learn_views_stay_private():
    import gradio as gr

    from demos import asr as tab

    demo = tab.build()
    public = {}
    for fn in demo.fns.values():
        if fn.api_name in {"transcribe", "translate_speech"}:
            public[fn.api_name] = fn
        if fn.name == "draw_learn":
            assert fn.api_visibility == "private"
    assert set(public) == {"transcribe", "translate_speech"}
    for fn in public.values():
        assert not [o for o in fn.outputs if isinstance(o, gr.State)], fn.api_name
        assert fn.fn.__name__ == fn.api_name  # the MCP tool's name


def test_the_widgets_come_from_the_tasks_params():
    import gradio as gr

    from demos import asr as tab

    demo = tab.build()
    beam = next(
        b for b in demo.blocks.values() if isinstance(b, gr.Slider) and b.label == "Beam size"
    )
    p = asr.PARAMS["beam_size"]
    assert (beam.minimum, beam.maximum, beam.step) == (p.minimum, p.maximum, p.step)
    assert beam.value == asr.beam_for(asr.PARAMS["model_id"].default)
    models = next(
        b for b in demo.blocks.values() if str(getattr(b, "label", "")).startswith("Model (")
    )
    assert [v for _, v in models.choices] == list(asr.CATALOG)


@pytest.mark.app
def test_endpoint_names_are_pinned(client):
    named = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert {"/transcribe", "/translate_speech"} <= named
    # The live microphone's chunks are callable but undocumented (not an MCP tool).
    assert "/asr_stream" not in named
    # UI-only events stay private, so they do not clutter the API page.
    assert not {e for e in named if "asr_learn" in e or "asr_model_info" in e}


@pytest.mark.app
def test_transcribe_with_only_the_audio(client):
    from gradio_client import handle_file

    result = client.predict(handle_file(str(JFK)), api_name="/transcribe")
    text, summary, segments, words, files, wer = result
    assert word_error_rate(JFK_REFERENCE, text).wer <= 0.05, text
    assert "11.0 s transcribed" in summary
    rows = segments["data"]
    assert rows and [r[0] for r in rows] == sorted(r[0] for r in rows) and rows[-1][1] <= 11.1
    assert words["data"] in ([], [[]]) or not any(words["data"][0])
    names = sorted(Path(f).name for f in files)
    assert names == ["jfk.json", "jfk.srt", "jfk.txt", "jfk.vtt"]
    srt = Path(next(f for f in files if f.endswith(".srt"))).read_bytes()
    assert not srt.startswith(b"\xef\xbb\xbf") and b" --> " in srt
    assert wer == ""


@pytest.mark.app
def test_reference_text_gives_wer_and_alignment(client):
    from gradio_client import handle_file

    result = client.predict(
        handle_file(str(JFK)),
        reference="And so my fellow Americans, ask not what your nation can do for you.",
        api_name="/transcribe",
    )
    wer_html = result[5]
    assert "WER" in wer_html and "background:#bbf7d0" in wer_html  # insertions highlighted
    assert re.search(r"1 substituted", wer_html)


@pytest.mark.app
def test_not_audio_gives_our_sentence(client, tmp_path):
    from gradio_client import handle_file

    bogus = tmp_path / "notes.wav"
    bogus.write_text("these are meeting notes, not audio", encoding="utf-8")
    with pytest.raises(Exception, match="Could not read 'notes.wav' as audio"):
        client.predict(handle_file(str(bogus)), api_name="/transcribe")


@pytest.mark.app
def test_hub_model_offline_gives_our_sentence(client):
    from gradio_client import handle_file

    with pytest.raises(Exception, match=re.escape(EMBEDDED_NAME)):
        client.predict(
            handle_file(str(JFK)),
            model_id="openai/whisper-base",
            api_name="/transcribe",
        )


@pytest.mark.app
def test_base_through_the_api_detects_the_language(client):
    from gradio_client import handle_file

    text, summary, *_ = client.predict(
        handle_file(str(GERMAN)), model_id=BASE_ID, beam_size=1, api_name="/transcribe"
    )
    assert re.search(r"language \*\*de\*\* \(detected, p = (0\.9\d|1\.00)\)", summary), summary
    assert "Software" in text


@pytest.mark.app
def test_translate_speech_through_the_api(client):
    from gradio_client import handle_file

    text, summary = client.predict(handle_file(str(GERMAN)), api_name="/translate_speech")
    assert re.search(r"\bsoftware", text, re.IGNORECASE) and " the " in f" {text} ", text
    assert "into **English**" in summary and "spoken language **de**" in summary


@pytest.mark.app
def test_translate_speech_refuses_what_the_model_cannot_write(client):
    from gradio_client import handle_file

    with pytest.raises(Exception, match="only into English"):
        client.predict(handle_file(str(GERMAN)), BASE_ID, "de", api_name="/translate_speech")
    with pytest.raises(Exception, match=re.escape(BASE_NAME)):  # offline, not cached
        client.predict(handle_file(str(GERMAN)), XLSR_ID, "de", api_name="/translate_speech")


@pytest.mark.app
def test_translate_speech_raw_http_bad_model_is_a_sentence(app_url):
    """Raw HTTP bypasses gradio_client's checks: the answer is still our sentence."""
    import httpx

    with GERMAN.open("rb") as f:
        uploaded = httpx.post(
            f"{app_url}gradio_api/upload", files={"files": (GERMAN.name, f)}, timeout=30
        ).json()[0]
    audio = {"path": uploaded, "meta": {"_type": "gradio.FileData"}}
    call = httpx.post(
        f"{app_url}gradio_api/call/translate_speech",
        json={"data": [audio, "evil/model", "en"]},
        timeout=30,
    )
    event_id = call.json()["event_id"]
    stream = httpx.get(f"{app_url}gradio_api/call/translate_speech/{event_id}", timeout=120)
    assert "event: error" in stream.text and "Unknown model 'evil/model'" in stream.text
    assert "Traceback" not in stream.text


def _open_asr(page, app_url):
    response = page.goto(app_url + "asr")
    if response is not None and response.status == 404:  # the page mounted as a sub-app
        page.goto(app_url + "asr/")


@pytest.mark.browser
@pytest.mark.app
def test_choosing_base_unlocks_options_and_shows_detected_language(app_url, page, output_dir):
    _open_asr(page, app_url)
    # tiny.en says why translate is locked, in the page (not only a greyed-out radio).
    page.get_by_text("translate needs a multilingual model").first.wait_for(timeout=30_000)
    page.get_by_label(re.compile(r"^Model \(size")).click()
    page.get_by_role("option", name=re.compile(r"Whisper base \(multilingual\)")).click()
    page.get_by_text("translate writes English").first.wait_for(timeout=30_000)
    assert page.get_by_label("translate").is_enabled()
    page.get_by_text("german_mit.flac").first.click()  # the German example row
    page.get_by_role("button", name="Transcribe", exact=True).click()
    detected = page.get_by_text(re.compile(r"language de \(detected, p = \d\.\d\d\)"))
    detected.wait_for(timeout=180_000)
    shown = page.locator("textarea").evaluate_all("els => els.map(e => e.value).join(' ')")
    assert "Software" in shown
    page.screenshot(path=str(output_dir / "asr-base-german.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.app
def test_a_failed_translation_clears_the_old_result_and_says_why(app_url, page, output_dir):
    _open_asr(page, app_url)
    page.get_by_role("tab", name="Translate speech").click()
    page.get_by_role("button", name="Translate", exact=True).click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('textarea')].some(t => /software/i.test(t.value))",
        timeout=180_000,
    )
    target = page.get_by_label("Write in")
    target.fill("de")
    target.press("Enter")
    page.get_by_role("button", name="Translate", exact=True).click()
    page.get_by_text("Could not run.").wait_for(timeout=60_000)
    assert page.get_by_text(re.compile("translates only into English")).first.is_visible()
    texts = page.locator("textarea").evaluate_all("els => els.map(e => e.value).join(' ')")
    assert "software" not in texts.lower(), "the previous translation was cleared"
    page.screenshot(path=str(output_dir / "asr-translate-error.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.app
def test_page_transcribes_the_preloaded_example(app_url, page, output_dir):
    _open_asr(page, app_url)
    page.get_by_role("button", name="Transcribe", exact=True).click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('textarea')].some(t => /country/i.test(t.value))",
        timeout=90_000,
    )
    shown = page.locator("textarea").evaluate_all("els => els.map(e => e.value).join(' ')")
    assert "fellow Americans" in shown
    page.get_by_text("Learn: what the model sees").click()
    page.get_by_text("Mean token probability").wait_for(timeout=60_000)
    page.locator("img[src^='data:image']").first.wait_for(timeout=30_000)
    page.screenshot(path=str(output_dir / "asr-page.png"), full_page=True)
    assert re.search(r"jfk\s*\.srt", page.locator("body").inner_text())


@pytest.mark.browser
@pytest.mark.app
def test_live_microphone_streams_partial_text(app_url, browser, output_dir, tmp_path):
    """Chromium's fake microphone plays jfk; the live transcript must pick up its words."""
    from audiokit.audio import load_audio, write_audio

    speech = load_audio(JFK).resampled(48000)
    wav = write_audio(speech, tmp_path / "mic.wav")
    live = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}",
        ],
    )
    try:
        context = live.new_context(viewport={"width": 1280, "height": 900})
        context.grant_permissions(["microphone"])
        page = context.new_page()
        response = page.goto(app_url + "asr")
        if response is not None and response.status == 404:
            page.goto(app_url + "asr/")
        page.get_by_role("tab", name="Live microphone").click()
        page.get_by_role("button", name=re.compile("record", re.IGNORECASE)).first.click()
        try:
            page.wait_for_function(
                "() => [...document.querySelectorAll('textarea')]"
                ".some(t => /fellow.*country/i.test(t.value))",
                timeout=60_000,
            )
        finally:
            page.screenshot(path=str(output_dir / "asr-live.png"), full_page=True)
    finally:
        live.close()
