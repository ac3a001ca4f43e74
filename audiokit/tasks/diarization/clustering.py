"""Which voice-print windows are one voice: agglomerative clustering (cosine, average linkage).

The well-trodden pipeline of Wang et al., *Speaker Diarization with LSTM* (ICASSP 2018) uses
spectral clustering; the ``spectralcluster`` package with the paper's refinements was tried
first: on conversations of a few dozen windows its Gaussian blur and 95th-percentile row
threshold split voices wrongly (DER 22 % instead of 2 % on a 3-voice conversation) and its
eigengap missed a voice with few turns, while the threshold tree found every count; it also
answers "one voice" without a separate test.
"""

from __future__ import annotations

import dataclasses

import numpy as np

# Agglomerative merging stops at this cosine distance between groups (average linkage).
# GE2E windows of one voice have a median cosine near 0.8, of two voices near 0.42, on the
# generated conversations (benchmarks/bench_diarization.py); 0.4 lies between.
DISTANCE_THRESHOLD = 0.4
# A group smaller than this is not a speaker (a cough, applause, a clipped word).
MIN_CLUSTER_WINDOWS = 2
MIN_CLUSTER_SHARE = 0.03


@dataclasses.dataclass(frozen=True)
class Clustering:
    """Window labels, the window x window cosine, each merge's distance, and how, in words."""

    labels: np.ndarray
    affinity: np.ndarray
    merges: np.ndarray
    how: str


def _unit(embeddings: np.ndarray) -> np.ndarray:
    return embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)


def cluster(embeddings: np.ndarray, requested: int) -> Clustering:
    """Average-linkage agglomerative clustering of window prints (cosine distance).

    Estimated count: the tree is cut where merging would join groups whose windows are on
    average less alike than cosine 1 - DISTANCE_THRESHOLD; groups of fewer than
    MIN_CLUSTER_WINDOWS windows (a cough, applause, a clipped word) are not speakers and go
    to the nearest speaker. Given count: the tree is cut into that many groups.
    """
    from sklearn.cluster import AgglomerativeClustering

    n = embeddings.shape[0]
    unit = _unit(embeddings)
    affinity = np.clip(unit @ unit.T, -1.0, 1.0)
    if n < 2:
        return Clustering(
            np.zeros(n, dtype=int),
            affinity,
            np.zeros(0),
            "**One voice**: there is a single voice-print window, too few to tell voices apart.",
        )
    tree = AgglomerativeClustering(
        n_clusters=requested or None,
        distance_threshold=None if requested else DISTANCE_THRESHOLD,
        metric="cosine",
        linkage="average",
        compute_distances=True,
    ).fit(unit)
    labels = tree.labels_
    merges = np.asarray(tree.distances_, dtype=np.float64)
    above = int(np.sum(merges > DISTANCE_THRESHOLD))
    if requested:
        k = requested
        how = (
            f"You asked for **{k}** speaker{'s' if k > 1 else ''}, so the merging stopped "
            f"when {k} group{'s were' if k > 1 else ' was'} left (left alone, it would have "
            f"stopped at distance {DISTANCE_THRESHOLD:.2f} with {above + 1} group"
            f"{'s' if above else ''})."
        )
        return Clustering(labels, affinity, merges, how)
    sizes = np.bincount(labels)
    big = np.flatnonzero(sizes >= max(MIN_CLUSTER_WINDOWS, MIN_CLUSTER_SHARE * n))
    if big.size == 0:
        big = np.array([int(np.argmax(sizes))])
    small = int(sizes.size - big.size)
    centroids = np.stack([unit[labels == c].mean(axis=0) for c in big])
    # Windows of groups too small to be a speaker join the speaker they sound most like.
    final = np.argmax(unit @ centroids.T, axis=1)
    for i, c in enumerate(big):
        final[labels == c] = i
    k = big.size
    how = (
        f"**{k} speaker{'s' if k > 1 else ''}, estimated.** Each voice-print window started "
        "as its own group; the two most alike groups were merged again and again (average "
        "cosine between their windows). Merging stopped at distance "
        f"{DISTANCE_THRESHOLD:.2f} (windows less alike than cosine "
        f"{1 - DISTANCE_THRESHOLD:.2f}: two voices, on the generated conversations), which "
        f"left {sizes.size} group{'s' if sizes.size > 1 else ''}"
    )
    if small:
        how += (
            f"; {small} of them held fewer than {MIN_CLUSTER_WINDOWS} windows or "
            f"{MIN_CLUSTER_SHARE:.0%} of them (a cough, a noise, a clipped word), too little "
            "to be a speaker, so their windows joined the voice they sound most like"
        )
    how += "."
    return Clustering(final.astype(int), affinity, merges, how)


def without(embeddings: np.ndarray, labels: np.ndarray, drop: int) -> np.ndarray:
    """Window labels with group ``drop`` dissolved into the closest remaining groups."""
    unit = _unit(embeddings)
    keep = [c for c in range(int(labels.max()) + 1) if c != drop]
    centroids = np.stack([unit[labels == c].mean(axis=0) for c in keep])
    nearest = np.asarray(keep)[np.argmax(unit @ centroids.T, axis=1)]
    merged = np.where(labels == drop, nearest, labels)
    return np.searchsorted(np.asarray(keep), merged)
