"""The derived model: every fact an output reads about each incident and maintenance, as of `now`.

`derive(content, now)` runs once per build. It turns the validated content into `Entry` objects
(an `IncidentEntry` or a `MaintenanceEntry`) that carry what any page, feed, calendar, JSON file,
badge or `changes` needs: status, current and highest impact, each component's status intervals,
when it began and ended, how long it lasted, when it last changed, the updates published by `now`
with the component changes each made, whether the post-mortem shows, and its path and URLs. It
also derives the page's overview (`Snapshot`: component statuses, the indicator, uptime). Outputs
read these fields and compute none of them again. `localize` gives the same model in another
language of the site (texts swapped, facts untouched).

How an incident's state unfolds (content format v2; a v1 file has no per-update state and keeps
its meaning):

- the top-level `impact` and `components` are the state at `started`;
- an update's `impact` sets the impact from its `at` on; its `components` mapping sets the named
  components (a component not named before joins the incident), the list form sets them to the
  status the current impact implies;
- a `resolved` update returns every component to operational; a later update that reopens the
  incident without `components` restores the state before the resolution (impact included);
  with `components`, it starts from operational and sets those;
- the incident ends at its resolution as known at `now` (`resolved`, else a latest posted
  `resolved` update): from there every component is operational, whatever later updates say;
- each update's changes compare the state it announces with the one the update before announced
  (operational before the first), so the first posted update carries the change from operational.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from statusgen.models import (
    IMPACT_STATUS,
    Component,
    ComponentStatus,
    Content,
    Impact,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
    Site,
    Translation,
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

IMPACT_RANK: dict[Impact, int] = {impact: rank for rank, impact in enumerate(Impact)}


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


def component_path(component_id: str) -> str:
    """A component's page (and its feeds' and badge's folder), relative to a language's root:
    `components/<id>/`. The one place the path is spelled."""
    return f"components/{component_id}/"


@dataclass(frozen=True)
class Interval:
    """A span of time during which a component had one status other than operational."""

    start: datetime
    end: datetime | None  # None: still so at `now`
    status: ComponentStatus


@dataclass(frozen=True)
class StatusChange:
    """One component's status changed by an update: "Website: major outage → partial outage"."""

    component: str  # id
    name: str  # in the edition's language
    old: ComponentStatus
    new: ComponentStatus


@dataclass(frozen=True)
class Step:
    """One published update as readers see it: what it says, and the component changes it made."""

    at: datetime
    status: IncidentStatus | MaintenanceStatus
    body: str
    number: int  # 1-based, in time order
    language: str  # the body's language when it is not the edition's (not translated), else ""
    impact: Impact | None  # the impact from this update on (incidents; None for maintenance)
    changes: tuple[StatusChange, ...]

    @property
    def anchor(self) -> str:
        """The update's fragment on its entry's page: `update-3`."""
        return f"update-{self.number}"


@dataclass(frozen=True)
class Affected:
    """A component an entry touches: its name, the worst status it had, its status now."""

    id: str
    name: str
    worst: ComponentStatus  # the worst it was in this entry (under_maintenance for a maintenance)
    status: ComponentStatus  # at `now`, as far as this entry goes (operational once it ended)
    intervals: tuple[Interval, ...]  # when it was not operational because of this entry

    @property
    def path(self) -> str:
        """The component's page, relative to a language's root."""
        return component_path(self.id)


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
    updates: tuple[Step, ...]  # published by `now`, in time order
    affected: tuple[Affected, ...]  # in the order they joined
    body: str  # the Markdown after the front matter, "" while a post-mortem is not yet published
    body_language: str
    path: str  # its page relative to a language's root (`entry_path`)
    url: str  # its page's absolute URL in the edition's language
    urls: tuple[tuple[str, str], ...]  # (language, absolute URL) in every language of the site
    postmortem_at: datetime | None  # when its post-mortem is (or will be) published (incidents)
    postmortem: bool  # whether the post-mortem is published at `now` (the body shows)

    @property
    def postmortem_pending(self) -> bool:
        """Whether a post-mortem is announced for later (`postmortem_at` after `now`)."""
        return self.postmortem_at is not None and not self.postmortem

    @functools.cached_property
    def component_ids(self) -> tuple[str, ...]:
        """The ids of the components it touches."""
        return tuple(a.id for a in self.affected)

    def touches(self, component_id: str) -> bool:
        """Whether it touches a component."""
        return component_id in self.component_ids


@dataclass(frozen=True, eq=False)
class IncidentEntry(Entry):
    """An incident as of `now`."""

    impact: Impact  # the highest it reached
    current_impact: Impact | None  # while it is open, its impact now; else None
    resolved: datetime | None  # = ends

    @property
    def started(self) -> datetime:
        """When it began (= `begins`)."""
        return self.begins

    @property
    def components(self) -> tuple[tuple[str, ComponentStatus], ...]:
        """(id, worst status) of each component it touched: the shape of format v1's mapping."""
        return tuple((a.id, a.worst) for a in self.affected)


@dataclass(frozen=True, eq=False)
class MaintenanceEntry(Entry):
    """A maintenance window as of `now`."""

    start: datetime  # the window as planned (now: after any rescheduling)
    end: datetime
    rescheduled: tuple[tuple[datetime, datetime], ...]
    upcoming: bool  # scheduled, and its window has not passed

    @property
    def components(self) -> tuple[str, ...]:
        """The ids of the components it holds."""
        return self.component_ids

    @property
    def sequence(self) -> int:
        """The iCalendar SEQUENCE: how many times the window moved."""
        return len(self.rescheduled)


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


# ---------------------------------------------------------------- incidents


def _resolution(incident: Incident, now: datetime) -> datetime | None:
    """When the incident was resolved as far as `now` knows: its resolution if passed, else a
    `resolved` update that is the latest posted (an incident can be reopened by a later update)."""
    if incident.resolved is not None and incident.resolved <= now:
        return incident.resolved
    posted = [u for u in incident.updates if u.at <= now]
    if posted and posted[-1].status is IncidentStatus.RESOLVED:
        return posted[-1].at
    return None


# The state of an incident from an instant on: (when, impact, each component's status). The
# mappings are never changed once made, so points share them until an update changes something.
_Point = tuple[datetime, Impact, Mapping[str, ComponentStatus]]


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


def _replay(
    incident: Incident, updates: Sequence[Update], end: datetime | None
) -> tuple[list[_Point], Impact]:
    """The incident's state at `started` and after each update (the state each update announces),
    in time order, and the highest impact reached before `end`."""
    impact, components = incident.impact, dict(incident.components)
    points: list[_Point] = [(incident.started, impact, components)]
    saved: tuple[Impact, Mapping[str, ComponentStatus]] | None = None  # the state a resolution ended
    highest = impact
    for update in updates:
        if update.status is IncidentStatus.RESOLVED:
            saved = saved or (impact, components)  # (a second resolved update keeps the first's)
            components = dict.fromkeys(components, ComponentStatus.OPERATIONAL)
        else:
            if saved is not None:  # reopened: as before the resolution, or from operational
                impact, components = saved if update.components is None else (saved[0], components)
                saved = None
            impact = update.impact or impact
            if update.components:
                implied = IMPACT_STATUS[impact]
                components = {**components, **{cid: s or implied for cid, s in update.components}}
        if IMPACT_RANK[impact] > IMPACT_RANK[highest] and (end is None or update.at < end):
            highest = impact
        points.append((max(update.at, incident.started), impact, components))
    return points, highest


def _intervals(cid: str, points: Sequence[_Point], end: datetime | None) -> tuple[Interval, ...]:
    """A component's non-operational intervals from state points, cut at `end` (if ended)."""
    found = []
    current, since = ComponentStatus.OPERATIONAL, points[0][0]
    for at, _, components in points:
        if end is not None and at >= end:
            break
        status = components.get(cid, ComponentStatus.OPERATIONAL)
        if status is not current:
            if current is not ComponentStatus.OPERATIONAL and at > since:
                found.append(Interval(since, at, current))
            current, since = status, at
    if current is not ComponentStatus.OPERATIONAL and (end is None or end > since):
        found.append(Interval(since, end, current))
    return tuple(found)


def _changes(
    before: Mapping[str, ComponentStatus], after: Mapping[str, ComponentStatus], names: Mapping[str, str]
) -> tuple[StatusChange, ...]:
    """The components whose status differs between two announced states, in the order of `after`."""
    if before is after:
        return ()
    out = []
    for cid in dict.fromkeys([*before, *after]):
        old = before.get(cid, ComponentStatus.OPERATIONAL)
        new = after.get(cid, ComponentStatus.OPERATIONAL)
        if old is not new:
            out.append(StatusChange(cid, names[cid], old, new))
    return tuple(out)


def _steps(
    updates: Sequence[Update], announced: Sequence[_Point], names: Mapping[str, str]
) -> tuple[Step, ...]:
    """The updates as readers see them, each with the changes from the state announced before it
    (operational before the first) to the state it announces."""
    steps = []
    previous: Mapping[str, ComponentStatus] = {}
    for update, (_, _, components) in zip(updates, announced, strict=True):
        changes = _changes(previous, components, names)
        previous = components
        steps.append(
            Step(
                update.at, update.status, update.body, update.number, update.language, update.impact, changes
            )
        )
    return tuple(steps)


def _touched(incident: Incident, posted: Sequence[Update], end: datetime | None) -> list[str]:
    """The components an incident touched by `now`: those at `started`, then those its updates
    added while it was open (an update written ahead names nothing yet)."""
    order = list(dict.fromkeys(cid for cid, _ in incident.components))
    for update in posted:
        if end is None or update.at < end:
            order += [cid for cid, _ in update.components or () if cid not in order]
    return order


def _incident_affected(
    order: Sequence[str], points: Sequence[_Point], end: datetime | None, names: Mapping[str, str]
) -> tuple[Affected, ...]:
    """Each touched component: the worst status it had while the incident was open, its status
    now (operational once the incident ended) and its intervals."""
    # The distinct states it had while open (points share a mapping until something changes).
    states = list(
        {id(c): c for index, (at, _, c) in enumerate(points) if end is None or at < end or not index}.values()
    )
    now_components = points[-1][2]
    return tuple(
        Affected(
            cid,
            names[cid],
            worst([components[cid] for components in states if cid in components]),
            ComponentStatus.OPERATIONAL
            if end is not None
            else now_components.get(cid, ComponentStatus.OPERATIONAL),
            _intervals(cid, points, end),
        )
        for cid in order
    )


def derive_incident(
    incident: Incident, now: datetime, site: Site, basis: _Basis | None = None
) -> IncidentEntry | None:
    """The incident as of `now`, or None when it is a draft or has not started yet."""
    if incident.draft or incident.started > now:
        return None
    basis = basis or _Basis.of(site)
    posted = [u for u in incident.updates if u.at <= now]
    end = _resolution(incident, now)
    points, highest = _replay(incident, posted, end)
    postmortem = incident.postmortem_at is None or incident.postmortem_at <= now
    moments = [incident.started, *(u.at for u in posted[-1:]), *([end] if end else [])]
    if incident.postmortem_at is not None and postmortem:
        moments.append(incident.postmortem_at)
    last_change = max(moments)
    pending = (
        (bool(incident.updates) and incident.updates[-1].at > now)
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
        status=IncidentStatus.RESOLVED if end is not None else _latest_status(posted),
        begins=incident.started,
        first_event=min([incident.started, *(u.at for u in posted[:1])]),
        ends=end,
        duration=_length(incident.started, end or now),
        last_change=last_change,
        settled=last_change if end is not None and not pending else None,
        active=end is None,
        updates=_steps(posted, points[1:], basis.names),
        affected=_incident_affected(_touched(incident, posted, end), points, end, basis.names),
        body=incident.body if postmortem else "",
        body_language=incident.body_language if postmortem else "",
        path=path,
        url=basis.home + path,
        urls=basis.urls(path),
        postmortem_at=incident.postmortem_at,
        postmortem=postmortem and incident.postmortem_at is not None,
        impact=highest,
        current_impact=points[-1][1] if end is None else None,
        resolved=end,
    )


def _latest_status(posted: Sequence[Update]) -> IncidentStatus:
    return IncidentStatus(posted[-1].status) if posted else IncidentStatus.INVESTIGATING


def _length(start: datetime, end: datetime) -> timedelta:
    return max(end.astimezone(UTC) - start.astimezone(UTC), timedelta(0))


# ---------------------------------------------------------------- maintenance


_HELD = (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)


def _maintenance_steps(
    item: Maintenance, posted: Sequence[Update], names: Mapping[str, str]
) -> tuple[Step, ...]:
    """A maintenance's updates: in progress and verifying announce its components held, the
    others operational."""
    held, free = (
        dict.fromkeys(item.components, state)
        for state in (ComponentStatus.UNDER_MAINTENANCE, ComponentStatus.OPERATIONAL)
    )
    states: list[_Point] = [(u.at, Impact.NONE, held if u.status in _HELD else free) for u in posted]
    return _steps(posted, states, names)


def derive_maintenance(
    item: Maintenance, now: datetime, site: Site, basis: _Basis | None = None
) -> MaintenanceEntry | None:
    """The maintenance as of `now` (future windows included: they are announced), or None for a draft."""
    if item.draft:
        return None
    basis = basis or _Basis.of(site)
    posted = tuple(u for u in item.updates if u.at <= now)
    known = item if len(posted) == len(item.updates) else dataclasses.replace(item, updates=posted)
    status = maintenance_status(known, now)
    begun = status is not MaintenanceStatus.SCHEDULED
    start, finish = maintenance_interval(known, now)
    active = status in ACTIVE_MAINTENANCE
    ends = finish if status is MaintenanceStatus.COMPLETED else None
    held = ComponentStatus.UNDER_MAINTENANCE
    interval = (Interval(start, None if active else finish, held),) if begun else ()
    now_status = held if active else ComponentStatus.OPERATIONAL
    moments = [moment for moment in (item.start, ends) if moment is not None and moment <= now]
    last_change = max([*moments, *(u.at for u in posted[-1:])], default=item.start)
    pending = len(posted) < len(item.updates)
    path = entry_path(Kind.MAINTENANCE, item.slug)
    return MaintenanceEntry(
        kind=Kind.MAINTENANCE,
        slug=item.slug,
        file=item.path,
        title=item.title,
        title_language=item.title_language,
        status=status,
        begins=item.start,
        first_event=min([item.start, *(u.at for u in posted[:1])]),
        ends=ends,
        duration=_length(start, (ends or now)) if begun else timedelta(0),
        last_change=last_change,
        settled=last_change if ends is not None and ends <= now and not pending else None,
        active=active,
        updates=_maintenance_steps(item, posted, basis.names),
        affected=tuple(
            Affected(cid, basis.names[cid], held, now_status, interval) for cid in item.components
        ),
        body=item.body,
        body_language=item.body_language,
        path=path,
        url=basis.home + path,
        urls=basis.urls(path),
        postmortem_at=None,
        postmortem=False,
        start=item.start,
        end=item.end,
        rescheduled=item.rescheduled,
        upcoming=status is MaintenanceStatus.SCHEDULED and item.end > now,
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
        entry for m in content.maintenance if (entry := derive_maintenance(m, now, site, basis)) is not None
    )
    return Derived(
        site,
        now,
        incidents,
        maintenance,
        overview(site, incidents, maintenance, now),
        bounds(incidents, maintenance, now),
    )


def _newest_first(entries: Iterable[Entry]) -> tuple[Entry, ...]:
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
    for entry in (*active, *(m for m in maintenance if m.active)):
        for item in entry.affected:
            found[item.id].append(item.status)
    statuses = {cid: worst(values) for cid, values in found.items()}
    recent_from = now - timedelta(days=site.recent_days)
    recent = [i for i in incidents if i.ends is not None and i.ends >= recent_from]
    uptimes = uptime(site, (*incidents, *maintenance), now)
    components = tuple(ComponentState(c, statuses[c.id], *uptimes[c.id]) for c in site.components)
    impacts = [i.current_impact for i in active if i.current_impact is not None]
    active_maintenance = tuple(m for m in maintenance if m.active)
    overall = indicator(statuses.values(), impacts, bool(active_maintenance))
    return Snapshot(
        now,
        overall,
        components,
        _newest_first(active),  # type: ignore[arg-type]
        _newest_first(recent),  # type: ignore[arg-type]
        active_maintenance,
        tuple(m for m in maintenance if m.upcoming),
    )


def uptime(
    site: Site, entries: Iterable[Entry], now: datetime
) -> dict[str, tuple[float, tuple[DayBar, ...]]]:
    """Per component: the uptime percentage over the window and one bar per day, from the status
    intervals of the entries (see `status.component_uptime`)."""
    weights = dict(site.downtime_weights)
    days = local_days(site, now)
    window_start, window_end = days[0][1], now.timestamp()
    spans: dict[str, list[Span]] = {c.id: [] for c in site.components}
    for entry in entries:
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
    """Where the site's past begins and ends, and when each component last changed status."""
    firsts: list[datetime] = []
    lasts: list[datetime] = []
    latest: dict[str, datetime] = {}
    for entry in (*incidents, *maintenance):
        firsts.append(entry.first_event)
        if entry.last_change <= now:
            lasts.append(entry.last_change)
        for item in entry.affected:
            for interval in item.intervals:
                for moment in (interval.start, interval.end):
                    if (
                        moment is not None
                        and moment <= now
                        and (item.id not in latest or moment > latest[item.id])
                    ):
                        latest[item.id] = moment
    return Bounds(min(firsts, default=None), max(lasts, default=None), latest)


def snapshot(content: Content, now: datetime) -> Snapshot:
    """The page's overview at `now` (a shortcut for `derive(content, now).snapshot`)."""
    return derive(content, now).snapshot


# ---------------------------------------------------------------- other languages


def localize(derived: Derived, translations: Sequence[Translation], site: Site) -> Derived:
    """The derived site as the pages in `site.language` show it (give the site in that language):
    texts translated where a translation gives them, else in the default language with that
    language noted (`title_language`, `body_language`, `Step.language`) so outputs can mark it.
    Facts are the default language's, untouched."""
    default = site.default_language
    language = site.language
    if language == default:
        return derived
    mine = {(t.kind, t.slug): t for t in translations if t.language == language}
    names = {c.id: c.name for c in site.components}
    swapped: dict[int, Entry] = {}

    def translated(entry: Entry) -> Entry:
        found = mine.get((entry.kind.folder, entry.slug))
        bodies = found.bodies if found else ()
        steps = tuple(
            dataclasses.replace(
                step,
                body=bodies[step.number - 1] if step.number <= len(bodies) else step.body,
                language="" if step.number <= len(bodies) else default,
                changes=tuple(dataclasses.replace(c, name=names[c.component]) for c in step.changes),
            )
            for step in entry.updates
        )
        hidden = entry.postmortem_pending
        has_body = bool(found and found.body.strip() and not hidden)
        new = dataclasses.replace(
            entry,
            title=found.title if found else entry.title,
            title_language="" if found else default,
            body=found.body if has_body and found else entry.body,
            body_language="" if has_body or not entry.body.strip() else default,
            updates=steps,
            affected=tuple(dataclasses.replace(a, name=names[a.id]) for a in entry.affected),
            url=site.home_url + entry.path,
        )
        swapped[id(entry)] = new
        return new

    incidents = tuple(translated(i) for i in derived.incidents)
    maintenance = tuple(translated(m) for m in derived.maintenance)
    snap = derived.snapshot
    by_id: Mapping[str, Component] = {c.id: c for c in site.components}

    def same(entries: Sequence[Entry]) -> tuple[Entry, ...]:
        return tuple(swapped[id(e)] for e in entries)

    localized = dataclasses.replace(
        snap,
        components=tuple(dataclasses.replace(s, component=by_id[s.component.id]) for s in snap.components),
        active_incidents=same(snap.active_incidents),
        recent_incidents=same(snap.recent_incidents),
        active_maintenance=same(snap.active_maintenance),
        upcoming_maintenance=same(snap.upcoming_maintenance),
    )
    return dataclasses.replace(
        derived,
        site=site,
        incidents=incidents,  # type: ignore[arg-type]
        maintenance=maintenance,  # type: ignore[arg-type]
        snapshot=localized,
    )


# ---------------------------------------------------------------- when the site next changes


@dataclass(frozen=True)
class Change:
    """An instant at which what the site says changes, and why."""

    at: datetime
    reason: str


def _events(entry: Incident | Maintenance, kind: Kind) -> Iterable[tuple[datetime, str]]:
    """Every dated event of an entry as (instant, what happens)."""
    noun = f"{kind} {entry.slug}"
    if isinstance(entry, Incident):
        yield entry.started, f"{noun} starts"
        if entry.resolved is not None:
            yield entry.resolved, f"{noun} is resolved"
        if entry.postmortem_at is not None:
            yield entry.postmortem_at, f"{noun} publishes its post-mortem"
    else:
        yield entry.start, f"{noun} starts"
        yield entry.end, f"{noun} ends"
    for update in entry.updates:
        yield update.at, f"{noun} posts update {update.number}"


def next_changes(content: Content, now: datetime) -> list[Change]:
    """The instants after `now` at which the output would change with no content change, soonest first.

    Give the content as written (future events included). Besides the dated events (starts,
    updates, resolutions, post-mortems, windows opening and closing), resolved incidents leave the
    front page's recent incidents, and the uptime window rolls at every local midnight (the day bars
    move). Figures that drift continuously while an incident is open (its duration, the uptime)
    are not counted: they are as of the build. Drafts change nothing.
    """
    site = content.site
    tomorrow = now.astimezone(site.tz).date() + timedelta(days=1)
    midnight = datetime.combine(tomorrow, time(0), tzinfo=site.tz)
    found = [Change(midnight, f"the uptime window moves to {tomorrow.isoformat()}")]
    recent = timedelta(days=site.recent_days)
    kinds = [(Kind.INCIDENT, content.incidents), (Kind.MAINTENANCE, content.maintenance)]
    for kind, entries in kinds:
        for entry in entries:
            if entry.draft:
                continue
            if _latest_event(entry) > now:  # most of a long history has no event left
                found += [Change(at, reason) for at, reason in _events(entry, kind) if at > now]
            if isinstance(entry, Incident) and entry.resolved is not None and entry.resolved + recent > now:
                found.append(
                    Change(entry.resolved + recent, f"incident {entry.slug} leaves the recent incidents")
                )
    return sorted(found, key=lambda change: (change.at, change.reason))


def _latest_event(entry: Incident | Maintenance) -> datetime:
    """The last dated event of an entry (its updates are in time order)."""
    if isinstance(entry, Incident):
        moments = [entry.started, entry.resolved, entry.postmortem_at]
    else:
        moments = [entry.start, entry.end]
    if entry.updates:
        moments.append(entry.updates[-1].at)
    return max(m for m in moments if m is not None)
