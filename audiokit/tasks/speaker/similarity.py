"""Many clips at once: every pairwise score and a 2-D map of the voice prints."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import numpy as np

from audiokit.audio import Audio
from audiokit.errors import AudioStudyError
from audiokit.progress import Progress, or_silent
from audiokit.tasks.speaker.catalog import DEFAULT_BACKEND
from audiokit.tasks.speaker.prepare import MIN_SPEECH_S
from audiokit.tasks.speaker.settings import LIMITS, checked
from audiokit.tasks.speaker.voiceprints import pca_2d, voiceprint


@dataclasses.dataclass(frozen=True)
class SimilarityMap:
    """All pairwise scores of several clips and their embeddings projected to 2-D.

    Attributes:
        labels: the clips' names (made unique).
        groups: the colour group of each clip (see :func:`speaker_group`).
        scores: the (n, n) cosine similarity matrix.
        points: (n, 2) PCA projection of the embeddings.
        explained: share of the variance each PCA component keeps.
        model: the backend id.
    """

    labels: tuple[str, ...]
    groups: tuple[str, ...]
    scores: np.ndarray
    points: np.ndarray
    explained: np.ndarray
    model: str = DEFAULT_BACKEND


def check_map_count(n: int) -> None:
    """Refuse a map of too few or too many clips (checked before decoding)."""
    low, high = LIMITS.min_map_clips, LIMITS.max_clips
    if n < low or n > high:
        raise AudioStudyError(
            f"Give between {low} and {high} clips to map (got {n}); "
            "two or three per speaker show the clusters best."
        )


def speaker_group(name: str) -> str:
    """The group a clip is coloured by: its name up to the first ``_``, ``-``, space or digit."""
    head = re.split(r"[_\-\s\d]", name.strip(), maxsplit=1)[0]
    return head or name


def similarity_map(
    clips: Sequence[Audio],
    *,
    model: str = DEFAULT_BACKEND,
    min_speech_s: float = MIN_SPEECH_S,
    progress: Progress | None = None,
) -> SimilarityMap:
    """Embed several clips and compare every pair.

    Args:
        clips: 3 to LIMITS.max_clips clips, any rate and channels.
        model: a model id of CATALOG.
        min_speech_s: each clip needs this much speech after VAD trimming.
        progress: told the fraction done after each clip.

    Raises:
        AudioStudyError: too few or too many clips, a bad setting, or any bad clip.
    """
    check_map_count(len(clips))
    p = checked(model=model, min_speech_s=min_speech_s)
    report = or_silent(progress)
    rows = []
    for i, c in enumerate(clips):
        report(i / len(clips), f"Voice print of {c.name}")
        rows.append(voiceprint(c, model=p["model"], min_speech_s=p["min_speech_s"]).embedding)
    report(1.0, "Compared")
    embeddings = np.stack(rows)
    scores = np.clip(embeddings @ embeddings.T, -1.0, 1.0)
    labels: list[str] = []
    for c in clips:
        label, k = c.name, 2
        while label in labels:
            label, k = f"{c.name} ({k})", k + 1
        labels.append(label)
    points, explained = pca_2d(embeddings)
    groups = tuple(speaker_group(c.name) for c in clips)
    return SimilarityMap(tuple(labels), groups, scores, points, explained, p["model"])
