"""Feeds read by a real feed client (feedparser), and maintenance calendars read by icalendar."""

from __future__ import annotations

import calendar
import dataclasses
import json
import posixpath
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import feedparser
import icalendar
import pytest
import vobject
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from statusgen import check
from statusgen.derive import derive
from statusgen.feeds import _Writer
from statusgen.i18n import labels
from statusgen.markdown import join_relative, resolve_urls
from statusgen.models import Content, Impact, Incident, IncidentStatus, Maintenance, MaintenanceStatus, Update
from tests.conftest import NOW, SITE_YAML, incident_text
from tests.strategies import EPOCH, SITE

NOW_INSTANT = EPOCH + timedelta(days=1)
IN_WINDOW_LATE = datetime.fromisoformat("2012-06-29T08:00:00-07:00")

OUTAGE = incident_text(
    title="Website down",
    components="{web: major_outage, api: partial_outage}",
    updates="""
  - at: 2012-06-21T09:10:00-07:00
    status: investigating
    body: We are looking into it.
  - at: 2012-06-21T09:40:00-07:00
    status: identified
    body: A bad deploy; **rolling back**.
  - at: 2012-06-21T10:20:00-07:00
    status: resolved
    body: Back to normal.""",
)
OLD = incident_text(
    title="Slow e-mail",
    started="2012-06-01T08:00:00-07:00",
    resolved="2012-06-01T09:00:00-07:00",
    impact="minor",
    components="[mail]",
)
WINDOW = """---
title: Database upgrade
start: 2012-06-28T22:00:00-07:00
end: 2012-06-29T00:00:00-07:00
components: [api]
updates:
  - at: 2012-06-14T10:00:00-07:00
    status: scheduled
    body: We will upgrade the database.
---
Expect a few minutes of errors.
"""


def build_result(
    make_content, files: dict[str, str] | None = None, site: str = SITE_YAML, now: datetime = NOW
):
    """Build in memory and return the result."""
    default = {
        "incidents/outage.md": OUTAGE,
        "incidents/old.md": OLD,
        "maintenance/db.md": WINDOW,
    }
    return check(make_content(default if files is None else files, site=site), now)


def build_files(
    make_content, files: dict[str, str] | None = None, site: str = SITE_YAML, now: datetime = NOW
):
    """Build in memory and return the file map."""
    return build_result(make_content, files, site, now).files


def parse(data: bytes) -> feedparser.FeedParserDict:
    """Parse a feed strictly: any well-formedness problem fails the test."""
    feed = feedparser.parse(data)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_history_feed_has_one_entry_per_incident_and_maintenance(make_content) -> None:
    """history.atom: newest first, stable tag: ids, updated = the latest update, every update inside."""
    feed = parse(build_files(make_content)["history.atom"])
    ids = [e.id for e in feed.entries]
    assert ids == [
        "tag:status.example.com,2005:incidents/outage",
        "tag:status.example.com,2005:maintenance/db",
        "tag:status.example.com,2005:incidents/old",
    ]
    outage = feed.entries[0]
    assert outage.title == "Website down"
    assert outage.link == "https://status.example.com/incidents/outage/"
    assert (
        calendar.timegm(outage.updated_parsed)
        == datetime.fromisoformat("2012-06-21T10:20:00-07:00").timestamp()
    )
    html = outage.content[0].value
    # Every update, newest first, each with its status word and time.
    assert html.index("Resolved") < html.index("Identified") < html.index("Investigating")
    assert '<time datetime="2012-06-21T09:40:00-07:00">' in html
    assert "<strong>rolling back</strong>" in html
    assert "Affected: Website, API" in html


def test_updates_feed_has_one_entry_per_update(make_content) -> None:
    """updates.atom: "[Resolved] Title", id …#update-n, so readers notify on every step."""
    files = build_files(make_content)
    feed = parse(files["updates.atom"])
    assert [e.title for e in feed.entries] == [
        "[Resolved] Website down",
        "[Identified] Website down",
        "[Investigating] Website down",
        "[Scheduled] Database upgrade",
    ]
    assert feed.entries[0].id == "tag:status.example.com,2005:incidents/outage#update-3"
    assert feed.entries[0].link == "https://status.example.com/incidents/outage/#update-3"
    assert 'id="update-3"' in files["incidents/outage/index.html"].decode()


def test_rss_carries_the_same_entries_with_guids_and_dates(make_content) -> None:
    """history.rss and updates.rss: same order and ids (as non-permalink guids), pubDate = updated."""
    files = build_files(make_content)
    for stem in ("history", "updates"):
        atom, rss = parse(files[f"{stem}.atom"]), parse(files[f"{stem}.rss"])
        assert [e.id for e in rss.entries] == [e.id for e in atom.entries]
        assert [e.published_parsed for e in rss.entries] == [e.updated_parsed for e in atom.entries]
        assert rss.feed.link == "https://status.example.com/"
    root = ElementTree.fromstring(files["updates.rss"])
    assert root.find("channel/item/guid").get("isPermaLink") == "false"


def test_feeds_carry_language_and_self_links(make_content) -> None:
    """xml:lang/<language> from the site; rel=self names the feed's own URL, under a sub-path too."""
    site = SITE_YAML.replace("https://status.example.com/", "https://example.org/status/") + "language: fr\n"
    files = build_files(make_content, site=site)
    atom = parse(files["history.atom"])
    assert atom.feed.language == "fr"
    assert (
        ElementTree.fromstring(files["history.atom"]).get("{http://www.w3.org/XML/1998/namespace}lang")
        == "fr"
    )
    assert {"rel": "self", "href": "https://example.org/status/history.atom"}.items() <= next(
        link for link in atom.feed.links if link.rel == "self"
    ).items()
    rss = ElementTree.fromstring(files["history.rss"])
    assert rss.findtext("channel/language") == "fr"
    self_link = rss.find("channel/{http://www.w3.org/2005/Atom}link")
    assert self_link.get("href") == "https://example.org/status/history.rss"
    assert atom.entries[0].id.startswith("tag:example.org,2005:status/incidents/")


def test_component_and_maintenance_feeds_hold_only_their_entries(make_content) -> None:
    """components/<id>/history.* list what touched the component; maintenance.* only maintenance."""
    files = build_files(make_content)
    api = parse(files["components/api/history.atom"])
    assert [e.title for e in api.entries] == ["Website down", "Database upgrade"]
    mail = parse(files["components/mail/history.rss"])
    assert [e.title for e in mail.entries] == ["Slow e-mail"]
    maintenance = parse(files["maintenance.atom"])
    assert [e.title for e in maintenance.entries] == ["Database upgrade"]
    assert "Scheduled:" in maintenance.entries[0].content[0].value


def test_feeds_are_capped_but_history_pages_keep_everything(make_content) -> None:
    """feeds.entries caps every feed (newest kept); the history page still lists every incident."""
    files = {
        f"incidents/i{n}.md": incident_text(
            title=f"Incident {n}",
            started=f"2012-06-{n:02d}T08:00:00-07:00",
            resolved=f"2012-06-{n:02d}T09:00:00-07:00",
        )
        for n in range(1, 8)
    }
    built = build_files(make_content, files, site=SITE_YAML + "feeds:\n  entries: 3\n")
    feed = parse(built["history.atom"])
    assert [e.title for e in feed.entries] == ["Incident 7", "Incident 6", "Incident 5"]
    history = built["history/index.html"].decode()
    assert all(f"Incident {n}<" in history for n in range(1, 8))


def test_an_empty_site_still_has_valid_feeds(make_content) -> None:
    """No incidents: feeds parse, with no entries and a stable updated date."""
    files = build_files(make_content, {})
    for name in ("history.atom", "history.rss", "updates.atom", "maintenance.rss"):
        assert parse(files[name]).entries == []
    assert files == build_files(make_content, {})


HOSTILE = "Ctrl\x01\x08 chars, RTL \u202eevil\u202c, zero\u200bwidth, emoji 🔥, CJK 障害, ]]> & <b>tags</b>"


def test_any_character_still_gives_well_formed_feeds(make_content) -> None:
    """Control characters are removed (also from YAML escapes); emoji and CJK survive, and bidi
    controls and zero-width spaces are removed from titles but kept in bodies."""
    title = '"' + HOSTILE.replace("\x01", "\\x01").replace("\x08", "\\b") + '"'
    files = build_files(
        make_content,
        {"incidents/x.md": incident_text(title=title, body=HOSTILE + "\n<script>alert(1)</script>\n")},
    )
    for name in ("history.atom", "history.rss", "updates.atom", "updates.rss", "components/web/history.atom"):
        ElementTree.fromstring(files[name])  # well-formed XML
        feed = parse(files[name])
        for entry in feed.entries:
            assert "\x01" not in entry.title and "\x08" not in entry.title
    entry = parse(files["history.atom"]).entries[0]
    assert "RTL evil, zerowidth" in entry.title and "🔥" in entry.title and "障害" in entry.title
    assert "\u202eevil\u202c" in entry.content[0].value
    assert "<b>tags</b>" in entry.title  # a title is text: shown as written, escaped in the XML
    assert entry.title.startswith("Ctrl chars, RTL")
    assert b"&lt;b&gt;tags&lt;/b&gt;" in files["history.atom"]
    assert b"CDATA" not in files["history.rss"]
    assert "<script" not in entry.content[0].value


def test_feed_timestamps_use_the_site_offset(make_content) -> None:
    """Dates are written with the site's offset and parse to the right instant."""
    files = build_files(make_content)
    root = ElementTree.fromstring(files["updates.atom"])
    first = root.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}updated")
    assert first.text == "2012-06-21T10:20:00-07:00"
    rss = ElementTree.fromstring(files["updates.rss"])
    assert rss.findtext("channel/item/pubDate") == "Thu, 21 Jun 2012 10:20:00 -0700"


# ---------------------------------------------------------------- calendars


def events(data: bytes) -> list[icalendar.Event]:
    """The VEVENTs of a calendar."""
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_maintenance_calendar_has_one_event_per_window_in_utc(make_content) -> None:
    """maintenance.ics: RFC 5545 with UTC times, a stable UID, the page's URL and the body."""
    files = build_files(make_content)
    data = files["maintenance.ics"]
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and all(
        len(line) <= 75 for line in data.split(b"\r\n")
    )  # folded lines, CRLF
    (event,) = events(data)
    assert str(event["uid"]) == "maintenance-db@status.example.com"
    assert event.decoded("dtstart") == datetime.fromisoformat("2012-06-28T22:00:00-07:00")
    assert event["dtstart"].to_ical() == b"20120629T050000Z"
    assert event.decoded("dtend") == datetime.fromisoformat("2012-06-29T00:00:00-07:00")
    assert str(event["summary"]) == "Database upgrade"
    assert str(event["url"]) == "https://status.example.com/maintenance/db/"
    assert "Expect a few minutes of errors." in str(event["description"])
    assert event["sequence"] == 0
    assert events(files["components/api/maintenance.ics"])[0]["uid"] == event["uid"]
    assert events(files["components/web/maintenance.ics"]) == []


def test_a_moved_window_keeps_its_uid_and_raises_its_sequence(make_content) -> None:
    """Recording the old window under `rescheduled` moves the event: same UID, SEQUENCE 1."""
    moved = WINDOW.replace("2012-06-28T22:00", "2012-06-30T22:00").replace(
        "2012-06-29T00:00", "2012-07-01T00:00"
    )
    moved = moved.replace(
        "updates:",
        "rescheduled:\n  - start: 2012-06-28T22:00:00-07:00\n    end: 2012-06-29T00:00:00-07:00\nupdates:",
    )
    before = events(build_files(make_content, {"maintenance/db.md": WINDOW})["maintenance.ics"])[0]
    after = events(build_files(make_content, {"maintenance/db.md": moved})["maintenance.ics"])[0]
    assert after["uid"] == before["uid"]
    assert (before["sequence"], after["sequence"]) == (0, 1)
    assert after.decoded("dtstart") == datetime.fromisoformat("2012-06-30T22:00:00-07:00")


def test_a_rescheduled_window_that_ends_before_it_starts_is_an_error(make_content) -> None:
    """`rescheduled` entries are validated like the window itself, with their line."""
    from statusgen import ContentError

    bad = WINDOW.replace(
        "updates:",
        "rescheduled:\n  - start: 2012-06-28T22:00:00-07:00\n    end: 2012-06-27T00:00:00-07:00\nupdates:",
    )
    with pytest.raises(ContentError) as caught:
        build_files(make_content, {"maintenance/db.md": bad})
    assert "maintenance/db.md:8: rescheduled[0].end: the maintenance ends" in str(caught.value)


def test_pages_announce_their_feeds_for_autodiscovery(make_content, tmp_path: Path) -> None:
    """Every page's head links the site's feeds; a component page its own first; the index says how."""
    files = build_files(make_content)
    index = files["index.html"].decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Incident history (Atom)" '
        'href="./history.atom">' in index
    )
    assert 'href="./updates.rss"' in index
    assert 'id="subscribe"' in index
    assert 'href="./maintenance.ics"' in index and 'href="./api/v2/summary.json"' in index
    incident = files["incidents/outage/index.html"].decode()
    assert 'type="application/rss+xml" title="Incident history (RSS)" href="../../history.rss"' in incident
    component = files["components/web/index.html"].decode()
    first = component.index('<link rel="alternate"')
    assert component.startswith(
        '<link rel="alternate" type="application/atom+xml" '
        'title="Incident history of this component (Atom)" href="../../components/web/history.atom">',
        first,
    )
    for page, html in files.items():
        if page.endswith(".html"):
            assert 'rel="alternate" type="application/atom+xml"' in html.decode(), page


@pytest.mark.parametrize("now", ["2012-06-21T10:30:00-07:00", "2012-06-22T12:00:00-07:00"])
def test_every_feed_of_the_example_site_parses_without_bozo(now: str) -> None:
    """feedparser reads each of the example site's feeds cleanly, entries included."""
    files = check(Path(__file__).parent.parent / "content", datetime.fromisoformat(now)).files
    feeds = {name: data for name, data in files.items() if name.endswith((".atom", ".rss"))}
    # history, updates, maintenance, and history and updates per component, in French and in English
    assert len(feeds) == 2 * 2 * (3 + 2 * 9)
    assert sum(len(parse(data).entries) for data in feeds.values()) > 40


@st.composite
def _crowded_entries(draw: st.DrawFn) -> list[Incident | Maintenance]:
    """Incidents and maintenance whose updates often share an instant (ties are the hard case)."""
    moments = st.integers(0, 6).map(lambda hour: EPOCH + timedelta(hours=hour))
    entries: list[Incident | Maintenance] = []
    for number in range(draw(st.integers(0, 8))):
        times = sorted(draw(st.lists(moments, max_size=4)))
        updates = tuple(Update(at, IncidentStatus.IDENTIFIED, "b", n) for n, at in enumerate(times, 1))
        resolved = draw(st.none() | moments.filter(lambda at, t=times: not t or at >= t[-1]))
        started = min([*times, resolved or times[0]]) if times or resolved else draw(moments)
        entries.append(
            Incident(f"i{number}", f"i{number}.md", "t", started, Impact.MINOR, (), updates, resolved)
        )
    for number in range(draw(st.integers(0, 3))):
        times = sorted(draw(st.lists(moments, max_size=3)))
        updates = tuple(Update(at, MaintenanceStatus.SCHEDULED, "b", n) for n, at in enumerate(times, 1))
        start = draw(moments)
        entries.append(
            Maintenance(f"m{number}", f"m{number}.md", "t", start, start + timedelta(hours=1), (), updates)
        )
    return entries


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(_crowded_entries(), st.integers(1, 5))
def test_feeds_choose_what_sorting_everything_would(entries: list, count: int) -> None:
    """Feeds look at as few entries as they can, yet list exactly what a full sort by time, then id,
    newest first, would: entries by their latest change, updates by their instant."""
    site = dataclasses.replace(SITE, feed_entries=count)
    incidents = tuple(e for e in entries if isinstance(e, Incident))
    derived = derive(
        Content(site, incidents, tuple(e for e in entries if isinstance(e, Maintenance))), NOW_INSTANT
    )
    writer = _Writer(derived, labels(), str, str)
    entries = list(derived.entries)
    ordered = writer.newest(entries)
    assert ordered == sorted(entries, key=lambda e: (e.last_change, writer.entry_tag(e)), reverse=True)
    every_update = [(u.at, f"{writer.entry_tag(e)}#update-{u.number}") for e in entries for u in e.updates]
    chosen = [(row.updated, row.id) for row in writer.update_rows(ordered)]
    assert chosen == sorted(every_update, reverse=True)[:count]


# ---------------------------------------------------------------- texts escaped once

TRICKY_SITE = """\
title: {fr: "L'état & <b>Chirp</b>", en: "Chirp's status & <b>more</b>"}
description: {fr: "L'état de Chirp & <i>plus</i>, 1 < 2", en: "Chirp's services & <i>more</i>, 1 < 2"}
base_url: https://status.example.com/
languages: [fr, en]
timezone: America/Los_Angeles
components:
  - id: web
    name: {fr: "Site & <web>", en: "Web's & <site>"}
"""
TRICKY_TITLES = {"fr": "L'API & <b>le site</b>", "en": "The API's & <b>site</b>"}
TRICKY_BODIES = {
    "fr": ("Ça n'ira pas & `<b>` reste du texte, 1 < 2.", "Ça n'ira pas & <b> reste du texte, 1 < 2."),
    "en": ("It won't & `<b>` stays text, 1 < 2.", "It won't & <b> stays text, 1 < 2."),
}


class _Text(HTMLParser):
    """The text an HTML reader shows (its markup dropped, its references decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def shown_as_html(value: str) -> str:
    """What a reader taking `value` as HTML shows."""
    reader = _Text()
    reader.feed(value)
    reader.close()
    return "".join(reader.parts)


def test_feed_texts_are_escaped_exactly_once_in_every_feed_and_language(make_content) -> None:
    """Titles, descriptions and entry HTML with `'`, `&` and `<` read back as written, by feedparser,
    in every Atom and RSS feed of every language; RSS's channel description escapes only what HTML
    would read as markup (so "Chirp's" is never "Chirp&#39;s")."""
    translation = "---\ntitle: " + json.dumps(TRICKY_TITLES["en"]) + "\nupdates:\n  - body: "
    translation += json.dumps(TRICKY_BODIES["en"][0]) + "\n---\n"
    files = build_files(
        make_content,
        {
            "incidents/x.md": incident_text(
                title=json.dumps(TRICKY_TITLES["fr"]),
                updates=f"\n  - at: 2012-06-21T09:10:00-07:00\n    status: investigating\n"
                f"    body: {json.dumps(TRICKY_BODIES['fr'][0])}",
            ),
            "incidents/x.en.md": translation,
        },
        site=TRICKY_SITE,
    )
    site = yaml.safe_load(TRICKY_SITE)
    feeds = sorted(path for path in files if path.endswith((".atom", ".rss")))
    assert len(feeds) == 2 * 2 * (3 + 2)  # (per component: history and updates)
    for path in feeds:
        language = "en" if path.startswith("en/") else "fr"
        title, description = site["title"][language], site["description"][language]
        component = site["components"][0]["name"][language]
        feed = parse(files[path])
        assert feed.feed.title.startswith(title), path  # "<site title>: incident history"
        assert component in feed.feed.title or not path.startswith(("components/", "en/components/"))
        if path.endswith(".atom"):
            assert feed.feed.subtitle == description, path
        else:
            raw = ElementTree.fromstring(files[path]).findtext("channel/description")
            assert raw == description.replace("<i>", "&lt;i>").replace("</i>", "&lt;/i>"), path
            assert shown_as_html(feed.feed.subtitle) == description, path
        if "maintenance." in path:
            continue
        (entry,) = feed.entries
        assert entry.title.endswith(TRICKY_TITLES[language]), path  # "[Investigating] <title>"
        html = entry.content[0].value if path.endswith(".atom") else entry.summary
        assert TRICKY_BODIES[language][1] in shown_as_html(html), path
        assert f"{component}" in shown_as_html(html) or "updates." in path, path


# ---------------------------------------------------------------- calendars: texts, names, validity

HOSTILE_WINDOW = """---
title: Database upgrade
start: 2012-06-28T22:00:00-07:00
end: 2012-06-29T00:00:00-07:00
components: [api]
updates:
  - at: 2012-06-14T10:00:00-07:00
    status: scheduled
    body: "We will upgrade the database. <script>alert(1)</script>"
  - at: 2012-06-28T22:00:00-07:00
    status: in_progress
    body: "Started: read <a href=\\"javascript:alert(2)\\">the plan</a>, **really**."
  - at: 2012-06-28T23:40:00-07:00
    status: completed
    body: "Done. Details in [the notes](https://example.com/notes) and [the history](../../history/)."
---
<img src=x onerror=alert(3)>Expect a few minutes of errors.
"""


def description(data: bytes, uid: str = "maintenance-db@status.example.com") -> str:
    """The DESCRIPTION of one event of a calendar, unescaped."""
    (event,) = [e for e in events(data) if str(e["uid"]) == uid]
    return str(event["description"])


def test_calendar_descriptions_are_plain_text_read_from_the_sanitised_html(make_content) -> None:
    """No tag, no script, no javascript: URL reaches a DESCRIPTION; Markdown is read, not shown
    as source, and links are written out, relative ones resolved against the maintenance's page."""
    files = build_files(make_content, {"maintenance/db.md": HOSTILE_WINDOW}, now=IN_WINDOW_LATE)
    for path in ("maintenance.ics", "components/api/maintenance.ics"):
        text = description(files[path])
        assert not re.search(r"<[A-Za-z/!?]", text), text
        assert "javascript" not in text and "alert" not in text and "onerror" not in text
        assert "**" not in text and "Started: read the plan, really." in text
        assert "Done. Details in the notes (https://example.com/notes) and the history " in text
        assert "(https://status.example.com/history/)." in text
        assert text.endswith("\n\nExpect a few minutes of errors.")


def test_calendar_descriptions_list_updates_newest_first_each_with_its_status(make_content) -> None:
    """What the window touches, then every update newest first ("Completed" before the
    announcement), each after its status and time, then the summary."""
    files = build_files(make_content, {"maintenance/db.md": HOSTILE_WINDOW}, now=IN_WINDOW_LATE)
    blocks = description(files["maintenance.ics"]).split("\n\n")
    assert blocks[0] == "Affected: API"
    assert blocks[1:9] == [
        "Completed · June 28, 2012, 11:40\u202fPM UTC−7",
        "- API: Under maintenance → Operational",  # (what each update changed)
        "Done. Details in the notes (https://example.com/notes) and the history "
        "(https://status.example.com/history/).",
        "In progress · June 28, 2012, 10:00\u202fPM UTC−7",
        "- API: Operational → Under maintenance",
        "Started: read the plan, really.",
        "Scheduled · June 14, 2012, 10:00\u202fAM UTC−7",
        "We will upgrade the database.",
    ]


def test_a_calendar_without_windows_is_valid_for_strict_parsers(make_content) -> None:
    """A component calendar with no window (and a whole site's with none) still holds one component,
    a VFREEBUSY without busy time, so icalendar's and vobject's validations accept it."""
    empty_site = build_files(make_content, {})
    assert empty_site["maintenance.ics"] == build_files(make_content, {})["maintenance.ics"]  # stable
    for data in (build_files(make_content)["components/web/maintenance.ics"], empty_site["maintenance.ics"]):
        parsed = icalendar.Calendar.from_ical(data)
        parsed.validate()  # raises IncompleteComponent for a calendar without a component
        assert [c.name for c in parsed.subcomponents] == ["VFREEBUSY"]
        (placeholder,) = parsed.subcomponents
        assert "FREEBUSY" not in placeholder and str(placeholder["uid"]).startswith("maintenance-calendar")
        strict = vobject.readOne(data.decode())
        strict.validate(raiseException=True)
        assert [child.name for child in strict.getChildren() if child.name.startswith("V")] == [
            "VERSION",
            "VFREEBUSY",
        ]
    # The placeholder goes once a window exists.
    assert [
        c.name
        for c in icalendar.Calendar.from_ical(build_files(make_content)["maintenance.ics"]).subcomponents
    ] == ["VEVENT"]


def test_every_calendar_has_a_name_of_its_own_in_its_language() -> None:
    """X-WR-CALNAME names the site and, for a component's calendar, the component, translated: a
    reader subscribed to several calendars tells them apart."""
    files = check(Path(__file__).parent.parent / "content", NOW).files
    names = {
        path: str(icalendar.Calendar.from_ical(data)["x-wr-calname"])
        for path, data in files.items()
        if path.endswith(".ics")
    }
    assert len(names) == 2 * (1 + 9) and len(set(names.values())) == len(names)
    assert names["maintenance.ics"] == "Chirp — état du service\u00a0: maintenances"
    assert (
        names["components/api/maintenance.ics"]
        == "Chirp — état du service\u00a0: maintenances (API publique)"
    )
    assert names["en/components/api/maintenance.ics"] == "Chirp status: Public API maintenance"


def test_a_calendar_name_is_escaped_as_ical_text(make_content) -> None:
    """A site title with `;`, `,` and `\\` gives an X-WR-CALNAME escaped as RFC 5545 TEXT (clients
    read it so; written raw, `;` would start a parameter in some)."""
    site = SITE_YAML.replace("title: ", "title: Ops; Status, North\\South ", 1)
    data = build_files(make_content, site=site)["maintenance.ics"]
    (line,) = [line for line in data.decode().splitlines() if line.startswith("X-WR-CALNAME:")]
    assert line.startswith("X-WR-CALNAME:Ops\\; Status\\, North\\\\South ")


# ---------------------------------------------------------------- relative URLs

LINKING_SITE = """\
title: Status
base_url: https://example.com/status/
languages: [en, fr]
components:
  - id: web
    name: Website
"""
LINKING_BODY = (
    "See [the other incident](../other/), [this update](#update-1), [the host's root](/x), "
    "[the history](../../history/), [mail](mailto:ops@example.com), "
    "[elsewhere](https://example.org/a?b=1&c=2) and ![the graph](graph.png)."
)


def links_and_images(html: str) -> list[str]:
    """Every href and src of some HTML, decoded."""
    return [
        value.replace("&amp;", "&")
        for value in re.findall(r'\s(?:href|src)="([^"]*)"', html)
        if "&lt;" not in value
    ]


def test_relative_urls_in_feed_entries_are_resolved_against_the_entrys_page(make_content) -> None:
    """A feed reader resolves a relative URL against the feed's address (or not at all): in every
    feed of every language, an update's or a post-mortem's links and images are absolute, as they
    resolve on the entry's page in that language (`../other/` from `history.atom` would otherwise
    lead out of the site's sub-path)."""
    incident = incident_text(
        resolved="2012-06-21T10:00:00-07:00",
        updates="\n  - at: 2012-06-21T09:10:00-07:00\n    status: investigating\n    body: "
        + json.dumps(LINKING_BODY),
        body=LINKING_BODY.replace("#update-1", "#postmortem"),
    )
    translation = f"---\ntitle: Panne\nupdates:\n  - body: {json.dumps(LINKING_BODY)}\n---\n"
    files = build_files(
        make_content, {"incidents/x.md": incident, "incidents/x.fr.md": translation}, site=LINKING_SITE
    )
    feeds = [path for path in files if path.endswith((".atom", ".rss")) and "maintenance" not in path]
    assert len(feeds) == 2 * 8
    for path in feeds:
        page = "https://example.com/status/" + ("fr/" if path.startswith("fr/") else "") + "incidents/x/"
        parsed = parse(files[path])
        html = "".join(
            e.get("content", [{}])[0].get("value", "") or e.get("summary", "") for e in parsed.entries
        )
        urls = set(links_and_images(html))
        assert urls >= {
            f"{page[: -len('incidents/x/')]}incidents/other/",
            f"{page[: -len('incidents/x/')]}history/",
            "https://example.com/x",
            f"{page}graph.png",
            "mailto:ops@example.com",
            "https://example.org/a?b=1&c=2",
        }, path
        assert f"{page}#update-1" in urls or f"{page}#postmortem" in urls, path
        assert all(re.match(r"(https|mailto):", url) for url in urls), (path, urls)


def test_an_update_shown_on_the_front_page_links_as_on_its_own_page(make_content) -> None:
    """The front page shows an open incident's latest update: its relative links and images lead
    where they lead on the incident's page (`../other/` from `incidents/x/` is `incidents/other/`
    from the front page), in every language; on the incident's page they are as written. A `../`
    that would climb to a scheme stays a path."""
    body = LINKING_BODY + " And [a trick](../../javascript:alert(1))."
    incident = incident_text(
        updates="\n  - at: 2012-06-21T09:10:00-07:00\n    status: identified\n    body: " + json.dumps(body)
    )
    translation = f"---\ntitle: Panne\nupdates:\n  - body: {json.dumps(body)}\n---\n"
    files = build_files(
        make_content, {"incidents/x.md": incident, "incidents/x.fr.md": translation}, site=LINKING_SITE
    )
    for root in ("", "fr/"):  # (each edition's front page and incident page, side by side)
        front = files[f"{root}index.html"].decode()
        card = front[front.index("See <a") :]
        assert links_and_images(card[: card.index("</div>")]) == [
            "incidents/other/",
            "incidents/x/#update-1",
            "/x",
            "history/",
            "mailto:ops@example.com",
            "https://example.org/a?b=1&c=2",
            "incidents/x/graph.png",
            "./javascript:alert(1)",
        ], root
        page = files[f"{root}incidents/x/index.html"].decode()
        assert 'href="../other/"' in page and 'src="graph.png"' in page


@pytest.mark.parametrize(
    "reference",
    [
        "../other/",
        "../../\\/evil.example/",
        "../../\\\\evil.example/p.png",
        "..\\..\\..\\/evil.example/",
        "../..//evil.example/",
        ".//x",
        "../../../../../x",
        "%2e%2e/%2e%2e/x",
        "../../javascript:alert(1)",
        "?q=1#f",
        "#update-2",
        "",
    ],
)
@pytest.mark.parametrize("front", ["", "fr/"])
def test_a_link_resolved_for_the_front_page_leads_where_it_leads_on_its_own_page(
    reference: str, front: str
) -> None:
    """What a browser makes of a link on the incident's page (`fr/incidents/x/`) and of the link
    resolved for the front page (`fr/`): the same site, and never a scheme the text did not write
    (a backslash is a slash to a browser; a `..` must not leave one before a host), the same
    page."""
    origin = "https://example.com/status/"
    on_page = urljoin(f"{origin}{front}incidents/x/", reference.replace("\\", "/"))
    joined = join_relative("incidents/x/", reference)
    on_front = urljoin(f"{origin}{front}", joined.replace("\\", "/"))
    assert urlsplit(on_front)[:2] == urlsplit(on_page)[:2] == ("https", "example.com"), joined
    same = [posixpath.normpath(urlsplit(url).path) + urlsplit(url).query for url in (on_front, on_page)]
    assert same[0] == same[1], joined  # (the same page, but for empty segments: a//b is a/b)


def test_only_href_and_src_attributes_are_resolved_not_text_that_looks_like_them() -> None:
    """An image's alt or a link's title holding ` src=` or ` href=` is left whole; the real
    attribute is resolved."""
    html = '<p><img alt="a src=" src="graph.png"> <a href="../other/" title="x href=">t</a></p>'
    assert resolve_urls(html, "incidents/x/") == (
        '<p><img alt="a src=" src="incidents/x/graph.png"> '
        '<a href="incidents/other/" title="x href=">t</a></p>'
    )
