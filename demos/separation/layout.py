"""The Separation tab's layout and events: ``build()``, which never loads a model."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import gradio as gr

from audiokit import study, ui
from audiokit.audio import format_duration
from audiokit.models import hub_label
from audiokit.tasks import separation as sep
from demos.separation import handlers, views

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "separation"
DEFAULT_EXAMPLE = EXAMPLES / "noisy_speech.wav"
FIGURE_CSS = (
    "#sep-spectrograms img, #sep-masks img, #sep-compare-spectrograms img "
    "{max-width: 100%; height: auto;}"
)
# Where a stem can be sent: not back into this tab.
SEND_TARGETS = ("asr", "speaker", "effects")


def method_choices() -> list[tuple[str, str]]:
    """(label, id) per method; SepFormer says so when it cannot be had here."""
    return [
        (
            hub_label(m.title, sep.SEPFORMER_DEFAULT, required_files=sep.SEPFORMER_FILES)
            if m.id == "sepformer"
            else m.title,
            m.id,
        )
        for m in sep.METHODS.values()
    ]


def sepformer_choices() -> list[tuple[str, str]]:
    """(label, id) per SepFormer, each marked when it is neither cached nor downloadable."""
    return [(hub_label(m, m, required_files=sep.SEPFORMER_FILES), m) for m in sep.SEPFORMER_MODELS]


def examples() -> list[list]:
    """Example rows whose files exist; the SepFormer row only where its model can be had."""
    rows = [
        ("noisy_speech.wav", "denoise", "jfk_clean.wav"),
        ("noisy_speech.wav", "rnnoise", "jfk_clean.wav"),
        ("noisy_speech.wav", "spectral_gating", "jfk_clean.wav"),
        ("chord_clicks.wav", "hpss", None),
        ("loop_voice.wav", "vocals", None),
    ]
    if sep.sepformer_available(sep.SEPFORMER_DEFAULT):
        rows.append(("two_speakers.wav", "sepformer", None))
    return [
        [str(EXAMPLES / a), m, str(EXAMPLES / r) if r else None]
        for a, m, r in rows
        if (EXAMPLES / a).is_file()
    ]


def _side(letter: str) -> tuple[gr.Audio, gr.Audio, gr.Markdown]:
    """One side of the compare: its two stems, each with its send buttons, and its badge."""
    with gr.Column(scale=1, min_width=280):
        stems = []
        for k, name in enumerate(sep.METHODS[sep.PARAMS["method"].default].stems, start=1):
            stem = gr.Audio(
                label=f"{letter}, stem {k}: {name}",
                type="filepath",
                interactive=False,
                elem_classes=[f"sep-compare-{letter.lower()}"],
            )
            study.send_from(stem, f"Separation {letter} (stem {k})", targets=SEND_TARGETS)
            stems.append(stem)
        badge = gr.Markdown(elem_classes=["timing-badge"])
    return stems[0], stems[1], badge


def compare_panel(audio, reference, settings: list) -> Callable[[], None]:
    """The "Compare A/B" accordion; returns the function that wires its events (called once
    the tab's other events are wired, so the public endpoints keep their order)."""
    P = sep.PARAMS
    with gr.Accordion("Compare A/B: two methods on the same mixture", open=False):
        gr.Markdown(
            "The mixture and the reference above go through model A, then model B (one after "
            "the other). Each method reads its own setting above; the same method twice is "
            "allowed. With a reference, both get SI-SDR and SI-SDRi."
        )
        with gr.Row():
            choices = method_choices()
            method_a = ui.control(
                P["method"], label="Model A", choices=choices, allow_custom_value=True
            )
            method_b = ui.control(
                P["method"],
                label="Model B",
                value=sep.DEFAULT_B,
                choices=choices,
                allow_custom_value=True,
            )
        button = gr.Button("Compare A and B", variant="primary")
        status = ui.status_box()
        with gr.Row():
            a1, a2, a_badge = _side("A")
            b1, b2, b_badge = _side("B")
        table = gr.Markdown(elem_id="sep-compare-table")
        gr.HTML("<strong>Spectrograms: mixture, A's and B's first stem</strong>", padding=False)
        figure = gr.Plot(show_label=False, elem_id="sep-compare-spectrograms")

    def wire() -> None:
        button.click(lambda: None, None, figure, queue=False, **ui.PRIVATE)
        compared = ui.run_event(
            button.click,
            handlers.separate_compare,
            [audio, method_a, method_b, reference, *settings],
            [a1, a2, a_badge, b1, b2, b_badge, table],
            status=status,
            held=(handlers.HELD_COMPARE,),
            api_name="separate_compare",
            validator=handlers.validate_compare_inputs,
        )
        compared.success(handlers.draw_compare, None, figure, **ui.PRIVATE)
        for method, letter, stems in ((method_a, "A", (a1, a2)), (method_b, "B", (b1, b2))):
            method.change(
                functools.partial(handlers.compare_stem_labels, letter),
                method,
                list(stems),
                queue=False,
                **ui.PRIVATE,
            )

    return wire


def build() -> gr.Blocks:
    """The Separation tab."""
    P = sep.PARAMS
    with gr.Blocks() as demo:
        gr.Markdown(
            "### Separation\nSplit a recording into two stems: speech and noise (three offline "
            "denoisers: DeepFilterNet3, RNNoise, spectral gating), harmonic and percussive, "
            "vocals and accompaniment, or two speakers (SepFormer, downloaded on demand). "
            "Upload the clean source as a reference to measure SI-SDR, the standard "
            "separation metric."
        )
        with gr.Row():
            with gr.Column(scale=1):
                audio = gr.Audio(
                    label="Mixture",
                    type="filepath",
                    value=str(DEFAULT_EXAMPLE) if DEFAULT_EXAMPLE.is_file() else None,
                )
                study.receive_into("separation", audio)
                # Custom values pass to run(), which checks the allowlist in a sentence;
                # Gradio's own check answers an event with a validator= by a bare 400.
                method = ui.control(P["method"], choices=method_choices(), allow_custom_value=True)
                atten = ui.control(P["atten_lim_db"])
                gate_strength = ui.control(P["gate_strength"], visible=False)
                hpss_margin = ui.control(P["hpss_margin"], visible=False)
                vocals_margin = ui.control(P["vocals_margin"], visible=False)
                sepformer_model = ui.control(
                    P["sepformer_model"],
                    choices=sepformer_choices(),
                    allow_custom_value=True,
                    visible=False,
                )
                reference = gr.Audio(
                    label="Reference: clean primary source (optional, for SI-SDR)",
                    type="filepath",
                )
                run = gr.Button("Separate", variant="primary")
            with gr.Column(scale=1):
                status = ui.status_box()
                stem1 = gr.Audio(label="Stem 1: speech", type="filepath", interactive=False)
                study.send_from(stem1, "Separation (stem 1)", targets=SEND_TARGETS)
                stem2 = gr.Audio(label="Stem 2: noise", type="filepath", interactive=False)
                study.send_from(stem2, "Separation (stem 2)", targets=SEND_TARGETS)
                summary = gr.Markdown()
                badge = gr.Markdown(elem_classes=["timing-badge"])
                files = gr.File(label="Download stems", file_count="multiple")
        # Headings instead of the plots' own labels: Gradio draws a label as a badge over the
        # figure's top-left corner, where it covered the top tick of the frequency axis. Gradio
        # shows a figure at its own pixel width: scale it to the column (a phone is narrower).
        gr.HTML(
            "<strong>Spectrograms: mixture and stems</strong> (each on its own 0 dB peak)"
            f"<style>{FIGURE_CSS}</style>",
            padding=False,
        )
        spectrograms = gr.Plot(
            label="Spectrograms: mixture and stems", show_label=False, elem_id="sep-spectrograms"
        )
        with gr.Accordion("Learn: what the method sees", open=False):
            notes = gr.Markdown(views.method_notes(P["method"].default))
            gr.Markdown("**Masks** and what the denoiser reports per frame")
            masks = gr.Plot(label="Masks", show_label=False, elem_id="sep-masks")
        # In /separate_compare's order (after the methods and the reference).
        settings = [atten, hpss_margin, vocals_margin, sepformer_model, gate_strength]
        compare = compare_panel(audio, reference, settings)
        gr.Examples(
            examples(),
            [audio, method, reference],
            label="Examples",
            api_name="separation_load_example",
            api_visibility="private",
        )
        gr.Markdown(
            f"Limits: {format_duration(sep.LIMITS.max_duration_s)} per clip "
            f"({format_duration(sep.LIMITS.for_method('sepformer'))} for SepFormer); long "
            "clips are processed in chunks with a progress bar."
        )
        run.click(
            handlers.clear_views, None, [spectrograms, masks, badge], queue=False, **ui.PRIVATE
        )
        separated = ui.run_event(
            run.click,
            handlers.separate,
            [
                audio,
                method,
                atten,
                hpss_margin,
                vocals_margin,
                sepformer_model,
                reference,
                gate_strength,
            ],
            [stem1, stem2, summary, files],
            status=status,
            held=(handlers.HELD, handlers.HELD_BADGE),
            api_name="separate",
            validator=handlers.validate_inputs,
        )
        separated.success(handlers.show_badge, None, badge, queue=False, **ui.PRIVATE)
        separated.success(handlers.draw, None, [spectrograms, masks], **ui.PRIVATE)
        compare()
        method.change(
            handlers.method_changed,
            method,
            [
                stem1,
                stem2,
                atten,
                gate_strength,
                hpss_margin,
                vocals_margin,
                sepformer_model,
                notes,
            ],
            api_name="separation_method_info",
            queue=False,
            **ui.PRIVATE,
        )
    return demo
