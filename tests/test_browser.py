"""The app in headless Chromium: tabs, deep links, the slide page, Community filtering."""

from __future__ import annotations

import functools
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import gradio as gr
import pytest

from demos import DEMOS

pytestmark = [pytest.mark.app, pytest.mark.browser]


VISIBLE_CARDS = "[...document.querySelectorAll('.cc-card')].filter(e => e.offsetParent).length"


def _tabs(page):
    """The app's own tabs (the first tab list; demos have tabs of their own inside)."""
    return page.get_by_role("tablist").first.get_by_role("tab")


def _selected_tab(page) -> str:
    return _tabs(page).and_(page.get_by_role("tab", selected=True)).inner_text().strip()


def test_all_six_tabs_click_through(page, app_url, output_dir):
    page.goto(app_url)
    page.get_by_role("tab", name="Community").wait_for()
    titles = [t.inner_text().strip() for t in _tabs(page).all()]
    assert titles == [d.title for d in DEMOS]
    for demo in DEMOS:
        _tabs(page).get_by_text(demo.title, exact=True).click()
        assert _selected_tab(page) == demo.title
        page.wait_for_timeout(300)
        page.screenshot(path=output_dir / f"tab-{demo.id}.png", full_page=True)
    assert page.locator("text=is unavailable").count() == 0, "a demo failed to build"


def test_community_cards_filter(page, app_url, output_dir):
    page.goto(app_url + "?tab=community")
    cards = page.locator(".cc-card:visible")
    cards.first.wait_for()
    total = cards.count()
    assert total >= 16
    search = page.get_by_label("Search").locator("visible=true")
    search.fill("pedalboard")
    page.wait_for_function(f"{VISIBLE_CARDS} === 1")
    assert "Spotify Pedalboard demo" in cards.first.inner_text()
    page.screenshot(path=output_dir / "community-search.png", full_page=True)
    search.fill("")
    page.wait_for_function(f"{VISIBLE_CARDS} === {total}")
    link = page.locator('.cc-card[data-id="coqui-ai-tts"] a.cc-tab').locator("visible=true")
    assert link.get_attribute("href") == "/?tab=tts"
    page.evaluate("window.__not_reloaded = true")
    link.click()
    _tabs(page).and_(page.get_by_role("tab", name="Text to speech", selected=True)).wait_for()
    # Switched in place: the page was not loaded again (results in other tabs survive), and
    # the address bar names the open tab.
    assert page.evaluate("window.__not_reloaded === true")
    assert page.url.endswith("/?tab=tts")


def test_deep_link_selects_the_tab(page, app_url, output_dir):
    page.goto(app_url + "?tab=community")
    _tabs(page).and_(page.get_by_role("tab", name="Community", selected=True)).wait_for()
    page.locator(".cc-card").first.wait_for()
    page.screenshot(path=output_dir / "deeplink-community.png", full_page=True)
    page.goto(app_url + "?tab=nonsense")
    _tabs(page).and_(page.get_by_role("tab", name="Speech recognition", selected=True)).wait_for()
    note = page.locator("#tab-note")
    note.wait_for()
    assert "no tab called nonsense" in note.inner_text() and "community" in note.inner_text()
    page.goto(app_url + "?tab=tts")
    _tabs(page).and_(page.get_by_role("tab", name="Text to speech", selected=True)).wait_for()
    assert not page.locator("#tab-note").is_visible()


def test_address_bar_follows_the_open_tab(page, app_url):
    page.goto(app_url)
    _tabs(page).get_by_text("Effects", exact=True).click()
    page.wait_for_url("**/?tab=effects")
    page.reload()
    _tabs(page).and_(page.get_by_role("tab", name="Effects", selected=True)).wait_for()


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.mark.parametrize("demo", DEMOS, ids=[d.id for d in DEMOS])
def test_every_tab_fits_a_phone_and_a_desktop(browser, app_url, output_dir, demo):
    """No horizontal scrolling at 390 px (the tab bar folds into its menu, columns stack)."""
    for size, options in (
        ("phone", PHONE),
        ("desktop", {"viewport": {"width": 1400, "height": 1000}}),
    ):
        context = browser.new_context(**options)
        page = context.new_page()
        page.goto(app_url + f"?tab={demo.id}")
        page.get_by_role("tab", name=demo.title, selected=True).first.wait_for()
        page.wait_for_timeout(500)
        width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=output_dir / f"{size}-{demo.id}.png", full_page=True)
        context.close()
        assert width <= options["viewport"]["width"], f"{demo.id} is {width} px wide on a {size}"


def test_demo_page_is_the_demo_alone(page, app_url, output_dir):
    page.goto(app_url + "community")
    page.locator(".cc-card").first.wait_for()
    assert page.get_by_role("tab").count() == 0, "the slide page has no app tabs"
    assert page.locator("text=Audio Study Space").count() == 0, "no app header"
    assert not page.get_by_role("link", name="Home").is_visible(), "no navigation bar"
    page.screenshot(path=output_dir / "page-community.png", full_page=True)
    page.locator('.cc-card[data-id="ims-toucan"] a.cc-tab').click()
    _tabs(page).and_(page.get_by_role("tab", name="Text to speech", selected=True)).wait_for()


def _frontend_entry() -> str:
    """The web component's module (gradio.js only imports it; the app serves /assets)."""
    gradio_js = Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js"
    return re.search(r"assets/(index-[\w-]+\.js)", gradio_js.read_text()).group(1)


@pytest.fixture
def slide_url(app_url, tmp_path):
    """A 'slide' on another origin that embeds one demo with the <gradio-app> component."""
    (tmp_path / "slide.html").write_text(
        "<html><body><h1>Session 2: ASR deep dive</h1>"
        f'<script type="module" src="{app_url}assets/{_frontend_entry()}"></script>'
        f'<gradio-app src="{app_url}community"></gradio-app></body></html>'
    )
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slide.html"
    server.shutdown()


def test_web_component_embeds_one_demo(page, slide_url, output_dir):
    page.goto(slide_url)
    cards = page.locator("gradio-app .cc-card")
    cards.first.wait_for(timeout=30000)
    assert cards.count() >= 16
    page.locator("gradio-app textarea").fill("pedalboard")
    page.wait_for_function("document.querySelectorAll('gradio-app .cc-card').length === 1")
    assert page.get_by_role("tab").count() == 0
    page.screenshot(path=output_dir / "embed-web-component.png", full_page=True)
