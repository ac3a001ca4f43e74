"""Source separation and denoising: one clip in, two named stems out, sample-aligned with it.

Methods (``CATALOG`` has a card per model, :mod:`.catalog`):

- ``denoise``: DeepFilterNet3, embedded; speech vs. noise.
- ``rnnoise``: RNNoise, embedded; speech vs. noise.
- ``spectral_gating``: noisereduce's non-stationary spectral gate; speech vs. noise.
- ``hpss``: harmonic vs. percussive by median filtering (librosa's soft masks).
- ``vocals``: vocals vs. accompaniment by REPET-SIM.
- ``sepformer``: two speakers with SpeechBrain's SepFormer, from the Hub when chosen.

Each backend (:mod:`.backends`, one module per engine) takes float32 ``(channels, frames)`` at
any rate and gives stems of exactly that many frames at that rate; :mod:`.metrics` scores them
(SI-SDR, SI-SDRi, the effective mask); :mod:`.comparison` holds the denoisers' measured
comparison;
:mod:`.compare` runs one mixture through two methods side by side (``compare()``).

Public face: ``PARAMS``, ``LIMITS`` (:mod:`.settings`), ``CATALOG``, ``run(audio, *, method,
atten_lim_db, hpss_margin, vocals_margin, sepformer_model, gate_strength, reference=None,
progress=None) -> Result`` (:mod:`.pipeline`), ``Result`` and ``warm_up()``. Importing it loads
no model and no heavy library.
"""

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
    engine_name,
    method_cards,
)
from audiokit.tasks.separation.compare import DEFAULT_B, Comparison, Side, compare, side_settings
from audiokit.tasks.separation.comparison import (
    DENOISER_FIGURES,
    denoiser_table,
    load_denoiser_figures,
)
from audiokit.tasks.separation.metrics import (
    ReferenceScore,
    check_reference_duration,
    effective_mask,
    score_against_reference,
    score_stems,
)
from audiokit.tasks.separation.pipeline import run, warm_up
from audiokit.tasks.separation.result import FRAME_TRACK_S, Result
from audiokit.tasks.separation.settings import LIMITS, METHOD_SETTING, PARAMS, Limits

__all__ = [
    "CATALOG",
    "CHUNK_OVERLAP_S",
    "DEFAULT_B",
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
    "METHOD_SETTING",
    "PARAMS",
    "RNNOISE_DELAY_SAMPLES",
    "RNNOISE_SAMPLE_RATE",
    "SEPFORMER_CHUNK_S",
    "SEPFORMER_DEFAULT",
    "SEPFORMER_FILES",
    "SEPFORMER_MODELS",
    "Comparison",
    "Limits",
    "Method",
    "ReferenceScore",
    "Result",
    "Separator",
    "Side",
    "StemSet",
    "check_reference_duration",
    "compare",
    "deepfilter_library",
    "deepfilter_mono",
    "denoise",
    "denoiser_table",
    "effective_mask",
    "engine_name",
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
    "side_settings",
    "spectral_gating",
    "stft_settings",
    "vocals",
    "warm_up",
]
