"""MMS-TTS and other transformers VITS models, with per-character durations from a hook."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import numpy as np

from audiokit.errors import AudioStudyError
from audiokit.models import load_once
from audiokit.tasks.tts.backends import Spoken

if TYPE_CHECKING:
    from audiokit.tasks.tts import Settings


class VitsBackend:
    """A transformers VITS model (MMS-TTS) behind the ``text-to-speech`` pipeline."""

    def __init__(self, pipe) -> None:
        self.pipe = pipe
        self.model = pipe.model
        self.tokenizer = pipe.tokenizer
        self.sample_rate = int(pipe.sampling_rate)
        # Output samples per spectrogram frame: the HiFi-GAN upsamples by this much.
        self.samples_per_frame = int(np.prod(self.model.config.upsample_rates))
        # Noise scales are model attributes, not call arguments: one request at a time.
        self._lock = threading.Lock()
        self._log_durations: list = []
        self.model.duration_predictor.register_forward_hook(self._keep_durations)

    def _keep_durations(self, module, args, output) -> None:
        self._log_durations.append(output.detach())

    def speak(self, sentence: str, settings: Settings) -> list[Spoken]:
        """One sentence; per-character durations from the model's duration predictor."""
        ids = self.tokenizer(sentence)["input_ids"]
        interspersed = bool(getattr(self.tokenizer, "add_blank", False))
        characters = ids[1::2] if interspersed else ids
        if not characters:
            raise AudioStudyError(
                "This voice cannot read any character of the text; pick a voice of the "
                "text's language."
            )
        with self._lock:
            self.model.noise_scale = settings.noise_scale
            self.model.noise_scale_duration = settings.noise_w
            self._log_durations.clear()
            speaking_rate = 1.0 / settings.length_scale
            result = self.pipe(sentence, forward_params={"speaking_rate": speaking_rate})
            log_duration = self._log_durations[-1] if self._log_durations else None
        samples = np.asarray(result["audio"], dtype=np.float32).reshape(-1)
        peak = float(np.abs(samples).max()) if samples.size else 0.0
        samples = samples * (settings.volume / peak) if peak > 0 else np.zeros_like(samples)
        tokens = self.tokenizer.convert_ids_to_tokens(ids)
        frames = None
        if log_duration is not None:
            import torch

            # The model's own arithmetic: ceil(exp(log d) * length_scale) frames per token.
            per_token = torch.ceil(torch.exp(log_duration) * (1.0 / speaking_rate))
            frames = per_token.reshape(-1).long().tolist()
        symbols, durations = _merge_blanks(
            tokens, frames, self.samples_per_frame, interspersed=interspersed
        )
        return [Spoken(samples.astype(np.float32), symbols, durations)]


def _merge_blanks(
    tokens: list[str], frames: list[int] | None, hop: int, *, interspersed: bool
) -> tuple[tuple[str, ...], tuple[int, ...] | None]:
    """Fold the blanks MMS puts around every character (even positions) into the one before.

    The first blank becomes the start marker ``^``, as in Piper's alignments.
    """
    symbols: list[str] = []
    counts: list[int] = []
    for k, token in enumerate(tokens):
        n = frames[k] * hop if frames is not None and k < len(frames) else 0
        blank = interspersed and k % 2 == 0
        if blank and symbols:
            counts[-1] += n
        else:
            symbols.append("^" if blank else token)
            counts.append(n)
    ok = frames is not None and len(frames) == len(tokens)
    return tuple(symbols), tuple(counts) if ok else None


@load_once
def load_vits(model_dir: str) -> VitsBackend:
    """A VITS checkpoint folder (config, weights, tokenizer) through the TTS pipeline."""
    from transformers import pipeline

    return VitsBackend(pipeline("text-to-speech", model=model_dir, device="cpu"))
