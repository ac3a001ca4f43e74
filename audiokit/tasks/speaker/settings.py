"""The task's parameters (PARAMS) and limits (LIMITS), each declared once."""

from __future__ import annotations

import dataclasses

from audiokit import limits
from audiokit.params import Param, declare
from audiokit.tasks.speaker.catalog import BACKENDS, DEFAULT_BACKEND
from audiokit.tasks.speaker.prepare import MIN_SPEECH_S


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one request may hold (SPEAKER_MAX_S and SPEAKER_MAX_CLIPS in the environment).

    Attributes:
        max_duration_s: the longest clip, in seconds.
        max_clips: the most enrolment clips, and the most clips of one map.
        min_map_clips: the fewest clips a map compares.
    """

    max_duration_s: float = limits.SPEAKER_MAX_S
    max_clips: int = limits.SPEAKER_MAX_CLIPS
    min_map_clips: int = 3


LIMITS = Limits()

PARAMS = declare(
    Param(
        "model",
        DEFAULT_BACKEND,
        label="Model",
        help="embedded models run offline; Hub models download when first chosen",
        choices=tuple(BACKENDS),
    ),
    # None (the default) is the model's own calibrated threshold: each backend owns one.
    Param(
        "threshold",
        None,
        label="Threshold",
        help="cosine at or above which two clips count as one speaker",
        minimum=-1.0,
        maximum=1.0,
        step=0.01,
    ),
    Param(
        "min_speech_s",
        MIN_SPEECH_S,
        label="Minimum speech",
        help="seconds of speech each clip needs after removing silence",
        minimum=0.5,
        maximum=LIMITS.max_duration_s,
        step=0.1,
        unit=" s",
    ),
)


def checked(**values) -> dict:
    """``values`` checked against PARAMS, defaults filled in; a None threshold stays None."""
    from audiokit.params import check_params

    given = {k: v for k, v in values.items() if not (k == "threshold" and v is None)}
    return check_params(PARAMS, given)
