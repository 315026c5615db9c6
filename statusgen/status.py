"""Pure derivations at a given `now`: statuses, the overall indicator, durations and uptime."""

from __future__ import annotations

import bisect
import dataclasses
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from statusgen.i18n import LABELS
from statusgen.models import (
    IMPACT_STATUS,
    STATUS_SEVERITY,
    Component,
    ComponentStatus,
    Content,
    Impact,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
    Site,
)


class Indicator(StrEnum):
    """The page's overall status, in Statuspage's `status.indicator` vocabulary."""

    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"
    MAINTENANCE = "maintenance"


# Statuspage's `status.description` words, which its API gives in English whatever the page's language.
INDICATOR_DESCRIPTIONS: dict[Indicator, str] = {Indicator(k): v for k, v in LABELS["indicator"].items()}

_STATUS_INDICATOR: dict[ComponentStatus, Indicator] = {
    ComponentStatus.OPERATIONAL: Indicator.NONE,
    ComponentStatus.UNDER_MAINTENANCE: Indicator.MAINTENANCE,
    ComponentStatus.DEGRADED_PERFORMANCE: Indicator.MINOR,
    ComponentStatus.PARTIAL_OUTAGE: Indicator.MAJOR,
    ComponentStatus.MAJOR_OUTAGE: Indicator.CRITICAL,
}
_INDICATOR_RANK = {
    Indicator.NONE: 0,
    Indicator.MAINTENANCE: 1,
    Indicator.MINOR: 2,
    Indicator.MAJOR: 3,
    Indicator.CRITICAL: 4,
}
_ACTIVE_MAINTENANCE = (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)


def worst(statuses: Iterable[ComponentStatus]) -> ComponentStatus:
    """The most severe of some component statuses (operational if there are none)."""
    return max(statuses, key=STATUS_SEVERITY.__getitem__, default=ComponentStatus.OPERATIONAL)


# ---------------------------------------------------------------- what is known at `now`


def as_of(content: Content, now: datetime) -> Content:
    """The content as it stood at `now`: later incidents, updates and resolutions are not known yet.

    Maintenance is announced ahead, so future windows stay; only their future updates are dropped.
    """
    incidents = tuple(
        _incident_as_of(incident, now) for incident in content.incidents if incident.started <= now
    )
    maintenance = tuple(
        item
        if all(u.at <= now for u in item.updates)
        else dataclasses.replace(item, updates=tuple(u for u in item.updates if u.at <= now))
        for item in content.maintenance
    )
    return dataclasses.replace(content, incidents=incidents, maintenance=maintenance)


def _incident_as_of(incident: Incident, now: datetime) -> Incident:
    """The incident as known at `now` (the same object when nothing of it lies after `now`)."""
    resolved = _resolved_as_of(incident, now)
    if resolved == incident.resolved and (not incident.updates or incident.updates[-1].at <= now):
        return incident
    return dataclasses.replace(
        incident, updates=tuple(u for u in incident.updates if u.at <= now), resolved=resolved
    )


def _resolved_as_of(incident: Incident, now: datetime) -> datetime | None:
    """When the incident was resolved as far as `now` knows: its resolution if passed, else a
    `resolved` update that is the latest posted (an incident can be reopened by a later update)."""
    if incident.resolved is not None and incident.resolved <= now:
        return incident.resolved
    posted = [u for u in incident.updates if u.at <= now]
    if posted and posted[-1].status is IncidentStatus.RESOLVED:
        return posted[-1].at
    return None


# ---------------------------------------------------------------- incidents


def is_resolved(incident: Incident, now: datetime) -> bool:
    """Whether the incident is resolved as of `now`."""
    return incident.resolved is not None and incident.resolved <= now


def is_active(incident: Incident, now: datetime) -> bool:
    """Whether the incident has started and is not yet resolved at `now`."""
    return incident.started <= now and not is_resolved(incident, now)


def incident_status(incident: Incident, now: datetime) -> IncidentStatus:
    """The incident's stage at `now`: resolved, else its latest update's status, else investigating."""
    if is_resolved(incident, now):
        return IncidentStatus.RESOLVED
    posted = [u for u in incident.updates if u.at <= now]
    return IncidentStatus(posted[-1].status) if posted else IncidentStatus.INVESTIGATING


def duration(incident: Incident, now: datetime) -> timedelta:
    """How long the incident lasted, or has lasted so far if it is still open at `now`."""
    end = incident.resolved if is_resolved(incident, now) else now
    assert end is not None
    return max(end.astimezone(UTC) - incident.started.astimezone(UTC), timedelta(0))


# ---------------------------------------------------------------- maintenance


def maintenance_status(maintenance: Maintenance, now: datetime) -> MaintenanceStatus:
    """The maintenance's stage at `now`.

    The window decides (scheduled before `start`, in progress until `end`, completed after), unless
    an update posted at or before `now` and after the window's last boundary passed says otherwise:
    so "completed" posted early ends it early, "in_progress" posted after `end` says it overran, and
    a "scheduled" update posted last week does not hold back a window that has begun.
    """
    if now < maintenance.start:
        by_window, boundary = MaintenanceStatus.SCHEDULED, None
    elif now < maintenance.end:
        by_window, boundary = MaintenanceStatus.IN_PROGRESS, maintenance.start
    else:
        by_window, boundary = MaintenanceStatus.COMPLETED, maintenance.end
    posted = [u for u in maintenance.updates if u.at <= now]
    if posted and (boundary is None or posted[-1].at >= boundary):
        return MaintenanceStatus(posted[-1].status)
    return by_window


def maintenance_interval(maintenance: Maintenance, now: datetime) -> tuple[datetime, datetime]:
    """When the maintenance really held its components, as far as it is known at `now`."""
    status = maintenance_status(maintenance, now)
    if status in _ACTIVE_MAINTENANCE:
        return maintenance.start, max(now, maintenance.start)
    completions = [u.at for u in maintenance.updates if u.status is MaintenanceStatus.COMPLETED]
    end = min([maintenance.end, *completions]) if completions else maintenance.end
    return maintenance.start, max(end, maintenance.start)


# ---------------------------------------------------------------- the whole page


@dataclass(frozen=True)
class DayBar:
    """One day of a component's uptime history."""

    day: date
    uptime: float  # percent of the day that was up, weighted by the site's downtime weights
    status: ComponentStatus  # the worst status the component had that day
    incidents: tuple[str, ...]  # slugs of the incidents that touched the day


@dataclass(frozen=True)
class ComponentState:
    """A component as the page shows it at `now`."""

    component: Component
    status: ComponentStatus
    uptime: float
    days: tuple[DayBar, ...]


@dataclass(frozen=True)
class Snapshot:
    """Everything the page says at one instant, derived from the content."""

    now: datetime
    indicator: Indicator
    components: tuple[ComponentState, ...]
    active_incidents: tuple[Incident, ...]
    recent_incidents: tuple[Incident, ...]
    active_maintenance: tuple[Maintenance, ...]
    upcoming_maintenance: tuple[Maintenance, ...]

    @property
    def description(self) -> str:
        """The overall status in words ("All Systems Operational")."""
        return INDICATOR_DESCRIPTIONS[self.indicator]

    def component(self, component_id: str) -> ComponentState:
        """The state of one component."""
        return next(c for c in self.components if c.component.id == component_id)


def component_statuses(content: Content, now: datetime) -> dict[str, ComponentStatus]:
    """Each component's status at `now`: the worst of its open incidents and active maintenance."""
    found: dict[str, list[ComponentStatus]] = {c.id: [] for c in content.site.components}
    for incident in content.incidents:
        if is_active(incident, now):
            for component_id, status in incident.components:
                found[component_id].append(status)
    for maintenance in content.maintenance:
        if maintenance_status(maintenance, now) in _ACTIVE_MAINTENANCE:
            for component_id in maintenance.components:
                found[component_id].append(ComponentStatus.UNDER_MAINTENANCE)
    return {component_id: worst(statuses) for component_id, statuses in found.items()}


def indicator(
    statuses: Iterable[ComponentStatus], open_impacts: Iterable[Impact], maintenance_active: bool
) -> Indicator:
    """The overall indicator: the worst of the components and of the open incidents' impacts."""
    candidates = [_STATUS_INDICATOR[s] for s in statuses]
    candidates += [_STATUS_INDICATOR[IMPACT_STATUS[impact]] for impact in open_impacts]
    if maintenance_active:
        candidates.append(Indicator.MAINTENANCE)
    return max(candidates, key=_INDICATOR_RANK.__getitem__, default=Indicator.NONE)


def snapshot(content: Content, now: datetime) -> Snapshot:
    """Derive the whole page's state at `now`."""
    site = content.site
    statuses = component_statuses(content, now)
    active = tuple(
        sorted(
            (i for i in content.incidents if is_active(i, now)),
            key=lambda i: (i.started, i.slug),
            reverse=True,
        )
    )
    recent_from = now - timedelta(days=site.recent_days)
    recent = tuple(
        sorted(
            (
                i
                for i in content.incidents
                if is_resolved(i, now) and i.resolved is not None and i.resolved >= recent_from
            ),
            key=lambda i: (i.started, i.slug),
            reverse=True,
        )
    )
    by_status = [(m, maintenance_status(m, now)) for m in content.maintenance]
    active_maintenance = tuple(m for m, s in by_status if s in _ACTIVE_MAINTENANCE)
    upcoming = tuple(m for m, s in by_status if s is MaintenanceStatus.SCHEDULED and m.end > now)
    uptimes = uptime(content, now)
    components = tuple(ComponentState(c, statuses[c.id], *uptimes[c.id]) for c in site.components)
    overall = indicator(statuses.values(), (i.impact for i in active), bool(active_maintenance))
    return Snapshot(now, overall, components, active, recent, active_maintenance, upcoming)


# ---------------------------------------------------------------- uptime


@dataclass(frozen=True)
class _Span:
    start: float  # POSIX seconds
    end: float
    weight: float
    status: ComponentStatus
    slug: str


def local_days(site: Site, now: datetime) -> list[tuple[date, float, float]]:
    """The uptime window's days in the site's zone, oldest first, as (day, start, end) seconds.

    The last day ends at `now`; days are real local days, so 23 or 25 hours long across DST.
    """
    tz = ZoneInfo(site.timezone)
    today = now.astimezone(tz).date()
    days = []
    for back in range(site.uptime_days - 1, -1, -1):
        day = today - timedelta(days=back)
        start = datetime.combine(day, time(0), tzinfo=tz).timestamp()
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).timestamp()
        days.append((day, start, min(end, now.timestamp())))
    return days


def uptime(content: Content, now: datetime) -> dict[str, tuple[float, tuple[DayBar, ...]]]:
    """Per component: the uptime percentage over the window and one bar per day.

    Downtime is weighted by status (by default a major outage counts fully, a partial outage at
    30 %, degraded performance and maintenance not at all); where incidents overlap, the heaviest
    weight counts once, never the sum.
    """
    site = content.site
    weights = dict(site.downtime_weights)
    days = local_days(site, now)
    window_start, window_end = days[0][1], now.timestamp()
    spans: dict[str, list[_Span]] = {c.id: [] for c in site.components}
    for incident in content.incidents:
        end = incident.resolved if is_resolved(incident, now) else now
        assert end is not None
        start_s, end_s = incident.started.timestamp(), end.timestamp()
        if end_s < window_start or start_s > window_end:
            continue
        for component_id, status in incident.components:
            spans[component_id].append(_Span(start_s, end_s, weights[status], status, incident.slug))
    for maintenance in content.maintenance:
        if maintenance_status(maintenance, now) is MaintenanceStatus.SCHEDULED:
            continue
        start, end = maintenance_interval(maintenance, now)
        start_s, end_s = start.timestamp(), end.timestamp()
        if end_s < window_start or start_s > window_end:
            continue
        status = ComponentStatus.UNDER_MAINTENANCE
        for component_id in maintenance.components:
            spans[component_id].append(_Span(start_s, end_s, weights[status], status, ""))
    return {
        component_id: _component_uptime(component_spans, days, window_start, window_end)
        for component_id, component_spans in spans.items()
    }


def _component_uptime(
    spans: Sequence[_Span], days: Sequence[tuple[date, float, float]], start: float, end: float
) -> tuple[float, tuple[DayBar, ...]]:
    pieces = _flatten(spans)
    bars = []
    for day, day_start, day_end in days:
        touching = [s for s in spans if s.start < day_end and s.end > day_start] if spans else []
        status = worst(s.status for s in touching)
        slugs = tuple(sorted({s.slug for s in touching if s.slug}))
        bars.append(DayBar(day, _percent_up(pieces, day_start, day_end), status, slugs))
    return _percent_up(pieces, start, end), tuple(bars)


def _flatten(spans: Sequence[_Span]) -> list[tuple[float, float, float]]:
    """Turn overlapping weighted spans into sorted, disjoint (start, end, heaviest weight) pieces."""
    if not spans:
        return []
    points = sorted({p for s in spans for p in (s.start, s.end)})
    pieces = []
    for left, right in itertools.pairwise(points):
        weight = max((s.weight for s in spans if s.start <= left and s.end >= right), default=0.0)
        if weight > 0:
            pieces.append((left, right, weight))
    return pieces


def _percent_up(pieces: Sequence[tuple[float, float, float]], start: float, end: float) -> float:
    """The weighted share of [start, end) that was up, in percent."""
    length = end - start
    if length <= 0:
        return 100.0
    down = 0.0
    first = bisect.bisect_left(pieces, start, key=lambda p: p[1])
    for left, right, weight in pieces[first:]:
        if left >= end:
            break
        down += weight * max(0.0, min(right, end) - max(left, start))
    return min(100.0, max(0.0, 100.0 * (1.0 - down / length)))


# ---------------------------------------------------------------- when the page changes


@dataclass(frozen=True)
class Change:
    """An instant at which what the site says changes, and why."""

    at: datetime
    reason: str


def _events(
    incidents: Iterable[Incident], maintenance: Iterable[Maintenance]
) -> Iterator[tuple[datetime, str, Incident | Maintenance, int]]:
    """Every dated event as (instant, kind, entry, update number): cheap, nothing formatted yet.

    Kinds: "starts", "update", "resolved" (incidents), "ends" (maintenance).
    """
    for incident in incidents:
        yield incident.started, "starts", incident, 0
        for update in incident.updates:
            yield update.at, "update", incident, update.number
        if incident.resolved is not None:
            yield incident.resolved, "resolved", incident, 0
    for item in maintenance:
        yield item.start, "starts", item, 0
        yield item.end, "ends", item, 0
        for update in item.updates:
            yield update.at, "update", item, update.number


def _change(at: datetime, kind: str, entry: Incident | Maintenance, number: int) -> Change:
    noun = "incident" if isinstance(entry, Incident) else "maintenance"
    words = {"starts": "starts", "resolved": "is resolved", "ends": "ends"}
    reason = f"{noun} {entry.slug} " + (f"posts update {number}" if kind == "update" else words[kind])
    return Change(at, reason)


def next_changes(content: Content, now: datetime) -> list[Change]:
    """The instants after `now` at which the output would change with no content change, soonest first.

    Besides the dated events, resolved incidents leave the front page's recent incidents, and the
    uptime window rolls at every local midnight (the day bars move). Figures that drift continuously
    while an incident is open (its duration, the uptime) are not counted: they are as of the build.
    """
    tomorrow = now.astimezone(content.site.tz).date() + timedelta(days=1)
    midnight = datetime.combine(tomorrow, time(0), tzinfo=content.site.tz)
    found = [Change(midnight, f"the uptime window moves to {tomorrow.isoformat()}")]
    # Only entries with an event after `now` can add one; most of a long history has none.
    incidents = [i for i in content.incidents if _latest_event(i) > now]
    maintenance = [m for m in content.maintenance if _latest_event(m) > now]
    found += [_change(*event) for event in _events(incidents, maintenance) if event[0] > now]
    recent = timedelta(days=content.site.recent_days)
    for incident in content.incidents:
        if incident.resolved is not None and incident.resolved + recent > now:
            leaves = incident.resolved + recent
            found.append(Change(leaves, f"incident {incident.slug} leaves the recent incidents"))
    return sorted(found, key=lambda change: (change.at, change.reason))


@dataclass(frozen=True)
class Bounds:
    """The first and latest events at or before `now`, and each component's latest status change."""

    first: datetime | None
    last: datetime | None
    components: dict[str, datetime]


def bounds(content: Content, now: datetime) -> Bounds:
    """Where the content's past begins and ends, in one pass (for `updated_at` fields)."""
    firsts: list[datetime] = []
    lasts: list[datetime] = []
    latest: dict[str, datetime] = {}
    entries: list[tuple[Incident | Maintenance, tuple[str, ...], tuple[datetime | None, ...]]] = [
        (i, i.component_ids, (i.started, i.resolved)) for i in content.incidents
    ]
    entries += [(m, m.components, (m.start, m.end)) for m in content.maintenance]
    for entry, ids, changes in entries:  # the instants at which components change status
        updates = entry.updates
        moments = [at for at in changes if at is not None]  # (a resolution may precede the start)
        firsts.append(min([*moments, updates[0].at]) if updates else min(moments))
        past = [at for at in moments if at <= now]
        if updates:  # in time order: the latest one at or before `now` counts for `last`
            past_updates = [u.at for u in updates if u.at <= now]
            lasts += past_updates[-1:]
        lasts += [max(past)] if past else []
        for at in past:
            for component_id in ids:
                if component_id not in latest or at > latest[component_id]:
                    latest[component_id] = at
    return Bounds(min(firsts, default=None), max(lasts, default=None), latest)


def _latest_event(entry: Incident | Maintenance) -> datetime:
    """The last dated event of an entry (its updates are in time order)."""
    moments = [entry.started, entry.resolved] if isinstance(entry, Incident) else [entry.start, entry.end]
    if entry.updates:
        moments.append(entry.updates[-1].at)
    return max(m for m in moments if m is not None)


def last_change(content: Content, now: datetime) -> datetime | None:
    """The latest event at or before `now`, or None."""
    return bounds(content, now).last
