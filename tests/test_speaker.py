"""Speaker verification core: real voices, invariances, calibration, tiny Hub models, bad input."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import numpy as np
import pytest

from audiokit.audio import Audio, from_array, load_audio
from audiokit.engines import speaker as engine
from audiokit.errors import AudioStudyError, ModelUnavailableError
from demos import speaker
from tests.conftest import JFK, LJ
from tests.signals import CHANNELS, PIPER_SENTENCES, RATES, white_noise

GE2E_THRESHOLD = engine.BACKENDS["ge2e"].threshold


def _cut(audio: Audio, start_s: float, stop_s: float, name: str) -> Audio:
    a, b = int(start_s * audio.sample_rate), int(stop_s * audio.sample_rate)
    return dataclasses.replace(audio, samples=audio.samples[:, a:b].copy(), name=name)


@pytest.fixture(scope="module")
def jfk() -> Audio:
    return load_audio(JFK)


@pytest.fixture(scope="module")
def lj() -> Audio:
    return load_audio(LJ)


@pytest.fixture(scope="module")
def jfk_halves(jfk: Audio) -> tuple[Audio, Audio]:
    return _cut(jfk, 0.0, 5.5, "jfk_a"), _cut(jfk, 5.5, 11.0, "jfk_b")


@pytest.fixture(scope="module")
def piper() -> list[Audio]:
    from audiokit.engines.tts import speak

    return [dataclasses.replace(speak(s), name=f"piper{i}") for i, s in enumerate(PIPER_SENTENCES)]


# ----------------------------------------------------------------------------- real voices
def test_two_halves_of_jfk_are_the_same_speaker(jfk_halves):
    result = speaker.verify(*jfk_halves)
    assert result.decision == "same speaker"
    assert result.score > GE2E_THRESHOLD + 0.05
    assert result.threshold == GE2E_THRESHOLD


def test_jfk_and_lj_are_different_speakers(jfk, lj):
    result = speaker.verify(jfk, lj)
    assert result.decision == "different speakers"
    assert result.score < GE2E_THRESHOLD - 0.05


@pytest.mark.parametrize("other", ["jfk", "lj"])
def test_the_piper_voice_differs_from_both_real_voices(piper, jfk, lj, other):
    real = jfk if other == "jfk" else lj
    for clip in piper[:2]:
        assert speaker.verify(clip, real).decision == "different speakers"


def test_piper_sentences_are_one_speaker(piper):
    assert speaker.verify(piper[0], piper[1]).decision == "same speaker"


def test_scores_are_symmetric(jfk_halves, lj):
    a, b = jfk_halves
    assert speaker.verify(a, lj).score == pytest.approx(speaker.verify(lj, a).score, abs=1e-6)
    assert speaker.verify(a, b).score == pytest.approx(speaker.verify(b, a).score, abs=1e-6)


@pytest.fixture(scope="module")
def reference(jfk_halves) -> tuple[float, np.ndarray]:
    """The score of the two jfk halves, and the second half's embedding."""
    a, b = jfk_halves
    b_print = speaker.voiceprint(b).embedding
    return engine.cosine(speaker.voiceprint(a).embedding, b_print), b_print


@pytest.mark.parametrize("gain_db", [-30.0, -12.0, 3.0])
def test_score_is_invariant_to_gain(jfk_halves, reference, gain_db):
    score, b_print = reference
    a = jfk_halves[0]
    louder = dataclasses.replace(a, samples=a.samples * np.float32(10 ** (gain_db / 20)))
    assert engine.cosine(speaker.voiceprint(louder).embedding, b_print) == pytest.approx(
        score, abs=0.01
    )


@pytest.mark.parametrize("channels", CHANNELS)
@pytest.mark.parametrize("rate", RATES)
def test_score_is_invariant_to_sample_rate_and_channels(jfk_halves, reference, rate, channels):
    score, b_print = reference
    mono = jfk_halves[0].resampled(rate).mono()
    converted = Audio(np.tile(mono, (channels, 1)), rate, "converted")
    assert engine.cosine(speaker.voiceprint(converted).embedding, b_print) == pytest.approx(
        score, abs=0.03
    )


def test_one_thread_limit_stays_inside_the_embedding(jfk_halves):
    from threadpoolctl import ThreadpoolController

    def openmp_threads() -> list[int]:
        return [
            p["num_threads"] for p in ThreadpoolController().info() if p["user_api"] == "openmp"
        ]

    engine.ge2e_encoder()  # loads torch and its OpenMP runtime
    before = openmp_threads()
    assert before
    speaker.voiceprint(jfk_halves[0])
    assert openmp_threads() == before


# -------------------------------------------------------------------------------- VAD
def test_vad_removes_inserted_silence_and_keeps_the_speech(jfk_halves):
    a = jfk_halves[0].resampled(16000)
    gap = np.zeros((1, 2 * 16000), dtype=np.float32)
    padded = dataclasses.replace(a, samples=np.concatenate([gap, a.mono()[None], gap], axis=1))
    plain, trimmed = engine.prepare(a), engine.prepare(padded)
    assert trimmed.duration_s == pytest.approx(a.duration_s + 4.0, abs=0.01)
    # The hangover keeps ~0.2 s of each added silence at most.
    assert trimmed.speech_s == pytest.approx(plain.speech_s, abs=0.5)
    assert speaker.verify(padded, jfk_halves[1]).score == pytest.approx(
        speaker.verify(a, jfk_halves[1]).score, abs=0.03
    )


def test_trimming_can_be_switched_off(jfk_halves):
    whole = engine.prepare(jfk_halves[0], trim_silence=False)
    assert whole.speech_s == pytest.approx(jfk_halves[0].duration_s, abs=0.01)


# ---------------------------------------------------------------------- enrolment and map
def test_enrolment_accepts_the_speaker_and_rejects_another(jfk, lj):
    clips = [_cut(jfk, 0, 3.7, "jfk1"), _cut(jfk, 3.7, 7.3, "jfk2")]
    accepted = speaker.enroll(clips, _cut(jfk, 7.3, 11.0, "jfk3"))
    assert accepted.result.decision == "same speaker"
    assert min(accepted.clip_scores) <= accepted.result.score
    assert 0.0 < accepted.consistency <= 1.0
    assert speaker.enroll(clips, lj).result.decision == "different speakers"


def test_similarity_map_clusters_the_example_speakers():
    names = speaker.ALL_EXAMPLES
    clips = [load_audio(speaker._example(n), name=n) for n in names]
    m = speaker.similarity_map(clips)
    assert m.scores.shape == (len(names), len(names))
    np.testing.assert_allclose(m.scores, m.scores.T, atol=1e-6)
    np.testing.assert_allclose(np.diag(m.scores), 1.0, atol=1e-5)
    assert m.groups == tuple(n.split("_")[0] for n in names)
    groups = np.array(m.groups)
    same = (groups[:, None] == groups[None, :]) & ~np.eye(len(names), dtype=bool)
    across = groups[:, None] != groups[None, :]
    assert m.scores[same].mean() > m.scores[across].mean() + 0.2
    nearest = np.where(np.eye(len(names), dtype=bool), -np.inf, m.scores).argmax(axis=1)
    assert all(groups[i] == groups[j] for i, j in enumerate(nearest))
    assert m.points.shape == (len(names), 2)
    assert 0.0 < m.explained.sum() <= 1.0


@pytest.mark.parametrize(
    ("name", "group"), [("anna_1", "anna"), ("bob-2", "bob"), ("carl3", "carl"), ("7", "7")]
)
def test_speaker_group_from_file_name(name, group):
    assert speaker.speaker_group(name) == group


# ------------------------------------------------------------------------- calibration
def test_equal_error_rate_on_known_scores():
    eer, threshold = engine.equal_error_rate([0.1, 0.2, 0.3, 0.7, 0.8, 0.9], [0, 0, 0, 1, 1, 1])
    assert eer == 0.0
    assert threshold == pytest.approx(0.5)
    eer, _ = engine.equal_error_rate([0.1, 0.6, 0.4, 0.9], [0, 0, 1, 1])
    assert eer == pytest.approx(0.5)


def test_ge2e_threshold_holds_on_the_trial_list(jfk, lj, piper):
    """EER on every voice we have: JFK, the LJ Speech reader, the Piper voice (3 speakers)."""
    items = engine.calibration_items({"jfk": [jfk], "lj": [lj], "piper": piper})
    trials = engine.score_trials(items)
    scores = np.array([t.score for t in trials])
    same = np.array([t.same for t in trials])
    eer, _ = engine.equal_error_rate(scores, same)
    print(f"\nGE2E: {len(trials)} trials ({same.sum()} same-speaker), EER {eer:.1%}")
    assert len(trials) > 500
    assert eer <= 0.05
    far = np.mean(scores[~same] >= GE2E_THRESHOLD)
    frr = np.mean(scores[same] < GE2E_THRESHOLD)
    assert far <= 0.05 and frr <= 0.05


# ------------------------------------------------------------- Hub architectures, tiny
TINY_ECAPA_YAML = """\
# Mirrors speechbrain/spkrec-ecapa-voxceleb's hyperparams.yaml with tiny channels.
n_mels: 80
pretrained_path: speechbrain/spkrec-ecapa-voxceleb
compute_features: !new:speechbrain.lobes.features.Fbank
    n_mels: !ref <n_mels>
mean_var_norm: !new:speechbrain.processing.features.InputNormalization
    norm_type: sentence
    std_norm: False
embedding_model: !new:speechbrain.lobes.models.ECAPA_TDNN.ECAPA_TDNN
    input_size: !ref <n_mels>
    channels: [8, 8, 8, 8, 24]
    kernel_sizes: [5, 3, 3, 3, 1]
    dilations: [1, 2, 3, 4, 1]
    attention_channels: 4
    lin_neurons: 16
mean_var_norm_emb: !new:speechbrain.processing.features.InputNormalization
    norm_type: global
    std_norm: False
modules:
    compute_features: !ref <compute_features>
    mean_var_norm: !ref <mean_var_norm>
    embedding_model: !ref <embedding_model>
    mean_var_norm_emb: !ref <mean_var_norm_emb>
pretrainer: !new:speechbrain.utils.parameter_transfer.Pretrainer
    loadables:
        embedding_model: !ref <embedding_model>
        mean_var_norm_emb: !ref <mean_var_norm_emb>
    paths:
        embedding_model: !ref <pretrained_path>/embedding_model.ckpt
        mean_var_norm_emb: !ref <pretrained_path>/mean_var_norm_emb.ckpt
"""


@pytest.fixture
def tiny_ecapa(tmp_path: Path) -> Path:
    import torch
    from speechbrain.lobes.models.ECAPA_TDNN import ECAPA_TDNN
    from speechbrain.processing.features import InputNormalization

    torch.manual_seed(0)
    model = ECAPA_TDNN(80, channels=[8, 8, 8, 8, 24], attention_channels=4, lin_neurons=16)
    torch.save(model.state_dict(), tmp_path / "embedding_model.ckpt")
    norm = InputNormalization(norm_type="global", std_norm=False)
    norm(torch.randn(4, 3, 16), torch.ones(4))
    norm._save(tmp_path / "mean_var_norm_emb.ckpt")
    (tmp_path / "hyperparams.yaml").write_text(textwrap.dedent(TINY_ECAPA_YAML))
    return tmp_path


def test_tiny_ecapa_loads_through_the_app_loader(tiny_ecapa, jfk_halves):
    import torch

    encoder = engine.load_ecapa(str(tiny_ecapa))
    saved = torch.load(tiny_ecapa / "embedding_model.ckpt")
    loaded = encoder.classifier.mods.embedding_model.state_dict()
    assert all(torch.equal(saved[k], loaded[k]) for k in saved)
    speech = engine.prepare(jfk_halves[0]).speech
    embedding = encoder.embed(speech)
    assert embedding.shape == (16,)
    assert np.linalg.norm(embedding) == pytest.approx(1.0, abs=1e-5)
    assert np.allclose(embedding, encoder.embed(speech), atol=1e-5)


def test_tiny_ecapa_from_the_hub_cache_verifies_end_to_end(
    tiny_ecapa, tmp_path, monkeypatch, jfk_halves
):
    """The app's whole path for a Hub model: allowlist, Hub cache (offline), SpeechBrain."""
    import huggingface_hub.constants

    cache = tmp_path / "hub"
    repo = cache / "models--speechbrain--spkrec-ecapa-voxceleb"
    commit = "0" * 40
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    for f in ("hyperparams.yaml", "embedding_model.ckpt", "mean_var_norm_emb.ckpt"):
        (snapshot / f).write_bytes((tiny_ecapa / f).read_bytes())
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = speaker.verify(*jfk_halves, model="ecapa")
    assert result.a.embedding.shape == (16,)
    assert result.threshold == 0.25
    assert -1.0 <= result.score <= 1.0
    assert result.a.windows is None


def test_tiny_wavlm_loads_through_the_app_loader(tmp_path, jfk_halves):
    from transformers import Wav2Vec2FeatureExtractor, WavLMConfig, WavLMForXVector

    config = WavLMConfig(
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        conv_dim=(8, 8),
        conv_stride=(5, 4),
        conv_kernel=(10, 8),
        num_conv_pos_embeddings=8,
        num_conv_pos_embedding_groups=2,
        tdnn_dim=(8, 8, 24),
        tdnn_kernel=(3, 3, 1),
        tdnn_dilation=(1, 2, 1),
        xvector_output_dim=12,
        num_buckets=16,
        max_bucket_distance=32,
    )
    WavLMForXVector(config).save_pretrained(tmp_path)
    Wav2Vec2FeatureExtractor(
        feature_size=1, sampling_rate=16000, padding_value=0.0, return_attention_mask=True
    ).save_pretrained(tmp_path)
    encoder = engine.load_wavlm(str(tmp_path))
    embedding = encoder.embed(engine.prepare(jfk_halves[0]).speech)
    assert embedding.shape == (12,)
    assert np.linalg.norm(embedding) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("model", ["ecapa", "wavlm"])
def test_hub_models_offline_name_the_embedded_model(monkeypatch, jfk_halves, model):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelUnavailableError, match="GE2E voice encoder"):
        speaker.verify(*jfk_halves, model=model)


def test_each_backend_owns_its_threshold():
    assert {b.id: b.threshold for b in engine.BACKENDS.values()} == {
        "ge2e": GE2E_THRESHOLD,
        "ecapa": 0.25,
        "wavlm": 0.86,
    }


# --------------------------------------------------------------------------- bad input
def _noise_s(seconds: float) -> Audio:
    return from_array(white_noise(duration_s=seconds), 16000, name="noise")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: from_array(np.zeros(0, dtype=np.float32), 16000), "empty"),
        (lambda: Audio(np.full((1, 16000), np.nan, np.float32), 16000), "NaN"),
        (lambda: Audio(np.zeros((1, 3 * 16000), np.float32), 16000, "quiet"), "silent"),
        (lambda: Audio(np.full((1, 48000), 1e-5, np.float32), 16000, "hum"), "silent"),
        (lambda: _noise_s(61.0), "at most 1:00"),
    ],
)
def test_bad_audio_is_refused_with_a_sentence(jfk_halves, make, message):
    with pytest.raises(AudioStudyError, match=message):
        speaker.verify(make(), jfk_halves[1])


def test_too_little_speech_is_refused(jfk):
    short = _cut(jfk, 0.3, 0.9, "short")
    with pytest.raises(AudioStudyError, match=r"only 0\.\d+ s of speech .* at least 1 s"):
        speaker.verify(short, jfk)


def test_unreadable_file_is_refused(tmp_path):
    bad = tmp_path / "notes.wav"
    bad.write_text("this is not audio")
    with pytest.raises(AudioStudyError, match="Could not read 'notes.wav'"):
        speaker.verify_clips.__wrapped__(str(bad), speaker._example("jfk_1"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "xvector-from-the-internet"}, "Unknown model"),
        ({"threshold": 1.5}, r"threshold is a cosine similarity in \[-1, 1\]"),
        ({"min_speech_s": 0.0}, "minimum speech"),
    ],
)
def test_bad_options_are_refused(jfk_halves, kwargs, message):
    with pytest.raises(AudioStudyError, match=message):
        speaker.verify(*jfk_halves, **kwargs)


def test_enrolment_and_map_limits(jfk_halves):
    a, b = jfk_halves
    with pytest.raises(AudioStudyError, match="at least one enrolment clip"):
        speaker.enroll([], a)
    with pytest.raises(AudioStudyError, match="at most 12 enrolment clips"):
        speaker.enroll([a] * 13, b)
    with pytest.raises(AudioStudyError, match="between 3 and 12 clips"):
        speaker.similarity_map([a, b])


def test_examples_exist_and_are_small():
    files = sorted(speaker.EXAMPLES.glob("*.wav"))
    assert {f.stem for f in files} >= set(speaker.ALL_EXAMPLES)
    assert all(f.stat().st_size <= 1_000_000 for f in files)
    sources = (speaker.EXAMPLES / "SOURCES.md").read_text()
    assert all(f.name.split("_")[0] in sources for f in files)
