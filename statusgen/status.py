"""The rules of statuses: precedence, the overall indicator, maintenance stages and uptime arithmetic.

Pure functions that `derive.py` applies to every entry; nothing here knows the entries."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from statusgen.models import (
    IMPACT_STATUS,
    STATUS_SEVERITY,
    ComponentStatus,
    Impact,
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


# Statuspage's `status.description` words, which its API gives in English whatever the page's language
# (the JSON API and `changes` read them; the pages show `i18n.LABELS["indicator"]`, translated, whose
# English is the same words: a test keeps them equal).
INDICATOR_DESCRIPTIONS: dict[Indicator, str] = {
    Indicator.NONE: "All Systems Operational",
    Indicator.MINOR: "Minor Service Outage",
    Indicator.MAJOR: "Partial System Outage",
    Indicator.CRITICAL: "Major System Outage",
    Indicator.MAINTENANCE: "Service Under Maintenance",
}

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
ACTIVE_MAINTENANCE = (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)


def worst(statuses: Iterable[ComponentStatus]) -> ComponentStatus:
    """The most severe of some component statuses (operational if there are none)."""
    return max(statuses, key=STATUS_SEVERITY.__getitem__, default=ComponentStatus.OPERATIONAL)


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
    if status in ACTIVE_MAINTENANCE:
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


def indicator(
    statuses: Iterable[ComponentStatus], open_impacts: Iterable[Impact], maintenance_active: bool
) -> Indicator:
    """The overall indicator: the worst of the components and of the open incidents' impacts."""
    candidates = [_STATUS_INDICATOR[s] for s in statuses]
    candidates += [_STATUS_INDICATOR[IMPACT_STATUS[impact]] for impact in open_impacts]
    if maintenance_active:
        candidates.append(Indicator.MAINTENANCE)
    return max(candidates, key=_INDICATOR_RANK.__getitem__, default=Indicator.NONE)


# ---------------------------------------------------------------- uptime


@dataclass(frozen=True)
class Span:
    """A weighted stretch of a component's downtime, in POSIX seconds."""

    start: float
    end: float
    weight: float
    status: ComponentStatus
    slug: str  # the incident's ("" for a maintenance)


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


def component_uptime(
    spans: Sequence[Span], days: Sequence[tuple[date, float, float]], start: float, end: float
) -> tuple[float, tuple[DayBar, ...]]:
    pieces = _flatten(spans)
    bars = []
    for day, day_start, day_end in days:
        touching = [s for s in spans if s.start < day_end and s.end > day_start] if spans else []
        status = worst(s.status for s in touching)
        slugs = tuple(sorted({s.slug for s in touching if s.slug}))
        bars.append(DayBar(day, _percent_up(pieces, day_start, day_end), status, slugs))
    return _percent_up(pieces, start, end), tuple(bars)


def _flatten(spans: Sequence[Span]) -> list[tuple[float, float, float]]:
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
