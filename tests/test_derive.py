"""The derived model: content format v2 (states per update), post-mortems, drafts, and every output
reading the same derived facts."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statusgen import ContentError, check, load_content, parse_incident, parse_site
from statusgen.changes import compare
from statusgen.derive import derive
from statusgen.models import (
    DEFAULT_DOWNTIME_WEIGHTS,
    IMPACT_STATUS,
    Component,
    ComponentStatus,
    Content,
    Impact,
    Incident,
    IncidentStatus,
    Site,
    Update,
)
from tests.conftest import SITE_YAML, incident_text

SITE = parse_site(SITE_YAML, "site.yaml")
T = datetime.fromisoformat
EXAMPLE = Path(__file__).parent.parent / "content"
OUTAGE = "2012-06-21-panne-mondiale"

ESCALATING = incident_text(
    impact="minor",
    components="[web]",
    updates="""
  - at: 2012-06-21T09:10:00-07:00
    status: investigating
    body: Slow pages.
  - at: 2012-06-21T09:30:00-07:00
    status: identified
    impact: critical
    components: {web: major_outage, api: partial_outage}
    body: Worse, the API too.
  - at: 2012-06-21T09:50:00-07:00
    status: monitoring
    components: {web: operational}
    body: The website is back.
  - at: 2012-06-21T10:00:00-07:00
    status: resolved
    body: All good.""",
)


def derived_incident(text: str, now: str):  # type: ignore[no-untyped-def]
    """The incident of `text`, derived as of `now`."""
    (entry,) = derive(Content(SITE, (parse_incident(text, "i.md", SITE),)), T(now)).incidents
    return entry


def test_updates_change_impact_and_components_from_their_instant() -> None:
    """Escalation and partial recovery give each component its own intervals."""
    entry = derived_incident(ESCALATING, "2012-06-21T12:00:00-07:00")
    intervals = {
        a.id: [(i.start.strftime("%H:%M"), i.end.strftime("%H:%M"), i.status) for i in a.intervals]
        for a in entry.affected
    }
    assert intervals == {
        "web": [("09:00", "09:30", "degraded_performance"), ("09:30", "09:50", "major_outage")],
        "api": [("09:30", "10:00", "partial_outage")],
    }
    assert entry.impact is Impact.CRITICAL  # the highest it reached
    assert [(a.id, a.worst, a.status) for a in entry.affected] == [
        ("web", "major_outage", "operational"),
        ("api", "partial_outage", "operational"),
    ]
    changes = [[(c.component, c.old, c.new) for c in u.changes] for u in entry.updates]
    assert changes == [
        [("web", "operational", "degraded_performance")],  # the first update carries the start
        [("web", "degraded_performance", "major_outage"), ("api", "operational", "partial_outage")],
        [("web", "major_outage", "operational")],
        [("api", "partial_outage", "operational")],
    ]


def test_while_open_the_overview_follows_the_current_state() -> None:
    """At 09:55 the website is back: only the API shows, and the indicator follows the impact now."""
    content = Content(SITE, (parse_incident(ESCALATING, "i.md", SITE),))
    snap = derive(content, T("2012-06-21T09:55:00-07:00")).snapshot
    assert snap.component("web").status is ComponentStatus.OPERATIONAL
    assert snap.component("api").status is ComponentStatus.PARTIAL_OUTAGE
    assert snap.indicator == "critical"  # the current impact is still critical
    early = derive(content, T("2012-06-21T09:20:00-07:00")).snapshot
    assert early.indicator == "minor" and early.active_incidents[0].current_impact is Impact.MINOR


def test_the_list_form_takes_the_status_the_current_impact_implies() -> None:
    """`components: [api]` in an update that raises the impact to major: api is in partial outage."""
    text = incident_text(
        impact="minor",
        updates="""
  - at: 2012-06-21T09:30:00-07:00
    status: identified
    impact: major
    components: [api]
    body: The API too.""",
    )
    entry = derived_incident(text, "2012-06-21T10:00:00-07:00")
    assert [(a.id, a.status) for a in entry.affected] == [
        ("web", "degraded_performance"),
        ("api", "partial_outage"),
    ]


REOPENED = """
  - at: 2012-06-21T09:10:00-07:00
    status: investigating
    impact: major
    components: {api: partial_outage}
    body: Down.
  - at: 2012-06-21T10:00:00-07:00
    status: resolved
    body: Fixed.
  - at: 2012-06-21T11:00:00-07:00
    status: investigating
    body: Down again."""


def test_reopening_without_components_restores_the_state_before_the_resolution() -> None:
    """Between the resolution and the reopening everything is operational; then it is as before."""
    entry = derived_incident(incident_text(updates=REOPENED), "2012-06-21T12:00:00-07:00")
    web = next(a for a in entry.affected if a.id == "web")
    assert [(i.start.hour, i.end, i.status) for i in web.intervals] == [
        (9, T("2012-06-21T10:00:00-07:00"), "major_outage"),
        (11, None, "major_outage"),
    ]
    assert entry.current_impact is Impact.MAJOR and entry.active
    assert [(c.component, c.new) for c in entry.updates[2].changes] == [
        ("web", "major_outage"),
        ("api", "partial_outage"),
    ]


def test_reopening_with_components_starts_from_operational() -> None:
    """A reopening update naming components sets only those."""
    updates = REOPENED + "\n    components: {web: degraded_performance}"
    entry = derived_incident(incident_text(updates=updates), "2012-06-21T12:00:00-07:00")
    assert [(a.id, a.status) for a in entry.affected] == [
        ("web", "degraded_performance"),
        ("api", "operational"),
    ]


def one_update(status: str, fields: str) -> str:
    """An `updates` list of one update at 09:30 with these extra fields."""
    return f"\n  - at: 2012-06-21T09:30:00-07:00\n    status: {status}\n{fields}    body: x"


@pytest.mark.parametrize(
    ("updates", "expected"),
    [
        (
            one_update("identified", "    components: {wbe: major_outage}\n"),
            "i.md:9: updates[0].components.wbe: unknown component 'wbe'; site.yaml defines web, api, "
            "mail (did you mean 'web'?)",
        ),
        (
            one_update("identified", "    components: {web: down}\n"),
            "i.md:9: updates[0].components.web: unknown component status 'down'; expected one of "
            "operational, degraded_performance, partial_outage, major_outage",
        ),
        (
            one_update("identified", "    impact: severe\n"),
            "i.md:9: updates[0].impact: unknown impact 'severe'; expected one of none, minor, major, "
            "critical",
        ),
        (
            one_update("resolved", "    components: [web]\n"),
            "i.md:9: updates[0].components: a resolved update returns every component to operational; "
            "it takes no components (remove components from this update)",
        ),
    ],
)
def test_bad_update_states_are_located_errors(updates: str, expected: str) -> None:
    """Unknown ids, statuses and impacts in an update are reported on their line, with a hint."""
    with pytest.raises(ContentError) as caught:
        parse_incident(incident_text(updates=updates), "i.md", SITE)
    assert expected in [str(p) for p in caught.value.problems]


# ---------------------------------------------------------------- post-mortems


POSTMORTEM = incident_text(
    resolved="2012-06-21T10:00:00-07:00",
    postmortem_at="2012-06-22T16:00:00-07:00",
    updates="\n  - at: 2012-06-21T10:00:00-07:00\n    status: resolved\n    body: Fixed.",
    body="## What happened\n\nA <em>cascading</em> bug.\n",
)


def test_a_post_mortem_shows_nowhere_before_it_is_published(make_content) -> None:
    """Before `postmortem_at`: no body on the page, in feeds, JSON or changes; the page says one
    will follow; `next-change` counts the instant."""
    files = check(make_content({"incidents/x.md": POSTMORTEM}), T("2012-06-22T12:00:00-07:00")).files
    page = files["incidents/x/index.html"].decode()
    assert "cascading" not in page and "A post-mortem will follow." in page
    for name, data in files.items():
        if name.endswith((".atom", ".rss", ".json", ".ics")):
            assert b"cascading" not in data, name
    (incident,) = json.loads(files["api/v2/incidents.json"])["incidents"]
    assert incident["status"] == "resolved" and incident["postmortem_body"] is None
    upcoming = json.loads(files["api/statusgen/next-change.json"])["upcoming"]
    assert {"at": "2012-06-22T16:00:00-07:00", "reason": "incident x publishes its post-mortem"} in upcoming


def test_a_published_post_mortem_is_everywhere(make_content) -> None:
    """From `postmortem_at` on: the page, a "[Post-mortem]" feed entry of its own, the JSON status
    `postmortem` with its body and date, and a `postmortem` event in `changes`."""
    content = make_content({"incidents/x.md": POSTMORTEM})
    before = check(content, T("2012-06-22T12:00:00-07:00"))
    after = check(content, T("2012-06-22T17:00:00-07:00"))
    page = after.files["incidents/x/index.html"].decode()
    assert 'id="postmortem"' in page and "<em>cascading</em>" in page
    assert "A post-mortem will follow." not in page
    entries = feedparser.parse(after.files["updates.atom"]).entries
    assert [e.title for e in entries] == ["[Post-mortem] Website down", "[Resolved] Website down"]
    assert entries[0].id.endswith("incidents/x#postmortem") and entries[0].link.endswith("#postmortem")
    (incident,) = json.loads(after.files["api/v2/incidents.json"])["incidents"]
    assert incident["status"] == "postmortem"
    assert incident["postmortem_published_at"] == "2012-06-22T16:00:00.000-07:00"
    assert incident["postmortem_body"].startswith("## What happened")
    changes = compare(before.files, after.derived)["changes"]
    assert [(c["event"], c["link"]) for c in changes] == [
        ("postmortem", "https://status.example.com/incidents/x/#postmortem")
    ]
    assert compare(after.files, after.derived)["changes"] == []


def test_postmortem_at_needs_a_body_and_follows_the_start() -> None:
    """A `postmortem_at` without a post-mortem, or before the incident, is a located error."""
    with pytest.raises(ContentError) as caught:
        parse_incident(incident_text(postmortem_at="2012-06-22T16:00:00-07:00"), "i.md", SITE)
    assert "i.md:6: postmortem_at: says when the post-mortem was published, but the file has no" in str(
        caught.value
    )
    with pytest.raises(ContentError) as caught:
        parse_incident(incident_text(postmortem_at="2012-06-20T16:00:00-07:00", body="x"), "i.md", SITE)
    assert "before the incident started" in str(caught.value)


def test_without_postmortem_at_the_body_shows_always(make_content) -> None:
    """Format v1: the body is shown from the start, as before."""
    files = check(
        make_content({"incidents/x.md": incident_text(body="Summary here.")}), T("2012-06-21T09:30:00-07:00")
    ).files
    assert "Summary here." in files["incidents/x/index.html"].decode()


# ---------------------------------------------------------------- drafts


def test_a_draft_is_checked_but_never_published(make_content) -> None:
    """`draft: true` keeps an entry out of every output; its errors still fail the build."""
    content = make_content(
        {"incidents/x.md": incident_text(draft="true"), "incidents/y.md": incident_text(title="Live")}
    )
    result = check(content, T("2012-06-21T10:00:00-07:00"))
    assert "incidents/y/index.html" in result.files
    assert not [name for name in result.files if "incidents/x" in name]
    assert all(
        b"Website down" not in data for name, data in result.files.items() if not name.startswith("static/")
    )
    broken = make_content({"incidents/x.md": incident_text(draft="true", impact="severe")})
    with pytest.raises(ContentError):
        check(broken, T("2012-06-21T10:00:00-07:00"))
    with pytest.raises(ContentError) as caught:
        load_content(make_content({"incidents/x.md": incident_text(draft="yes")}))
    assert "draft: expected true or false, got 'yes'" in str(caught.value)


# ---------------------------------------------------------------- translations


def test_a_translation_contradicting_an_updates_state_is_a_located_error(make_content) -> None:
    """A translation repeating an update's `components` or `impact` must agree with the original."""
    site = SITE_YAML + "languages: [en, fr]\n"
    translation = """---
title: Site en panne
updates:
  - body: Lent.
  - body: Pire.
    impact: minor
    components: {web: major_outage, api: partial_outage}
---
"""
    content = make_content({"incidents/x.md": ESCALATING, "incidents/x.fr.md": translation}, site=site)
    with pytest.raises(ContentError) as caught:
        load_content(content)
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 1
    assert "content/incidents/x.fr.md:6: updates[1].impact: says 'minor' but" in problems[0]
    agreeing = translation.replace("impact: minor", "impact: critical")
    load_content(make_content({"incidents/x.md": ESCALATING, "incidents/x.fr.md": agreeing}, site=site))


# ---------------------------------------------------------------- what readers and subscribers get


def test_the_example_outage_unfolds_update_by_update() -> None:
    """21 June 2012: partial recovery at 10:10, relapse at 10:24, notifications before the web."""
    derived = check(EXAMPLE, T("2012-06-21T12:00:00-07:00")).derived
    outage = next(i for i in derived.incidents if i.slug == OUTAGE)
    intervals = {
        a.id: [(i.start.strftime("%H:%M"), i.end.strftime("%H:%M"), str(i.status)) for i in a.intervals]
        for a in outage.affected
    }
    assert intervals["web"] == [
        ("09:00", "10:10", "major_outage"),
        ("10:10", "10:24", "partial_outage"),
        ("10:24", "10:58", "major_outage"),
    ]
    assert intervals["notifications"] == [
        ("09:00", "10:10", "partial_outage"),
        ("10:10", "10:40", "degraded_performance"),
    ]
    web_uptime = derived.snapshot.component("web").days[-1].uptime
    full = derived.snapshot.component("timeline").days[-1].uptime  # (also 10:10–10:24 partial)
    assert web_uptime == full
    notifications = derived.snapshot.component("notifications").days[-1].uptime
    assert notifications > web_uptime  # it recovered earlier, and only partly down


def test_pages_show_each_updates_changes_and_past_statuses() -> None:
    """The timeline says what each update changed; a resolved incident's components are in the past."""
    files = check(EXAMPLE, T("2012-06-21T12:00:00-07:00")).files
    page = files[f"en/incidents/{OUTAGE}/index.html"].decode()
    assert "<li>Website: Major outage → Partial outage</li>" in page
    assert "had a major outage" in page and 'class="st s-major_outage"' not in page
    during = (
        check(EXAMPLE, T("2012-06-21T10:30:00-07:00")).files[f"en/incidents/{OUTAGE}/index.html"].decode()
    )
    assert 'class="st s-major_outage"' in during and "had a major outage" not in during


def test_component_update_feeds_carry_every_step_of_its_incidents() -> None:
    """`components/<id>/updates.atom` has one entry per update of each incident touching it."""
    files = check(EXAMPLE, T("2012-06-21T12:00:00-07:00")).files
    feed = feedparser.parse(files["en/components/notifications/updates.atom"])
    titles = [e.title for e in feed.entries]
    assert titles[0] == '[Resolved] Worldwide outage caused by a "cascading bug"'
    assert len([t for t in titles if "cascading" in t]) == 7
    assert not feed.bozo
    rss = feedparser.parse(files["components/notifications/updates.rss"])
    assert len(rss.entries) == len(feedparser.parse(files["components/notifications/updates.atom"]).entries)


def test_json_times_carry_milliseconds() -> None:
    """Every time in the Statuspage JSON has milliseconds, as Statuspage writes them."""
    files = check(EXAMPLE, T("2012-06-21T12:00:00-07:00")).files
    text = files["api/v2/incidents.json"].decode()
    times = re.findall(r'"(\d{4}-\d\d-\d\dT[^"]+)"', text)
    assert times and all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", t) for t in times
    )


@pytest.mark.slow
def test_changes_give_each_updates_own_status_and_what_it_changed() -> None:
    """Three updates between 10:30 and 12:00: each announced with its own status, the
    components it changed and a link to it; the incident's status apart."""
    before = check(EXAMPLE, T("2012-06-21T10:30:00-07:00")).files
    after = check(EXAMPLE, T("2012-06-21T12:00:00-07:00")).derived
    changes = [c for c in compare(before, after)["changes"] if c["kind"] == "incident"]
    assert [(c["status"], c["incident_status"]) for c in changes] == [
        ("identified", "resolved"),
        ("monitoring", "resolved"),
        ("resolved", "resolved"),
    ]
    assert changes[0]["components"] == [
        {
            "id": "notifications",
            "name": "Notifications",
            "old_status": "degraded_performance",
            "new_status": "operational",
        }
    ]
    assert changes[0]["link"] == f"https://status.example.com/incidents/{OUTAGE}/#update-5"


# ---------------------------------------------------------------- uptime, property-tested

COMPONENTS = ("web", "api", "mail")
PROPERTY_SITE = Site(
    path="site.yaml",
    title="Property",
    base_url="https://status.example.com/",
    components=tuple(Component(cid, cid) for cid in COMPONENTS),
    uptime_days=2,
)
START = datetime(2012, 6, 20, 6, 0, tzinfo=UTC)
OUTAGES = [s for s in ComponentStatus if s is not ComponentStatus.UNDER_MAINTENANCE]


@st.composite
def unfolding(draw: st.DrawFn) -> tuple[Incident, datetime]:
    """An incident whose updates change its impact and components, and a `now`."""
    impact = draw(st.sampled_from(list(Impact)))
    first = draw(st.lists(st.sampled_from(COMPONENTS), unique=True, min_size=1, max_size=3))
    components = tuple((cid, draw(st.sampled_from(OUTAGES))) for cid in first)
    updates = []
    for number, minute in enumerate(sorted(draw(st.lists(st.integers(-20, 1500), max_size=6))), start=1):
        status = draw(st.sampled_from([*IncidentStatus, IncidentStatus.RESOLVED]))  # reopenings are common
        changed = None
        new_impact = None
        if status is not IncidentStatus.RESOLVED:
            new_impact = draw(st.none() | st.sampled_from(list(Impact)))
            if draw(st.booleans()):
                ids = draw(st.lists(st.sampled_from(COMPONENTS), unique=True, max_size=3))
                listed = draw(st.booleans())
                changed = tuple((cid, None if listed else draw(st.sampled_from(OUTAGES))) for cid in ids)
        updates.append(
            Update(START + timedelta(minutes=minute), status, "b", number, "", new_impact, changed)
        )
    resolved = None  # (a `resolved` field often, its absence more: updates then decide)
    if draw(st.integers(0, 2)) == 0:
        resolved = START + timedelta(minutes=draw(st.integers(1, 1600)))
    if resolved is None and updates and updates[-1].status is IncidentStatus.RESOLVED:
        resolved = updates[-1].at
    incident = Incident("x", "x.md", "X", START, impact, components, tuple(updates), resolved)
    now = START + timedelta(minutes=draw(st.integers(0, 1700)))
    return incident, now


def simulated_status(incident: Incident, component: str, t: datetime, now: datetime) -> ComponentStatus:
    """The component's status at minute `t`, replaying the format's rules from scratch."""
    posted = [u for u in incident.updates if u.at <= now]
    if incident.resolved is not None and incident.resolved <= now:
        end = incident.resolved
    elif posted and posted[-1].status is IncidentStatus.RESOLVED:
        end = posted[-1].at
    else:
        end = None
    if t < incident.started or (end is not None and t >= end):
        return ComponentStatus.OPERATIONAL
    impact, state, saved = incident.impact, dict(incident.components), None
    for update in posted:
        if max(update.at, incident.started) > t:
            break
        if update.status is IncidentStatus.RESOLVED:
            saved = saved or (impact, dict(state))
            state = dict.fromkeys(state, ComponentStatus.OPERATIONAL)
            continue
        if saved is not None:
            impact = saved[0]
            if update.components is None:
                state = dict(saved[1])
            saved = None
        impact = update.impact or impact
        for cid, status in update.components or ():
            state[cid] = status or IMPACT_STATUS[impact]
    return state.get(component, ComponentStatus.OPERATIONAL)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(unfolding())
def test_uptime_from_intervals_equals_a_minute_by_minute_simulation(case: tuple[Incident, datetime]) -> None:
    """For any sequence of updates, each component's uptime over the window equals the share of
    minutes up, weighted by status, in a simulation of the same updates."""
    incident, now = case
    snap = derive(Content(PROPERTY_SITE, (incident,)), now).snapshot
    window_start = datetime.combine((now - timedelta(days=1)).date(), datetime.min.time(), tzinfo=UTC)
    minutes = int((now - window_start).total_seconds() // 60)
    for cid in COMPONENTS:
        down = sum(
            DEFAULT_DOWNTIME_WEIGHTS[
                simulated_status(incident, cid, window_start + timedelta(minutes=m), now)
            ]
            for m in range(minutes)
        )
        expected = 100.0 * (1 - down / minutes) if minutes else 100.0
        assert snap.component(cid).uptime == pytest.approx(expected, abs=1e-9), cid


def test_replace_keeps_derived_entries_frozen() -> None:
    """Derived entries are frozen: an output cannot change what another reads."""
    entry = derived_incident(ESCALATING, "2012-06-21T12:00:00-07:00")
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.status = IncidentStatus.INVESTIGATING  # type: ignore[misc]


# ---------------------------------------------------------------- found in review


def test_a_component_named_by_a_future_update_is_not_affected_yet(make_content) -> None:
    """An update written ahead names nothing before its instant: no page, feed or JSON lists it."""
    ahead = incident_text(
        impact="minor",
        updates="""
  - at: 2012-06-21T09:10:00-07:00
    status: investigating
    body: Slow.
  - at: 2012-06-21T10:30:00-07:00
    status: identified
    components: {api: major_outage}
    body: The API too.""",
    )
    files = check(make_content({"incidents/x.md": ahead}), T("2012-06-21T10:00:00-07:00")).files
    assert "components/api/" not in files["incidents/x/index.html"].decode()
    (incident,) = json.loads(files["api/v2/incidents.json"])["incidents"]
    assert [c["name"] for c in incident["components"]] == ["Website"]
    assert not feedparser.parse(files["components/api/updates.atom"]).entries


def test_an_update_after_the_resolution_cannot_change_the_state() -> None:
    """With `resolved` given, a later update's `impact` or `components` would be ignored: refused."""
    text = incident_text(
        resolved="2012-06-21T10:00:00-07:00",
        updates=one_update("identified", "    impact: critical\n").replace("09:30", "10:30"),
    )
    with pytest.raises(ContentError) as caught:
        parse_incident(text, "i.md", SITE)
    assert "i.md:10: updates[0].impact: this update comes after the incident's resolution" in str(
        caught.value
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, "postmortem_at: the incident is not resolved: a post-mortem follows the resolution"),
        (
            {"resolved": "2012-06-21T11:00:00-07:00"},
            "postmortem_at: the post-mortem is published (2012-06-21T10:00:00-07:00) before the "
            "incident was resolved (2012-06-21T11:00:00-07:00)",
        ),
    ],
)
def test_a_post_mortem_follows_the_resolution(fields: dict[str, str], expected: str) -> None:
    """`postmortem_at` on an open incident, or before its resolution, is a located error."""
    text = incident_text(postmortem_at="2012-06-21T10:00:00-07:00", body="Analysis.", **fields)
    with pytest.raises(ContentError) as caught:
        parse_incident(text, "i.md", SITE)
    assert expected in str(caught.value)


def test_an_update_naming_no_component_is_refused() -> None:
    """`components: {}` or `[]` in an update says nothing: refused rather than read as a reset."""
    for empty in ("{}", "[]"):
        with pytest.raises(ContentError) as caught:
            parse_incident(
                incident_text(updates=one_update("identified", f"    components: {empty}\n")), "i.md", SITE
            )
        assert "updates[0].components: names no component" in str(caught.value)


def test_draft_takes_yaml_booleans_in_any_case(make_content) -> None:
    """`draft: True` is a boolean too (YAML 1.2); `yes` is not."""
    content = load_content(make_content({"incidents/x.md": incident_text(draft="True")}))
    assert content.incidents[0].draft


def test_a_translation_may_repeat_a_list_form_update_as_ids_or_statuses(make_content) -> None:
    """An update written `components: [api]` may be repeated as a list or as a mapping (its
    statuses are implied); a claim on an update without components says the original names none."""
    site = SITE_YAML + "languages: [en, fr]\n"
    original = incident_text(updates=one_update("identified", "    components: [api]\n"))
    for claim in ("[api]", "{api: major_outage}"):
        translation = f"---\ntitle: T\nupdates:\n  - body: x\n    components: {claim}\n---\n"
        load_content(make_content({"incidents/x.md": original, "incidents/x.fr.md": translation}, site=site))
    plain = incident_text(updates=one_update("identified", ""))
    translation = "---\ntitle: T\nupdates:\n  - body: x\n    components: [api]\n---\n"
    with pytest.raises(ContentError) as caught:
        load_content(make_content({"incidents/x.md": plain, "incidents/x.fr.md": translation}, site=site))
    assert "says ['api'] but" in str(caught.value) and "says nothing" in str(caught.value)
