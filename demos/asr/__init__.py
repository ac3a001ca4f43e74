"""Speech recognition tab: a ladder of offline Whisper models (tiny.en, multilingual base) and
Hub models on demand, long audio, timestamps, subtitles, speech translation, live microphone
and a learn view of what the model sees.

The task lives in :mod:`audiokit.tasks.asr`; here are its views (:mod:`.views`), its
handlers (:mod:`.handlers`) and ``build()``, layout and events only.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from audiokit import study, ui
from audiokit.audio import format_duration
from audiokit.models import hub_available
from audiokit.tasks import asr
from demos.asr.handlers import (
    HELD,
    draw_learn,
    live,
    live_finish,
    model_changed,
    reset_live,
    transcribe,
    transcribe_compare,
    translate_speech,
    translation_model_changed,
)
from demos.asr.views import (
    ENGLISH_ONLY_LANGUAGE,
    ENGLISH_ONLY_TASK,
    SEGMENT_COLUMNS,
    WORD_COLUMNS,
    card_markdown,
    language_choices,
    model_choices,
    target_choices,
    translation_card,
    translation_model_choices,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "asr"
DEFAULT_EXAMPLE = EXAMPLES / "jfk.flac"
GERMAN_EXAMPLE = EXAMPLES / "german_mit.flac"
P = asr.PARAMS

__all__ = [
    "DEFAULT_EXAMPLE",
    "EXAMPLES",
    "build",
    "card_markdown",
    "draw_learn",
    "model_changed",
    "model_choices",
    "target_choices",
    "transcribe",
    "transcribe_compare",
    "translate_speech",
    "translation_card",
    "translation_model_changed",
    "translation_model_choices",
]


def _transcribe_column() -> dict[str, gr.components.Component]:
    """The inputs of 'Transcribe a file', built from the task's PARAMS and CATALOG."""
    examples = sorted(p for p in EXAMPLES.glob("*") if p.suffix in {".flac", ".ogg", ".wav"})
    c: dict[str, gr.components.Component] = {}
    c["audio"] = gr.Audio(
        value=str(DEFAULT_EXAMPLE) if DEFAULT_EXAMPLE.is_file() else None,
        type="filepath",
        sources=["upload", "microphone"],
        label="Speech",
    )
    c["received"] = study.receive_into("asr", c["audio"])
    # Custom values pass to the core, which checks the allowlist in a sentence; Gradio's own
    # check answers an event with a validator= by a bare 400.
    c["model"] = gr.Dropdown(
        model_choices(),
        value=P["model_id"].default,
        label="Model (size · published WER clean/other · speed here)",
        allow_custom_value=True,
    )
    default = asr.MODELS[P["model_id"].default]
    with gr.Row():
        c["language"] = gr.Dropdown(
            language_choices(),
            value=P["language"].default,
            label=P["language"].title,
            allow_custom_value=True,
            interactive=default.multilingual,
            info=P["language"].help if default.multilingual else ENGLISH_ONLY_LANGUAGE,
        )
        c["task"] = gr.Radio(
            list(P["task"].choices),
            value=P["task"].default,
            label=P["task"].title,
            interactive=default.multilingual,
            info=P["task"].help
            if default.multilingual
            else ENGLISH_ONLY_TASK.format(name=default.title),
        )
    with gr.Row():
        c["words"] = ui.control(P["word_timestamps"])
        c["vad"] = ui.control(P["vad_filter"])
    c["beam"] = ui.control(P["beam_size"], value=asr.beam_for(P["model_id"].default))
    c["speakers"] = gr.Checkbox(
        False,
        label="Label speakers",
        info="who spoke when (up to 30 min), in the text and subtitles",
    )
    c["reference"] = gr.Textbox(
        "",
        label="Reference text (optional, for WER)",
        lines=2,
        max_length=asr.LIMITS.max_reference_chars,
    )
    c["run"] = gr.Button("Transcribe", variant="primary")
    if examples:
        gr.Examples(
            [[str(p)] for p in examples],
            [c["audio"]],
            label="Examples",
            api_name="asr_load_example",
            api_visibility="private",
        )
    return c


def _compare_section() -> dict[str, gr.components.Component]:
    """Compare A/B: the speech and reference above through two models, side by side."""
    c: dict[str, gr.components.Component] = {}
    params = asr.COMPARE_PARAMS
    with gr.Accordion("Compare A/B: the same speech through two models", open=False):
        gr.Markdown(
            "Runs model A, then model B, on the speech above (with its reference text, each "
            "model's WER). The diff marks words <span style='background:#fecaca'>only in A</span>"
            " and <span style='background:#bbf7d0'>only in B</span>."
        )
        with gr.Row():
            for side in ("a", "b"):
                param = params[f"model_{side}"]
                c[f"model_{side}"] = ui.shareable(
                    param,
                    gr.Dropdown(
                        model_choices(),
                        value=param.default,
                        label=param.title,
                        allow_custom_value=True,
                    ),
                )
        c["run"] = gr.Button("Compare A and B", variant="primary")
        c["status"] = ui.status_box()
        with gr.Row():
            for side in ("a", "b"):
                with gr.Column():
                    c[f"text_{side}"] = gr.Textbox(
                        label=f"Transcript {side.upper()}", lines=4, buttons=["copy"]
                    )
                    c[f"badge_{side}"] = gr.Markdown(elem_classes=["timing-badge"])
        c["diff"] = gr.HTML(elem_classes=["asr-diff"])
    return c


def _translate_column() -> dict[str, gr.components.Component]:
    """The inputs of 'Translate speech'."""
    c: dict[str, gr.components.Component] = {}
    c["audio"] = gr.Audio(
        value=str(GERMAN_EXAMPLE) if GERMAN_EXAMPLE.is_file() else None,
        type="filepath",
        sources=["upload", "microphone"],
        label="Speech",
    )
    params = asr.TRANSLATE_PARAMS
    model, target = params["model_id"].default, params["target"].default
    c["model"] = gr.Dropdown(
        translation_model_choices(),
        value=model,
        label=params["model_id"].title,
        allow_custom_value=True,
    )
    c["target"] = gr.Dropdown(
        target_choices(model), value=target, label=params["target"].title, allow_custom_value=True
    )
    c["run"] = gr.Button("Translate", variant="primary")
    rows = [[str(GERMAN_EXAMPLE), asr.BASE_ID, target]]
    # Examples that need the Hub are offered only where it can be had.
    if hub_available(asr.XLSR_ID, allow_patterns=list(asr.XLSR_FILES)):
        rows.append([str(GERMAN_EXAMPLE), asr.XLSR_ID, target])
    if GERMAN_EXAMPLE.is_file():
        gr.Examples(
            rows,
            [c["audio"], c["model"], c["target"]],
            label="Examples",
            api_name="asr_translate_example",
            api_visibility="private",
        )
    return c


def build() -> gr.Blocks:
    """The Speech recognition tab."""
    with gr.Blocks() as demo:
        gr.Markdown(
            "### Speech recognition\nUpload or record speech and get a transcript with "
            "timestamps and subtitles. Two Whisper models run offline on the CPU: tiny.en "
            "(English, fastest) and base (99 languages, detects the language, translates to "
            "English); bigger models load from the Hub when chosen. Each model's size, published "
            "WER and speed on this machine are in the list. Long audio (up to "
            f"{format_duration(asr.LIMITS.max_duration_s)}) is transcribed whole."
        )
        with gr.Tabs():
            with gr.Tab("Transcribe a file"):
                with gr.Row():
                    with gr.Column(scale=1):
                        t = _transcribe_column()
                    with gr.Column(scale=2):
                        status = ui.status_box()
                        text = gr.Textbox(label="Transcript", lines=5, buttons=["copy"])
                        summary = gr.Markdown(elem_classes=["timing-badge"])
                        wer = gr.HTML()
                        segments = gr.Dataframe(
                            headers=SEGMENT_COLUMNS,
                            label="Segments",
                            max_height=300,
                            wrap=True,
                            column_widths=["9%", "9%", "58%", "12%", "12%"],
                        )
                        with gr.Accordion("Words (tick word timestamps)", open=False):
                            word_table = gr.Dataframe(
                                headers=WORD_COLUMNS, show_label=False, max_height=240
                            )
                        files = gr.File(label="Downloads", file_count="multiple")
                with gr.Accordion("Learn: what the model sees", open=False):
                    learn_plot = gr.Plot(show_label=False)
                    learn_text = gr.Markdown(card_markdown(P["model_id"].default))
                cmp = _compare_section()
            with gr.Tab("Translate speech"):
                gr.Markdown(
                    "Speech in one language, text in another. **Whisper base** translates any of "
                    "its 99 languages into English, offline. **XLS-R 2B 22→16** (the model behind "
                    "the `facebook/XLS-R-2B-22-16` Space) translates 22 spoken languages into 16 "
                    "written ones; it loads from the Hub when chosen."
                )
                with gr.Row():
                    with gr.Column(scale=1):
                        tr = _translate_column()
                    with gr.Column(scale=2):
                        t_status = ui.status_box()
                        t_text = gr.Textbox(label="Translation", lines=5, buttons=["copy"])
                        t_summary = gr.Markdown()
                        t_card = gr.Markdown(
                            translation_card(asr.TRANSLATE_PARAMS["model_id"].default)
                        )
            with gr.Tab("Live microphone"):
                gr.Markdown(
                    "Speak and watch the transcript grow. The embedded model re-reads the last "
                    f"{asr.LIVE_WINDOW_S:.0f} s every second; older text settles."
                )
                mic = gr.Audio(sources=["microphone"], streaming=True, label="Microphone")
                live_text = gr.Textbox(label="Live transcript", lines=6)
                live_state = gr.State(None)
        inputs = [t[k] for k in ("audio", "model", "language", "task", "words", "vad", "beam")]
        ui.run_event(
            t["run"].click,
            transcribe,
            [*inputs, t["reference"], t["speakers"]],
            [text, summary, segments, word_table, files, wer],
            status=status,
            held=(HELD,),
            api_name="transcribe",
            validator=ui.audio_validator(max_duration_s=asr.LIMITS.max_duration_s),
        ).success(
            draw_learn, t["model"], [learn_plot, learn_text], api_name="asr_learn", **ui.PRIVATE
        )
        ui.run_event(
            cmp["run"].click,
            transcribe_compare,
            [t["audio"], cmp["model_a"], cmp["model_b"], t["reference"]],
            [cmp["text_a"], cmp["badge_a"], cmp["text_b"], cmp["badge_b"], cmp["diff"]],
            status=cmp["status"],
            api_name="transcribe_compare",
            validator=ui.audio_validator(max_duration_s=asr.LIMITS.max_duration_s),
        )
        t["model"].change(
            model_changed,
            t["model"],
            [t["language"], t["task"], learn_text, t["beam"]],
            api_name="asr_model_info",
            queue=False,
            **ui.PRIVATE,
        )
        ui.run_event(
            tr["run"].click,
            translate_speech,
            [tr["audio"], tr["model"], tr["target"]],
            [t_text, t_summary],
            status=t_status,
            api_name="translate_speech",
            validator=ui.audio_validator(max_duration_s=asr.LIMITS.max_duration_s),
        )
        tr["model"].change(
            translation_model_changed,
            tr["model"],
            [tr["target"], t_card],
            api_name="asr_translation_model_info",
            queue=False,
            **ui.PRIVATE,
        )
        mic.start_recording(
            reset_live,
            None,
            [live_state, live_text],
            api_name="asr_live_reset",
            queue=False,
            **ui.PRIVATE,
        )
        mic.stop_recording(
            live_finish,
            live_state,
            [live_state, live_text],
            api_name="asr_live_finish",
            api_visibility="private",
        )
        mic.stream(
            live,
            [mic, live_state],
            [live_state, live_text],
            api_name="asr_stream",
            api_visibility="undocumented",  # callable, but no MCP tool or API-page entry
            stream_every=1.0,
            time_limit=600,
            show_progress="hidden",
        )
    return demo
