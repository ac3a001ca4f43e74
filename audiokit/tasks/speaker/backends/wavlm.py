"""WavLM Base+ with an x-vector head through transformers (Hub: microsoft/wavlm-base-plus-sv)."""

from __future__ import annotations

import numpy as np

from audiokit.models import cpu_threads, load_once
from audiokit.tasks.speaker.backends import OneByOne, unit
from audiokit.tasks.speaker.prepare import SAMPLE_RATE

WAVLM_REPO = "microsoft/wavlm-base-plus-sv"
# Only what the loader reads; the required files are what a cached snapshot must hold.
WAVLM_FILES = ["*.json", "*.safetensors", "pytorch_model.bin"]
WAVLM_REQUIRED = ["config.json", "preprocessor_config.json"]


class WavLMEncoder(OneByOne):
    """WavLM Base+ (self-supervised transformer) with an x-vector head, 512-d embeddings."""

    def __init__(self, extractor, model) -> None:
        self.extractor = extractor
        self.model = model

    def embed(self, speech: np.ndarray) -> np.ndarray:
        import torch

        inputs = self.extractor(
            np.asarray(speech), sampling_rate=SAMPLE_RATE, return_tensors="pt", padding=True
        )
        with torch.inference_mode():
            out = self.model(**inputs).embeddings
        return unit(out.reshape(-1).numpy())


@load_once
def load_wavlm(source: str) -> WavLMEncoder:
    """A WavLM x-vector model from a local folder (config, weights, feature extractor)."""
    import torch
    from transformers import AutoFeatureExtractor, WavLMForXVector

    torch.set_num_threads(cpu_threads())
    extractor = AutoFeatureExtractor.from_pretrained(source)
    model = WavLMForXVector.from_pretrained(source).eval()
    return WavLMEncoder(extractor, model)
