"""Model loading: lazily, once, thread-safe; Hub models only by allowlisted id.

Every engine wraps its loader in :func:`load_once`, keeps the heavy import inside it, and
resolves Hub ids with :func:`hub_snapshot`, which answers within seconds when the model is
not cached and there is no network, naming the embedded alternative instead of hanging.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import socket
import threading
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, TypeVar

from audiokit.errors import AudioStudyError, ModelUnavailableError

T = TypeVar("T")

HUB_HOST = "huggingface.co"
_PROBE_TTL_S = 60.0
_probe_lock = threading.Lock()
_probe: dict[str, float | bool] = {"at": -1e9, "ok": False}


@dataclasses.dataclass(frozen=True)
class ModelCard:
    """What a study group wants to know about a model, the same shape in every task.

    Attributes:
        id: the allowlisted id ``run()`` takes (a Hub id, or a local name).
        name: what the UI calls it.
        architecture: the model family and shape.
        params: parameter count in words ("39 M").
        size: download or disk size in words ("75 MB").
        training_data: what it learnt from.
        paper: the paper or report, with year.
        url: the model page.
        figures: published figures in words ("WER 5.0 % test-clean").
        offline: embedded in a PyPI package, so it runs with no network.
        languages: the languages it handles, in words.
    """

    id: str
    name: str
    architecture: str
    params: str = ""
    size: str = ""
    training_data: str = ""
    paper: str = ""
    url: str = ""
    figures: str = ""
    offline: bool = False
    languages: str = ""

    def markdown(self) -> str:
        """A short Markdown card: name, architecture, size, data, paper, figures."""
        size = " · ".join(x for x in (self.params and f"{self.params} parameters", self.size) if x)
        where = "embedded, offline" if self.offline else "from the Hugging Face Hub"
        head = f"**{self.name}** ({where}): {self.architecture}"
        lines = [head + (f"; {size}." if size else ".")]
        if self.training_data:
            lines.append(f"Trained on: {self.training_data}.")
        if self.languages:
            lines.append(f"Languages: {self.languages}.")
        if self.figures:
            lines.append(f"Published: {self.figures}.")
        if self.paper or self.url:
            page = f"[model page]({self.url})" if self.url else ""
            lines.append(" · ".join(x for x in (self.paper and f"Paper: {self.paper}", page) if x))
        return "  \n".join(lines)


def load_once(factory: Callable[..., T]) -> Callable[..., T]:
    """Cache a loader's result per argument tuple; the first call per key holds a lock.

    Two requests that arrive together for a model not yet loaded wait for one load instead
    of loading it twice. A failed load is not cached, so it can be retried.
    """
    cache: dict[Any, T] = {}
    locks: dict[Any, threading.Lock] = {}
    guard = threading.Lock()

    @functools.wraps(factory)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        key = (args, tuple(sorted(kwargs.items())))
        if key in cache:
            return cache[key]
        with guard:
            lock = locks.setdefault(key, threading.Lock())
        with lock:
            if key not in cache:
                cache[key] = factory(*args, **kwargs)
            return cache[key]

    return wrapper


def hub_reachable(timeout_s: float = 3.0) -> bool:
    """Whether the Hugging Face Hub answers a TCP connect; cached for a minute.

    ``HF_HUB_OFFLINE=1`` means no, without trying.
    """
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes"}:
        return False
    with _probe_lock:
        if time.monotonic() - float(_probe["at"]) < _PROBE_TTL_S:
            return bool(_probe["ok"])
        try:
            with socket.create_connection((HUB_HOST, 443), timeout=timeout_s):
                ok = True
        except OSError:
            ok = False
        _probe.update(at=time.monotonic(), ok=ok)
        return ok


def check_allowed(model_id: str, allowed: Collection[str]) -> str:
    """Refuse any model id that is not on the demo's allowlist (never free text)."""
    if model_id not in allowed:
        raise AudioStudyError(
            f"Unknown model '{model_id}'. Choose one of: {', '.join(sorted(allowed))}."
        )
    return model_id


def _cached_snapshot(
    repo_id: str, allow_patterns: list[str] | None, required_files: list[str] | None
) -> str | None:
    """The cached folder of a Hub repo holding ``required_files``, else None (never online)."""
    from huggingface_hub import snapshot_download

    try:
        folder = snapshot_download(repo_id, local_files_only=True, allow_patterns=allow_patterns)
    except Exception:  # noqa: BLE001 - any miss in the cache means: not cached
        return None
    if all(Path(folder, f).is_file() for f in required_files or ()):
        return folder
    return None


HUB_NOT_DOWNLOADED = "· Hub, not downloaded"


def hub_available(
    repo_id: str,
    *,
    allow_patterns: list[str] | None = None,
    required_files: list[str] | None = None,
) -> bool:
    """Whether a Hub model can be had now: cached here, or the Hub answers."""
    return _cached_snapshot(repo_id, allow_patterns, required_files) is not None or hub_reachable()


def hub_label(
    label: str,
    repo_id: str,
    *,
    allow_patterns: list[str] | None = None,
    required_files: list[str] | None = None,
) -> str:
    """A dropdown label that says when a Hub model cannot be had here (offline, not cached).

    Embedded models and cached or reachable Hub models keep their label unchanged.
    """
    if hub_available(repo_id, allow_patterns=allow_patterns, required_files=required_files):
        return label
    return f"{label} {HUB_NOT_DOWNLOADED}"


def hub_snapshot(
    repo_id: str,
    *,
    allowed: Collection[str],
    embedded_alternative: str,
    allow_patterns: list[str] | None = None,
    required_files: list[str] | None = None,
) -> str:
    """Local folder of an allowlisted Hub repo: from the cache, else downloaded if online.

    Args:
        repo_id: the Hub repository; must be in ``allowed``.
        allowed: the demo's allowlist.
        embedded_alternative: named in the message when the model cannot be had.
        allow_patterns: only these files (e.g. one voice of a large repository).
        required_files: paths that the cached snapshot must hold to count as a hit; a
            repository cached for other files (another Piper voice) is then fetched again.

    Raises:
        ModelUnavailableError: not cached and the Hub cannot be reached, or the download
            failed; the message names the embedded alternative.
    """
    check_allowed(repo_id, allowed)
    from huggingface_hub import snapshot_download

    folder = _cached_snapshot(repo_id, allow_patterns, required_files)
    if folder is not None:
        return folder
    if not hub_reachable():
        raise ModelUnavailableError(
            f"'{repo_id}' is not downloaded on this machine and the Hugging Face Hub cannot "
            f"be reached (offline). Use the embedded {embedded_alternative}, which works "
            "offline, or try again with a network."
        )
    try:
        return snapshot_download(repo_id, allow_patterns=allow_patterns)
    except Exception as exc:
        raise ModelUnavailableError(
            f"Downloading '{repo_id}' from the Hugging Face Hub failed "
            f"({type(exc).__name__}). Use the embedded {embedded_alternative} meanwhile."
        ) from exc


def cpu_threads() -> int:
    """Threads for a model's intra-op pool: every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
