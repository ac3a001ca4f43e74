"""``run()``: who spoke when in one recording, and ``warm_up()`` for its one model.

VAD and voice prints (:mod:`.segmentation`) → agglomerative clustering (:mod:`.clustering`) →
re-segmentation frame by frame; a voice left with too little speech is dissolved (estimated
counts only). Heavy imports stay inside functions: importing this module loads no model.
"""

from __future__ import annotations

import numpy as np

from audiokit.audio import Audio, format_duration, rms_db, validate
from audiokit.errors import AudioStudyError
from audiokit.progress import Progress, or_silent, scaled
from audiokit.tasks import speaker
from audiokit.tasks.diarization import clustering, segmentation
from audiokit.tasks.diarization.result import Diarization
from audiokit.tasks.diarization.segmentation import FRAME_S, SAMPLE_RATE
from audiokit.tasks.diarization.settings import LIMITS, check_num_speakers

# A voice that keeps less speech than this after re-segmentation is not a speaker of its own
# (estimated counts only): it is made of windows that straddle a change of speaker.
MIN_SPEAKER_S = 2.0


def warm_up() -> None:
    """Load the embedded GE2E encoder (once; later calls return at once)."""
    speaker.ge2e_encoder()


def _no_speech(audio: Audio, requested: int, note: str) -> Diarization:
    return Diarization(audio.name, audio.duration_s, (), requested, note=note)


def run(audio: Audio, *, num_speakers: int = 0, progress: Progress | None = None) -> Diarization:
    """Who spoke when in ``audio``.

    Args:
        audio: any rate and channels, from 1 s up to ``LIMITS.max_duration_s`` (30 minutes).
        num_speakers: 0 to estimate the count, else 1 to 10 (``PARAMS["num_speakers"]``).
        progress: told the share done (0 to 1) and what is being done.

    Returns:
        The turns, numbered "Speaker 1", "Speaker 2", ... by first appearance; a clip
        without speech gives no turns and a note saying so.

    Raises:
        AudioStudyError: empty, NaN/inf, too short, too long, or a count out of range.
    """
    requested = check_num_speakers(num_speakers)
    validate(audio, min_duration_s=LIMITS.min_duration_s, max_duration_s=LIMITS.max_duration_s)
    report = or_silent(progress)
    report(0.0, "Finding speech")
    x = audio.for_model(SAMPLE_RATE)
    if x.size == 0 or rms_db(x) < speaker.SILENCE_DB:
        return _no_speech(
            audio,
            requested,
            f"No speech was found in '{audio.name}': it is silent (below "
            f"{speaker.SILENCE_DB:g} dBFS), so nobody spoke and there are no segments.",
        )
    x = (x / float(np.max(np.abs(x))) * 0.9).astype(np.float32)
    voiced = speaker.voiced_frames(x)
    speech_s = float(voiced.sum()) * FRAME_S
    if speech_s < LIMITS.min_speech_s:
        return _no_speech(
            audio,
            requested,
            f"No speech was found in '{audio.name}': the voice activity detector kept only "
            f"{speech_s:.2f} s (at least {LIMITS.min_speech_s:g} s is needed), so there are "
            "no segments.",
        )
    embeddings, windows = segmentation.embed_regions(
        x, segmentation.regions(voiced), scaled(progress, 0.05, 0.9)
    )
    if requested > embeddings.shape[0]:
        raise AudioStudyError(
            f"'{audio.name}' has {format_duration(speech_s)} of speech, {embeddings.shape[0]} "
            f"voice-print windows: too few to split into {requested} speakers. Give a smaller "
            "number, or 0 to estimate it."
        )
    report(0.9, "Grouping the voice prints into speakers")
    found = clustering.cluster(embeddings, requested)
    window_labels, how = found.labels, found.how
    frames = segmentation.resegment(voiced, windows, embeddings, window_labels)
    dropped = 0
    while not requested:
        talk = np.bincount(frames[frames >= 0], minlength=int(window_labels.max()) + 1) * FRAME_S
        if talk.size < 2 or talk.min() >= MIN_SPEAKER_S:
            break
        window_labels = clustering.without(embeddings, window_labels, int(np.argmin(talk)))
        frames = segmentation.resegment(voiced, windows, embeddings, window_labels)
        dropped += 1
    if dropped:
        how += (
            f" {dropped} more group{'s' if dropped > 1 else ''} kept less than "
            f"{MIN_SPEAKER_S:g} s of speech once every frame went to its closest voice (windows "
            "that straddle a change of speaker sound like neither), so "
            f"{'they' if dropped > 1 else 'it'} joined the closest voice."
        )
    segments = segmentation.to_segments(frames)
    # Window labels renumbered like the segments (Speaker 1 = the first to speak).
    order: dict[int, int] = {}
    for _a, _b, lab in segmentation.runs(frames):
        if lab >= 0:
            order.setdefault(lab, len(order))
    labels = np.array([order.get(int(c), -1) for c in window_labels])
    kept = len({s.speaker for s in segments})
    if requested and kept < requested:
        how += (
            f" After re-segmentation only {kept} of them kept any turn: the others' windows "
            "were too few or too alike to hold a turn of their own."
        )
    report(1.0, "Done")
    return Diarization(
        audio.name,
        audio.duration_s,
        tuple(segments),
        requested,
        how=how,
        windows=windows,
        embeddings=embeddings,
        labels=labels,
        affinity=found.affinity,
        merges=found.merges,
    )
