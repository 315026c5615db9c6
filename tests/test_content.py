"""Content validation beyond the invalid-site fixtures: defaults, derived values and warnings."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from statusgen import ContentError, load_content, parse_incident, parse_site
from statusgen.models import ComponentStatus, Impact, IncidentStatus
from tests.conftest import SITE_YAML, incident_text

SITE = parse_site(SITE_YAML, "site.yaml")


def test_site_defaults_and_normalised_base_url() -> None:
    """language, theme and uptime defaults apply; base_url gains its trailing slash."""
    site = parse_site("title: T\nbase_url: https://example.org/status\ncomponents: [{id: a, name: A}]\n")
    assert site.base_url == "https://example.org/status/"
    assert (site.language, site.timezone, site.theme, site.uptime_days) == ("en", "UTC", "default", 90)
    assert dict(site.downtime_weights)[ComponentStatus.PARTIAL_OUTAGE] == 0.3


def test_list_components_take_their_status_from_impact() -> None:
    """With the list form, each component's status follows the incident's impact."""
    for impact, status in [
        ("none", "operational"),
        ("minor", "degraded_performance"),
        ("major", "partial_outage"),
        ("critical", "major_outage"),
    ]:
        incident = parse_incident(incident_text(impact=impact, components="[web, api]"), "x.md", SITE)
        assert incident.components == (("web", status), ("api", status))


def test_mapping_components_keep_their_own_status() -> None:
    """With the mapping form, each component has the status written for it."""
    text = incident_text(components="{web: major_outage, api: degraded_performance}")
    incident = parse_incident(text, "x.md", SITE)
    assert incident.components == (
        ("web", ComponentStatus.MAJOR_OUTAGE),
        ("api", ComponentStatus.DEGRADED_PERFORMANCE),
    )


def test_resolved_comes_from_a_final_resolved_update() -> None:
    """Without a `resolved` field, the time of a final `resolved` update resolves the incident."""
    updates = (
        "\n  - at: 2012-06-21T09:10:00-07:00\n    status: investigating\n    body: a"
        "\n  - at: 2012-06-21T11:00:00-07:00\n    status: resolved\n    body: b"
    )
    incident = parse_incident(incident_text(updates=updates), "x.md", SITE)
    assert incident.resolved == datetime.fromisoformat("2012-06-21T11:00:00-07:00")
    assert [u.status for u in incident.updates] == [IncidentStatus.INVESTIGATING, IncidentStatus.RESOLVED]
    assert [u.number for u in incident.updates] == [1, 2]


def test_a_reopened_incident_is_ongoing() -> None:
    """A `resolved` update followed by a later non-resolved update leaves the incident open."""
    updates = (
        "\n  - at: 2012-06-21T10:10:00-07:00\n    status: resolved\n    body: back"
        "\n  - at: 2012-06-21T10:25:00-07:00\n    status: investigating\n    body: down again"
    )
    assert parse_incident(incident_text(updates=updates), "x.md", SITE).resolved is None


def test_naive_times_are_in_the_site_time_zone() -> None:
    """`2012-06-21 09:00` without offset means 09:00 in America/Los_Angeles (UTC−7 in June)."""
    incident = parse_incident(incident_text(started="2012-06-21 09:00"), "x.md", SITE)
    assert incident.started.utcoffset() == timedelta(hours=-7)
    assert incident.started.hour == 9


def test_numbers_and_booleans_in_text_fields_are_kept_as_written() -> None:
    """`title: no` is the text "no" (not False) and `title: 1.10` keeps its trailing zero."""
    assert parse_incident(incident_text(title="no"), "x.md", SITE).title == "no"
    assert parse_incident(incident_text(title="1.10"), "x.md", SITE).title == "1.10"


def test_out_of_order_updates_build_sorted_with_a_warning(make_content) -> None:
    """Updates written out of order are shown in time order, and the build warns at the line."""
    updates = (
        "\n  - at: 2012-06-21T10:00:00-07:00\n    status: identified\n    body: later"
        "\n  - at: 2012-06-21T09:10:00-07:00\n    status: investigating\n    body: earlier"
    )
    content = load_content(make_content({"incidents/x.md": incident_text(updates=updates)}))
    assert [u.body for u in content.incidents[0].updates] == ["earlier", "later"]
    [warning] = content.warnings
    assert warning.warning and warning.line == 10 and warning.field == "updates[1].at"
    assert str(warning).startswith(f"{warning.path}:10: warning: updates[1].at: this update is earlier")


def test_hidden_files_and_other_extensions_are_ignored(make_content) -> None:
    """Editor backups, lock files and hidden folders under incidents/ are not content."""
    content_dir = make_content(
        {
            "incidents/real.md": incident_text(),
            "incidents/real.md~": "garbage",
            "incidents/.#real.md": "garbage",
            "incidents/.DS_Store": b"\x00\x01",
            "incidents/.drafts/draft.md": "garbage",
            "incidents/notes.txt": "garbage",
        }
    )
    assert [i.slug for i in load_content(content_dir).incidents] == ["real"]


def test_slugs_are_lower_cased_file_names_and_subfolders_are_read(make_content) -> None:
    """`incidents/2012/Big-Outage.md` has the slug `big-outage`."""
    content_dir = make_content({"incidents/2012/Big-Outage.md": incident_text()})
    assert load_content(content_dir).incidents[0].slug == "big-outage"


def test_all_errors_of_all_files_are_reported_together(make_content) -> None:
    """Two broken files give both errors in one ContentError, sorted by file."""
    content_dir = make_content(
        {
            "incidents/b.md": incident_text(impact="huge"),
            "incidents/a.md": incident_text(started="soon"),
            "maintenance/c.md": "no front matter",
        }
    )
    with pytest.raises(ContentError) as caught:
        load_content(content_dir)
    assert [(Path(p.path).name, p.field) for p in caught.value.problems] == [
        ("a.md", "started"),
        ("b.md", "impact"),
        ("c.md", ""),
    ]


def test_oversized_file_is_refused(make_content, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file over the size cap is an error naming its size, not a slow or crashing build."""
    monkeypatch.setattr("statusgen.content.walk.MAX_FILE_BYTES", 1000)
    content_dir = make_content({"incidents/big.md": incident_text(body="x" * 2000)})
    with pytest.raises(ContentError, match="limit for one content file"):
        load_content(content_dir)


def test_impact_enum_values() -> None:
    """Impact values are exactly Statuspage's."""
    assert [i.value for i in Impact] == ["none", "minor", "major", "critical"]


def test_the_load_stage_can_be_driven_step_by_step(make_content) -> None:
    """`plan_content` lists the documents as plain data (picklable jobs, for worker processes),
    `read_document` reads each, and `assemble_content` gives what `load_content` gives; the
    problems of every file and the checks across files come at once from the last step."""
    import pickle

    from statusgen.content import assemble_content, plan_content, read_document

    files = {
        "incidents/a.md": incident_text(),
        "incidents/b.md": incident_text(title="Second", started="2012-06-20T09:00:00-07:00"),
        "maintenance/m.md": "---\ntitle: M\nstart: 2012-06-22T09:00:00Z\nend: 2012-06-22T10:00:00Z\n---\n",
    }
    content_dir = make_content(files)
    plan = plan_content(content_dir)
    assert [Path(job.shown).name for job in plan.jobs] == ["a.md", "b.md", "m.md"]
    assert pickle.loads(pickle.dumps(plan)) == plan
    results = [read_document(job) for job in plan.jobs]
    assert assemble_content(plan, results) == load_content(content_dir)
    assert [i.slug for i in assemble_content(plan, results).incidents] == ["b", "a"]  # by start

    broken = make_content({**files, "incidents/A.md": incident_text(impact="huge")})
    plan = plan_content(broken)
    with pytest.raises(ContentError) as caught:
        assemble_content(plan, [read_document(job) for job in plan.jobs])
    assert sorted((Path(p.path).name, p.field) for p in caught.value.problems) == [
        ("A.md", "impact"),
        ("a.md", ""),  # the slug 'a' is already used by A.md (read first)
    ]
