"""The transformers ``automatic-speech-recognition`` pipeline (Whisper and wav2vec2 CTC), run
window by window: the audio is cut into windows of at most 30 s here, at the quietest moment
(or at the pauses the voice activity filter finds), so that progress is reported per window."""

from __future__ import annotations

from typing import Any

import numpy as np

from audiokit.models import cpu_threads, load_once
from audiokit.tasks.asr.backends import Options, SecondsDone
from audiokit.tasks.asr.catalog import SAMPLE_RATE
from audiokit.tasks.asr.transcript import Segment, Word
from audiokit.tasks.asr.windows import WINDOW_S, plan_windows

# Words further apart than this start a new segment when segments are built from words.
SEGMENT_GAP_S = 0.8
SEGMENT_MAX_S = 12.0


@load_once
def load_transformers_asr(model_dir: str):
    """A transformers ``automatic-speech-recognition`` pipeline from a local folder (CPU)."""
    import torch
    from transformers import pipeline

    torch.set_num_threads(cpu_threads())
    return pipeline("automatic-speech-recognition", model=model_dir, device="cpu")


def group_words(words: list[Word]) -> list[Segment]:
    """Segments made from words: a new one after a pause, a full stop or ``SEGMENT_MAX_S``."""
    segments: list[Segment] = []
    current: list[Word] = []

    def flush() -> None:
        if current:
            text = " ".join(w.text for w in current)
            segments.append(
                Segment(current[0].start_s, current[-1].end_s, text, words=tuple(current))
            )
            current.clear()

    for w in words:
        if current and (
            w.start_s - current[-1].end_s > SEGMENT_GAP_S
            or w.end_s - current[0].start_s > SEGMENT_MAX_S
            or current[-1].text.endswith((".", "?", "!"))
        ):
            flush()
        current.append(w)
    flush()
    return segments


def _span(chunk: dict, offset_s: float, window_s: float) -> tuple[float, float]:
    """A pipeline chunk's (start, end) in clip time, clamped into its window."""
    start, end = chunk.get("timestamp") or (None, None)
    start = 0.0 if start is None else min(max(float(start), 0.0), window_s)
    end = window_s if end is None else min(max(float(end), start), window_s)
    return offset_s + start, offset_s + end


class TransformersRecognizer:
    """A transformers pipeline (Whisper or CTC) run window by window."""

    sample_rate = SAMPLE_RATE

    def __init__(self, pipe: Any) -> None:
        self.pipe = pipe
        self.is_ctc = pipe.type == "ctc"
        generation = getattr(pipe.model, "generation_config", None)
        self.multilingual = bool(getattr(generation, "is_multilingual", False)) and not self.is_ctc

    def detect_language(self, samples: np.ndarray) -> tuple[str, float]:
        """Whisper's language token distribution after the start token, on the first 30 s."""
        import torch

        model = self.pipe.model
        lang_to_id = model.generation_config.lang_to_id
        features = self.pipe.feature_extractor(
            samples[: int(WINDOW_S * SAMPLE_RATE)], sampling_rate=SAMPLE_RATE, return_tensors="pt"
        ).input_features.to(model.dtype)
        start = torch.tensor([[model.generation_config.decoder_start_token_id]])
        with torch.no_grad():
            logits = model(input_features=features, decoder_input_ids=start).logits[0, -1]
        probs = torch.softmax(logits[list(lang_to_id.values())].float(), dim=-1)
        best = int(probs.argmax())
        return list(lang_to_id)[best].strip("<|>"), float(probs[best])

    def recognize(
        self, samples: np.ndarray, *, options: Options, on_progress: SecondsDone
    ) -> tuple[list[Segment], str, float]:
        windows = plan_windows(samples, SAMPLE_RATE, vad_filter=options.vad_filter)
        language, probability = options.language or "en", 1.0
        generate: dict[str, Any] = {}
        if not self.is_ctc:
            generate["num_beams"] = options.beam_size
            if self.multilingual:
                if options.language is None and windows:
                    first = samples[windows[0][0] : windows[0][1]]
                    language, probability = self.detect_language(first)
                generate.update(language=language, task=options.task)
        words_wanted = self.is_ctc or options.word_timestamps
        segments: list[Segment] = []
        for start, end in windows:
            offset_s, window_s = start / SAMPLE_RATE, (end - start) / SAMPLE_RATE
            kwargs = {"generate_kwargs": generate} if generate else {}
            out = self.pipe(
                samples[start:end].copy(),
                return_timestamps="word" if words_wanted else True,
                **kwargs,
            )
            chunks = out.get("chunks") or []
            if words_wanted:
                words = [
                    Word(*_span(c, offset_s, window_s), c["text"].strip())
                    for c in chunks
                    if c["text"].strip()
                ]
                segments += group_words(words)
            else:
                segments += [
                    Segment(*_span(c, offset_s, window_s), c["text"].strip())
                    for c in chunks
                    if c["text"].strip()
                ]
            on_progress(end / SAMPLE_RATE)
        return segments, language, probability
