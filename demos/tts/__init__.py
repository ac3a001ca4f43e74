"""Text to speech tab: Piper offline by default, Hub voices on demand, a learn view, A/B.

The task (voices, parameters, ``run()``, ``compare()``) lives in :mod:`audiokit.tasks.tts`;
the views of a result in :mod:`demos.tts.views`; Compare A/B and its blind mode in
:mod:`demos.tts.compare`. This module holds the Gradio handlers and the layout. The public
/synthesize event answers with the audio, the downloads and a summary only; the learn views
and the timing badge are drawn afterwards by private steps from what is held for the session.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import gradio as gr

from audiokit import study, ui
from audiokit.audio import Audio, load_audio, write_audio
from audiokit.errors import AudioStudyError
from audiokit.params import Param
from audiokit.tasks import tts
from audiokit.tasks.tts import roundtrip
from demos.tts.compare import compare_panel, synthesize_compare
from demos.tts.views import (
    LEARN_WINDOW_S,
    for_learning,
    learn_figure,
    phoneme_html,
    roundtrip_html,
    summary_markdown,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tts"
HELD = "tts"
HELD_BADGE = "tts-badge"
_P = tts.PARAMS


def _example(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8").strip()


# ---- handlers ----


def _downloads(audio: Audio) -> list[str]:
    folder = ui.download_dir()
    return [str(write_audio(audio, folder / f"speech.{ext}")) for ext in ("wav", "flac", "mp3")]


@ui.user_errors
def synthesize(
    text: str,
    voice: str = _P["voice"].default,
    length_scale: float = _P["length_scale"].default,
    noise_scale: float = _P["noise_scale"].default,
    noise_w: float = _P["noise_w"].default,
    sentence_pause_s: float = _P["sentence_pause_s"].default,
    volume: float = _P["volume"].default,
    normalize: bool = _P["normalize"].default,
    request: gr.Request | None = None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio's documented idiom
) -> tuple[str, list[str], str]:
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
        The speech (16-bit wav), downloads (wav, flac, mp3) and a summary with the text as
        read.
    """
    started = time.perf_counter()
    result = tts.run(
        text,
        voice=voice,
        length_scale=length_scale,
        noise_scale=noise_scale,
        noise_w=noise_w,
        sentence_pause_s=sentence_pause_s,
        volume=volume,
        normalize=normalize,
        progress=ui.progress_bridge(progress),
    )
    seconds = time.perf_counter() - started
    downloads = _downloads(result.audio)
    ui.hold(HELD, for_learning(result), request)
    ui.hold(HELD_BADGE, study.timing_badge(result.voice, seconds, result.audio.duration_s), request)
    # The wav download is the player's file too: int16 clipped by write_audio, encoded once
    # (a numpy answer would make Gradio encode and hash a second copy).
    return downloads[0], downloads, summary_markdown(result)


def draw_learn_views(request: gr.Request) -> tuple[str, Any]:
    """The phonemes and the marked spectrogram of this session's last synthesis (private)."""
    result = ui.held(HELD, request)
    if result is None:
        return "", None
    return phoneme_html(result), learn_figure(result)


def show_badge(request: gr.Request) -> str:
    """The timing badge of this session's last synthesis, measured around ``run()`` (private)."""
    return ui.held(HELD_BADGE, request) or ""


CHECK_LABEL = "Check by ear and by machine (Whisper round trip)"
CHECK_WAITING = "Check by ear and by machine: waiting for Speak to finish…"


def speak_started() -> tuple[Any, str, Any, str, str]:
    """While Speak runs: the check is off (its audio is being replaced), old views cleared."""
    return gr.Button(CHECK_WAITING, interactive=False), "", None, "", ""


def speak_finished(request: gr.Request) -> tuple[Any, str, str, bool]:
    """The check is on again, fed the text, voice and setting the shown audio was made with."""
    button = gr.Button(CHECK_LABEL, interactive=True)
    result = ui.held(HELD, request)
    if result is None:
        return button, "", tts.EMBEDDED_NAME, True
    return button, result.text, result.voice, result.normalize


@ui.user_errors
def tts_roundtrip(
    audio: Any, text: str, voice: str = tts.EMBEDDED_NAME, normalize: bool = True
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
    clip = load_audio(audio, max_duration_s=tts.LIMITS.roundtrip_max_s)
    return roundtrip_html(roundtrip.check(clip, text, voice=voice, normalize=normalize))


def voice_card(voice: str) -> str:
    """The model card of the chosen voice."""
    return tts.CATALOG[voice].markdown() if voice in tts.CATALOG else ""


def voice_choices() -> list[tuple[str, str]]:
    """(label, name) per voice; Hub voices that cannot be had here are marked so."""
    return [(tts.voice_label(name), name) for name in tts.VOICES]


EXAMPLE_ROWS = (
    ("numbers.txt", tts.EMBEDDED_NAME),
    ("lecture.txt", tts.EMBEDDED_NAME),
    ("questions.txt", tts.EMBEDDED_NAME),
    ("german.txt", "Piper de_DE-thorsten-medium (Hub)"),
    ("french.txt", "MMS-TTS French (facebook/mms-tts-fra, Hub)"),
    ("spanish.txt", "Piper es_ES-davefx-medium (Hub)"),
)


def example_rows() -> list[list[str]]:
    """The example rows whose voice can speak here (Hub voices offline and uncached drop out)."""
    return [[_example(f), voice] for f, voice in EXAMPLE_ROWS if tts.voice_available(voice)]


# ---- layout ----


def build() -> gr.Blocks:
    """The TTS tab: text, voice and controls (from ``PARAMS``); speech, check, learn view."""
    rows = example_rows()
    hidden = len(EXAMPLE_ROWS) - len(rows)
    limit = tts.LIMITS.max_characters
    with gr.Blocks() as demo:
        gr.Markdown(
            f"### Text to speech\nType up to {limit:,} characters; the embedded Piper voice "
            "speaks them offline on the CPU. Hub voices (more Piper voices, Meta's MMS-TTS) "
            "load on demand. The learn view shows the phonemes the model read and how long it "
            "made each one."
        )
        with gr.Row():
            with gr.Column(scale=3):
                example = _example("numbers.txt")
                text = gr.Textbox(label="Text", value=example, lines=5)
                # The text travels with a shared link or settings file, like the controls.
                ui.shareable(Param("text", example, max_chars=tts.LIMITS.max_characters), text)
                voice = ui.control(_P["voice"], choices=voice_choices())
                with gr.Accordion("Controls", open=True):
                    controls = [
                        ui.control(_P[name])
                        for name in (
                            "length_scale",
                            "noise_scale",
                            "noise_w",
                            "sentence_pause_s",
                            "volume",
                            "normalize",
                        )
                    ]
                speak = gr.Button("Speak", variant="primary")
            with gr.Column(scale=2):
                speak_status = ui.status_box()
                audio = gr.Audio(label="Speech", type="filepath", interactive=False)
                study.send_from(
                    audio, "Text to speech", targets=("asr", "effects", "separation", "speaker")
                )
                badge = gr.Markdown(elem_classes=["timing-badge"])
                files = gr.File(label="Download: wav, flac, mp3", file_count="multiple")
                summary = gr.Markdown()
                check = gr.Button(CHECK_LABEL)
                check_status = ui.status_box()
                report = gr.HTML()
                # What the shown audio was made from, for the check (not the live text box,
                # which may have been edited since).
                spoken_text = gr.Textbox(visible=False)
                spoken_voice = gr.Textbox(tts.EMBEDDED_NAME, visible=False)
                spoken_normalize = gr.Checkbox(True, visible=False)
        note = (
            f" · {hidden} more need a Hub voice that is not downloaded here (offline)"
            if hidden
            else ""
        )
        gr.Examples(
            rows,
            inputs=[text, voice],
            api_name="tts_load_example",
            label=f"Examples (up to {limit:,} characters of your own){note}",
        )
        with gr.Accordion("Learn: what the model sees", open=True):
            card = gr.Markdown(voice_card(tts.EMBEDDED_NAME))
            # No label badge: it would cover the phoneme labels at the top of the figure.
            plot = gr.Plot(show_label=False, elem_classes=["tts-learn-plot"])
            phonemes = gr.HTML()
        compare_panel(text, voice_choices())

        spoken = ui.run_event(
            speak.click,
            synthesize,
            [text, voice, *controls],
            [audio, files, summary],
            status=speak_status,
            held=(HELD, HELD_BADGE),
            api_name="synthesize",
        )
        # Gradio 6.31 runs .then() steps after a success only, so a failure re-enables too.
        for after in (spoken.then, spoken.failure):
            after(
                speak_finished,
                None,
                [check, spoken_text, spoken_voice, spoken_normalize],
                queue=False,
                **ui.PRIVATE,
            )
        spoken.success(show_badge, None, badge, queue=False, **ui.PRIVATE)
        learn = spoken.success(draw_learn_views, None, [phonemes, plot], **ui.PRIVATE)
        # A new Speak drops the last run's learn views still being drawn: they would land
        # after this run's clearing and show the old phonemes under a new result or failure.
        speak.click(
            speak_started,
            None,
            [check, report, plot, phonemes, badge],
            queue=False,
            cancels=[learn],
            **ui.PRIVATE,
        )
        ui.run_event(
            check.click,
            tts_roundtrip,
            [audio, spoken_text, spoken_voice, spoken_normalize],
            [report],
            status=check_status,
            api_name="tts_roundtrip",
            # No audio is the handler's to explain ("Press Speak first"), not the validator's.
            validator=ui.audio_validator(
                max_duration_s=tts.LIMITS.roundtrip_max_s, audio_inputs=1, optional=(0,)
            ),
        )
        voice.change(
            voice_card,
            voice,
            card,
            api_name="tts_voice_card",
            queue=False,
            **ui.PRIVATE,
        )
    return demo


# The tab's face: its layout, its public handlers (named as their endpoints), the learn window.
__all__ = [
    "LEARN_WINDOW_S",
    "build",
    "draw_learn_views",
    "synthesize",
    "synthesize_compare",
    "tts_roundtrip",
]
