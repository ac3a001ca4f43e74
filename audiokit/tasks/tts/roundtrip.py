"""The round-trip check: transcribe synthesised speech with the embedded recogniser and score it.

The reference is the text as the voice read it (abbreviations, money and numbers in the words
it spoke), and the transcript goes through the same normalisation, so "Dr." heard as "Dr." or
"$12.75" heard as "$12.75" count as right.
"""

from __future__ import annotations

import dataclasses

from audiokit.audio import Audio
from audiokit.errors import AudioStudyError
from audiokit.metrics import WerResult, word_error_rate
from audiokit.tasks.tts import LIMITS, as_read, clean_text, get_voice, normalize_for_speech

#: The embedded recogniser (Whisper tiny.en) understands English only.
ASR_LANGUAGE = "en"


@dataclasses.dataclass(frozen=True)
class RoundTrip:
    """What :func:`check` found.

    Attributes:
        read: the text as the voice read it (or as typed, when normalisation was off).
        heard: the recogniser's transcript.
        heard_as_read: the transcript normalised the way the reference was.
        score: the word error rate and alignment of ``heard_as_read`` against ``read``.
        normalize: whether the text was normalised when it was spoken.
        recogniser: the recogniser's name.
    """

    read: str
    heard: str
    heard_as_read: str
    score: WerResult
    normalize: bool
    recogniser: str


def check(audio: Audio, text: str, *, voice: str, normalize: bool = True) -> RoundTrip:
    """Transcribe ``audio`` (speech of ``text`` by ``voice``) and score it against the text.

    Raises:
        AudioStudyError: a non-English voice (the embedded recogniser is English only),
            empty reference text, or audio longer than ``LIMITS.roundtrip_max_s``.
    """
    from audiokit.tasks.asr import EMBEDDED_NAME as ASR_NAME
    from audiokit.tasks.asr import transcribe_text

    if get_voice(voice).language != ASR_LANGUAGE:
        raise AudioStudyError(
            f"The embedded recogniser ({ASR_NAME}) understands English only; pick an English "
            "voice to check the round trip."
        )
    text = clean_text(text)
    if audio.duration_s > LIMITS.roundtrip_max_s:
        raise AudioStudyError(
            f"The round trip checks at most {LIMITS.roundtrip_max_s:.0f} s of speech; this is "
            f"{audio.duration_s:.0f} s. Check a shorter text."
        )
    read = as_read(text, voice=voice, normalize=normalize)
    heard = transcribe_text(audio)
    # One normaliser on both sides; on the reference it changes nothing when it was applied.
    heard_as_read = normalize_for_speech(heard, language=ASR_LANGUAGE)
    score = word_error_rate(normalize_for_speech(read, language=ASR_LANGUAGE), heard_as_read)
    return RoundTrip(read, heard, heard_as_read, score, bool(normalize), ASR_NAME)
