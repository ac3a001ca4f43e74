"""Effects tab: build a Pedalboard chain (plus a steerable neural effect), hear and see it.

Handlers here, views in ``views.py``, the chain editor in ``editor.py``; the task itself is
``audiokit.tasks.effects``. The public /apply_effects returns the audio and the Python snippet
only; the learn views (and the timing badge) are drawn by private follow-ups from the result
held for the session. The chain editor's JSON is the tab's shareable ``chain`` setting, the
input receives audio sent from other tabs, and the output can be sent on to them.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import gradio as gr

from audiokit import study, ui
from audiokit.audio import format_duration, load_audio, write_audio
from audiokit.errors import AudioStudyError
from audiokit.tasks import effects as fx
from demos.effects import editor, views
from demos.effects.editor import edit_chain, effects_add

MAX_DURATION_S = fx.LIMITS.max_duration_s
EXAMPLE = fx.EXAMPLE_CLIP
FORMATS = ("wav", "flac")
HELD = "effects"
HELD_BADGE = "effects-badge"
SEND_TARGETS = ("asr", "separation", "speaker")

__all__ = [
    "apply_effects",
    "build",
    "edit_chain",
    "effects_add",
    "effects_badge",
    "effects_preset",
    "effects_views",
    "timing_badge",
]


@ui.user_errors
def apply_effects(
    audio: str | None,
    chain: str = fx.PARAMS["chain"].default,
    tail_s: float = fx.PARAMS["tail_s"].default,
    request: gr.Request = None,  # type: ignore[assignment] - Gradio fills it, hidden from the API
    progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio injects progress via this default
) -> tuple[str, str]:
    """Run an effect chain over an audio file.

    Args:
        audio: the input file (any rate, any channel count; at most two minutes).
        chain: JSON list of {"effect": <Pedalboard class name or NeuralTCN>, "params": {...},
            "bypass": false}, at most 24 effects; empty is the identity.
        tail_s: seconds of room for reverb and delay tails, 0 to 10 (the silent end is cut).

    Returns:
        The processed audio (16-bit wav) at the input's sample rate and channel count, and a
        Python snippet with pedalboard that reproduces it.
    """
    clip = load_audio(audio, max_duration_s=MAX_DURATION_S)
    start = time.perf_counter()
    result = fx.run(clip, chain=chain, tail_s=tail_s, progress=ui.progress_bridge(progress))
    seconds = time.perf_counter() - start
    ui.hold(HELD, result, request)
    ui.hold(HELD_BADGE, timing_badge(result, seconds), request)
    snippet = fx.to_python(result.steps, tail_s=tail_s, input_path=Path(str(audio)).name)
    # Our own file in a fresh folder, which Gradio copies into its cache atomically. Handing
    # Gradio an array instead makes it write to a path named by the content's hash, in place:
    # identical concurrent requests then rewrite the file another request is downloading.
    path = write_audio(result.after, ui.download_dir() / f"{result.after.name}.wav")
    return str(path), snippet


def timing_badge(result: fx.Result, seconds: float) -> str:
    """The shared badge for one run: engine and chain length, device, time, RTF of the input."""
    return study.timing_badge(
        f"{result.engine}, {result.chain_length}", seconds, result.before.duration_s
    )


def effects_badge(request: gr.Request) -> str:
    """The timing badge of this session's last run (empty when there is none)."""
    return ui.held(HELD_BADGE, request) or ""


@ui.user_errors
def effects_views(file_format: str, request: gr.Request):
    """Download file, levels, before/after plots and the Learn view of the held result."""
    result = ui.held(HELD, request)
    if result is None:
        raise AudioStudyError("Apply a chain first.")
    if file_format not in FORMATS:
        raise AudioStudyError(f"The download format must be one of {', '.join(FORMATS)}.")
    path = write_audio(result.after, ui.download_dir() / f"{result.after.name}.{file_format}")
    wave_before, wave_after, spec_before, spec_after, loss = views.figures(result)
    return (
        str(path),
        views.levels_markdown(result),
        wave_before,
        wave_after,
        spec_before,
        spec_after,
        views.learn_markdown(result),
        loss,
    )


@ui.user_errors
def effects_preset(name: str) -> tuple[str, str]:
    """A preset's chain (pretty JSON) and its description.

    Args:
        name: a preset of examples/effects/presets.json ("lo-fi", "telephone", ...).

    Returns:
        The chain JSON and the preset's one-line description.
    """
    presets = fx.presets()
    if name not in presets:
        raise AudioStudyError(f"Unknown preset '{name}'; choose one of: {', '.join(presets)}.")
    return json.dumps(presets[name]["chain"], indent=2), presets[name]["description"]


@ui.user_errors
def import_chain(path: str | None) -> str:
    """Read a chain JSON file, validated, into the editor."""
    if not path:
        raise AudioStudyError("No file was given.")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AudioStudyError(f"Could not read the chain file: {exc}.") from None
    return fx.chain_to_json(fx.parse_chain(text))


@ui.user_errors
def export_chain(chain: str) -> str:
    """Write the validated chain to chain.json for download."""
    path = ui.download_dir() / "chain.json"
    path.write_text(fx.chain_to_json(fx.parse_chain(chain)), encoding="utf-8")
    return str(path)


def _plot(title: str) -> gr.Plot:
    """A figure without Gradio's label badge (the figure's own title names it)."""
    return gr.Plot(label=title, show_label=False)


def build() -> gr.Blocks:
    """The Effects tab."""
    presets = fx.presets()
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
                study.receive_into("effects", audio)
                gr.Examples(
                    [[str(EXAMPLE)]],
                    [audio],
                    label="Examples",
                    api_name="effects_load_example",
                    api_visibility="private",
                )
                with gr.Row():
                    preset = gr.Dropdown(list(presets), value=fx.DEFAULT_PRESET, label="Preset")
                    add = gr.Dropdown(list(fx.effects()), value="Reverb", label="Add effect")
                preset_info = gr.Markdown(presets[fx.DEFAULT_PRESET]["description"])
                with gr.Row():
                    # Choosing a preset loads it; this button is for going back to the
                    # chosen preset after editing (choosing the same entry fires no event).
                    reset_button = gr.Button("↺ Reset to preset", size="sm")
                    add_button = gr.Button("Add effect", size="sm")
                    import_button = gr.UploadButton(
                        "Import JSON", file_types=[".json"], type="filepath", size="sm"
                    )
                    export_button = gr.DownloadButton("Export JSON", size="sm")
                chain_param = fx.PARAMS["chain"]
                # The editor's JSON is the whole chain, so it is the shareable setting itself:
                # a link or a settings file sets this text and the rows re-render from it.
                chain = ui.shareable(
                    chain_param,
                    gr.Code(chain_param.default, language="json", label=chain_param.title, lines=8),
                )
                with gr.Row():
                    tail = ui.control(fx.PARAMS["tail_s"])
                    file_format = gr.Radio(list(FORMATS), value="wav", label="Download as")
                run = gr.Button("Apply effects", variant="primary")
            with gr.Column(scale=1):
                status = ui.status_box()
                after = gr.Audio(label="After (output)", type="filepath", interactive=False)
                badge = gr.Markdown(elem_classes=["timing-badge"])
                study.send_from(after, "Effects", targets=SEND_TARGETS)
                download = gr.File(label="Download")
                levels = gr.Markdown()
                with gr.Accordion("Chain controls", open=True):
                    editor.chain_controls(demo, chain)
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
                gr.Markdown(fx.CATALOG[fx.NAFX].markdown())
                with gr.Accordion("Every effect: parameters, defaults and ranges", open=False):
                    gr.Markdown(views.effect_reference())
        learn_views = [download, levels, wave_before, wave_after, spec_before, spec_after]
        learn_views += [learn, loss_plot]
        # The views are drawn by the follow-up steps: a new run clears them first.
        cleared = [*learn_views, badge]
        run.click(lambda: [None] * len(cleared), None, cleared, queue=False, **ui.PRIVATE)
        applied = ui.run_event(
            run.click,
            apply_effects,
            [audio, chain, tail],
            [after, snippet],
            status=status,
            held=(HELD, HELD_BADGE),
            api_name="apply_effects",
            validator=ui.audio_validator(max_duration_s=MAX_DURATION_S),
        )
        # The badge first and at once; the figures take longer to draw.
        applied.success(
            effects_badge, None, badge, api_name="effects_badge", queue=False, **ui.PRIVATE
        )
        applied.success(
            effects_views, file_format, learn_views, api_name="effects_views", **ui.PRIVATE
        )
        preset.input(
            effects_preset,
            preset,
            [chain, preset_info],
            api_name="effects_preset",
            api_visibility="undocumented",  # callable, but no MCP tool or API-page entry
            queue=False,
        )
        reset_button.click(
            effects_preset,
            preset,
            [chain, preset_info],
            api_name="effects_preset_reset",
            queue=False,
            **ui.PRIVATE,
        )
        add_button.click(
            effects_add,
            [chain, add],
            chain,
            api_name="effects_add",
            api_visibility="undocumented",  # callable, but no MCP tool or API-page entry
            queue=False,
        )
        import_button.upload(
            import_chain,
            import_button,
            chain,
            api_name="effects_import",
            queue=False,
            **ui.PRIVATE,
        )
        chain.change(
            export_chain, chain, export_button, api_name="effects_export", queue=False, **ui.PRIVATE
        )
        demo.load(
            export_chain,
            chain,
            export_button,
            api_name="effects_export_initial",
            queue=False,
            **ui.PRIVATE,
        )
    return demo
