# transitional: the lead removes this at merge
from audiokit.tasks.speaker import *  # noqa: F403
from audiokit.tasks.speaker import (  # noqa: F401 - used by engines/ and demos/diarization.py
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
