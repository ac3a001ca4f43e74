"""Property-based tests of the pure core: any finite input with parameters in range gives
finite output of the promised shape; anything out of range raises AudioStudyError.

Runs are short on purpose (few examples, no deadline: the machine is shared)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from audiokit import limits
from audiokit.audio import (
    Audio,
    check_decoded_size,
    from_array,
    max_decoded_samples,
    resample,
    to_int16,
    validate,
)
from audiokit.errors import AudioStudyError
from audiokit.metrics import si_sdr, word_error_rate
from audiokit.tasks import effects as fx
from audiokit.tasks import separation as sep

FAST = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
RATES = st.sampled_from([8000, 16000, 22050, 44100, 48000])
finite = st.floats(-4.0, 4.0, allow_nan=False, allow_infinity=False, width=32)


def signal(channels: int, frames: int):
    return arrays(np.float32, (channels, frames), elements=finite)


@FAST
@given(st.integers(1, 2), st.integers(1, 400), st.data())
def test_to_int16_clips_and_keeps_the_shape(channels, frames, data):
    x = data.draw(signal(channels, frames))
    y = to_int16(x)
    assert y.shape == x.shape and y.dtype == np.int16
    assert np.abs(y.astype(np.int32)).max() <= 32767
    inside = np.abs(x) <= 1
    assert np.all(np.abs(y[inside] / 32767.0 - x[inside]) <= 1 / 32767 + 1e-6)


@FAST
@given(st.integers(1, 2), st.integers(64, 2000), RATES, RATES, st.data())
def test_resample_gives_finite_audio_of_the_new_length(channels, frames, sr, target, data):
    x = data.draw(signal(channels, frames))
    y = resample(x, sr, target)
    assert y.shape[0] == channels and y.dtype == np.float32
    assert abs(y.shape[1] - frames * target / sr) <= 1
    assert np.isfinite(y).all()


@FAST
@given(
    st.sampled_from([np.int16, np.int32, np.uint8, np.float32, np.float64]),
    st.integers(1, 2),
    st.integers(1, 500),
    RATES,
)
def test_from_array_normalises_any_common_layout(dtype, channels, frames, rate):
    rng = np.random.default_rng(frames)
    raw = rng.uniform(-1, 1, (frames, channels))
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        raw = (raw * 0.5 + 0.5) * (info.max - info.min) + info.min
    audio = from_array(raw.astype(dtype), rate)
    assert audio.samples.shape == (channels, frames)
    assert audio.samples.dtype == np.float32
    assert np.abs(audio.samples).max() <= 1.0 + 1e-6
    assert validate(audio) is audio


@FAST
@given(st.one_of(st.integers(-(10**12), 0), st.integers(limits.MAX_SAMPLE_RATE + 1, 10**12)))
def test_a_rate_out_of_range_is_refused(rate):
    with pytest.raises(AudioStudyError, match="sample rate"):
        from_array(np.zeros(100, dtype=np.float32), rate)


@FAST
@given(st.integers(1, 200), st.sampled_from([math.nan, math.inf, -math.inf]))
def test_nan_or_inf_anywhere_is_refused(position, bad):
    x = np.zeros((1, 201), dtype=np.float32)
    x[0, position] = bad
    with pytest.raises(AudioStudyError, match="NaN or infinite"):
        validate(Audio(x, 16000))


@FAST
@given(
    st.integers(1, 10**6),
    st.integers(1, 64),
    st.integers(0, 10**10),
    st.one_of(st.none(), st.floats(1, 7200)),
)
def test_decoded_size_is_refused_exactly_over_the_limits(rate, channels, frames, max_s):
    over = (
        rate > limits.MAX_SAMPLE_RATE
        or channels > limits.MAX_CHANNELS
        or frames * channels > max_decoded_samples(max_s)
    )
    if over:
        with pytest.raises(AudioStudyError, match="at most"):
            check_decoded_size(rate, channels, frames, max_duration_s=max_s)
    else:
        check_decoded_size(rate, channels, frames, max_duration_s=max_s)


@FAST
@given(st.integers(16, 2000), st.data())
def test_si_sdr_is_finite_or_perfect(frames, data):
    ref = data.draw(arrays(np.float64, frames, elements=st.floats(-1, 1)))
    est = data.draw(arrays(np.float64, frames, elements=st.floats(-1, 1)))
    if np.ptp(ref) == 0:
        with pytest.raises(AudioStudyError):
            si_sdr(est, ref)
        return
    value = si_sdr(est, ref)
    assert math.isfinite(value) or value == math.inf
    assert si_sdr(ref, ref) == math.inf or si_sdr(ref, ref) > 100
    with pytest.raises(AudioStudyError, match="equal length"):
        si_sdr(est[:-1], ref)


@FAST
@given(st.text(max_size=60), st.text(max_size=60))
def test_wer_is_never_negative_and_zero_on_itself(reference, hypothesis):
    try:
        result = word_error_rate(reference, hypothesis)
    except AudioStudyError:
        return  # an empty reference is refused with a sentence
    assert result.wer >= 0 and math.isfinite(result.wer)
    assert word_error_rate(reference, reference).wer == 0


def _param(effect: str, name: str):
    return fx.EFFECTS[effect].param(name)


@FAST
@given(
    st.floats(_param("Gain", "gain_db").minimum, _param("Gain", "gain_db").maximum),
    st.floats(0.05, 0.45),
    st.sampled_from([16000, 44100]),
    st.integers(1, 2),
    st.floats(0, 1),
)
def test_an_in_range_chain_gives_finite_audio_of_the_input_shape(
    gain_db, cutoff_fraction, rate, channels, tail_s
):
    rng = np.random.default_rng(channels)
    x = rng.uniform(-0.5, 0.5, (channels, rate // 4)).astype(np.float32)
    chain = [
        {"effect": "Gain", "params": {"gain_db": gain_db}},
        {"effect": "LowpassFilter", "params": {"cutoff_frequency_hz": cutoff_fraction * rate}},
        {"effect": "Reverb", "params": {"room_size": 0.5}},
    ]
    result = fx.apply_chain(Audio(x, rate), chain, tail_s=tail_s)
    y = result.after.samples
    assert y.shape[0] == channels and x.shape[1] <= y.shape[1] <= x.shape[1] + tail_s * rate + 1
    assert np.isfinite(y).all()
    assert result.after.sample_rate == rate


@FAST
@given(
    st.sampled_from(["Gain", "LowpassFilter", "Reverb"]),
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True).filter(lambda v: not -1e6 < v < 1e6),
        st.just(math.nan),
        st.text(max_size=3),
        st.booleans(),
    ),
)
def test_an_out_of_range_parameter_is_refused(effect, value):
    name = fx.EFFECTS[effect].params[0].name
    with pytest.raises(AudioStudyError):
        fx.parse_chain([{"effect": effect, "params": {name: value}}])


@FAST
@given(
    st.sampled_from(["hpss", "vocals"]),
    st.floats(1.0, 10.0),
    st.sampled_from([16000, 22050]),
    st.integers(1, 2),
)
def test_dsp_separation_gives_two_finite_stems_of_the_input_shape(method, margin, rate, ch):
    rng = np.random.default_rng(ch)
    x = rng.uniform(-0.5, 0.5, (ch, rate * 5 // 2)).astype(np.float32)
    result = getattr(sep, method)(x, rate, margin=margin)
    assert result.stems.shape == (2, ch, x.shape[1])
    assert np.isfinite(result.stems).all()


@FAST
@given(
    st.sampled_from(["hpss", "vocals"]),
    st.one_of(st.floats(max_value=0.999), st.floats(min_value=10.001), st.just(math.nan)),
)
def test_dsp_separation_refuses_a_margin_out_of_range(method, margin):
    with pytest.raises(AudioStudyError, match="margin"):
        getattr(sep, method)(np.zeros((1, 16000), dtype=np.float32), 16000, margin=margin)
