"""The task's entry point: any audio to a time-stamped transcript, with the allowlisted model.

``run()`` checks every keyword against ``PARAMS`` (API callers bypass the sliders), refuses
what the model cannot do before loading it, resamples to 16 kHz mono at the boundary, and
hands the samples to the model's backend.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from audiokit.audio import Audio, format_duration, is_silent, validate
from audiokit.errors import AudioStudyError
from audiokit.models import check_allowed, hub_snapshot
from audiokit.params import check_params
from audiokit.progress import Progress, or_silent
from audiokit.tasks.asr.backends import Options, Recognizer
from audiokit.tasks.asr.backends.faster_whisper import (
    FasterWhisperRecognizer,
    load_faster_whisper,
)
from audiokit.tasks.asr.backends.transformers import TransformersRecognizer, load_transformers_asr
from audiokit.tasks.asr.catalog import (
    AUTO,
    BASE_ID,
    BASE_NAME,
    EMBEDDED_ID,
    EMBEDDED_NAME,
    HUB_MODELS,
    LANGUAGES,
    MODELS,
    SAMPLE_RATE,
)
from audiokit.tasks.asr.embedded import base_prepared, embedded_base, embedded_whisper
from audiokit.tasks.asr.settings import LIMITS, PARAMS, beam_for
from audiokit.tasks.asr.transcript import Segment, Transcript

_P = PARAMS


def get_recognizer(model_id: str = _P["model_id"].default) -> Recognizer:
    """The recognizer for an allowlisted model id, loaded once (Hub models on first use).

    Raises:
        AudioStudyError: unknown id.
        ModelUnavailableError: a Hub model that is not cached here while offline.
    """
    spec = MODELS[check_allowed(model_id, MODELS)]
    if spec.id == EMBEDDED_ID:
        return FasterWhisperRecognizer(embedded_whisper())
    if spec.id == BASE_ID:
        return FasterWhisperRecognizer(embedded_base())
    return recognizer_from_folder(hub_folder(spec.id), backend=spec.backend)


def hub_folder(model_id: str) -> str:
    """The local folder of an allowlisted Hub model (downloaded when online), loading nothing.

    Raises:
        AudioStudyError: unknown id.
        ModelUnavailableError: not cached here while offline; the sentence names the
            embedded alternative.
    """
    spec = MODELS[check_allowed(model_id, MODELS)]
    alternative = f"{BASE_NAME} or {EMBEDDED_NAME}" if spec.multilingual else EMBEDDED_NAME
    return hub_snapshot(spec.id, allowed=HUB_MODELS, embedded_alternative=alternative)


def recognizer_from_folder(folder: str, *, backend: str) -> Recognizer:
    """A recognizer on a model already on disk (a Hub snapshot, or a test's tmp_path).

    Args:
        folder: the model's local directory.
        backend: ``"faster-whisper"`` (CTranslate2 conversion) or ``"transformers"``.
    """
    if backend == "faster-whisper":
        return FasterWhisperRecognizer(load_faster_whisper(folder))
    if backend == "transformers":
        return TransformersRecognizer(load_transformers_asr(folder))
    raise AudioStudyError(f"Unknown ASR backend {backend!r}; use faster-whisper or transformers.")


def check_options(options: Options, *, multilingual: bool, model_name: str) -> Options:
    """Refuse options the model cannot honour, with what to change."""
    if not multilingual:
        if options.task == "translate":
            raise AudioStudyError(
                f"{model_name} is English-only, so it cannot translate. Choose a multilingual "
                f"model: the embedded {BASE_NAME} translates to English offline."
            )
        if options.language not in (None, "en"):
            raise AudioStudyError(
                f"{model_name} is English-only; set the language to auto or en, or choose a "
                f"multilingual model such as the embedded {BASE_NAME}."
            )
    return options


def _tidy(segments: list[Segment], duration_s: float) -> tuple[Segment, ...]:
    """Times clamped into the audio and never going backwards (random or odd models)."""
    out, last = [], 0.0
    for s in segments:
        start = min(max(s.start_s, last), duration_s)
        end = min(max(s.end_s, start), duration_s)
        words, w_last = [], start
        for w in s.words:
            w_start = min(max(w.start_s, w_last), end)
            w_end = min(max(w.end_s, w_start), end)
            words.append(dataclasses.replace(w, start_s=w_start, end_s=w_end))
            w_last = w_end
        out.append(dataclasses.replace(s, start_s=start, end_s=end, words=tuple(words)))
        last = end
    return tuple(out)


def run(
    audio: Audio,
    *,
    model_id: str = _P["model_id"].default,
    language: str = _P["language"].default,
    task: str = _P["task"].default,
    word_timestamps: bool = _P["word_timestamps"].default,
    vad_filter: bool = _P["vad_filter"].default,
    beam_size: int | None = None,
    temperature_fallback: bool = _P["temperature_fallback"].default,
    recognizer: Recognizer | None = None,
    progress: Progress | None = None,
) -> Transcript:
    """Transcribe (or translate to English) a whole clip, however long, with timestamps.

    Args:
        audio: any rate and channel count, up to ``LIMITS.max_duration_s``; resampled to
            16 kHz mono here.
        model_id: an id from ``CATALOG`` (any label when ``recognizer`` is given).
        language: ``"auto"`` to detect, else an ISO code (multilingual models only).
        task: ``"transcribe"`` or ``"translate"`` (to English; multilingual models only).
        word_timestamps: also time every word.
        vad_filter: skip silence with the Silero voice activity detector.
        beam_size: 1 (greedy, fastest) to 10; None: the beam the benchmark chose for the model.
        temperature_fallback: re-decode doubtful windows at higher temperatures
            (faster-whisper backend).
        recognizer: a loaded recognizer (tests pass tiny ones); by default ``model_id``'s.
        progress: called with (fraction done, message).

    Raises:
        AudioStudyError: bad audio or options; the message says what to do.
        ModelUnavailableError: a Hub model that is not cached here while offline.
    """
    values = check_params(
        PARAMS,
        {
            "model_id": model_id,
            "language": language,
            "task": task,
            "word_timestamps": word_timestamps,
            "vad_filter": vad_filter,
            "beam_size": beam_for(model_id) if beam_size is None else beam_size,
            "temperature_fallback": temperature_fallback,
        },
    )
    model_id = values["model_id"]
    validate(audio, max_duration_s=LIMITS.max_duration_s)
    chosen = None if values["language"] in (AUTO, "") else values["language"]
    if chosen is not None and chosen not in LANGUAGES:
        raise AudioStudyError(
            f"Unknown language code {chosen!r}; use 'auto' or a code such as en, de, fr."
        )
    options = Options(
        language=chosen,
        task=values["task"],
        word_timestamps=values["word_timestamps"],
        vad_filter=values["vad_filter"],
        beam_size=values["beam_size"],
        temperature_fallback=values["temperature_fallback"],
    )
    report = or_silent(progress)
    if recognizer is None:
        spec = MODELS[check_allowed(model_id, MODELS)]
        # Refuse impossible options before a long model load.
        check_options(options, multilingual=spec.multilingual, model_name=model_id)
        if model_id == BASE_ID and not base_prepared():
            report(0.0, "Preparing Whisper base: joining its two parts (first use only)")
        recognizer = get_recognizer(model_id)
    check_options(options, multilingual=recognizer.multilingual, model_name=model_id)
    fixed_language = options.language or ("en" if not recognizer.multilingual else AUTO)
    if is_silent(audio):
        return Transcript(
            "", (), fixed_language, 1.0, audio.duration_s, model_id, options.task,
            "The audio is silent (below -60 dBFS), so there is nothing to transcribe.",
        )  # fmt: skip
    total = audio.duration_s

    def done(seconds: float) -> None:
        report(
            min(seconds / total, 1.0),
            f"Transcribed {format_duration(seconds)} of {format_duration(total)}",
        )

    samples = np.ascontiguousarray(audio.for_model(SAMPLE_RATE), dtype=np.float32)
    segments, lang, prob = recognizer.recognize(samples, options=options, on_progress=done)
    tidy = _tidy(segments, audio.duration_s)
    text = " ".join(s.text for s in tidy if s.text).strip()
    note = "" if text else "No speech was recognised in this audio."
    return Transcript(text, tidy, lang, prob, audio.duration_s, model_id, options.task, note)


def transcribe_text(audio: Audio) -> str:
    """The plain transcript of a clip with the embedded model (greedy, English)."""
    samples = audio.for_model(SAMPLE_RATE).astype(np.float32)
    segments, _ = embedded_whisper().transcribe(samples, language="en", beam_size=1)
    return " ".join(s.text.strip() for s in segments).strip()
