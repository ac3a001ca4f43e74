"""What every benchmark shares: peak memory, a free local port, publishing its table."""

from __future__ import annotations

import resource
import socket
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent / "output"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def free_port() -> int:
    """A port nothing listens on now, on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def publish(name: str, table: str) -> None:
    """Print the table and keep it in ``benchmarks/output/<name>.md``."""
    print(table)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"{name}.md").write_text(table + "\n", encoding="utf-8")
