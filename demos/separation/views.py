"""Views of a separation :class:`Result`: Markdown and figures, pure, drawn after the answer."""

from __future__ import annotations

import numpy as np

from audiokit import plots
from audiokit.audio import format_duration
from audiokit.tasks import separation as sep


def metrics_markdown(result: sep.Result) -> str:
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


def denoiser_comparison_markdown(figures: dict | None = None) -> str:
    """The learn view's comparison of the three denoisers, with where the figures come from."""
    figures = figures if figures is not None else sep.load_denoiser_figures()
    if figures is None:
        return ""
    return (
        "**The three denoisers on the same noisy speech** (SI-SDR improvement, higher is "
        f"better; RTF, lower is faster). {figures['setup']}\n\n{sep.denoiser_table(figures)}"
    )


def method_notes(method: str) -> str:
    """How the method works, and its model cards, as Markdown ('' for an unknown method)."""
    if method not in sep.METHODS:
        return ""
    info = sep.METHODS[method]
    cards = "\n\n".join(card.markdown() for card in sep.method_cards(method))
    notes = f"**{info.title}.** {info.summary}\n\n{cards}"
    comparison = denoiser_comparison_markdown() if method in sep.DENOISERS else ""
    return f"{notes}\n\n{comparison}" if comparison else notes


def frame_track(result: sep.Result) -> tuple[np.ndarray, str, str] | None:
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


def spectrograms_figure(result: sep.Result):
    """The mixture's and the stems' spectrograms on one colour scale."""
    return plots.compare_spectrograms(
        [("mixture", result.mixture), *((name, stem) for name, stem in result.stems)]
    )


def learn_figure(result: sep.Result):
    """The effective mask of the primary stem, and the denoiser's own view per 10 ms frame
    (DeepFilterNet's local SNR, RNNoise's speech probability) where it has one."""
    import matplotlib

    mask, duration_s, top_hz = result.effective_mask()
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
        t = np.arange(values.size) * sep.FRAME_TRACK_S
        axes[1].plot(t, values, color="#2563eb", lw=0.8)
        axes[1].set(title=title, xlabel="time (s)", ylabel=ylabel, xlim=(0, duration_s))
        axes[1].grid(alpha=0.3)
    return fig


# --- Compare A/B ------------------------------------------------------------------------


def side_settings_text(settings: dict) -> str:
    """A side's method and the one setting it reads, in words ('rnnoise' has none)."""
    words = [f"`{settings['method']}`"]
    for name, value in settings.items():
        if name != "method":
            p = sep.PARAMS[name]
            shown = f"{value:g}{p.unit}" if isinstance(value, float) else f"`{value}`"
            words.append(f"{p.title} {shown}")
    return ", ".join(words)


def _db(value: float | None, *, signed: bool = False) -> str:
    if value is None:
        return "–"
    if value == float("inf"):
        return "∞ (identical)"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def comparison_markdown(comparison: sep.Comparison) -> str:
    """Both sides side by side: method and setting, SI-SDR(i) with a reference, time, RTF,
    and how the two differ."""
    a, b = comparison.a, comparison.b
    rows = [
        f"| | A: {a.engine} | B: {b.engine} |",
        "| --- | ---: | ---: |",
        f"| settings | {side_settings_text(a.settings)} | {side_settings_text(b.settings)} |",
        f"| stems | {' / '.join(n for n, _ in a.result.stems)} | "
        f"{' / '.join(n for n, _ in b.result.stems)} |",
    ]
    if a.result.score is not None and b.result.score is not None:
        mixture_db = a.result.score.mixture_si_sdr_db
        rows += [
            f"| SI-SDR of the mixture (dB) | {mixture_db:.1f} | {mixture_db:.1f} |",
            f"| SI-SDR of the best stem (dB) | {_db(a.si_sdr_db)} "
            f"('{a.result.score.stem}') | {_db(b.si_sdr_db)} ('{b.result.score.stem}') |",
            f"| **SI-SDRi (dB)** | **{_db(a.si_sdri_db, signed=True)}** | "
            f"**{_db(b.si_sdri_db, signed=True)}** |",
        ]
    rows += [
        f"| time | {a.seconds:.2f} s | {b.seconds:.2f} s |",
        f"| RTF (time ÷ duration) | {a.rtf:.2f} | {b.rtf:.2f} |",
    ]
    lines = ["\n".join(rows), ""]
    difference = comparison.si_sdri_difference_db
    if difference is not None:
        better = "B" if difference > 0 else "A" if difference < 0 else "neither"
        lines.append(
            f"**B's SI-SDRi minus A's: {difference:+.1f} dB** ({better} separated better)."
        )
    else:
        lines.append("Add the clean source as the reference to score both sides with SI-SDR.")
    if comparison.agreement_db is not None:
        lines.append(
            f"B's stem '{b.result.stems[0][0]}' against A's '{a.result.stems[0][0]}': SI-SDR "
            f"{_db(comparison.agreement_db)} dB, how alike the two outputs are."
        )
    return "\n\n".join(lines)


def comparison_figure(comparison: sep.Comparison):
    """The mixture's spectrogram above A's and B's primary stems."""
    a, b = comparison.a.result, comparison.b.result
    return plots.compare_spectrograms(
        [
            ("mixture", comparison.mixture),
            (f"A: {a.stems[0][0]} ({comparison.a.engine})", a.primary),
            (f"B: {b.stems[0][0]} ({comparison.b.engine})", b.primary),
        ]
    )
