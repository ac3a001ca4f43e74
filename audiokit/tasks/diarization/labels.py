"""Speaker-labelled transcripts: who said each segment (or word) of a transcript.

Diarization (:func:`audiokit.tasks.diarization.run`) says who spoke when; the recognizer says
what was said when. Each word (with word timestamps) or segment takes the speaker whose
turns overlap it most, the nearest turn when it falls in a pause; a segment whose words
change speaker is split there. Consecutive pieces of one speaker form a turn, shown as
"Speaker 1: ..." and written to SRT (a "Speaker 1:" prefix), WebVTT (voice tags
``<v Speaker 1>``) and JSON (a ``speaker`` field on every segment and word).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from audiokit.audio import Audio, format_duration
from audiokit.errors import AudioStudyError
from audiokit.files import write_texts
from audiokit.progress import Progress
from audiokit.tasks import asr
from audiokit.tasks.diarization.pipeline import run
from audiokit.tasks.diarization.result import Diarization
from audiokit.tasks.diarization.settings import LIMITS


@dataclasses.dataclass(frozen=True)
class Piece:
    """A stretch of transcript spoken by one speaker (a cue of the subtitles).

    Attributes:
        start_s: where it starts.
        end_s: where it ends.
        text: what was said.
        speaker: the speaker's display name.
        words: the words with their speaker, as ``asr.Word`` (empty without word timestamps).
    """

    start_s: float
    end_s: float
    text: str
    speaker: str
    words: tuple[asr.Word, ...] = ()


@dataclasses.dataclass(frozen=True)
class LabelledTranscript:
    """A transcript whose every piece has a speaker."""

    transcript: asr.Transcript
    diarization: Diarization
    pieces: tuple[Piece, ...]

    @property
    def turns(self) -> list[tuple[str, str]]:
        """(speaker, text) for each run of pieces by one speaker."""
        out: list[list[str]] = []
        for p in self.pieces:
            if not p.text:
                continue
            if out and out[-1][0] == p.speaker:
                out[-1][1] = f"{out[-1][1]} {p.text}"
            else:
                out.append([p.speaker, p.text])
        return [(who, text) for who, text in out]

    @property
    def summary(self) -> str:
        """One line: who was found, with each speaker's talk time."""
        d = self.diarization
        if not d.segments:
            return f"🗣️ Speaker labels: {d.note or 'no speech found.'}"
        talk = d.talk_time()
        found = ", ".join(f"{d.display(s)} ({format_duration(talk[s])})" for s in d.speakers)
        return f"🗣️ {d.num_speakers} speaker{'s' if d.num_speakers > 1 else ''}: {found}."

    @property
    def text(self) -> str:
        """The transcript as turns, one paragraph each: ``Speaker 1: ...``."""
        return "\n\n".join(f"{who}: {text}" for who, text in self.turns)


def speaker_at(result: Diarization, start_s: float, end_s: float) -> str:
    """The display name of the speaker who overlaps [start_s, end_s] most (nearest if none)."""
    if not result.segments:
        return "Speaker ?"
    overlap: dict[str, float] = {}
    for s in result.segments:
        shared = min(end_s, s.end_s) - max(start_s, s.start_s)
        if shared > 0:
            overlap[s.speaker] = overlap.get(s.speaker, 0.0) + shared
    if overlap:
        return result.display(max(overlap, key=overlap.__getitem__))
    middle = (start_s + end_s) / 2
    nearest = min(result.segments, key=lambda s: max(s.start_s - middle, middle - s.end_s, 0.0))
    return result.display(nearest.speaker)


def _join(words: Sequence[asr.Word]) -> str:
    # faster-whisper words carry their leading space; other backends' may not.
    text = "".join(w.text if w.text[:1].isspace() else f" {w.text}" for w in words)
    return " ".join(text.split())


def attribute(transcript: asr.Transcript, result: Diarization) -> LabelledTranscript:
    """Give every segment (every word, when the transcript has word timestamps) a speaker."""
    pieces: list[Piece] = []
    for seg in transcript.segments:
        if not seg.words:
            who = speaker_at(result, seg.start_s, seg.end_s)
            pieces.append(Piece(seg.start_s, seg.end_s, seg.text.strip(), who))
            continue
        run: list[asr.Word] = []
        who = ""
        for word in seg.words:
            speaker = speaker_at(result, word.start_s, word.end_s)
            if run and speaker != who:
                pieces.append(Piece(run[0].start_s, run[-1].end_s, _join(run), who, tuple(run)))
                run = []
            run.append(word)
            who = speaker
        if run:
            pieces.append(Piece(run[0].start_s, run[-1].end_s, _join(run), who, tuple(run)))
    return LabelledTranscript(transcript, result, tuple(pieces))


def check_length(audio: Audio) -> None:
    """Refuse, before any transcribing, a recording longer than diarization takes."""
    if audio.duration_s > LIMITS.max_duration_s:
        raise AudioStudyError(
            f"Speaker labels work on recordings up to "
            f"{format_duration(LIMITS.max_duration_s)}; this one is "
            f"{format_duration(audio.duration_s)}. Untick “label speakers” or trim it."
        )


def label_speakers(
    audio: Audio,
    transcript: asr.Transcript,
    *,
    num_speakers: int = 0,
    progress: Progress | None = None,
) -> LabelledTranscript:
    """Diarize ``audio`` and attribute ``transcript`` to its speakers.

    Raises:
        AudioStudyError: the recording is longer than diarization takes, or a bad count.
    """
    check_length(audio)
    return attribute(transcript, run(audio, num_speakers=num_speakers, progress=progress))


# ------------------------------------------------------------------------------- writers
def _cues(labelled: LabelledTranscript) -> list[Piece]:
    out = []
    for p in labelled.pieces:
        if p.text:
            end = p.end_s if p.end_s > p.start_s else p.start_s + 0.2
            out.append(dataclasses.replace(p, end_s=end))
    return out


def to_srt(labelled: LabelledTranscript) -> str:
    """SubRip cues, each text prefixed by its speaker (SRT has no voice tags)."""
    return "\n".join(
        f"{i}\n{asr.timestamp(p.start_s)} --> {asr.timestamp(p.end_s)}\n{p.speaker}: {p.text}\n"
        for i, p in enumerate(_cues(labelled), start=1)
    )


def _vtt_voice(name: str) -> str:
    # A voice annotation ends at ">"; keep the name from closing the tag early.
    return name.replace(">", "").replace("&", "and")


def to_vtt(labelled: LabelledTranscript) -> str:
    """WebVTT cues with voice tags: ``<v Speaker 1>text``."""
    blocks = [
        f"{asr.timestamp(p.start_s, decimal='.')} --> {asr.timestamp(p.end_s, decimal='.')}\n"
        f"<v {_vtt_voice(p.speaker)}>{p.text.replace('<', '&lt;')}\n"
        for p in _cues(labelled)
    ]
    return "WEBVTT\n\n" + "\n".join(blocks)


def to_dict(labelled: LabelledTranscript) -> dict[str, Any]:
    """The transcript's own fields, with segments and words carrying a ``speaker``."""
    data = labelled.transcript.to_dict()
    data["text"] = labelled.text
    data["segments"] = [
        {
            "start_s": p.start_s,
            "end_s": p.end_s,
            "text": p.text,
            "speaker": p.speaker,
            "words": [{**dataclasses.asdict(w), "speaker": p.speaker} for w in p.words],
        }
        for p in labelled.pieces
    ]
    data["turns"] = [{"speaker": who, "text": text} for who, text in labelled.turns]
    data["speakers"] = [labelled.diarization.display(s) for s in labelled.diarization.speakers]
    return data


def write_downloads(labelled: LabelledTranscript, *, folder: Path, name: str) -> list[Path]:
    """``name``.txt (turns), .srt, .vtt and .json with speakers, UTF-8, in ``folder``."""
    contents = {
        ".txt": labelled.text + "\n",
        ".srt": to_srt(labelled),
        ".vtt": to_vtt(labelled),
        ".json": json.dumps(to_dict(labelled), ensure_ascii=False, indent=2),
    }
    return write_texts(contents, folder=folder, name=name)
