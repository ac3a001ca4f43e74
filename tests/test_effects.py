"""Effects task: physics of the effects, chains as data, the snippet, presets, bad input."""

from __future__ import annotations

import inspect
import json
import math
import subprocess
import sys
import urllib.parse

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import butter, freqz

from audiokit.audio import Audio, load_audio
from audiokit.errors import AudioStudyError
from audiokit.tasks import effects as fx
from tests.conftest import ROOT
from tests.signals import CHANNELS, RATES, band_level_db, peak_frequency_hz, tone, white_noise


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.asarray(x, dtype=np.float64) ** 2)))


def run(audio: Audio, chain, **kw) -> Audio:
    return fx.run(audio, chain=chain, **kw).after


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("channels", CHANNELS)
def test_gain_6_db_doubles_rms(rate, channels):
    clip = tone(440, sample_rate=rate, channels=channels, amplitude=0.2)
    out = run(clip, [{"effect": "Gain", "params": {"gain_db": 6}}], tail_s=0)
    assert out.samples.shape == clip.samples.shape and out.sample_rate == rate
    assert rms(out.samples) / rms(clip.samples) == pytest.approx(2.0, rel=0.01)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("channels", CHANNELS)
def test_lowpass_1_khz_cuts_6_khz_by_first_order_amount_and_keeps_200_hz(rate, channels):
    clip = tone([200, 6000], sample_rate=rate, channels=channels, duration_s=2.0)
    out = run(clip, [{"effect": "LowpassFilter", "params": {"cutoff_frequency_hz": 1000}}])
    # JUCE's first-order low-pass is the bilinear (pre-warped) Butterworth: scipy's butter(1).
    b, a = butter(1, 1000, fs=rate)
    _, (h200, h6k) = freqz(b, a, worN=[200, 6000], fs=rate)
    n = clip.frames
    for ch in range(channels):
        cut_6k = band_level_db(out.samples[ch, :n], rate, 6000) - band_level_db(
            clip.samples[ch], rate, 6000
        )
        kept_200 = band_level_db(out.samples[ch, :n], rate, 200) - band_level_db(
            clip.samples[ch], rate, 200
        )
        assert cut_6k == pytest.approx(20 * np.log10(abs(h6k)), abs=1.0)
        assert cut_6k < -12
        assert kept_200 == pytest.approx(20 * np.log10(abs(h200)), abs=0.5)
        assert kept_200 > -0.5


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("channels", CHANNELS)
def test_pitch_shift_octave_doubles_spectral_peak(rate, channels):
    clip = tone(440, sample_rate=rate, channels=channels, duration_s=2.0)
    out = run(clip, [{"effect": "PitchShift", "params": {"semitones": 12}}], tail_s=0)
    assert out.samples.shape == clip.samples.shape
    for ch in range(channels):
        # Skip the attack, where the shifter is still filling its window.
        assert peak_frequency_hz(out.samples[ch, rate // 2 :], rate) == pytest.approx(880, rel=0.02)


@pytest.mark.parametrize("rate", RATES)
def test_reverb_adds_a_tail(rate):
    burst = np.zeros((2, rate), np.float32)
    burst[:, : rate // 10] = white_noise(sample_rate=rate, duration_s=0.1, amplitude=0.3)
    clip = Audio(burst, rate)
    result = fx.run(clip, chain=[{"effect": "Reverb", "params": {"room_size": 0.9}}], tail_s=3)
    assert result.after.frames > clip.frames
    assert 0 < result.tail_s <= 3.0
    # After the dry burst has ended, the reverb keeps ringing well above the floor.
    ringing = result.after.samples[:, rate // 5 : rate // 2]
    assert rms(ringing) > 1e-3
    no_tail = fx.run(clip, chain=[{"effect": "Reverb", "params": {"room_size": 0.9}}], tail_s=0)
    assert no_tail.after.frames == clip.frames


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("channels", CHANNELS)
def test_empty_chain_is_identity(rate, channels):
    clip = Audio(
        np.tile(white_noise(sample_rate=rate, duration_s=0.5), (channels, 1)), rate, "noise"
    )
    for chain in ([], "[]", "", None):
        out = run(clip, chain)
        np.testing.assert_array_equal(out.samples, clip.samples)


def test_bypassed_effects_do_nothing():
    clip = tone(440, sample_rate=22050, channels=2)
    out = run(clip, [{"effect": "Distortion", "params": {"drive_db": 40}, "bypass": True}])
    np.testing.assert_array_equal(out.samples, clip.samples)


@pytest.mark.parametrize("rate", RATES)
def test_stereo_balance_is_preserved(rate):
    left = white_noise(sample_rate=rate, duration_s=1.0, amplitude=0.2, seed=1)
    clip = Audio(np.stack([left, 0.5 * left]), rate)
    chain = [
        {"effect": "HighpassFilter", "params": {"cutoff_frequency_hz": 100}},
        {"effect": "PeakFilter", "params": {"cutoff_frequency_hz": 2000, "gain_db": 6}},
        {"effect": "Delay", "params": {"delay_seconds": 0.1, "feedback": 0.3}},
        {"effect": "Gain", "params": {"gain_db": -3}},
    ]
    out = run(clip, chain)
    assert out.channels == 2
    ratio_db = 20 * math.log10(rms(out.samples[0]) / rms(out.samples[1]))
    assert ratio_db == pytest.approx(20 * math.log10(2), abs=0.05)


def test_defaults_are_pedalboards_own_and_within_range():
    import pedalboard

    for spec in fx.EFFECTS.values():
        for p in spec.params:
            if not p.choices:
                assert p.minimum <= p.default <= p.maximum, (spec.name, p.name)
            else:
                assert p.default in p.choices, (spec.name, p.name)
        if spec.cls is not None and spec.name != "Convolution":
            instance = spec.cls()
            for p in spec.params:
                real = getattr(instance, p.name)
                if p.choices:
                    assert real.name == p.default, (spec.name, p.name)
                else:
                    assert real == pytest.approx(p.default, rel=1e-6), (spec.name, p.name)
            assert spec.cls is getattr(pedalboard, spec.name)


def test_issue_effects_are_all_allowlisted():
    wanted = {
        *("Reverb", "Delay", "Chorus", "Phaser", "Distortion", "Compressor", "Limiter"),
        *("NoiseGate", "Gain", "HighpassFilter", "LowpassFilter", "LadderFilter", "PeakFilter"),
        *("LowShelfFilter", "HighShelfFilter", "PitchShift", "Bitcrush", "Clipping"),
        *("GSMFullRateCompressor", "MP3Compressor", "Resample", "Convolution"),
    }
    assert set(wanted) <= set(fx.EFFECTS)
    assert fx.impulse_responses() == ("cathedral.wav", "concert_hall.wav", "small_room.wav")


def test_every_effect_runs_at_its_defaults():
    clip = tone([300, 3000], sample_rate=44100, channels=2, duration_s=0.5)
    for name in fx.EFFECTS:
        if name == fx.NEURAL:
            continue
        out = run(clip, [{"effect": name}], tail_s=0.5)
        assert out.channels == 2 and out.sample_rate == 44100, name
        assert np.isfinite(out.samples).all(), name


def test_json_round_trip():
    for preset in fx.load_presets().values():
        steps = fx.parse_chain(preset["chain"])
        text = fx.chain_to_json(steps)
        assert fx.parse_chain(text) == steps
        assert fx.parse_chain(json.loads(text)) == steps
    steps = fx.parse_chain('[{"effect": "Gain", "params": {"gain_db": 6}, "bypass": true}]')
    assert steps == [fx.Step("Gain", {"gain_db": 6.0}, True)]
    assert json.loads(fx.chain_to_json(steps))[0]["bypass"] is True


@pytest.mark.parametrize("name", list(fx.load_presets()))
def test_every_preset_builds_and_runs(name):
    clip = load_audio(fx.EXAMPLES / "pluck_loop.flac")
    clip = Audio(clip.samples[:, : clip.sample_rate * 2], clip.sample_rate)
    out = run(clip, fx.load_presets()[name]["chain"], tail_s=1.0)
    assert out.channels == 2 and out.sample_rate == clip.sample_rate
    assert clip.frames <= out.frames <= clip.frames + clip.sample_rate
    assert np.isfinite(out.samples).all() and rms(out.samples) > 1e-3


SNIPPET_CHAINS = {
    "lo-fi": fx.load_presets()["lo-fi"]["chain"],
    "guitar amp (enums, Convolution)": fx.load_presets()["guitar amp"]["chain"],
    "telephone (GSM)": fx.load_presets()["telephone"]["chain"],
    "bypass and neural": [
        {"effect": "HighpassFilter", "params": {"cutoff_frequency_hz": 120}},
        {"effect": "Reverb", "bypass": True},
        {"effect": "NeuralTCN", "params": {"seed": 3, "channels": 4, "mix": 0.5}},
        {"effect": "Delay", "params": {"delay_seconds": 0.2, "feedback": 0.4}},
    ],
}


@pytest.mark.parametrize("label", list(SNIPPET_CHAINS))
def test_exported_python_snippet_reproduces_the_output(label, tmp_path, monkeypatch):
    rate = 44100
    x = np.stack([white_noise(sample_rate=rate, duration_s=1.0, seed=s) for s in (1, 2)])
    x[:, : rate // 2] += tone(330, sample_rate=rate, duration_s=0.5).samples[0]
    source = tmp_path / "input.wav"
    sf.write(source, x.T, rate, subtype="FLOAT")
    clip = load_audio(source)
    result = fx.run(clip, chain=SNIPPET_CHAINS[label], tail_s=1.5)
    snippet = fx.to_python(result.steps, tail_s=1.5, input_path=str(source))
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(snippet, "snippet.py", "exec"), namespace)
    np.testing.assert_allclose(namespace["y"], result.after.samples, atol=1e-6, rtol=0)
    written, written_rate = sf.read(tmp_path / "output.wav", always_2d=True)
    assert written_rate == rate and written.shape == result.after.samples.T.shape


def test_levels_of_tone_silence_and_short_clips():
    # A full-scale 1 kHz sine is -3.01 LUFS by the BS.1770 definition.
    sine = tone(997, sample_rate=48000, duration_s=3.0, amplitude=1.0)
    levels = fx.measure_levels(sine)
    assert levels.lufs == pytest.approx(-3.01, abs=0.1)
    assert levels.sample_peak_db == pytest.approx(0.0, abs=0.01)
    assert levels.true_peak_db >= levels.sample_peak_db
    silence = Audio(np.zeros((2, 48000), np.float32), 48000)
    quiet = fx.measure_levels(silence)
    assert quiet.lufs == float("-inf") and quiet.sample_peak_db == float("-inf")
    assert fx.format_level(quiet.lufs, "LUFS") == "-∞ LUFS (silence)"
    short = fx.measure_levels(tone(440, sample_rate=16000, duration_s=0.2))
    assert short.lufs is None
    assert "shorter than 0.4 s" in fx.format_level(short.lufs, "LUFS")
    # Silence through a chain: no division by zero anywhere.
    out = run(silence, [{"effect": "Compressor", "params": {"threshold_db": -30, "ratio": 4}}])
    assert out.frames == silence.frames


BAD_CHAINS = [
    ("[{]", "not valid JSON"),
    ('{"effect": "Gain"}', "must be a JSON list"),
    ("[1]", "Effect 1 must be an object"),
    ('[{"effect": "Fuzz"}]', "Effect 1: unknown effect 'Fuzz' in 'effect'"),
    ('[{"effect": "__import__"}]', "unknown effect '__import__'"),
    ('[{"effect": "Pedalboard"}]', "unknown effect 'Pedalboard'"),
    ('[{"params": {}}]', "unknown effect None"),
    ('[{"effect": "Gain", "param": {}}]', "unknown field(s) 'param'"),
    ('[{"effect": "Gain", "params": {"gain": 6}}]', "Effect 1 (Gain): unknown parameter(s) 'gain'"),
    ('[{"effect": "Gain", "params": [6]}]', "'params' must be an object"),
    (
        '[{"effect": "Gain"}, {"effect": "Reverb", "params": {"room_size": 3}}]',
        "Effect 2 (Reverb): 'room_size' must be between 0 and 1, not 3",
    ),
    ('[{"effect": "Gain", "params": {"gain_db": NaN}}]', "'gain_db' must be a finite number"),
    ('[{"effect": "Gain", "params": {"gain_db": Infinity}}]', "'gain_db' must be a finite"),
    ('[{"effect": "Gain", "params": {"gain_db": "loud"}}]', "'gain_db' must be a number"),
    ('[{"effect": "Gain", "params": {"gain_db": true}}]', "'gain_db' must be a number"),
    ('[{"effect": "Gain", "bypass": "yes"}]', "'bypass' must be true or false"),
    ('[{"effect": "LadderFilter", "params": {"mode": "LPF48"}}]', "'mode' must be one of LPF12"),
    (
        '[{"effect": "Convolution", "params": {"impulse_response_filename": "/etc/passwd"}}]',
        "'impulse_response_filename' must be one of cathedral.wav",
    ),
    ('[{"effect": "NeuralTCN", "params": {"depth": 2.5}}]', "'depth' must be a whole number"),
    ('[{"effect": "NeuralTCN", "params": {"steer": "chorus"}}]', "'steer' must be one of none"),
    (json.dumps([{"effect": "Gain"}] * 25), "the limit is 24"),
]


@pytest.mark.parametrize(("chain", "message"), BAD_CHAINS)
def test_bad_chains_are_refused_naming_the_field(chain, message):
    with pytest.raises(AudioStudyError) as info:
        fx.run(tone(440), chain=chain)
    assert message in str(info.value)


def test_bad_audio_and_options_are_refused():
    nan = Audio(np.full((1, 1000), np.nan, np.float32), 16000)
    with pytest.raises(AudioStudyError, match="NaN or infinite samples"):
        fx.run(nan, chain=[])
    with pytest.raises(AudioStudyError, match="empty"):
        fx.run(Audio(np.zeros((1, 0), np.float32), 16000), chain=[])
    with pytest.raises(AudioStudyError, match="'Tail' must be between 0 and 10 s, not 11"):
        fx.run(tone(440), chain=[], tail_s=11)
    with pytest.raises(AudioStudyError, match="'Tail' must be a finite number"):
        fx.run(tone(440), chain=[], tail_s=float("nan"))
    with pytest.raises(AudioStudyError, match="'Tail' must be a number"):
        fx.run(tone(440), chain=[], tail_s="2")
    longest = fx.LIMITS.max_duration_s
    over = Audio(np.zeros((1, int(8000 * (longest + 1))), np.float32), 8000)
    with pytest.raises(AudioStudyError, match="takes at most 2:00"):
        fx.run(over, chain=[])
    with pytest.raises(AudioStudyError, match="not below half the sample rate"):
        fx.run(
            tone(440), chain=[{"effect": "LowpassFilter", "params": {"cutoff_frequency_hz": 9000}}]
        )
    with pytest.raises(AudioStudyError, match="MP3 cannot encode 96000 Hz"):
        fx.run(tone(440, sample_rate=96000), chain=[{"effect": "MP3Compressor"}])


def test_run_takes_only_its_declared_keywords():
    assert list(fx.PARAMS) == ["chain", "tail_s"]
    signature = inspect.signature(fx.run).parameters
    for name, param in fx.PARAMS.items():
        assert signature[name].default == param.default and signature[name].kind.name == (
            "KEYWORD_ONLY"
        )
    with pytest.raises(TypeError):
        fx.run(tone(440), chain=[], loudness=3)  # type: ignore[call-arg]
    # The default chain is the lo-fi preset, read from the preset file (typed nowhere else).
    assert json.loads(fx.PARAMS["chain"].default) == fx.presets()[fx.DEFAULT_PRESET]["chain"]
    assert fx.PARAMS["tail_s"].maximum == fx.LIMITS.max_tail_s == fx.MAX_TAIL_S


def test_run_reports_progress_from_zero_to_one():
    seen = []
    chain = [{"effect": "Gain"}, {"effect": "NeuralTCN", "params": {"channels": 2}}]
    fx.run(tone(440), chain=chain, progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("Pedalboard: Gain" in m for _, m in seen)
    assert any("Neural" in m for _, m in seen)


def test_every_effect_parameter_is_the_shared_param_type():
    from audiokit.params import Param

    for spec in fx.effects().values():
        for p in spec.params:
            assert isinstance(p, Param) and p.title == p.name, (spec.name, p.name)
            assert p.default is not None and p.check(p.default) == p.default


def test_importing_the_task_imports_neither_pedalboard_nor_torch():
    probe = (
        "import sys, audiokit.tasks.effects as fx\n"
        "heavy = {'pedalboard', 'torch', 'scipy', 'matplotlib'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
        "fx.warm_up()\n"
        "assert 'pedalboard' in sys.modules and 'torch' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_catalog_card_names_the_neural_effect():
    (card,) = fx.CATALOG.values()
    assert card.offline and "7,713" in card.markdown() and "Steinmetz" in card.markdown()


def test_an_oversized_chain_text_is_refused_before_parsing():
    huge = "[" + " " * fx.LIMITS.max_chain_chars + "]"
    with pytest.raises(AudioStudyError, match="characters long; the limit is"):
        fx.parse_chain(huge)
    assert fx.parse_chain("[" + " " * 100 + "]") == []


# --- The chain as a shareable setting: links and settings files carry it exactly ------------

TELEPHONE_REVERB = fx.chain_to_json(
    fx.parse_chain(
        [
            {"effect": "HighpassFilter", "params": {"cutoff_frequency_hz": 300}},
            {"effect": "LowpassFilter", "params": {"cutoff_frequency_hz": 3400}},
            {"effect": "Reverb", "params": {"room_size": 0.7}, "bypass": True},
        ]
    )
)


def _query(link: str) -> dict[str, str]:
    """What the browser hands back of a link: its query parameters, decoded."""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))


@pytest.mark.parametrize(
    "chain",
    [TELEPHONE_REVERB, json.dumps(json.loads(TELEPHONE_REVERB)), "[]"],
    ids=["pretty", "compact", "empty"],
)
def test_a_chain_survives_a_link_exactly(chain):
    from audiokit import share

    link = share.to_link("effects", fx.PARAMS, {"chain": chain, "tail_s": 1.5})
    query = _query(link)
    assert query["tab"] == "effects" and query["chain"] == chain
    values, notes = share.from_query(fx.PARAMS, query)
    assert values == {"chain": chain, "tail_s": 1.5} and notes == []
    # The text comes back as written (compact or pretty); what it means is the same chain.
    assert fx.parse_chain(values["chain"]) == fx.parse_chain(chain)
    if chain != "[]":
        assert len(fx.parse_chain(values["chain"])) == 3


def test_the_default_chain_is_not_carried_by_a_link():
    from audiokit import share

    link = share.to_link("effects", fx.PARAMS, {"chain": fx.PARAMS["chain"].default})
    assert _query(link) == {"tab": "effects"}


@pytest.mark.parametrize(
    ("chain", "sentence"),
    [
        ('[{"effect": ', "The chain is not valid JSON"),
        ('[{"effect": "Fuzz"}]', "Effect 1: unknown effect 'Fuzz'"),
        ('[{"effect": "Gain", "params": {"gain_db": 999}}]', "Effect 1 (Gain): 'gain_db'"),
        ('{"effect": "Gain"}', "The chain must be a JSON list"),
        ("[" + ", ".join(['{"effect": "Gain"}'] * (fx.MAX_EFFECTS + 1)) + "]", "the limit is"),
        ("x" * (fx.LIMITS.max_chain_chars + 1), "characters"),
    ],
    ids=["json", "effect", "range", "object", "too-many", "too-long"],
)
def test_a_malformed_chain_in_a_link_becomes_a_note_not_an_error(chain, sentence):
    from audiokit import share

    query = _query("/?" + urllib.parse.urlencode({"chain": chain}))
    values, notes = share.from_query(fx.PARAMS, query | {"tail_s": "0.5"})
    assert values == {"tail_s": 0.5}  # the rest of the link is still used
    assert len(notes) == 1 and sentence in notes[0] and "the default is kept" in notes[0]


def test_a_settings_file_carries_the_chain_as_text_or_as_a_list():
    from audiokit import share

    saved = share.to_json("effects", fx.PARAMS, {"chain": TELEPHONE_REVERB, "tail_s": 3.0})
    assert share.from_json(saved, "effects", fx.PARAMS) == (
        {"chain": TELEPHONE_REVERB, "tail_s": 3.0},
        [],
    )
    # A hand-written file may hold the chain as a JSON list: it becomes the editor's text.
    by_hand = json.dumps({"tab": "effects", "settings": {"chain": json.loads(TELEPHONE_REVERB)}})
    assert share.from_json(by_hand, "effects", fx.PARAMS) == ({"chain": TELEPHONE_REVERB}, [])
    bad = json.dumps({"tab": "effects", "settings": {"chain": [{"effect": "Fuzz"}]}})
    values, notes = share.from_json(bad, "effects", fx.PARAMS)
    assert values == {} and "unknown effect 'Fuzz'" in notes[0]


def test_the_chain_param_refuses_what_run_refuses_with_the_same_sentence():
    param = fx.PARAMS["chain"]
    assert param.check(TELEPHONE_REVERB) == TELEPHONE_REVERB and param.kind == "text"
    with pytest.raises(AudioStudyError, match="unknown effect 'Fuzz'") as from_param:
        param.check('[{"effect": "Fuzz"}]')
    with pytest.raises(AudioStudyError) as from_run:
        fx.run(tone(440), chain='[{"effect": "Fuzz"}]')
    assert str(from_param.value) == str(from_run.value)
    with pytest.raises(AudioStudyError, match="must be text"):
        param.check(3)


# --- What the timing badge says about a run: the engine and the chain's length ---------------


def _result(steps: list[dict]) -> fx.Result:
    clip = tone(440)
    return fx.Result(clip, clip, tuple(fx.parse_chain(steps)), 0.0)


@pytest.mark.parametrize(
    ("steps", "engine", "length"),
    [
        ([], "Pedalboard", "empty chain"),
        ([{"effect": "Gain"}], "Pedalboard", "1 effect"),
        ([{"effect": "Gain"}, {"effect": "NeuralTCN"}], "Pedalboard + neural effect", "2 effects"),
        ([{"effect": "NeuralTCN"}], "Neural effect", "1 effect"),
        (
            [{"effect": "Gain"}, {"effect": "NeuralTCN", "bypass": True}, {"effect": "Reverb"}],
            "Pedalboard",
            "3 effects (1 bypassed)",
        ),
    ],
)
def test_result_names_its_engine_and_chain_length(steps, engine, length):
    result = _result(steps)
    assert (result.engine, result.chain_length) == (engine, length)
