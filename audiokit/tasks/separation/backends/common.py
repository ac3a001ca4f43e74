"""What the backends share: the stem set they return, chunking with crossfades, STFT masks,
and running a 48 kHz mono denoiser on every channel."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from audiokit.audio import resample
from audiokit.progress import Progress, or_silent

# HPSS looks at 0.4 s at most; 30 s chunks with a 1 s crossfade bound the memory of the STFTs
# and masks (5 minutes of 48 kHz stereo would need several hundred MB at once). REPET-SIM
# then finds repeats within 30 s, plenty for a loop or a verse.
DSP_CHUNK_S = 30.0
CHUNK_OVERLAP_S = 1.0


@dataclasses.dataclass(frozen=True)
class StemSet:
    """What a backend returns.

    Attributes:
        stems: float32 ``(stems, channels, frames)``, primary stem first, input length.
        local_snr_db: DeepFilterNet's local SNR estimate per 10 ms frame (``denoise`` only).
        speech_probability: RNNoise's voice activity per 10 ms frame (``rnnoise`` only).
    """

    stems: np.ndarray
    local_snr_db: np.ndarray | None = None
    speech_probability: np.ndarray | None = None


def report(progress: Progress | None, fraction: float, text: str) -> None:
    """Tell ``progress`` (if any) the fraction done, clipped to 0..1."""
    or_silent(progress)(min(1.0, max(0.0, fraction)), text)


def fit_length(x: np.ndarray, frames: int) -> np.ndarray:
    """Trim or zero-pad the last axis to ``frames``."""
    if x.shape[-1] >= frames:
        return x[..., :frames]
    pad = [(0, 0)] * (x.ndim - 1) + [(0, frames - x.shape[-1])]
    return np.pad(x, pad)


def process_in_chunks(
    samples: np.ndarray,
    sample_rate: int,
    separate: Callable[[np.ndarray], np.ndarray],
    *,
    chunk_s: float,
    overlap_s: float = CHUNK_OVERLAP_S,
    align_permutation: bool = False,
    progress: Progress | None = None,
) -> np.ndarray:
    """Run ``separate`` on overlapping chunks and crossfade the results linearly.

    Args:
        samples: float32 ``(channels, frames)``.
        sample_rate: Hz.
        separate: maps ``(channels, n)`` to ``(stems, channels, n)``.
        chunk_s: chunk length; shorter inputs are processed in one go.
        overlap_s: crossfade length between neighbouring chunks.
        align_permutation: reorder each chunk's stems to match the previous chunk on the
            overlap (speaker separation has no fixed order of speakers).
        progress: called with (fraction done, text).

    Returns:
        float32 ``(stems, channels, frames)``.
    """
    frames = samples.shape[-1]
    chunk = int(chunk_s * sample_rate)
    overlap = int(overlap_s * sample_rate)
    if frames <= chunk:
        report(progress, 0.0, "separating")
        out = separate(samples)
        report(progress, 1.0, "separated")
        return out
    step = chunk - overlap
    if step <= 0:
        raise ValueError("overlap_s must be shorter than chunk_s")
    starts = list(range(0, frames - overlap, step))
    fade = np.linspace(0.0, 1.0, overlap, dtype=np.float32)
    out: np.ndarray | None = None
    for k, start in enumerate(starts):
        report(progress, k / len(starts), f"chunk {k + 1} of {len(starts)}")
        end = min(start + chunk, frames)
        part = separate(samples[:, start:end])
        if out is None:
            out = np.zeros((part.shape[0], samples.shape[0], frames), dtype=np.float32)
            out[:, :, start:end] = part
            continue
        head = out[:, :, start : start + overlap]
        if align_permutation and part.shape[0] == 2:
            same = np.sum(head[0] * part[0, :, :overlap]) + np.sum(head[1] * part[1, :, :overlap])
            swap = np.sum(head[0] * part[1, :, :overlap]) + np.sum(head[1] * part[0, :, :overlap])
            if swap > same:
                part = part[::-1]
        out[:, :, start : start + overlap] = head * (1.0 - fade) + part[:, :, :overlap] * fade
        out[:, :, start + overlap : end] = part[:, :, overlap:]
    report(progress, 1.0, "separated")
    assert out is not None
    return out


def stft_settings(sample_rate: int) -> tuple[int, int]:
    """(n_fft, hop): ~46 ms windows at any rate, half overlapping."""
    n_fft = int(2 ** round(np.log2(0.046 * sample_rate)))
    return n_fft, n_fft // 2


def masked_stems(
    samples: np.ndarray, sample_rate: int, masks: Callable[[np.ndarray], tuple]
) -> np.ndarray:
    """Masks computed on the channel mix, applied to every channel's STFT."""
    import librosa

    n_fft, hop = stft_settings(sample_rate)
    frames = samples.shape[-1]
    spec = librosa.stft(samples, n_fft=n_fft, hop_length=hop)
    mix = np.abs(librosa.stft(samples.mean(axis=0), n_fft=n_fft, hop_length=hop))
    out = [
        librosa.istft(spec * mask, n_fft=n_fft, hop_length=hop, length=frames)
        for mask in masks(mix)
    ]
    return np.stack(out).astype(np.float32)


def speech_and_noise(
    samples: np.ndarray,
    sample_rate: int,
    enhance: Callable[..., tuple[np.ndarray, np.ndarray]],
    *,
    model_rate: int,
    verb: str,
    progress: Progress | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Run a mono enhancer at ``model_rate`` on each channel; returns (stems, per-frame track
    averaged over the channels).

    Per channel rather than on the mix, so a stereo recording stays stereo; the noise stem
    is the input minus the speech, which is only meaningful because the two are aligned.
    """
    channels, frames = samples.shape
    speech = np.empty_like(samples)
    tracks = []
    for ch in range(channels):

        def tick(fraction: float, ch: int = ch) -> None:
            report(progress, (ch + fraction) / channels, f"{verb} channel {ch + 1}")

        x = resample(samples[ch], sample_rate, model_rate)
        y, track = enhance(x, progress=tick)
        speech[ch] = fit_length(resample(y, model_rate, sample_rate), frames)
        tracks.append(track)
    report(progress, 1.0, "denoised")
    return np.stack([speech, samples - speech]).astype(np.float32), np.mean(tracks, axis=0)
