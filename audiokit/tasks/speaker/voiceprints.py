"""Voice prints: one clip (prepared, then embedded), or many windows of one recording.

The cosine of two prints is the similarity score; :func:`pca_2d` squeezes several prints to a
plane for the map (and for diarization's learn view).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from audiokit.audio import Audio, rms_db, validate
from audiokit.errors import AudioStudyError
from audiokit.tasks.speaker.backends import WindowedEncoder, unit
from audiokit.tasks.speaker.catalog import DEFAULT_BACKEND, backend
from audiokit.tasks.speaker.prepare import (
    MAX_DURATION_S,
    MAX_WINDOW_GAIN_DB,
    MIN_SPEECH_S,
    SAMPLE_RATE,
    TARGET_DBFS,
    Speech,
    prepare,
)


@dataclasses.dataclass(frozen=True)
class Voiceprint:
    """One clip after preparation and embedding.

    Attributes:
        speech: the prepared clip (waveform, VAD flags, voiced samples).
        embedding: the L2-normalised embedding.
        windows: the embeddings of the model's own windows (GE2E 1.6 s, d-vector 0.8 s);
            None for the Hub models, which embed a clip in one pass.
    """

    speech: Speech
    embedding: np.ndarray
    windows: np.ndarray | None = None


def voiceprint(
    audio: Audio, *, model: str = DEFAULT_BACKEND, min_speech_s: float = MIN_SPEECH_S
) -> Voiceprint:
    """Prepare one clip (validate, 16 kHz mono, VAD trim) and embed it with ``model``.

    Raises:
        AudioStudyError: bad audio, too little speech, unknown model or model unavailable.
    """
    chosen = backend(model)
    speech = prepare(audio, min_speech_s=min_speech_s, max_duration_s=MAX_DURATION_S)
    encoder = chosen.load()
    if isinstance(encoder, WindowedEncoder):
        embedding, windows = encoder.embed_partials(speech.speech)
        return Voiceprint(speech, embedding, windows)
    return Voiceprint(speech, encoder.embed(speech.speech))


def embed_windows(
    audio: Audio,
    windows: Sequence[tuple[float, float]],
    *,
    model: str = DEFAULT_BACKEND,
    max_duration_s: float | None = None,
) -> np.ndarray:
    """Voice prints of many windows of one recording, batched (what diarization clusters).

    The recording is made 16 kHz mono and peak-levelled once; each window is cut from it,
    levelled to TARGET_DBFS like a whole clip (but raised by at most MAX_WINDOW_GAIN_DB, so
    a quiet pause stays quiet) and embedded. No VAD runs here: pass windows of speech
    (e.g. from ``voiced_frames``); a window of silence still gets a vector, of the
    background. With the embedded models (``ge2e``, ``dvector``) every window is cut into
    the model's own windows (``Backend.window_s``: 1.6 s and 0.8 s) and all of them go
    through the network together, ``WindowedEncoder.batch_windows`` at a time; the Hub
    models embed window by window.

    Args:
        audio: the recording, any rate and channels.
        windows: ``(start_s, end_s)`` pairs on the recording's clock; an end past the
            recording is cut to its end. Each window must last at least the model's
            ``min_window_s`` (GE2E 0.5 s, d-vector 0.8 s).
        model: a backend id from ``BACKENDS``.
        max_duration_s: longer recordings are refused (None: no limit here).

    Returns:
        A float32 array of shape ``(len(windows), embedding size)``; row i is the
        L2-normalised voice print of ``windows[i]``, so ``rows @ rows.T`` are cosines.

    Raises:
        AudioStudyError: bad audio, a silent recording, a window outside the recording
            or too short, an unknown model, or a Hub model that is not available.
    """
    chosen = backend(model)
    validate(audio, max_duration_s=max_duration_s)
    if not len(windows):
        return np.zeros((0, chosen.embedding_size), dtype=np.float32)
    x = audio.for_model(SAMPLE_RATE)
    peak = float(np.max(np.abs(x)))
    if peak == 0.0:
        raise AudioStudyError(f"'{audio.name}' is digital silence: there is no voice to embed.")
    x = x / peak * 0.9
    duration = x.size / SAMPLE_RATE
    segments = []
    for i, window in enumerate(windows):
        start, end = (float(v) for v in window)
        if not (np.isfinite(start) and np.isfinite(end) and 0.0 <= start < duration):
            raise AudioStudyError(
                f"Window {i} ({start:g}–{end:g} s) does not start inside the recording "
                f"(0–{duration:.2f} s)."
            )
        end = min(end, duration)
        if end - start < chosen.min_window_s:
            raise AudioStudyError(
                f"Window {i} ({start:g}–{end:g} s) is shorter than the "
                f"{chosen.min_window_s:g} s the {chosen.id} model needs."
            )
        segment = x[round(start * SAMPLE_RATE) : round(end * SAMPLE_RATE)]
        if not np.any(segment):
            raise AudioStudyError(f"Window {i} ({start:g}–{end:g} s) is digital silence.")
        gain_db = min(TARGET_DBFS - rms_db(segment), MAX_WINDOW_GAIN_DB)
        segments.append((segment * 10.0 ** (gain_db / 20.0)).astype(np.float32))
    return chosen.load().embed_batch(segments).astype(np.float32)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two embeddings; 0 when either is all zeros."""
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0.0 or nb == 0.0:
        return 0.0
    return float(np.dot(a, b) / (na * nb))


def mean_embedding(embeddings: Sequence[np.ndarray]) -> np.ndarray:
    """The enrolment voice print: the re-normalised mean of several embeddings."""
    return unit(np.mean(np.stack(embeddings), axis=0))


def pca_2d(embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project rows onto their first two principal components.

    Returns:
        The (n, 2) points and the share of variance each component explains.
    """
    x = np.asarray(embeddings, dtype=np.float64)
    x = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(x, full_matrices=False)
    points = np.zeros((x.shape[0], 2))
    k = min(2, vt.shape[0])
    points[:, :k] = x @ vt[:k].T
    total = float(np.sum(s**2))
    explained = np.zeros(2)
    if total > 0:
        explained[:k] = s[:k] ** 2 / total
    # Fix the sign so the picture does not flip between runs with the same data.
    for j in range(k):
        if points[np.argmax(np.abs(points[:, j])), j] < 0:
            points[:, j] *= -1
    return points, explained
