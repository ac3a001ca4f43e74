"""``sepformer``: two speakers with SpeechBrain's SepFormer, a Hub model loaded only when
chosen (``load_sepformer`` is SpeechBrain's own loader, so tests load a tiny random SepFormer
through exactly the code the app uses)."""

from __future__ import annotations

import hashlib
import tempfile
import threading
from pathlib import Path

import numpy as np

from audiokit.audio import resample
from audiokit.models import cpu_threads, hub_available, hub_snapshot, load_once
from audiokit.progress import Progress
from audiokit.tasks.separation.backends.common import (
    StemSet,
    fit_length,
    process_in_chunks,
    report,
)
from audiokit.tasks.separation.catalog import (
    EMBEDDED_ALTERNATIVE,
    SEPFORMER_FILES,
    SEPFORMER_MODELS,
    SEPFORMER_PATTERNS,
)
from audiokit.tasks.separation.settings import PARAMS

# SepFormer was trained on WSJ0-2mix mixtures of a few seconds; 10 s chunks stay near that
# and bound its memory on CPU.
SEPFORMER_CHUNK_S = 10.0


@load_once
def load_sepformer(source_dir: str):
    """A SepFormer from a local folder (hyperparams.yaml + encoder/masknet/decoder.ckpt).

    The app passes the folder :func:`hub_snapshot` resolved; tests pass a tiny random model
    written to a temporary folder, through this same function.
    """
    import torch
    from speechbrain.inference.separation import SepformerSeparation

    torch.set_num_threads(cpu_threads())
    key = hashlib.sha1(str(Path(source_dir).resolve()).encode()).hexdigest()[:12]
    savedir = Path(tempfile.gettempdir()) / "audiostudy-sepformer" / key
    model = SepformerSeparation.from_hparams(
        source=str(source_dir), savedir=str(savedir), run_opts={"device": "cpu"}
    )
    model.eval()
    return model


def sepformer_model(model_id: str = PARAMS["sepformer_model"].default):
    """The allowlisted SepFormer, resolved through the Hub cache.

    Raises:
        ModelUnavailableError: not cached and offline; names the embedded alternatives.
    """
    local = hub_snapshot(
        model_id,
        allowed=SEPFORMER_MODELS,
        embedded_alternative=EMBEDDED_ALTERNATIVE,
        allow_patterns=SEPFORMER_PATTERNS,
        required_files=SEPFORMER_FILES,
    )
    return load_sepformer(local)


def sepformer_available(model_id: str = PARAMS["sepformer_model"].default) -> bool:
    """Whether this SepFormer can be had now: cached here, or the Hub answers."""
    return hub_available(
        model_id, allow_patterns=SEPFORMER_PATTERNS, required_files=SEPFORMER_FILES
    )


_sepformer_lock = threading.Lock()


def sepformer(
    samples: np.ndarray,
    sample_rate: int,
    *,
    model=None,
    model_id: str = PARAMS["sepformer_model"].default,
    progress: Progress | None = None,
) -> StemSet:
    """Two speaker stems (mono, at the input rate) with a SepFormer.

    The model hears the channel mix at its own rate (8 kHz). Its outputs have no absolute
    scale, so each stem is scaled by least squares to best rebuild the mixture.

    Args:
        samples: float32 ``(channels, frames)``.
        sample_rate: Hz.
        model: an already loaded SepFormer (tests); default: ``sepformer_model(model_id)``.
        model_id: one of :data:`SEPFORMER_MODELS`.
        progress: called with (fraction done, text).
    """
    import torch

    if model is None:
        model_id = PARAMS["sepformer_model"].check(model_id)
        report(progress, 0.0, f"loading {model_id}")
        model = sepformer_model(model_id)
    model_rate = int(model.hparams.sample_rate)
    frames = samples.shape[-1]
    mix = resample(samples.mean(axis=0), sample_rate, model_rate)

    def separate(chunk: np.ndarray) -> np.ndarray:
        with _sepformer_lock, torch.inference_mode():
            est = model.separate_batch(torch.from_numpy(np.ascontiguousarray(chunk[0]))[None])
        return est[0].T.numpy()[:, None, :].astype(np.float32)

    est = process_in_chunks(
        mix[None],
        model_rate,
        separate,
        chunk_s=SEPFORMER_CHUNK_S,
        align_permutation=True,
        progress=progress,
    )[:, 0]
    basis = est.T.astype(np.float64)
    if np.abs(basis).max() > 0:
        scale, *_ = np.linalg.lstsq(basis, mix.astype(np.float64), rcond=None)
        est = est * scale[:, None].astype(np.float32)
    stems = np.stack([fit_length(resample(s, model_rate, sample_rate), frames) for s in est])
    return StemSet(stems[:, None, :].astype(np.float32))
