"""Status derivations at `now`: components, the overall indicator, maintenance stages and uptime."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statusgen import parse_incident, parse_maintenance, parse_site
from statusgen.derive import derive, snapshot
from statusgen.models import ComponentStatus, Content, Impact, MaintenanceStatus
from statusgen.status import Indicator, local_days, maintenance_status
from tests.conftest import SITE_YAML, incident_text
from tests.strategies import contents, instants

SITE = parse_site(SITE_YAML, "site.yaml")
T = datetime.fromisoformat


def incident(**fields: str):
    return parse_incident(incident_text(**fields), "i.md", SITE)


def maintenance(start: str, end: str, updates: str = "", components: str = "[api]"):
    text = f"---\ntitle: M\nstart: {start}\nend: {end}\ncomponents: {components}\nupdates:{updates}\n---\n"
    return parse_maintenance(text, "m.md", SITE)


def update(at: str, status: str) -> str:
    return f"\n  - at: {at}\n    status: {status}\n    body: x"


def test_open_incident_sets_its_components_and_the_indicator() -> None:
    """A critical incident over web: web is in major outage and the page says so."""
    snap = snapshot(Content(SITE, (incident(),)), T("2012-06-21T10:00:00-07:00"))
    assert snap.component("web").status is ComponentStatus.MAJOR_OUTAGE
    assert snap.component("api").status is ComponentStatus.OPERATIONAL
    assert snap.indicator is Indicator.CRITICAL
    assert snap.description == "Major System Outage"


def test_never_green_beside_an_open_incident_without_components() -> None:
    """An open major incident that names no component still turns the banner from green."""
    snap = snapshot(
        Content(SITE, (incident(impact="major", components="[]"),)), T("2012-06-21T10:00:00-07:00")
    )
    assert snap.indicator is Indicator.MAJOR
    assert snap.description == "Partial System Outage"


def test_resolved_and_future_incidents_do_not_count() -> None:
    """Before it starts and after it is resolved, an incident leaves everything operational."""
    found = incident(resolved="2012-06-21T11:00:00-07:00")
    for now in ("2012-06-21T08:59:00-07:00", "2012-06-21T11:00:00-07:00"):
        snap = snapshot(Content(SITE, (found,)), T(now))
        assert snap.indicator is Indicator.NONE
        assert snap.active_incidents == ()


def test_worst_status_wins_and_outage_beats_maintenance() -> None:
    """Two incidents and a maintenance on api: the worst outage shows, not the maintenance."""
    minor = incident(impact="minor", components="[api]")
    major = incident(impact="major", components="[api]")
    window = maintenance("2012-06-21T09:30:00-07:00", "2012-06-21T12:00:00-07:00")
    now = T("2012-06-21T10:00:00-07:00")
    snap = snapshot(Content(SITE, (minor, major), (window,)), now)
    assert snap.component("api").status is ComponentStatus.PARTIAL_OUTAGE
    alone = snapshot(Content(SITE, (), (window,)), now)
    assert alone.component("api").status is ComponentStatus.UNDER_MAINTENANCE
    assert alone.indicator is Indicator.MAINTENANCE


def test_maintenance_follows_its_window_without_updates() -> None:
    """Scheduled before the start, in progress inside the window, completed after."""
    window = maintenance("2012-06-21T22:00:00-07:00", "2012-06-21T23:00:00-07:00")
    assert maintenance_status(window, T("2012-06-21T21:59:00-07:00")) is MaintenanceStatus.SCHEDULED
    assert maintenance_status(window, T("2012-06-21T22:00:00-07:00")) is MaintenanceStatus.IN_PROGRESS
    assert maintenance_status(window, T("2012-06-21T23:00:00-07:00")) is MaintenanceStatus.COMPLETED


def test_maintenance_updates_override_the_window_until_the_next_boundary() -> None:
    """An early "completed" ends it; "in_progress" after the end says it overran; an old "scheduled"
    does not hold back a window that has begun."""
    start, end = "2012-06-21T22:00:00-07:00", "2012-06-21T23:00:00-07:00"
    early = maintenance(start, end, update("2012-06-21T22:30:00-07:00", "completed"))
    assert maintenance_status(early, T("2012-06-21T22:45:00-07:00")) is MaintenanceStatus.COMPLETED
    overran = maintenance(start, end, update("2012-06-21T23:05:00-07:00", "in_progress"))
    assert maintenance_status(overran, T("2012-06-21T23:30:00-07:00")) is MaintenanceStatus.IN_PROGRESS
    announced = maintenance(start, end, update("2012-06-14T10:00:00-07:00", "scheduled"))
    assert maintenance_status(announced, T("2012-06-21T22:10:00-07:00")) is MaintenanceStatus.IN_PROGRESS
    verifying = maintenance(start, end, update("2012-06-21T22:50:00-07:00", "verifying"))
    assert maintenance_status(verifying, T("2012-06-21T23:10:00-07:00")) is MaintenanceStatus.COMPLETED


def test_uptime_weights_a_major_outage_fully_and_a_partial_one_at_30_percent() -> None:
    """2 h of major outage in a 12 h elapsed day is 83.33 %; the same as partial outage is 95 %."""
    now = T("2012-06-21T12:00:00-07:00")
    found = incident(
        started="2012-06-21T09:00:00-07:00",
        resolved="2012-06-21T11:00:00-07:00",
        components="{web: major_outage, api: partial_outage}",
    )
    snap = snapshot(Content(SITE, (found,)), now)
    web, api = snap.component("web"), snap.component("api")
    assert round(web.days[-1].uptime, 4) == round(100 * (1 - 2 / 12), 4)
    assert round(api.days[-1].uptime, 4) == round(100 * (1 - 0.3 * 2 / 12), 4)
    assert web.days[-1].status is ComponentStatus.MAJOR_OUTAGE
    assert web.days[-1].incidents == ("i",)
    assert all(day.uptime == 100.0 for day in web.days[:-1])
    elapsed = (now - T("2012-03-24T00:00:00-07:00")).total_seconds()
    assert abs(web.uptime - 100 * (1 - 7200 / elapsed)) < 1e-9
    assert snap.component("mail").uptime == 100.0


def test_overlapping_incidents_count_the_heaviest_weight_once() -> None:
    """Two overlapping major outages of web count as one span, not twice."""
    now = T("2012-06-21T12:00:00-07:00")
    first = incident(started="2012-06-21T09:00:00-07:00", resolved="2012-06-21T11:00:00-07:00")
    second = dataclasses.replace(
        incident(started="2012-06-21T10:00:00-07:00", resolved="2012-06-21T11:00:00-07:00"), slug="j"
    )
    day = snapshot(Content(SITE, (first, second)), now).component("web").days[-1]
    assert round(day.uptime, 4) == round(100 * (1 - 2 / 12), 4)
    assert day.incidents == ("i", "j")


def test_configured_weights_change_uptime() -> None:
    """`uptime.weights` in site.yaml replaces the default weights."""
    site = parse_site(SITE_YAML + "uptime:\n  days: 30\n  weights: {partial_outage: 1}\n")
    found = dataclasses.replace(
        incident(components="{api: partial_outage}", resolved="2012-06-21T11:00:00-07:00")
    )
    snap = snapshot(Content(site, (found,)), T("2012-06-21T12:00:00-07:00"))
    assert len(snap.component("api").days) == 30
    assert round(snap.component("api").days[-1].uptime, 4) == round(100 * (1 - 2 / 12), 4)


def test_days_are_local_and_dst_days_are_23_hours_long() -> None:
    """The uptime window's days follow the site's zone; the spring-forward day lasts 23 hours."""
    site = parse_site(SITE_YAML + "uptime:\n  days: 3\n")
    days = local_days(site, T("2012-03-12T12:00:00-07:00"))
    assert [str(d) for d, _, _ in days] == ["2012-03-10", "2012-03-11", "2012-03-12"]
    assert days[1][2] - days[1][1] == 23 * 3600
    assert days[2][2] - days[2][1] == 12 * 3600


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(contents(), instants)
def test_uptime_always_stays_between_0_and_100(content: Content, now: datetime) -> None:
    """Whatever the incidents, every uptime figure and every day bar lies in [0, 100]."""
    snap = snapshot(content, now)
    for state in snap.components:
        assert 0.0 <= state.uptime <= 100.0
        assert all(0.0 <= day.uptime <= 100.0 for day in state.days)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(contents(), instants, st.randoms(use_true_random=False))
def test_the_order_of_incidents_never_changes_the_result(content: Content, now: datetime, rng) -> None:
    """Shuffling the incidents and maintenance gives the same snapshot."""
    incidents, windows = list(content.incidents), list(content.maintenance)
    rng.shuffle(incidents)
    rng.shuffle(windows)
    shuffled = dataclasses.replace(content, incidents=tuple(incidents), maintenance=tuple(windows))
    first, second = snapshot(content, now), snapshot(shuffled, now)
    assert first.indicator == second.indicator
    assert first.components == second.components
    assert {i.slug for i in first.active_incidents} == {i.slug for i in second.active_incidents}


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(contents(), instants)
def test_the_banner_is_never_better_than_an_open_incident(content: Content, now: datetime) -> None:
    """The indicator is at least as severe as the impact of every open incident."""
    rank = {"none": 0, "maintenance": 1, "minor": 2, "major": 3, "critical": 4}
    snap = snapshot(content, now)
    for found in snap.active_incidents:
        assert rank[snap.indicator] >= rank[found.impact]
        if found.impact is not Impact.NONE:
            assert snap.indicator is not Indicator.NONE


FAR = T("2100-01-01T00:00:00+00:00")  # after every instant the strategies draw


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(contents())
def test_history_lists_everything_newest_first_by_local_year_and_month(content: Content) -> None:
    """The archive holds every entry once, newest first (ties by slug), grouped in the site's zone."""
    from statusgen.render import history

    derived = derive(content, FAR)
    expected = sorted(derived.entries, key=lambda e: (-e.begins.timestamp(), e.slug))
    years = history(derived)
    listed = [entry for year in years for month in year.months for entry in month.entries]
    assert listed == expected
    assert len(listed) == len(content.incidents) + len(content.maintenance)
    for year in years:
        for month in year.months:
            for entry in month.entries:
                local = entry.begins.astimezone(content.site.tz)
                assert (local.year, local.month) == (year.year, month.month) == (month.year, month.month)
    assert len({(y.year) for y in years}) == len(years)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(contents(), st.integers(1, 4))
def test_component_pages_list_each_components_newest_incidents(content: Content, count: int) -> None:
    """A component's page lists its `feed_entries` newest incidents (ties by slug) and counts the rest."""
    from statusgen.render import plan

    content = dataclasses.replace(content, site=dataclasses.replace(content.site, feed_entries=count))
    now = max((i.started for i in content.incidents), default=T("2012-06-01T00:00:00+00:00"))
    derived = derive(content, now)
    for page in plan(derived):
        if page.template == "component.html":
            cid = page.context["state"].component.id
            mine = sorted(
                (i for i in derived.incidents if cid in i.component_ids),
                key=lambda i: (-i.started.timestamp(), i.slug),
            )
            assert list(page.context["incidents"]) == mine[:count]
            assert page.context["older"] == len(mine[count:])


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(contents(), instants)
def test_bounds_and_next_changes_agree_with_every_event(content: Content, now: datetime) -> None:
    """`bounds` and `next_changes` give what a walk over every dated event gives."""
    from statusgen.next_change import Change, next_changes

    events = []  # (instant, reason, visible at `now`)
    for incident in content.incidents:
        moments = [
            (incident.started, "starts"),
            *((u.at, f"posts update {u.number}") for u in incident.updates),
        ]
        if incident.resolved is not None:
            moments.append((incident.resolved, "is resolved"))
        events += [(at, f"incident {incident.slug} {what}", incident.started <= now) for at, what in moments]
    for item in content.maintenance:
        moments = [
            (item.start, "starts"),
            (item.end, "ends"),
            *((u.at, f"posts update {u.number}") for u in item.updates),
        ]
        events += [(at, f"maintenance {item.slug} {what}", True) for at, what in moments]
    found = derive(content, now).bounds
    shown = [at for at, reason, visible in events if visible and ("starts" in reason or at <= now)]
    # (an entry begins at its start, or at an update posted before it: its first event)
    firsts = [
        min([i.started, *(u.at for u in i.updates if u.at <= now)][:2])
        for i in content.incidents
        if i.started <= now
    ] + [min([m.start, *(u.at for u in m.updates if u.at <= now)][:2]) for m in content.maintenance]
    assert found.first == min(firsts, default=None)
    past = [at for at in shown if at <= now]
    assert found.last is None or (found.last <= now and found.last in past)
    incidents_past = [at for at, reason, visible in events if visible and at <= now and "incident" in reason]
    assert found.last or not incidents_past
    assert not incidents_past or found.last >= max(incidents_past)  # (every incident event counts)
    future = sorted(
        (Change(at, reason) for at, reason, _ in events if at > now), key=lambda c: (c.at, c.reason)
    )
    assert [
        c for c in next_changes(content, now) if "leaves" not in c.reason and "window" not in c.reason
    ] == future


def test_the_english_indicator_labels_are_statuspages_api_words() -> None:
    """The pages' English words for the indicator (`i18n.LABELS`, translated for other languages)
    are the words Statuspage's API gives as `status.description` (`status.INDICATOR_DESCRIPTIONS`,
    English in every language): defined apart, so derivation needs no interface text, and equal."""
    from statusgen.i18n import LABELS, labels
    from statusgen.status import INDICATOR_DESCRIPTIONS

    assert set(LABELS["indicator"]) == {str(i) for i in Indicator}
    assert {Indicator(k): v for k, v in labels()["indicator"].items()} == INDICATOR_DESCRIPTIONS
