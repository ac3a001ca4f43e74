"""Speech recognition: a ladder of embedded Whisper models and allowlisted Hub models.

The task's public face: ``PARAMS``, ``LIMITS``, ``CATALOG``, :func:`run` (audio in, a
:class:`Transcript` out) and :func:`warm_up`. Inside: ``catalog`` (the allowlist and its
cards), ``backends/`` (faster-whisper, transformers), ``embedded`` (the two offline
models), ``subtitles``, ``live`` (the microphone), ``translate`` (speech translation),
``learn`` (what the learn view draws) and ``compare`` (two models on one recording, A/B).
Gradio-free; ``demos/asr`` adapts it to the UI.
"""

from __future__ import annotations

from audiokit.tasks.asr.backends import Options, Recognizer, SecondsDone
from audiokit.tasks.asr.backends.faster_whisper import (
    FALLBACK_TEMPERATURES,
    FasterWhisperRecognizer,
    load_faster_whisper,
)
from audiokit.tasks.asr.backends.transformers import (
    TransformersRecognizer,
    group_words,
    load_transformers_asr,
)
from audiokit.tasks.asr.catalog import (
    AUTO,
    BASE_ID,
    BASE_NAME,
    CATALOG,
    EMBEDDED_ID,
    EMBEDDED_IDS,
    EMBEDDED_NAME,
    HUB_MODELS,
    LANGUAGES,
    MEASURED_RTF,
    MODELS,
    SAMPLE_RATE,
    SLOW_30S_CLIP_S,
    TASKS,
    ModelSpec,
    slow_warning,
    speed_estimate,
)
from audiokit.tasks.asr.compare import (
    COMPARE_PARAMS,
    Comparison,
    Side,
    compare,
    engine_name,
    only_in,
    word_diff,
)
from audiokit.tasks.asr.embedded import (
    BASE_MODEL_BYTES,
    BASE_MODEL_SHA256,
    CACHE_ENV,
    base_folder,
    base_prepared,
    cache_root,
    embedded_base,
    embedded_whisper,
    join_model,
    prepare_embedded_base,
)
from audiokit.tasks.asr.learn import (
    Learned,
    confidence_summary,
    display_mel,
    log_mel,
)
from audiokit.tasks.asr.live import (
    LIVE_STEP_S,
    LIVE_TAIL_S,
    LIVE_WINDOW_S,
    LiveDecode,
    LiveTranscriber,
    decode_window,
)
from audiokit.tasks.asr.recognize import (
    check_options,
    get_recognizer,
    hub_folder,
    recognizer_from_folder,
    run,
    transcribe_text,
)
from audiokit.tasks.asr.settings import DEFAULT_BEAM, LIMITS, PARAMS, Limits, beam_for
from audiokit.tasks.asr.subtitles import timestamp, to_srt, to_vtt, write_downloads
from audiokit.tasks.asr.transcript import Segment, Transcript, Word
from audiokit.tasks.asr.translate import (
    LANGUAGE_NAMES,
    TRANSLATE_MAX_S,
    TRANSLATE_PARAMS,
    TRANSLATION_MODELS,
    XLSR_FILES,
    XLSR_ID,
    XLSR_NAME,
    XLSR_PARAMS_M,
    XLSR_SOURCES,
    XLSR_TARGETS,
    XLSR_URL,
    SpeechTranslator,
    Translation,
    get_speech_translator,
    load_speech_translator,
    translate_speech,
    translation_targets,
    xlsr_slow_warning,
)
from audiokit.tasks.asr.windows import WINDOW_S, plan_windows, quiet_cuts

Result = Transcript
# The name the speaker labels, the diarization tests and the TTS round trip call it by.
transcribe = run


def warm_up() -> None:
    """Load the embedded default model (tiny.en), so the first transcription starts at once."""
    embedded_whisper()


__all__ = [
    "AUTO",
    "BASE_ID",
    "BASE_MODEL_BYTES",
    "BASE_MODEL_SHA256",
    "BASE_NAME",
    "CACHE_ENV",
    "CATALOG",
    "COMPARE_PARAMS",
    "DEFAULT_BEAM",
    "EMBEDDED_ID",
    "EMBEDDED_IDS",
    "EMBEDDED_NAME",
    "FALLBACK_TEMPERATURES",
    "HUB_MODELS",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "LIMITS",
    "LIVE_STEP_S",
    "LIVE_TAIL_S",
    "LIVE_WINDOW_S",
    "MEASURED_RTF",
    "MODELS",
    "PARAMS",
    "SAMPLE_RATE",
    "SLOW_30S_CLIP_S",
    "TASKS",
    "TRANSLATE_MAX_S",
    "TRANSLATE_PARAMS",
    "TRANSLATION_MODELS",
    "WINDOW_S",
    "XLSR_FILES",
    "XLSR_ID",
    "XLSR_NAME",
    "XLSR_PARAMS_M",
    "XLSR_SOURCES",
    "XLSR_TARGETS",
    "XLSR_URL",
    "Comparison",
    "FasterWhisperRecognizer",
    "Learned",
    "Limits",
    "LiveDecode",
    "LiveTranscriber",
    "ModelSpec",
    "Options",
    "Recognizer",
    "Result",
    "SecondsDone",
    "Segment",
    "Side",
    "SpeechTranslator",
    "Transcript",
    "TransformersRecognizer",
    "Translation",
    "Word",
    "base_folder",
    "base_prepared",
    "beam_for",
    "cache_root",
    "check_options",
    "compare",
    "confidence_summary",
    "decode_window",
    "display_mel",
    "embedded_base",
    "embedded_whisper",
    "engine_name",
    "get_recognizer",
    "get_speech_translator",
    "group_words",
    "hub_folder",
    "join_model",
    "load_faster_whisper",
    "load_speech_translator",
    "load_transformers_asr",
    "log_mel",
    "only_in",
    "plan_windows",
    "prepare_embedded_base",
    "quiet_cuts",
    "recognizer_from_folder",
    "run",
    "slow_warning",
    "speed_estimate",
    "timestamp",
    "to_srt",
    "to_vtt",
    "transcribe",
    "transcribe_text",
    "translate_speech",
    "translation_targets",
    "warm_up",
    "word_diff",
    "write_downloads",
    "xlsr_slow_warning",
]
