"""Speech translation: speech in one language, text in another.

Whisper base translates any of its 99 languages into English, offline (the ``translate``
task of :func:`audiokit.tasks.asr.run`); XLS-R 2B 22→16, a wav2vec 2.0 encoder with an
mBART-50 decoder, translates 22 spoken languages into 16 written ones from the Hub, its
target chosen by forcing the decoder's first token.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from audiokit.audio import Audio, format_duration, is_silent, validate
from audiokit.errors import AudioStudyError
from audiokit.models import check_allowed, cpu_threads, hub_snapshot, load_once
from audiokit.params import Param, check_params, declare
from audiokit.progress import Progress, or_silent
from audiokit.tasks.asr.backends import SecondsDone
from audiokit.tasks.asr.catalog import BASE_ID, BASE_NAME, MEASURED_RTF, MODELS, SAMPLE_RATE
from audiokit.tasks.asr.recognize import run
from audiokit.tasks.asr.settings import LIMITS
from audiokit.tasks.asr.windows import WINDOW_S, quiet_cuts

XLSR_ID = "facebook/wav2vec2-xls-r-2b-22-to-16"
XLSR_NAME = "XLS-R 2B 22→16 (wav2vec 2.0 XLS-R encoder + mBART-50 decoder)"
XLSR_URL = "https://huggingface.co/facebook/wav2vec2-xls-r-2b-22-to-16"
XLSR_FILES = ("*.json", "*.model", "*.bin")
XLSR_PARAMS_M = 2650.0  # 10.6 GB of float32 weights
# The model card's lists (https://huggingface.co/facebook/wav2vec2-xls-r-2b-22-to-16), the
# model behind the study group's facebook/XLS-R-2B-22-16 Space.
XLSR_SOURCES = (
    "en", "fr", "de", "es", "ca", "it", "ru", "zh-CN", "pt", "fa", "et",
    "mn", "nl", "tr", "ar", "sv-SE", "lv", "sl", "ta", "ja", "id", "cy",
)  # fmt: skip
# Target language -> the mBART-50 language token the decoder is forced to start with: the
# token whose id the card's forced_bos_token_id table gives (de 250003 = de_DE, ...). Three
# targets that mBART-50 lacks or that the card maps elsewhere were fine-tuned on other slots:
# Catalan on es_XX (250005), Welsh on fi_FI (250007), Latvian on my_MM (250017, not lv_LV's
# 250016). What the model learnt is what the card's ids say, so those tokens ask for them.
XLSR_TARGETS: dict[str, str] = {
    "en": "en_XX", "de": "de_DE", "tr": "tr_TR", "fa": "fa_IR", "sv-SE": "sv_SE",
    "mn": "mn_MN", "zh-CN": "zh_CN", "cy": "fi_FI", "ca": "es_XX", "sl": "sl_SI",
    "et": "et_EE", "id": "id_ID", "ar": "ar_AR", "ta": "ta_IN", "lv": "my_MM", "ja": "ja_XX",
}  # fmt: skip
LANGUAGE_NAMES = {
    "ar": "Arabic", "ca": "Catalan", "cy": "Welsh", "de": "German", "en": "English",
    "es": "Spanish", "et": "Estonian", "fa": "Persian", "fr": "French", "id": "Indonesian",
    "it": "Italian", "ja": "Japanese", "lv": "Latvian", "mn": "Mongolian", "nl": "Dutch",
    "pt": "Portuguese", "ru": "Russian", "sl": "Slovenian", "sv-SE": "Swedish", "ta": "Tamil",
    "tr": "Turkish", "zh-CN": "Chinese (Mandarin)",
}  # fmt: skip
TRANSLATION_MODELS = (BASE_ID, XLSR_ID)
TRANSLATE_MAX_S = {BASE_ID: LIMITS.max_duration_s, XLSR_ID: LIMITS.xlsr_max_s}
XLSR_MAX_NEW_TOKENS = 200
TRANSLATE_PARAMS = declare(
    Param(
        "model_id",
        BASE_ID,
        label="Translation model",
        help="Whisper base (offline, into English) or XLS-R 2B 22→16 (Hub, 16 languages)",
        max_chars=200,
    ),
    Param("target", "en", label="Write in", help="the language code to write", max_chars=8),
)
_T = TRANSLATE_PARAMS


def translation_targets(model_id: str) -> tuple[str, ...]:
    """The languages a translation model writes: Whisper only English, XLS-R its 16."""
    check_allowed(model_id, TRANSLATION_MODELS)
    return ("en",) if model_id == BASE_ID else tuple(XLSR_TARGETS)


def xlsr_slow_warning(*, clip_s: float = 30.0) -> str:
    """XLS-R 2B's expected time here (it cannot be timed offline): base's RTF scaled up."""
    rtf = MEASURED_RTF[BASE_ID] * XLSR_PARAMS_M / MODELS[BASE_ID].params_m
    return (
        f"Slow here: about {rtf * clip_s / 60:.0f} min for a {clip_s:.0f} s clip on this "
        f"{cpu_threads()}-core machine (RTF ≈ {rtf:.0f}, estimated from base's measured speed "
        f"and {XLSR_PARAMS_M / 1000:.1f} B parameters), and 10.6 GB to download and hold in "
        "memory. Whisper base translates into English offline, far faster."
    )


@dataclasses.dataclass(frozen=True)
class Translation:
    """Speech in one language, text in another."""

    text: str
    target: str
    source_language: str  # "" when the model does not say
    source_probability: float
    duration_s: float
    model_id: str
    note: str = ""


class SpeechTranslator:
    """A transformers ``SpeechEncoderDecoderModel`` whose decoder is forced to a target language."""

    sample_rate = SAMPLE_RATE

    def __init__(self, model: Any, feature_extractor: Any, tokenizer: Any) -> None:
        self.model = model
        self.feature_extractor = feature_extractor
        self.tokenizer = tokenizer

    def target_token_id(self, target: str) -> int:
        """The id of the language token that makes the decoder write ``target``."""
        if target not in XLSR_TARGETS:
            raise AudioStudyError(
                f"XLS-R 2B 22→16 writes {', '.join(XLSR_TARGETS)}; not {target!r}."
            )
        token_id = self.tokenizer.convert_tokens_to_ids(XLSR_TARGETS[target])
        if token_id is None or token_id == self.tokenizer.unk_token_id:
            raise AudioStudyError(f"This tokenizer has no language token for {target!r}.")
        return int(token_id)

    def generate(self, samples: np.ndarray, target: str, *, max_new_tokens: int) -> Any:
        """Token ids for one window: the decoder start, the target's token, then the text."""
        import torch

        inputs = self.feature_extractor(
            samples, sampling_rate=SAMPLE_RATE, return_tensors="pt", return_attention_mask=True
        )
        with torch.inference_mode():
            return self.model.generate(
                inputs["input_values"],
                attention_mask=inputs.get("attention_mask"),
                forced_bos_token_id=self.target_token_id(target),
                max_new_tokens=max_new_tokens,
                num_beams=1,
            )

    def translate(
        self,
        samples: np.ndarray,
        target: str,
        *,
        on_progress: SecondsDone,
        max_new_tokens: int = XLSR_MAX_NEW_TOKENS,
    ) -> str:
        """The whole clip, in windows of at most 30 s cut at quiet moments."""
        self.target_token_id(target)  # refuse a bad target before any work
        texts = []
        for start, end in quiet_cuts(
            samples, SAMPLE_RATE, start=0, end=samples.size, max_window_s=WINDOW_S
        ):
            ids = self.generate(samples[start:end], target, max_new_tokens=max_new_tokens)
            texts.append(self.tokenizer.batch_decode(ids, skip_special_tokens=True)[0].strip())
            on_progress(end / SAMPLE_RATE)
        return " ".join(t for t in texts if t)


@load_once
def load_speech_translator(model_dir: str) -> SpeechTranslator:
    """A speech translation model from a local folder, as its model card loads it."""
    import torch
    from transformers import AutoFeatureExtractor, AutoTokenizer, SpeechEncoderDecoderModel

    torch.set_num_threads(cpu_threads())
    model = SpeechEncoderDecoderModel.from_pretrained(model_dir)
    model.eval()
    features = AutoFeatureExtractor.from_pretrained(model_dir)
    return SpeechTranslator(model, features, AutoTokenizer.from_pretrained(model_dir))


def get_speech_translator() -> SpeechTranslator:
    """XLS-R 2B 22→16 from the Hub cache, or downloaded when online.

    Raises:
        ModelUnavailableError: not cached while offline; names the embedded alternative.
    """
    folder = hub_snapshot(
        XLSR_ID,
        allowed=(XLSR_ID,),
        embedded_alternative=f"{BASE_NAME}, which translates to English",
        allow_patterns=list(XLSR_FILES),
        required_files=["config.json", "pytorch_model.bin", "sentencepiece.bpe.model"],
    )
    return load_speech_translator(folder)


def translate_speech(
    audio: Audio,
    *,
    model_id: str = _T["model_id"].default,
    target: str = _T["target"].default,
    translator: SpeechTranslator | None = None,
    progress: Progress | None = None,
) -> Translation:
    """Speech in one language to text in another.

    Args:
        audio: any rate and channel count.
        model_id: ``embedded/whisper-base`` (offline, to English) or the XLS-R 2B 22→16 id
            (Hub, to one of its 16 languages).
        target: the language to write, a code from :func:`translation_targets`.
        translator: a loaded XLS-R-style translator (tests pass a tiny one).
        progress: called with (fraction done, message).

    Raises:
        AudioStudyError: bad audio, an unknown model, or a target the model cannot write.
        ModelUnavailableError: XLS-R not cached while offline.
    """
    values = check_params(TRANSLATE_PARAMS, {"model_id": model_id, "target": target})
    model_id, target = values["model_id"], values["target"]
    check_allowed(model_id, TRANSLATION_MODELS)
    targets = translation_targets(model_id)
    if target not in targets:
        if model_id == BASE_ID:
            raise AudioStudyError(
                f"Whisper base translates only into English, not {target!r}. For "
                f"{LANGUAGE_NAMES.get(target, target)} choose {XLSR_NAME} (Hub)."
            )
        raise AudioStudyError(f"{XLSR_NAME} writes only {', '.join(targets)}; not {target!r}.")
    validate(audio, max_duration_s=TRANSLATE_MAX_S[model_id])
    report = or_silent(progress)
    if is_silent(audio):
        return Translation(
            "", target, "", 1.0, audio.duration_s, model_id,
            "The audio is silent (below -60 dBFS), so there is nothing to translate.",
        )  # fmt: skip
    if model_id == BASE_ID:
        t = run(audio, model_id=BASE_ID, task="translate", progress=report)
        return Translation(
            t.text, "en", t.language, t.language_probability, t.duration_s, BASE_ID, t.note
        )
    translator = translator or get_speech_translator()
    samples = np.ascontiguousarray(audio.for_model(SAMPLE_RATE), dtype=np.float32)
    total = audio.duration_s

    def done(seconds: float) -> None:
        report(min(seconds / total, 1.0), f"Translated {format_duration(seconds)}")

    text = translator.translate(samples, target, on_progress=done)
    note = "" if text else "The model wrote nothing for this audio."
    return Translation(text, target, "", 1.0, audio.duration_s, model_id, note)
