"""GE2E (Resemblyzer): the embedded default, a 3-layer LSTM over 40 mel bands."""

from __future__ import annotations

import numpy as np

from audiokit.models import load_once
from audiokit.tasks.speaker.backends import WindowedEncoder

# Resemblyzer's embed_utterance defaults: 1.6 s windows at 1.3 per second; a last window
# is kept when at least 75 % of it is audio (the rest is zero padding).
GE2E_RATE = 1.3
GE2E_MIN_COVERAGE = 0.75


class GE2EEncoder(WindowedEncoder):
    """Resemblyzer's 3-layer LSTM over 40 mel bands (GE2E loss), 256-d embeddings.

    Windows are 1.6 s (160 frames of power mel, not log) every ~0.77 s, cut and padded
    exactly as Resemblyzer's ``embed_utterance`` cuts them, so one segment's embedding equals
    Resemblyzer's own; the batching across segments is ours.
    """

    embedding_size = 256

    def __init__(self, model, threadpools) -> None:
        self.model = model
        self.threadpools = threadpools

    def _windows(self, speech: np.ndarray) -> np.ndarray:
        from resemblyzer.audio import wav_to_mel_spectrogram

        wav_slices, mel_slices = self.model.compute_partial_slices(
            speech.size, rate=GE2E_RATE, min_coverage=GE2E_MIN_COVERAGE
        )
        stop = wav_slices[-1].stop
        if stop >= speech.size:
            speech = np.pad(speech, (0, stop - speech.size))
        mel = wav_to_mel_spectrogram(speech)
        return np.stack([mel[s] for s in mel_slices])

    def _forward(self, windows: np.ndarray) -> np.ndarray:
        import torch

        # A small LSTM on a few windows is slower when split across cores: one OpenMP thread
        # ran 2x faster idle and up to 10x faster on busy cores (bench_speaker.py). The limit
        # holds for the calling thread only, so other tabs' models keep the app-wide setting.
        with self.threadpools.limit(limits=1, user_api="openmp"), torch.inference_mode():
            out = self.model(torch.from_numpy(windows)).numpy()
        # The model divides by the norm of a ReLU output, which is 0/0 for a window the
        # network finds nothing in (silence): such a window counts as no evidence.
        return np.nan_to_num(out, nan=0.0)


@load_once
def ge2e_encoder() -> GE2EEncoder:
    """The embedded GE2E encoder (weights ship inside the resemblyzer wheel)."""
    from resemblyzer import VoiceEncoder
    from threadpoolctl import ThreadpoolController

    model = VoiceEncoder("cpu", verbose=False)
    # Created after torch is imported, so that it finds torch's OpenMP runtime.
    return GE2EEncoder(model, ThreadpoolController())
