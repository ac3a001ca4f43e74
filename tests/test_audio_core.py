"""The shared audio core: decoding, layouts, resampling, validation, output, metrics."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audiokit.audio import (
    Audio,
    format_duration,
    from_array,
    is_silent,
    load_audio,
    resample,
    rms_db,
    to_gradio,
    write_audio,
)
from audiokit.errors import AudioStudyError, ModelUnavailableError
from audiokit.metrics import alignment_html, normalize_text, si_sdr, word_error_rate
from audiokit.models import hub_snapshot, load_once
from tests.signals import CHANNELS, RATES, peak_frequency_hz, tone


def _write(path: Path, audio: Audio, **kwargs) -> Path:
    sf.write(str(path), audio.samples.T, audio.sample_rate, **kwargs)
    return path


def _write_m4a(path: Path, audio: Audio) -> Path:
    import av

    layout = "mono" if audio.channels == 1 else "stereo"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=audio.sample_rate, layout=layout)
        frame = av.AudioFrame.from_ndarray(audio.samples, format="fltp", layout=layout)
        frame.sample_rate = audio.sample_rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("channels", CHANNELS)
@pytest.mark.parametrize(
    "fmt",
    [
        ("wav", {"subtype": "PCM_16"}),
        ("wav", {"subtype": "PCM_32"}),
        ("wav", {"subtype": "FLOAT"}),
        ("flac", {}),
        ("ogg", {}),
        ("mp3", {}),
    ],
    ids=["wav16", "wav32", "wavfloat", "flac", "ogg", "mp3"],
)
def test_files_decode_to_the_same_tone(tmp_path, rate, channels, fmt):
    suffix, kwargs = fmt
    clip = tone(1000.0, sample_rate=rate, duration_s=1.0, channels=channels)
    path = _write(tmp_path / f"tone.{suffix}", clip, **kwargs)
    audio = load_audio(str(path))
    assert audio.sample_rate == rate
    assert audio.channels == channels
    assert audio.samples.dtype == np.float32
    assert audio.duration_s == pytest.approx(1.0, abs=0.06)  # lossy codecs pad a frame
    assert peak_frequency_hz(audio.mono(), rate) == pytest.approx(1000.0, abs=5.0)
    assert rms_db(audio.mono()) == pytest.approx(rms_db(clip.mono()), abs=0.5)
    assert audio.name == "tone"


@pytest.mark.parametrize("channels", CHANNELS)
def test_m4a_aac_decodes_through_ffmpeg(tmp_path, channels):
    clip = tone(440.0, sample_rate=44100, duration_s=1.0, channels=channels)
    audio = load_audio(_write_m4a(tmp_path / "voice.m4a", clip))
    assert (audio.sample_rate, audio.channels) == (44100, channels)
    assert audio.duration_s == pytest.approx(1.0, abs=0.1)
    assert peak_frequency_hz(audio.mono(), 44100) == pytest.approx(440.0, abs=5.0)


def test_six_channel_file_keeps_its_channels(tmp_path):
    clip = tone(500.0, sample_rate=48000, duration_s=0.5, channels=6)
    audio = load_audio(_write(tmp_path / "surround.wav", clip))
    assert audio.channels == 6
    assert audio.mono().shape == (24000,)


@pytest.mark.parametrize(
    ("dtype", "full_scale"),
    [(np.int16, 32767), (np.int32, 2**31 - 1), (np.float32, 1.0), (np.float64, 1.0)],
)
def test_gradio_tuples_of_any_dtype_scale_to_unit_range(dtype, full_scale):
    x = (np.sin(np.linspace(0, 20 * np.pi, 16000)) * 0.5 * full_scale).astype(dtype)
    audio = load_audio((16000, x))
    assert audio.samples.dtype == np.float32
    assert np.abs(audio.samples).max() == pytest.approx(0.5, abs=1e-3)


def test_uint8_is_centred():
    audio = from_array(np.array([0, 128, 255], dtype=np.uint8), 8000)
    np.testing.assert_allclose(audio.samples[0], [-1.0, 0.0, 127 / 128], atol=1e-6)


def test_channels_last_stereo_from_gradio():
    left = np.zeros(1000, dtype=np.int16)
    right = np.full(1000, 16384, dtype=np.int16)
    audio = load_audio((22050, np.stack([left, right], axis=1)))
    assert audio.channels == 2 and audio.frames == 1000
    assert audio.samples[1].mean() == pytest.approx(0.5)
    assert audio.mono().mean() == pytest.approx(0.25)


@pytest.mark.parametrize("target", RATES)
def test_resample_keeps_frequency_and_duration(target):
    clip = tone(1000.0, sample_rate=44100, duration_s=1.0, channels=2)
    out = clip.resampled(target)
    assert out.sample_rate == target and out.channels == 2
    assert out.frames == pytest.approx(target, abs=2)
    assert peak_frequency_hz(out.samples[0], target) == pytest.approx(1000.0, abs=2.0)
    assert rms_db(out.samples) == pytest.approx(rms_db(clip.samples), abs=0.1)


def test_resample_removes_content_above_the_new_nyquist():
    clip = tone([1000.0, 12000.0], sample_rate=48000, duration_s=1.0)
    out = resample(clip.mono(), 48000, 16000)
    spectrum = np.abs(np.fft.rfft(out * np.hanning(out.size)))
    freqs = np.fft.rfftfreq(out.size, 1 / 16000)
    # 12 kHz cannot exist at 16 kHz; a naive decimator would fold it to 4 kHz.
    alias = spectrum[(freqs > 3900) & (freqs < 4100)].max()
    assert 20 * np.log10(alias / spectrum.max()) < -60


def test_for_model_downmixes_and_resamples():
    clip = tone(300.0, sample_rate=44100, duration_s=2.0, channels=2)
    x = clip.for_model(16000)
    assert x.ndim == 1 and x.size == pytest.approx(32000, abs=2)


def test_to_gradio_clips_int16_and_keeps_gain():
    loud = Audio(np.array([[0.25, 2.0, -3.0]], dtype=np.float32), 16000)
    rate, pcm = to_gradio(loud)
    assert rate == 16000 and pcm.dtype == np.int16
    np.testing.assert_array_equal(pcm, [8192, 32767, -32767])
    stereo = tone(100.0, sample_rate=8000, duration_s=0.1, channels=2)
    assert to_gradio(stereo)[1].shape == (800, 2)


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".ogg"])
def test_write_audio_round_trips(tmp_path, suffix):
    clip = tone(800.0, sample_rate=22050, duration_s=0.5, channels=2)
    back = load_audio(write_audio(clip, tmp_path / f"out{suffix}"))
    assert (back.sample_rate, back.channels) == (22050, 2)
    assert rms_db(back.samples) == pytest.approx(rms_db(clip.samples), abs=0.5)


def test_silence_is_measured_without_dividing_by_zero():
    silent = Audio(np.zeros((1, 16000), dtype=np.float32), 16000)
    assert rms_db(silent.samples) == float("-inf")
    assert is_silent(silent)
    assert not is_silent(tone(100.0))


def test_format_duration():
    assert format_duration(7.25) == "7.2 s"
    assert format_duration(75.5) == "1:16"
    assert format_duration(3600) == "1:00:00"


# ---- bad input: every case gets the project's error with a sentence to act on ----


def _text_file(tmp_path):
    p = tmp_path / "notes.wav"
    p.write_text("this is not audio at all\n" * 20)
    return str(p)


def _empty_file(tmp_path):
    p = tmp_path / "empty.wav"
    p.write_bytes(b"")
    return str(p)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: None, "No audio"),
        (lambda tmp: "", "No audio"),
        (lambda tmp: {"path": None}, "No audio"),
        (lambda tmp: (16000, None), "No audio"),
        (lambda tmp: str(tmp / "missing.wav"), "does not exist"),
        (_empty_file, "empty"),
        (_text_file, "Could not read"),
        (lambda tmp: (16000, np.array([], dtype=np.float32)), "empty"),
        (lambda tmp: (16000, np.array([0.1, np.nan, 0.2], dtype=np.float32)), "NaN"),
        (lambda tmp: (16000, np.array([0.1, np.inf], dtype=np.float32)), "NaN or infinite"),
        (lambda tmp: (16000, np.zeros((2, 2, 2))), "1-D or 2-D"),
        (lambda tmp: (16000, np.array(["a", "b"])), "not supported"),
        (lambda tmp: ("fast", np.zeros(100)), "sample rate"),
        (lambda tmp: (0, np.zeros(100)), "sample rate must be positive"),
        (lambda tmp: 12345, "Unsupported audio input"),
    ],
)
def test_bad_inputs_get_a_clear_sentence(tmp_path, make, message):
    with pytest.raises(AudioStudyError, match=message):
        load_audio(make(tmp_path))


def test_duration_limits_name_the_limit():
    clip = tone(200.0, sample_rate=8000, duration_s=3.0)
    with pytest.raises(AudioStudyError, match=r"at most 2\.0 s"):
        load_audio(clip, max_duration_s=2.0)
    with pytest.raises(AudioStudyError, match=r"at least 5 s"):
        load_audio(clip, min_duration_s=5.0)
    assert load_audio(clip, min_duration_s=1.0, max_duration_s=5.0) is clip


def test_long_file_is_refused_from_its_header(tmp_path, monkeypatch):
    path = _write(tmp_path / "long.wav", tone(100.0, sample_rate=8000, duration_s=20.0))

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded a file that the header already refused")

    monkeypatch.setattr(sf, "read", no_decoding)
    with pytest.raises(AudioStudyError, match="at most 10.0 s"):
        load_audio(str(path), max_duration_s=10.0)


# ---- models ----


def test_load_once_loads_once_under_concurrency():
    calls = []

    @load_once
    def slow_model(name: str):
        calls.append(name)
        time.sleep(0.2)
        return object()

    results = []
    threads = [threading.Thread(target=lambda: results.append(slow_model("m"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["m"]
    assert all(r is results[0] for r in results)
    assert slow_model("other") is not results[0]


def test_load_once_does_not_cache_failures():
    attempts = []

    @load_once
    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("disk hiccup")
        return "ok"

    with pytest.raises(OSError):
        flaky()
    assert flaky() == "ok"


def test_hub_model_not_on_the_allowlist_is_refused():
    with pytest.raises(AudioStudyError, match="Unknown model 'evil/model'"):
        hub_snapshot("evil/model", allowed={"openai/whisper-tiny"}, embedded_alternative="x")


def test_hub_probe_answers_fast_when_nothing_listens(monkeypatch):
    from audiokit import models

    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setattr(models, "HUB_HOST", "127.0.0.1")  # nothing serves :443 here
    monkeypatch.setitem(models._probe, "at", -1e9)
    started = time.monotonic()
    assert models.hub_reachable(timeout_s=3.0) is False
    assert time.monotonic() - started < 3.5
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert models.hub_reachable() is False


def test_uncached_hub_model_offline_names_the_embedded_alternative(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    started = time.monotonic()
    with pytest.raises(ModelUnavailableError, match="Whisper tiny.en") as info:
        hub_snapshot(
            "openai/whisper-tiny",
            allowed={"openai/whisper-tiny"},
            embedded_alternative="Whisper tiny.en",
        )
    assert "offline" in str(info.value)
    assert time.monotonic() - started < 15, "an offline Hub miss must not hang"


# ---- metrics ----


def test_normalize_text():
    assert normalize_text("  And so, my fellow-Americans: ASK not!  ") == (
        "and so my fellow americans ask not"
    )
    assert normalize_text("Don't") == "dont"


def test_word_error_rate_counts_and_alignment():
    result = word_error_rate("the cat sat on the red mat", "the bat sat the red mat today")
    assert (result.substitutions, result.deletions, result.insertions) == (1, 1, 1)
    assert result.wer == pytest.approx(3 / 7)
    assert [step.op for step in result.alignment] == [
        "equal",
        "substitute",
        "equal",
        "delete",
        "equal",
        "equal",
        "equal",
        "insert",
    ]
    page = alignment_html(result)
    assert "WER 42.9%" in page and "line-through" in page and "bat" in page


def test_word_error_rate_edge_cases():
    assert word_error_rate("Hello, world.", "hello world").wer == 0.0
    assert word_error_rate("hello world", "").wer == 1.0
    with pytest.raises(AudioStudyError, match="no words"):
        word_error_rate("  ...  ", "hello")


def test_si_sdr_known_values():
    rng = np.random.default_rng(0)
    ref = rng.standard_normal(48000)
    ref -= ref.mean()
    noise = rng.standard_normal(48000)
    noise -= noise.mean()
    noise -= noise.dot(ref) / ref.dot(ref) * ref  # orthogonal: SI-SDR equals the SNR
    noise *= np.linalg.norm(ref) / np.linalg.norm(noise) / 10 ** (10 / 20)
    assert si_sdr(ref + noise, ref) == pytest.approx(10.0, abs=1e-6)
    assert si_sdr(0.3 * (ref + noise), ref) == pytest.approx(10.0, abs=1e-6)
    assert si_sdr(ref, ref) == float("inf")
    assert si_sdr(np.roll(ref, 100), ref) < -10  # no alignment search
    with pytest.raises(AudioStudyError, match="equal length"):
        si_sdr(ref[:-1], ref)
    with pytest.raises(AudioStudyError, match="silent"):
        si_sdr(ref, np.zeros_like(ref))
