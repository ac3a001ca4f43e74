"""One module per separation engine, each a :class:`Separator`: float32 ``(channels, frames)``
at any rate in, a :class:`StemSet` of exactly that many frames at that rate out, so a stem can
be compared with a reference sample by sample."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from audiokit.progress import Progress
from audiokit.tasks.separation.backends.common import StemSet


class Separator(Protocol):
    """What ``run()`` calls: a backend with its one setting already bound."""

    def __call__(
        self, samples: np.ndarray, sample_rate: int, *, progress: Progress | None = None
    ) -> StemSet: ...


__all__ = ["Separator", "StemSet"]
