"""Finding entries from the command line: a slug, or a unique suffix of one, to its file; what
`statusgen list` shows (open incidents, upcoming and active maintenance, drafts) as the site says
it; the slugs, statuses and component ids shell completion offers. It reads; `statusgen.authoring`
writes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from statusgen.content import content_files, load_content, slug_for
from statusgen.derive import Entry, IncidentEntry, MaintenanceEntry, derive, derive_incident
from statusgen.errors import AuthoringError, Problem, StatusgenError, did_you_mean
from statusgen.models import (
    ComponentStatus,
    Content,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
)

KINDS = ("incidents", "maintenance")
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")


def _refuse(path: str, message: str, hint: str = "") -> AuthoringError:
    return AuthoringError([Problem(path, None, "", message, hint)])


# ---------------------------------------------------------------- slugs


def entry_files(content_dir: Path) -> dict[str, list[tuple[Path, str]]]:
    """Every incident and maintenance file (translations aside) by slug, with its kind
    ("incidents" or "maintenance"); one slug has one file unless the content is in error."""
    found: dict[str, list[tuple[Path, str]]] = {}
    for kind in KINDS:
        for path in content_files(content_dir / kind):
            if path.name.count(".") == 1:
                found.setdefault(slug_for(path.name), []).append((path, kind))
    return found


def short_slug(slug: str) -> str:
    """The slug without its date prefix: `2026-12-05-checkout-errors` → `checkout-errors`."""
    return _DATE_PREFIX.sub("", slug, count=1)


def matching_slugs(slugs: Sequence[str], given: str) -> list[str]:
    """The slugs `given` names: itself if it is one (an exact slug always wins), else every slug it
    ends after a dash (`checkout-errors`, or `errors`, names `2026-12-05-checkout-errors`)."""
    given = given.lower()
    if given in slugs:
        return [given]
    return sorted(slug for slug in slugs if slug.endswith(f"-{given}"))


def find_entry(content_dir: Path, slug: str) -> tuple[Path, str]:
    """The file of the incident or maintenance this slug names (exactly, or as the unique slug
    ending with `-<slug>`, or at this path), and its kind ("incidents" or "maintenance");
    translations are not entries."""
    given = Path(slug)
    if slug.endswith(".md") and given.is_file():
        for kind in KINDS:
            if (content_dir / kind).resolve() in given.resolve().parents:
                return given, kind
        raise _refuse(slug, f"not a file of {content_dir}/incidents or {content_dir}/maintenance")
    files = entry_files(content_dir)
    named = matching_slugs(list(files), slug) if slug.strip() else []
    if not named:
        raise _refuse(
            str(content_dir),
            f"no incident or maintenance has the slug {slug!r}",
            did_you_mean(slug, list(files))
            or did_you_mean(slug, [short_slug(s) for s in files])
            or "a slug is a file name without .md, or its end after a dash; `statusgen list` shows them",
        )
    if len(named) > 1:
        raise _refuse(
            str(content_dir),
            f"{slug!r} could be any of {', '.join(named)}",
            "give more of the slug, or all of it",
        )
    found = files[named[0]]
    if len(found) > 1:
        message = f"both {found[0][0]} and {found[1][0]} have the slug {named[0]!r}"
        raise _refuse(str(content_dir), message, "give the path of the file instead of its slug")
    return found[0]


# ---------------------------------------------------------------- list


@dataclass(frozen=True)
class Listed:
    """One line of `statusgen list`: an entry as the site shows it at `now`, and whether it is a
    draft (which the site does not show at all)."""

    entry: Entry
    draft: bool
    file: str

    @property
    def kind(self) -> str:
        """ "incident" or "maintenance"."""
        return str(self.entry.kind)

    @property
    def last_update(self) -> datetime | None:
        """When its latest published update was posted, if any."""
        return self.entry.updates[-1].at if self.entry.updates else None

    def as_json(self, now: datetime, tz: tzinfo) -> dict[str, object]:
        """The entry in `statusgen list --json`'s documented shape, times in the zone `tz`."""
        entry = self.entry
        impact = entry.current_impact if isinstance(entry, IncidentEntry) else None
        end = entry.end if isinstance(entry, MaintenanceEntry) else entry.ends  # (planned; resolved)
        last = self.last_update

        def moment(value: datetime | None) -> str | None:
            return value.astimezone(tz).isoformat() if value is not None else None

        return {
            "slug": entry.slug,
            "kind": self.kind,
            "title": entry.title,
            "status": str(entry.status),
            "draft": self.draft,
            "impact": str(impact) if impact is not None else None,
            "begins": moment(entry.begins),
            "ends": moment(end),
            "age_seconds": int((now - entry.begins).total_seconds()),
            "last_update": moment(last),
            "updates": len(entry.updates),
            "file": self.file,
            "url": entry.url,
        }


def _undrafted(content: Content) -> Content:
    """The content with its drafts published, so they derive as they would show once published."""
    return dataclasses.replace(
        content,
        incidents=tuple(dataclasses.replace(i, draft=False) for i in content.incidents),
        maintenance=tuple(dataclasses.replace(m, draft=False) for m in content.maintenance),
    )


def open_entries(content: Content, now: datetime) -> list[Listed]:
    """What needs a comms team's eye at `now`: open incidents, maintenance upcoming or in progress
    (each with the status the site shows), and every draft, whatever its status (the site shows no
    draft). Incidents first, oldest first; then maintenance, earliest first."""
    everything: tuple[Incident | Maintenance, ...] = (*content.incidents, *content.maintenance)
    drafts = {item.slug for item in everything if item.draft}  # (slugs are unique across kinds)
    files = {item.slug: item.path for item in everything}
    derived = derive(_undrafted(content), now)
    # A draft incident written ahead (it starts after `now`) is listed as it will show when it starts.
    ahead = [
        derive_incident(dataclasses.replace(i, draft=False), i.started, content.site)
        for i in content.incidents
        if i.draft and i.started > now
    ]
    listed = []
    for entry in (*derived.incidents, *(e for e in ahead if e is not None), *derived.maintenance):
        draft = entry.slug in drafts
        shown = entry.active or (isinstance(entry, MaintenanceEntry) and entry.upcoming)
        if shown or draft:
            listed.append(Listed(entry, draft, files[entry.slug]))
    return listed


def read_open_entries(content_dir: Path, now: datetime) -> tuple[list[Listed], Content]:
    """`open_entries` of a content folder (read and validated as a build does), and its content."""
    content = load_content(content_dir)
    return open_entries(content, now), content


def span_text(span: timedelta) -> str:
    """A short duration for a terminal: `45s`, `12m`, `1h 20m`, `3d 4h`."""
    seconds = int(abs(span).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m" if minutes else f"{seconds}s"


# ---------------------------------------------------------------- shell completion


def slug_candidates(content_dir: Path, incomplete: str) -> list[tuple[str, str]]:
    """(slug, kind) for completing a SLUG: the slugs starting with `incomplete`, and the slugs
    without their date (which name them too) starting with it; newest first."""
    found: dict[str, str] = {}
    for slug, files in sorted(entry_files(content_dir).items(), reverse=True):
        kind = "incident" if files[0][1] == "incidents" else "maintenance"
        if slug.startswith(incomplete.lower()):
            found.setdefault(slug, kind)
        elif short_slug(slug).startswith(incomplete.lower()):
            found.setdefault(short_slug(slug), kind)
    return list(found.items())


def status_candidates(content_dir: Path, slug: str | None, incomplete: str) -> list[str]:
    """The statuses an update to `slug` may take (an incident's or a maintenance's; both kinds'
    when the slug names nothing yet) starting with `incomplete`."""
    kinds: tuple[str, ...] = KINDS
    if slug:
        with contextlib.suppress(StatusgenError, OSError):
            kinds = (find_entry(content_dir, slug)[1],)
    statuses = [
        *(list(IncidentStatus) if "incidents" in kinds else []),
        *(list(MaintenanceStatus) if "maintenance" in kinds else []),
    ]
    return [str(status) for status in statuses if status.startswith(incomplete)]


INCIDENT_COMPONENT_STATUSES = tuple(s for s in ComponentStatus if s is not ComponentStatus.UNDER_MAINTENANCE)


def component_candidates(component_ids: Sequence[str], incomplete: str, statuses: bool) -> list[str]:
    """Completions of a comma-separated `-c` value: the next component id (then, with `statuses`,
    `id=status`), after what is already typed (`web=major_outage,a` → `web=major_outage,api`)."""
    done, _, last = incomplete.rpartition(",")
    prefix = f"{done}," if done else ""
    typed = {part.split("=", 1)[0] for part in done.split(",") if part}
    if statuses and "=" in last:
        cid, _, status = last.partition("=")
        return [f"{prefix}{cid}={s}" for s in INCIDENT_COMPONENT_STATUSES if s.startswith(status)]
    return [f"{prefix}{cid}" for cid in component_ids if cid.startswith(last) and cid not in typed]
