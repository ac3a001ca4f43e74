"""The steerable neural effect: deterministic random networks, receptive field, steering."""

from __future__ import annotations

import numpy as np
import pytest

from audiokit.audio import Audio
from audiokit.tasks import effects as fx
from audiokit.tasks.effects.backends import nafx
from tests.signals import pink_noise, tone

SMALL = dict(depth=3, kernel_size=5, dilation_growth=4, channels=8)


def noise_clip(rate: int = 22050, channels: int = 2) -> np.ndarray:
    return np.stack([pink_noise(sample_rate=rate, duration_s=0.5, seed=s) for s in range(channels)])


def test_same_seed_same_output_other_seed_other_output():
    x = noise_clip()
    a, _ = nafx.neural_effect(x, 22050, seed=5, **SMALL)
    b, _ = nafx.neural_effect(x, 22050, seed=5, **SMALL)
    c, _ = nafx.neural_effect(x, 22050, seed=6, **SMALL)
    np.testing.assert_array_equal(a, b)
    assert a.shape == x.shape and a.dtype == np.float32
    assert np.abs(a - c).max() > 1e-3


def test_same_seed_same_output_through_the_chain():
    clip = Audio(noise_clip(), 22050)
    chain = [{"effect": "NeuralTCN", "params": {"seed": 11, **SMALL}}]
    first = fx.run(clip, chain=chain, tail_s=0).after.samples
    np.testing.assert_array_equal(first, fx.run(clip, chain=chain, tail_s=0).after.samples)


def test_receptive_field_is_what_the_network_sees():
    config = nafx.TCNConfig(seed=1, **SMALL)
    rf = config.receptive_field
    assert rf == 1 + 4 * (1 + 4 + 16)
    assert config.receptive_field_ms(22050) == pytest.approx(1000 * rf / 22050)
    impulse = np.zeros((1, 4 * rf), np.float32)
    impulse[0, 0] = 1.0
    y = nafx._run(nafx.build_tcn(config), impulse, rf)[0]
    # Causal: the impulse reaches output samples 0 .. rf-1 and nothing after them.
    assert np.ptp(y[rf:]) == 0.0
    assert abs(y[rf - 1] - y[rf]) > 0


def test_channels_are_processed_alike_and_mix_zero_is_dry():
    mono = pink_noise(sample_rate=16000, duration_s=0.5)
    stereo = np.stack([mono, mono])
    y, _ = nafx.neural_effect(stereo, 16000, seed=2, **SMALL)
    np.testing.assert_allclose(y[0], y[1], atol=1e-6)
    dry, _ = nafx.neural_effect(stereo, 16000, seed=2, mix=0.0, **SMALL)
    np.testing.assert_array_equal(dry, stereo)


def test_unsteered_output_matches_the_input_peak_and_silence_stays_finite():
    x = tone(220, sample_rate=16000, amplitude=0.3).samples
    y, report = nafx.neural_effect(x, 16000, seed=4, **SMALL)
    assert report is None
    assert np.abs(y).max() == pytest.approx(0.3, rel=1e-4)
    silent, _ = nafx.neural_effect(np.zeros((1, 4000), np.float32), 16000, **SMALL)
    assert np.isfinite(silent).all()


@pytest.mark.parametrize("target", ["compressor", "reverb", "distortion", "delay"])
def test_steering_lowers_the_loss_on_held_back_audio(target):
    config = nafx.TCNConfig(seed=0, depth=4, kernel_size=5, dilation_growth=8, channels=8)
    progress = []
    _, report = nafx.steer(
        config,
        target=target,
        sample_rate=16000,
        steps=30,
        progress=lambda fraction, text: progress.append(fraction),
    )
    assert report.target == target and len(report.train_loss) == 30
    assert progress[-1] == 1.0
    # Measured on the held-back end of the clip, which the network never trained on.
    assert report.heldout_after < 0.8 * report.heldout_before


def test_steering_is_deterministic():
    config = nafx.TCNConfig(seed=9, **SMALL)
    _, a = nafx.steer(config, target="compressor", sample_rate=16000, steps=5)
    _, b = nafx.steer(config, target="compressor", sample_rate=16000, steps=5)
    assert a == b


def test_steered_chain_reports_loss_and_receptive_field():
    clip = Audio(noise_clip(16000, 1), 16000)
    params = {"seed": 1, **SMALL, "steer": "distortion", "steer_steps": 10}
    result = fx.run(clip, chain=[{"effect": "NeuralTCN", "params": params}], tail_s=0)
    (report,) = result.steer_reports
    assert report.target == "distortion" and len(report.train_loss) == 10
    (rf_ms,) = result.receptive_fields_ms
    assert rf_ms == pytest.approx(1000 * nafx.TCNConfig(**SMALL).receptive_field / 16000)


def test_bad_steer_target_is_refused():
    with pytest.raises(nafx.AudioStudyError, match="'steer' must be one of"):
        nafx.steer(nafx.TCNConfig(), target="chorus", sample_rate=16000, steps=1)


def test_parameter_count_matches_the_torch_model():
    for config in (nafx.TCNConfig(), nafx.TCNConfig(depth=2, channels=3, kernel_size=4)):
        model = nafx.build_tcn(config)
        assert config.parameter_count == sum(p.numel() for p in model.parameters())


# Issue 11 item 7: each knob was in range, but their product was not bounded.
@pytest.mark.parametrize(
    ("params", "message"),
    [
        # +2 GB on a 10 ms clip: ~8e6 samples of context
        (dict(depth=6, kernel_size=31, dilation_growth=12), "receptive field would be 8,143,591"),
        # depth 8 at the default growth: ~1e9 samples
        (dict(depth=8), "receptive field would be 133,333,333 samples"),
        (dict(depth=8, kernel_size=31, dilation_growth=1, channels=64), "weights; the limit"),
        # 64 channels steered for 400 steps: half an hour on two cores
        (dict(channels=64, steer="distortion", steer_steps=400), "Use at most 39 steps"),
    ],
)
def test_the_neural_effects_cost_is_bounded_with_a_sentence(params, message):
    x = noise_clip(44100, 1)[:, :441]  # 10 ms
    with pytest.raises(nafx.AudioStudyError, match="the limit is") as info:
        nafx.neural_effect(x, 44100, **params)
    assert message in str(info.value)
    # The chain parser refuses it too, before any audio is decoded, naming the step.
    with pytest.raises(nafx.AudioStudyError, match=r"Effect 1 \(NeuralTCN\)") as info:
        fx.parse_chain([{"effect": "NeuralTCN", "params": params}])
    assert message in str(info.value)


def test_steering_and_running_refuse_before_working():
    big = nafx.TCNConfig(channels=64)
    with pytest.raises(nafx.AudioStudyError, match="at most 39 steps"):
        nafx.steer(big, target="reverb", sample_rate=44100, steps=400)
    big.check(39)  # the number the sentence offers is allowed
    # Two minutes of stereo through 116,865 weights is ~1.2e12 multiply-adds.
    clip = Audio(np.zeros((2, 120 * 44100), np.float32), 44100)
    chain = [{"effect": "NeuralTCN", "params": {"channels": 64}}]
    with pytest.raises(nafx.AudioStudyError, match=r"Effect 1 \(NeuralTCN\).*at most 19\.4 s"):
        fx.run(clip, chain=chain, tail_s=0)
    for bad in (dict(depth=0), dict(channels=2.5), dict(kernel_size=True)):
        with pytest.raises(nafx.AudioStudyError, match="must be a whole number"):
            nafx.neural_effect(np.zeros((1, 100), np.float32), 16000, **bad)


def test_defaults_and_presets_are_within_the_limits():
    nafx.TCNConfig().check(400)
    for preset in fx.load_presets().values():
        fx.parse_chain(preset["chain"])
    assert nafx.TCNConfig().receptive_field <= nafx.MAX_RECEPTIVE_FIELD


def test_the_neural_stage_reports_its_receptive_field_and_the_snippet_imports_the_task():
    step = fx.parse_chain([{"effect": "NeuralTCN", "params": {"seed": 1, **SMALL}}])[0]
    out = nafx.stage(step).process(noise_clip(16000, 1), 16000, lambda f, m: None)
    assert out.samples.shape == (1, 8000) and out.steer_report is None
    assert out.receptive_field_ms == pytest.approx(1000 * 85 / 16000)
    snippet = fx.to_python([step])
    assert "from audiokit.tasks.effects import neural_effect" in snippet
    assert "audiokit.engines" not in snippet
