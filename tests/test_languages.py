"""Languages: the interface's catalogues, locale formatting, and sites in several languages."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.etree
import lxml.html
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from statusgen import ContentError, build, check, load_content
from statusgen.i18n import LOCALE_DIR, SHIPPED_LANGUAGES, Formatter, language_name, text_direction
from tests.conftest import NOW, SITE_YAML, incident_text, read_site, stylesheet

ROOT = Path(__file__).resolve().parent.parent
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


# ---------------------------------------------------------------- the catalogues


def template_ids() -> set[str]:
    """The message ids of statusgen.pot."""
    with (LOCALE_DIR / "statusgen.pot").open("rb") as file:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(file) if m.id}


def test_the_template_holds_every_message_of_the_code_and_the_theme() -> None:
    """statusgen.pot is up to date: extracting the sources again finds exactly its messages."""
    with (LOCALE_DIR / "babel.cfg").open(
        encoding="utf-8"
    ) as file:  # the configuration the documented command uses
        method_map, options = parse_mapping_cfg(file)
    keywords = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
    found = {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options, keywords)
    }
    assert found == template_ids(), "run pybabel extract and update (CONTRIBUTING.md)"


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_every_shipped_catalogue_is_complete_and_compiled(language: str) -> None:
    """Every message is translated (each plural form), none is fuzzy, the placeholders are kept,
    and the compiled .mo is what the .po compiles to."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    with (folder / "statusgen.po").open("rb") as file:
        catalog = read_po(file)
    messages = [m for m in catalog if m.id]
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in messages} == template_ids()
    for message in messages:
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(s.strip() for s in strings), f"{language}: untranslated {message.id!r}"
        assert len(strings) == (1 if isinstance(message.id, str) else catalog.num_plurals)
        assert not message.fuzzy, f"{language}: fuzzy {message.id!r}"
        wanted = set(re.findall(r"%\((\w+)\)s", message.id if isinstance(message.id, str) else message.id[1]))
        for text in strings:  # a plural form may leave the number out ("un jour"), nothing else
            assert set(re.findall(r"%\((\w+)\)s", text)) <= wanted, f"{language}: {text!r}"
            if isinstance(message.id, str):
                assert set(re.findall(r"%\((\w+)\)s", text)) == wanted, f"{language}: {text!r}"
    assert not list(catalog.check()), f"{language}: Babel's checks failed"
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    assert (folder / "statusgen.mo").read_bytes() == compiled.getvalue(), "run the compile command"


# ---------------------------------------------------------------- formatting per locale

MOMENT = datetime.fromisoformat("2012-06-21T09:05:00-07:00")
FORMATS = {
    # (date and time, time, 2 h 5 min, 99.984 %, 2 hours before, a month) as CLDR 48 says
    "en": (
        "June 21, 2012, 9:05 AM UTC−7",
        "9:05 AM UTC−7",
        "2 hr 5 min",
        "99.98%",
        "2 hours ago",
        "June 2012",
    ),
    "fr": (
        "21 juin 2012, 09:05 UTC−7",
        "09:05 UTC−7",
        "2 h 5 min",
        "99,98 %",
        "il y a 2 heures",
        "Juin 2012",
    ),
    "de": (
        "21. Juni 2012, 09:05 UTC−7",
        "09:05 UTC−7",
        "2 Std., 5 Min.",
        "99,98 %",
        "vor 2 Stunden",
        "Juni 2012",
    ),
    "es": (
        "21 de junio de 2012, 9:05 UTC−7",
        "9:05 UTC−7",
        "2 h 5 min",
        "99,98 %",
        "hace 2 horas",
        "Junio de 2012",
    ),
    "ja": ("2012年6月21日 9:05 UTC−7", "9:05 UTC−7", "2 時間5 分", "99.98%", "2 時間前", "2012年6月"),
    "ar": ("21 يونيو 2012، 9:05 ص UTC−7", "9:05 ص UTC−7", "2 س و5 د", "99.98%", "قبل ساعتين", "يونيو 2012"),
}


def plain(text: str) -> str:
    """Babel's no-break and narrow no-break spaces as plain spaces, to compare with readable text."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_dates_durations_and_numbers_follow_the_locale(language: str) -> None:
    """Each shipped locale formats in its own way, in the site's zone, with the zone shown."""
    fmt = Formatter(language, "America/Los_Angeles")
    shown = (
        fmt.datetime(MOMENT),
        fmt.time(MOMENT),
        fmt.duration(timedelta(hours=2, minutes=5)),
        fmt.percent(99.984),
        fmt.relative(MOMENT, MOMENT + timedelta(hours=2)),
        fmt.month(2012, 6),
    )
    assert tuple(plain(text) for text in shown) == tuple(plain(text) for text in FORMATS[language])
    assert fmt.iso(MOMENT) == "2012-06-21T09:05:00-07:00"  # machine-readable whatever the language


def test_language_names_and_directions() -> None:
    """A switch names languages in themselves; marks name them in the page's language."""
    assert [language_name(code) for code in ("fr", "en", "ja", "ar")] == [
        "Français",
        "English",
        "日本語",
        "العربية",
    ]
    assert language_name("fr", "en") == "French" and language_name("en", "de") == "Englisch"
    assert [text_direction(code) for code in ("ar", "he", "fr", "ja")] == ["rtl", "rtl", "ltr", "ltr"]


# ---------------------------------------------------------------- one language


def site_in(language: str) -> str:
    return SITE_YAML + f"language: {language}\n"


@pytest.mark.parametrize(
    ("language", "banner", "history"),
    [
        ("de", "Alle Systeme betriebsbereit", "Verlauf"),
        ("es", "Todos los sistemas operativos", "Historial"),
        ("ja", "すべてのシステムが正常に稼働しています", "履歴"),
        ("fr", "Tous les systèmes sont opérationnels", "Historique"),
    ],
)
def test_pages_and_feeds_speak_the_sites_language(make_content, language, banner, history) -> None:
    """The interface words, the status words and the feed titles come from the catalogue."""
    content = make_content(
        {"incidents/old.md": incident_text(resolved="2012-06-21T09:30:00-07:00")}, site_in(language)
    )
    files = check(content, NOW, workers=1).files
    index = files["index.html"].decode()
    assert f'<html lang="{language}" dir="ltr">' in index
    assert f"<h1>{banner}</h1>" in index and f">{history}</a>" in index
    assert "All Systems Operational" not in index and "Subscribe" not in index
    feed = feedparser.parse(files["history.atom"])
    assert feed.feed.language == language and not feed.bozo
    assert "incident history" not in feed.feed.title


def test_a_right_to_left_language_renders_right_to_left(make_content) -> None:
    """An Arabic site's pages are dir="rtl" with Arabic interface words, and the stylesheet uses
    logical properties only, so its borders and indents follow the direction."""
    files = check(make_content(site=site_in("ar")), NOW, workers=1).files
    index = files["index.html"].decode()
    assert '<html lang="ar" dir="rtl">' in index
    assert "جميع الأنظمة تعمل بشكل طبيعي" in index and "المكوّنات" in index
    css = files[stylesheet(files)].decode()
    assert not re.search(r"\b(left|right)\b", css), "use inline-start/inline-end"


def test_a_language_without_a_catalogue_warns_and_keeps_english_words(make_content) -> None:
    """Italian has no catalogue: a warning says so; words are English, dates Italian."""
    folder = make_content(site=site_in("it"))
    content = load_content(folder)
    assert [(p.field, p.warning) for p in content.warnings] == [("language", True)]
    assert "shipped languages are en, fr" in content.warnings[0].message
    index = check(folder, NOW, workers=1).files["index.html"].decode()
    assert "All Systems Operational" in index and "21 giugno 2012" in index


# ---------------------------------------------------------------- several languages

BILINGUAL = """\
title: {fr: État du service, en: Service status}
base_url: https://status.example.com/status/
languages: [fr, en]
timezone: America/Los_Angeles
components:
  - id: web
    name: {fr: Site web, en: Website}
  - id: api
    name: API
"""
ORIGINAL = """\
---
title: Panne du site
started: 2012-06-21T09:00:00-07:00
impact: major
components: [web]
updates:
  - at: 2012-06-21T09:05:00-07:00
    status: investigating
    body: Nous **enquêtons**.
  - at: 2012-06-21T09:20:00-07:00
    status: identified
    body: Cause trouvée.
---
## Analyse

Un disque plein.
"""
TRANSLATION = """\
---
title: Website down
updates:
  - at: 2012-06-21T09:05:00-07:00
    body: We are **investigating**.
---
"""
AGREEING = """\
---
title: Website down
started: 2012-06-21T16:00:00Z
components: {web: partial_outage}
updates:
  - at: 2012-06-21T09:05:00-07:00
    status: investigating
    body: We are investigating.
  - body: Cause found.
---
A full disk.
"""


MAINTENANCE = """\
---
title: Changement des disques
start: 2012-06-25T22:00:00-07:00
end: 2012-06-25T23:00:00-07:00
components: [api]
---
L'API sera lente.
"""


@pytest.fixture
def bilingual(make_content) -> Path:
    """A French site translated into English: one incident partly translated, one not at all."""
    return make_content(
        {
            "incidents/panne.md": ORIGINAL,
            "incidents/panne.en.md": TRANSLATION,
            "incidents/vieux.md": incident_text(title="Vieux souci", started="2012-06-01T08:00:00-07:00"),
            "maintenance/disques.md": MAINTENANCE,
        },
        BILINGUAL,
    )


def test_each_language_gets_its_pages_feeds_and_words(bilingual: Path) -> None:
    """The default language at the root, English under /en/, each with its own feeds."""
    files = check(bilingual, NOW, workers=1).files
    french, english = (
        files["incidents/panne/index.html"].decode(),
        files["en/incidents/panne/index.html"].decode(),
    )
    assert "<h1>Panne du site</h1>" in french and "Analyse en cours" in french
    assert "<h1>Website down</h1>" in english and "Investigating" in english
    assert "We are <strong>investigating</strong>." in english
    assert '<html lang="en" dir="ltr">' in english
    assert ">Website</a>" in english and ">Site web</a>" in french  # site texts per language
    assert "<title>Website down · Service status</title>" in english
    assert not any(path.startswith("en/static/") for path in files)
    assert f'href="../../../{stylesheet(files)}"' in english
    assert not any(path.startswith("en/api/") or path.startswith("en/badge") for path in files)


def test_missing_translations_fall_back_visibly(bilingual: Path) -> None:
    """What is not translated yet is shown in French, with its language and a mark, on pages and
    in feeds."""
    files = check(bilingual, NOW, workers=1).files
    page = lxml.html.fromstring(files["en/incidents/panne/index.html"])
    second = page.get_element_by_id("update-2")
    assert second.xpath('.//div[@class="body"]/@lang') == ["fr"]
    assert "Not yet translated: shown in French." in second.text_content()
    assert page.get_element_by_id("update-1").xpath('.//div[@class="body"]/@lang') == []
    report = page.xpath('//section[@class="report"]')[0]
    assert (
        report.xpath('.//div[@class="body"]/@lang') == ["fr"] and "Un disque plein" in report.text_content()
    )
    history = lxml.html.fromstring(files["en/history/index.html"])
    (old,) = [a for a in history.xpath("//li/a") if "Vieux souci" in a.text_content()]
    assert old.xpath("./span/@lang") == ["fr"] and old.xpath('./small[@class="untranslated"]/text()') == [
        "in French"
    ]
    assert not history.xpath('//a[contains(., "Website down")]//small')
    entries = {e.title: e for e in feedparser.parse(files["en/history.atom"]).entries}
    assert set(entries) == {"Website down", "Vieux souci (in French)", "Changement des disques (in French)"}
    assert "Not yet translated: shown in French." in entries["Website down"].content[0].value
    assert '<div lang="fr"><p>Cause trouvée.</p></div>' in entries["Website down"].content[0].value
    calendar = files["en/maintenance.ics"].decode().replace("\r\n ", "")  # (unfolded)
    assert "SUMMARY:Changement des disques (in French)" in calendar
    assert (
        "DESCRIPTION:Affected: API\\n\\nNot yet translated: shown in French.\\n\\nL'API sera lente."
        in calendar
    )


def test_feeds_of_each_language_parse_and_carry_it(bilingual: Path) -> None:
    """Every feed of every language is well-formed for feedparser and says its language, and its
    links point to the pages of that language."""
    files = check(bilingual, NOW, workers=1).files
    feeds = [path for path in files if path.endswith((".atom", ".rss"))]
    assert {p for p in feeds if p.startswith("en/")} == {f"en/{p}" for p in feeds if not p.startswith("en/")}
    for path in feeds:
        language = "en" if path.startswith("en/") else "fr"
        parsed = feedparser.parse(files[path])
        assert not parsed.bozo, path
        assert parsed.feed.language == language, path
        if path.endswith(".atom"):
            assert lxml.etree.fromstring(files[path]).get(XML_LANG) == language
        home = "https://status.example.com/status/" + ("en/" if language == "en" else "")
        assert all(
            entry.link.startswith((home + "incidents/", home + "maintenance/")) for entry in parsed.entries
        )
        assert all("/en/" not in entry.link for entry in parsed.entries) or language == "en"
    assert feedparser.parse(files["en/history.atom"]).feed.title == "Service status: incident history"


def test_translations_link_to_each_other_and_the_switch_needs_no_script(bilingual: Path) -> None:
    """Every page names its translations (hreflang, x-default: the default language) and links to
    them from a language switch; every link of every page resolves to a file of the site."""
    files = check(bilingual, NOW, workers=1).files
    pages = [path for path in files if path.endswith(".html") and not path.endswith("404.html")]
    for path in pages:
        tree = lxml.html.fromstring(files[path])
        alternates = dict(
            (link.get("hreflang"), link.get("href"))
            for link in tree.xpath('//link[@rel="alternate"][@hreflang]')
        )
        inside = path.removeprefix("en/").removesuffix("index.html")
        base = "https://status.example.com/status/"
        assert alternates == {"fr": base + inside, "en": base + "en/" + inside, "x-default": base + inside}
        switch = tree.xpath('//nav[@class="languages"]//a')
        assert len(switch) == 1 and tree.xpath('//nav[@class="languages"]//*[@aria-current="true"]')
        for element in tree.xpath("//*[@href or @src]"):
            target = element.get("href") or element.get("src")
            if urlsplit(target).scheme:
                continue
            resolved = urlsplit(urljoin("https://x.test/" + path, target)).path.lstrip("/")
            resolved = resolved + "index.html" if resolved.endswith("/") or not resolved else resolved
            assert resolved in files, f"{path} links to {target}, which is not in the site"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"incidents/panne.en.md": TRANSLATION.replace("09:05:00", "09:06:00")},
            [("incidents/panne.en.md", 4, "updates[0].at", "says 2012-06-21T09:06:00-07:00 but")],
        ),
        (
            {"incidents/panne.en.md": TRANSLATION.replace("title:", "impact: minor\ntitle:")},
            [("incidents/panne.en.md", 2, "impact", "says 'minor' but")],
        ),
        (
            {"incidents/panne.en.md": TRANSLATION.replace("title:", "components: [api]\ntitle:")},
            [("incidents/panne.en.md", 2, "components", "says ['api'] but")],
        ),
        (
            {
                "incidents/panne.en.md": TRANSLATION.replace(
                    "title:", "components: {web: major_outage}\ntitle:"
                )
            },
            [("incidents/panne.en.md", 2, "components", "says {web: major_outage} but")],
        ),
        (
            {"incidents/panne.en.md": TRANSLATION.replace("title:", "components: web\ntitle:")},
            [("incidents/panne.en.md", 2, "components", "expected a list of component ids or a mapping")],
        ),
        ({"incidents/panne.en.md": AGREEING}, []),
        (
            {"incidents/autre.en.md": TRANSLATION},
            [("incidents/autre.en.md", None, "", "no incidents/autre.md in the default language")],
        ),
        (
            {"incidents/panne.de.md": TRANSLATION},
            [("incidents/panne.de.md", None, "", "the site's other languages are en")],
        ),
        (
            {"incidents/panne.fr.md": TRANSLATION},
            [("incidents/panne.fr.md", None, "", "'fr' is the default language")],
        ),
        (
            {"incidents/panne.en.md": TRANSLATION.replace("title: Website down\n", "")},
            [("incidents/panne.en.md", 2, "title", "this required field is missing")],
        ),
    ],
    ids=[
        "time",
        "impact",
        "components",
        "component-status",
        "components-text",
        "valid",
        "no-original",
        "undeclared",
        "default",
        "no-title",
    ],
)
def test_translations_that_contradict_or_miss_their_original_are_errors(
    make_content, files: dict[str, str], expected: list[tuple[str, int | None, str, str]]
) -> None:
    """Times, statuses, impact and components belong to the default language's file; a translation
    repeating them must agree, and every translation names an original in a declared language."""
    content = make_content({"incidents/panne.md": ORIGINAL, **files}, BILINGUAL)
    if not expected:
        load_content(content)
        return
    with pytest.raises(ContentError) as caught:
        load_content(content)
    found = [(p.path.split("content/", 1)[1], p.line, p.field, p.message) for p in caught.value.problems]
    assert len(found) == len(expected), found
    for (path, line, field, message), wanted in zip(found, expected, strict=True):
        assert (path, line, field) == wanted[:3] and wanted[3] in message


def test_a_translation_with_more_updates_than_its_original_is_an_error(make_content) -> None:
    """Bodies are matched in order: one too many has nothing to translate."""
    text = "---\ntitle: Down\nupdates:\n" + "".join(f"  - body: Update {i}.\n" for i in range(3)) + "---\n"
    content = make_content({"incidents/panne.md": ORIGINAL, "incidents/panne.en.md": text}, BILINGUAL)
    with pytest.raises(ContentError) as caught:
        load_content(content)
    (problem,) = caught.value.problems
    assert (problem.field, problem.line) == ("updates[2]", 6)
    assert "has 3 updates but" in problem.message and "has 2" in problem.message


@pytest.mark.parametrize(
    ("site", "field", "message"),
    [
        (BILINGUAL.replace("languages: [fr, en]", "languages: [fr, en, fr]"), "languages[2]", "listed twice"),
        (BILINGUAL + "language: en\n", "language", "the first of languages is the default"),
        (BILINGUAL.replace("en: Website", "de: Webseite"), "components[0].name.de", "not one of the site's"),
        (BILINGUAL.replace("{fr: Site web, en: Website}", "{en: Website}"), "components[0].name", "'fr'"),
        (BILINGUAL.replace("languages: [fr, en]", "languages: []"), "languages", "at least one language"),
        (BILINGUAL.replace("[fr, en]", "[fr, en, EN]"), "languages[2]", "expected a BCP 47"),
        (BILINGUAL.replace("[fr, en]", "[fr, en, en-GB, en-GB]"), "languages[3]", "listed twice"),
        (BILINGUAL.replace("[fr, en]", "[fr, 'en@/../../x']"), "languages[1]", "expected a BCP 47"),
        (BILINGUAL.replace("[fr, en]", "[fr, und]"), "languages[1]", "expected a BCP 47"),
    ],
    ids=["twice", "disagree", "undeclared", "no-default", "empty", "case", "twice-region", "path", "und"],
)
def test_site_languages_are_checked(make_content, site: str, field: str, message: str) -> None:
    """`languages` and the texts given per language are checked like every other field."""
    with pytest.raises(ContentError) as caught:
        load_content(make_content(site=site))
    assert [(p.field, message in p.message) for p in caught.value.problems] == [(field, True)]


def test_site_texts_of_a_language_without_a_catalogue_are_still_checked(make_content) -> None:
    """A language with no shipped catalogue only warns; the texts given per language are checked
    all the same, and each is one line, as the default language's are."""
    site = BILINGUAL.replace("[fr, en]", "[fr, it]").replace("en: Service status", "de: Typo")
    with pytest.raises(ContentError) as caught:
        load_content(make_content(site=site.replace("en: Website", "it: Sito")))
    assert [p.field for p in caught.value.problems] == ["title.de"]
    folded = site.replace(
        "title: {fr: État du service, de: Typo}", "title:\n  fr: État\n  it: >\n    Stato\n    del servizio"
    )
    files = check(make_content(site=folded.replace("en: Website", "it: Sito")), NOW, workers=1).files
    assert "<title>Stato del servizio</title>" in files["it/index.html"].decode()
    assert b"Stato del servizio: maintenance" in files["it/maintenance.ics"]  # (no line break in it)


# ---------------------------------------------------------------- the cache


@pytest.mark.slow
@pytest.mark.parametrize("linked", [False, True], ids=["swap", "link"])
def test_a_translation_edit_renders_only_that_language_again(
    bilingual: Path, linked: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With the cache, editing a translation renders its pages in its language only, adding one
    renders the pages it changes, and the output stays byte-identical to an uncached build; the
    compiled templates are kept per language, so each language keeps its own words."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    output, cache = bilingual.parent / "public", bilingual.parent / ".statusgen-cache"
    pages: list[str] = []  # the pages the cached builds rendered, by output path

    def cached() -> dict[str, bytes]:
        uncached = check(bilingual, NOW, workers=1).files
        result = build(bilingual, output, NOW, workers=1, cache_dir=cache, linked=linked)
        assert read_site(output) == dict(result.files) == uncached
        pages.extend(result.rendered)
        return dict(result.files)

    cached()
    pages.clear()
    files = cached()
    assert "en/incidents/vieux/index.html" not in pages and "incidents/vieux/index.html" not in pages
    assert "Tous les systèmes" not in files["en/index.html"].decode()
    pages.clear()
    (bilingual / "incidents" / "panne.en.md").write_text(TRANSLATION.replace("Website down", "Site down"))
    assert b"<h1>Site down</h1>" in cached()["en/incidents/panne/index.html"]
    assert "en/incidents/panne/index.html" in pages and "incidents/panne/index.html" not in pages
    pages.clear()
    (bilingual / "incidents" / "vieux.en.md").write_text("---\ntitle: Old trouble\n---\n")
    assert b"<h1>Old trouble</h1>" in cached()["en/incidents/vieux/index.html"]
    assert "en/incidents/vieux/index.html" in pages and "incidents/vieux/index.html" not in pages


# ---------------------------------------------------------------- the example


def test_the_example_site_is_bilingual() -> None:
    """The bundled example is French with an English translation, one incident only partly
    translated and older ones not at all."""
    content = load_content(ROOT / "content")
    assert content.site.languages == ("fr", "en") and content.warnings == ()
    assert len(content.translations) >= 4
    files = check(ROOT / "content", datetime.fromisoformat("2012-06-22T12:00:00-07:00"), workers=1).files
    english = files["en/incidents/2012-06-21-panne-mondiale/index.html"].decode()
    assert "previous stable version" in english and "Not yet translated" not in english
    assert (
        "Not yet translated" in files["en/incidents/2012-06-18-notifications-retardees/index.html"].decode()
    )
    assert "Pas encore traduit" not in files["incidents/2012-06-21-panne-mondiale/index.html"].decode()
