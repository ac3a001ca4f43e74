"""Who spoke when: offline speaker diarization with the embedded GE2E voice encoder.

The well-trodden pipeline of Wang et al., *Speaker Diarization with LSTM* (ICASSP 2018):

1. **VAD**: the speaker engine's WebRTC VAD with its energy gate marks 30 ms frames of speech;
   runs of speech are the regions.
2. **Voice prints over time**: each region is levelled and embedded by GE2E in Resemblyzer's
   own sliding windows (1.6 s, every 0.77 s), one 256-d d-vector per window.
3. **Clustering**: agglomerative clustering of the windows (scikit-learn, average linkage,
   cosine distance), stopped at a distance threshold, or at the count the user gave. The
   paper's spectral clustering (the ``spectralcluster`` package, ICASSP 2018 refinements) was
   tried first: on conversations of a few dozen windows its Gaussian blur and 95th-percentile
   row threshold split voices wrongly (DER 22 % instead of 2 % on a 3-voice conversation) and
   its eigengap missed a voice with few turns, while the threshold tree found every count;
   it also answers "one voice" without a separate test.
4. **Re-segmentation**: every 30 ms frame of speech takes the speaker whose centroid best
   matches the windows covering it, turns shorter than half a second are absorbed by their
   neighbours, and a speaker's turns separated by short pauses are joined.

Scoring uses ``pyannote.metrics`` (DER with its ``collar=0.25``: 0.125 s each side of a
reference boundary). Heavy imports stay inside functions: importing this module loads no model.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from audiokit.audio import Audio, format_duration, rms_db, validate
from audiokit.engines import speaker
from audiokit.errors import AudioStudyError
from audiokit.files import safe_stem

SAMPLE_RATE = speaker.SAMPLE_RATE
MAX_DURATION_S = float(os.environ.get("AUDIOSTUDY_DIARIZATION_MAX_S", 1800))
MIN_DURATION_S = 1.0
MAX_SPEAKERS = 10
# Less speech than this has no voice print worth clustering.
MIN_SPEECH_S = 0.5
FRAME_S = speaker.VAD_FRAME_S
# Resemblyzer's partial windows, as GE2EEncoder.embed_partials computes them.
WINDOW_RATE = 1.3
WINDOW_COVERAGE = 0.75
# Turns shorter than this are absorbed by their neighbours within a stretch of speech.
MIN_TURN_S = 0.5
# A speaker's turns separated by less silence than this are one segment (breaths, commas).
MERGE_GAP_S = 0.75
# Agglomerative merging stops at this cosine distance between groups (average linkage).
# GE2E windows of one voice have a median cosine near 0.8, of two voices near 0.42, on the
# generated conversations (benchmarks/bench_diarization.py); 0.4 lies between.
DISTANCE_THRESHOLD = 0.4
# A voice that keeps less speech than this after re-segmentation is not a speaker of its own
# (estimated counts only): it is made of windows that straddle a change of speaker.
MIN_SPEAKER_S = 2.0
# A group smaller than this is not a speaker (a cough, applause, a clipped word).
MIN_CLUSTER_WINDOWS = 2
MIN_CLUSTER_SHARE = 0.03
DER_COLLAR_S = 0.25


@dataclasses.dataclass(frozen=True)
class Segment:
    """One turn: ``speaker`` is the id ("Speaker 1"), numbered by first appearance."""

    start_s: float
    end_s: float
    speaker: str

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclasses.dataclass(frozen=True)
class Diarization:
    """Who spoke when, and what the clustering saw.

    Attributes:
        name: the clip's name.
        duration_s: the clip's duration.
        segments: time-ordered turns.
        requested: the speaker count asked for, 0 when it was estimated.
        how: how the speaker count was chosen, in plain words (Markdown).
        note: a remark for the user (no speech found), else empty.
        names: display names given to speaker ids (rename); ids without one show the id.
        windows: (n, 2) start and end of each voice-print window, in seconds.
        embeddings: (n, 256) the windows' voice prints.
        labels: (n,) cluster of each window, as speaker index (0 = Speaker 1).
        affinity: (n, n) cosine similarity of the windows: what the clustering saw.
        merges: the distance of each merge of the agglomerative clustering, in order.
    """

    name: str
    duration_s: float
    segments: tuple[Segment, ...]
    requested: int = 0
    how: str = ""
    note: str = ""
    names: tuple[tuple[str, str], ...] = ()
    windows: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 2)))
    embeddings: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 256)))
    labels: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0, dtype=int))
    affinity: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 0)))
    merges: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))

    @property
    def speakers(self) -> list[str]:
        """Speaker ids in order of first appearance."""
        seen: list[str] = []
        for s in self.segments:
            if s.speaker not in seen:
                seen.append(s.speaker)
        return seen

    @property
    def num_speakers(self) -> int:
        return len(self.speakers)

    def display(self, speaker_id: str) -> str:
        """The name shown and written for a speaker id."""
        return dict(self.names).get(speaker_id, speaker_id)

    def talk_time(self) -> dict[str, float]:
        """Seconds of speech per speaker id, in order of first appearance."""
        totals = {s: 0.0 for s in self.speakers}
        for seg in self.segments:
            totals[seg.speaker] += seg.duration_s
        return totals

    def to_json_segments(self) -> list[dict[str, Any]]:
        """``[{start, end, speaker}]`` with display names, times in seconds (3 decimals)."""
        return [
            {
                "start": round(s.start_s, 3),
                "end": round(s.end_s, 3),
                "speaker": self.display(s.speaker),
            }
            for s in self.segments
        ]


# ------------------------------------------------------------------------------ checks
def check_num_speakers(num_speakers: Any) -> int:
    """0 (estimate) or a whole number of speakers from 1 to MAX_SPEAKERS."""
    try:
        value = float(num_speakers if num_speakers is not None else 0)
    except (TypeError, ValueError):
        raise AudioStudyError(
            f"The number of speakers must be a whole number, not {num_speakers!r}."
        ) from None
    if not np.isfinite(value) or value != int(value) or not 0 <= value <= MAX_SPEAKERS:
        raise AudioStudyError(
            f"The number of speakers must be a whole number from 1 to {MAX_SPEAKERS}, "
            f"or 0 to estimate it; {num_speakers!r} is out of range."
        )
    return int(value)


def rename(result: Diarization, speaker_id: str, name: str) -> Diarization:
    """The result with ``speaker_id`` shown and written as ``name`` (blank: back to the id)."""
    if speaker_id not in result.speakers:
        raise AudioStudyError(
            f"There is no '{speaker_id}' in this result; pick one of: "
            f"{', '.join(result.speakers) or 'none (no speech was found)'}."
        )
    clean = " ".join(str(name or "").split())[:40]
    taken = {result.display(s) for s in result.speakers if s != speaker_id}
    if clean in taken:
        raise AudioStudyError(f"'{clean}' already names another speaker; choose another name.")
    names = {k: v for k, v in result.names if k != speaker_id}
    if clean and clean != speaker_id:
        names[speaker_id] = clean
    return dataclasses.replace(result, names=tuple(sorted(names.items())))


# ---------------------------------------------------------------------------- pipeline
def _regions(voiced: np.ndarray) -> list[tuple[int, int]]:
    """Runs of voiced frames as (first, stop) frame indices."""
    padded = np.concatenate([[False], voiced, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _embed_regions(
    x: np.ndarray, regions: list[tuple[int, int]], progress: Callable[[float], None] | None
) -> tuple[np.ndarray, np.ndarray]:
    """GE2E window prints of every region and the windows' (start, end) in seconds."""
    from resemblyzer import VoiceEncoder

    encoder = speaker.ge2e_encoder()
    frame = int(FRAME_S * SAMPLE_RATE)
    prints, spans = [], []
    for n, (a, b) in enumerate(regions):
        region = x[a * frame : b * frame]
        # Levelled like every clip the speaker tab embeds: loud and quiet talkers alike.
        gain = 10 ** ((speaker.TARGET_DBFS - rms_db(region)) / 20)
        _, partials = encoder.embed_partials((region * gain).astype(np.float32))
        slices, _ = VoiceEncoder.compute_partial_slices(region.size, WINDOW_RATE, WINDOW_COVERAGE)
        start = a * frame
        for s in slices[: len(partials)]:
            spans.append(
                ((start + s.start) / SAMPLE_RATE, (start + min(s.stop, region.size)) / SAMPLE_RATE)
            )
        prints.append(partials)
        if progress is not None:
            progress((n + 1) / len(regions))
    return np.concatenate(prints), np.asarray(spans, dtype=np.float64)


@dataclasses.dataclass(frozen=True)
class _Clustering:
    labels: np.ndarray
    affinity: np.ndarray
    merges: np.ndarray
    how: str


def _cluster(embeddings: np.ndarray, requested: int) -> _Clustering:
    """Average-linkage agglomerative clustering of window prints (cosine distance).

    Estimated count: the tree is cut where merging would join groups whose windows are on
    average less alike than cosine 1 - DISTANCE_THRESHOLD; groups of fewer than
    MIN_CLUSTER_WINDOWS windows (a cough, applause, a clipped word) are not speakers and go
    to the nearest speaker. Given count: the tree is cut into that many groups.
    """
    from sklearn.cluster import AgglomerativeClustering

    n = embeddings.shape[0]
    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    affinity = np.clip(unit @ unit.T, -1.0, 1.0)
    if n < 2:
        return _Clustering(
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
        return _Clustering(labels, affinity, merges, how)
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
    return _Clustering(final.astype(int), affinity, merges, how)


def _resegment(
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
    for a, b in _regions(voiced):
        run = frames[a:b]
        known = np.flatnonzero(run >= 0)
        if known.size and known.size < run.size:
            nearest = known[np.abs(np.arange(run.size)[:, None] - known[None, :]).argmin(axis=1)]
            frames[a:b] = run[nearest]
    return _absorb_short_turns(frames)


def _without(embeddings: np.ndarray, labels: np.ndarray, drop: int) -> np.ndarray:
    """Window labels with group ``drop`` dissolved into the closest remaining groups."""
    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    keep = [c for c in range(int(labels.max()) + 1) if c != drop]
    centroids = np.stack([unit[labels == c].mean(axis=0) for c in keep])
    nearest = np.asarray(keep)[np.argmax(unit @ centroids.T, axis=1)]
    merged = np.where(labels == drop, nearest, labels)
    return np.searchsorted(np.asarray(keep), merged)


def _absorb_short_turns(frames: np.ndarray) -> np.ndarray:
    """Turns shorter than MIN_TURN_S inside a stretch of speech go to a neighbouring turn."""
    min_frames = int(round(MIN_TURN_S / FRAME_S))
    frames = frames.copy()
    while True:
        runs = _runs(frames)
        short = [
            (b - a, i)
            for i, (a, b, lab) in enumerate(runs)
            if lab >= 0 and b - a < min_frames and _neighbour(runs, i) is not None
        ]
        if not short:
            return frames
        _, i = min(short)
        a, b, _ = runs[i]
        frames[a:b] = _neighbour(runs, i)


def _runs(frames: np.ndarray) -> list[tuple[int, int, int]]:
    edges = np.flatnonzero(np.diff(frames)) + 1
    bounds = np.concatenate([[0], edges, [frames.size]])
    return [(int(a), int(b), int(frames[a])) for a, b in itertools.pairwise(bounds)]


def _neighbour(runs: list[tuple[int, int, int]], i: int) -> int | None:
    """The label of the longer adjacent speech run that touches run ``i``, if any."""
    options = [runs[j] for j in (i - 1, i + 1) if 0 <= j < len(runs) and runs[j][2] >= 0]
    if not options:
        return None
    _a, _b, lab = max(options, key=lambda r: r[1] - r[0])
    return lab


def _segments(frames: np.ndarray) -> list[Segment]:
    """Frame labels to turns; one speaker's turns across short pauses become one."""
    merged: list[list[float]] = []
    for a, b, lab in _runs(frames):
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


def diarize(
    audio: Audio,
    *,
    num_speakers: int = 0,
    max_duration_s: float = MAX_DURATION_S,
    progress: Callable[[float], None] | None = None,
) -> Diarization:
    """Who spoke when in ``audio``.

    Args:
        audio: any rate and channels, from MIN_DURATION_S up to ``max_duration_s``.
        num_speakers: 0 to estimate the count, else 1 to MAX_SPEAKERS.
        max_duration_s: the length limit (30 minutes by default).
        progress: called with the share of speech embedded so far (0 to 1).

    Returns:
        The turns, numbered "Speaker 1", "Speaker 2", ... by first appearance; a clip
        without speech gives no turns and a note saying so.

    Raises:
        AudioStudyError: empty, NaN/inf, too short, too long, or a count out of range.
    """
    requested = check_num_speakers(num_speakers)
    validate(audio, min_duration_s=MIN_DURATION_S, max_duration_s=max_duration_s)
    x = audio.for_model(SAMPLE_RATE)
    duration = audio.duration_s
    if x.size == 0 or rms_db(x) < speaker.SILENCE_DB:
        note = (
            f"No speech was found in '{audio.name}': it is silent (below "
            f"{speaker.SILENCE_DB:g} dBFS), so nobody spoke and there are no segments."
        )
        return Diarization(audio.name, duration, (), requested, note=note)
    x = (x / float(np.max(np.abs(x))) * 0.9).astype(np.float32)
    voiced = speaker.voiced_frames(x)
    speech_s = float(voiced.sum()) * FRAME_S
    if speech_s < MIN_SPEECH_S:
        note = (
            f"No speech was found in '{audio.name}': the voice activity detector kept only "
            f"{speech_s:.2f} s (at least {MIN_SPEECH_S:g} s is needed), so there are no segments."
        )
        return Diarization(audio.name, duration, (), requested, note=note)
    regions = _regions(voiced)
    embeddings, windows = _embed_regions(x, regions, progress)
    if requested > embeddings.shape[0]:
        raise AudioStudyError(
            f"'{audio.name}' has {format_duration(speech_s)} of speech, {embeddings.shape[0]} "
            f"voice-print windows: too few to split into {requested} speakers. Give a smaller "
            "number, or 0 to estimate it."
        )
    clustering = _cluster(embeddings, requested)
    window_labels, how = clustering.labels, clustering.how
    frames = _resegment(voiced, windows, embeddings, window_labels)
    dropped = 0
    while not requested:
        talk = np.bincount(frames[frames >= 0], minlength=int(window_labels.max()) + 1) * FRAME_S
        if talk.size < 2 or talk.min() >= MIN_SPEAKER_S:
            break
        window_labels = _without(embeddings, window_labels, int(np.argmin(talk)))
        frames = _resegment(voiced, windows, embeddings, window_labels)
        dropped += 1
    if dropped:
        how += (
            f" {dropped} more group{'s' if dropped > 1 else ''} kept less than "
            f"{MIN_SPEAKER_S:g} s of speech once every frame went to its closest voice (windows "
            "that straddle a change of speaker sound like neither), so "
            f"{'they' if dropped > 1 else 'it'} joined the closest voice."
        )
    segments = _segments(frames)
    # Window labels renumbered like the segments (Speaker 1 = the first to speak).
    order = {}
    for _a, _b, lab in _runs(frames):
        if lab >= 0:
            order.setdefault(lab, len(order))
    labels = np.array([order.get(int(c), -1) for c in window_labels])
    found = len({s.speaker for s in segments})
    if requested and found < requested:
        how += (
            f" After re-segmentation only {found} of them kept any turn: the others' windows "
            "were too few or too alike to hold a turn of their own."
        )
    return Diarization(
        audio.name,
        duration,
        tuple(segments),
        requested,
        how=how,
        windows=windows,
        embeddings=embeddings,
        labels=labels,
        affinity=clustering.affinity,
        merges=clustering.merges,
    )


# ----------------------------------------------------------------------------- writers
def _rttm_name(name: str) -> str:
    # RTTM fields are separated by spaces: a name must be one token.
    return "_".join(name.split()) or "speaker"


def to_rttm(result: Diarization) -> str:
    """NIST RTTM: one ``SPEAKER <file> 1 <onset> <duration> <NA> <NA> <name> <NA> <NA>`` line
    per turn, with the display names."""
    file_id = safe_stem(result.name)
    return "".join(
        f"SPEAKER {file_id} 1 {s.start_s:.3f} {s.duration_s:.3f} <NA> <NA> "
        f"{_rttm_name(result.display(s.speaker))} <NA> <NA>\n"
        for s in result.segments
    )


def to_json(result: Diarization) -> str:
    """The segments, the speakers with their talk time, and how the count was chosen."""
    talk = result.talk_time()
    data = {
        "audio": result.name,
        "duration_s": round(result.duration_s, 3),
        "num_speakers": result.num_speakers,
        "requested_speakers": result.requested or "estimated",
        "speakers": [
            {"id": s, "name": result.display(s), "talk_time_s": round(talk[s], 3)}
            for s in result.speakers
        ],
        "segments": result.to_json_segments(),
        "note": result.note,
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def write_downloads(result: Diarization, *, folder: Path) -> list[Path]:
    """``<name>.rttm`` and ``<name>.diarization.json`` in ``folder``, UTF-8."""
    stem = safe_stem(result.name)
    paths = []
    for suffix, text in ((".rttm", to_rttm(result)), (".diarization.json", to_json(result))):
        path = Path(folder) / f"{stem}{suffix}"
        path.write_text(text, encoding="utf-8", newline="\n")
        paths.append(path)
    return paths


def speaker_audio(
    audio: Audio, result: Diarization, speaker_id: str, *, gap_s: float = 0.4
) -> Audio:
    """One speaker's turns played back to back, with short silences between them."""
    if speaker_id not in result.speakers:
        raise AudioStudyError(
            f"There is no '{speaker_id}' in this result; pick one of: "
            f"{', '.join(result.speakers) or 'none (no speech was found)'}."
        )
    rate = audio.sample_rate
    gap = np.zeros((audio.channels, int(gap_s * rate)), np.float32)
    pieces = []
    for s in result.segments:
        if s.speaker == speaker_id:
            pieces += [audio.samples[:, int(s.start_s * rate) : int(s.end_s * rate)], gap]
    samples = np.concatenate(pieces[:-1], axis=1)
    return Audio(
        np.ascontiguousarray(samples), rate, f"{audio.name}-{safe_stem(result.display(speaker_id))}"
    )


# ----------------------------------------------------------------------------- scoring
def der(
    reference: Sequence[tuple[float, float, str]],
    hypothesis: Sequence[tuple[float, float, str]] | Diarization,
    *,
    collar_s: float = DER_COLLAR_S,
) -> dict[str, float]:
    """Diarization error rate with ``pyannote.metrics`` (speaker mapping by the Hungarian
    method; ``collar_s`` in all, half each side of every reference boundary, not scored).

    Returns:
        ``der`` and its parts as fractions of the reference speech: ``missed``,
        ``false_alarm``, ``confusion``; and ``total`` (seconds of reference speech).
    """
    from pyannote.core import Annotation, Timeline
    from pyannote.core import Segment as Span
    from pyannote.metrics.diarization import DiarizationErrorRate

    if isinstance(hypothesis, Diarization):
        hypothesis = [(s.start_s, s.end_s, s.speaker) for s in hypothesis.segments]

    def annotation(turns):
        out = Annotation()
        for i, (a, b, who) in enumerate(turns):
            out[Span(float(a), float(b)), i] = who
        return out

    metric = DiarizationErrorRate(collar=collar_s, skip_overlap=False)
    ref, hyp = annotation(reference), annotation(hypothesis)
    # Scored from 0 to the last turn of either: pauses and missed tails count.
    end = max([0.0, *(float(t[1]) for t in reference), *(float(t[1]) for t in hypothesis)])
    uem = Timeline([Span(0.0, end)]) if end > 0 else None
    parts = metric(ref, hyp, uem=uem, detailed=True)
    total = parts["total"] or 1.0
    return {
        "der": float(parts["diarization error rate"]),
        "missed": parts["missed detection"] / total,
        "false_alarm": parts["false alarm"] / total,
        "confusion": parts["confusion"] / total,
        "total": float(parts["total"]),
    }
