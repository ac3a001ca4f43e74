"""The Effects task's one model: the steerable neural effect (Pedalboard's effects are DSP)."""

from __future__ import annotations

from audiokit.models import ModelCard
from audiokit.tasks.effects.backends.nafx import PAPER_URL, TCNConfig

NAFX = "nafx-tcn"

CATALOG: dict[str, ModelCard] = {
    NAFX: ModelCard(
        id=NAFX,
        name="Steerable neural audio effect",
        architecture="causal TCN of dilated 1-D convolutions with PReLU and residual paths "
        "(at the defaults depth 4, 16 channels, kernel 13; its cost grows with channels squared)",
        params=f"{TCNConfig().parameter_count:,}",
        size="nothing to download: random weights made from the seed",
        training_data="none: random weights; steering trains on a generated pluck loop "
        "(examples/effects) against Pedalboard's own effects",
        paper="Steinmetz & Reiss, *Steerable discovery of neural audio effects* (2021)",
        url=PAPER_URL,
        offline=True,
    ),
}
