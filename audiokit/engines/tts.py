# transitional: the lead removes this at merge
"""Moved to :mod:`audiokit.tasks.tts`; this re-export keeps old imports working until then."""

from audiokit.tasks.tts import *  # noqa: F403
from audiokit.tasks.tts import (  # noqa: F401
    EMBEDDED_NAME,
    MAX_CHARACTERS,
    VOICES,
    Settings,
    clean_text,
    normalize_for_speech,
    speak,
    split_sentences,
    synthesize,
)
