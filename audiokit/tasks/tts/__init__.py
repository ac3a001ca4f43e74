"""Text to speech: the voices, the parameters, the entry point and its result.

- ``CATALOG`` / ``VOICES`` (:mod:`.catalog`): the allowlisted voices, each with a ModelCard.
- ``PARAMS``: every setting of :func:`run` once (default, range, step, unit, help).
- ``LIMITS``: the text length, the chunk length, the round-trip check's duration.
- :func:`run` (alias ``synthesize``): text in, a :class:`Result` out (audio, the text as read,
  one :class:`Segment` per sentence with the symbols the model read and their end times).
- :func:`compare` (:mod:`.compare`): one text read with two settings (voices) A and B, each
  timed and checked by the round trip, as a :class:`Comparison`.
- :func:`warm_up`: loads the embedded Piper voice (the app's background warm-up calls it).

Engines: ``backends/piper.py`` (the embedded voice and Hub Piper voices) and
``backends/vits.py`` (MMS-TTS through transformers); the text front end is :mod:`.text`;
the round-trip check through speech recognition is :mod:`.roundtrip`.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from audiokit import limits
from audiokit.audio import Audio
from audiokit.errors import AudioStudyError
from audiokit.params import Param, check_params, declare
from audiokit.progress import Progress, or_silent
from audiokit.tasks.tts.backends import Backend, Spoken, backend_for
from audiokit.tasks.tts.backends.piper import embedded_piper, load_piper
from audiokit.tasks.tts.backends.vits import load_vits
from audiokit.tasks.tts.catalog import (
    CATALOG,
    EMBEDDED_NAME,
    HUB_REPOS,
    VOICES,
    Voice,
    get_voice,
    hub_files,
    voice_available,
    voice_label,
)
from audiokit.tasks.tts.text import (
    MAX_CHUNK_CHARACTERS,
    clean_text,
    normalize_for_speech,
    number_words,
    ordinal_words,
    split_sentences,
    verbalize_numbers,
)

PARAMS: dict[str, Param] = declare(
    Param(
        "voice",
        EMBEDDED_NAME,
        label="Voice",
        help="An allowlisted voice; the embedded Piper voice works offline.",
        choices=tuple(VOICES),
    ),
    Param(
        "length_scale",
        1.0,
        label="Length scale",
        help="Speaking rate as a duration multiplier: above 1 is slower, below 1 faster.",
        minimum=0.25,
        maximum=4.0,
        step=0.05,
        unit="×",
    ),
    Param(
        "noise_scale",
        0.667,
        label="Voice variability (noise scale)",
        help="Noise of the flow's prior: 0 reads the same way every time.",
        minimum=0.0,
        maximum=2.0,
        step=0.01,
    ),
    Param(
        "noise_w",
        0.8,
        label="Rhythm variability (noise w)",
        help="Noise of the stochastic duration predictor: 0 gives the same lengths every time.",
        minimum=0.0,
        maximum=2.0,
        step=0.01,
    ),
    Param(
        "sentence_pause_s",
        0.25,
        label="Pause between sentences",
        help="Silence inserted between sentences.",
        minimum=0.0,
        maximum=3.0,
        step=0.05,
        unit=" s",
    ),
    Param(
        "volume",
        1.0,
        label="Volume (peak)",
        help="Peak level of the output: 1 is full scale.",
        minimum=0.0,
        maximum=1.0,
        step=0.05,
    ),
    Param(
        "normalize",
        True,
        label="Read abbreviations, money and numbers as words (English)",
        help="Write out what espeak-ng would misread before phonemising.",
    ),
)


@dataclasses.dataclass(frozen=True)
class Limits:
    """How much the task takes (set by ``AUDIOSTUDY_TTS_*`` variables, see audiokit.limits).

    Attributes:
        max_characters: the longest text spoken at once.
        max_chunk_characters: the longest piece handed to an engine (long sentences are cut).
        roundtrip_max_s: the longest speech the round-trip check transcribes.
    """

    max_characters: int = limits.TTS_MAX_CHARACTERS
    max_chunk_characters: int = MAX_CHUNK_CHARACTERS
    roundtrip_max_s: float = limits.TTS_ROUNDTRIP_MAX_S


LIMITS = Limits()
MAX_CHARACTERS = LIMITS.max_characters


@dataclasses.dataclass(frozen=True)
class Settings:
    """The controls the engines really have (defaults from ``PARAMS``).

    Attributes:
        length_scale: phoneme durations are multiplied by this (2.0 = half as fast).
        noise_scale: variability of the voice (prior noise of the flow).
        noise_w: variability of the rhythm (noise of the stochastic duration predictor).
        volume: peak level of the output, 0 to 1.
    """

    length_scale: float = PARAMS["length_scale"].default
    noise_scale: float = PARAMS["noise_scale"].default
    noise_w: float = PARAMS["noise_w"].default
    volume: float = PARAMS["volume"].default


@dataclasses.dataclass(frozen=True)
class Segment:
    """One spoken chunk placed on the output's time line.

    Attributes:
        text: the sentence that was read.
        start_s: where its audio starts in the output.
        end_s: where it ends (before the pause).
        symbols: what the model read.
        boundaries_s: absolute end time of each symbol, or None without engine durations.
    """

    text: str
    start_s: float
    end_s: float
    symbols: tuple[str, ...]
    boundaries_s: tuple[float, ...] | None


@dataclasses.dataclass(frozen=True)
class Result:
    """What :func:`run` returns.

    Attributes:
        audio: mono float32 at the voice's rate.
        voice: the voice's name.
        text: the input, cleaned.
        spoken_text: what the phonemiser read, after normalisation.
        segments: one per spoken chunk, in order.
        elapsed_s: wall time of synthesis.
        normalize: whether the text was normalised before phonemising.
    """

    audio: Audio
    voice: str
    text: str
    spoken_text: str
    segments: tuple[Segment, ...]
    elapsed_s: float
    normalize: bool = True

    @property
    def real_time_factor(self) -> float:
        """Synthesis time per second of audio (below 1 = faster than real time)."""
        return self.elapsed_s / self.audio.duration_s if self.audio.frames else 0.0

    @property
    def has_durations(self) -> bool:
        """Whether every segment has the engine's per-symbol durations."""
        return bool(self.segments) and all(s.boundaries_s is not None for s in self.segments)


Synthesis = Result  # the name the tab used before the task shape


def as_read(text: str, *, voice: str = EMBEDDED_NAME, normalize: bool = True) -> str:
    """The words a voice is handed for ``text``: normalised for its language, or as typed."""
    return normalize_for_speech(text, language=get_voice(voice).language) if normalize else text


def run(
    text: str,
    *,
    voice: str = PARAMS["voice"].default,
    length_scale: float = PARAMS["length_scale"].default,
    noise_scale: float = PARAMS["noise_scale"].default,
    noise_w: float = PARAMS["noise_w"].default,
    sentence_pause_s: float = PARAMS["sentence_pause_s"].default,
    volume: float = PARAMS["volume"].default,
    normalize: bool = PARAMS["normalize"].default,
    progress: Progress | None = None,
) -> Result:
    """Speak ``text`` sentence by sentence with an allowlisted voice, as one clip.

    Args:
        text: up to ``LIMITS.max_characters`` characters.
        voice, length_scale, noise_scale, noise_w, sentence_pause_s, volume, normalize:
            see ``PARAMS`` (each is checked against it).
        progress: called with (fraction done, "Sentence n of m").

    Raises:
        AudioStudyError: bad text, setting or voice; ModelUnavailableError for a Hub voice
            that cannot be had offline.
    """
    checked = check_params(
        PARAMS,
        {
            "voice": voice,
            "length_scale": length_scale,
            "noise_scale": noise_scale,
            "noise_w": noise_w,
            "sentence_pause_s": sentence_pause_s,
            "volume": volume,
            "normalize": normalize,
        },
    )
    text = clean_text(text, max_characters=LIMITS.max_characters)
    settings = Settings(
        **{k: checked[k] for k in ("length_scale", "noise_scale", "noise_w", "volume")}
    )
    pause_s, voice = checked["sentence_pause_s"], checked["voice"]
    spoken_text = as_read(text, voice=voice, normalize=checked["normalize"])
    sentences = split_sentences(spoken_text, max_characters=LIMITS.max_chunk_characters)
    if not sentences:
        raise AudioStudyError("After removing symbols nothing speakable is left in the text.")
    report = or_silent(progress)
    backend = backend_for(voice)
    started = time.perf_counter()
    pieces, segments = [], []
    position = 0
    rate = backend.sample_rate
    for n, sentence in enumerate(sentences):
        report(n / len(sentences), f"Sentence {n + 1} of {len(sentences)}")
        for chunk in backend.speak(sentence, settings):
            if pieces and pause_s > 0:
                pieces.append(np.zeros(round(pause_s * rate), np.float32))
                position += pieces[-1].size
            boundaries = None
            if chunk.durations is not None:
                ends = position + np.cumsum(chunk.durations)
                boundaries = tuple(float(e) / rate for e in ends)
            end_s = (position + chunk.samples.size) / rate
            segments.append(Segment(sentence, position / rate, end_s, chunk.symbols, boundaries))
            pieces.append(chunk.samples)
            position += chunk.samples.size
    elapsed = time.perf_counter() - started
    report(1.0, f"Spoke {len(sentences)} sentence(s)")
    samples = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
    audio = Audio(samples[np.newaxis, :].astype(np.float32), rate, "speech")
    return Result(audio, voice, text, spoken_text, tuple(segments), elapsed, checked["normalize"])


synthesize = run  # the name other modules call


def speak(text: str) -> Audio:
    """``text`` spoken by the embedded voice, default settings, mono float32 (test speech)."""
    voice = embedded_piper()
    chunks = [c.audio_float_array for c in voice.synthesize(text)]
    samples = np.concatenate(chunks).astype(np.float32)
    return Audio(samples[np.newaxis, :], voice.config.sample_rate, "piper")


def warm_up() -> None:
    """Load the embedded Piper voice, so the first Speak does not wait for it."""
    backend_for(EMBEDDED_NAME)


# Last: compare and roundtrip use run() and the names above from this package.
from audiokit.tasks.tts.compare import Comparison, Side, compare  # noqa: E402

__all__ = [
    "CATALOG",
    "EMBEDDED_NAME",
    "HUB_REPOS",
    "LIMITS",
    "MAX_CHARACTERS",
    "MAX_CHUNK_CHARACTERS",
    "PARAMS",
    "VOICES",
    "Backend",
    "Comparison",
    "Limits",
    "Result",
    "Segment",
    "Settings",
    "Side",
    "Spoken",
    "Synthesis",
    "Voice",
    "as_read",
    "backend_for",
    "clean_text",
    "compare",
    "embedded_piper",
    "get_voice",
    "hub_files",
    "load_piper",
    "load_vits",
    "normalize_for_speech",
    "number_words",
    "ordinal_words",
    "run",
    "speak",
    "split_sentences",
    "synthesize",
    "verbalize_numbers",
    "voice_available",
    "voice_label",
    "warm_up",
]
