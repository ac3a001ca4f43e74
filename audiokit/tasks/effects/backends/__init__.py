"""The engines behind a chain, one module each: Pedalboard's plugins and the neural effect.

Each turns a run of the chain's active steps into a :class:`Stage`, which processes
(channels, frames) float32 audio at one sample rate in one call.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

import numpy as np

from audiokit.progress import Progress


@dataclasses.dataclass(frozen=True)
class StageOutput:
    """What one stage made.

    Attributes:
        samples: float32 (channels, frames), as many frames as went in.
        steer_report: what steering did (a steered neural effect only).
        receptive_field_ms: the network's receptive field (a neural effect only).
    """

    samples: np.ndarray
    steer_report: Any = None
    receptive_field_ms: float | None = None


class Stage(Protocol):
    """One engine call over the whole clip (a board of plugins, or one network)."""

    def process(self, samples: np.ndarray, sample_rate: int, progress: Progress) -> StageOutput:
        """Process (channels, frames) float32 audio; report progress as (fraction, message)."""
        ...
