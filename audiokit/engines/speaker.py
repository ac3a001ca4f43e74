# transitional: the lead removes this at merge
"""Moved to audiokit.tasks.speaker; the names engines/diarization.py and demos/diarization.py
use stay importable here until their imports are rewritten."""

from audiokit.tasks.speaker import *  # noqa: F403
from audiokit.tasks.speaker import (  # noqa: F401
    BACKENDS,
    SAMPLE_RATE,
    SILENCE_DB,
    TARGET_DBFS,
    VAD_FRAME_S,
    embed_windows,
    ge2e_encoder,
    pca_2d,
    voiced_frames,
)
