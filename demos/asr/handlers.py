"""Handlers of the Speech recognition tab: Gradio values in, ``audiokit.tasks.asr`` in the
middle, Gradio values out. The public ones return only the answer; the learn view is drawn
by a private follow-up from the result held for the session."""

from __future__ import annotations

import time
from typing import Any

import gradio as gr
import numpy as np

from audiokit import study, ui
from audiokit.audio import from_array, load_audio
from audiokit.errors import AudioStudyError
from audiokit.metrics import alignment_html, word_error_rate
from audiokit.models import check_allowed
from audiokit.tasks import asr
from audiokit.tasks.diarization import labels as speaker_labels
from demos.asr import views

P = asr.PARAMS
T = asr.TRANSLATE_PARAMS
HELD = "asr"


@ui.user_errors
def transcribe(
    audio_path: str | None,
    model_id: str = P["model_id"].default,
    language: str = P["language"].default,
    task: str = P["task"].default,
    word_timestamps: bool = P["word_timestamps"].default,
    vad_filter: bool = P["vad_filter"].default,
    beam_size: float = P["beam_size"].default,
    reference: str = "",
    label_speakers: bool = False,
    request: gr.Request | None = None,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio injects progress via this default
) -> tuple[str, str, list[list[Any]], list[list[Any]], list[str], str]:
    """Transcribe an audio file (up to an hour) to text, segments and subtitle files.

    Args:
        audio_path: the audio file (wav, flac, mp3, ogg/opus, m4a/aac), up to 1:00:00.
        model_id: an allowlisted model; the embedded "embedded/whisper-tiny.en" (English)
            and "embedded/whisper-base" (99 languages) work offline.
        language: "auto" to detect, or a language code such as "de" (multilingual models).
        task: "transcribe", or "translate" to English (multilingual models only).
        word_timestamps: also time every word.
        vad_filter: skip silence with a voice activity detector.
        beam_size: 1 (greedy, fastest) to 10, a whole number.
        reference: optional reference transcript (up to 20,000 characters); when given,
            the word error rate is computed and the alignment shown.
        label_speakers: also find who spoke when (up to 30 minutes) and label the transcript,
            subtitles and JSON with "Speaker 1", "Speaker 2", ... (times every word, so a
            sentence is split where the voice changes).

    Returns:
        The transcript text; a summary (language, duration, and a timing badge: engine,
        device, seconds taken, real-time factor); the segments
        (start s, end s, text, avg log-prob, no-speech probability); the words (start s,
        end s, word, probability); .txt/.srt/.vtt/.json downloads; the WER alignment as
        HTML (empty without a reference).
    """
    report = ui.progress_bridge(progress)
    if reference and len(reference) > asr.LIMITS.max_reference_chars:
        raise AudioStudyError(
            f"The reference text is {len(reference):,} characters; at most "
            f"{asr.LIMITS.max_reference_chars:,} are compared."
        )
    report(0.0, "Loading the audio")
    audio = load_audio(audio_path, max_duration_s=asr.LIMITS.max_duration_s)
    if label_speakers:
        speaker_labels.check_length(audio)
    first_use = model_id == asr.BASE_ID and not asr.base_prepared()
    started = time.perf_counter()
    transcript = asr.run(
        audio,
        model_id=model_id,
        language=language,
        task=task,
        # Speaker labels split a sentence where the voice changes, which needs word times.
        word_timestamps=word_timestamps or label_speakers,
        vad_filter=vad_filter,
        beam_size=beam_size,
        progress=report,
    )
    elapsed_s = time.perf_counter() - started
    speed = " · prepared Whisper base on first use (joined into the cache)" if first_use else ""
    # Up to an hour of 16 kHz samples per session until its learn view is drawn: keep few.
    ui.hold(HELD, asr.Learned(transcript, audio.for_model(asr.SAMPLE_RATE)), request, keep=8)
    folder = ui.download_dir()
    files = asr.write_downloads(transcript, folder=folder, name=audio.name)
    text, summary = transcript.text, views.summary_markdown(transcript, elapsed_note=speed)
    if label_speakers:
        report(1.0, "Finding who spoke when")
        labelled = speaker_labels.label_speakers(audio, transcript)
        files = speaker_labels.write_downloads(labelled, folder=folder, name=audio.name)
        text = labelled.text
        summary += f"\n\n{labelled.summary}"
    summary += "\n\n" + study.timing_badge(asr.engine_name(model_id), elapsed_s, audio.duration_s)
    wer = ""
    if reference and reference.strip():
        wer = alignment_html(word_error_rate(reference, transcript.text))
    return (
        text,
        summary,
        views.segment_rows(transcript),
        views.word_rows(transcript),
        [str(p) for p in files],
        wer,
    )


C = asr.COMPARE_PARAMS


@ui.user_errors
def transcribe_compare(
    audio_path: str | None,
    model_a: str = C["model_a"].default,
    model_b: str = C["model_b"].default,
    reference: str = "",
    progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio injects progress via this default
) -> tuple[str, str, str, str, str]:
    """Transcribe one recording with two models, A then B, and show where they differ.

    Args:
        audio_path: the audio file (wav, flac, mp3, ogg/opus, m4a/aac), up to 1:00:00.
        model_a: an allowlisted model id; the embedded "embedded/whisper-tiny.en" (English)
            and "embedded/whisper-base" (99 languages) work offline.
        model_b: another allowlisted model id (the same model twice is allowed).
        reference: optional reference transcript (up to 20,000 characters); when given,
            each model's word error rate is shown.

    Returns:
        A's transcript; A's timing badge (engine, device, seconds, real-time factor);
        B's transcript; B's timing badge; the word diff of A against B as HTML (words only
        in A and only in B marked), under each model's WER when a reference was given.
    """
    report = ui.progress_bridge(progress)
    report(0.0, "Loading the audio")
    audio = load_audio(audio_path, max_duration_s=asr.LIMITS.max_duration_s)
    result = asr.compare(
        audio,
        a={"model_id": model_a},
        b={"model_id": model_b},
        reference=reference or "",
        progress=report,
    )
    return (
        result.a.result.text,
        views.side_badge(result.a),
        result.b.result.text,
        views.side_badge(result.b),
        views.comparison_html(result),
    )


@ui.user_errors
def draw_learn(model_id: str, request: gr.Request) -> tuple[Any, str]:
    """The learn view of this session's last transcript, from the held result (no decoding)."""
    learned = ui.held(HELD, request)
    if learned is None:
        return None, views.card_markdown(model_id)
    # Keep the pooled spectrogram instead of the samples: a held hour stays a few hundred KB.
    learned = learned.with_mel()
    ui.hold(HELD, learned, request)
    return (
        views.learn_figure(learned.transcript, learned.mel),
        views.learn_markdown(learned.transcript),
    )


@ui.user_errors
def model_changed(model_id: str) -> tuple[dict, dict, str, dict]:
    """Unlock language and task for multilingual models (say why they are locked otherwise),
    show the card, and set the beam size the benchmark chose for the model."""
    spec = asr.MODELS[check_allowed(model_id, asr.MODELS)]
    multi = spec.multilingual
    language = gr.update(
        interactive=multi,
        value=P["language"].default,
        info=P["language"].help if multi else views.ENGLISH_ONLY_LANGUAGE,
    )
    task = gr.update(
        interactive=multi,
        value=P["task"].default,
        info=P["task"].help if multi else views.ENGLISH_ONLY_TASK.format(name=spec.title),
    )
    beam = gr.update(value=asr.beam_for(model_id))
    return language, task, views.card_markdown(model_id), beam


@ui.user_errors
def translation_model_changed(model_id: str) -> tuple[dict, str]:
    """The target list and card of the chosen translation model."""
    choices = views.target_choices(check_allowed(model_id, asr.TRANSLATION_MODELS))
    return gr.update(choices=choices, value=T["target"].default), views.translation_card(model_id)


@ui.user_errors
def translate_speech(
    audio_path: str | None,
    model_id: str = T["model_id"].default,
    target: str = T["target"].default,
    progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio injects progress via this default
) -> tuple[str, str]:
    """Translate speech: spoken language in, text in the target language out.

    Args:
        audio_path: the audio file; up to 1:00:00 with Whisper base, 2:00 with XLS-R.
        model_id: "embedded/whisper-base" (offline, into English) or
            "facebook/wav2vec2-xls-r-2b-22-to-16" (Hub, into one of its 16 languages).
        target: the language code to write ("en"; XLS-R: en, de, tr, fa, sv-SE, mn, zh-CN,
            cy, ca, sl, et, id, ar, ta, lv, ja).

    Returns:
        The translation, and a summary (detected source language with its probability).
    """
    report = ui.progress_bridge(progress)
    check_allowed(model_id, asr.TRANSLATION_MODELS)
    report(0.0, "Loading the audio")
    audio = load_audio(audio_path, max_duration_s=asr.TRANSLATE_MAX_S[model_id])
    started = time.perf_counter()
    result = asr.translate_speech(audio, model_id=model_id, target=target, progress=report)
    elapsed_s = time.perf_counter() - started
    return result.text, views.translation_summary(result, elapsed_s=elapsed_s)


@ui.user_errors
def live(chunk: tuple[int, np.ndarray] | None, session: asr.LiveTranscriber | None):
    """Stream microphone chunks; returns the session and the running text."""
    session = session or asr.LiveTranscriber()
    if chunk is None or chunk[1] is None or np.asarray(chunk[1]).size == 0:
        return session, session.text
    rate, array = chunk
    return session, session.feed(from_array(array, rate, name="microphone"))


@ui.user_errors
def live_finish(session: asr.LiveTranscriber | None):
    """Recording stopped: settle the whole transcript, partial words included."""
    if session is None:
        return None, gr.skip()
    return session, session.finish()


def reset_live() -> tuple[None, str]:
    """A new recording starts a new transcript."""
    return None, ""
