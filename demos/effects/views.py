"""The Effects tab's views: Markdown and figures made from a ``Result``, pure (no Gradio)."""

from __future__ import annotations

import math

from audiokit import plots
from audiokit.audio import format_duration
from audiokit.tasks import effects as fx
from audiokit.tasks.effects.backends import nafx


def levels_markdown(result: fx.Result) -> str:
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


def learn_markdown(result: fx.Result) -> str:
    """What each effect of the chain does, and what the neural effect learned."""
    table = fx.effects()
    lines = []
    for i, step in enumerate(result.steps, start=1):
        state = " *(bypassed)*" if step.bypass else ""
        lines.append(f"{i}. **{step.effect}**{state}: {table[step.effect].summary}")
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


def figures(result: fx.Result) -> tuple:
    """Waveforms and mel spectrograms before and after, and the steering loss (or None)."""
    loss = None
    if result.steer_reports:
        r = result.steer_reports[-1]
        loss = plots.curve(
            r.train_loss, title=f"Steering toward {r.target}", xlabel="step", ylabel="loss"
        )
    return (
        plots.waveform(result.before, title="Before"),
        plots.waveform(result.after, title="After"),
        plots.spectrogram(result.before, title="Before (mel)"),
        plots.spectrogram(result.after, title="After (mel)"),
        loss,
    )


def effect_reference() -> str:
    """Every allowlisted effect with its parameters, defaults and ranges (and where from)."""
    lines = ["| effect | parameter | default | range | range from |", "|---|---|---|---|---|"]
    for spec in fx.effects().values():
        for p in spec.params:
            allowed = " / ".join(p.choices) if p.choices else f"{p.minimum:g} … {p.maximum:g}"
            lines.append(f"| {spec.name} | `{p.name}` | {p.default} | {allowed} | {p.source} |")
    return "\n".join(lines)


def receptive_field_note(step: fx.Step) -> str:
    """The neural step's receptive field, weights and steering cost against their limits."""
    config = nafx.config_for(step.params)
    rf = config.receptive_field
    steps = step.params["steer_steps"] if step.params["steer"] != "none" else 0
    return (
        f"Receptive field: {rf:,} samples (limit {nafx.MAX_RECEPTIVE_FIELD:,}) = "
        f"{config.receptive_field_ms(44100):.1f} ms at 44.1 kHz, "
        f"{config.receptive_field_ms(16000):.1f} ms at 16 kHz. "
        f"{config.parameter_count:,} weights (limit {nafx.MAX_WEIGHTS:,}). Steering: "
        f"{steps * config.step_cost:.1e} multiply-adds (limit {nafx.MAX_STEER_COST:.0e})."
    )
