"""Audio in and out: decode, normalise, validate, resample, and hand back to Gradio.

Inside the project audio is float32, channels first: ``samples.shape == (channels, frames)``,
the layout librosa, torch and Pedalboard use. Files, Gradio and soundfile are channels last;
the conversion happens here, at the boundary, and nowhere else.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from audiokit import limits
from audiokit.errors import AudioStudyError

SUPPORTED_FORMATS = "wav, flac, mp3, ogg/opus, m4a/aac"
NO_AUDIO = "No audio was given: upload a file or record from the microphone."


@dataclasses.dataclass(frozen=True)
class Audio:
    """A clip: float32 samples shaped (channels, frames) and their sample rate.

    Attributes:
        samples: float32 array of shape (channels, frames), nominally in [-1, 1].
        sample_rate: samples per second per channel.
        name: a short name (the file stem) used to name downloads.
    """

    samples: np.ndarray
    sample_rate: int
    name: str = "audio"

    def __post_init__(self) -> None:
        if self.samples.ndim != 2 or self.samples.dtype != np.float32:
            raise TypeError("Audio.samples must be float32 shaped (channels, frames)")
        if self.sample_rate <= 0:
            raise AudioStudyError(f"The sample rate must be positive, not {self.sample_rate}.")

    @property
    def channels(self) -> int:
        return int(self.samples.shape[0])

    @property
    def frames(self) -> int:
        return int(self.samples.shape[1])

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate

    def mono(self) -> np.ndarray:
        """The channel average as a 1-D float32 array."""
        if self.channels == 1:
            return self.samples[0]
        return self.samples.mean(axis=0, dtype=np.float32)

    def resampled(self, sample_rate: int) -> Audio:
        """This clip at another sample rate (soxr, high quality)."""
        return dataclasses.replace(
            self,
            samples=resample(self.samples, self.sample_rate, sample_rate),
            sample_rate=int(sample_rate),
        )

    def for_model(self, sample_rate: int) -> np.ndarray:
        """Mono at ``sample_rate``: what most speech models expect, as a 1-D array."""
        return resample(self.mono(), self.sample_rate, sample_rate)


def resample(samples: np.ndarray, orig_sr: int, target_sr: int) -> np.ndarray:
    """Resample along the last axis with soxr; returns float32 in the same layout."""
    if orig_sr == target_sr:
        return np.asarray(samples, dtype=np.float32)
    import soxr

    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 1:
        return soxr.resample(x, orig_sr, target_sr, quality="HQ").astype(np.float32)
    out = soxr.resample(np.ascontiguousarray(x.T), orig_sr, target_sr, quality="HQ")
    return np.ascontiguousarray(out.T, dtype=np.float32)


def to_float32(array: np.ndarray) -> np.ndarray:
    """Scale integer PCM to [-1, 1) float32; pass float through as float32."""
    a = np.asarray(array)
    if a.dtype.kind == "f":
        return a.astype(np.float32, copy=False)
    if a.dtype.kind == "i":
        return (a.astype(np.float64) / float(2 ** (8 * a.dtype.itemsize - 1))).astype(np.float32)
    if a.dtype.kind == "u":
        half = float(2 ** (8 * a.dtype.itemsize - 1))
        return ((a.astype(np.float64) - half) / half).astype(np.float32)
    raise AudioStudyError(f"Audio samples of type {a.dtype} are not supported; use PCM or float.")


def from_array(
    array: Any, sample_rate: int, *, name: str = "audio", channels_last: bool = True
) -> Audio:
    """Build an :class:`Audio` from an array in any common layout and dtype.

    Args:
        array: 1-D mono, or 2-D; int16/int32/uint8/float.
        sample_rate: its rate in Hz.
        name: used to name downloads.
        channels_last: True for (frames, channels), as soundfile and Gradio give it.
    """
    try:
        a = np.asarray(array)
    except (TypeError, ValueError):
        raise AudioStudyError("The audio could not be read as an array of samples.") from None
    if a.dtype.kind not in "iuf":
        raise AudioStudyError("These audio samples are not supported; use PCM or float numbers.")
    if a.ndim == 0 or a.size == 0:
        raise AudioStudyError("The audio is empty: it has no samples.")
    if a.ndim == 1:
        a = a[np.newaxis, :]
    elif a.ndim == 2:
        a = a.T if channels_last else a
    else:
        raise AudioStudyError(f"Audio must be 1-D or 2-D, not {a.ndim}-D.")
    try:
        rate = int(sample_rate)
    except (TypeError, ValueError, OverflowError):
        raise AudioStudyError("The sample rate must be a whole number of Hz.") from None
    if rate <= 0:
        raise AudioStudyError("The sample rate must be positive: a whole number of Hz.")
    check_decoded_size(rate, int(a.shape[0]), int(a.shape[1]))
    return Audio(np.ascontiguousarray(to_float32(a)), rate, name)


@dataclasses.dataclass(frozen=True)
class Probe:
    """What a file's header says, read without decoding: rate, channels and frames
    (frames None when the header does not say, as with some streams)."""

    sample_rate: int
    channels: int
    frames: int | None

    @property
    def duration_s(self) -> float | None:
        return None if self.frames is None else self.frames / self.sample_rate


def probe(path: Path) -> Probe | None:
    """Header facts of an audio file (libsndfile, then PyAV); None when neither reads it."""
    import soundfile as sf

    try:
        info = sf.info(str(path))
        if info.samplerate > 0:
            return Probe(int(info.samplerate), int(info.channels), int(info.frames))
    except Exception:  # noqa: BLE001 - not readable by libsndfile; PyAV will say
        pass
    try:
        import av

        with av.open(str(path)) as container:
            stream = next((s for s in container.streams if s.type == "audio"), None)
            if stream is None or not stream.codec_context.sample_rate:
                return None
            rate = int(stream.codec_context.sample_rate)
            channels = int(stream.codec_context.channels or 1)
            seconds = container.duration / 1e6 if container.duration else None
            frames = None if seconds is None else int(math.ceil(seconds * rate))
            return Probe(rate, channels, frames)
    except Exception:  # noqa: BLE001 - the decoder below reports unreadable files
        return None


def probe_duration_s(path: Path) -> float | None:
    """Duration from the header alone, so an over-long file is refused before decoding."""
    info = probe(path)
    return None if info is None else info.duration_s


def max_decoded_samples(max_duration_s: float | None = None) -> int:
    """The most decoded values (frames x channels) a clip may have, for a tab's limit."""
    cap = limits.MAX_DECODED_SAMPLES
    if max_duration_s is not None:
        cap = min(cap, int(max_duration_s * limits.MAX_DECODED_PER_S))
    return max(1, cap)


def check_decoded_size(
    sample_rate: int, channels: int, frames: int | None, *, max_duration_s: float | None = None
) -> None:
    """Refuse audio whose decoded size (rate, channels, frames x channels) is over the limits.

    A small compressed file can decode to gigabytes (192 kHz, 8 channels, minutes of it):
    the header is checked before decoding, and the decoders stop at the same limit. With a
    tab's ``max_duration_s`` the budget is that many seconds of 192 kHz stereo.
    """
    if sample_rate > limits.MAX_SAMPLE_RATE:
        raise AudioStudyError(
            f"The audio's sample rate is {sample_rate:,} Hz; this app takes at most "
            f"{limits.MAX_SAMPLE_RATE:,} Hz. Resample it and try again."
        )
    if channels > limits.MAX_CHANNELS:
        raise AudioStudyError(
            f"The audio has {channels} channels; this app takes at most "
            f"{limits.MAX_CHANNELS}. Mix it down and try again."
        )
    cap = max_decoded_samples(max_duration_s)
    if frames is not None and frames * channels > cap:
        raise AudioStudyError(
            f"The audio decodes to {frames * channels:,} samples (frames x channels); this "
            f"tab takes at most {cap:,}. Trim it, mix it down or lower its sample rate."
        )


def _decode_with_av(path: Path, max_duration_s: float | None = None) -> tuple[np.ndarray, int]:
    import av

    with av.open(str(path)) as container:
        stream = next((s for s in container.streams if s.type == "audio"), None)
        if stream is None:
            raise AudioStudyError(f"'{path.name}' has no audio stream.")
        rate = stream.codec_context.sample_rate
        resampler = av.AudioResampler(format="fltp", layout=stream.layout, rate=rate)
        parts = []
        decoded = 0
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                parts.append(out.to_ndarray())
                decoded += parts[-1].size
            # The header may not say how long the stream is, or may lie: count as we go.
            if decoded > max_decoded_samples(max_duration_s):
                check_decoded_size(int(rate), 1, decoded, max_duration_s=max_duration_s)
        for out in resampler.resample(None):
            parts.append(out.to_ndarray())
    if not parts:
        raise AudioStudyError(f"'{path.name}' contains no audio samples.")
    return np.concatenate(parts, axis=1).astype(np.float32), int(rate)


def read_file(path: str | os.PathLike[str], *, max_duration_s: float | None = None) -> Audio:
    """Decode a file (libsndfile first, then FFmpeg through PyAV for m4a/aac and the rest).

    Args:
        path: the file.
        max_duration_s: when given, a longer file is refused from its header, before decoding.
    """
    p = Path(path)
    if not p.is_file():
        raise AudioStudyError(f"The file '{p.name}' does not exist or is not a file.")
    if p.stat().st_size == 0:
        raise AudioStudyError(f"The file '{p.name}' is empty (0 bytes).")
    info = probe(p)
    if info is not None:
        check_decoded_size(
            info.sample_rate, info.channels, info.frames, max_duration_s=max_duration_s
        )
        if max_duration_s is not None and info.duration_s is not None:
            check_duration(info.duration_s, max_duration_s=max_duration_s)
    import soundfile as sf

    try:
        with sf.SoundFile(str(p)) as f:
            check_decoded_size(
                int(f.samplerate), int(f.channels), int(f.frames), max_duration_s=max_duration_s
            )
            data = f.read(dtype="float32", always_2d=True)
            return Audio(np.ascontiguousarray(data.T), int(f.samplerate), p.stem)
    except (sf.LibsndfileError, RuntimeError, TypeError):
        pass
    try:
        samples, rate = _decode_with_av(p, max_duration_s)
    except AudioStudyError:
        raise
    except Exception as exc:
        raise AudioStudyError(
            f"Could not read '{p.name}' as audio. Supported formats: {SUPPORTED_FORMATS}."
        ) from exc
    return Audio(samples, rate, p.stem)


def format_duration(seconds: float) -> str:
    """``7.25`` -> ``'7.2 s'``; ``75.5`` -> ``'1:16'``; ``3600`` -> ``'1:00:00'``."""
    total = max(0.0, float(seconds))
    if total < 60:
        return f"{total:.1f} s"
    hours, rest = divmod(round(total), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def check_duration(
    duration_s: float, *, min_duration_s: float = 0.0, max_duration_s: float | None = None
) -> None:
    """Raise a user-facing error when a duration is outside the demo's limits."""
    if max_duration_s is not None and duration_s > max_duration_s:
        raise AudioStudyError(
            f"The audio is {format_duration(duration_s)} long; this demo takes at most "
            f"{format_duration(max_duration_s)}. Trim it and try again."
        )
    if duration_s < min_duration_s:
        raise AudioStudyError(
            f"The audio is only {duration_s:.2f} s long; this demo needs at least "
            f"{min_duration_s:g} s."
        )


def validate(
    audio: Audio, *, min_duration_s: float = 0.0, max_duration_s: float | None = None
) -> Audio:
    """Check a decoded clip against the input rules shared by every demo.

    Raises:
        AudioStudyError: empty, NaN/inf samples, or outside the duration limits.
    """
    if audio.frames == 0:
        raise AudioStudyError("The audio is empty: it has no samples.")
    if not np.isfinite(audio.samples).all():
        raise AudioStudyError(
            "The audio contains NaN or infinite samples; it cannot be processed. "
            "Re-export it from your editor and try again."
        )
    check_duration(audio.duration_s, min_duration_s=min_duration_s, max_duration_s=max_duration_s)
    return audio


def load_audio(
    value: Any,
    *,
    min_duration_s: float = 0.0,
    max_duration_s: float | None = None,
    name: str | None = None,
) -> Audio:
    """Load and validate audio from anything a caller may hand us.

    Args:
        value: a path, a Gradio ``(sample_rate, array)`` tuple, a Gradio file dict with a
            ``path`` key, or an :class:`Audio`.
        min_duration_s: shorter clips are refused.
        max_duration_s: longer clips are refused (before decoding, where the header says).
        name: overrides the clip's name.

    Raises:
        AudioStudyError: with a sentence the user can act on.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise AudioStudyError(NO_AUDIO)
    if isinstance(value, Mapping):
        if not value.get("path"):
            raise AudioStudyError(NO_AUDIO)
        value = value["path"]
    if isinstance(value, Audio):
        audio = value
    elif isinstance(value, (str, os.PathLike)):
        audio = read_file(value, max_duration_s=max_duration_s)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        rate, array = value
        if array is None:
            raise AudioStudyError(NO_AUDIO)
        audio = from_array(array, rate)
    else:
        raise AudioStudyError(
            "Unsupported audio input: give a file, or a (sample rate, samples) pair."
        )
    if name:
        audio = dataclasses.replace(audio, name=name)
    return validate(audio, min_duration_s=min_duration_s, max_duration_s=max_duration_s)


def to_int16(samples: np.ndarray) -> np.ndarray:
    """Clip to [-1, 1] and convert to int16 (NaN becomes 0), keeping the logical layout.

    In place on one float32 buffer: a minute of stereo converts in ~10 ms, which matters
    because every audio answer passes through here.
    """
    x = np.asarray(samples)
    y = np.empty(x.shape, dtype=np.float32)  # C order even when x is a transposed view
    np.multiply(x, 32767.0, out=y, dtype=np.float32)
    np.nan_to_num(y, copy=False)
    np.clip(y, -32767.0, 32767.0, out=y)
    np.rint(y, out=y)
    return y.astype(np.int16)


def to_gradio(audio: Audio) -> tuple[int, np.ndarray]:
    """``(sample_rate, int16 array)`` for ``gr.Audio``, channels last.

    int16 we clipped ourselves, because Gradio peak-normalises float output, which would
    silently undo any gain a demo applied.
    """
    samples = audio.samples[0] if audio.channels == 1 else audio.samples.T
    return audio.sample_rate, to_int16(samples)


MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)


def write_audio(audio: Audio, path: str | os.PathLike[str]) -> Path:
    """Write wav (16-bit PCM), flac, ogg (Vorbis) or mp3, chosen by the file's suffix.

    MP3 takes only the MPEG sample rates; other rates are resampled to the nearest one above
    (or 48 kHz), since an MP3 download is for listening, not for measuring.
    """
    import soundfile as sf

    p = Path(path)
    suffix = p.suffix.lower()
    subtype = {".wav": "PCM_16", ".flac": "PCM_16", ".ogg": "VORBIS", ".mp3": "MPEG_LAYER_III"}
    if suffix not in subtype:
        raise AudioStudyError(f"Cannot write '{p.suffix}' files; use .wav, .flac, .ogg or .mp3.")
    if suffix == ".mp3" and audio.sample_rate not in MP3_RATES:
        rate = next((r for r in MP3_RATES if r >= audio.sample_rate), MP3_RATES[-1])
        audio = Audio(resample(audio.samples, audio.sample_rate, rate), rate, audio.name)
    data = np.clip(audio.samples.T, -1.0, 1.0)
    fmt = "MP3" if suffix == ".mp3" else None
    sf.write(str(p), data, audio.sample_rate, subtype=subtype[suffix], format=fmt)
    return p


def rms_db(samples: np.ndarray) -> float:
    """RMS level in dBFS; ``-inf`` for digital silence (never a division by zero)."""
    x = np.asarray(samples, dtype=np.float64)
    rms = math.sqrt(float(np.mean(x * x))) if x.size else 0.0
    return 20.0 * math.log10(rms) if rms > 0 else float("-inf")


def is_silent(audio: Audio, *, threshold_db: float = -60.0) -> bool:
    """True when the whole clip is below ``threshold_db`` dBFS RMS."""
    return rms_db(audio.samples) < threshold_db
