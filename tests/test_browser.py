"""The built example site in headless Chromium: the index and the seed incident's timeline render."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from statusgen import build
from tests.browser import chromium, serve

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
