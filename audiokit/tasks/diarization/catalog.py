"""The model allowlist: diarization embeds with the speaker engine's embedded GE2E encoder.

One entry, so there is no model choice in the UI or ``run()``; the engine and its loader are
the speaker task's (``audiokit.tasks.speaker.ge2e_encoder``).
"""

from __future__ import annotations

from audiokit.models import ModelCard

DEFAULT_MODEL = "ge2e"

CATALOG: dict[str, ModelCard] = {
    DEFAULT_MODEL: ModelCard(
        id=DEFAULT_MODEL,
        name="GE2E voice encoder (Resemblyzer)",
        architecture="3-layer LSTM, 256 units, over 40 mel bands; 256-d voice prints of 1.6 s "
        "windows, clustered by agglomerative clustering (scikit-learn)",
        params="1.4 M",
        size="17 MB, bundled in the wheel",
        training_data="LibriSpeech, VoxCeleb 1 and 2 (about 8,000 speakers)",
        paper="Wan et al., Generalized End-to-End Loss for Speaker Verification, ICASSP 2018 "
        "(arXiv:1710.10467); pipeline after Wang et al., Speaker Diarization with LSTM, "
        "ICASSP 2018 (arXiv:1710.10468)",
        url="https://github.com/resemble-ai/Resemblyzer",
        figures="DER 2.8 % (2 voices) and 1.2 % (3 voices) on this project's generated "
        "conversations (benchmarks/bench_diarization.py)",
        offline=True,
        languages="any (voice, not words)",
    ),
}
