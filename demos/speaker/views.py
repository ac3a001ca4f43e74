"""Views of the Speaker tab: Markdown, tables and figures made from a task Result, pure.

The explanation and summaries are part of the public answer; the figures are learn views,
drawn by a private follow-up after the answer is shown (matplotlib never runs in a public
handler).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from audiokit import plots, study
from audiokit.audio import Audio
from audiokit.tasks.speaker import (
    SAMPLE_RATE,
    VAD_FRAME_S,
    Comparison,
    Result,
    SimilarityMap,
    backend,
)


def explain(score: float, threshold: float, model: str) -> str:
    """A plain-language reading of a score, its decision and its limits (Markdown)."""
    chosen = backend(model)
    margin = score - threshold
    same = margin >= 0
    strength = "clearly" if abs(margin) > 0.1 else "narrowly" if abs(margin) > 0.03 else "barely"
    verdict = (
        f"**{'Same speaker' if same else 'Different speakers'}**: the score {score:.3f} is "
        f"{strength} {'above' if same else 'below'} the threshold {threshold:.2f} "
        f"(margin {margin:+.3f})."
    )
    return (
        f"{verdict}\n\n"
        "**What the score is.** Each clip is turned into a *voice print* (an embedding of "
        f"{chosen.embedding_size} numbers) that the model learned to make close for the same "
        "voice and far apart for different voices. The score is the cosine of the angle "
        f"between the two prints: 1 means identical direction. {chosen.score_scale}\n\n"
        f"**The threshold** ({chosen.threshold:.2f} by default for this model: "
        f"{chosen.threshold_note}) is where you trade false accepts against false rejects; "
        "drag it and watch the decision change.\n\n"
        "**Limits.** It measures how alike two *voices sound* to this model, not who a "
        "person is: relatives, impersonators and voice clones (try a clip from the "
        "Text to speech tab) can score high, while a different microphone, noise, "
        "emotion or a clip of only a second or two pull a true match down. Use it to learn, "
        "never to lock a door."
    )


def card(model: str) -> str:
    """The model's card and where its threshold comes from (Markdown)."""
    chosen = backend(model)
    return f"{chosen.card.markdown()}  \nThreshold {chosen.threshold:.2f}: {chosen.threshold_note}."


def badge(model: str, seconds: float, clips: Sequence[Audio]) -> str:
    """The timing badge of one run of ``model`` over ``clips`` (Markdown, study.timing_badge)."""
    return study.timing_badge(backend(model).short_name, seconds, sum(c.duration_s for c in clips))


def side_badge(c: Comparison, side: str) -> str:
    """The timing badge of side "a" or "b" of a comparison."""
    result, seconds = (c.a, c.seconds_a) if side == "a" else (c.b, c.seconds_b)
    return study.timing_badge(backend(result.model).short_name, seconds, c.audio_s)


def compare_summary(c: Comparison) -> str:
    """Both models side by side: score, own threshold, margin, decision, time (Markdown)."""
    a, b = backend(c.a.model), backend(c.b.model)
    rows = [
        ("Score", f"{c.a.score:.3f}", f"{c.b.score:.3f}"),
        ("Threshold", f"{c.a.threshold:.2f}", f"{c.b.threshold:.2f}"),
        ("Margin", f"{c.margin_a:+.3f}", f"{c.margin_b:+.3f}"),
        ("Decision", c.a.decision, c.b.decision),
        (
            "Time",
            f"{c.seconds_a:.2f} s (RTF {c.rtf_a:.2f})",
            f"{c.seconds_b:.2f} s (RTF {c.rtf_b:.2f})",
        ),
    ]
    table = "\n".join(
        [
            f"| | Model A: {a.short_name} | Model B: {b.short_name} |",
            "|---|---|---|",
            *(f"| {name} | {x} | {y} |" for name, x, y in rows),
        ]
    )
    if c.a.model == c.b.model:
        verdict = (
            "**The same model on both sides**: the scores should match, which shows the "
            f"run is repeatable (they differ by {abs(c.a.score - c.b.score):.4f})."
        )
    elif c.agree:
        verdict = f"**The models agree: {c.a.decision}.**"
    else:
        verdict = (
            f"**The models disagree**: A says *{c.a.decision}*, B says *{c.b.decision}*. "
            "The one with the larger margin is the more confident; a clip that splits two "
            "models is worth listening to again."
        )
    return (
        f"{verdict}\n\n{table}\n\n"
        "The raw scores are not comparable between models: each has its own scale "
        "(GE2E's cosines never go below 0, ECAPA's centre near 0), so each score is judged "
        "against its own model's threshold, and the *margin* (score minus threshold) is "
        "what can be compared."
    )


def enrolment_summary(result: Result) -> str:
    """How the enrolment clips agree, the best single clip and the averaged print (Markdown)."""
    best = max(result.clip_scores)
    return (
        f"Enrolled **{len(result.names)}** clip(s); they agree with each other at "
        f"{result.consistency:.3f} on average. The best single clip scores {best:.3f}; the "
        f"averaged print scores **{result.score:.3f}**. Averaging smooths out what one clip "
        "got wrong (a word, a cough, the room), so the averaged print is usually steadier "
        "than any one clip.\n\n" + explain(result.score, result.threshold, result.model)
    )


def map_table(m: SimilarityMap) -> dict[str, Any]:
    """The similarity matrix as a table: a row per clip, a column per clip (cosines)."""
    rows = [
        [label, *(round(float(v), 4) for v in row)]
        for label, row in zip(m.labels, m.scores, strict=True)
    ]
    # The corner header is empty: a clip may be called anything, "clip" included.
    return {"headers": ["", *m.labels], "data": rows}


def map_summary(m: SimilarityMap) -> str:
    """Scores within and across name groups, and each clip's nearest voice (Markdown)."""
    n = len(m.labels)
    off = ~np.eye(n, dtype=bool)
    groups = np.array(m.groups)
    same = (groups[:, None] == groups[None, :]) & off
    lines = []
    if same.any() and (off & ~same).any():
        lines.append(
            f"Mean score within a name group **{m.scores[same].mean():.3f}**, across groups "
            f"**{m.scores[off & ~same].mean():.3f}** (threshold "
            f"{backend(m.model).threshold:.2f})."
        )
    nearest = np.where(off, m.scores, -np.inf).argmax(axis=1)
    pairs = ", ".join(f"{m.labels[i]} → {m.labels[j]}" for i, j in enumerate(nearest))
    lines.append(f"Nearest voice of each clip: {pairs}.")
    lines.append(
        "Clips of one speaker should form a bright block in the matrix and a cluster on the "
        "map. PCA keeps only the two directions of largest spread, so distances on the map "
        "are approximate; the matrix has the exact scores."
    )
    return "\n\n".join(lines)


def map_figures(m: SimilarityMap) -> tuple[Any, Any]:
    """The similarity heatmap and the PCA map of the voice prints."""
    heat = plots.matrix(m.scores, labels=m.labels, title="Cosine similarity of voice prints")
    share = m.explained.sum() * 100
    pca = plots.scatter_map(
        m.points,
        labels=m.labels,
        groups=m.groups,
        title=f"Voice prints after PCA ({share:.0f} % of the variance in 2-D)",
    )
    return heat, pca


def verification_figure(result: Result):
    """What the model sees: waveforms with the VAD-kept speech, log-mel of the speech kept,
    the two voice prints as images, and (embedded models) the score of every window."""
    import librosa

    chosen = backend(result.model)
    a, b = result.enrolled, result.test
    windowed = a.windows is not None and b.windows is not None
    rows = 4 if windowed else 3
    fig = plots.figure(9.0, 2.1 * rows)
    grid = fig.add_gridspec(rows, 2)
    # GE2E and the d-vector read 40 mel bands and ECAPA 80 Fbanks; WavLM reads samples, so
    # it gets a picture.
    n_mels = chosen.mel_bands or 80
    mel_title = (
        f"{n_mels} log-mel bands of the speech kept: the model's input"
        if chosen.mel_bands
        else "the speech kept, as a log-mel picture (WavLM itself reads the raw samples)"
    )
    side = int(np.ceil(np.sqrt(a.embedding.size)))
    both = np.concatenate([a.embedding, b.embedding])
    lim = float(np.abs(both).max())
    # GE2E prints are non-negative (ReLU): a one-sided scale shows them; others are signed.
    cmap, vmin = ("viridis", 0.0) if both.min() >= 0 else ("coolwarm", -lim)
    for col, (tag, vp) in enumerate((("A", a), ("B", b))):
        sp = vp.speech
        ax = fig.add_subplot(grid[0, col])
        t = np.arange(sp.waveform.size) / SAMPLE_RATE
        step = max(1, sp.waveform.size // 4000)
        ax.plot(t[::step], sp.waveform[::step], lw=0.5, color="#64748b")
        for i in np.flatnonzero(sp.voiced):
            ax.axvspan(i * VAD_FRAME_S, (i + 1) * VAD_FRAME_S, color="#22c55e", alpha=0.25, lw=0)
        ax.set(
            title=f"{tag}: {sp.name}: {sp.speech_s:.1f} s speech of {sp.duration_s:.1f} s "
            "(green = kept by VAD)",
            xlim=(0, max(sp.duration_s, 1e-3)),
            yticks=[],
        )
        ax.title.set_fontsize(8)
        ax = fig.add_subplot(grid[1, col])
        mel = librosa.feature.melspectrogram(
            y=sp.speech, sr=SAMPLE_RATE, n_fft=400, hop_length=160, n_mels=n_mels
        )
        ax.imshow(
            librosa.power_to_db(mel, ref=np.max(mel) + 1e-12, top_db=80),
            origin="lower",
            aspect="auto",
            cmap="magma",
            extent=(0, sp.speech_s, 0, n_mels),
        )
        ax.set(xlabel="speech time (s)", ylabel="mel band")
        ax.set_title(mel_title, fontsize=8)
        ax = fig.add_subplot(grid[2, col])
        emb = np.zeros(side * side)
        emb[: vp.embedding.size] = vp.embedding
        ax.imshow(emb.reshape(side, side), cmap=cmap, vmin=vmin, vmax=lim)
        ax.set(xticks=[], yticks=[])
        ax.set_title(f"voice print {tag}: {vp.embedding.size} numbers", fontsize=8)
    if windowed:
        ax = fig.add_subplot(grid[3, :])
        lows = [0.0]
        for tag, own, other in (("A", a, b), ("B", b, a)):
            per_window = own.windows @ other.embedding
            lows.append(float(per_window.min()) - 0.05)
            ax.plot(
                np.arange(1, per_window.size + 1),
                per_window,
                "o-",
                label=f"windows of {tag} vs print of the other",
            )
        ax.axhline(result.threshold, color="#dc2626", ls="--", lw=1, label="threshold")
        ax.set(xlabel=f"{chosen.window_s:g} s window", ylabel="cosine", ylim=(min(lows), 1))
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_title(
            f"{chosen.short_name} embeds {chosen.window_s:g} s windows and averages them: "
            "how stable is the match?",
            fontsize=8,
        )
        ax.legend(fontsize=7, loc="best")
    return fig


def enrolment_figure(result: Result):
    """Each enrolment clip alone and the averaged print against the test clip."""
    names = [*result.names, "averaged print"]
    values = [*result.clip_scores, result.score]
    fig = plots.figure(7.0, 0.5 * len(names) + 1.4)
    ax = fig.subplots()
    colours = ["#94a3b8"] * len(result.names) + ["#2563eb"]
    ax.barh(names, values, color=colours)
    ax.axvline(result.threshold, color="#dc2626", ls="--", lw=1, label="threshold")
    for y, v in enumerate(values):
        ax.text(v, y, f" {v:.3f}", va="center", fontsize=8)
    ax.set(xlim=(min(0.0, min(values) - 0.05), 1.08), xlabel="cosine with the test clip")
    ax.set_title("Enrolment clips vs the test clip", fontsize=9)
    ax.invert_yaxis()
    ax.legend(fontsize=7, loc="lower right")
    return fig
