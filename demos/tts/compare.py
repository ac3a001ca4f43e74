"""Compare A/B in the TTS tab: handlers and layout of the accordion, with its blind mode.

The public /synthesize_compare answers with both audios, each side's timing badge and report
(round-trip WER), and what sets them apart. The spectrograms with phoneme marks are drawn by
a private step from the comparison held for the session; the blind mode (X and Y in random
order, pick, reveal, a running tally) is private too, its trial and tally kept in the page's
session state.
"""

from __future__ import annotations

import dataclasses
import functools
import shutil
from typing import Any

import gradio as gr

from audiokit import study, ui
from audiokit.audio import write_audio
from audiokit.tasks import tts
from audiokit.tasks.tts import blind
from demos.tts.views import difference_markdown, for_learning, learn_figure, side_markdown

HELD = "tts-compare"
_P = tts.PARAMS
#: The settings each side has its own widget for (the others keep their defaults).
SIDE_PARAMS = ("voice", "length_scale", "noise_scale", "noise_w")


def _badge(comparison: tts.Comparison, side: tts.Side) -> str:
    return study.timing_badge(
        f"{side.name}: {comparison.label(side)}", side.seconds, side.result.audio.duration_s
    )


@ui.user_errors
def synthesize_compare(
    text: str,
    voice_a: str = _P["voice"].default,
    length_scale_a: float = _P["length_scale"].default,
    noise_scale_a: float = _P["noise_scale"].default,
    noise_w_a: float = _P["noise_w"].default,
    voice_b: str = _P["voice"].default,
    length_scale_b: float = _P["length_scale"].default,
    noise_scale_b: float = _P["noise_scale"].default,
    noise_w_b: float = _P["noise_w"].default,
    request: gr.Request | None = None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio's documented idiom
) -> tuple[str, str, str, str, str, str, str]:
    """Speak one text with two voices or settings, A then B, and check each by the round trip.

    Args:
        text: up to 5,000 characters, read by both sides.
        voice_a: side A's voice, one of the allowlisted names (default: the embedded Piper
            voice; Hub voices need a network or the cache).
        length_scale_a: side A's speaking rate as a duration multiplier (above 1 = slower),
            0.25 to 4.
        noise_scale_a: side A's voice variability, 0 to 2.
        noise_w_a: side A's rhythm variability (duration noise), 0 to 2.
        voice_b: side B's voice (the same voice as A is allowed: compare its settings).
        length_scale_b: side B's speaking rate, 0.25 to 4.
        noise_scale_b: side B's voice variability, 0 to 2.
        noise_w_b: side B's rhythm variability, 0 to 2.

    Returns:
        A's speech (16-bit wav), A's timing badge (engine, device, time, real-time factor),
        A's report (duration, round-trip WER through the embedded Whisper and what it heard),
        the same three for B, and what sets A and B apart (settings, length ratio, WER gap).
    """
    values = (voice_a, length_scale_a, noise_scale_a, noise_w_a)
    a = dict(zip(SIDE_PARAMS, values, strict=True))
    b = dict(zip(SIDE_PARAMS, (voice_b, length_scale_b, noise_scale_b, noise_w_b), strict=True))
    comparison = tts.compare(text, a=a, b=b, progress=ui.progress_bridge(progress))
    folder = ui.download_dir()
    answer: list[str] = []
    for side in comparison.sides:
        path = write_audio(side.result.audio, folder / f"speech-{side.name}.wav")
        answer += [str(path), _badge(comparison, side), side_markdown(side)]
    held = [dataclasses.replace(s, result=for_learning(s.result)) for s in comparison.sides]
    ui.hold(HELD, dataclasses.replace(comparison, a=held[0], b=held[1]), request)
    return (*answer, difference_markdown(comparison))


def draw_compare_views(request: gr.Request) -> tuple[Any, Any]:
    """Both sides' spectrograms with their phoneme marks, from the held comparison (private)."""
    comparison = ui.held(HELD, request)
    if comparison is None:
        return None, None
    return learn_figure(comparison.a.result), learn_figure(comparison.b.result)


def deal_blind(
    audio_a: str | None, audio_b: str | None, request: gr.Request
) -> tuple[Any, Any, blind.Trial | None, str]:
    """A new blind trial from the last comparison: its audios as X and Y in random order.

    The players get copies named X and Y, so no file name gives a side away.
    """
    comparison = ui.held(HELD, request)
    if comparison is None or not audio_a or not audio_b:
        return None, None, None, blind.reveal_markdown(None)
    trial = blind.deal(comparison.label(comparison.a), comparison.label(comparison.b))
    folder = ui.download_dir()
    files = {"A": audio_a, "B": audio_b}
    x = shutil.copyfile(files[trial.side("X")], folder / "X.wav")
    y = shutil.copyfile(files[trial.side("Y")], folder / "Y.wav")
    return str(x), str(y), trial, blind.reveal_markdown(trial)


def choose(slot: str, trial: blind.Trial | None, tally: blind.Tally) -> tuple[Any, ...]:
    """The listener picks ``slot``: reveal the names, count the pick once, show the results."""
    trial, tally = blind.pick(trial, slot, tally)
    decided = trial is not None and trial.picked is not None
    return (
        trial,
        tally,
        blind.reveal_markdown(trial),
        blind.tally_markdown(tally),
        gr.Column(visible=True) if decided else gr.skip(),
    )


def compare_started(blind_on: bool) -> tuple[Any, ...]:
    """A new comparison: in blind mode the named results hide until the listener has picked."""
    return (
        gr.Column(visible=not blind_on),
        None,
        None,
        None,
        blind.reveal_markdown(None),
        None,
        None,
    )


def blind_switched(blind_on: bool, trial: blind.Trial | None) -> tuple[Any, Any]:
    """Show the X/Y panel; hide the named results unless this trial is decided."""
    decided = trial is not None and trial.picked is not None
    return gr.Column(visible=not blind_on or decided), gr.Column(visible=blind_on)


def _side_controls(name: str, choices: list[tuple[str, str]]) -> list[Any]:
    with gr.Column():
        widgets = [ui.control(_P["voice"], label=f"Model {name}", choices=choices)]
        widgets += [
            ui.control(_P[p], label=f"{_P[p].title} {name}", info=None) for p in SIDE_PARAMS[1:]
        ]
    return widgets


def _side_results(name: str) -> tuple[Any, Any, Any, Any]:
    with gr.Column(min_width=280):
        audio = gr.Audio(
            label=f"Model {name}",
            type="filepath",
            interactive=False,
            elem_classes=[f"tts-compare-{name.lower()}"],
        )
        badge = gr.Markdown(elem_classes=["timing-badge"])
        report = gr.Markdown(elem_classes=[f"tts-compare-report-{name.lower()}"])
        plot = gr.Plot(show_label=False, elem_classes=["tts-compare-plot"])
    return audio, badge, report, plot


def compare_panel(text: Any, choices: list[tuple[str, str]]) -> None:
    """The "Compare A/B" accordion: both sides' settings, one button, results side by side."""
    with gr.Accordion("Compare A/B", open=False, elem_classes=["tts-compare"]):
        gr.Markdown(
            "The text above read twice: by model A, then by model B (another voice, or the "
            "same voice with other settings). Each side shows its speech, its time, its "
            "spectrogram with the phoneme marks, and how well the embedded Whisper "
            "understood it (round-trip WER). **Blind mode** plays them as X and Y in random "
            "order: pick the better one, then see which was which."
        )
        with gr.Row():
            side_a = _side_controls("A", choices)
            side_b = _side_controls("B", choices)
        blind_on = gr.Checkbox(False, label="Blind mode: a small listening test (X and Y)")
        run = gr.Button("Compare A and B", variant="primary")
        status = ui.status_box()
        with gr.Column(visible=True) as named:
            with gr.Row():
                audio_a, badge_a, report_a, plot_a = _side_results("A")
                audio_b, badge_b, report_b, plot_b = _side_results("B")
            difference = gr.Markdown(elem_classes=["tts-compare-difference"])
        with gr.Column(visible=False, elem_classes=["tts-blind"]) as panel:
            with gr.Row():
                with gr.Column(min_width=200):
                    audio_x = gr.Audio(label="X", type="filepath", interactive=False)
                    pick_x = gr.Button("X sounds better")
                with gr.Column(min_width=200):
                    audio_y = gr.Audio(label="Y", type="filepath", interactive=False)
                    pick_y = gr.Button("Y sounds better")
            reveal = gr.Markdown(blind.reveal_markdown(None), elem_classes=["tts-blind-reveal"])
            tally_view = gr.Markdown(blind.tally_markdown(blind.Tally()))
        trial = gr.State(None)
        tally = gr.State(blind.Tally())

    answer = [audio_a, badge_a, report_a, audio_b, badge_b, report_b, difference]
    compared = ui.run_event(
        run.click,
        synthesize_compare,
        [text, *side_a, *side_b],
        answer,
        status=status,
        held=(HELD,),
        api_name="synthesize_compare",
    )
    drawn = compared.success(draw_compare_views, None, [plot_a, plot_b], **ui.PRIVATE)
    compared.success(
        deal_blind, [audio_a, audio_b], [audio_x, audio_y, trial, reveal], **ui.PRIVATE
    )
    run.click(
        compare_started,
        blind_on,
        [named, plot_a, plot_b, trial, reveal, audio_x, audio_y],
        queue=False,
        cancels=[drawn],
        **ui.PRIVATE,
    )
    blind_on.change(blind_switched, [blind_on, trial], [named, panel], queue=False, **ui.PRIVATE)
    for slot, button in (("X", pick_x), ("Y", pick_y)):
        button.click(
            functools.partial(choose, slot),
            [trial, tally],
            [trial, tally, reveal, tally_view, named],
            queue=False,
            **ui.PRIVATE,
        )
