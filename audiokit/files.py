"""Download files the engines write: one filename rule and one way of writing text files."""

from __future__ import annotations

from pathlib import Path


def safe_stem(name: str) -> str:
    """A file stem from any clip name: letters, digits, '-', '_' and '.' only; never empty."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("._") or "audio"


def write_texts(contents: dict[str, str], *, folder: Path, name: str) -> list[Path]:
    """Write ``{suffix: text}`` as ``<safe name><suffix>`` in ``folder``, UTF-8 without a BOM.

    Returns:
        The paths, in the order of ``contents``.
    """
    stem = safe_stem(name)
    paths = []
    for suffix, text in contents.items():
        path = Path(folder) / f"{stem}{suffix}"
        path.write_text(text, encoding="utf-8", newline="\n")  # "utf-8", never "utf-8-sig"
        paths.append(path)
    return paths
