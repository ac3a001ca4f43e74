"""ECAPA-TDNN through SpeechBrain (Hub: speechbrain/spkrec-ecapa-voxceleb)."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import numpy as np

from audiokit.models import cpu_threads, load_once
from audiokit.tasks.speaker.backends import OneByOne, unit

ECAPA_REPO = "speechbrain/spkrec-ecapa-voxceleb"
# Only what the loader reads (the repo also holds example audio); the required files are
# what a cached snapshot must hold to count as downloaded.
ECAPA_FILES = ["hyperparams.yaml", "*.ckpt", "label_encoder.txt"]
ECAPA_REQUIRED = ["hyperparams.yaml", "embedding_model.ckpt"]


class EcapaEncoder(OneByOne):
    """SpeechBrain's ECAPA-TDNN: 80 Fbank features, sentence mean norm, 192-d x-vector."""

    def __init__(self, classifier) -> None:
        self.classifier = classifier

    def embed(self, speech: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            out = self.classifier.encode_batch(torch.from_numpy(np.asarray(speech))[None])
        return unit(out.reshape(-1).numpy())


def _savedir(source: str) -> Path:
    # SpeechBrain links the files it loads into a savedir; keep it out of the source folder
    # (a Hub snapshot, read-only in spirit) and out of the working tree.
    digest = hashlib.sha1(str(Path(source).resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / "audiostudy-speechbrain" / digest


@load_once
def load_ecapa(source: str) -> EcapaEncoder:
    """An ECAPA encoder from a local folder holding hyperparams.yaml and its checkpoints.

    The app passes the Hub snapshot of ``speechbrain/spkrec-ecapa-voxceleb``; tests pass a
    tiny randomly initialised model of the same architecture.
    """
    import torch
    from speechbrain.inference.speaker import EncoderClassifier

    torch.set_num_threads(cpu_threads())
    classifier = EncoderClassifier.from_hparams(
        source=source,
        savedir=str(_savedir(source)),
        # The published hyperparams.yaml points its checkpoints at the Hub id; point them at
        # the local snapshot instead so loading never reaches for the network.
        overrides={"pretrained_path": source},
        run_opts={"device": "cpu"},
    )
    return EcapaEncoder(classifier)
