"""The Effects task's limits, read once from :mod:`audiokit.limits`, where each is overridable
by an environment variable (``AUDIOSTUDY_EFFECTS_*``, ``AUDIOSTUDY_NAFX_*``)."""

from __future__ import annotations

import dataclasses

from audiokit import limits


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one request may ask of the Effects task.

    Attributes:
        max_duration_s: the longest input clip, in seconds.
        max_effects: the most effects in one chain.
        max_tail_s: the most room for reverb and delay tails, in seconds.
        max_chain_chars: the longest chain JSON text.
        nafx_max_receptive_field: the neural effect's receptive field, in samples.
        nafx_max_weights: the neural effect's weight count.
        nafx_max_steer_cost: multiply-adds of one steering run.
        nafx_max_run_cost: multiply-adds of running the network over the clip.
    """

    max_duration_s: float = limits.EFFECTS_MAX_S
    max_effects: int = limits.EFFECTS_MAX_EFFECTS
    max_tail_s: float = limits.EFFECTS_MAX_TAIL_S
    max_chain_chars: int = limits.EFFECTS_MAX_CHAIN_CHARS
    nafx_max_receptive_field: int = limits.NAFX_MAX_RECEPTIVE_FIELD
    nafx_max_weights: int = limits.NAFX_MAX_WEIGHTS
    nafx_max_steer_cost: float = limits.NAFX_MAX_STEER_COST
    nafx_max_run_cost: float = limits.NAFX_MAX_RUN_COST


LIMITS = Limits()
