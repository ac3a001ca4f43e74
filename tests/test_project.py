"""The project's shape: registry, Space config, examples, error panels."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import gradio as gr
import pytest
import yaml

import app
from demos import DEMO_IDS, DEMOS, Demo

ROOT = Path(__file__).resolve().parents[1]


def test_registry_order_and_titles():
    assert DEMO_IDS == ("asr", "tts", "effects", "separation", "speaker", "community")
    assert [d.title for d in DEMOS] == [
        "Speech recognition",
        "Text to speech",
        "Effects",
        "Separation",
        "Speaker verification",
        "Community",
    ]


@pytest.mark.parametrize("demo", DEMOS, ids=DEMO_IDS)
def test_each_demo_builds_a_fresh_blocks(demo):
    first, second = demo.build(), demo.build()
    assert isinstance(first, gr.Blocks) and first is not second


def test_a_broken_demo_becomes_an_error_panel_and_the_rest_builds():
    def broken(**kwargs):
        raise RuntimeError("weights missing")

    panel = app._build(Demo("x", "Broken demo", broken))
    text = " ".join(str(getattr(b, "value", "")) for b in panel.blocks.values())
    assert "Broken demo is unavailable" in text and "server log" in text
    assert "weights missing" not in text and "RuntimeError" not in text  # no internals


def test_app_builds_without_loading_models():
    # A fresh interpreter: other tests in this process load models on purpose.
    probe = (
        "import sys, app\n"
        "server = app.create_server()\n"
        "mounted = {getattr(r, 'path', None) for r in server.routes}\n"
        "assert {'/' + d for d in app.DEMO_IDS} <= mounted, mounted\n"
        "heavy = {'faster_whisper', 'piper', 'resemblyzer', 'speechbrain', 'transformers'}\n"
        "loaded = heavy & set(sys.modules)\n"
        "assert not loaded, f'imported at build time: {loaded}'\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def _front_matter() -> dict:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    assert match, "README.md must start with Space front matter"
    return yaml.safe_load(match.group(1))


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"requirements.txt must pin exact versions: {line!r}"
            pins[name.split("[")[0].lower()] = version  # gradio[mcp] pins gradio
    return pins


def test_space_front_matter_matches_requirements():
    meta = _front_matter()
    assert meta["sdk"] == "gradio"
    assert meta["sdk_version"] == _pins()["gradio"]
    assert meta["app_file"] == "app.py" and (ROOT / meta["app_file"]).is_file()
    assert str(meta["python_version"]) == "3.11"
    assert meta["title"] and meta["emoji"]


def test_examples_are_small_and_sourced():
    files = [p for p in (ROOT / "examples").rglob("*") if p.is_file()]
    for path in files:
        assert path.stat().st_size <= 1_000_000, f"{path} is over 1 MB"
    for folder in (p for p in (ROOT / "examples").iterdir() if p.is_dir()):
        assert (folder / "SOURCES.md").is_file(), f"{folder} needs a SOURCES.md"


# Where a clone looks for files: only inside itself. A person who clones the project (or a
# Space) has no `shared` folder beside it, so a reference to one breaks their tests.
_OUTSIDE_SHARED = re.compile(
    r"""\.\./+shared|parents?\b[^\n]*\bshared\b|["']shared["']\s*/|/\s*["']shared["']"""
)
_GUARDED = ("tests/", "benchmarks/", "demos/", "audiokit/", "examples/")
_GUARDED_FILES = {"app.py", "Makefile"}


def _guarded_files() -> list[str]:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [
        f
        for f in tracked
        if (f.startswith((*_GUARDED, ".ci/")) or f in _GUARDED_FILES)
        and not f.endswith((".flac", ".wav", ".mp3", ".png", ".onnx"))
        and f != "tests/test_project.py"
    ]


def test_no_file_refers_to_a_shared_folder_outside_the_repository():
    offenders = [
        f"{f}:{n}"
        for f in _guarded_files()
        for n, line in enumerate((ROOT / f).read_text(errors="replace").splitlines(), 1)
        if _OUTSIDE_SHARED.search(line)
    ]
    assert not offenders, (
        f"these lines point at a shared folder outside the repository: {offenders}"
    )


# The offending lines are assembled here, so this file itself holds none of them (a checker
# that greps for them would otherwise flag the test that guards against them).
_SHARED = "sha" + "red"


@pytest.mark.parametrize(
    "line",
    [
        f'TESTDATA = ROOT.parent / "{_SHARED}" / "testdata"',
        f"see ../{_SHARED}/testdata/README.md",
        f'TESTDATA = HERE.parents[2] / "{_SHARED}" / "testdata"',
    ],
)
def test_the_shared_folder_check_catches_each_way_of_writing_it(line):
    assert _OUTSIDE_SHARED.search(line)


def test_the_shared_folder_check_leaves_ordinary_words_alone():
    for line in ["shared = torch.get_num_threads()", '"""Figures shared by the tabs."""']:
        assert not _OUTSIDE_SHARED.search(line)


# ------------------------------------------------------------------- one shape for every task
TASK_IDS = ("asr", "tts", "effects", "separation", "speaker", "diarization")


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_every_task_has_the_same_public_face(task_id):
    import dataclasses
    import importlib

    from audiokit.models import ModelCard
    from audiokit.params import Param

    task = importlib.import_module(f"audiokit.tasks.{task_id}")
    assert task.PARAMS and all(isinstance(p, Param) for p in task.PARAMS.values())
    assert all(name == p.name for name, p in task.PARAMS.items())
    assert task.CATALOG and all(isinstance(c, ModelCard) for c in task.CATALOG.values())
    assert any(c.offline for c in task.CATALOG.values()), "an embedded model works offline"
    assert task.LIMITS is not None
    assert callable(task.run) and callable(task.warm_up)
    assert dataclasses.is_dataclass(task.Result)


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_every_default_passes_its_own_check(task_id):
    import importlib

    task = importlib.import_module(f"audiokit.tasks.{task_id}")
    for p in task.PARAMS.values():
        assert p.check(p.default) == p.default, p.name


def _python_files(*folders: str) -> list[Path]:
    return [p for f in folders for p in sorted((ROOT / f).rglob("*.py"))]


def test_modules_are_short_or_say_their_one_job():
    long = []
    for path in _python_files("audiokit", "demos"):
        lines = path.read_text().count("\n")
        if lines > 440 and "one job" not in path.read_text()[:2500].lower():
            long.append(f"{path.relative_to(ROOT)} ({lines} lines)")
    assert not long, "over ~400 lines without saying its one job: " + ", ".join(long)


# The Gradio side of audiokit: demo widgets and events, what the server lets in, study panels.
GRADIO_ADAPTERS = {"audiokit/ui.py", "audiokit/serving.py", "audiokit/study.py"}


def test_the_core_never_imports_gradio_or_the_demos():
    offenders = []
    for path in _python_files("audiokit"):
        if path.relative_to(ROOT).as_posix() in GRADIO_ADAPTERS:
            continue
        text = path.read_text()
        pattern = r"^\s*(import gradio(\s|,|$)|from gradio(\.\w+)* import|from demos|import demos)"
        if re.search(pattern, text, re.M):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders


CORE_TESTS = ("test_asr.py", "test_tts.py", "test_effects.py", "test_nafx.py")
CORE_TESTS += ("test_separation.py", "test_speaker.py", "test_params.py", "test_properties.py")
DEMO_IMPORT = re.compile(r"^\s*(from demos|import demos)", re.M)


@pytest.mark.parametrize("name", CORE_TESTS)
def test_core_tests_import_only_audiokit(name):
    assert not DEMO_IMPORT.search((ROOT / "tests" / name).read_text()), name


@pytest.mark.parametrize("path", sorted((ROOT / "benchmarks").glob("bench_*.py")), ids=str)
def test_benchmarks_reach_the_demos_only_through_the_api(path):
    # A benchmark may build a tab only to serve it and call it as API callers do.
    text = path.read_text()
    assert not DEMO_IMPORT.search(text) or "Client(" in text, path.name


def test_no_demo_takes_an_api_prefix_any_more():
    for path in _python_files("demos"):
        assert "api_prefix" not in path.read_text(), path.name
