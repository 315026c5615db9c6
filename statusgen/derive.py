"""The derived model: every fact an output reads about each incident and maintenance, as of `now`.

`derive(content, now)` runs once per build. It turns the validated content into `Entry` objects
(an `IncidentEntry` or a `MaintenanceEntry`) that carry what any page, feed, calendar, JSON file,
badge or `changes` needs: status, current and highest impact, each component's status intervals,
when it began and ended, how long it lasted, when it last changed, the updates published by `now`
with the component changes each made, whether the post-mortem shows, and its path and URLs. It
also derives the page's overview (`Snapshot`: component statuses, the indicator, uptime). Outputs
read these fields and compute none of them again. `editions.localize` gives the same model in
another language of the site (texts swapped, facts untouched).

An entry's `updates` and `affected` (the timeline: `timeline.py`) are worked out when first read:
a rebuild of a long history shows only a few entries' timelines (the uptime window, the feeds, the
pages rendered again), and the others cost nothing. They are values like the rest, the same
whenever they are read.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from statusgen import timeline
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
from statusgen.status import (
    ACTIVE_MAINTENANCE,
    INDICATOR_DESCRIPTIONS,
    DayBar,
    Indicator,
    Span,
    component_uptime,
    indicator,
    local_days,
    maintenance_interval,
    maintenance_status,
    worst,
)
from statusgen.timeline import Affected, Interval, StatusChange, Step, Texts, component_path

__all__ = [
    "Affected",
    "Interval",
    "StatusChange",
    "Step",
    "component_path",
]


class Kind(StrEnum):
    """What an entry is: an incident or a maintenance."""

    INCIDENT = "incident"
    MAINTENANCE = "maintenance"

    @property
    def folder(self) -> str:
        """The content folder, and the first part of the entry's page path."""
        return "incidents" if self is Kind.INCIDENT else "maintenance"


def entry_path(kind: Kind, slug: str) -> str:
    """An entry's page, relative to the root of a language's pages: `incidents/<slug>/`.

    The one place the path is spelled; templates read `entry.path`, everything else calls this.
    """
    return f"{kind.folder}/{slug}/"


@dataclass(frozen=True, eq=False)
class Entry:
    """An incident or a maintenance, as of `now`, with everything an output shows of it."""

    kind: Kind
    slug: str
    file: str  # the content file it comes from
    title: str
    title_language: str  # the title's language when it is not the edition's, else ""
    status: IncidentStatus | MaintenanceStatus
    begins: datetime
    first_event: datetime  # when it was first announced: `begins`, or an update posted before it
    ends: datetime | None  # when it ended (resolved, or the window closed); None if not ended
    duration: timedelta  # how long it lasted, or has lasted so far; zero before it begins
    last_change: datetime  # its latest event at or before `now` (its start when none has passed)
    settled: datetime | None  # `last_change` once nothing of it can change by itself, else None
    active: bool  # an open incident, or a maintenance in progress or verifying
    component_ids: tuple[str, ...]  # the components it touched by `now`, in the order they joined
    body: str  # the Markdown after the front matter, "" while a post-mortem is not yet published
    body_language: str
    path: str  # its page relative to a language's root (`entry_path`)
    url: str  # its page's absolute URL in the edition's language
    urls: tuple[tuple[str, str], ...]  # (language, absolute URL) in every language of the site
    postmortem_at: datetime | None  # when its post-mortem is (or will be) published (incidents)
    postmortem: bool  # whether the post-mortem is published at `now` (the body shows)
    # What the timeline is worked out from (see `updates` and `affected`):
    now: datetime = field(repr=False)
    texts: Texts = field(repr=False)

    @property
    def postmortem_pending(self) -> bool:
        """Whether a post-mortem is announced for later (`postmortem_at` after `now`)."""
        return self.postmortem_at is not None and not self.postmortem

    def touches(self, component_id: str) -> bool:
        """Whether it touches a component."""
        return component_id in self.component_ids

    @functools.cached_property
    def updates(self) -> tuple[Step, ...]:
        """The updates published by `now`, in time order, each with the changes it made."""
        raise NotImplementedError

    @functools.cached_property
    def affected(self) -> tuple[Affected, ...]:
        """The components it touched (`component_ids`), each with its name, worst and current
        status and intervals."""
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class IncidentEntry(Entry):
    """An incident as of `now`."""

    impact: Impact  # the highest it reached
    current_impact: Impact | None  # while it is open, its impact now; else None
    resolved: datetime | None  # = ends
    # The content as written, future updates and post-mortems included: kept from templates (the
    # sandbox refuses names starting with _), for the timeline only.
    _source: Incident = field(repr=False)

    @property
    def started(self) -> datetime:
        """When it began (= `begins`)."""
        return self.begins

    @property
    def components(self) -> tuple[tuple[str, ComponentStatus], ...]:
        """(id, worst status) of each component it touched: the shape of format v1's mapping."""
        return tuple((a.id, a.worst) for a in self.affected)

    @functools.cached_property
    def _replayed(self) -> tuple[list[Update], list[timeline.Point]]:
        """The updates published by `now`, and the state at `started` and after each."""
        shown = timeline.posted(self._source, self.now)
        return shown, timeline.replay(self._source, shown, self.ends)[0]

    @functools.cached_property
    def updates(self) -> tuple[Step, ...]:
        """The updates published by `now`, in time order, each with the changes it made."""
        shown, points = self._replayed
        return timeline.steps(shown, points[1:], self.texts)

    @functools.cached_property
    def affected(self) -> tuple[Affected, ...]:
        """The components it touched, each with its worst and current status and intervals."""
        return timeline.incident_affected(self.component_ids, self._replayed[1], self.ends, self.texts.names)


@dataclass(frozen=True, eq=False)
class MaintenanceEntry(Entry):
    """A maintenance window as of `now`."""

    start: datetime  # the window as planned (now: after any rescheduling)
    end: datetime
    rescheduled: tuple[tuple[datetime, datetime], ...]
    upcoming: bool  # scheduled, and its window has not passed
    held: tuple[datetime, datetime] | None  # when it really held its components, once begun
    _source: Maintenance = field(repr=False)  # (see IncidentEntry._source)

    @property
    def components(self) -> tuple[str, ...]:
        """The ids of the components it holds."""
        return self.component_ids

    @property
    def sequence(self) -> int:
        """The iCalendar SEQUENCE: how many times the window moved."""
        return len(self.rescheduled)

    @functools.cached_property
    def updates(self) -> tuple[Step, ...]:
        """The updates published by `now`, in time order, each with the changes it made."""
        return timeline.maintenance_steps(self._source, timeline.posted(self._source, self.now), self.texts)

    @functools.cached_property
    def affected(self) -> tuple[Affected, ...]:
        """The components it holds: under maintenance while it is active."""
        maintained = ComponentStatus.UNDER_MAINTENANCE
        spans = (
            ()
            if self.held is None
            else (Interval(self.held[0], None if self.active else self.held[1], maintained),)
        )
        now_status = maintained if self.active else ComponentStatus.OPERATIONAL
        return tuple(
            Affected(cid, self.texts.names[cid], maintained, now_status, spans) for cid in self.component_ids
        )


@dataclass(frozen=True)
class ComponentState:
    """A component as the page shows it at `now`."""

    component: Component
    status: ComponentStatus
    uptime: float
    days: tuple[DayBar, ...]

    @property
    def path(self) -> str:
        """The component's page, relative to a language's root."""
        return component_path(self.component.id)


@dataclass(frozen=True)
class Snapshot:
    """The page's overview at one instant: the indicator, every component, what is going on."""

    now: datetime
    indicator: Indicator
    components: tuple[ComponentState, ...]
    active_incidents: tuple[IncidentEntry, ...]
    recent_incidents: tuple[IncidentEntry, ...]
    active_maintenance: tuple[MaintenanceEntry, ...]
    upcoming_maintenance: tuple[MaintenanceEntry, ...]

    @property
    def description(self) -> str:
        """The overall status in words ("All Systems Operational")."""
        return INDICATOR_DESCRIPTIONS[self.indicator]

    def component(self, component_id: str) -> ComponentState:
        """The state of one component."""
        return next(c for c in self.components if c.component.id == component_id)


@dataclass(frozen=True)
class Bounds:
    """The first and latest events at or before `now`, and each component's latest status change."""

    first: datetime | None
    last: datetime | None
    components: Mapping[str, datetime]


@dataclass(frozen=True)
class Derived:
    """The whole site as of `now`, in one language: its entries and its overview."""

    site: Site
    now: datetime
    incidents: tuple[IncidentEntry, ...]  # started by `now`, oldest first
    maintenance: tuple[MaintenanceEntry, ...]  # every window, past and future, earliest first
    snapshot: Snapshot
    bounds: Bounds

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Incidents, then maintenance."""
        return (*self.incidents, *self.maintenance)


E = TypeVar("E", bound=Entry)


# ---------------------------------------------------------------- incidents and maintenance


@dataclass(frozen=True)
class _Basis:
    """What every entry of a site is derived with: component names and each language's root URL."""

    names: Mapping[str, str]
    home: str  # the root of the pages in the site's language
    roots: tuple[tuple[str, str], ...]  # (language, root URL) for every language of the site

    @classmethod
    def of(cls, site: Site) -> _Basis:
        """The basis of a site (made once per derivation: `Site.prefix` is not free)."""
        languages = site.languages or (site.language,)
        roots = tuple((language, site.base_url + site.prefix(language)) for language in languages)
        return cls({c.id: c.name for c in site.components}, site.home_url, roots)

    def urls(self, path: str) -> tuple[tuple[str, str], ...]:
        """A page's absolute URL in every language."""
        return tuple((language, root + path) for language, root in self.roots)


def _length(start: datetime, end: datetime) -> timedelta:
    return max(end.astimezone(UTC) - start.astimezone(UTC), timedelta(0))


def derive_incident(
    incident: Incident, now: datetime, site: Site, basis: _Basis | None = None
) -> IncidentEntry | None:
    """The incident as of `now`, or None when it is a draft or has not started yet."""
    if incident.draft or incident.started > now:
        return None
    basis = basis or _Basis.of(site)
    shown = timeline.posted(incident, now)
    end = timeline.resolution(incident, now)
    highest, current = _impacts(incident, shown, end)
    postmortem = incident.postmortem_at is None or incident.postmortem_at <= now
    last_change = _incident_last_change(incident, shown, end, postmortem)
    pending = (
        len(shown) < len(incident.updates)
        or (incident.resolved is not None and incident.resolved > now)
        or not postmortem
    )
    path = entry_path(Kind.INCIDENT, incident.slug)
    return IncidentEntry(
        kind=Kind.INCIDENT,
        slug=incident.slug,
        file=incident.path,
        title=incident.title,
        title_language=incident.title_language,
        status=IncidentStatus.RESOLVED if end is not None else _latest_status(shown),
        begins=incident.started,
        first_event=min([incident.started, *(u.at for u in shown[:1])]),
        ends=end,
        duration=_length(incident.started, end or now),
        last_change=last_change,
        settled=last_change if end is not None and not pending else None,
        active=end is None,
        component_ids=timeline.touched(incident, shown, end),
        body=incident.body if postmortem else "",
        body_language=incident.body_language if postmortem else "",
        path=path,
        url=basis.home + path,
        urls=basis.urls(path),
        postmortem_at=incident.postmortem_at,
        postmortem=postmortem and incident.postmortem_at is not None,
        now=now,
        texts=Texts(basis.names),
        impact=highest,
        current_impact=current if end is None else None,
        resolved=end,
        _source=incident,
    )


def _impacts(incident: Incident, shown: Sequence[Update], end: datetime | None) -> tuple[Impact, Impact]:
    """The highest impact an incident reached by its last shown update, and its impact then."""
    if timeline.changes_state(shown):
        points, highest = timeline.replay(incident, shown, end)
        return highest, points[-1][1]
    return incident.impact, incident.impact  # (the impact at `started` holds: a reopening restores it)


def _incident_last_change(
    incident: Incident, shown: Sequence[Update], end: datetime | None, postmortem: bool
) -> datetime:
    """An incident's latest event among its start, its last shown update, its resolution and its
    published post-mortem."""
    moments = [incident.started, *(u.at for u in shown[-1:]), *([end] if end else [])]
    if incident.postmortem_at is not None and postmortem:
        moments.append(incident.postmortem_at)
    return max(moments)


def _latest_status(shown: Sequence[Update]) -> IncidentStatus:
    return IncidentStatus(shown[-1].status) if shown else IncidentStatus.INVESTIGATING


def derive_maintenance(
    item: Maintenance, now: datetime, site: Site, basis: _Basis | None = None
) -> MaintenanceEntry | None:
    """The maintenance as of `now` (future windows included: they are announced), or None for a draft."""
    if item.draft:
        return None
    basis = basis or _Basis.of(site)
    shown = timeline.posted(item, now)
    known = item if len(shown) == len(item.updates) else dataclasses.replace(item, updates=tuple(shown))
    status = maintenance_status(known, now)
    begun = status is not MaintenanceStatus.SCHEDULED
    start, finish = maintenance_interval(known, now)
    ends = finish if status is MaintenanceStatus.COMPLETED else None
    moments = [moment for moment in (item.start, ends) if moment is not None and moment <= now]
    last_change = max([*moments, *(u.at for u in shown[-1:])], default=item.start)
    path = entry_path(Kind.MAINTENANCE, item.slug)
    return MaintenanceEntry(
        kind=Kind.MAINTENANCE,
        slug=item.slug,
        file=item.path,
        title=item.title,
        title_language=item.title_language,
        status=status,
        begins=item.start,
        first_event=min([item.start, *(u.at for u in shown[:1])]),
        ends=ends,
        duration=_length(start, (ends or now)) if begun else timedelta(0),
        last_change=last_change,
        settled=last_change if ends is not None and ends <= now and len(shown) == len(item.updates) else None,
        active=status in ACTIVE_MAINTENANCE,
        component_ids=item.components,
        body=item.body,
        body_language=item.body_language,
        path=path,
        url=basis.home + path,
        urls=basis.urls(path),
        postmortem_at=None,
        postmortem=False,
        now=now,
        texts=Texts(basis.names),
        start=item.start,
        end=item.end,
        rescheduled=item.rescheduled,
        upcoming=status is MaintenanceStatus.SCHEDULED and item.end > now,
        held=(start, finish) if begun else None,
        _source=item,
    )


# ---------------------------------------------------------------- the whole site


def derive(content: Content, now: datetime) -> Derived:
    """Derive every entry and the overview of the site as of `now`, in the content's language."""
    site = content.site
    basis = _Basis.of(site)
    incidents = tuple(
        entry for i in content.incidents if (entry := derive_incident(i, now, site, basis)) is not None
    )
    maintenance = tuple(
        window for m in content.maintenance if (window := derive_maintenance(m, now, site, basis)) is not None
    )
    snap = overview(site, incidents, maintenance, now)
    return Derived(site, now, incidents, maintenance, snap, bounds(incidents, maintenance, now))


def _newest_first(entries: Iterable[E]) -> tuple[E, ...]:
    return tuple(sorted(entries, key=lambda e: (e.begins, e.slug), reverse=True))


def overview(
    site: Site,
    incidents: Sequence[IncidentEntry],
    maintenance: Sequence[MaintenanceEntry],
    now: datetime,
) -> Snapshot:
    """The page's state at `now`: each component's status and uptime, the indicator, the lists."""
    found: dict[str, list[ComponentStatus]] = {c.id: [] for c in site.components}
    active = [i for i in incidents if i.active]
    active_maintenance = tuple(m for m in maintenance if m.active)
    for entry in (*active, *active_maintenance):
        for item in entry.affected:
            found[item.id].append(item.status)
    statuses = {cid: worst(values) for cid, values in found.items()}
    recent_from = now - timedelta(days=site.recent_days)
    recent = [i for i in incidents if i.ends is not None and i.ends >= recent_from]
    uptimes = uptime(site, (*incidents, *maintenance), now)
    components = tuple(ComponentState(c, statuses[c.id], *uptimes[c.id]) for c in site.components)
    impacts = [i.current_impact for i in active if i.current_impact is not None]
    overall = indicator(statuses.values(), impacts, bool(active_maintenance))
    upcoming = tuple(m for m in maintenance if m.upcoming)
    return Snapshot(
        now, overall, components, _newest_first(active), _newest_first(recent), active_maintenance, upcoming
    )


def uptime(
    site: Site, entries: Iterable[Entry], now: datetime
) -> dict[str, tuple[float, tuple[DayBar, ...]]]:
    """Per component: the uptime percentage over the window and one bar per day, from the status
    intervals of the entries (see `status.component_uptime`). Only entries that reach into the
    window are looked at (their timelines are worked out; the others' are not needed)."""
    weights = dict(site.downtime_weights)
    days = local_days(site, now)
    window_start, window_end = days[0][1], now.timestamp()
    spans: dict[str, list[Span]] = {c.id: [] for c in site.components}
    for entry in entries:
        if (entry.ends is not None and entry.ends.timestamp() < window_start) or entry.begins > now:
            continue
        slug = entry.slug if entry.kind is Kind.INCIDENT else ""
        for item in entry.affected:
            for interval in item.intervals:
                start_s = interval.start.timestamp()
                end_s = (interval.end or now).timestamp()
                if end_s < window_start or start_s > window_end:
                    continue
                spans[item.id].append(Span(start_s, end_s, weights[interval.status], interval.status, slug))
    return {
        cid: component_uptime(component_spans, days, window_start, window_end)
        for cid, component_spans in spans.items()
    }


def bounds(
    incidents: Sequence[IncidentEntry], maintenance: Sequence[MaintenanceEntry], now: datetime
) -> Bounds:
    """Where the site's past begins and ends, and when each component last changed status.

    An entry changes a component's status at its intervals' bounds, none later than its last
    change: entries are looked at newest first, and a component is settled as soon as the next
    entry's last change is no later than the change found for it.
    """
    entries = [*incidents, *maintenance]
    past = [e.last_change for e in entries if e.last_change <= now]
    latest: dict[str, datetime] = {}
    unsettled = {cid for e in entries for cid in e.component_ids}
    for entry in sorted(entries, key=lambda e: e.last_change, reverse=True):
        unsettled -= {cid for cid in unsettled if cid in latest and latest[cid] >= entry.last_change}
        if not unsettled:
            break
        if not any(cid in unsettled for cid in entry.component_ids):
            continue
        for item in entry.affected:
            for interval in item.intervals:
                for moment in (interval.start, interval.end):
                    if (
                        moment is not None
                        and moment <= now
                        and moment > latest.get(item.id, moment - timedelta(1))
                    ):
                        latest[item.id] = moment
    return Bounds(min((e.first_event for e in entries), default=None), max(past, default=None), latest)


def snapshot(content: Content, now: datetime) -> Snapshot:
    """The page's overview at `now` (a shortcut for `derive(content, now).snapshot`)."""
    return derive(content, now).snapshot
