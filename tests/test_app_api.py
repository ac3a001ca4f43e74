"""The launched app through gradio_client: the public API is exactly what we promise."""

from __future__ import annotations

import httpx
import pytest
from gradio_client import Client

from demos import DEMO_IDS
from tests.conftest import JFK, LJ

pytestmark = pytest.mark.app

# The public API, pinned per demo: renaming or adding an endpoint is a deliberate change here.
# These are also the MCP tools of `/`.
ENDPOINTS = {
    "asr": {"/transcribe", "/transcribe_compare", "/translate_speech"},
    "tts": {"/synthesize", "/synthesize_compare", "/tts_roundtrip"},
    "effects": {"/apply_effects"},
    "separation": {"/separate", "/separate_compare"},
    "speaker": {"/verify", "/verify_compare", "/speaker_enroll", "/speaker_matrix", "/diarize"},
    "community": set(),
}
# UI helpers that API callers may still call, but that are neither documented nor MCP tools.
UNDOCUMENTED = {
    "/asr_stream",
    "/effects_preset",
    "/effects_add",
    "/community_cards",
    "/community_status",
}


def _names(client: Client) -> set[str]:
    return set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])


def test_named_endpoints_are_pinned(client):
    assert _names(client) == set().union(*ENDPOINTS.values())
    # Still callable (the Community test below calls one), only not listed.
    assert not _names(client) & UNDOCUMENTED


@pytest.mark.parametrize("demo_id", DEMO_IDS)
def test_each_demo_alone_is_an_app_with_its_own_api(app_url, demo_id):
    page = Client(f"{app_url}{demo_id}/", verbose=False)
    assert _names(page) == ENDPOINTS[demo_id]


def test_community_cards_through_the_api(client):
    html = client.predict("pedalboard", "all", api_name="/community_cards")
    assert "1 entries" in html and "spotify-pedalboard-demo" in html
    html = client.predict("", "tts", api_name="/community_cards")
    assert "coqui-ai-tts" in html and "steerable-nafx" not in html


def test_community_bad_task_is_a_clear_sentence(client):
    with pytest.raises(Exception, match="'Task' must be one of: all, asr, tts"):
        client.predict("", "karaoke", api_name="/community_cards")


def test_a_client_that_shares_one_tls_context_uploads_and_calls(app_url):
    """README, "Call it from Python": gradio_client passes ``ssl_verify`` to httpx, which
    takes a context; the upload, the join and the event stream all go through it."""
    import ssl

    from gradio_client import handle_file

    shared = Client(app_url, verbose=False, ssl_verify=ssl.create_default_context())
    out, _snippet = shared.predict(handle_file(str(JFK)), "[]", 0.0, api_name="/apply_effects")
    assert out and out.endswith(".wav")


@pytest.mark.parametrize("path", ["", *DEMO_IDS, *(f"{d}/config" for d in DEMO_IDS)])
def test_every_page_is_served(app_url, path):
    assert httpx.get(app_url + path, timeout=10, follow_redirects=True).status_code == 200


def _file(name):
    from gradio_client import handle_file

    return handle_file(str({"jfk.flac": JFK, "lj050-0131.wav": LJ}[name]))


@pytest.mark.parametrize(
    ("api_name", "args", "message"),
    [
        ("/transcribe", ("jfk.flac", "evil/model"), "Unknown model 'evil/model'"),
        ("/separate", ("jfk.flac", "karaoke"), "karaoke"),
        ("/verify", ("jfk.flac", "lj050-0131.wav", "xvector-9000"), "xvector-9000"),
    ],
)
def test_an_unknown_choice_is_named_in_a_sentence(client, api_name, args, message):
    # Events with a validator= would otherwise get Gradio's bare "400 Bad Request".
    files = [_file(a) if "." in a and "/" not in a else a for a in args]
    with pytest.raises(Exception, match=message) as info:
        client.predict(*files, api_name=api_name)
    assert "400 Bad Request" not in str(info.value)
