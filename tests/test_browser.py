"""The built example site in headless Chromium: the index and the seed incident's timeline render."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from statusgen import build
from statusgen.serve import Preview
from tests.browser import chromium, new_page, serve, words_broken_inside
from tests.conftest import SITE_YAML, incident_text, write_tree

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
        page = new_page(browser, viewport={"width": 390, "height": 844}, java_script_enabled=False)
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
        page = new_page(browser, java_script_enabled=False)
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
        page = new_page(browser, java_script_enabled=False)
        page.goto(url + "incidents/x/")
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        timeline = "getComputedStyle(document.querySelector('.timeline'))"
        assert page.evaluate(f"{timeline}.borderRightWidth") == "2px"
        assert page.evaluate(f"{timeline}.borderLeftWidth") == "0px"


def test_serve_reloads_an_open_page_when_the_content_changes(browser, make_content) -> None:
    """`statusgen serve`'s preview: a page open in the browser reloads itself after an edit."""
    content = make_content({"incidents/x.md": incident_text(title="Website down")})
    with Preview(content, 0, NOW, log=lambda line: None) as preview:
        page = new_page(browser)  # (the preview's reloading needs its small script)
        page.goto(preview.url + "incidents/x/")
        assert page.locator("h1").inner_text() == "Website down"
        part = content / "incidents" / ".x.md.part"  # (replaced at once: never built half written)
        part.write_text(incident_text(title="Website back"), encoding="utf-8")
        part.replace(content / "incidents" / "x.md")
        # The page reloads at each build; one of them (on a slow machine, not the first) is the edit.
        page.wait_for_function("document.querySelector('h1').innerText === 'Website back'")


LANGUAGES = ("en", "fr", "de", "es", "ja", "ar")  # every language statusgen ships


EVERY_LANGUAGE_SITE = f"""\
title: {{en: Example status, fr: État d'Exemple, de: Status von Beispiel, es: Estado de Ejemplo,
        ja: サンプルの稼働状況, ar: حالة المثال}}
base_url: https://status.example.com/
languages: [{", ".join(LANGUAGES)}]
timezone: Europe/Berlin
components:
  - id: web
    name: {{en: Website, fr: Site web, de: Webseite, es: Sitio web, ja: ウェブサイト, ar: الموقع}}
    group: {{en: Platform, fr: Plateforme, de: Plattform, es: Plataforma, ja: プラットフォーム, ar: المنصة}}
  - id: api
    name: API
    group: {{en: Platform, fr: Plateforme, de: Plattform, es: Plataforma, ja: プラットフォーム, ar: المنصة}}
  - id: push
    name: {{en: Notifications, fr: Notifications, de: Benachrichtigungen, es: Notificaciones, ja: 通知,
           ar: الإشعارات}}
  - id: search
    name: {{en: Search, fr: Recherche, de: Suche, es: Búsqueda, ja: 検索, ar: البحث}}
  - id: mail
    name: {{en: E-mail, fr: Courriel, de: E-Mail, es: Correo, ja: メール, ar: البريد}}
"""
UPDATES = """
  - at: 2024-03-02T09:05:00+01:00
    status: investigating
    body: We are looking into errors on the website.
  - at: 2024-03-02T09:40:00+01:00
    status: identified
    body: A configuration change caused them; we are reverting it.
  - at: 2024-03-02T10:10:00+01:00
    status: monitoring
    body: The change is reverted; we are watching."""
EVERY_STATUS = {  # every status of components, incidents and maintenance, at EVERY_STATUS_NOW
    "incidents/outage.md": incident_text(
        title="Checkout errors on the website",
        started="2024-03-02T09:00:00+01:00",
        components="{web: major_outage, api: partial_outage, push: degraded_performance}",
        updates=UPDATES,
    ),
    "incidents/slow-search.md": incident_text(
        title="Slow search results",
        started="2024-02-28T14:00:00+01:00",
        resolved="2024-02-28T16:30:00+01:00",
        impact="minor",
        components="[search]",
        body="The search index was rebuilt.",
    ),
    "maintenance/database.md": "---\ntitle: Database upgrade\nstart: 2024-03-02T11:00:00+01:00\n"
    "end: 2024-03-02T13:00:00+01:00\ncomponents: [mail]\n---\nThe database gets a new version.\n",
    "maintenance/network.md": "---\ntitle: Network maintenance\nstart: 2024-03-09T22:00:00+01:00\n"
    "end: 2024-03-10T02:00:00+01:00\ncomponents: [api, web]\n---\nThe API may pause briefly.\n",
}
EVERY_STATUS_NOW = datetime.fromisoformat("2024-03-02T12:00:00+01:00")
PAGES = (
    "",
    "history/",
    "incidents/outage/",
    "incidents/slow-search/",
    "maintenance/database/",
    "maintenance/network/",
    "components/web/",
    "components/push/",
    "404.html",
)


@pytest.mark.parametrize("width", [320, 390])
def test_no_word_breaks_inside_on_a_phone_in_any_language(browser, tmp_path: Path, width: int) -> None:
    """On a phone, no word (interface or content) breaks across lines unless wider than the block
    it flows in: header, navigation, language switch, labels, status words, dates, footer, in
    every shipped language (Japanese words found by Intl.Segmenter) and on the example site."""
    content = write_tree(tmp_path / "content", {"site.yaml": EVERY_LANGUAGE_SITE, **EVERY_STATUS})
    build(content, tmp_path / "public", EVERY_STATUS_NOW)
    build(ROOT / "content", tmp_path / "example", NOW)
    found: dict[str, list[str]] = {}
    page = new_page(browser, viewport={"width": width, "height": 800}, java_script_enabled=True)
    with serve(tmp_path / "public") as url:
        for language in LANGUAGES:
            for path in PAGES:
                page.goto(f"{url}{'' if language == 'en' else language + '/'}{path}")
                assert page.locator("html").get_attribute("lang") == language
                found[f"{language}/{path}"] = words_broken_inside(page)
    with serve(tmp_path / "example") as url:
        for path in ("", "history/", f"incidents/{SEED}/", "components/web/"):
            for language in ("", "en/"):
                page.goto(f"{url}{language}{path}")
                found[f"example/{language}{path}"] = words_broken_inside(page)
    assert {where: words for where, words in found.items() if words} == {}


def test_long_user_text_wraps_without_scrolling_sideways(browser, make_content, tmp_path: Path) -> None:
    """A title, a component name and a URL longer than a phone is wide wrap inside their own
    boxes: nothing scrolls sideways at 320 px, and only they break inside."""
    long_word = "Zahlungsverkehrsabwicklungsschnittstellenüberwachung"
    url_text = "https://example.com/" + "very-long-path-segment/" * 12 + "index.html"
    site = SITE_YAML.replace("Test status", f"{long_word} status").replace(
        "name: Website", f"name: {long_word}"
    )
    body = f"See {url_text} and <{url_text}>."
    updates = f"\n  - at: 2012-06-21T09:05:00-07:00\n    status: investigating\n    body: '{body}'"
    content = make_content(
        {"incidents/x.md": incident_text(title=long_word, updates=updates, body=body)}, site
    )
    build(content, tmp_path / "public", NOW)
    page = new_page(browser, viewport={"width": 320, "height": 640}, java_script_enabled=True)
    with serve(tmp_path / "public") as url:
        for path in ("", "incidents/x/", "components/web/", "history/"):
            page.goto(url + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
            assert words_broken_inside(page) == [], path
        page.goto(url + "incidents/x/")
        link = page.locator(f'.body a[href="{url_text}"]').first
        assert link.evaluate("a => a.getClientRects().length") > 1  # (the URL wrapped)
