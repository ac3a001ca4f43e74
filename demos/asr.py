"""Speech recognition tab: offline Whisper by default, Hub models on demand, long audio,
timestamps, subtitles, live microphone and a learn view of what the model sees.

The engines (faster-whisper, transformers) live in :mod:`audiokit.engines.asr`; this module
holds the Gradio adapters, the learn-view figure and ``build()``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np

from audiokit import plots
from audiokit.audio import format_duration, from_array, load_audio
from audiokit.engines import asr, speaker_labels
from audiokit.errors import AudioStudyError
from audiokit.metrics import alignment_html, word_error_rate
from audiokit.ui import audio_validator, download_dir, launch_kwargs, model_card, user_errors

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "asr"
DEFAULT_EXAMPLE = EXAMPLES / "jfk.flac"
MAX_REFERENCE_CHARS = 20_000
SEGMENT_COLUMNS = ["start", "end", "text", "avg log-prob", "no-speech prob"]
WORD_COLUMNS = ["start", "end", "word", "probability"]


def _model_choices() -> list[tuple[str, str]]:
    return [
        (f"{asr.EMBEDDED_NAME} · embedded, offline" if m == asr.EMBEDDED_ID else f"{m} · Hub", m)
        for m in asr.MODELS
    ]


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


def display_mel(samples: np.ndarray, *, max_columns: int = 2000) -> np.ndarray:
    """Whisper's log-mel of a clip, max-pooled in time to at most ~``max_columns`` columns.

    Computed 30 s at a time (as Whisper reads it), so an hour of audio never needs the
    whole hour's spectrogram in memory at once.
    """
    hop = asr.SAMPLE_RATE // 100  # Whisper's 10 ms frames
    step = max(1, -(-samples.size // hop) // max_columns)
    chunk = max(1, 3000 // step) * step * hop
    parts = []
    for start in range(0, max(samples.size, 1), chunk):
        mel = asr.log_mel(samples[start : start + chunk])
        cols = max(1, mel.shape[1] // step)
        parts.append(mel[:, : cols * step].reshape(mel.shape[0], cols, -1).max(axis=2))
    return np.concatenate(parts, axis=1)


def learn_figure(transcript: asr.Transcript, samples: np.ndarray):
    """Log-mel spectrogram the model sees, with segment starts, over per-segment confidence."""
    fig = plots.figure(plots.WIDTH_IN, 5.2)
    axes = fig.subplots(2, 1, height_ratios=(3, 2))
    mel = display_mel(samples)
    duration = max(transcript.duration_s, 1e-3)
    shown = axes[0].imshow(
        mel, origin="lower", aspect="auto", cmap=plots.CMAP, extent=(0.0, duration, 0, mel.shape[0])
    )
    for s in transcript.segments:
        axes[0].axvline(s.start_s, color="white", lw=0.6, alpha=0.7)
    spec = asr.MODELS.get(transcript.model_id)
    title = "What Whisper sees: 80-band log-mel, 10 ms frames (lines: segment starts)"
    if spec and "wav2vec2" in spec.id:
        title = "wav2vec 2.0 reads the raw waveform; Whisper's log-mel of it for comparison"
    axes[0].set(
        title=title,
        ylabel="mel band",
        xlim=(0, duration),
    )
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


def card_markdown(model_id: str) -> str:
    """The model card, plus what the backend means for the options."""
    spec = asr.MODELS.get(model_id)
    if spec is None:
        return ""
    card = model_card(
        name=spec.id if spec.id != asr.EMBEDDED_ID else asr.EMBEDDED_NAME,
        architecture=spec.architecture,
        size=spec.size,
        training_data=spec.training_data,
        paper=spec.paper,
        url=spec.url,
    )
    scope = (
        "multilingual: language choice and translation to English"
        if spec.multilingual
        else ("English only")
    )
    return f"{card}  \nBackend: {spec.backend} · {scope}."


@user_errors
def transcribe(
    audio_path: str | None,
    model_id: str = asr.EMBEDDED_ID,
    language: str = asr.AUTO,
    task: str = "transcribe",
    word_timestamps: bool = False,
    vad_filter: bool = False,
    beam_size: int = 5,
    reference: str = "",
    label_speakers: bool = False,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio injects progress via this default
) -> tuple[str, str, list[list[Any]], list[list[Any]], list[str], str, dict]:
    """Transcribe an audio file (up to an hour) to text, segments and subtitle files.

    Args:
        audio_path: the audio file (wav, flac, mp3, ogg/opus, m4a/aac).
        model_id: an allowlisted model; the embedded Whisper tiny.en works offline.
        language: "auto" to detect, or a language code (multilingual models only).
        task: "transcribe", or "translate" to English (multilingual models only).
        word_timestamps: also time every word.
        vad_filter: skip silence with a voice activity detector.
        beam_size: 1 (greedy, fastest) to 10.
        reference: optional reference transcript; when given, the WER is computed.
        label_speakers: also find who spoke when (up to 30 minutes) and label the transcript,
            subtitles and JSON with "Speaker 1", "Speaker 2", ...

    Returns:
        The transcript text; a summary; the segments (start, end, text, avg log-prob,
        no-speech probability); the words; .txt/.srt/.vtt/.json downloads; the WER
        alignment as HTML (empty without a reference).
    """
    if reference and len(reference) > MAX_REFERENCE_CHARS:
        raise AudioStudyError(
            f"The reference text is {len(reference):,} characters; at most "
            f"{MAX_REFERENCE_CHARS:,} are compared."
        )
    progress(0.0, desc="Loading the audio and the model")
    audio = load_audio(audio_path, max_duration_s=asr.MAX_DURATION_S)
    if label_speakers:
        speaker_labels.check_length(audio)
    total = audio.duration_s

    def on_progress(done_s: float) -> None:
        progress(
            min(done_s / total, 1.0),
            desc=f"Transcribed {format_duration(done_s)} of {format_duration(total)}",
        )

    started = time.perf_counter()
    transcript = asr.transcribe(
        audio,
        model_id=model_id,
        language=language,
        task=task,
        word_timestamps=word_timestamps,
        vad_filter=vad_filter,
        beam_size=int(beam_size),
        on_progress=on_progress,
    )
    elapsed_s = time.perf_counter() - started
    speed = f" · took {elapsed_s:.1f} s (real-time factor {elapsed_s / max(total, 1e-9):.2f})"
    folder = download_dir()
    files = asr.write_downloads(transcript, folder=folder, name=audio.name)
    text, summary = transcript.text, summary_markdown(transcript, elapsed_note=speed)
    if label_speakers:
        progress(1.0, desc="Finding who spoke when")
        labelled = speaker_labels.label_speakers(audio, transcript)
        files = speaker_labels.write_downloads(labelled, folder=folder, name=audio.name)
        text = labelled.text
        summary += f"\n\n{labelled.summary}"
    wer = ""
    if reference and reference.strip():
        wer = alignment_html(word_error_rate(reference, transcript.text))
    return (
        text,
        summary,
        segment_rows(transcript),
        word_rows(transcript),
        [str(p) for p in files],
        wer,
        transcript.to_dict(),
    )


@user_errors
def learn(audio_path: str | None, transcript: dict | None, model_id: str) -> tuple[Any, str]:
    """The learn view for the last transcript: log-mel + confidences, and the model card."""
    if not transcript:
        return None, card_markdown(model_id)
    audio = load_audio(audio_path, max_duration_s=asr.MAX_DURATION_S)
    t = asr.Transcript.from_dict(transcript)
    text = f"{card_markdown(t.model_id)}\n\n{asr.confidence_summary(t)}"
    return learn_figure(t, audio.for_model(asr.SAMPLE_RATE)), text


@user_errors
def model_changed(model_id: str) -> tuple[dict, dict, str]:
    """Enable language and task only for multilingual models; show the card."""
    spec = asr.MODELS[asr.check_allowed(model_id, asr.MODELS)]
    multi = spec.multilingual
    language = gr.update(interactive=multi, value=asr.AUTO)
    task = gr.update(interactive=multi, value="transcribe")
    return language, task, card_markdown(model_id)


@user_errors
def live(chunk: tuple[int, np.ndarray] | None, session: asr.LiveTranscriber | None):
    """Stream microphone chunks; returns the session and the running text."""
    session = session or asr.LiveTranscriber()
    if chunk is None or chunk[1] is None or np.asarray(chunk[1]).size == 0:
        return session, session.text
    rate, array = chunk
    return session, session.feed(from_array(array, rate, name="microphone"))


@user_errors
def live_finish(session: asr.LiveTranscriber | None):
    """Recording stopped: settle the whole transcript, partial words included."""
    if session is None:
        return None, gr.skip()
    return session, session.finish()


def reset_live() -> tuple[None, str]:
    """A new recording starts a new transcript."""
    return None, ""


def build(*, api_prefix: str = "") -> gr.Blocks:
    """The Speech recognition tab."""
    examples = sorted(p for p in EXAMPLES.glob("*") if p.suffix in {".flac", ".ogg", ".wav"})
    with gr.Blocks() as demo:
        gr.Markdown(
            "### Speech recognition\nUpload or record speech and get a transcript with "
            "timestamps and subtitles. The embedded Whisper tiny.en runs offline on the CPU; "
            "bigger or multilingual models load from the Hub when chosen. Long audio (up to "
            f"{format_duration(asr.MAX_DURATION_S)}) is transcribed whole."
        )
        with gr.Tabs():
            with gr.Tab("Transcribe a file"):
                with gr.Row():
                    with gr.Column(scale=1):
                        audio = gr.Audio(
                            value=str(DEFAULT_EXAMPLE) if DEFAULT_EXAMPLE.is_file() else None,
                            type="filepath",
                            sources=["upload", "microphone"],
                            label="Speech",
                        )
                        # Custom values pass to the core, which checks the allowlist in a sentence;
                        # Gradio's own check answers an event with a validator= by a bare 400.
                        model = gr.Dropdown(
                            _model_choices(),
                            value=asr.EMBEDDED_ID,
                            label="Model",
                            allow_custom_value=True,
                        )
                        with gr.Row():
                            language = gr.Dropdown(
                                language_choices(),
                                value=asr.AUTO,
                                label="Language",
                                allow_custom_value=True,
                                interactive=False,
                                info="auto = detect (multilingual models)",
                            )
                            task = gr.Radio(
                                list(asr.TASKS), value="transcribe", label="Task", interactive=False
                            )
                        with gr.Row():
                            words = gr.Checkbox(False, label="Word timestamps")
                            vad = gr.Checkbox(False, label="Skip silence (VAD)")
                        beam = gr.Slider(1, 10, value=5, step=1, label="Beam size (1 = greedy)")
                        speakers = gr.Checkbox(
                            False,
                            label="Label speakers",
                            info="who spoke when (up to 30 min), in the text and subtitles",
                        )
                        reference = gr.Textbox(
                            "",
                            label="Reference text (optional, for WER)",
                            lines=2,
                            max_length=MAX_REFERENCE_CHARS,
                        )
                        run = gr.Button("Transcribe", variant="primary")
                        if examples:
                            gr.Examples(
                                [[str(p)] for p in examples],
                                [audio],
                                label="Examples",
                                api_name=f"{api_prefix}asr_load_example",
                                api_visibility="private",
                            )
                    with gr.Column(scale=2):
                        text = gr.Textbox(label="Transcript", lines=5, buttons=["copy"])
                        summary = gr.Markdown()
                        wer = gr.HTML()
                        segments = gr.Dataframe(
                            headers=SEGMENT_COLUMNS,
                            label="Segments",
                            max_height=300,
                            wrap=True,
                            column_widths=["9%", "9%", "58%", "12%", "12%"],
                        )
                        with gr.Accordion("Words (tick word timestamps)", open=False):
                            word_table = gr.Dataframe(
                                headers=WORD_COLUMNS, show_label=False, max_height=240
                            )
                        files = gr.File(label="Downloads", file_count="multiple")
                with gr.Accordion("Learn: what the model sees", open=False):
                    learn_plot = gr.Plot(show_label=False)
                    learn_text = gr.Markdown(card_markdown(asr.EMBEDDED_ID))
            with gr.Tab("Live microphone"):
                gr.Markdown(
                    "Speak and watch the transcript grow. The embedded model re-reads the last "
                    f"{asr.LIVE_WINDOW_S:.0f} s every second; older text settles."
                )
                mic = gr.Audio(sources=["microphone"], streaming=True, label="Microphone")
                live_text = gr.Textbox(label="Live transcript", lines=6)
                live_state = gr.State(None)
        state = gr.State(None)
        inputs = [audio, model, language, task, words, vad, beam, reference, speakers]
        run.click(
            transcribe,
            inputs,
            [text, summary, segments, word_table, files, wer, state],
            api_name=f"{api_prefix}transcribe",
            validator=audio_validator(max_duration_s=asr.MAX_DURATION_S),
        ).success(
            learn,
            [audio, state, model],
            [learn_plot, learn_text],
            api_name=f"{api_prefix}asr_learn",
            api_visibility="private",
            show_progress="hidden",
        )
        model.change(
            model_changed,
            model,
            [language, task, learn_text],
            api_name=f"{api_prefix}asr_model_info",
            api_visibility="private",
            queue=False,
        )
        mic.start_recording(
            reset_live,
            None,
            [live_state, live_text],
            api_name=f"{api_prefix}asr_live_reset",
            api_visibility="private",
            queue=False,
        )
        mic.stop_recording(
            live_finish,
            live_state,
            [live_state, live_text],
            api_name=f"{api_prefix}asr_live_finish",
            api_visibility="private",
        )
        mic.stream(
            live,
            [mic, live_state],
            [live_state, live_text],
            api_name=f"{api_prefix}asr_stream",
            stream_every=1.0,
            time_limit=600,
            show_progress="hidden",
        )
    return demo


if __name__ == "__main__":
    build().queue(default_concurrency_limit=1).launch(**launch_kwargs())
