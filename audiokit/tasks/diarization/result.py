"""What diarization returns: turns, the speakers' names, and what the clustering saw.

Also the two things done with a result afterwards: naming a speaker, and playing one
speaker's turns back to back.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from audiokit.audio import Audio
from audiokit.errors import AudioStudyError
from audiokit.files import safe_stem


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


Result = Diarization


def _check_speaker(result: Diarization, speaker_id: str) -> None:
    if speaker_id not in result.speakers:
        raise AudioStudyError(
            f"There is no '{speaker_id}' in this result; pick one of: "
            f"{', '.join(result.speakers) or 'none (no speech was found)'}."
        )


def rename(result: Diarization, speaker_id: str, name: str) -> Diarization:
    """The result with ``speaker_id`` shown and written as ``name`` (blank: back to the id)."""
    _check_speaker(result, speaker_id)
    clean = " ".join(str(name or "").split())[:40]
    taken = {result.display(s) for s in result.speakers if s != speaker_id}
    if clean in taken:
        raise AudioStudyError(f"'{clean}' already names another speaker; choose another name.")
    names = {k: v for k, v in result.names if k != speaker_id}
    if clean and clean != speaker_id:
        names[speaker_id] = clean
    return dataclasses.replace(result, names=tuple(sorted(names.items())))


def speaker_audio(
    audio: Audio, result: Diarization, speaker_id: str, *, gap_s: float = 0.4
) -> Audio:
    """One speaker's turns played back to back, with short silences between them."""
    _check_speaker(result, speaker_id)
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
