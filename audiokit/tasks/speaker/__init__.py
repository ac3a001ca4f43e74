"""Speaker verification: are two recordings (or an enrolment and a test clip) one voice?

Every clip goes through the same path (prepare.py): 16 kHz mono, WebRTC VAD trimming, a
minimum of speech, levelling; then one embedding from the chosen backend (backends/: GE2E
and a d-vector encoder embedded, ECAPA-TDNN and WavLM from the Hub on demand). The score is
the cosine of two embeddings; each backend owns the threshold that turns it into a decision
(catalog.py), calibrated on a trial list (calibration.py). Several enrolment clips are
averaged into one print (enrolment.py); many clips at once give a similarity map
(similarity.py); compare.py scores the same clips with two models (A/B), each against its
own threshold. Diarization reuses the VAD and the GE2E window prints (voiceprints.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from audiokit.audio import Audio
from audiokit.progress import Progress
from audiokit.tasks.speaker.backends import OneByOne, SpeakerEncoder, WindowedEncoder
from audiokit.tasks.speaker.backends.dvector import (
    DVECTOR_THREADS,
    DVectorEncoder,
    dvector_encoder,
    dvector_model_path,
)
from audiokit.tasks.speaker.backends.ecapa import ECAPA_REPO, EcapaEncoder, load_ecapa
from audiokit.tasks.speaker.backends.ge2e import (
    GE2E_MIN_COVERAGE,
    GE2E_RATE,
    GE2EEncoder,
    ge2e_encoder,
)
from audiokit.tasks.speaker.backends.wavlm import WAVLM_REPO, WavLMEncoder, load_wavlm
from audiokit.tasks.speaker.calibration import (
    Trial,
    calibration_items,
    equal_error_rate,
    score_trials,
)
from audiokit.tasks.speaker.catalog import (
    BACKENDS,
    CATALOG,
    DEFAULT_BACKEND,
    DVECTOR_THRESHOLD,
    EMBEDDED_ALTERNATIVE,
    HUB_MODELS,
    Backend,
    backend,
    menu_choices,
    menu_label,
)
from audiokit.tasks.speaker.compare import Comparison, compare
from audiokit.tasks.speaker.enrolment import (
    DIFFERENT,
    SAME,
    Result,
    check_enrolment_count,
    decision,
    score_enrolment,
)
from audiokit.tasks.speaker.prepare import (
    MAX_DURATION_S,
    MAX_WINDOW_GAIN_DB,
    MIN_SPEECH_S,
    SAMPLE_RATE,
    SILENCE_DB,
    TARGET_DBFS,
    VAD_FRAME_S,
    Speech,
    prepare,
    voiced_frames,
)
from audiokit.tasks.speaker.settings import LIMITS, PARAMS, Limits, checked
from audiokit.tasks.speaker.similarity import (
    SimilarityMap,
    check_map_count,
    similarity_map,
    speaker_group,
)
from audiokit.tasks.speaker.voiceprints import (
    Voiceprint,
    cosine,
    embed_windows,
    mean_embedding,
    pca_2d,
    voiceprint,
)


def run(
    enrol: Audio | Sequence[Audio],
    test: Audio,
    *,
    model: str = DEFAULT_BACKEND,
    threshold: float | None = None,
    min_speech_s: float = MIN_SPEECH_S,
    progress: Progress | None = None,
) -> Result:
    """Score whether ``test`` is spoken by the speaker of ``enrol``.

    Args:
        enrol: one clip of the speaker (verification), or 1 to LIMITS.max_clips clips whose
            voice prints are averaged (enrolment); any rate and channels.
        test: the clip to test.
        model: a model id of CATALOG (``ge2e``, ``dvector``, ``ecapa``, ``wavlm``).
        threshold: cosine in [-1, 1] at or above which the decision is "same speaker";
            None for the model's own calibrated threshold.
        min_speech_s: each clip needs this much speech (seconds) after VAD trimming.
        progress: told the fraction done and what is being embedded.

    Raises:
        AudioStudyError: a setting out of range, a bad clip or too little speech, too many
            or no enrolment clips, or a Hub model that cannot be had (offline).
    """
    p = checked(model=model, threshold=threshold, min_speech_s=min_speech_s)
    clips = [enrol] if isinstance(enrol, Audio) else list(enrol)
    return score_enrolment(clips, test, progress=progress, **p)


def warm_up() -> None:
    """Load the embedded default model (GE2E), so the first request does not wait for it."""
    BACKENDS[DEFAULT_BACKEND].load()


__all__ = [
    "BACKENDS",
    "CATALOG",
    "DEFAULT_BACKEND",
    "DIFFERENT",
    "DVECTOR_THREADS",
    "DVECTOR_THRESHOLD",
    "ECAPA_REPO",
    "EMBEDDED_ALTERNATIVE",
    "GE2E_MIN_COVERAGE",
    "GE2E_RATE",
    "HUB_MODELS",
    "LIMITS",
    "MAX_DURATION_S",
    "MAX_WINDOW_GAIN_DB",
    "MIN_SPEECH_S",
    "PARAMS",
    "SAME",
    "SAMPLE_RATE",
    "SILENCE_DB",
    "TARGET_DBFS",
    "VAD_FRAME_S",
    "WAVLM_REPO",
    "Backend",
    "Comparison",
    "DVectorEncoder",
    "EcapaEncoder",
    "GE2EEncoder",
    "Limits",
    "OneByOne",
    "Result",
    "SimilarityMap",
    "SpeakerEncoder",
    "Speech",
    "Trial",
    "Voiceprint",
    "WavLMEncoder",
    "WindowedEncoder",
    "backend",
    "calibration_items",
    "check_enrolment_count",
    "check_map_count",
    "checked",
    "compare",
    "cosine",
    "decision",
    "dvector_encoder",
    "dvector_model_path",
    "embed_windows",
    "equal_error_rate",
    "ge2e_encoder",
    "load_ecapa",
    "load_wavlm",
    "mean_embedding",
    "menu_choices",
    "menu_label",
    "pca_2d",
    "prepare",
    "run",
    "score_enrolment",
    "score_trials",
    "similarity_map",
    "speaker_group",
    "voiced_frames",
    "voiceprint",
    "warm_up",
]
