# transitional: the lead removes this at merge
"""Speech recognition moved to :mod:`audiokit.tasks.asr`; this re-exports it until merge."""

from audiokit.tasks.asr import *  # noqa: F403
from audiokit.tasks.asr import (  # noqa: F401 - the names other modules use
    BASE_ID,
    BASE_NAME,
    EMBEDDED_ID,
    EMBEDDED_NAME,
    MODELS,
    XLSR_ID,
    Segment,
    Transcript,
    Word,
    speed_estimate,
    timestamp,
    to_srt,
    to_vtt,
    transcribe,
    transcribe_text,
    write_downloads,
)
