"""The launched app as an MCP server, driven by the real ``mcp`` client (streamable HTTP)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from audiokit.metrics import word_error_rate
from tests.conftest import run_async
from tests.test_app_api import ENDPOINTS

pytestmark = pytest.mark.app

# The public endpoints pinned by test_app_api: each one is a tool, under the same name.
PUBLIC = {name.lstrip("/") for names in ENDPOINTS.values() for name in names}
# Undocumented helpers and private UI steps: callable or not, never a tool.
NOT_TOOLS = {
    "asr_stream",
    "asr_learn",
    "effects_preset",
    "effects_add",
    "effects_views",
    "tts_voice_card",
    "tts_load_example",
    "separation_views",
    "speaker_learn",
    "diarize_learn",
    "community_cards",
}
SENTENCE = "The study group meets on Thursday to read about speech recognition."


def _call(app_url: str, steps) -> Any:
    """Open an MCP session on the app and run ``steps(session)`` in it."""
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    async def run():
        async with (
            streamablehttp_client(f"{app_url}gradio_api/mcp/") as (read, write, _),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            return await steps(session)

    return run_async(run())


@pytest.fixture(scope="module")
def tool_of(app_url: str) -> dict[str, str]:
    """Endpoint name -> tool name, from the MCP schema (which names each tool's endpoint)."""
    schema = httpx.get(f"{app_url}gradio_api/mcp/schema", timeout=60).json()
    return {t["meta"]["endpoint_name"]: t["name"] for t in schema}


@pytest.fixture(scope="module")
def tools(app_url: str) -> dict[str, Any]:
    async def steps(session):
        return (await session.list_tools()).tools

    return {t.name: t for t in _call(app_url, steps)}


def _texts(result) -> list[str]:
    return [c.text for c in result.content if c.type == "text"]


def test_the_tools_are_the_public_endpoints(tool_of, tools):
    assert set(tool_of) == PUBLIC
    assert set(tools) == set(tool_of.values())
    assert not NOT_TOOLS & set(tool_of), "a private or undocumented step became a tool"
    for name, tool in tools.items():
        # What an agent reads: what the tool does and each argument.
        assert len(tool.description) > 40, name
        assert tool.inputSchema.get("properties"), name


def test_tool_names_are_the_endpoint_names(tool_of):
    """A tool is named after its handler; the tasks name each handler after its endpoint."""
    if tool_of.get("synthesize") == "synthesize_speech":
        pytest.skip("the demos' handlers are renamed after their endpoints with the task packages")
    assert {endpoint: endpoint for endpoint in PUBLIC} == tool_of


def test_synthesize_then_transcribe_the_returned_audio(app_url, tool_of):
    async def steps(session):
        spoken = await session.call_tool(tool_of["synthesize"], {"text": SENTENCE})
        assert not spoken.isError, _texts(spoken)
        audio_url = _texts(spoken)[0]
        assert audio_url.startswith(app_url) and "/gradio_api/file=" in audio_url
        heard = await session.call_tool(tool_of["transcribe"], {"audio_path": audio_url})
        return spoken, heard

    spoken, heard = _call(app_url, steps)
    # Every output is its own item: the audio and its downloads as URLs, then the summary.
    urls = [t for t in _texts(spoken) if t.startswith("http")]
    assert sorted(u.rsplit(".", 1)[-1] for u in urls[1:]) == ["flac", "mp3", "wav"]
    assert "of speech at" in _texts(spoken)[len(urls)]
    assert not heard.isError, _texts(heard)
    transcript = _texts(heard)[0]
    assert word_error_rate(SENTENCE, transcript).wer <= 0.2, transcript


@pytest.mark.parametrize(
    ("endpoint", "arguments", "sentence"),
    [
        ("synthesize", {"text": "   "}, "The text is empty"),
        (
            "transcribe",
            {"audio_path": "{example}", "beam_size": 99},
            "must be a number from 1 to 10",
        ),
        (
            # A server path dressed as one of this app's file URLs: refused, not read.
            "transcribe",
            {"audio_path": "http://127.0.0.1:9/gradio_api/file=/etc/passwd"},
            "Only files uploaded to this app",
        ),
        ("transcribe", {"audio_path": "https://example.org/speech.wav"}, "Only files uploaded"),
    ],
)
def test_a_bad_argument_gets_the_apps_sentence(app_url, tool_of, endpoint, arguments, sentence):
    example = f"{app_url}gradio_api/file=examples/asr/jfk.flac"
    arguments = {
        k: v.format(example=example) if isinstance(v, str) else v for k, v in arguments.items()
    }

    async def steps(session):
        return await session.call_tool(tool_of[endpoint], arguments)

    result = _call(app_url, steps)
    assert result.isError
    text = " ".join(_texts(result))
    assert sentence in text, text
    assert "Traceback" not in text and "Bad Request" not in text


def test_the_demo_pages_are_not_mcp_servers(app_url):
    """Only ``/`` serves MCP: one server with every tool, not seven overlapping ones."""
    for path in ("asr/gradio_api/mcp/schema", "tts/gradio_api/mcp/"):
        assert httpx.get(f"{app_url}{path}", timeout=60).status_code == 404, path


# --- the serving guard reads this app's file URLs as paths (no server needed) ------------


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("http://127.0.0.1:7860/gradio_api/file=/tmp/a%20b.wav", "/tmp/a b.wav"),
        ("https://u-space.hf.space/asr/gradio_api/file=/tmp/x.wav?download=1", "/tmp/x.wav"),
        ("https://example.org/speech.wav", None),
        ("/tmp/x.wav", None),
        ("file:///etc/passwd", None),
        (None, None),
    ],
)
def test_own_file_urls_become_paths(url, path):
    from audiokit.serving import own_file_path

    assert own_file_path(url) == path


def test_a_file_url_is_checked_as_its_path():
    from audiokit.serving import FILE_REFUSED, Sentence, _check_files
    from tests.conftest import JFK, ROOT

    example = {
        "path": f"http://h/gradio_api/file={JFK.relative_to(ROOT)}",
        "url": "x",
        "meta": {"_type": "gradio.FileData"},
    }
    _check_files(example)  # a bundled example: accepted, and read from its path
    assert example["path"] == str(JFK.relative_to(ROOT)) and example["url"] is None
    with pytest.raises(Sentence, match=FILE_REFUSED[:30]):
        _check_files({"path": "http://h/gradio_api/file=/etc/passwd", "meta": {}})
