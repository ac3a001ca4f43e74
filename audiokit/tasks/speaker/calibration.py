"""Calibration of a backend's threshold: a trial list across recording conditions, and its EER.

benchmarks/bench_speaker.py and tests/test_speaker.py use it to check that each embedded
model's shipped threshold sits where false accepts and false rejects balance.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from audiokit.audio import Audio
from audiokit.errors import AudioStudyError
from audiokit.tasks.speaker.catalog import DEFAULT_BACKEND
from audiokit.tasks.speaker.voiceprints import cosine, voiceprint


@dataclasses.dataclass(frozen=True)
class Trial:
    """One verification trial of a calibration list."""

    a: str
    b: str
    same: bool
    score: float


def equal_error_rate(scores: Sequence[float], same: Sequence[bool]) -> tuple[float, float]:
    """The equal error rate of a trial list and the threshold where it occurs.

    Args:
        scores: one similarity per trial.
        same: True where the trial's two clips are the same speaker.

    Returns:
        (EER as a fraction, threshold). Thresholds are tried halfway between neighbouring
        scores; where several give the same smallest gap between false acceptance and
        false rejection (e.g. classes that do not overlap), the middle one is returned.
    """
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(same, dtype=bool)
    if y.all() or not y.any():
        raise AudioStudyError("An EER needs both same-speaker and different-speaker trials.")
    u = np.unique(s)
    candidates = np.concatenate([[u[0] - 1e-3], (u[:-1] + u[1:]) / 2, [u[-1] + 1e-3]])
    far = np.array([np.mean(s[~y] >= t) for t in candidates])
    frr = np.array([np.mean(s[y] < t) for t in candidates])
    gap = np.abs(far - frr)
    best = np.flatnonzero(gap == gap.min())
    mid = best[best.size // 2]
    lo, hi = candidates[best[0]], candidates[best[-1]]
    return float((far[mid] + frr[mid]) / 2), float((lo + hi) / 2)


def calibration_items(
    voices: dict[str, Sequence[Audio]], *, segment_s: float = 2.5
) -> list[tuple[str, str, Audio]]:
    """Cut every recording into segments and add recording-condition variants.

    Args:
        voices: speaker name -> that speaker's recordings.
        segment_s: segment length; a shorter tail is dropped.

    Returns:
        ``(speaker, segment id, clip)`` triples: each segment as recorded, 20 dB quieter,
        and band-limited through 8 kHz (telephone rate), so trials also cross conditions.
    """
    items = []
    for speaker, recordings in voices.items():
        for r, rec in enumerate(recordings):
            step = int(segment_s * rec.sample_rate)
            for k in range(max(1, rec.frames // step)):
                seg = dataclasses.replace(rec, samples=rec.samples[:, k * step : (k + 1) * step])
                seg_id = f"{speaker}{r}.{k}"
                quiet = dataclasses.replace(seg, samples=seg.samples * np.float32(0.1))
                phone = seg.resampled(8000)
                for tag, clip in (("", seg), ("-20dB", quiet), ("@8k", phone)):
                    items.append((speaker, seg_id, dataclasses.replace(clip, name=seg_id + tag)))
    return items


def score_trials(
    items: Sequence[tuple[str, str, Audio]], *, model: str = DEFAULT_BACKEND
) -> list[Trial]:
    """Every pair of items from different segments, scored with ``model``.

    Pairs of one segment with its own variant are left out: they would be easy "same"
    trials that flatter the error rate.
    """
    prints = [voiceprint(clip, model=model, min_speech_s=1.0).embedding for _, _, clip in items]
    trials = []
    for i, (spk_i, seg_i, clip_i) in enumerate(items):
        for j in range(i + 1, len(items)):
            spk_j, seg_j, clip_j = items[j]
            if seg_i != seg_j:
                score = cosine(prints[i], prints[j])
                trials.append(Trial(clip_i.name, clip_j.name, spk_i == spk_j, score))
    return trials
