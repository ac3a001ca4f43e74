"""``hpss``: harmonic / percussive separation by median filtering (Fitzgerald 2010), with
soft masks as ``librosa.decompose.hpss``."""

from __future__ import annotations

import numpy as np

from audiokit.progress import Progress
from audiokit.tasks.separation.backends.common import (
    DSP_CHUNK_S,
    StemSet,
    masked_stems,
    process_in_chunks,
    stft_settings,
)
from audiokit.tasks.separation.settings import PARAMS


def _odd(n: float) -> int:
    return max(3, int(n) // 2 * 2 + 1)


def median_filter_last_axis(x: np.ndarray, size: int) -> np.ndarray:
    """Running median along the last axis, edges mirrored (scipy's ``mode="reflect"``).

    The same numbers as ``scipy.ndimage.median_filter`` with a 1-D window, 5-10x faster:
    windows are partitioned along contiguous memory, in row blocks to bound the copy.
    """
    half = size // 2
    padded = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(half, half)], mode="symmetric")
    rows = padded.reshape(-1, padded.shape[-1])
    out = np.empty((rows.shape[0], x.shape[-1]), dtype=x.dtype)
    block = max(1, (4 << 20) // (x.shape[-1] * size))  # ~4 M values per window copy
    for start in range(0, rows.shape[0], block):
        windows = np.lib.stride_tricks.sliding_window_view(rows[start : start + block], size, -1)
        windows = windows.copy()
        windows.partition(half, axis=-1)
        out[start : start + block] = windows[..., half]
    return out.reshape(x.shape)


def hpss_masks(
    magnitude: np.ndarray, *, kernel: tuple[int, int], margin: float
) -> tuple[np.ndarray, np.ndarray]:
    """Harmonic and percussive soft masks, as ``librosa.decompose.hpss(mask=True)``.

    Args:
        magnitude: ``(bins, frames)``.
        kernel: (frames along time, bins along frequency), both odd.
        margin: >= 1; with 1 the masks sum to one.
    """
    import librosa

    harmonic = median_filter_last_axis(magnitude, kernel[0])
    percussive = median_filter_last_axis(np.ascontiguousarray(magnitude.T), kernel[1]).T
    split = margin == 1
    return (
        librosa.util.softmask(harmonic, margin * percussive, power=2, split_zeros=split),
        librosa.util.softmask(percussive, margin * harmonic, power=2, split_zeros=split),
    )


def hpss(
    samples: np.ndarray,
    sample_rate: int,
    *,
    margin: float = PARAMS["hpss_margin"].default,
    progress: Progress | None = None,
) -> StemSet:
    """Harmonic and percussive stems by median-filtering the magnitude spectrogram.

    Kernels are set in physical units (0.4 s along time, 650 Hz along frequency), so the
    result does not depend on the sample rate. With ``margin`` 1 the stems sum to the input;
    larger margins make each purer and leave a residual in neither.

    Raises:
        AudioStudyError: ``margin`` outside its range.
    """
    margin = PARAMS["hpss_margin"].check(margin)
    n_fft, hop = stft_settings(sample_rate)
    kernel = (_odd(0.4 * sample_rate / hop), _odd(650.0 * n_fft / sample_rate))

    def masks(mix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return hpss_masks(mix, kernel=kernel, margin=margin)

    def separate(chunk: np.ndarray) -> np.ndarray:
        return masked_stems(chunk, sample_rate, masks)

    return StemSet(
        process_in_chunks(samples, sample_rate, separate, chunk_s=DSP_CHUNK_S, progress=progress)
    )
