"""Hypothesis strategies for whole sites: incidents and maintenance over a few components."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from statusgen.models import (
    Component,
    ComponentStatus,
    Content,
    Impact,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
    Site,
    Update,
)

COMPONENT_IDS = ("web", "api", "mail")
EPOCH = datetime(2012, 3, 1, tzinfo=UTC)
SPAN_MINUTES = 200 * 24 * 60  # content spread over ~200 days around the uptime window

SITE = Site(
    path="site.yaml",
    title="Property site",
    base_url="https://status.example.com/",
    components=tuple(Component(cid, cid.upper()) for cid in COMPONENT_IDS),
    timezone="America/Los_Angeles",
)

instants = st.integers(0, SPAN_MINUTES).map(lambda m: EPOCH + timedelta(minutes=m))
outage_statuses = st.sampled_from([s for s in ComponentStatus if s is not ComponentStatus.UNDER_MAINTENANCE])


@st.composite
def incidents(draw: st.DrawFn, slug: str) -> Incident:
    """An incident, resolved or not, over some of the components."""
    started = draw(instants)
    length = draw(st.none() | st.integers(1, 5 * 24 * 60).map(lambda m: timedelta(minutes=m)))
    affected = draw(st.lists(st.sampled_from(COMPONENT_IDS), unique=True, max_size=3))
    statuses = draw(st.lists(outage_statuses, min_size=len(affected), max_size=len(affected)))
    update_times = sorted(draw(st.lists(st.integers(-30, 300), max_size=4)))  # some before the start
    updates = tuple(
        Update(started + timedelta(minutes=m), draw(st.sampled_from(list(IncidentStatus))), "b", n)
        for n, m in enumerate(update_times, start=1)
    )
    return Incident(
        slug=slug,
        path=f"incidents/{slug}.md",
        title=slug,
        started=started,
        impact=draw(st.sampled_from(list(Impact))),
        components=tuple(zip(affected, statuses, strict=True)),
        updates=updates,
        resolved=None if length is None else started + length,
    )


@st.composite
def maintenances(draw: st.DrawFn, slug: str) -> Maintenance:
    """A maintenance window, with or without updates."""
    start = draw(instants)
    end = start + timedelta(minutes=draw(st.integers(1, 600)))
    update_times = sorted(draw(st.lists(st.integers(-600, 900), max_size=3)))
    updates = tuple(
        Update(start + timedelta(minutes=m), draw(st.sampled_from(list(MaintenanceStatus))), "b", n)
        for n, m in enumerate(update_times, start=1)
    )
    affected = draw(st.lists(st.sampled_from(COMPONENT_IDS), unique=True, max_size=3))
    return Maintenance(slug, f"maintenance/{slug}.md", slug, start, end, tuple(affected), updates)


@st.composite
def contents(draw: st.DrawFn) -> Content:
    """A whole site's content."""
    count = draw(st.integers(0, 12))
    found = tuple(draw(incidents(f"i{n}")) for n in range(count))
    windows = tuple(draw(maintenances(f"m{n}")) for n in range(draw(st.integers(0, 3))))
    return Content(SITE, found, windows)
