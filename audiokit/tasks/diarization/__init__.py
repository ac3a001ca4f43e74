"""Who spoke when: offline speaker diarization with the embedded GE2E voice encoder, and
speaker-labelled transcripts.

The pipeline of Wang et al., *Speaker Diarization with LSTM* (ICASSP 2018), with agglomerative
instead of spectral clustering: VAD and GE2E voice prints of 1.6 s windows
(:mod:`.segmentation`), clustering (:mod:`.clustering`), re-segmentation frame by frame
(:mod:`.pipeline`). :mod:`.labels` gives a transcript's words their speakers; :mod:`.writers`
writes RTTM and JSON; :mod:`.scoring` computes DER with ``pyannote.metrics``.

Public face: ``PARAMS``, ``LIMITS``, ``CATALOG``, ``run(audio, *, num_speakers=0,
progress=None) -> Result``, ``Result`` and ``warm_up()``. Importing it loads no model.
"""

from audiokit.tasks.diarization import labels
from audiokit.tasks.diarization.catalog import CATALOG, DEFAULT_MODEL
from audiokit.tasks.diarization.labels import (
    LabelledTranscript,
    attribute,
    check_length,
    label_speakers,
)
from audiokit.tasks.diarization.pipeline import run, warm_up
from audiokit.tasks.diarization.result import Diarization, Result, Segment, rename, speaker_audio
from audiokit.tasks.diarization.scoring import DER_COLLAR_S, der
from audiokit.tasks.diarization.segmentation import FRAME_S, SAMPLE_RATE
from audiokit.tasks.diarization.settings import LIMITS, PARAMS, Limits, check_num_speakers
from audiokit.tasks.diarization.writers import to_json, to_rttm, write_downloads

__all__ = [
    "CATALOG",
    "DEFAULT_MODEL",
    "DER_COLLAR_S",
    "FRAME_S",
    "LIMITS",
    "PARAMS",
    "SAMPLE_RATE",
    "Diarization",
    "LabelledTranscript",
    "Limits",
    "Result",
    "Segment",
    "attribute",
    "check_length",
    "check_num_speakers",
    "der",
    "label_speakers",
    "labels",
    "rename",
    "run",
    "speaker_audio",
    "to_json",
    "to_rttm",
    "warm_up",
    "write_downloads",
]
