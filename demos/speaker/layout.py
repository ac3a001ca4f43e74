"""Layout and events of the Speaker tab: verification (two clips, enrolment, many clips) and,
beside it, "Who spoke when" (demos.diarization's panel). No model loads here.

A module of its own rather than ``build.py``: the package exports the function ``build``,
which a submodule of the same name would shadow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from audiokit import study, ui
from audiokit.tasks import speaker as task
from demos import diarization
from demos.speaker import handlers, views

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "speaker"
ALL_EXAMPLES = ("jfk_1", "jfk_2", "jfk_3", "lj_1", "lj_2", "piper_1", "piper_2", "piper_3")
MAX_CLIPS = task.LIMITS.max_clips
INTRO = (
    "### Speaker verification\n"
    "Are two recordings the same voice? Each clip is trimmed to its speech, turned into a "
    "*voice print* (an embedding) and the two prints are compared by cosine similarity. "
    "Two embedded models run offline (GE2E and a d-vector encoder: compare them on the same "
    "clips); ECAPA-TDNN and WavLM load from the Hub when chosen. Clips: up to "
    f"{task.LIMITS.max_duration_s:.0f} s, at least {task.PARAMS['min_speech_s'].default:g} s "
    "of speech."
)


def example(name: str) -> str:
    """The path of a bundled example clip (examples/speaker/<name>.wav)."""
    return str(EXAMPLES / f"{name}.wav")


def _score_box(label: str) -> gr.Number:
    # gradio 6.31's Number draws an empty value as "0", which reads as a real score: the box
    # stays hidden until a run has a score to show.
    return gr.Number(label=label, precision=4, visible=False)


def _show_score() -> gr.Number:
    return gr.Number(visible=True)


def _hide_score() -> gr.Number:
    return gr.Number(value=None, visible=False)


def _clear_outputs(kinds: tuple[str, ...]) -> list[Any]:
    """Cleared values for result components: a hidden empty score, empty text, no figure."""
    return [
        _hide_score() if kind == "score" else ("" if kind == "text" else None) for kind in kinds
    ]


INSTANT = {**ui.PRIVATE, "queue": False}


def _badge() -> gr.Markdown:
    """Where a result's timing badge goes (study.timing_badge), right under the result."""
    return gr.Markdown("", elem_classes=["timing-badge"])


def _compare(audio_a: gr.Audio, audio_b: gr.Audio) -> None:
    """Compare A/B: Recording A and B scored by two models, side by side (/verify_compare).

    Each side judges by its own model's threshold; the custom threshold above does not
    apply here, since one number cannot be the line on two models' scales.
    """
    models = dict(choices=task.menu_choices(), allow_custom_value=True, min_width=280)
    with gr.Accordion("Compare A/B: two models on these two recordings", open=False):
        gr.Markdown(
            "Recording A (enrolment) and Recording B (test) scored by model A, then by model "
            "B, each against **its own** threshold."
        )
        sides = []
        with gr.Row():
            for name, default in (("A", handlers.DEFAULT_MODEL), ("B", handlers.DEFAULT_MODEL_B)):
                with gr.Column(min_width=280):
                    model = ui.control(
                        task.PARAMS["model"], label=f"Model {name}", value=default, **models
                    )
                    with gr.Row():
                        score = _score_box(f"Score {name} (cosine)")
                        decision = gr.Textbox(label=f"Decision {name}", interactive=False)
                    sides.append((model, score, decision, _badge()))
        run = gr.Button("Compare A and B", variant="primary")
        status = ui.status_box()
        summary = gr.Markdown()
    (model_a, score_a, decision_a, badge_a), (model_b, score_b, decision_b, badge_b) = sides
    answer = [score_a, decision_a, badge_a, score_b, decision_b, badge_b, summary]
    kinds = ("score", "text", "text", "score", "text", "text", "text")
    # Another model on either side: the old pair of answers no longer describes the menus.
    for model in (model_a, model_b):
        model.change(lambda: _clear_outputs(kinds), None, answer, **INSTANT)
    run.click(lambda: (_hide_score(), _hide_score()), None, [score_a, score_b], **INSTANT)
    compared = ui.run_event(
        run.click,
        handlers.verify_compare,
        [audio_a, audio_b, model_a, model_b],
        answer,
        status=status,
        held=("speaker_compare",),
        api_name="verify_compare",
        validator=ui.audio_validator(max_duration_s=handlers.MAX_S, audio_inputs=2),
    )
    compared.success(lambda: (_show_score(), _show_score()), None, [score_a, score_b], **INSTANT)


def _verification() -> None:
    """The verification block: model and threshold, then three sub-tabs; "Two clips" also
    holds Compare A/B (two models on the same two recordings).

    Their names are short enough for one row on a 390 px phone (with "Two recordings" the
    tab bar pushed the page to 426 px).
    """
    default = task.BACKENDS[handlers.DEFAULT_MODEL]
    with gr.Row(equal_height=True):
        model = ui.control(
            task.PARAMS["model"],
            choices=task.menu_choices(),
            allow_custom_value=True,  # the core checks the allowlist, naming a bad value
            scale=3,
            # Wide enough for a model's name: on a phone it takes a row of its own.
            min_width=330,
        )
        custom = gr.Checkbox(
            False,
            label="Custom threshold",
            info="off: the model's calibrated one",
            scale=1,
            min_width=170,
        )
        threshold = ui.control(task.PARAMS["threshold"], value=default.threshold, scale=2)
    with gr.Tabs():
        with gr.Tab("Two clips"):
            with gr.Row():
                audio_a = gr.Audio(
                    example("jfk_1"),
                    type="filepath",
                    label="Recording A",
                    sources=["upload", "microphone"],
                )
                with gr.Column():
                    audio_b = gr.Audio(
                        example("jfk_3"),
                        type="filepath",
                        label="Recording B",
                        sources=["upload", "microphone"],
                    )
                    # Audio sent from another tab (a separated stem, a TTS voice) is the
                    # clip to verify against Recording A.
                    study.receive_into("speaker", audio_b)
            run = gr.Button("Verify", variant="primary")
            verify_status = ui.status_box()
            with gr.Row():
                score = _score_box("Similarity score (cosine)")
                decision = gr.Textbox(label="Decision", interactive=False)
            verify_badge = _badge()
            explanation = gr.Markdown()
            gr.Examples(
                [
                    [example(a), example(b)]
                    for a, b in (
                        ("jfk_1", "jfk_3"),
                        ("jfk_1", "lj_1"),
                        ("lj_1", "lj_2"),
                        ("jfk_2", "piper_1"),
                        ("piper_1", "piper_3"),
                    )
                ],
                [audio_a, audio_b],
                label="Pairs (JFK, LJ Speech reader, Piper voice)",
            )
            with gr.Accordion("What the model sees", open=False):
                learn = gr.Plot(show_label=False)
                card = gr.Markdown(views.card(default.id))
            _compare(audio_a, audio_b)
        with gr.Tab("Enrolment"):
            with gr.Row():
                enrol_files = gr.File(
                    [example("jfk_1"), example("jfk_2")],
                    file_count="multiple",
                    file_types=["audio"],
                    label=f"Enrolment clips of speaker A (1 to {MAX_CLIPS})",
                )
                test_audio = gr.Audio(
                    example("jfk_3"),
                    type="filepath",
                    label="Test recording",
                    sources=["upload", "microphone"],
                )
            run_enrol = gr.Button("Enrol and test", variant="primary")
            enrol_status = ui.status_box()
            with gr.Row():
                enrol_score = _score_box("Score of the averaged print")
                enrol_decision = gr.Textbox(label="Decision", interactive=False)
            enrol_badge = _badge()
            enrol_plot = gr.Plot(show_label=False)
            enrol_summary = gr.Markdown()
        with gr.Tab("Many clips"):
            many = gr.File(
                [example(n) for n in ALL_EXAMPLES],
                file_count="multiple",
                file_types=["audio"],
                label=f"3 to {MAX_CLIPS} clips (name them speaker_1.wav, speaker_2.wav, ...)",
            )
            run_map = gr.Button("Compare all", variant="primary")
            map_status = ui.status_box()
            with gr.Row():
                heatmap = gr.Plot(show_label=False)
                pca = gr.Plot(show_label=False)
            map_summary = gr.Markdown()
            with gr.Accordion("The scores as numbers", open=False):
                map_scores = gr.Dataframe(label="Cosine similarity", interactive=False)
    settings = [model, custom, threshold]
    validator = ui.audio_validator(max_duration_s=handlers.MAX_S, audio_inputs=2)

    # Each run: the public answer, then (private) the score box and the learn view drawn
    # from the held result. A new run first hides the old score (run_event empties it,
    # which Number would draw as "0") and the old figures.
    run.click(lambda: (_hide_score(), None, ""), None, [score, learn, verify_badge], **INSTANT)
    verified = ui.run_event(
        run.click,
        handlers.verify,
        [audio_a, audio_b, *settings],
        [score, decision, explanation],
        status=verify_status,
        held=("speaker", "speaker_badge"),
        api_name="verify",
        validator=validator,
    )
    verified.success(_show_score, None, score, **INSTANT)
    verified.success(handlers.verification_badge, None, verify_badge, **INSTANT)
    verified.success(handlers.draw_verification, None, learn, **ui.PRIVATE)

    run_enrol.click(
        lambda: (_hide_score(), None, ""), None, [enrol_score, enrol_plot, enrol_badge], **INSTANT
    )
    enrolled = ui.run_event(
        run_enrol.click,
        handlers.speaker_enroll,
        [enrol_files, test_audio, *settings],
        [enrol_score, enrol_decision, enrol_summary],
        status=enrol_status,
        held=("speaker_enroll", "speaker_enroll_badge"),
        api_name="speaker_enroll",
        validator=validator,
    )
    enrolled.success(_show_score, None, enrol_score, **INSTANT)
    enrolled.success(handlers.enrolment_badge, None, enrol_badge, **INSTANT)
    enrolled.success(handlers.draw_enrolment, None, enrol_plot, **ui.PRIVATE)

    run_map.click(lambda: (None, None), None, [heatmap, pca], **INSTANT)
    mapped = ui.run_event(
        run_map.click,
        handlers.speaker_matrix,
        [many, model],
        [map_scores, map_summary],
        status=map_status,
        held=("speaker_matrix",),
        api_name="speaker_matrix",
        validator=ui.audio_validator(max_duration_s=handlers.MAX_S),
    )
    mapped.success(handlers.draw_map, None, [heatmap, pca], **ui.PRIVATE)

    # Another model: its threshold and card, and every answer of the old model cleared.
    model.change(
        handlers.choose_model, model, [threshold, custom, card], api_name="speaker_model", **INSTANT
    )
    results = {
        score: "score",
        decision: "text",
        verify_badge: "text",
        explanation: "text",
        learn: "figure",
        enrol_score: "score",
        enrol_decision: "text",
        enrol_badge: "text",
        enrol_summary: "text",
        enrol_plot: "figure",
        heatmap: "figure",
        pca: "figure",
        map_scores: "figure",
        map_summary: "text",
    }
    model.change(
        lambda: _clear_outputs(tuple(results.values())),
        None,
        list(results),
        api_name="speaker_model_clear",
        **INSTANT,
    )
    custom.input(
        handlers.toggle_custom,
        [custom, score, model],
        [threshold, decision, explanation],
        api_name="speaker_custom",
        **INSTANT,
    )
    threshold.input(
        handlers.redecide,
        [score, model, threshold],
        [decision, explanation, custom],
        api_name="speaker_threshold",
        **INSTANT,
    )


def build() -> gr.Blocks:
    """The Speaker tab: one ``gr.Tabs`` with "Verification" (two recordings, enrolment, many
    clips) and "Who spoke when"; a further speaker task adds one more ``gr.Tab`` beside them,
    built by a function of its own like :func:`_verification`."""
    with gr.Blocks() as demo:
        gr.Markdown(INTRO)
        with gr.Tabs():
            with gr.Tab("Verification", id="verification"):
                _verification()
            with gr.Tab("Who spoke when", id="diarization"):
                diarization.panel()
    return demo
