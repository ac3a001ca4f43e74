"""Text to speech tab: Piper offline by default, Hub voices on demand, a learn view.

The engines live in :mod:`audiokit.engines.tts`; this module keeps the pure entry point's
presentation (phoneme chips, the marked spectrogram, the round-trip check), the Gradio
adapters and the layout.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np

from audiokit import limits, plots
from audiokit.audio import Audio, load_audio, write_audio
from audiokit.engines.tts import (
    EMBEDDED_NAME,
    LIMITS,
    MAX_CHARACTERS,
    VOICES,
    Synthesis,
    as_read,
    clean_text,
    get_voice,
    normalize_for_speech,
    synthesize,
    voice_available,
    voice_label,
)
from audiokit.errors import AudioStudyError
from audiokit.metrics import alignment_html, word_error_rate
from audiokit.ui import (
    audio_validator,
    download_dir,
    launch_kwargs,
    run_event,
    status_box,
    user_errors,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "tts"
# The learn view marks phonemes on the first seconds only: more labels would be unreadable.
LEARN_WINDOW_S = 3.0
MAX_SENTENCES_SHOWN = 30
MAX_ROUNDTRIP_S = limits.TTS_ROUNDTRIP_MAX_S
ASR_LANGUAGE = "en"


def _example(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8").strip()


# ---- presentation of a Synthesis (pure, no Gradio) ----


def phoneme_html(result: Synthesis) -> str:
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


def learn_figure(result: Synthesis):
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


def summary_markdown(result: Synthesis) -> str:
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


def roundtrip_report(audio: Audio, text: str, voice: str, normalize: bool = True) -> str:
    """Transcribe synthesised speech with the embedded ASR and score it, as HTML.

    The reference is the text as the voice read it (abbreviations, money and numbers in the
    words it spoke), and the transcript goes through the same normalisation, so "Dr." heard
    as "Dr." or "$12.75" heard as "$12.75" count as right. Both texts are shown.

    Raises:
        AudioStudyError: a non-English voice (the embedded recogniser is English only),
            empty reference text, or audio longer than the round-trip limit.
    """
    from audiokit.engines.asr import EMBEDDED_NAME as ASR_NAME
    from audiokit.engines.asr import transcribe_text

    if get_voice(voice).language != ASR_LANGUAGE:
        raise AudioStudyError(
            f"The embedded recogniser ({ASR_NAME}) understands English only; pick an English "
            "voice to check the round trip."
        )
    text = clean_text(text)
    if audio.duration_s > MAX_ROUNDTRIP_S:
        raise AudioStudyError(
            f"The round trip checks at most {MAX_ROUNDTRIP_S:.0f} s of speech; this is "
            f"{audio.duration_s:.0f} s. Check a shorter text."
        )
    read = as_read(text, voice=voice, normalize=normalize)
    heard = transcribe_text(audio)
    # One normaliser on both sides; on the reference it changes nothing when it was applied.
    heard_as_read = normalize_for_speech(heard, language=ASR_LANGUAGE)
    result = word_error_rate(normalize_for_speech(read, language=ASR_LANGUAGE), heard_as_read)
    how = (
        "abbreviations, money and numbers in the words the voice spoke"
        if normalize
        else "as typed (normalisation was off); numbers written out on both sides"
    )
    rows = [
        ("Read as", f"{how}", read),
        (f"Heard by {ASR_NAME}", "its transcript", heard),
        ("Heard, normalised the same way", "what the WER compares", heard_as_read),
    ]
    shown = "".join(
        f'<p class="tts-rt-row"><b>{html.escape(title)}</b> <small>({html.escape(note)})'
        f"</small><br>{html.escape(words) or '(nothing)'}</p>"
        for title, note, words in rows
    )
    return f'<div class="tts-rt">{shown}</div>{alignment_html(result)}'


# ---- Gradio adapters ----


def _downloads(audio: Audio) -> list[str]:
    import soundfile as sf

    folder = download_dir()
    paths = [write_audio(audio, folder / "speech.wav"), write_audio(audio, folder / "speech.flac")]
    mp3 = folder / "speech.mp3"
    sf.write(str(mp3), np.clip(audio.samples.T, -1.0, 1.0), audio.sample_rate, format="MP3")
    return [str(p) for p in (*paths, mp3)]


@user_errors
def synthesize_speech(
    text: str,
    voice: str = EMBEDDED_NAME,
    length_scale: float = 1.0,
    noise_scale: float = 0.667,
    noise_w: float = 0.8,
    sentence_pause_s: float = 0.25,
    volume: float = 1.0,
    normalize: bool = True,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio's documented idiom
) -> tuple[Any, list[str], str, Synthesis]:
    """Speak a text with an allowlisted voice.

    Args:
        text: up to 5,000 characters; split by sentence and spoken as one clip.
        voice: one of the allowlisted voice names (default: the embedded Piper voice).
        length_scale: speaking rate as a duration multiplier (above 1 = slower), 0.25 to 4.
        noise_scale: voice variability, 0 to 2.
        noise_w: rhythm variability (duration noise), 0 to 2.
        sentence_pause_s: silence between sentences in seconds, 0 to 3.
        volume: output peak, 0 to 1.
        normalize: read abbreviations, money and numbers as words (English voices).

    Returns:
        The speech (wav), downloads (wav, flac, mp3) and a summary with the text as read.
        The learn views are drawn afterwards from the result kept in the page's state.
    """

    def report(done: int, total: int) -> None:
        progress((done, total), desc=f"Sentence {min(done + 1, total)} of {total}")

    result = synthesize(
        text,
        voice=voice,
        length_scale=length_scale,
        noise_scale=noise_scale,
        noise_w=noise_w,
        sentence_pause_s=sentence_pause_s,
        volume=volume,
        normalize=normalize,
        progress=report,
    )
    downloads = _downloads(result.audio)
    # The wav download is the player's file too: int16 clipped by write_audio, encoded once
    # (a numpy answer would make Gradio encode and hash a second copy).
    return downloads[0], downloads, summary_markdown(result), result


def learn_views(result: Synthesis | None) -> tuple[str, Any]:
    """The phonemes and the marked spectrogram of the last synthesis (a private UI step)."""
    if result is None:
        return "", None
    return phoneme_html(result), learn_figure(result)


CHECK_LABEL = "Check by ear and by machine (Whisper round trip)"
CHECK_WAITING = "Check by ear and by machine: waiting for Speak to finish…"


def speak_started() -> tuple[Any, str, Any, str]:
    """While Speak runs: the check is off (its audio is being replaced), old views cleared."""
    return gr.Button(CHECK_WAITING, interactive=False), "", None, ""


def speak_finished(result: Synthesis | None) -> tuple[Any, str, str, bool]:
    """The check is on again, fed the text, voice and setting the shown audio was made with."""
    button = gr.Button(CHECK_LABEL, interactive=True)
    if result is None:
        return button, "", EMBEDDED_NAME, True
    return button, result.text, result.voice, result.normalize


@user_errors
def check_roundtrip(
    audio: Any, text: str, voice: str = EMBEDDED_NAME, normalize: bool = True
) -> str:
    """Transcribe synthesised speech with the embedded ASR and score it against the text.

    Args:
        audio: the synthesised speech, any format the app reads (wav, flac, mp3, ogg, m4a).
        text: the text that was spoken, as typed; it is normalised as the voice read it.
        voice: the voice that spoke it (the check needs an English one).
        normalize: whether the text was normalised when it was spoken (as in /synthesize).

    Returns:
        The text as read, the transcript, and the word alignment with its WER, as HTML.
    """
    if audio is None:
        raise AudioStudyError("Press Speak first: there is no synthesised audio to check yet.")
    clip = load_audio(audio, max_duration_s=MAX_ROUNDTRIP_S)
    return roundtrip_report(clip, text, voice, normalize)


def voice_card(voice: str) -> str:
    """The model card of the chosen voice."""
    return VOICES[voice].card if voice in VOICES else ""


def voice_choices() -> list[tuple[str, str]]:
    """(label, name) per voice; Hub voices that cannot be had here are marked so."""
    return [(voice_label(name), name) for name in VOICES]


EXAMPLE_ROWS = (
    ("numbers.txt", EMBEDDED_NAME),
    ("lecture.txt", EMBEDDED_NAME),
    ("questions.txt", EMBEDDED_NAME),
    ("german.txt", "Piper de_DE-thorsten-medium (Hub)"),
    ("french.txt", "MMS-TTS French (facebook/mms-tts-fra, Hub)"),
    ("spanish.txt", "Piper es_ES-davefx-medium (Hub)"),
)


def example_rows() -> list[list[str]]:
    """The example rows whose voice can speak here (Hub voices offline and uncached drop out)."""
    return [[_example(file), voice] for file, voice in EXAMPLE_ROWS if voice_available(voice)]


# ---- layout ----


def build(*, api_prefix: str = "") -> gr.Blocks:
    """The TTS tab; `api_prefix` keeps embedded copies' endpoint names apart."""
    rows = example_rows()
    hidden = len(EXAMPLE_ROWS) - len(rows)
    with gr.Blocks() as demo:
        gr.Markdown(
            "### Text to speech\nType up to 5,000 characters; the embedded Piper voice speaks "
            "them offline on the CPU. Hub voices (more Piper voices, Meta's MMS-TTS) load "
            "on demand. The learn view shows the phonemes the model read and how long it "
            "made each one."
        )
        with gr.Row():
            with gr.Column(scale=3):
                text = gr.Textbox(label="Text", value=_example("numbers.txt"), lines=5)
                voice = gr.Dropdown(voice_choices(), value=EMBEDDED_NAME, label="Voice")
                with gr.Accordion("Controls", open=True):
                    rate = gr.Slider(
                        0.5,
                        2.0,
                        value=1.0,
                        step=0.05,
                        label="Speaking rate: length scale (above 1 = slower)",
                    )
                    noise = gr.Slider(0.0, 1.5, value=0.667, step=0.01, label="Voice variability")
                    noise_w = gr.Slider(0.0, 1.5, value=0.8, step=0.01, label="Rhythm variability")
                    pause = gr.Slider(
                        *LIMITS["sentence_pause_s"],
                        value=0.25,
                        step=0.05,
                        label="Pause between sentences (s)",
                    )
                    volume = gr.Slider(0.05, 1.0, value=1.0, step=0.05, label="Volume (peak)")
                    normalize = gr.Checkbox(
                        True, label="Read abbreviations, money and numbers as words (English)"
                    )
                speak = gr.Button("Speak", variant="primary")
            with gr.Column(scale=2):
                speak_status = status_box()
                audio = gr.Audio(label="Speech", type="filepath", interactive=False)
                files = gr.File(label="Download: wav, flac, mp3", file_count="multiple")
                summary = gr.Markdown()
                check = gr.Button(CHECK_LABEL)
                check_status = status_box()
                roundtrip = gr.HTML()
                # What the shown audio was made from, for the check (not the live text box,
                # which may have been edited since).
                spoken_text = gr.Textbox(visible=False)
                spoken_voice = gr.Textbox(EMBEDDED_NAME, visible=False)
                spoken_normalize = gr.Checkbox(True, visible=False)
        note = (
            f" · {hidden} more need a Hub voice that is not downloaded here (offline)"
            if hidden
            else ""
        )
        gr.Examples(
            rows,
            inputs=[text, voice],
            api_name=f"{api_prefix}tts_load_example",
            label=f"Examples (up to {MAX_CHARACTERS:,} characters of your own){note}",
        )
        with gr.Accordion("Learn: what the model sees", open=True):
            card = gr.Markdown(voice_card(EMBEDDED_NAME))
            # No label badge: it would cover the phoneme labels at the top of the figure.
            plot = gr.Plot(show_label=False, elem_classes=["tts-learn-plot"])
            phonemes = gr.HTML()
        last = gr.State(None)

        spoken = run_event(
            speak.click,
            synthesize_speech,
            [text, voice, rate, noise, noise_w, pause, volume, normalize],
            [audio, files, summary, last],
            status=speak_status,
            api_name=f"{api_prefix}synthesize",
        )
        # Gradio 6.31 runs .then() steps after a success only, so a failure re-enables too.
        for after in (spoken.then, spoken.failure):
            after(
                speak_finished,
                last,
                [check, spoken_text, spoken_voice, spoken_normalize],
                queue=False,
                show_progress="hidden",
                api_visibility="private",
            )
        learn = spoken.success(
            learn_views, last, [phonemes, plot], show_progress="hidden", api_visibility="private"
        )
        # A new Speak drops the last run's learn views still being drawn: they would land
        # after this run's clearing and show the old phonemes under a new result or failure.
        speak.click(
            speak_started,
            None,
            [check, roundtrip, plot, phonemes],
            queue=False,
            show_progress="hidden",
            api_visibility="private",
            cancels=[learn],
        )
        run_event(
            check.click,
            check_roundtrip,
            [audio, spoken_text, spoken_voice, spoken_normalize],
            [roundtrip],
            status=check_status,
            api_name=f"{api_prefix}tts_roundtrip",
            # No audio is the handler's to explain ("Press Speak first"), not the validator's.
            validator=audio_validator(
                max_duration_s=MAX_ROUNDTRIP_S, audio_inputs=1, optional=(0,)
            ),
        )
        voice.change(
            voice_card,
            voice,
            card,
            api_name=f"{api_prefix}tts_voice_card",
            api_visibility="private",
            queue=False,
            show_progress="hidden",
        )
    return demo


if __name__ == "__main__":
    build().queue(default_concurrency_limit=1).launch(**launch_kwargs())
