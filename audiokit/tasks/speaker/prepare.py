"""A clip as the speaker models see it: 16 kHz mono, trimmed to its voiced frames, levelled.

Before embedding, a clip is levelled, trimmed to its voiced 30 ms frames (WebRTC VAD) and
refused when less than the minimum speech remains: silence and pauses carry no voice, and
a too-short clip gives an embedding dominated by what was said rather than who said it.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from audiokit import limits
from audiokit.audio import Audio, rms_db, to_int16, validate
from audiokit.errors import AudioStudyError

SAMPLE_RATE = 16000
MIN_SPEECH_S = 1.0
MAX_DURATION_S = limits.SPEAKER_MAX_S
SILENCE_DB = -60.0
# Speech is levelled to this RMS before embedding (Resemblyzer's own target), which makes
# every backend's score independent of the recording gain.
TARGET_DBFS = -30.0
VAD_FRAME_S = 0.03
VAD_MODE = 3
VAD_SMOOTH_FRAMES = 8
VAD_HANGOVER_FRAMES = 6
VAD_GATE_DB = 30.0
# A window of embed_windows is levelled like a whole clip, but never raised by more than
# this: a quiet pause is not blown up into loud noise.
MAX_WINDOW_GAIN_DB = TARGET_DBFS - SILENCE_DB


@dataclasses.dataclass(frozen=True)
class Speech:
    """A clip as the speaker models see it.

    Attributes:
        name: the clip's name.
        waveform: the whole clip, mono at 16 kHz, peak-levelled (for display).
        speech: the voiced samples only, levelled to TARGET_DBFS: what gets embedded.
        voiced: one flag per 30 ms VAD frame of ``waveform``.
    """

    name: str
    waveform: np.ndarray
    speech: np.ndarray
    voiced: np.ndarray

    @property
    def duration_s(self) -> float:
        return self.waveform.size / SAMPLE_RATE

    @property
    def speech_s(self) -> float:
        return self.speech.size / SAMPLE_RATE


def level(x: np.ndarray, target_dbfs: float) -> np.ndarray:
    """``x`` scaled to an RMS of ``target_dbfs`` (float32)."""
    gain_db = target_dbfs - rms_db(x)
    return (x * 10.0 ** (gain_db / 20.0)).astype(np.float32)


def voiced_frames(x: np.ndarray) -> np.ndarray:
    """Voice flags per 30 ms frame of 16 kHz mono audio: WebRTC VAD and an energy gate,
    smoothed and dilated.

    The smoothing and hangover follow Resemblyzer's ``trim_long_silences`` so that short
    pauses inside words stay, and only real gaps go.
    """
    import webrtcvad
    from scipy.ndimage import binary_dilation

    frame = int(VAD_FRAME_S * SAMPLE_RATE)
    n = x.size // frame
    if n == 0:
        return np.zeros(0, dtype=bool)
    # Peak-levelled so that the VAD, which works on int16 energy, ignores recording gain.
    peak = float(np.max(np.abs(x)))
    pcm = to_int16(x[: n * frame] * (0.9 / peak if peak > 0 else 0.0))
    vad = webrtcvad.Vad(VAD_MODE)
    raw = np.array(
        [vad.is_speech(pcm[i * frame : (i + 1) * frame].tobytes(), SAMPLE_RATE) for i in range(n)]
    )
    # WebRTC's VAD calls steady background noise (crowd, tape hiss) speech, as in jfk.flac;
    # an energy gate relative to the loud frames removes such gaps without a noise model.
    frames = x[: n * frame].reshape(n, frame).astype(np.float64)
    level_db = 10.0 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    raw &= level_db > np.percentile(level_db, 95) - VAD_GATE_DB
    kernel = np.ones(VAD_SMOOTH_FRAMES) / VAD_SMOOTH_FRAMES
    smooth = np.convolve(raw.astype(float), kernel, mode="same") >= 0.5
    return binary_dilation(smooth, np.ones(VAD_HANGOVER_FRAMES + 1)).astype(bool)


def prepare(
    audio: Audio,
    *,
    min_speech_s: float = MIN_SPEECH_S,
    max_duration_s: float = MAX_DURATION_S,
    trim_silence: bool = True,
) -> Speech:
    """Validate a clip, make it 16 kHz mono, and keep its voiced part.

    Args:
        audio: any rate, any channels.
        min_speech_s: fewer seconds of speech than this are refused.
        max_duration_s: longer clips are refused.
        trim_silence: False embeds the whole clip (to see what trimming changes).

    Raises:
        AudioStudyError: empty, NaN/inf, too long, silent, or too little speech.
    """
    validate(audio, max_duration_s=max_duration_s)
    if not (0.0 < min_speech_s <= max_duration_s):
        raise AudioStudyError(
            f"The minimum speech must be between 0 and {max_duration_s:g} s, not {min_speech_s}."
        )
    x = audio.for_model(SAMPLE_RATE)
    if x.size == 0 or rms_db(x) < SILENCE_DB:
        raise AudioStudyError(
            f"'{audio.name}' is silent (below {SILENCE_DB:g} dBFS): there is no voice to "
            "compare. Record closer to the microphone or pick another file."
        )
    peak = float(np.max(np.abs(x)))
    waveform = (x / peak * 0.9).astype(np.float32)
    frame = int(VAD_FRAME_S * SAMPLE_RATE)
    if trim_silence:
        voiced = voiced_frames(waveform)
        mask = np.repeat(voiced, frame)
        speech = waveform[: mask.size][mask]
    else:
        voiced = np.ones(waveform.size // frame, dtype=bool)
        speech = waveform
    speech_s = speech.size / SAMPLE_RATE
    if speech_s < min_speech_s:
        raise AudioStudyError(
            f"'{audio.name}' has only {speech_s:.2f} s of speech after removing silence "
            f"(of {audio.duration_s:.2f} s); at least {min_speech_s:g} s is needed for a "
            "reliable voice print. Use a longer recording."
        )
    return Speech(audio.name, waveform, level(speech, TARGET_DBFS), voiced)
