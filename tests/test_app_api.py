"""The launched app through gradio_client: the public API is exactly what we promise."""

from __future__ import annotations

import httpx
import pytest

from demos import DEMO_IDS

pytestmark = pytest.mark.app

# The public API, pinned: renaming or adding an endpoint is a deliberate change here.
MAIN_ENDPOINTS = {"/transcribe", "/synthesize", "/apply_effects", "/separate", "/verify"}
COMMUNITY_ENDPOINTS = {"/community_cards", "/community_status"}


def test_named_endpoints_are_pinned(client):
    names = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert names >= MAIN_ENDPOINTS | COMMUNITY_ENDPOINTS
    pages = {n for n in names if "_page_" in n}
    assert {f"/{d}_page_{n.strip('/')}" for d, n in [("community", "/community_cards")]} <= pages
    unprefixed = names - pages
    assert not any(n.endswith("_1") for n in names), "a duplicate api_name was renamed"
    assert len(pages) == len(unprefixed), "each tab endpoint has one page copy"


def test_community_cards_through_the_api(client):
    html = client.predict("pedalboard", "all", api_name="/community_cards")
    assert "1 entries" in html and "spotify-pedalboard-demo" in html
    html = client.predict("", "tts", api_name="/community_cards")
    assert "coqui-ai-tts" in html and "steerable-nafx" not in html


def test_community_bad_task_is_a_clear_sentence(client):
    with pytest.raises(Exception, match="karaoke is not in the list of choices"):
        client.predict("", "karaoke", api_name="/community_cards")


@pytest.mark.parametrize("path", ["", *DEMO_IDS])
def test_every_page_is_served(app_url, path):
    assert httpx.get(app_url + path, timeout=10).status_code == 200
