"""Conversations with known turns, built from real voices inside the repository.

Four voices: JFK (examples/asr/jfk.flac), the LJ Speech reader (lj050-0131.flac), the reader
of the German half of tests/data/multilingual.mp3, and the bundled Piper voice. A
conversation alternates turns of 1 to 10 s cut from these recordings at quiet points, with
short pauses between them and each speaker at their own level, and keeps the turns as the
reference that diarization is scored against (the tests and benchmarks/bench_diarization.py).
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from audiokit.audio import Audio, load_audio
from audiokit.tasks.diarization import SAMPLE_RATE
from tests.conftest import JFK, LJ, MULTILINGUAL
from tests.signals import PIPER_SENTENCES

SR = SAMPLE_RATE
VOICES = ("jfk", "lj", "german", "piper")
# Level of each voice in a conversation, relative to its recording: real talks mix near and
# far talkers, and diarization must not split or join voices by loudness.
LEVELS_DB = {"jfk": 0.0, "lj": -9.0, "german": -4.0, "piper": -14.0}
FRAME = int(0.02 * SR)


@functools.cache
def voice(name: str) -> np.ndarray:
    """One voice's material, 16 kHz mono, peak 0.9."""
    if name == "jfk":
        x = load_audio(JFK).for_model(SR)
    elif name == "lj":
        x = load_audio(LJ).for_model(SR)
    elif name == "german":
        x = load_audio(MULTILINGUAL).for_model(SR)[30 * SR :]
    elif name == "piper":
        from audiokit.tasks.tts import speak

        x = np.concatenate([speak(s).for_model(SR) for s in PIPER_SENTENCES])
    else:
        raise KeyError(name)
    return (x / np.max(np.abs(x)) * 0.9).astype(np.float32)


def _quiet_points(x: np.ndarray) -> np.ndarray:
    """Sample indices of 20 ms frames at least 30 dB below the clip's loud frames."""
    n = x.size // FRAME
    level = 10 * np.log10(np.mean(x[: n * FRAME].reshape(n, FRAME) ** 2, axis=1) + 1e-12)
    quiet = np.flatnonzero(level < np.percentile(level, 95) - 30)
    return quiet * FRAME + FRAME // 2


def _trim(x: np.ndarray) -> np.ndarray:
    """Drop leading and trailing frames 30 dB below the loud frames: the turn is its speech."""
    n = x.size // FRAME
    if n == 0:
        return x
    level = 10 * np.log10(np.mean(x[: n * FRAME].reshape(n, FRAME) ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero(level > level.max() - 30)
    return x[loud[0] * FRAME : (loud[-1] + 1) * FRAME]


def _turn(name: str, seconds: float, rng: np.random.Generator) -> np.ndarray:
    x = voice(name)
    cuts = _quiet_points(x)
    want = int(seconds * SR)
    starts = cuts[cuts < x.size - int(1.0 * SR)]
    start = int(rng.choice(starts)) if starts.size else 0
    ends = cuts[(cuts > start + int(0.8 * SR))]
    end = x.size if ends.size == 0 else int(ends[np.argmin(np.abs(ends - (start + want)))])
    return _trim(x[start:end])


@dataclasses.dataclass(frozen=True)
class Conversation:
    """A generated conversation and its reference turns ``(start_s, end_s, speaker)``."""

    audio: Audio
    turns: tuple[tuple[float, float, str], ...]

    @property
    def speakers(self) -> set[str]:
        return {t[2] for t in self.turns}


def conversation(
    voices: tuple[str, ...],
    *,
    turns: int = 8,
    seed: int = 0,
    min_turn_s: float = 1.0,
    max_turn_s: float = 10.0,
    pause_s: tuple[float, float] = (0.2, 0.7),
) -> Conversation:
    """Turns of ``voices`` in a random order (never the same voice twice in a row).

    Every voice speaks at least once; turns last ``min_turn_s`` to ``max_turn_s`` (cut at
    quiet points, so a little shorter or longer), with pauses drawn from ``pause_s``.
    """
    rng = np.random.default_rng(seed)
    order = [str(v) for v in rng.permutation(voices)]
    while len(order) < turns:
        choices = [v for v in voices if v != order[-1]] or list(voices)
        order.append(str(rng.choice(choices)))
    pieces, reference = [np.zeros(int(0.3 * SR), np.float32)], []
    position = pieces[0].size
    for name in order:
        piece = _turn(name, rng.uniform(min_turn_s, max_turn_s), rng)
        piece = piece * np.float32(10 ** (LEVELS_DB[name] / 20))
        reference.append((position / SR, (position + piece.size) / SR, name))
        gap = np.zeros(int(rng.uniform(*pause_s) * SR), np.float32)
        pieces += [piece, gap]
        position += piece.size + gap.size
    samples = np.concatenate(pieces).astype(np.float32)
    name = f"conversation-{'-'.join(sorted(set(voices)))}-{seed}"
    return Conversation(Audio(samples[None, :], SR, name), tuple(reference))
