"""The example site's feeds and calendars pass checks that share no code with the generators.

- Atom: RELAX NG validation (lxml) against `schemas/atom.rng`, the schema of RFC 4287, Appendix B.
- RSS 2.0 has no official schema: its structure is checked element by element with lxml.
- iCalendar: parsed by vobject, not by `icalendar`, which writes the files.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path

import pytest
import vobject
from lxml import etree

from statusgen import check

CONTENT = Path(__file__).parent.parent / "content"
ATOM_SCHEMA = Path(__file__).parent / "schemas" / "atom.rng"
ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM = f"{{{ATOM_NS}}}"
# During the outage of 21 June 2012, and the next day once it is resolved.
NOWS = ["2012-06-21T10:30:00-07:00", "2012-06-22T12:00:00-07:00"]


@cache
def built(now: str) -> dict[str, bytes]:
    """The example site built in memory at `now` (one build per `now` for the whole module)."""
    return check(CONTENT, datetime.fromisoformat(now)).files


def outputs(now: str, suffix: str) -> dict[str, bytes]:
    """The built files whose path ends with `suffix`; there is at least one."""
    found = {path: data for path, data in sorted(built(now).items()) if path.endswith(suffix)}
    assert found, f"the build at {now} wrote no {suffix} file"
    return found


@cache
def atom_schema() -> etree.RelaxNG:
    """The RFC 4287 RELAX NG schema, compiled once."""
    return etree.RelaxNG(etree.parse(str(ATOM_SCHEMA)))


# ---------------------------------------------------------------- Atom


@pytest.mark.parametrize("now", NOWS)
def test_every_atom_feed_is_valid_against_the_rfc_4287_schema(now: str) -> None:
    """Each .atom file the build writes validates against RFC 4287's RELAX NG schema without errors."""
    schema = atom_schema()
    failures: dict[str, str] = {}
    for path, data in outputs(now, ".atom").items():
        root = etree.fromstring(data)
        assert root.tag == f"{ATOM}feed", f"{path}: root is {root.tag}"
        try:
            schema.assertValid(root)
        except etree.DocumentInvalid:
            failures[path] = str(schema.error_log)
            continue
        if len(schema.error_log):
            failures[path] = str(schema.error_log)
    assert not failures, "Atom feeds rejected by the RFC 4287 schema:\n" + "\n".join(
        f"{path}:\n{log}" for path, log in failures.items()
    )


def _without_feed_id(root: etree._Element) -> None:
    """Remove the feed's own <id>, which RFC 4287 requires exactly once."""
    feed_id = root.find(f"{ATOM}id")
    assert feed_id is not None
    root.remove(feed_id)


def _with_non_date_updated(root: etree._Element) -> None:
    """Put a value that is no xsd:dateTime in the feed's <updated>."""
    updated = root.find(f"{ATOM}updated")
    assert updated is not None
    updated.text = "21 June 2012"


@pytest.mark.parametrize("damage", [_without_feed_id, _with_non_date_updated])
def test_the_atom_schema_rejects_a_damaged_feed(damage: Callable[[etree._Element], None]) -> None:
    """A built feed that validates is rejected once its <id> is removed or its <updated> is not a date."""
    schema = atom_schema()
    data = built(NOWS[1])["history.atom"]
    assert schema.validate(etree.fromstring(data)), str(schema.error_log)
    root = etree.fromstring(data)
    damage(root)
    assert not schema.validate(root)
    with pytest.raises(etree.DocumentInvalid):
        schema.assertValid(root)
    assert len(schema.error_log) > 0


# ---------------------------------------------------------------- RSS


def _text(element: etree._Element, tag: str) -> str:
    """The stripped text of `element`'s single child `tag`, or "" if there is none."""
    found = element.findall(tag)
    assert len(found) <= 1, f"more than one <{tag}> in <{element.tag}>"
    return (found[0].text or "").strip() if found else ""


@pytest.mark.parametrize("now", NOWS)
def test_every_rss_feed_has_the_structure_rss_2_0_requires(now: str) -> None:
    """Each .rss file is <rss version="2.0"> with one complete channel, dated items and a self link."""
    for path, data in outputs(now, ".rss").items():
        root = etree.fromstring(data)
        assert root.tag == "rss", path
        assert root.get("version") == "2.0", path
        channels = root.findall("channel")
        assert len(channels) == 1, f"{path}: {len(channels)} <channel> elements"
        channel = channels[0]
        assert len(root) == 1, f"{path}: <rss> has children other than <channel>"
        for required in ("title", "link", "description"):
            assert _text(channel, required), f"{path}: channel has no <{required}>"

        for number, item in enumerate(channel.findall("item"), 1):
            where = f"{path}, item {number}"
            assert _text(item, "title") or _text(item, "description"), f"{where}: no title nor description"
            assert _text(item, "guid"), f"{where}: no <guid>"
            pub_date = _text(item, "pubDate")
            assert pub_date, f"{where}: no <pubDate>"
            try:
                parsed = parsedate_to_datetime(pub_date)
            except (TypeError, ValueError) as error:
                pytest.fail(f"{where}: <pubDate> {pub_date!r} is no RFC 822 date ({error})")
            assert parsed.tzinfo is not None, f"{where}: <pubDate> {pub_date!r} has no time zone"

        self_links = [link for link in channel.findall(f"{ATOM}link") if link.get("rel") == "self"]
        assert len(self_links) == 1, f"{path}: {len(self_links)} atom:link rel=self"
        href = self_links[0].get("href") or ""
        assert href.endswith("/" + path), f"{path}: self link {href!r} does not point at the file"


# ---------------------------------------------------------------- iCalendar


def _assert_utc(where: str, name: str, value: object, params: dict[str, list[str]]) -> None:
    """A DATE-TIME in UTC form: a datetime with a zero offset and no TZID parameter."""
    assert isinstance(value, datetime), f"{where}: {name} is {value!r}, not a date-time"
    assert value.utcoffset() == timedelta(0), f"{where}: {name} {value.isoformat()} is not in UTC"
    assert "TZID" not in params, f"{where}: {name} has a TZID instead of the UTC form"


@pytest.mark.parametrize("now", NOWS)
def test_every_calendar_is_valid_icalendar_for_an_independent_parser(now: str) -> None:
    """Each .ics file parses and validates with vobject; each VEVENT has its required fields in UTC."""
    events = 0
    for path, data in outputs(now, ".ics").items():
        calendar = vobject.readOne(data.decode("utf-8"))
        assert calendar.name == "VCALENDAR", path
        calendar.validate(raiseException=True)
        assert calendar.version.value == "2.0", path
        assert calendar.prodid.value, path
        for event in calendar.contents.get("vevent", []):
            events += 1
            uids = event.contents.get("uid", [])
            where = f"{path}, VEVENT {uids[0].value if uids else '(no UID)'}"
            for name in ("uid", "dtstamp", "dtstart", "dtend", "summary"):
                assert len(event.contents.get(name, [])) == 1, f"{where}: {name.upper()} missing or repeated"
            assert event.uid.value.strip(), f"{where}: empty UID"
            assert event.summary.value.strip(), f"{where}: empty SUMMARY"
            for name in ("dtstamp", "dtstart", "dtend"):
                prop = event.contents[name][0]
                _assert_utc(where, name.upper(), prop.value, prop.params)
            assert event.dtend.value > event.dtstart.value, f"{where}: DTEND is not after DTSTART"
    assert events, f"the calendars built at {now} hold no VEVENT at all"
