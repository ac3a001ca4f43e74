"""Separation handlers: Gradio values -> ``tasks.separation.run()`` -> Gradio values.

The public ``/separate`` answers with the stems, the summary and the files only; it holds the
:class:`~audiokit.tasks.separation.Result` on the server (``ui.hold``) for the private
follow-up :func:`draw`, which draws the figures without decoding the input again.
"""

from __future__ import annotations

import gradio as gr

from audiokit import ui
from audiokit.audio import load_audio, write_audio
from audiokit.files import safe_stem
from audiokit.tasks import separation as sep
from demos.separation import views

HELD = "separation"
P = sep.PARAMS


@ui.user_errors
def separate(
    audio_path: str | None,
    method: str = P["method"].default,
    atten_lim_db: float = P["atten_lim_db"].default,
    hpss_margin: float = P["hpss_margin"].default,
    vocals_margin: float = P["vocals_margin"].default,
    sepformer_model: str = P["sepformer_model"].default,
    reference_path: str | None = None,
    gate_strength: float = P["gate_strength"].default,
    request: gr.Request | None = None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio injects progress this way
) -> tuple[str, str, str, list[str]]:
    """Separate an audio file into two stems, the primary one first.

    Args:
        audio_path: the mixture (wav, flac, mp3, ogg, m4a), at most 5 minutes (SepFormer 60 s).
        method: "denoise" (speech/noise, DeepFilterNet3), "rnnoise" (speech/noise, RNNoise),
            "spectral_gating" (speech/noise, noisereduce), "hpss" (harmonic/percussive),
            "vocals" (vocals/accompaniment) or "sepformer" (speaker 1/speaker 2).
        atten_lim_db: denoise: the most the noise is turned down, 0 to 100 dB (100 = no limit).
        hpss_margin: hpss: 1 (stems sum to the input) to 10 (purer stems).
        vocals_margin: vocals: 1 to 10; higher means less bleed between stems.
        sepformer_model: sepformer: "speechbrain/sepformer-wsj02mix" or
            "speechbrain/sepformer-whamr" (noisy, reverberant mixtures).
        reference_path: optional clean source of the primary stem, for SI-SDR.
        gate_strength: spectral_gating: share of the gated noise removed, 0 to 1.

    Returns:
        The primary stem (wav, same length and rate as the input), the secondary stem, a
        Markdown summary with SI-SDR when a reference was given, and both stems as files.
    """
    longest = sep.LIMITS.max_duration_s
    audio = load_audio(audio_path, max_duration_s=longest)
    reference = load_audio(reference_path, max_duration_s=longest) if reference_path else None
    result = sep.run(
        audio,
        method=method,
        atten_lim_db=atten_lim_db,
        hpss_margin=hpss_margin,
        vocals_margin=vocals_margin,
        sepformer_model=sepformer_model,
        gate_strength=gate_strength,
        reference=reference,
        progress=ui.progress_bridge(progress),
    )
    folder = ui.download_dir()
    paths = [
        str(write_audio(stem, folder / f"{safe_stem(stem.name)}.wav")) for _, stem in result.stems
    ]
    ui.hold(HELD, result, request, keep=4)  # stems of a 5-minute file are hundreds of MB
    return paths[0], paths[1], views.metrics_markdown(result), paths


@ui.user_errors
def draw(request: gr.Request):
    """The spectrograms and the learn view of the result just returned; then lets it go
    (a separation holds minutes of audio)."""
    result = ui.held(HELD, request)
    if result is None:
        return None, None
    figures = views.spectrograms_figure(result), views.learn_figure(result)
    ui.hold(HELD, None, request)
    return figures


def clear_views():
    """Empty figures while a new run is on its way."""
    return None, None


def method_changed(method: str):
    """Name the stems, show the settings of the chosen method and its notes."""
    first, second = sep.METHODS[method].stems if method in sep.METHODS else ("", "")
    return (
        gr.Audio(label=f"Stem 1: {first}"),
        gr.Audio(label=f"Stem 2: {second}"),
        gr.Slider(visible=method == "denoise"),
        gr.Slider(visible=method == "spectral_gating"),
        gr.Slider(visible=method == "hpss"),
        gr.Slider(visible=method == "vocals"),
        gr.Dropdown(visible=method == "sepformer"),
        views.method_notes(method),
    )


_check_mixture = ui.audio_validator(max_duration_s=sep.LIMITS.max_duration_s)
REFERENCE_INPUT = 6  # the reference's position among /separate's inputs


def validate_inputs(*values) -> list[dict]:
    """Pre-queue checks of the two audio inputs: the mixture and the optional reference."""
    results = _check_mixture(*values)
    problem = ui.audio_problem(
        values[REFERENCE_INPUT], max_duration_s=sep.LIMITS.max_duration_s, required=False
    )
    results[REFERENCE_INPUT] = gr.validate(not problem, problem)
    return results
