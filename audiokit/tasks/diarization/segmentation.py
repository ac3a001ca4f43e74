"""Speech regions, voice prints over time, and turns: everything on the clip's clock.

1. **VAD**: the speaker engine's WebRTC VAD with its energy gate marks 30 ms frames of
   speech; runs of speech are the regions.
2. **Voice prints over time**: each region is levelled and embedded by GE2E in Resemblyzer's
   own sliding windows (1.6 s, every 0.77 s), one 256-d d-vector per window.
3. **Re-segmentation** (after clustering): every 30 ms frame of speech takes the speaker whose
   centroid best matches the windows covering it, turns shorter than half a second are
   absorbed by their neighbours, and a speaker's turns separated by short pauses are joined.
"""

from __future__ import annotations

import itertools

import numpy as np

from audiokit.audio import rms_db
from audiokit.progress import Progress
from audiokit.tasks import speaker
from audiokit.tasks.diarization.result import Segment

SAMPLE_RATE = speaker.SAMPLE_RATE
FRAME_S = speaker.VAD_FRAME_S
# Resemblyzer's partial windows, as GE2EEncoder.embed_partials computes them.
WINDOW_RATE = 1.3
WINDOW_COVERAGE = 0.75
# Turns shorter than this are absorbed by their neighbours within a stretch of speech.
MIN_TURN_S = 0.5
# A speaker's turns separated by less silence than this are one segment (breaths, commas).
MERGE_GAP_S = 0.75


def regions(voiced: np.ndarray) -> list[tuple[int, int]]:
    """Runs of voiced frames as (first, stop) frame indices."""
    padded = np.concatenate([[False], voiced, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def embed_regions(
    x: np.ndarray, spans: list[tuple[int, int]], progress: Progress
) -> tuple[np.ndarray, np.ndarray]:
    """GE2E window prints of every region and the windows' (start, end) in seconds.

    ``progress`` gets the share of regions embedded so far (0 to 1).
    """
    from resemblyzer import VoiceEncoder

    encoder = speaker.ge2e_encoder()
    frame = int(FRAME_S * SAMPLE_RATE)
    prints, windows = [], []
    for n, (a, b) in enumerate(spans):
        region = x[a * frame : b * frame]
        # Levelled like every clip the speaker tab embeds: loud and quiet talkers alike.
        gain = 10 ** ((speaker.TARGET_DBFS - rms_db(region)) / 20)
        _, partials = encoder.embed_partials((region * gain).astype(np.float32))
        slices, _ = VoiceEncoder.compute_partial_slices(region.size, WINDOW_RATE, WINDOW_COVERAGE)
        start = a * frame
        for s in slices[: len(partials)]:
            windows.append(
                ((start + s.start) / SAMPLE_RATE, (start + min(s.stop, region.size)) / SAMPLE_RATE)
            )
        prints.append(partials)
        progress((n + 1) / len(spans), f"Voice prints of stretch {n + 1} of {len(spans)}")
    return np.concatenate(prints), np.asarray(windows, dtype=np.float64)


def resegment(
    voiced: np.ndarray, windows: np.ndarray, embeddings: np.ndarray, labels: np.ndarray
) -> np.ndarray:
    """A speaker index per 30 ms frame (-1 where silent), from the windows covering it."""
    k = int(labels.max()) + 1
    centroids = np.stack([embeddings[labels == c].mean(axis=0) for c in range(k)])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    scores = unit @ centroids.T
    n = voiced.size
    total = np.zeros((n, k))
    count = np.zeros(n)
    first = np.floor(windows[:, 0] / FRAME_S).astype(int)
    stop = np.minimum(np.ceil(windows[:, 1] / FRAME_S).astype(int), n)
    for i in range(windows.shape[0]):
        total[first[i] : stop[i]] += scores[i]
        count[first[i] : stop[i]] += 1
    frames = np.where(count > 0, np.argmax(total, axis=1), -1)
    frames[~voiced] = -1
    # A voiced frame no window reached (the tail past the last window) takes its neighbour's.
    for a, b in regions(voiced):
        run = frames[a:b]
        known = np.flatnonzero(run >= 0)
        if known.size and known.size < run.size:
            nearest = known[np.abs(np.arange(run.size)[:, None] - known[None, :]).argmin(axis=1)]
            frames[a:b] = run[nearest]
    return absorb_short_turns(frames)


def absorb_short_turns(frames: np.ndarray) -> np.ndarray:
    """Turns shorter than MIN_TURN_S inside a stretch of speech go to a neighbouring turn."""
    min_frames = int(round(MIN_TURN_S / FRAME_S))
    frames = frames.copy()
    while True:
        found = runs(frames)
        short = [
            (b - a, i)
            for i, (a, b, lab) in enumerate(found)
            if lab >= 0 and b - a < min_frames and _neighbour(found, i) is not None
        ]
        if not short:
            return frames
        _, i = min(short)
        a, b, _ = found[i]
        frames[a:b] = _neighbour(found, i)


def runs(frames: np.ndarray) -> list[tuple[int, int, int]]:
    """Runs of one label as (first, stop, label) frame indices."""
    edges = np.flatnonzero(np.diff(frames)) + 1
    bounds = np.concatenate([[0], edges, [frames.size]])
    return [(int(a), int(b), int(frames[a])) for a, b in itertools.pairwise(bounds)]


def _neighbour(found: list[tuple[int, int, int]], i: int) -> int | None:
    """The label of the longer adjacent speech run that touches run ``i``, if any."""
    options = [found[j] for j in (i - 1, i + 1) if 0 <= j < len(found) and found[j][2] >= 0]
    if not options:
        return None
    _a, _b, lab = max(options, key=lambda r: r[1] - r[0])
    return lab


def to_segments(frames: np.ndarray) -> list[Segment]:
    """Frame labels to turns; one speaker's turns across short pauses become one."""
    merged: list[list[float]] = []
    for a, b, lab in runs(frames):
        if lab < 0:
            continue
        start, end = a * FRAME_S, b * FRAME_S
        if merged and merged[-1][2] == lab and start - merged[-1][1] < MERGE_GAP_S:
            merged[-1][1] = end
        else:
            merged.append([start, end, lab])
    # Number speakers by first appearance: Speaker 1 speaks first.
    order: dict[int, int] = {}
    for _, _, lab in merged:
        order.setdefault(int(lab), len(order) + 1)
    return [Segment(round(a, 3), round(b, 3), f"Speaker {order[int(lab)]}") for a, b, lab in merged]
