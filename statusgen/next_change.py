"""When the site next changes by itself: the instants after `now` at which a build would give
another output with no content change (`next_changes`), written to `api/statusgen/next-change.json`
for a scheduled rebuild and printed by `statusgen next-change`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from statusgen.derive import Kind
from statusgen.i18n import Formatter
from statusgen.models import Content, Incident, Maintenance
from statusgen.statuspage import to_json


@dataclass(frozen=True)
class Change:
    """An instant at which what the site says changes, and why."""

    at: datetime
    reason: str


# What the published file calls an incident written ahead (its `started` after `now`): the site
# does not show it yet, so neither its slug nor its file's name may be read there.
UNPUBLISHED = "an incident not yet published"


def _events(
    entry: Incident | Maintenance, kind: Kind, noun: str = "", remind: timedelta | None = None
) -> Iterable[tuple[datetime, str]]:
    """Every dated event of an entry as (instant, what happens), the entry called `noun` (by
    default, its kind and slug); with `remind`, a maintenance's reminder too (`statusgen notify`
    sends it then)."""
    noun = noun or f"{kind} {entry.slug}"
    if isinstance(entry, Incident):
        yield entry.started, f"{noun} starts"
        if entry.resolved is not None:
            yield entry.resolved, f"{noun} is resolved"
        if entry.postmortem_at is not None:
            yield entry.postmortem_at, f"{noun} publishes its post-mortem"
    else:
        yield entry.start, f"{noun} starts"
        yield entry.end, f"{noun} ends"
        if remind is not None:
            yield entry.start - remind, f"{noun} is due a reminder"
    for update in entry.updates:
        yield update.at, f"{noun} posts update {update.number}"


def next_changes(content: Content, now: datetime, published: bool = False) -> list[Change]:
    """The instants after `now` at which the output would change with no content change, soonest first.

    Give the content as written (future events included). Besides the dated events (starts,
    updates, resolutions, post-mortems, windows opening and closing), resolved incidents leave the
    front page's recent incidents, and the uptime window rolls at every local midnight (the day bars
    move). Figures that drift continuously while an incident is open (its duration, the uptime)
    are not counted: they are as of the build. Drafts change nothing. For the `published` file,
    an incident that has not started at `now` is not named (`UNPUBLISHED`): the site holds
    nothing of it yet.
    """
    site = content.site
    tomorrow = now.astimezone(site.tz).date() + timedelta(days=1)
    midnight = datetime.combine(tomorrow, time(0), tzinfo=site.tz)
    found = [Change(midnight, f"the uptime window moves to {tomorrow.isoformat()}")]
    recent = timedelta(days=site.recent_days)
    kinds: list[tuple[Kind, Sequence[Incident | Maintenance]]] = [
        (Kind.INCIDENT, content.incidents),
        (Kind.MAINTENANCE, content.maintenance),
    ]
    for kind, entries in kinds:
        for entry in entries:
            if entry.draft:
                continue
            ahead = published and isinstance(entry, Incident) and entry.started > now
            noun = UNPUBLISHED if ahead else f"{kind} {entry.slug}"
            if _latest_event(entry) > now:  # most of a long history has no event left
                found += [
                    Change(at, reason) for at, reason in _events(entry, kind, noun, site.remind) if at > now
                ]
            if isinstance(entry, Incident) and entry.resolved is not None and entry.resolved + recent > now:
                found.append(Change(entry.resolved + recent, f"{noun} leaves the recent incidents"))
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


def next_change_file(content: Content, now: datetime) -> bytes:
    """`api/statusgen/next-change.json`: the instant the site was built at (`as_of`: `statusgen
    notify` announces what the site said then), when a scheduled rebuild should next run, and why
    (an incident written ahead unnamed: the file is published).

    Give the content as written, so that future events are known.
    """
    fmt = Formatter(content.site.language, content.site.timezone)
    upcoming = next_changes(content, now, published=True)
    listed = [{"at": fmt.iso(c.at), "reason": c.reason} for c in upcoming[:20]]
    return to_json({"as_of": fmt.iso(now), "next_change": listed[0] if listed else None, "upcoming": listed})
