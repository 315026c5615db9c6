"""The Statuspage-compatible JSON API, badges, next-change and the changes between two builds."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
from click.testing import CliRunner
from referencing import Registry, Resource

from statusgen import check
from statusgen.changes import compare
from statusgen.cli import main
from statusgen.statuspage import stable_id, to_json
from tests.conftest import NOW, incident_text
from tests.test_feeds import OUTAGE, WINDOW, build_files, build_result

SCHEMA_PATH = Path(__file__).parent / "schemas" / "statuspage-v2.schema.json"
EXAMPLE = Path(__file__).parent.parent / "content"
ENDPOINTS = {
    "summary.json": "summary",
    "status.json": "status_response",
    "components.json": "components_response",
    "incidents.json": "incidents_response",
    "incidents/unresolved.json": "incidents_response",
    "scheduled-maintenances.json": "scheduled_maintenances_response",
    "scheduled-maintenances/upcoming.json": "scheduled_maintenances_response",
    "scheduled-maintenances/active.json": "scheduled_maintenances_response",
}
DURING = datetime.fromisoformat("2012-06-21T09:50:00-07:00")
IN_WINDOW = datetime.fromisoformat("2012-06-28T23:00:00-07:00")


def validator(definition: str) -> jsonschema.Draft202012Validator:
    """A validator for one definition of the Statuspage v2 schema kept in tests/schemas/."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    registry = Registry().with_resource("statuspage", Resource.from_contents(schema))
    return jsonschema.Draft202012Validator(
        {"$ref": f"statuspage#/$defs/{definition}"},
        registry=registry,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def api(files: dict[str, bytes], name: str) -> dict:
    """One JSON file of the API, parsed."""
    return json.loads(files[f"api/v2/{name}"])


@pytest.mark.parametrize("now", [DURING, NOW, IN_WINDOW], ids=["during", "after", "in-window"])
def test_every_endpoint_matches_statuspage_schema(make_content, now: datetime) -> None:
    """Each api/v2 file validates against the schema written from Statuspage's public API docs."""
    files = build_files(make_content, now=now)
    for name, definition in ENDPOINTS.items():
        errors = [
            f"{list(e.absolute_path)}: {e.message}"
            for e in validator(definition).iter_errors(api(files, name))
        ]
        assert errors == [], name


def test_the_example_outage_is_in_the_api_with_its_updates() -> None:
    """The example site's incident of 21 June 2012 appears, valid, with every update newest first."""
    files = check(EXAMPLE, datetime.fromisoformat("2012-06-22T12:00:00-07:00")).files
    for name, definition in ENDPOINTS.items():
        validator(definition).validate(api(files, name))
    incidents = api(files, "incidents.json")["incidents"]
    outage = next(i for i in incidents if i["started_at"] == "2012-06-21T09:00:00.000-07:00")
    assert outage["impact"] == "critical" and outage["status"] == "resolved"
    assert outage["resolved_at"] == "2012-06-21T11:00:00.000-07:00"
    times = [u["display_at"] for u in outage["incident_updates"]]
    assert len(times) == 7 and times == sorted(times, reverse=True)
    assert outage["shortlink"] == "https://status.example.com/incidents/2012-06-21-panne-mondiale/"


def test_during_an_incident_the_api_says_what_the_page_says(make_content) -> None:
    """Indicator, component statuses and unresolved incidents agree with the page at `now`."""
    files = build_files(make_content, now=DURING)
    summary = api(files, "summary.json")
    assert summary["status"] == {"indicator": "critical", "description": "Major System Outage"}
    statuses = {c["name"]: c["status"] for c in summary["components"]}
    assert statuses == {
        "Platform": "major_outage",
        "Website": "major_outage",
        "API": "partial_outage",
        "E-mail": "operational",
    }
    group = next(c for c in summary["components"] if c["group"])
    members = [c["id"] for c in summary["components"] if c["group_id"] == group["id"]]
    assert group["components"] == members and len(members) == 2
    (incident,) = summary["incidents"]
    assert incident["status"] == "identified" and incident["resolved_at"] is None
    assert [u["status"] for u in incident["incident_updates"]] == ["identified", "investigating"]
    assert api(files, "incidents/unresolved.json")["incidents"] == summary["incidents"]
    assert api(files, "status.json") == {"page": summary["page"], "status": summary["status"]}
    assert summary["page"]["updated_at"] == "2012-06-21T09:40:00.000-07:00"  # the latest event, not the clock


def test_affected_components_move_from_old_to_new_status(make_content) -> None:
    """The first update takes components down, the resolving update brings them back."""
    files = build_files(make_content)
    incident = next(i for i in api(files, "incidents.json")["incidents"] if i["name"] == "Website down")
    resolved, identified, investigating = incident["incident_updates"]
    changes = {c["name"]: (c["old_status"], c["new_status"]) for c in investigating["affected_components"]}
    assert changes == {"Website": ("operational", "major_outage"), "API": ("operational", "partial_outage")}
    changes = {c["name"]: (c["old_status"], c["new_status"]) for c in resolved["affected_components"]}
    assert changes == {"Website": ("major_outage", "operational"), "API": ("partial_outage", "operational")}
    assert identified["affected_components"] is None  # it changed nothing
    assert {c["code"] for c in investigating["affected_components"]} == {
        stable_id("component", "web"),
        stable_id("component", "api"),
    }


def test_maintenance_lists_follow_the_window(make_content) -> None:
    """Upcoming before the window, active inside it; scheduled_for/until carry the window."""
    before = build_files(make_content)
    (upcoming,) = api(before, "scheduled-maintenances/upcoming.json")["scheduled_maintenances"]
    assert upcoming["status"] == "scheduled" and upcoming["impact"] == "maintenance"
    assert upcoming["scheduled_for"] == "2012-06-28T22:00:00.000-07:00"
    assert upcoming["scheduled_until"] == "2012-06-29T00:00:00.000-07:00"
    assert api(before, "scheduled-maintenances/active.json")["scheduled_maintenances"] == []
    during = build_files(make_content, now=IN_WINDOW)
    (active,) = api(during, "scheduled-maintenances/active.json")["scheduled_maintenances"]
    assert active["status"] == "in_progress"
    assert api(during, "summary.json")["status"]["indicator"] == "maintenance"
    statuses = {c["name"]: c["status"] for c in api(during, "components.json")["components"]}
    assert statuses["API"] == "under_maintenance"


def test_ids_are_stable_and_statuspage_shaped(make_content) -> None:
    """Ids are 12 base-36 characters from the slug: equal across builds, distinct across kinds."""
    first, second = build_files(make_content), build_files(make_content, now=DURING)
    ids = [i["id"] for i in api(first, "incidents.json")["incidents"]]
    assert ids == [stable_id("incident", "outage"), stable_id("incident", "old")]
    assert [i["id"] for i in api(second, "incidents.json")["incidents"]] == ids
    assert all(re.fullmatch(r"[0-9a-z]{12}", i) for i in ids)
    assert stable_id("incident", "db") != stable_id("maintenance", "db")


def test_json_is_safe_to_embed_in_html(make_content) -> None:
    """<, > and & are written as \\u003c, \\u003e, \\u0026; the parsed value is unchanged."""
    title = '"</script><script>alert(1)</script> & co"'
    files = build_files(make_content, {"incidents/x.md": incident_text(title=title)})
    raw = files["api/v2/incidents.json"]
    assert b"<" not in raw and b">" not in raw and b"&" not in raw
    assert b"\\u003c/script\\u003e" in raw
    assert api(files, "incidents.json")["incidents"][0]["name"] == "</script><script>alert(1)</script> & co"
    assert to_json({"a": "\u2028"}) == b'{"a":"\\u2028"}\n'
    for name, data in files.items():
        if name.endswith(".json"):
            assert b"<" not in data, name


def test_incidents_json_keeps_the_newest_and_every_unresolved(make_content) -> None:
    """The list holds feeds.entries incidents (Statuspage's 50), plus any unresolved older one."""
    files = {
        f"incidents/i{n}.md": incident_text(
            started=f"2012-06-{n:02d}T08:00:00-07:00", resolved=f"2012-06-{n:02d}T09:00:00-07:00"
        )
        for n in range(2, 6)
    }
    files["incidents/open.md"] = incident_text(started="2012-06-01T08:00:00-07:00")
    from tests.conftest import SITE_YAML

    built = build_files(make_content, files, site=SITE_YAML + "feeds:\n  entries: 2\n")
    names = [i["id"] for i in api(built, "incidents.json")["incidents"]]
    assert names == [stable_id("incident", s) for s in ("i5", "i4", "open")]


# ---------------------------------------------------------------- badges


def test_badges_show_the_status_word_and_colour(make_content) -> None:
    """badge.svg is well-formed SVG with an accessible name; badge.json is a Shields endpoint."""
    files = build_files(make_content, now=DURING)
    svg = ElementTree.fromstring(files["badge.svg"])
    assert svg.get("aria-label") == "status: major outage"
    assert json.loads(files["badge.json"]) == {
        "schemaVersion": 1,
        "label": "status",
        "message": "major outage",
        "color": "red",
    }
    assert json.loads(files["components/api/badge.json"])["message"] == "partial outage"
    assert json.loads(files["components/mail/badge.json"])["color"] == "brightgreen"
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["status", "major outage"]


def test_maintenance_badges_say_maintenance_not_down(make_content) -> None:
    """Under maintenance is blue and says so."""
    files = build_files(make_content, now=IN_WINDOW)
    assert json.loads(files["components/api/badge.json"])["message"] == "under maintenance"
    assert json.loads(files["badge.json"])["color"] == "blue"


def test_badge_text_is_escaped(make_content) -> None:
    """A component name with markup stays text inside the SVG."""
    from tests.conftest import SITE_YAML

    site = SITE_YAML.replace("name: E-mail", 'name: "<b onload=alert(1)>Mail & co"')
    files = build_files(make_content, {}, site=site)
    svg = ElementTree.fromstring(files["components/mail/badge.svg"])
    assert (
        next(t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")) == "<b onload=alert(1)>Mail & co"
    )
    assert b"<b " not in files["components/mail/badge.svg"]


# ---------------------------------------------------------------- next change


def test_next_change_names_the_next_event(make_content) -> None:
    """api/statusgen/next-change.json: the soonest instant the output changes by itself, and why."""
    files = build_files(make_content, now=DURING)
    data = json.loads(files["api/statusgen/next-change.json"])
    assert data["next_change"] == {
        "at": "2012-06-21T10:20:00-07:00",
        "reason": "incident outage is resolved",
    }
    assert data["upcoming"][1] == {
        "at": "2012-06-21T10:20:00-07:00",
        "reason": "incident outage posts update 3",
    }
    later = json.loads(
        build_files(make_content, now=datetime.fromisoformat("2012-06-28T21:00:00-07:00"))[
            "api/statusgen/next-change.json"
        ]
    )
    assert later["next_change"] == {"at": "2012-06-28T22:00:00-07:00", "reason": "maintenance db starts"}


def test_next_change_never_names_an_incident_written_ahead(make_content) -> None:
    """An incident that starts after `now` is not on the site yet: the published next-change.json
    says when it starts, never its slug (which often says what it is about); the command, for
    the operator, names it."""
    ahead = incident_text(
        title="Planned", started="2012-06-25T09:00:00-07:00", resolved="2012-06-25T10:00:00-07:00"
    )
    files = {"incidents/2012-06-25-acquisition-cutover.md": ahead}
    built = build_files(make_content, files)
    assert [path for path, data in built.items() if b"acquisition" in data] == []
    upcoming = json.loads(built["api/statusgen/next-change.json"])["upcoming"]
    assert {"at": "2012-06-25T09:00:00-07:00", "reason": "an incident not yet published starts"} in upcoming
    assert {
        "at": "2012-07-02T10:00:00-07:00",
        "reason": "an incident not yet published leaves the recent incidents",
    } in upcoming
    content = make_content(files)
    before = "2012-06-25T08:00:00-07:00"
    result = CliRunner().invoke(main, ["next-change", "--content", str(content), "--now", before])
    assert result.output == "2012-06-25T09:00:00-07:00\tincident 2012-06-25-acquisition-cutover starts\n"
    started = datetime.fromisoformat("2012-06-25T09:30:00-07:00")
    data = json.loads(build_files(make_content, files, now=started)["api/statusgen/next-change.json"])
    assert data["next_change"]["reason"] == "incident 2012-06-25-acquisition-cutover is resolved"


def test_with_nothing_scheduled_the_next_change_is_the_next_local_midnight(make_content) -> None:
    """The uptime bars roll at midnight in the site's zone."""
    files = build_files(make_content, {})
    data = json.loads(files["api/statusgen/next-change.json"])
    assert data["next_change"] == {
        "at": "2012-06-22T00:00:00-07:00",
        "reason": "the uptime window moves to 2012-06-22",
    }


def test_next_change_command_prints_the_instant(make_content) -> None:
    """`statusgen next-change` prints the instant and the reason, tab-separated."""
    content = make_content({"incidents/outage.md": OUTAGE, "maintenance/db.md": WINDOW})
    result = CliRunner().invoke(main, ["next-change", "--content", str(content), "--now", DURING.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output == "2012-06-21T10:20:00-07:00\tincident outage is resolved\n"


# ---------------------------------------------------------------- changes


def test_changes_lists_new_updates_and_status_moves(make_content) -> None:
    """Between two builds: each new update once, and a status moved by the clock alone."""
    earlier = build_files(make_content, now=DURING)
    later = build_result(make_content, now=IN_WINDOW)
    found = compare(earlier, later.derived)
    assert found["previous_build_found"] and found["status_changed"]
    assert found["status"] == {
        "old": {"indicator": "critical", "description": "Major System Outage"},
        "new": {"indicator": "maintenance", "description": "Service Under Maintenance"},
    }
    events = [
        (c["kind"], c["event"], c["status"], c["update"] and c["update"]["status"], c["at"])
        for c in found["changes"]
    ]
    assert events == [
        ("incident", "updated", "resolved", "resolved", "2012-06-21T10:20:00.000-07:00"),
        ("maintenance", "status_changed", "in_progress", None, "2012-06-28T22:00:00.000-07:00"),
    ]
    assert found["changes"][0]["update"]["body"] == "Back to normal."
    assert found["changes"][0]["url"] == "https://status.example.com/incidents/outage/"
    assert compare(later.files, later.derived)["changes"] == []


def test_changes_give_each_update_as_markdown_and_as_plain_text(make_content) -> None:
    """`update.body` is the Markdown source, as in the JSON API; `update.text` is plain text read
    from the sanitised HTML: no tag, no javascript:, links written out (relative ones resolved
    against the incident's page)."""
    body = (
        "Rolled **back**. <script>alert(1)</script>See <a href='javascript:alert(2)'>this</a>, "
        "[the notes](https://example.com/notes) and [update 1](#update-1)."
    )
    outage = OUTAGE.replace("body: Back to normal.", f"body: {json.dumps(body)}")
    before = build_files(make_content, {"incidents/outage.md": outage}, now=DURING)
    after = build_result(make_content, {"incidents/outage.md": outage}).derived
    (change,) = compare(before, after)["changes"]
    assert change["update"]["body"] == body
    assert change["update"]["text"] == (
        "Rolled back. See this, the notes (https://example.com/notes) and "
        "update 1 (https://status.example.com/incidents/outage/#update-1)."
    )
    assert list(change["update"]) == ["id", "number", "status", "body", "text", "display_at"]


def test_a_new_incident_is_created_with_its_first_update(make_content) -> None:
    """A new incident's first update is "created", the later ones "updated"."""
    before = build_files(make_content, {})
    after = build_result(make_content, {"incidents/outage.md": OUTAGE}, now=DURING).derived
    events = [(c["event"], c["update"]["status"]) for c in compare(before, after)["changes"]]
    assert events == [("created", "investigating"), ("updated", "identified")]


def test_without_a_previous_build_nothing_is_announced(make_content) -> None:
    """A first publication must not flood the subscribers with the whole history."""
    found = compare({}, build_result(make_content).derived)
    assert found == {
        "previous_build_found": False,
        "status": {"old": None, "new": found["status"]["new"]},
        "status_changed": False,
        "changes": [],
    }


def test_changes_command_compares_with_a_published_folder(make_content, tmp_path: Path) -> None:
    """`statusgen changes --since DIR` prints the JSON; a missing DIR is a usage error."""
    content = make_content({"incidents/outage.md": OUTAGE})
    runner = CliRunner()
    published = tmp_path / "published"
    assert (
        runner.invoke(
            main,
            ["build", "--content", str(content), "--output", str(published), "--now", DURING.isoformat()],
        ).exit_code
        == 0
    )
    result = runner.invoke(
        main, ["changes", "--content", str(content), "--since", str(published), "--now", NOW.isoformat()]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [c["update"]["status"] for c in data["changes"]] == ["resolved"]
    assert [c["update"]["text"] for c in data["changes"]] == ["Back to normal."]
    missing = runner.invoke(main, ["changes", "--content", str(content), "--since", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_the_schema_rejects_a_wrong_shape(make_content) -> None:
    """The schema is strict enough to catch a wrong enum, a missing field or a bad timestamp."""
    summary = api(build_files(make_content, now=DURING), "summary.json")
    check_summary = validator("summary")
    assert check_summary.is_valid(summary)
    wrong_status = json.loads(json.dumps(summary))
    wrong_status["components"][1]["status"] = "down"
    missing_until = api(build_files(make_content), "scheduled-maintenances/upcoming.json")
    del missing_until["scheduled_maintenances"][0]["scheduled_until"]
    bad_time = json.loads(json.dumps(summary))
    bad_time["page"]["updated_at"] = "21/06/2012 09:40"
    assert not check_summary.is_valid(wrong_status)
    assert not validator("scheduled_maintenances_response").is_valid(missing_until)
    assert not check_summary.is_valid(bad_time)
