"""The Gradio adapters and plots, in a real (small) Gradio server."""

from __future__ import annotations

import gradio as gr
import numpy as np
import pytest
import soundfile as sf
from gradio_client import Client, handle_file

from audiokit import plots
from audiokit.audio import load_audio
from audiokit.errors import AudioStudyError
from audiokit.ui import audio_validator, user_errors
from tests.signals import tone


@user_errors
def _duration(path: str) -> float:
    return load_audio(path, max_duration_s=2.0).duration_s


@user_errors
def _count(n: float):
    for i in range(int(n)):
        yield str(i)
    raise AudioStudyError("Counting stopped at the limit.")


@user_errors
def _crash(path: str) -> float:
    raise ZeroDivisionError("boom")


@pytest.fixture(scope="module")
def mini_app():
    with gr.Blocks() as demo:
        audio = gr.Audio(type="filepath")
        seconds = gr.Number()
        number = gr.Number(value=2)
        text = gr.Textbox()
        gr.Button().click(
            _duration,
            audio,
            seconds,
            api_name="duration",
            validator=audio_validator(max_duration_s=2.0),
        )
        gr.Button().click(_duration, audio, seconds, api_name="duration_unvalidated")
        gr.Button().click(_count, number, text, api_name="count")
        gr.Button().click(_crash, audio, seconds, api_name="crash")
    demo.queue().launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True)
    yield Client(demo.local_url, verbose=False)
    demo.close()


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    short, long = folder / "short.wav", folder / "long.wav"
    sf.write(short, tone(440.0, sample_rate=16000, duration_s=1.0).mono(), 16000)
    sf.write(long, tone(440.0, sample_rate=16000, duration_s=3.0).mono(), 16000)
    junk = folder / "junk.wav"
    junk.write_text("not audio " * 100)
    return {"short": short, "long": long, "junk": junk}


def test_good_input_passes(mini_app, clips):
    assert mini_app.predict(handle_file(clips["short"]), api_name="/duration") == 1.0


def test_validator_refuses_over_long_audio_before_the_queue(mini_app, clips):
    with pytest.raises(Exception, match="at most 2.0 s"):
        mini_app.predict(handle_file(clips["long"]), api_name="/duration")


def test_handler_repeats_the_check_without_a_validator(mini_app, clips):
    with pytest.raises(Exception, match="at most 2.0 s"):
        mini_app.predict(handle_file(clips["long"]), api_name="/duration_unvalidated")
    with pytest.raises(Exception, match="Could not read 'junk.wav' as audio"):
        mini_app.predict(handle_file(clips["junk"]), api_name="/duration_unvalidated")


def test_generator_errors_reach_the_caller_as_our_sentence(mini_app):
    with pytest.raises(Exception, match="Counting stopped at the limit"):
        mini_app.predict(3, api_name="/count")


def test_unexpected_errors_become_a_sentence_and_the_server_stays_up(mini_app, clips):
    with pytest.raises(Exception, match=r"Something went wrong in crash\. The app") as error:
        mini_app.predict(handle_file(clips["short"]), api_name="/crash")
    assert "ZeroDivisionError" not in str(error.value)
    assert "division" not in str(error.value)
    assert mini_app.predict(handle_file(clips["short"]), api_name="/duration") == 1.0


@pytest.mark.parametrize("channels", [1, 2])
def test_plots_draw_the_signal(channels):
    clip = tone(1000.0, sample_rate=16000, duration_s=1.0, channels=channels)
    fig = plots.waveform(clip)
    assert fig.axes[0].get_xlim()[1] == pytest.approx(1.0)
    mel = plots.spectrogram(clip, marks=[(0.5, "ah")])
    assert any(t.get_text() == "ah" for t in mel.axes[0].texts)
    db, hop_s = plots.spectrogram_db(clip.mono(), 16000, kind="linear")
    assert db.max() == 0.0 and hop_s > 0
    assert np.argmax(db.mean(axis=1)) == round(1000 / (16000 / 1024))
    both = plots.compare_spectrograms([("before", clip), ("after", clip)])
    assert len(both.axes) == 3  # two spectrograms and a shared colour bar


def test_other_plots_render():
    labels = ["a", "b", "c"]
    plots.matrix(np.eye(3), labels=labels, title="similarity").canvas.draw()
    plots.scatter_map(
        np.random.default_rng(0).standard_normal((3, 2)),
        labels=labels,
        groups=["x", "x", "y"],
        title="map",
    ).canvas.draw()
    plots.curve([3.0, 2.0, 1.0], title="loss", xlabel="step", ylabel="L1", log_y=True)


def test_hub_label_marks_an_uncached_model_offline_and_leaves_it_alone_when_cached(
    tmp_path, monkeypatch
):
    from audiokit.models import HUB_NOT_DOWNLOADED, hub_available, hub_label

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    import huggingface_hub.constants as hc

    monkeypatch.setattr(hc, "HF_HUB_CACHE", str(tmp_path))
    repo = "someone/not-here"
    assert not hub_available(repo)
    assert hub_label("Big model", repo) == f"Big model {HUB_NOT_DOWNLOADED}"
    # A snapshot in the real cache layout counts as downloaded.
    snap = tmp_path / "models--someone--not-here" / "snapshots" / "abc123"
    snap.mkdir(parents=True)
    (snap / "config.json").write_text("{}")
    (tmp_path / "models--someone--not-here" / "refs").mkdir()
    (tmp_path / "models--someone--not-here" / "refs" / "main").write_text("abc123")
    assert hub_available(repo, required_files=["config.json"])
    assert hub_label("Big model", repo, required_files=["config.json"]) == "Big model"
    assert not hub_available(repo, required_files=["model.bin"])
