"""Separation handlers: Gradio values -> ``tasks.separation.run()`` (or ``compare()``) ->
Gradio values.

The public ``/separate`` answers with the stems, the summary and the files only; it holds the
:class:`~audiokit.tasks.separation.Result` and its timing badge on the server (``ui.hold``)
for the private follow-ups :func:`show_badge` and :func:`draw`, which draw without decoding
the input again. ``/separate_compare`` answers with both sides' stems, badges and the
comparison table, and holds the :class:`~audiokit.tasks.separation.Comparison` for
:func:`draw_compare`.
"""

from __future__ import annotations

import time

import gradio as gr

from audiokit import study, ui
from audiokit.audio import load_audio, write_audio
from audiokit.files import safe_stem
from audiokit.tasks import separation as sep
from demos.separation import views

HELD = "separation"
HELD_BADGE = "separation-badge"
HELD_COMPARE = "separation-compare"
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
    began = time.perf_counter()
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
    seconds = time.perf_counter() - began
    folder = ui.download_dir()
    paths = [
        str(write_audio(stem, folder / f"{safe_stem(stem.name)}.wav")) for _, stem in result.stems
    ]
    ui.hold(HELD, result, request, keep=4)  # stems of a 5-minute file are hundreds of MB
    engine = sep.engine_name(result.method, sepformer_model)
    ui.hold(HELD_BADGE, study.timing_badge(engine, seconds, audio.duration_s), request)
    return paths[0], paths[1], views.metrics_markdown(result), paths


def show_badge(request: gr.Request) -> str:
    """The timing badge of the result just returned (a UI step: /separate's outputs stay)."""
    return ui.held(HELD_BADGE, request) or ""


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


def _written(side: sep.Side, letter: str, folder) -> list[str]:
    prefix = f"{side.result.mixture.name}-{letter}-{side.method}"
    return [
        str(write_audio(stem, folder / f"{safe_stem(f'{prefix}-{name}')}.wav"))
        for name, stem in side.result.stems
    ]


@ui.user_errors
def separate_compare(
    audio_path: str | None,
    method_a: str = P["method"].default,
    method_b: str = sep.DEFAULT_B,
    reference_path: str | None = None,
    atten_lim_db: float = P["atten_lim_db"].default,
    hpss_margin: float = P["hpss_margin"].default,
    vocals_margin: float = P["vocals_margin"].default,
    sepformer_model: str = P["sepformer_model"].default,
    gate_strength: float = P["gate_strength"].default,
    request: gr.Request | None = None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio injects progress this way
) -> tuple[str, str, str, str, str, str, str]:
    """Separate one audio file with method A, then with method B, and compare them.

    Both methods get the same settings below, each reading the one that belongs to it; the
    same method twice is allowed.

    Args:
        audio_path: the mixture (wav, flac, mp3, ogg, m4a), at most 5 minutes (SepFormer 60 s).
        method_a: "denoise" (DeepFilterNet3), "rnnoise", "spectral_gating", "hpss", "vocals"
            or "sepformer" (as for /separate).
        method_b: the other method, from the same list.
        reference_path: optional clean source of the primary stem, as long as the mixture:
            both sides get its SI-SDR and SI-SDR improvement (SI-SDRi).
        atten_lim_db: denoise: the most the noise is turned down, 0 to 100 dB (100 = no limit).
        hpss_margin: hpss: 1 (stems sum to the input) to 10 (purer stems).
        vocals_margin: vocals: 1 to 10; higher means less bleed between stems.
        sepformer_model: sepformer: "speechbrain/sepformer-wsj02mix" or
            "speechbrain/sepformer-whamr".
        gate_strength: spectral_gating: share of the gated noise removed, 0 to 1.

    Returns:
        A's two stems (wav, same length and rate as the input, primary first) and A's timing
        badge (Markdown: engine, device, seconds, real-time factor), then B's three, then a
        Markdown table of both sides: settings, SI-SDR and SI-SDRi when a reference was
        given, time and RTF, and B's SI-SDRi minus A's.
    """
    longest = sep.LIMITS.max_duration_s
    audio = load_audio(audio_path, max_duration_s=longest)
    reference = load_audio(reference_path, max_duration_s=longest) if reference_path else None
    shared = {
        "atten_lim_db": atten_lim_db,
        "hpss_margin": hpss_margin,
        "vocals_margin": vocals_margin,
        "sepformer_model": sepformer_model,
        "gate_strength": gate_strength,
    }
    comparison = sep.compare(
        audio,
        a={"method": method_a, **shared},
        b={"method": method_b, **shared},
        reference=reference,
        progress=ui.progress_bridge(progress),
    )
    folder = ui.download_dir()
    answer = []
    for letter, side in (("A", comparison.a), ("B", comparison.b)):
        badge = study.timing_badge(f"{letter}: {side.engine}", side.seconds, audio.duration_s)
        answer += [*_written(side, letter, folder), badge]
    ui.hold(HELD_COMPARE, comparison, request, keep=4)  # two pairs of stems: keep few
    return (*answer, views.comparison_markdown(comparison))


@ui.user_errors
def draw_compare(request: gr.Request):
    """The spectrograms of the comparison just returned; then lets it go."""
    comparison = ui.held(HELD_COMPARE, request)
    if comparison is None:
        return None
    figure = views.comparison_figure(comparison)
    ui.hold(HELD_COMPARE, None, request)
    return figure


def clear_views():
    """Empty figures and badge while a new run is on its way."""
    return None, None, ""


def compare_stem_labels(letter: str, method: str):
    """Name one compare side's stems after its method."""
    first, second = sep.METHODS[method].stems if method in sep.METHODS else ("", "")
    return (
        gr.Audio(label=f"{letter}, stem 1: {first}"),
        gr.Audio(label=f"{letter}, stem 2: {second}"),
    )


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


def _mixture_and_reference(reference_input: int):
    """A pre-queue check of an event's mixture (its first input) and optional reference."""

    def validator(*values) -> list[dict]:
        results = _check_mixture(*values)
        problem = ui.audio_problem(
            values[reference_input], max_duration_s=sep.LIMITS.max_duration_s, required=False
        )
        results[reference_input] = gr.validate(not problem, problem)
        return results

    return validator


# The reference is /separate's 7th input and /separate_compare's 4th.
validate_inputs = _mixture_and_reference(6)
validate_compare_inputs = _mixture_and_reference(3)
