"""The pure entry point: settings checked against ``PARAMS``, the clip against ``LIMITS``, the
method's backend run, the stems named and scored."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from audiokit.audio import Audio, validate
from audiokit.params import check_params
from audiokit.progress import Progress
from audiokit.tasks.separation.backends import Separator
from audiokit.tasks.separation.backends.deepfilternet import deepfilter_library, denoise
from audiokit.tasks.separation.backends.hpss import hpss
from audiokit.tasks.separation.backends.rnnoise import rnnoise
from audiokit.tasks.separation.backends.sepformer import sepformer
from audiokit.tasks.separation.backends.spectral_gating import spectral_gating
from audiokit.tasks.separation.backends.vocals import vocals
from audiokit.tasks.separation.catalog import METHODS
from audiokit.tasks.separation.metrics import check_reference_duration, score_against_reference
from audiokit.tasks.separation.result import Result
from audiokit.tasks.separation.settings import LIMITS, PARAMS

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
    if reference is not None:  # before the backend: a wrong reference wastes no minutes
        check_reference_duration(reference.duration_s, audio.duration_s)
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
