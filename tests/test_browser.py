"""The built example site in headless Chromium: the index and the seed incident's timeline render."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from statusgen import build
from statusgen.serve import Preview
from tests.browser import chromium, serve
from tests.conftest import SITE_YAML, incident_text

ROOT = Path(__file__).parent.parent
NOW = datetime.fromisoformat("2012-06-21T10:30:00-07:00")  # in the middle of the seed outage
SEED = "2012-06-21-panne-mondiale"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    with chromium() as instance:
        yield instance


def test_example_site_renders_in_chromium(browser, tmp_path: Path) -> None:
    """The index shows the outage banner and components; the incident page shows its timeline."""
    output = tmp_path / "public"
    build(ROOT / "content", output, NOW)
    with serve(output, "/status/") as url:
        page = browser.new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)
        response = page.goto(url)
        assert response is not None and response.ok
        banner = page.locator(".banner h1")
        assert banner.inner_text().strip() != ""
        assert "s-critical" in (page.locator(".banner").get_attribute("class") or "")
        assert page.locator(".components > li").count() >= 3
        assert page.locator(f'a[href="./incidents/{SEED}/"]').count() >= 1
        # Nothing overflows the phone's width.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(tmp_path / "index.png"), full_page=True)

        page.click(f'.card a[href="./incidents/{SEED}/"]')
        page.wait_for_url(f"**/incidents/{SEED}/")
        assert page.locator("h1").inner_text().startswith("Panne mondiale")
        updates = page.locator(".timeline > li")
        assert updates.count() >= 4
        first_time = updates.last.locator("time").get_attribute("datetime")
        assert first_time is not None and first_time.startswith("2012-06-21T09:")
        stylesheet = page.evaluate("getComputedStyle(document.querySelector('.timeline')).listStyleType")
        assert stylesheet == "none"  # the stylesheet loaded through the relative link
        page.screenshot(path=str(tmp_path / "incident.png"), full_page=True)
    assert (tmp_path / "index.png").stat().st_size > 10_000
    assert (tmp_path / "incident.png").stat().st_size > 10_000


def test_the_language_switch_works_without_javascript(browser, tmp_path: Path) -> None:
    """From the French incident page, the switch's link opens the same incident in English, which
    links back; untranslated text is marked and in its own language."""
    output = tmp_path / "public"
    build(ROOT / "content", output, datetime.fromisoformat("2012-06-22T12:00:00-07:00"))
    with serve(output, "/status/") as url:
        page = browser.new_page(java_script_enabled=False)
        page.goto(f"{url}incidents/{SEED}/")
        assert page.locator("html").get_attribute("lang") == "fr"
        page.click('nav.languages a[hreflang="en"]')
        page.wait_for_url(f"**/status/en/incidents/{SEED}/")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("h1").inner_text().startswith("Worldwide outage")
        page.goto(f"{url}en/incidents/2012-06-18-notifications-retardees/")
        marked = page.locator(".untranslated").first
        assert marked.is_visible() and "French" in marked.inner_text()
        page.click('nav.languages a[hreflang="fr"]')
        page.wait_for_url("**/status/incidents/2012-06-18-notifications-retardees/")


def test_a_right_to_left_site_is_laid_out_right_to_left(browser, make_content, tmp_path: Path) -> None:
    """An Arabic site: the browser lays the page out right to left, and the timeline's rule and
    the cards' colour bars are on the right, where the text starts."""
    updates = "\n  - at: 2012-06-21T09:05:00-07:00\n    status: investigating\n    body: نحقق في المشكلة."
    content = make_content(
        {"incidents/x.md": incident_text(title="عطل", updates=updates)}, SITE_YAML + "language: ar\n"
    )
    output = tmp_path / "public"
    build(content, output, NOW)
    with serve(output) as url:
        page = browser.new_page(java_script_enabled=False)
        page.goto(url + "incidents/x/")
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        timeline = "getComputedStyle(document.querySelector('.timeline'))"
        assert page.evaluate(f"{timeline}.borderRightWidth") == "2px"
        assert page.evaluate(f"{timeline}.borderLeftWidth") == "0px"


def test_serve_reloads_an_open_page_when_the_content_changes(browser, make_content) -> None:
    """`statusgen serve`'s preview: a page open in the browser reloads itself after an edit."""
    content = make_content({"incidents/x.md": incident_text(title="Website down")})
    with Preview(content, 0, NOW, log=lambda line: None) as preview:
        page = browser.new_page()  # (the preview's reloading needs its small script)
        page.goto(preview.url + "incidents/x/")
        assert page.locator("h1").inner_text() == "Website down"
        (content / "incidents" / "x.md").write_text(incident_text(title="Website back"), encoding="utf-8")
        page.wait_for_function("document.querySelector('h1').innerText === 'Website back'", timeout=30_000)
