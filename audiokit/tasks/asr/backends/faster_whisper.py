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

    model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=cpu_threads())
    model.audiostudy_folder = model_dir  # for fresh_workers()
    return model


def fresh_workers(model: Any) -> None:
    """Give a WhisperModel a new CTranslate2 model (the same weights) with new worker threads.

    CTranslate2 (4.8) seeds a worker thread's random generator once, at its first draw, from
    ``set_random_seed``; later calls carry on from where that generator stopped. So after a
    run whose temperature fallback sampled, the next run of the same input would sample other
    tokens. New workers draw from the seed again. It takes 0.15 s for tiny.en and 0.25 s for
    base here (measured), and only runs that sampled pay it.
    """
    import ctranslate2

    folder = getattr(model, "audiostudy_folder", None)
    if folder is not None:
        old = model.model  # the new one is built as the loader built this one
        model.model = ctranslate2.models.Whisper(
            folder,
            device=old.device,
            compute_type=old.compute_type,
            intra_threads=cpu_threads(),
            inter_threads=old.num_workers,
        )


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

        # The temperature fallback samples; a fixed seed (and fresh workers after a run that
        # sampled, see fresh_workers) gives the same transcript for the same input and
        # settings on every click, so a study group can compare settings, not luck.
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
        sampled = False
        try:
            for s in pieces:  # a generator: decoding happens as we iterate
                sampled = sampled or float(s.temperature or 0.0) > 0.0
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
        except BaseException:
            # Stopped part-way (cancelled): a window not yet returned may have sampled.
            sampled = options.temperature_fallback
            raise
        finally:
            if sampled:
                fresh_workers(self.model)
        return segments, info.language, float(info.language_probability)
