"""Effects tab: build a Pedalboard chain (plus a steerable neural effect), hear and see it.

The chain JSON in the editor is the single source of truth: presets, the add/move/bypass/
remove buttons and the parameter sliders all rewrite that text, and the controls are
re-rendered from it. The engines live in ``audiokit.engines.effects`` and ``.nafx``.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

import gradio as gr

from audiokit import limits, plots
from audiokit.audio import format_duration, load_audio, write_audio
from audiokit.engines import effects as fx
from audiokit.engines import nafx
from audiokit.errors import AudioStudyError
from audiokit.ui import (
    audio_validator,
    download_dir,
    launch_kwargs,
    model_card,
    run_event,
    status_box,
    user_errors,
)

MAX_DURATION_S = limits.EFFECTS_MAX_S
EXAMPLE = fx.EXAMPLES / "pluck_loop.flac"
PRESETS = fx.load_presets()
DEFAULT_PRESET = "lo-fi"
DEFAULT_CHAIN = json.dumps(PRESETS[DEFAULT_PRESET]["chain"], indent=2)
FORMATS = ("wav", "flac")


@user_errors
def apply_effects(
    audio: str | None,
    chain: str = DEFAULT_CHAIN,
    tail_s: float = 2.0,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio injects progress via this default
):
    """Run an effect chain over an audio file.

    Args:
        audio: the input file (any rate, any channel count; at most two minutes).
        chain: JSON list of {"effect": <Pedalboard class name>, "params": {...}}.
        tail_s: seconds of room for reverb and delay tails (0 to 10).

    Returns:
        The processed audio (16-bit wav) at the input's sample rate and channel count, and a
        Python snippet with pedalboard that reproduces it.
    """
    clip = load_audio(audio, max_duration_s=MAX_DURATION_S)
    result = fx.apply_chain(
        clip,
        chain,
        tail_s=tail_s,
        max_duration_s=MAX_DURATION_S,
        progress=lambda fraction, text: progress(fraction, desc=text),
    )
    snippet = fx.to_python(result.steps, tail_s=tail_s, input_path=Path(str(audio)).name)
    # Our own file in a fresh folder, which Gradio copies into its cache atomically. Handing
    # Gradio an array instead makes it write to a path named by the content's hash, in place:
    # identical concurrent requests then rewrite the file another request is downloading.
    path = write_audio(result.after, download_dir() / f"{result.after.name}.wav")
    return str(path), snippet, result


def levels_markdown(result: fx.ChainResult) -> str:
    """Before/after loudness and peaks as a Markdown table."""
    before, after = fx.measure_levels(result.before), fx.measure_levels(result.after)
    rows = [
        ("Integrated loudness", "lufs", "LUFS"),
        ("Sample peak", "sample_peak_db", "dBFS"),
        ("True peak (4x)", "true_peak_db", "dBTP"),
    ]
    lines = ["| | before | after |", "|---|---|---|"]
    for label, field, unit in rows:
        b, a = getattr(before, field), getattr(after, field)
        lines.append(f"| {label} | {fx.format_level(b, unit)} | {fx.format_level(a, unit)} |")
    clip, out = result.before, result.after
    lines.append(
        f"\n{clip.sample_rate} Hz, {clip.channels} channel(s); "
        f"{format_duration(clip.duration_s)} in, {format_duration(out.duration_s)} out "
        f"(tail {result.tail_s:.2f} s)."
    )
    warning = clipping_warning(before, after)
    if warning:
        lines.append(warning)
    return "\n".join(lines)


def clipping_warning(before: fx.Levels, after: fx.Levels) -> str:
    """Which peak of the output is over full scale, with its value ('' when none is).

    The sample peak (dBFS) is what the wav/flac download clips; the true peak (dBTP, 4x
    oversampled) can exceed 0 while every sample is below it, which only a converter or a
    lossy encoder turns into clipping. The two are different warnings.
    """
    sample, true = after.sample_peak_db, after.true_peak_db
    if sample >= -0.005:
        return (
            f"**The output clips**: its sample peak is {fx.format_level(sample, 'dBFS')}, at "
            "full scale, so the download cuts those samples. Lower a gain, or end the chain "
            "with a Gain of -1 dB or less."
        )
    if true > 0:
        already = (
            f" The input's true peak was already {fx.format_level(before.true_peak_db, 'dBTP')}."
            if before.true_peak_db > 0
            else ""
        )
        return (
            f"**Inter-sample peaks over full scale**: true peak "
            f"{fx.format_level(true, 'dBTP')}, while the sample peak is "
            f"{fx.format_level(sample, 'dBFS')}. The samples do not clip, but a converter or "
            f"an MP3/AAC encoder may; a Gain of {-math.ceil(true + 1):d} dB at the end leaves "
            f"room.{already}"
        )
    return ""


def learn_markdown(result: fx.ChainResult) -> str:
    """What each effect of the chain does, and what the neural effect learned."""
    lines = []
    for i, step in enumerate(result.steps, start=1):
        state = " *(bypassed)*" if step.bypass else ""
        lines.append(f"{i}. **{step.effect}**{state}: {fx.EFFECTS[step.effect].summary}")
    for ms in result.receptive_fields_ms:
        lines.append(
            f"\n**Neural effect receptive field: {ms:.1f} ms**: each output sample depends on "
            "that much past input. Echoes or reverb longer than this cannot be imitated."
        )
    for r in result.steer_reports:
        lines.append(
            f"\nSteered toward **{r.target}** for {len(r.train_loss)} Adam steps. Loss on the "
            f"held-back clip (never trained on): {r.heldout_before:.4f} → {r.heldout_after:.4f}."
        )
    return "\n".join(lines) or "The chain is empty: the output is the input."


@user_errors
def effects_views(result: fx.ChainResult | None, file_format: str = "wav"):
    """Download file, levels, before/after plots and the Learn view for the last result."""
    if result is None:
        raise AudioStudyError("Apply a chain first.")
    if file_format not in FORMATS:
        raise AudioStudyError(f"The download format must be one of {', '.join(FORMATS)}.")
    path = write_audio(result.after, download_dir() / f"{result.after.name}.{file_format}")
    loss = None
    if result.steer_reports:
        r = result.steer_reports[-1]
        loss = plots.curve(
            r.train_loss, title=f"Steering toward {r.target}", xlabel="step", ylabel="loss"
        )
    return (
        str(path),
        levels_markdown(result),
        plots.waveform(result.before, title="Before"),
        plots.waveform(result.after, title="After"),
        plots.spectrogram(result.before, title="Before (mel)"),
        plots.spectrogram(result.after, title="After (mel)"),
        learn_markdown(result),
        loss,
    )


def edit_chain(chain: str, op: str, index: int = 0, value: Any = None) -> str:
    """Apply one editor action to the chain JSON and return the new JSON.

    Args:
        chain: the current JSON.
        op: "add" (value = effect name), "up", "down", "remove", "bypass", or
            "set" (value = (parameter, new value)).
        index: the step (0-based).
    """
    steps = [s.to_dict() for s in fx.parse_chain(chain)]
    if op == "add":
        steps.append({"effect": value, "params": {}})
    elif op in ("up", "down"):
        j = index - 1 if op == "up" else index + 1
        if 0 <= j < len(steps):
            steps[index], steps[j] = steps[j], steps[index]
    elif op == "remove":
        steps.pop(index)
    elif op == "bypass":
        steps[index]["bypass"] = not steps[index].get("bypass", False)
    elif op == "set":
        name, new = value
        steps[index]["params"][name] = new
    return fx.chain_to_json(fx.parse_chain(steps))


@user_errors
def load_preset(name: str) -> tuple[str, str]:
    """A preset's chain (pretty JSON) and its description."""
    if name not in PRESETS:
        raise AudioStudyError(f"Unknown preset '{name}'; choose one of: {', '.join(PRESETS)}.")
    return json.dumps(PRESETS[name]["chain"], indent=2), PRESETS[name]["description"]


@user_errors
def import_chain(path: str | None) -> str:
    """Read a chain JSON file, validated, into the editor."""
    if not path:
        raise AudioStudyError("No file was given.")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AudioStudyError(f"Could not read the chain file: {exc}.") from None
    return fx.chain_to_json(fx.parse_chain(text))


@user_errors
def export_chain(chain: str) -> str:
    """Write the validated chain to chain.json for download."""
    path = download_dir() / "chain.json"
    path.write_text(fx.chain_to_json(fx.parse_chain(chain)), encoding="utf-8")
    return str(path)


def effect_reference() -> str:
    """Every allowlisted effect with its parameters, defaults and ranges (and where from)."""
    lines = ["| effect | parameter | default | range | range from |", "|---|---|---|---|---|"]
    for spec in fx.EFFECTS.values():
        for p in spec.params:
            allowed = " / ".join(p.choices) if p.choices else f"{p.minimum:g} … {p.maximum:g}"
            lines.append(f"| {spec.name} | `{p.name}` | {p.default} | {allowed} | {p.source} |")
    return "\n".join(lines)


NAFX_CARD = model_card(
    name="Steerable neural audio effect",
    architecture="causal TCN of dilated 1-D convolutions with PReLU and residual paths",
    size=f"{nafx.TCNConfig().parameter_count:,} weights at the defaults "
    "(depth 4, 16 channels, kernel 13; cost grows with channels squared)",
    training_data="none: random weights; steering trains on a generated pluck loop "
    "(examples/effects) against Pedalboard's own effects",
    paper="Steinmetz & Reiss, *Steerable discovery of neural audio effects* (2021)",
    url=nafx.PAPER_URL,
)


def _control(step: fx.Step, param: fx.Param, interactive: bool):
    """A dropdown for a choice, a number box for a range spanning decades, else a slider.

    Labelled with the real keyword. On a linear slider from 10 to 20,000 Hz one pixel is
    tens of hertz, so 80 Hz cannot be set: frequencies (and other ranges of two decades or
    more) get a number box that takes the value typed, checked by the chain's own parser.
    """
    value = step.params[param.name]
    if param.choices:
        return gr.Dropdown(list(param.choices), value=value, label=param.name, min_width=160)
    if param.wide:
        return gr.Number(
            value=value,
            label=param.name,
            info=f"{param.minimum:g} … {param.maximum:g}{param.unit}; default {param.default}",
            precision=0 if param.integer else None,
            step=param.step or 0.01,
            min_width=160,
            interactive=interactive,
        )
    return gr.Slider(
        param.minimum,
        param.maximum,
        value=value,
        step=param.step or 0.01,
        label=param.name,
        info=f"default {param.default}",
        min_width=160,
        interactive=interactive,
    )


def _chain_controls(demo: gr.Blocks, chain: gr.Code, api_prefix: str) -> None:
    """Per-effect rows (move, bypass, remove, parameters) re-rendered from the JSON."""

    def private(name: str) -> dict[str, Any]:
        return dict(api_name=f"{api_prefix}effects_{name}", api_visibility="private", queue=False)

    @gr.render(inputs=chain, triggers=[demo.load, chain.change])
    def controls(text: str) -> None:
        try:
            steps = fx.parse_chain(text)
        except AudioStudyError as exc:
            gr.Markdown(f"⚠️ {exc}")
            return
        if not steps:
            gr.Markdown("*Empty chain: add an effect or load a preset.*")
        for i, step in enumerate(steps):
            with gr.Group():
                with gr.Row(equal_height=True):
                    status = "~~bypassed~~ " if step.bypass else ""
                    with gr.Column(scale=3, min_width=180):
                        gr.Markdown(f"**{i + 1}. {step.effect}** {status}")
                    buttons = {
                        "up": gr.Button("▲ up", size="sm", scale=0, min_width=60),
                        "down": gr.Button("▼ down", size="sm", scale=0, min_width=70),
                        "bypass": gr.Button(
                            "enable" if step.bypass else "bypass", size="sm", scale=0, min_width=70
                        ),
                        "remove": gr.Button("✕ remove", size="sm", scale=0, min_width=80),
                    }
                for op, button in buttons.items():
                    button.click(
                        functools.partial(user_errors(edit_chain), op=op, index=i),
                        chain,
                        chain,
                        **private(f"{op}_{i}"),
                    )
                if step.effect == fx.NEURAL:
                    gr.Markdown(_receptive_field_note(step))
                with gr.Row():
                    for param in fx.EFFECTS[step.effect].params:
                        widget = _control(step, param, not step.bypass)
                        # A number box commits on Enter or on leaving it, never per keystroke:
                        # each commit re-renders these controls.
                        if isinstance(widget, gr.Number):
                            events = [widget.submit, widget.blur]
                        else:
                            events = [widget.input if param.choices else widget.release]
                        gr.on(
                            events,
                            functools.partial(_set_param, index=i, name=param.name),
                            [chain, widget],
                            chain,
                            **private(f"set_{i}_{param.name}"),
                        )


def _plot(title: str) -> gr.Plot:
    """A figure without Gradio's label badge (the figure's own title names it)."""
    return gr.Plot(label=title, show_label=False)


def _receptive_field_note(step: fx.Step) -> str:
    config = nafx.TCNConfig(**{k: step.params[k] for k in nafx.TCNConfig.__dataclass_fields__})
    rf = config.receptive_field
    steps = step.params["steer_steps"] if step.params["steer"] != "none" else 0
    return (
        f"Receptive field: {rf:,} samples (limit {nafx.MAX_RECEPTIVE_FIELD:,}) = "
        f"{config.receptive_field_ms(44100):.1f} ms at 44.1 kHz, "
        f"{config.receptive_field_ms(16000):.1f} ms at 16 kHz. "
        f"{config.parameter_count:,} weights (limit {nafx.MAX_WEIGHTS:,}). Steering: "
        f"{steps * config.step_cost:.1e} multiply-adds (limit {nafx.MAX_STEER_COST:.0e})."
    )


@user_errors
def _add_effect(chain: str, effect: str) -> str:
    """The chain with ``effect`` (at its Pedalboard defaults) appended."""
    if effect not in fx.EFFECTS:
        raise AudioStudyError(f"Unknown effect '{effect}'; choose one of: {', '.join(fx.EFFECTS)}.")
    return edit_chain(chain, "add", value=effect)


@user_errors
def _set_param(chain: str, value: Any, *, index: int, name: str) -> str:
    spec = fx.EFFECTS[fx.parse_chain(chain)[index].effect]
    if spec.param(name).integer and isinstance(value, float):
        value = round(value)
    return edit_chain(chain, "set", index, (name, value))


def build(*, api_prefix: str = "") -> gr.Blocks:
    """The Effects tab; ``api_prefix`` keeps embedded copies' endpoint names apart."""
    with gr.Blocks() as demo:
        gr.Markdown(
            "### Effects\nBuild a chain from Pedalboard's effects (and a neural one), hear it "
            "before and after, see its loudness and spectrum, and take it home as JSON or as "
            "Python. Stereo stays stereo; any sample rate is kept; reverb and delay keep "
            f"their tails. Up to {format_duration(MAX_DURATION_S)} of audio."
        )
        with gr.Row():
            with gr.Column(scale=1):
                audio = gr.Audio(
                    value=str(EXAMPLE),
                    type="filepath",
                    label="Before (input)",
                    sources=["upload", "microphone"],
                )
                gr.Examples(
                    [[str(EXAMPLE)]],
                    [audio],
                    label="Examples",
                    api_name=f"{api_prefix}effects_load_example",
                    api_visibility="private",
                )
                with gr.Row():
                    preset = gr.Dropdown(list(PRESETS), value=DEFAULT_PRESET, label="Preset")
                    add = gr.Dropdown(list(fx.EFFECTS), value="Reverb", label="Add effect")
                preset_info = gr.Markdown(PRESETS[DEFAULT_PRESET]["description"])
                with gr.Row():
                    # Choosing a preset loads it; this button is for going back to the
                    # chosen preset after editing (choosing the same entry fires no event).
                    reset_button = gr.Button("↺ Reset to preset", size="sm")
                    add_button = gr.Button("Add effect", size="sm")
                    import_button = gr.UploadButton(
                        "Import JSON", file_types=[".json"], type="filepath", size="sm"
                    )
                    export_button = gr.DownloadButton("Export JSON", size="sm")
                chain = gr.Code(DEFAULT_CHAIN, language="json", label="Chain (JSON)", lines=8)
                with gr.Row():
                    tail = gr.Slider(0, fx.MAX_TAIL_S, value=2.0, step=0.5, label="Tail (s)")
                    file_format = gr.Radio(list(FORMATS), value="wav", label="Download as")
                run = gr.Button("Apply effects", variant="primary")
            with gr.Column(scale=1):
                status = status_box()
                after = gr.Audio(label="After (output)", type="filepath", interactive=False)
                download = gr.File(label="Download")
                levels = gr.Markdown()
                with gr.Accordion("Chain controls", open=True):
                    _chain_controls(demo, chain, api_prefix)
        with gr.Tabs():
            with gr.Tab("Before / after"):
                # The figures carry their own titles: Gradio's label badge would sit on the
                # y-axis labels.
                with gr.Row():
                    wave_before, wave_after = _plot("Before"), _plot("After")
                with gr.Row():
                    spec_before, spec_after = _plot("Before (mel)"), _plot("After (mel)")
            with gr.Tab("Python"):
                snippet = gr.Code(language="python", label="Reproduce it in a notebook")
            with gr.Tab("Learn"):
                learn = gr.Markdown()
                loss_plot = _plot("Steering loss")
                gr.Markdown(NAFX_CARD)
                with gr.Accordion("Every effect: parameters, defaults and ranges", open=False):
                    gr.Markdown(effect_reference())
        result = gr.State(None)
        views = [download, levels, wave_before, wave_after, spec_before, spec_after, learn]
        views.append(loss_plot)
        # The views are drawn by the follow-up step: a new run clears them with the result.
        run.click(
            lambda: [None] * len(views),
            None,
            views,
            queue=False,
            show_progress="hidden",
            api_visibility="private",
        )
        run_event(
            run.click,
            apply_effects,
            [audio, chain, tail],
            [after, snippet, result],
            status=status,
            api_name=f"{api_prefix}apply_effects",
            validator=audio_validator(max_duration_s=MAX_DURATION_S),
        ).success(
            effects_views,
            [result, file_format],
            views,
            api_name=f"{api_prefix}effects_views",
            api_visibility="private",
            show_progress="hidden",
        )
        preset.input(
            load_preset,
            preset,
            [chain, preset_info],
            api_name=f"{api_prefix}effects_preset",
            api_visibility="undocumented",  # callable, but no MCP tool or API-page entry
            queue=False,
        )
        reset_button.click(
            load_preset,
            preset,
            [chain, preset_info],
            api_name=f"{api_prefix}effects_preset_reset",
            api_visibility="private",
            queue=False,
        )
        add_button.click(
            _add_effect,
            [chain, add],
            chain,
            api_name=f"{api_prefix}effects_add",
            api_visibility="undocumented",  # callable, but no MCP tool or API-page entry
            queue=False,
        )
        import_button.upload(
            import_chain,
            import_button,
            chain,
            api_name=f"{api_prefix}effects_import",
            api_visibility="private",
            queue=False,
        )
        chain.change(
            export_chain,
            chain,
            export_button,
            api_name=f"{api_prefix}effects_export",
            api_visibility="private",
            queue=False,
            show_progress="hidden",
        )
        demo.load(
            export_chain,
            chain,
            export_button,
            api_name=f"{api_prefix}effects_export_initial",
            api_visibility="private",
            queue=False,
            show_progress="hidden",
        )
    return demo


if __name__ == "__main__":
    build().queue(default_concurrency_limit=1).launch(**launch_kwargs())
