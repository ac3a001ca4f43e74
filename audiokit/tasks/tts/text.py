"""What a voice is handed: clean text, English normalisation, numbers in words, sentences.

The text front end: :func:`clean_text` refuses what cannot be
spoken, :func:`normalize_for_speech` writes out what espeak-ng would misread (abbreviations,
money, decades, numbers the way it reads digits), :func:`split_sentences` cuts long text into
the chunks the engines attend over. Pure Python, no engine.
"""

from __future__ import annotations

import re
import unicodedata

from audiokit import limits
from audiokit.errors import AudioStudyError

#: Piper and VITS attend over a whole sentence; very long ones get slow and drift.
MAX_CHUNK_CHARACTERS = 400


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


def clean_text(text: object, *, max_characters: int = limits.TTS_MAX_CHARACTERS) -> str:
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
