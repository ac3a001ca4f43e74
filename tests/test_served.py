"""The serving guards as pure functions: file refusal, value checks, cache sweep, memory."""

from __future__ import annotations

import math
import os

import gradio as gr
import pytest

from audiokit import limits, serving, ui
from tests.conftest import JFK


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "gradio-cache"
    folder.mkdir()
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(folder))
    return folder


def test_only_regular_files_in_the_cache_or_the_examples_pass(cache, tmp_path):
    upload = cache / "abc" / "a.wav"
    upload.parent.mkdir()
    upload.write_bytes(b"RIFF")
    assert serving.file_refusal(str(upload)) == ""
    assert serving.file_refusal(str(JFK)) == ""
    outside = tmp_path / "b.wav"
    outside.write_bytes(b"RIFF")
    fifo = cache / "abc" / "pipe.wav"
    os.mkfifo(fifo)
    link = cache / "abc" / "link.wav"
    link.symlink_to("/etc/passwd")
    for path in (
        str(outside),
        str(fifo),
        str(link),
        str(cache / "abc"),
        str(cache / "abc" / ".." / ".." / "b.wav"),
        "/dev/zero",
        "http://127.0.0.1/a.wav",
        "a\x00b",
        "",
        None,
        42,
    ):
        assert serving.file_refusal(path) == serving.FILE_REFUSED, path


def test_an_upload_over_the_size_limit_is_refused(cache, monkeypatch):
    big = cache / "big.wav"
    big.write_bytes(b"0" * 2000)
    monkeypatch.setattr(limits, "MAX_UPLOAD_BYTES", 1000)
    assert serving.file_refusal(str(big)) == serving.FILE_REFUSED


@pytest.mark.parametrize(
    ("component", "good", "bad", "sentence"),
    [
        (
            gr.Slider(1, 10, label="Beam"),
            [1, 5.5, 10],
            [0, 11, math.nan, math.inf, "3", True, None],
            "'Beam' must be a number from 1 to 10.",
        ),
        (
            gr.Number(label="N", minimum=0, maximum=5),
            [0, 5, None],
            [-1, 6, math.nan, "x", False],
            "'N' must be a finite number from 0 to 5.",
        ),
        (gr.Checkbox(label="On"), [True, False], ["yes", 1, None], "'On' must be true or false."),
        (
            gr.Radio(["a", "b"], label="Task"),
            ["a", "b", None],
            ["hack", 1, ["a"], {"a": 1}],
            "'Task' must be one of: a, b.",
        ),
        (
            gr.Dropdown([("A", "a"), ("B", "b")], label="M"),
            ["a", None],
            ["A", "c", True],
            "'M' must be one of: a, b.",
        ),
        (
            gr.Textbox(label="Text", max_length=5),
            ["", "hello", None],
            [5, ["x"], "a\x00", "toolong"],
            None,
        ),
    ],
)
def test_values_are_checked_against_the_component(component, good, bad, sentence):
    for value in good:
        assert serving.value_problem(component, value) == "", value
    for value in bad:
        problem = serving.value_problem(component, value)
        assert problem, value
        if sentence:
            assert problem == sentence


def test_nesting_and_input_counts_are_refused_with_sentences():
    nested: object = "x"
    for _ in range(50):
        nested = [nested]
    box = gr.Textbox()
    with pytest.raises(serving.InputRefused, match="nested too deeply") as error:
        serving.check_inputs([box], [nested])
    assert error.value.index == 0
    with pytest.raises(serving.Sentence, match="takes 1 input values"):
        serving.check_inputs([box], ["a", "b"])
    with pytest.raises(serving.InputRefused) as error:
        serving.check_inputs([box, box], ["ok", {"path": "/etc/passwd"}])
    assert error.value.index == 1 and str(error.value) == serving.FILE_REFUSED


def test_the_sweep_removes_old_files_and_empty_folders_only(cache):
    """Age is the newer of mtime and ctime (a cached copy handed out again is touched), and
    ctime cannot be set back, so "old" is tested with a negative age."""
    files_in = [cache / "h1" / "a.wav", cache / "h2" / "b.wav"]
    for path in files_in:
        path.parent.mkdir()
        path.write_bytes(b"x" * 100)
    ready = cache / "h3"  # a run's fresh download folder, empty until it writes
    ready.mkdir()
    assert serving.sweep_cache(600) == (0, 0)
    assert all(p.exists() for p in files_in) and ready.exists()
    assert serving.sweep_cache(-1) == (2, 200)
    assert not any(p.parent.exists() for p in files_in) and not ready.exists()
    assert cache.exists()


def test_downloads_are_written_into_the_cache(cache):
    folder = ui.download_dir()
    assert folder.is_dir() and cache in folder.parents
    assert ui.download_dir() != folder


def test_served_blocks_bound_sessions_and_the_cache():
    with serving.ServedBlocks() as blocks:
        gr.Textbox()
    assert blocks.state_session_capacity == limits.STATE_MAX_SESSIONS
    assert blocks.delete_cache == (limits.CACHE_CLEAN_EVERY_S, limits.CACHE_MAX_AGE_S)
    blocks.queue()
    assert blocks._queue.max_size == limits.QUEUE_MAX_SIZE


def test_a_new_session_renders_no_config_until_a_deep_link_reads_them():
    """Gradio renders every block's config for every new session; ours waits for the reader,
    which then gets what Gradio's own SessionState would have given, in the same order."""
    from gradio import state_holder

    with serving.ServedBlocks() as blocks:
        name = gr.Textbox(value="Ada", label="Name")
        count = gr.Slider(1, 10, value=3, label="Count")
        gr.Button("Go").click(lambda a, b: (a, b), [name, count], [name, count])
        gr.State(value=5)
    lazy_type = state_holder.SessionState
    assert getattr(lazy_type, "lazy_configs", False)
    eager_type = lazy_type.__mro__[1]

    lazy, eager = lazy_type(blocks), eager_type(blocks)
    assert lazy.config_values == {} and len(eager.config_values) >= 4
    for session in (lazy, eager):  # an event changes two components in this session
        session._update_value_in_config(count._id, 7)
        session[name._id] = gr.Textbox(value="Grace", label="Name")
    assert list(lazy.components) == list(eager.components)
    assert [c["props"].get("value") for c in lazy.components if c["id"] == count._id] == [7]


def test_limits_come_from_the_environment(monkeypatch):
    import importlib

    monkeypatch.setenv("AUDIOSTUDY_ASR_MAX_S", "600")
    monkeypatch.setenv("AUDIOSTUDY_SPEAKER_MAX_CLIPS", "not a number")
    try:
        fresh = importlib.reload(limits)
        assert fresh.ASR_MAX_S == 600.0
        assert fresh.SPEAKER_MAX_CLIPS == 12
    finally:
        monkeypatch.delenv("AUDIOSTUDY_ASR_MAX_S")
        monkeypatch.delenv("AUDIOSTUDY_SPEAKER_MAX_CLIPS")
        importlib.reload(limits)
