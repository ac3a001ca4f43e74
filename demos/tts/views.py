"""Views of a TTS :class:`~audiokit.tasks.tts.Result`: pure functions, no Gradio.

The phoneme chips, the marked spectrogram (drawn by the tab's private follow-up step, never
inside the public handler), the summary and the round-trip report; for Compare A/B, each
side's report and what sets the two apart.
"""

from __future__ import annotations

import dataclasses
import html

from audiokit import plots
from audiokit.audio import Audio
from audiokit.metrics import alignment_html
from audiokit.tasks.tts import PARAMS, Comparison, Result, Side, get_voice
from audiokit.tasks.tts.roundtrip import RoundTrip

# The learn view marks phonemes on the first seconds only: more labels would be unreadable.
LEARN_WINDOW_S = 3.0
MAX_SENTENCES_SHOWN = 30


def for_learning(result: Result) -> Result:
    """The result as the learn views need it: all segments, only the audio they draw.

    Up to 5,000 characters of speech is minutes of audio; every session keeps its last
    result on the server, so it keeps the first seconds only.
    """
    frames = round(LEARN_WINDOW_S * result.audio.sample_rate)
    head = Audio(result.audio.samples[:, :frames], result.audio.sample_rate, result.audio.name)
    return dataclasses.replace(result, audio=head)


def phoneme_html(result: Result) -> str:
    """Each sentence with the symbols the model read, and their durations when known."""
    rows = []
    for segment in result.segments[:MAX_SENTENCES_SHOWN]:
        starts = (segment.start_s, *(segment.boundaries_s or ())[:-1])
        chips = []
        for k, symbol in enumerate(segment.symbols):
            shown = "␣" if symbol == " " else html.escape(symbol)
            ms = ""
            if segment.boundaries_s is not None:
                ms = f"<small>{1000 * (segment.boundaries_s[k] - starts[k]):.0f}</small>"
            chips.append(f'<span class="tts-ph">{shown}{ms}</span>')
        rows.append(
            f'<div class="tts-sent"><div class="tts-text">{segment.start_s:.2f} s · '
            f"{html.escape(segment.text)}</div>{''.join(chips)}</div>"
        )
    more = len(result.segments) - MAX_SENTENCES_SHOWN
    if more > 0:
        rows.append(f"<p>… and {more} more sentences.</p>")
    if get_voice(result.voice).backend == "piper":
        unit = "phonemes (espeak-ng IPA)"
        markers = "^ and $ are the start and end markers, ˈ ˌ stress marks"
    else:
        unit = "characters"
        markers = "^ is the start marker; the blank MMS puts after each character is folded in"
    note = (
        f"What the model read: {unit}. Numbers under each symbol: its duration in ms, as "
        f"the model's duration predictor chose it. {markers}; each symbol gets its own slot "
        "of time, in whole decoder frames (256 samples)."
        if result.has_durations
        else f"What the model read: {unit}. This engine gives no per-symbol durations."
    )
    style = (
        "<style>.tts-sent{margin:6px 0}.tts-text{font-size:.85em;opacity:.8}"
        ".tts-ph{display:inline-flex;flex-direction:column;align-items:center;min-width:1.4em;"
        "margin:1px;padding:1px 3px;border-radius:4px;background:var(--color-accent-soft);"
        "font-family:monospace}.tts-ph small{font-size:.65em;opacity:.75}</style>"
    )
    return f"{style}<p>{note}</p>{''.join(rows)}"


def learn_figure(result: Result):
    """Mel spectrogram of the first seconds with each symbol's start marked (or sentences)."""
    window = min(LEARN_WINDOW_S, result.audio.duration_s)
    frames = max(1, round(window * result.audio.sample_rate))
    clip = Audio(result.audio.samples[:, :frames], result.audio.sample_rate, "speech")
    marks: list[tuple[float, str]] = []
    for segment in result.segments:
        if segment.start_s >= window:
            break
        if segment.boundaries_s is None:
            marks.append((segment.start_s, "sentence"))
            continue
        starts = (segment.start_s, *segment.boundaries_s[:-1])
        marks += [
            (t, s.strip()) for t, s in zip(starts, segment.symbols, strict=True) if t < window
        ]
    kind = "phoneme starts" if result.has_durations else "sentence starts (no durations)"
    fig = plots.spectrogram(clip, title=f"First {window:.1f} s of the output, with {kind}")
    ax = fig.axes[0]
    # Labels on three staggered rows: neighbouring phonemes are often 30 ms apart.
    for k, (time_s, label) in enumerate(marks):
        ax.axvline(time_s, color="white", lw=0.6, alpha=0.7)
        if label:
            ax.text(
                time_s,
                0.97 - 0.08 * (k % 3),
                label,
                transform=ax.get_xaxis_transform(),
                color="white",
                fontsize=9,
                va="top",
                ha="left",
                bbox={"boxstyle": "round,pad=0.1", "fc": "black", "alpha": 0.5, "lw": 0},
            )
    return fig


def summary_markdown(result: Result) -> str:
    """Duration, rate, speed and what the phonemiser actually read."""
    audio = result.audio
    rtf = result.real_time_factor
    speed = f", {1 / rtf:.1f}× faster than real time" if 0 < rtf < 1 else ""
    lines = [
        f"**{audio.duration_s:.1f} s** of speech at {audio.sample_rate:,} Hz from "
        f"{len(result.segments)} sentence(s) · synthesised in {result.elapsed_s:.2f} s "
        f"(real-time factor {rtf:.3f}{speed}) · {result.voice}"
    ]
    if result.spoken_text != result.text:
        lines.append(f"Read as: *{html.escape(result.spoken_text[:600])}*")
    return "  \n".join(lines)


def roundtrip_html(check: RoundTrip) -> str:
    """The text as read, the transcript, the transcript as compared, and the word alignment."""
    how = (
        "abbreviations, money and numbers in the words the voice spoke"
        if check.normalize
        else "as typed (normalisation was off); numbers written out on both sides"
    )
    rows = [
        ("Read as", how, check.read),
        (f"Heard by {check.recogniser}", "its transcript", check.heard),
        ("Heard, normalised the same way", "what the WER compares", check.heard_as_read),
    ]
    shown = "".join(
        f'<p class="tts-rt-row"><b>{html.escape(title)}</b> <small>({html.escape(note)})'
        f"</small><br>{html.escape(words) or '(nothing)'}</p>"
        for title, note, words in rows
    )
    return f'<div class="tts-rt">{shown}</div>{alignment_html(check.score)}'


def side_markdown(side: Side) -> str:
    """One side of a comparison: its speech and its round-trip WER with what was heard."""
    audio = side.result.audio
    lines = [f"**{audio.duration_s:.2f} s** of speech at {audio.sample_rate:,} Hz"]
    check = side.roundtrip
    if check is None:
        lines.append(f"No round trip: {html.escape(side.roundtrip_note)}")
    else:
        lines.append(
            f"Round-trip WER **{check.score.wer:.1%}** ({html.escape(check.recogniser)}, "
            f"{side.roundtrip_s:.2f} s)"
        )
        lines.append(f"Heard: *{html.escape(check.heard[:300]) or '(nothing)'}*")
    return "  \n".join(lines)


def difference_markdown(comparison: Comparison) -> str:
    """How A and B differ: the settings that differ, the length ratio, the WER gap."""
    names = comparison.differing
    if names:
        what = "A and B differ in " + ", ".join(PARAMS[n].title.lower() for n in names) + "."
    else:
        what = (
            "A and B have the same voice and settings: whatever differs comes from the "
            "model's noise (noise scale, noise w)."
        )
    lines = [what, f"B lasts **{comparison.duration_ratio:.2f}×** as long as A."]
    gap = comparison.wer_difference
    if gap is not None:
        a, b = comparison.a.wer, comparison.b.wer
        lines.append(
            f"Round-trip WER: A {a:.1%}, B {b:.1%} (B − A: {100 * gap:+.1f} points; "
            "lower is better understood by the recogniser)."
        )
    return "  \n".join(lines)
