"""``rnnoise``: RNNoise (Valin 2018; weights built into the ``pyrnnoise`` wheel's C library);
speech vs. noise, each channel on its own at 48 kHz."""

from __future__ import annotations

import ctypes
from collections.abc import Callable

import numpy as np

from audiokit.errors import AudioStudyError
from audiokit.models import load_once
from audiokit.progress import Progress
from audiokit.tasks.separation.backends.common import StemSet, speech_and_noise

# RNNoise runs at 48 kHz on 10 ms frames; its output is two frames late (960 samples, 20 ms):
# one frame of overlap-add and one of look-ahead, measured by SI-SDR against the clean speech,
# which drops by 4 dB one sample either side.
RNNOISE_SAMPLE_RATE = 48000
RNNOISE_FRAME_SAMPLES = 480
RNNOISE_DELAY_SAMPLES = 960
# RNNoise's features were trained on 16-bit sample values.
RNNOISE_SCALE = 32768.0


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
    stems, probability = speech_and_noise(
        samples,
        sample_rate,
        rnnoise_mono,
        model_rate=RNNOISE_SAMPLE_RATE,
        verb="RNNoise on",
        progress=progress,
    )
    return StemSet(stems, speech_probability=probability)
