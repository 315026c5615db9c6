"""How one incident or maintenance unfolds: the state each update sets, the changes it announces,
and each component's status intervals. Pure functions of one entry's model and `now`.

The rules of an incident's state (content format v2; a v1 file has no per-update state and keeps
its meaning):

- the top-level `impact` and `components` are the state at `started`;
- an update's `impact` sets the impact from its `at` on; its `components` mapping sets the named
  components (a component not named before joins the incident), the list form sets them to the
  status the current impact implies;
- a `resolved` update returns every component to operational; a later update that reopens the
  incident without `components` restores the state before the resolution (impact included);
  with `components`, it starts from operational and sets those;
- the incident ends at its resolution as known at `now` (`resolved`, else a latest posted
  `resolved` update): from there every component is operational;
- each update's changes compare the state it announces with the one the update before announced
  (operational before the first), so the first posted update carries the change from operational.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from statusgen.models import (
    IMPACT_STATUS,
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
    Update,
)
from statusgen.status import worst

IMPACT_RANK: dict[Impact, int] = {impact: rank for rank, impact in enumerate(Impact)}
HELD = (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)  # updates announcing a window open


def component_path(component_id: str) -> str:
    """A component's page (and its feeds' and badge's folder), relative to a language's root:
    `components/<id>/`. The one place the path is spelled."""
    return f"components/{component_id}/"


class Interval(NamedTuple):
    """A span of time during which a component had one status other than operational."""

    start: datetime
    end: datetime | None  # None: still so at `now`
    status: ComponentStatus


class StatusChange(NamedTuple):
    """One component's status changed by an update: "Website: major outage → partial outage"."""

    component: str  # id
    name: str  # in the edition's language
    old: ComponentStatus
    new: ComponentStatus


class Step(NamedTuple):
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


class Affected(NamedTuple):
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


@dataclass(frozen=True)
class Texts:
    """The words an entry's updates are shown in: the component names of the edition's language,
    and the updates' bodies where a translation gives them (the others are in `fallback`)."""

    names: Mapping[str, str]
    bodies: tuple[str, ...] | None = None  # translated bodies, in time order; None: as written
    fallback: str = ""  # the language the untranslated bodies are in, when `bodies` is given

    def body(self, update: Update) -> tuple[str, str]:
        """An update's body and its language ("" when it is the edition's)."""
        if self.bodies is None:
            return update.body, update.language
        if update.number <= len(self.bodies):
            return self.bodies[update.number - 1], ""
        return update.body, self.fallback


# The state of an incident from an instant on: (when, impact, each component's status). The
# mappings are never changed once made, so points share them until an update changes something.
Point = tuple[datetime, Impact, Mapping[str, ComponentStatus]]


def posted(entry: Incident | Maintenance, now: datetime) -> list[Update]:
    """The updates published by `now`, in time order."""
    updates = entry.updates
    return list(updates) if not updates or updates[-1].at <= now else [u for u in updates if u.at <= now]


def resolution(incident: Incident, now: datetime) -> datetime | None:
    """When the incident was resolved as far as `now` knows: its resolution if passed, else a
    `resolved` update that is the latest posted (an incident can be reopened by a later update)."""
    if incident.resolved is not None and incident.resolved <= now:
        return incident.resolved
    shown = posted(incident, now)
    if shown and shown[-1].status is IncidentStatus.RESOLVED:
        return shown[-1].at
    return None


def changes_state(updates: Sequence[Update]) -> bool:
    """Whether any update sets an impact or components (else the state at `started` holds)."""
    return any(u.impact is not None or u.components is not None for u in updates)


def replay(incident: Incident, updates: Sequence[Update], end: datetime | None) -> tuple[list[Point], Impact]:
    """The incident's state at `started` and after each update (the state each update announces),
    in time order, and the highest impact reached before `end`."""
    impact = incident.impact
    components: Mapping[str, ComponentStatus] = dict(incident.components)
    points: list[Point] = [(incident.started, impact, components)]
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


def intervals(cid: str, points: Sequence[Point], end: datetime | None) -> tuple[Interval, ...]:
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


def steps(updates: Sequence[Update], announced: Sequence[Point], texts: Texts) -> tuple[Step, ...]:
    """The updates as readers see them, each with the changes from the state announced before it
    (operational before the first) to the state it announces."""
    found = []
    previous: Mapping[str, ComponentStatus] = {}
    for update, (_, _, components) in zip(updates, announced, strict=True):
        changes = _changes(previous, components, texts.names)
        previous = components
        body, language = texts.body(update)
        found.append(Step(update.at, update.status, body, update.number, language, update.impact, changes))
    return tuple(found)


def touched(incident: Incident, updates: Sequence[Update], end: datetime | None) -> tuple[str, ...]:
    """The components an incident touched by `now` (give its posted updates): those at `started`,
    then those its updates added while it was open (an update written ahead names nothing yet)."""
    order = list(dict.fromkeys(cid for cid, _ in incident.components))
    for update in updates:
        if update.components and (end is None or update.at < end):
            order += [cid for cid, _ in update.components if cid not in order]
    return tuple(order)


def incident_affected(
    order: Sequence[str], points: Sequence[Point], end: datetime | None, names: Mapping[str, str]
) -> tuple[Affected, ...]:
    """Each touched component: the worst status it had while the incident was open, its status
    now (operational once the incident ended) and its intervals."""
    # The distinct states it had while open (points share a mapping until something changes).
    states = list(
        {id(c): c for i, (at, _, c) in enumerate(points) if end is None or at < end or not i}.values()
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
            intervals(cid, points, end),
        )
        for cid in order
    )


def maintenance_steps(item: Maintenance, updates: Sequence[Update], texts: Texts) -> tuple[Step, ...]:
    """A maintenance's updates: in progress and verifying announce its components held, the
    others operational."""
    held, free = (
        dict.fromkeys(item.components, state)
        for state in (ComponentStatus.UNDER_MAINTENANCE, ComponentStatus.OPERATIONAL)
    )
    states: list[Point] = [(u.at, Impact.NONE, held if u.status in HELD else free) for u in updates]
    return steps(updates, states, texts)
