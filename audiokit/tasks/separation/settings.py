"""The separation task's parameters (``PARAMS``) and limits (``LIMITS``), each stated once.

``run()`` checks its keywords against ``PARAMS``; the backends check the one setting they take
against the same entry, and the demo builds its widgets from it.
"""

from __future__ import annotations

import dataclasses

from audiokit import limits
from audiokit.params import Param, declare
from audiokit.tasks.separation.catalog import METHODS, SEPFORMER_DEFAULT, SEPFORMER_MODELS

# Spectral gating: noisereduce's ``prop_decrease``. 0.85 was chosen on LJ Speech plus white,
# pink and babble noise at 0 and 5 dB SNR: removing all of it (noisereduce's default) lost up
# to 3 dB of SI-SDR at 5 dB SNR.
PARAMS: dict[str, Param] = declare(
    Param(
        "method",
        "denoise",
        label="Method",
        help="What to split the recording into; SepFormer needs the Hugging Face Hub once.",
        choices=tuple(METHODS),
    ),
    Param(
        "atten_lim_db",
        100.0,
        label="Attenuation limit",
        help="The most the noise is turned down; 100 = no limit, 12 keeps ambience.",
        minimum=0.0,
        maximum=100.0,
        step=1.0,
        unit=" dB",
    ),
    Param(
        "hpss_margin",
        1.0,
        label="HPSS margin",
        help="1: stems sum to the input; higher: purer stems, a residual in neither.",
        minimum=1.0,
        maximum=10.0,
        step=0.5,
    ),
    Param(
        "vocals_margin",
        1.0,
        label="Vocals mask margin",
        help="Higher: less bleed between vocals and accompaniment.",
        minimum=1.0,
        maximum=10.0,
        step=0.5,
    ),
    Param(
        "sepformer_model",
        SEPFORMER_DEFAULT,
        label="SepFormer model",
        help="whamr is trained on noisy, reverberant mixtures. Needs the Hub once.",
        choices=SEPFORMER_MODELS,
    ),
    Param(
        "gate_strength",
        0.85,
        label="Gate strength",
        help="Share of the gated noise removed: 1 removes all of it and bends the speech "
        "most; 0 changes nothing.",
        minimum=0.0,
        maximum=1.0,
        step=0.05,
    ),
)


@dataclasses.dataclass(frozen=True)
class Limits:
    """How long a clip may be (``AUDIOSTUDY_SEPARATION_MAX_S``, ``AUDIOSTUDY_SEPFORMER_MAX_S``).

    Attributes:
        max_duration_s: any method.
        sepformer_max_duration_s: SepFormer, a transformer whose memory grows with length.
    """

    max_duration_s: float = limits.SEPARATION_MAX_S
    sepformer_max_duration_s: float = limits.SEPFORMER_MAX_S

    def for_method(self, method: str) -> float:
        """The longest clip ``method`` takes, in seconds."""
        if method == "sepformer":
            return min(self.max_duration_s, self.sepformer_max_duration_s)
        return self.max_duration_s


LIMITS = Limits()

# The one setting each method reads (RNNoise has none): what a compare shows for each side.
METHOD_SETTING: dict[str, str | None] = {
    "denoise": "atten_lim_db",
    "rnnoise": None,
    "spectral_gating": "gate_strength",
    "hpss": "hpss_margin",
    "vocals": "vocals_margin",
    "sepformer": "sepformer_model",
}
