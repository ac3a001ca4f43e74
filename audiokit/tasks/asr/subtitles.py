"""Subtitles and downloads of a transcript: SRT, WebVTT, plain text and JSON."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from audiokit.files import write_texts
from audiokit.tasks.asr.transcript import Segment, Transcript


def timestamp(seconds: float, *, decimal: str = ",") -> str:
    """``3725.5`` -> ``'01:02:05,500'`` (SRT) or with ``decimal='.'`` ``'01:02:05.500'`` (VTT)."""
    ms = max(0, round(seconds * 1000))
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal}{ms:03d}"


def _cues(transcript: Transcript) -> list[Segment]:
    # A zero-length cue is invisible in players; give it at least a few frames.
    cues = []
    for s in transcript.segments:
        if s.text:
            end = s.end_s if s.end_s > s.start_s else min(s.start_s + 0.2, transcript.duration_s)
            cues.append(dataclasses.replace(s, end_s=max(end, s.start_s)))
    return cues


def to_srt(transcript: Transcript) -> str:
    """SubRip subtitles: numbered cues, ``HH:MM:SS,mmm`` times."""
    blocks = [
        f"{i}\n{timestamp(s.start_s)} --> {timestamp(s.end_s)}\n{s.text}\n"
        for i, s in enumerate(_cues(transcript), start=1)
    ]
    return "\n".join(blocks)


def to_vtt(transcript: Transcript) -> str:
    """WebVTT subtitles: a header, then ``HH:MM:SS.mmm`` cues."""
    blocks = [
        f"{timestamp(s.start_s, decimal='.')} --> {timestamp(s.end_s, decimal='.')}\n{s.text}\n"
        for s in _cues(transcript)
    ]
    return "WEBVTT\n\n" + "\n".join(blocks)


def write_downloads(transcript: Transcript, *, folder: Path, name: str) -> list[Path]:
    """``name``.txt, .srt, .vtt and .json in ``folder``, UTF-8 without a byte order mark."""
    contents = {
        ".txt": transcript.text + "\n",
        ".srt": to_srt(transcript),
        ".vtt": to_vtt(transcript),
        ".json": json.dumps(transcript.to_dict(), ensure_ascii=False, indent=2),
    }
    return write_texts(contents, folder=folder, name=name)
