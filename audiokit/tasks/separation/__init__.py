"""Source separation and denoising: one clip in, two named stems out, sample-aligned with it.

Methods (``CATALOG`` has a card per model):

- ``denoise``: DeepFilterNet3, embedded; speech vs. noise.
- ``rnnoise``: RNNoise, embedded; speech vs. noise.
- ``spectral_gating``: noisereduce's non-stationary spectral gate; speech vs. noise.
- ``hpss``: harmonic vs. percussive by median filtering (librosa's soft masks).
- ``vocals``: vocals vs. accompaniment by REPET-SIM.
- ``sepformer``: two speakers with SpeechBrain's SepFormer, from the Hub when chosen.

``run()`` is the pure entry point; each backend (``backends/``) takes float32
``(channels, frames)`` at any rate and gives stems of exactly that many frames at that rate.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from audiokit.audio import Audio, validate
from audiokit.params import check_params
from audiokit.progress import Progress
from audiokit.tasks.separation.backends import Separator, StemSet
from audiokit.tasks.separation.backends.common import (
    CHUNK_OVERLAP_S,
    DSP_CHUNK_S,
    process_in_chunks,
    stft_settings,
)
from audiokit.tasks.separation.backends.deepfilternet import (
    DF_DELAY_SAMPLES,
    DF_HOP_SAMPLES,
    DF_SAMPLE_RATE,
    deepfilter_library,
    deepfilter_mono,
    denoise,
)
from audiokit.tasks.separation.backends.hpss import hpss, hpss_masks, median_filter_last_axis
from audiokit.tasks.separation.backends.rnnoise import (
    RNNOISE_DELAY_SAMPLES,
    RNNOISE_SAMPLE_RATE,
    rnnoise,
    rnnoise_mono,
)
from audiokit.tasks.separation.backends.sepformer import (
    SEPFORMER_CHUNK_S,
    load_sepformer,
    sepformer,
    sepformer_available,
    sepformer_model,
)
from audiokit.tasks.separation.backends.spectral_gating import gate_settings, spectral_gating
from audiokit.tasks.separation.backends.vocals import nearest_neighbour_median, vocals
from audiokit.tasks.separation.catalog import (
    CATALOG,
    DENOISERS,
    EMBEDDED_ALTERNATIVE,
    METHODS,
    SEPFORMER_DEFAULT,
    SEPFORMER_FILES,
    SEPFORMER_MODELS,
    Method,
    method_cards,
)
from audiokit.tasks.separation.comparison import (
    DENOISER_FIGURES,
    denoiser_table,
    load_denoiser_figures,
)
from audiokit.tasks.separation.metrics import (
    ReferenceScore,
    effective_mask,
    score_against_reference,
    score_stems,
)
from audiokit.tasks.separation.params import LIMITS, PARAMS, Limits

# The denoisers report one value per 10 ms frame (DeepFilterNet's hop, RNNoise's frame).
FRAME_TRACK_S = DF_HOP_SAMPLES / DF_SAMPLE_RATE


@dataclasses.dataclass(frozen=True)
class Result:
    """The stems of one mixture, primary first, each as long as the input at its rate.

    Attributes:
        method: the method id that made them.
        mixture: the input clip.
        stems: (name, clip) per stem, primary first.
        local_snr_db: DeepFilterNet's local SNR estimate every 10 ms (``denoise`` only).
        score: SI-SDR against the reference, when one was given.
        speech_probability: RNNoise's voice activity every 10 ms (``rnnoise`` only).
    """

    method: str
    mixture: Audio
    stems: tuple[tuple[str, Audio], ...]
    local_snr_db: np.ndarray | None = None
    score: ReferenceScore | None = None
    speech_probability: np.ndarray | None = None

    @property
    def primary(self) -> Audio:
        """The first stem: speech, harmonic, vocals or speaker 1."""
        return self.stems[0][1]

    def effective_mask(self) -> tuple[np.ndarray, float, float]:
        """(the primary stem's effective mask, duration in s, top frequency in Hz)."""
        (_, first), (_, second) = self.stems
        rate = self.mixture.sample_rate
        return effective_mask(first.mono(), second.mono(), rate), first.duration_s, rate / 2


# Each method's backend with its one setting bound from the checked settings.
_BACKENDS: dict[str, Callable[[dict[str, Any]], Separator]] = {
    "denoise": lambda s: functools.partial(denoise, atten_lim_db=s["atten_lim_db"]),
    "rnnoise": lambda s: rnnoise,
    "spectral_gating": lambda s: functools.partial(spectral_gating, strength=s["gate_strength"]),
    "hpss": lambda s: functools.partial(hpss, margin=s["hpss_margin"]),
    "vocals": lambda s: functools.partial(vocals, margin=s["vocals_margin"]),
    "sepformer": lambda s: functools.partial(sepformer, model_id=s["sepformer_model"]),
}


def run(
    audio: Audio,
    *,
    method: str = PARAMS["method"].default,
    atten_lim_db: float = PARAMS["atten_lim_db"].default,
    hpss_margin: float = PARAMS["hpss_margin"].default,
    vocals_margin: float = PARAMS["vocals_margin"].default,
    sepformer_model: str = PARAMS["sepformer_model"].default,
    gate_strength: float = PARAMS["gate_strength"].default,
    reference: Audio | None = None,
    progress: Progress | None = None,
) -> Result:
    """Separate a clip into two named stems, sample-aligned with it.

    Args:
        audio: the mixture, any rate, mono or stereo.
        method: ``denoise`` (DeepFilterNet3), ``rnnoise``, ``spectral_gating``, ``hpss``,
            ``vocals`` or ``sepformer``.
        atten_lim_db: ``denoise``: the most the noise is turned down, 0 to 100 dB (100 = no
            limit).
        hpss_margin: ``hpss``: 1 (stems sum to the input) to 10 (purer stems).
        vocals_margin: ``vocals``: 1 to 10, higher means less bleed.
        sepformer_model: ``sepformer``: one of :data:`SEPFORMER_MODELS`.
        gate_strength: ``spectral_gating``: share of the gated noise removed, 0 to 1.
        reference: the clean primary source, for SI-SDR (optional).
        progress: called with (fraction done, text).

    Raises:
        AudioStudyError: a setting out of range or not allowed, bad or too long input, a
            reference of another length, SepFormer not available.
    """
    settings = check_params(
        PARAMS,
        {
            "method": method,
            "atten_lim_db": atten_lim_db,
            "hpss_margin": hpss_margin,
            "vocals_margin": vocals_margin,
            "sepformer_model": sepformer_model,
            "gate_strength": gate_strength,
        },
    )
    method = settings["method"]
    validate(audio, max_duration_s=LIMITS.for_method(method))
    out = _BACKENDS[method](settings)(audio.samples, audio.sample_rate, progress=progress)
    stems = tuple(
        (name, Audio(np.ascontiguousarray(s), audio.sample_rate, f"{audio.name}-{name}"))
        for name, s in zip(METHODS[method].stems, out.stems, strict=True)
    )
    score = score_against_reference(audio, stems, reference) if reference is not None else None
    return Result(method, audio, stems, out.local_snr_db, score, out.speech_probability)


def warm_up() -> None:
    """Load the embedded default model (DeepFilterNet3's runtime library) once."""
    deepfilter_library()


__all__ = [
    "CATALOG",
    "CHUNK_OVERLAP_S",
    "DENOISERS",
    "DENOISER_FIGURES",
    "DF_DELAY_SAMPLES",
    "DF_HOP_SAMPLES",
    "DF_SAMPLE_RATE",
    "DSP_CHUNK_S",
    "EMBEDDED_ALTERNATIVE",
    "FRAME_TRACK_S",
    "LIMITS",
    "METHODS",
    "PARAMS",
    "RNNOISE_DELAY_SAMPLES",
    "RNNOISE_SAMPLE_RATE",
    "SEPFORMER_CHUNK_S",
    "SEPFORMER_DEFAULT",
    "SEPFORMER_FILES",
    "SEPFORMER_MODELS",
    "Limits",
    "Method",
    "ReferenceScore",
    "Result",
    "Separator",
    "StemSet",
    "deepfilter_library",
    "deepfilter_mono",
    "denoise",
    "denoiser_table",
    "effective_mask",
    "gate_settings",
    "hpss",
    "hpss_masks",
    "load_denoiser_figures",
    "load_sepformer",
    "median_filter_last_axis",
    "method_cards",
    "nearest_neighbour_median",
    "process_in_chunks",
    "rnnoise",
    "rnnoise_mono",
    "run",
    "score_against_reference",
    "score_stems",
    "sepformer",
    "sepformer_available",
    "sepformer_model",
    "spectral_gating",
    "stft_settings",
    "vocals",
    "warm_up",
]
