"""faster-whisper (CTranslate2, int8 on the CPU): sequential long-form decoding in 30 s
windows, each starting where the last segment ended, so nothing is cut at 30 s."""

from __future__ import annotations

from typing import Any

import numpy as np

from audiokit.models import cpu_threads, load_once
from audiokit.tasks.asr.backends import Options, SecondsDone
from audiokit.tasks.asr.catalog import SAMPLE_RATE
from audiokit.tasks.asr.transcript import Segment, Word

FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


@load_once
def load_faster_whisper(model_dir: str):
    """A CTranslate2 Whisper from a local folder, int8 on the CPU, one thread per core."""
    from faster_whisper import WhisperModel

    return WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=cpu_threads())


class FasterWhisperRecognizer:
    """faster-whisper: sequential long-form decoding with per-segment confidences."""

    sample_rate = SAMPLE_RATE

    def __init__(self, model: Any) -> None:
        self.model = model
        self.multilingual = bool(model.model.is_multilingual)

    def recognize(
        self, samples: np.ndarray, *, options: Options, on_progress: SecondsDone
    ) -> tuple[list[Segment], str, float]:
        import ctranslate2

        # The temperature fallback samples; a fixed seed gives the same transcript for the
        # same input on every click, so a study group can compare settings, not luck.
        ctranslate2.set_random_seed(0)
        pieces, info = self.model.transcribe(
            samples,
            language=options.language if self.multilingual else "en",
            task=options.task,
            beam_size=options.beam_size,
            word_timestamps=options.word_timestamps,
            vad_filter=options.vad_filter,
            temperature=list(FALLBACK_TEMPERATURES) if options.temperature_fallback else 0.0,
        )
        segments = []
        for s in pieces:  # a generator: decoding happens as we iterate
            words = tuple(
                Word(float(w.start), float(w.end), w.word.strip(), float(w.probability))
                for w in s.words or ()
            )
            segments.append(
                Segment(
                    float(s.start),
                    float(s.end),
                    s.text.strip(),
                    float(s.avg_logprob),
                    float(s.no_speech_prob),
                    words,
                )
            )
            on_progress(s.end)
        return segments, info.language, float(info.language_probability)
