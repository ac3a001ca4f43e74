"""Diarization downloads: NIST RTTM and JSON, with the speakers' display names."""

from __future__ import annotations

import json
from pathlib import Path

from audiokit.files import safe_stem, write_texts
from audiokit.tasks.diarization.result import Diarization


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
    contents = {".rttm": to_rttm(result), ".diarization.json": to_json(result)}
    return write_texts(contents, folder=folder, name=result.name)
