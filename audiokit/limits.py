"""Every limit of the app in one place, each overridable by an environment variable.

A limit is read once, at import, from ``AUDIOSTUDY_<NAME>`` (e.g. ``AUDIOSTUDY_ASR_MAX_S=600``);
an unset, empty or unreadable variable keeps the default. Engines and demos import their limits
from here (their older constant names stay as aliases); the README's "Limits" table lists them.
The defaults are sized for the 2-core CPU machine a free Space runs on.
"""

from __future__ import annotations

import logging
import math
import os

log = logging.getLogger("audiostudy")

ENV_PREFIX = "AUDIOSTUDY_"


def _env(name: str, default: float, *, integer: bool = False, minimum: float = 0.0) -> float:
    raw = os.environ.get(ENV_PREFIX + name, "").strip()
    if not raw:
        return int(default) if integer else float(default)
    try:
        value = float(raw)
        if not math.isfinite(value) or value < minimum:
            raise ValueError
    except ValueError:
        log.warning("Ignoring %s%s=%r: not a number >= %g", ENV_PREFIX, name, raw, minimum)
        return int(default) if integer else float(default)
    return int(value) if integer else value


# --- Audio in, for every tab --------------------------------------------------------------
#: The longest audio any tab takes (ASR): the upload limit is sized from it.
ASR_MAX_S = _env("ASR_MAX_S", 3600.0, minimum=1)
TTS_ROUNDTRIP_MAX_S = _env("TTS_ROUNDTRIP_MAX_S", 120.0, minimum=1)
EFFECTS_MAX_S = _env("EFFECTS_MAX_S", 120.0, minimum=1)
SEPARATION_MAX_S = _env("SEPARATION_MAX_S", 300.0, minimum=1)
SEPFORMER_MAX_S = _env("SEPFORMER_MAX_S", 60.0, minimum=1)
SPEAKER_MAX_S = _env("SPEAKER_MAX_S", 60.0, minimum=1)
DIARIZATION_MAX_S = _env("DIARIZATION_MAX_S", 1800.0, minimum=1)

#: Highest sample rate decoded (192 kHz studio files pass; higher is refused before decoding).
MAX_SAMPLE_RATE = _env("MAX_SAMPLE_RATE", 192_000, integer=True, minimum=8000)
#: Most channels decoded (7.1 surround passes).
MAX_CHANNELS = _env("MAX_CHANNELS", 8, integer=True, minimum=1)
#: Most decoded values (frames x channels) of one file, whatever the tab: an hour of 48 kHz
#: stereo (1.4 GB as float32). A small compressed file that decodes bigger is refused unread.
MAX_DECODED_SAMPLES = _env("MAX_DECODED_SAMPLES", 3600 * 48_000 * 2, integer=True, minimum=1)
#: Decoded values per second of a tab's duration limit: 192 kHz stereo (or 48 kHz 7.1). A tab
#: that takes 2 minutes decodes at most 2 min x 384,000 values (184 MB as float32).
MAX_DECODED_PER_S = _env("MAX_DECODED_PER_S", 384_000, integer=True, minimum=8000)

#: Largest upload, in bytes: an hour of 16-bit 48 kHz stereo WAV (~691 MB) fits; so does an
#: hour of anything compressed. Gradio refuses bigger uploads before writing them.
MAX_UPLOAD_BYTES = _env("MAX_UPLOAD_BYTES", 700 * 1024 * 1024, integer=True, minimum=1024)

# --- Text and counts ----------------------------------------------------------------------
TTS_MAX_CHARACTERS = _env("TTS_MAX_CHARACTERS", 5000, integer=True, minimum=1)
ASR_MAX_REFERENCE_CHARS = _env("ASR_MAX_REFERENCE_CHARS", 20_000, integer=True, minimum=1)
SPEAKER_MAX_CLIPS = _env("SPEAKER_MAX_CLIPS", 12, integer=True, minimum=3)
EFFECTS_MAX_EFFECTS = _env("EFFECTS_MAX_EFFECTS", 24, integer=True, minimum=1)
EFFECTS_MAX_TAIL_S = _env("EFFECTS_MAX_TAIL_S", 10.0)
#: Largest chain JSON (characters) accepted from a file or the text box.
EFFECTS_MAX_CHAIN_CHARS = _env("EFFECTS_MAX_CHAIN_CHARS", 100_000, integer=True, minimum=100)

# --- The neural effect (bounded cost per request) -------------------------------------------
# Each knob multiplies cost, so the product is bounded, not only each knob's range: the
# receptive field is the past input every chunk and training crop carries; the weight count is
# the work per sample; steering does steps x batch x (crop + receptive field) x weights
# multiply-adds (about a minute on two quiet cores at the limit), inference frames x channels
# x weights.
NAFX_MAX_RECEPTIVE_FIELD = _env("NAFX_MAX_RECEPTIVE_FIELD", 1 << 15, integer=True, minimum=64)
NAFX_MAX_WEIGHTS = _env("NAFX_MAX_WEIGHTS", 150_000, integer=True, minimum=1000)
NAFX_MAX_STEER_COST = _env("NAFX_MAX_STEER_COST", 2e11, minimum=1e6)
NAFX_MAX_RUN_COST = _env("NAFX_MAX_RUN_COST", 2e11, minimum=1e6)

# --- Server ---------------------------------------------------------------------------------
#: Waiting requests per event beyond which a new one is told to come back in a minute.
QUEUE_MAX_PER_EVENT = _env("QUEUE_MAX_PER_EVENT", 8, integer=True, minimum=1)
#: Waiting requests per mounted app (all its events together).
QUEUE_MAX_SIZE = _env("QUEUE_MAX_SIZE", 32, integer=True, minimum=1)
#: Runs of one event at the same time (each tab has its own, so a slow tab starves no other).
CONCURRENCY_PER_EVENT = _env("CONCURRENCY_PER_EVENT", 1, integer=True, minimum=1)
#: Browser/API sessions whose state (component values, learn-view results) is kept, newest
#: first; Gradio's default keeps 10,000, and every API call opens a session of its own, so
#: memory grew with the number of calls ever made.
STATE_MAX_SESSIONS = _env("STATE_MAX_SESSIONS", 200, integer=True, minimum=1)
#: Gradio's cache: every CACHE_CLEAN_EVERY_S, files older than CACHE_MAX_AGE_S are deleted
#: (and all of it at shutdown).
CACHE_CLEAN_EVERY_S = _env("CACHE_CLEAN_EVERY_S", 300, integer=True, minimum=1)
CACHE_MAX_AGE_S = _env("CACHE_MAX_AGE_S", 1800, integer=True, minimum=1)
