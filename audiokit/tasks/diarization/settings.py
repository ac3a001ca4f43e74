"""The task's limits and its one parameter, the speaker count, declared once.

``check_num_speakers`` is the task's own sentence for a bad count (it names "0 to estimate"),
checked against ``PARAMS`` so the range is typed only here.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from audiokit import limits
from audiokit.errors import AudioStudyError
from audiokit.params import Param, check_params, declare


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one diarization takes.

    Attributes:
        max_duration_s: the longest recording (``AUDIOSTUDY_DIARIZATION_MAX_S``, 30 minutes).
        min_duration_s: the shortest recording.
        max_speakers: the most speakers one may ask for.
        min_speech_s: less speech than this has no voice print worth clustering.
    """

    max_duration_s: float = limits.DIARIZATION_MAX_S
    min_duration_s: float = 1.0
    max_speakers: int = 10
    min_speech_s: float = 0.5


LIMITS = Limits()

PARAMS = declare(
    Param(
        "num_speakers",
        0,
        label="Number of speakers",
        help=f"How many people speak, 1 to {LIMITS.max_speakers}; 0 estimates it.",
        minimum=0,
        maximum=LIMITS.max_speakers,
        step=1,
        integer=True,
    ),
)


def check_num_speakers(num_speakers: Any) -> int:
    """0 (estimate) or a whole number of speakers from 1 to ``LIMITS.max_speakers``.

    ``None`` is "not given": the default, 0.

    Raises:
        AudioStudyError: not a number, not whole, or out of range, in one sentence.
    """
    param = PARAMS["num_speakers"]
    value = param.default if num_speakers is None else num_speakers
    try:
        return check_params(PARAMS, {param.name: value})[param.name]
    except AudioStudyError:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise AudioStudyError(
                f"The number of speakers must be a whole number, not {num_speakers!r:.40}."
            ) from None
        raise AudioStudyError(
            f"The number of speakers must be a whole number from 1 to {param.maximum:g}, "
            f"or 0 to estimate it; {num_speakers!r} is out of range."
        ) from None
