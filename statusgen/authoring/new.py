"""New entries: `statusgen new incident` and `statusgen new maintenance` write a new file, its
slug made from the title (ASCII, in any language) and never an existing one's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from slugify import slugify

from statusgen.authoring.files import (
    quoted,
    refuse,
    site_of,
    stamp,
    unknown_components,
    update_lines,
    write_new,
)
from statusgen.content import content_files, in_range, parse_incident, parse_maintenance, slug_for
from statusgen.errors import AuthoringError, did_you_mean
from statusgen.models import Impact, IncidentStatus, Site

MAX_SLUG_LENGTH = 60


def slug_of(title: str) -> str:
    """An ASCII slug for a title in any language: "Panne de l'API à Zürich" → "panne-de-l-api-a-zurich"."""
    return slugify(title, max_length=MAX_SLUG_LENGTH, word_boundary=True, save_order=True) or "entry"


def _taken(content_dir: Path) -> set[str]:
    """The slugs already used by incidents and maintenance (subfolders and translations too): a
    new one must differ from all, so that `update SLUG` names one file."""
    kinds = ("incidents", "maintenance")
    return {slug_for(path.name) for kind in kinds for path in content_files(content_dir / kind)}


def _free_path(folder: Path, stem: str) -> Path:
    """`folder/stem.md`, or `stem-2.md`, `stem-3.md`… if that slug is taken: never an existing file."""
    taken = _taken(folder.parent)
    candidate, number = stem, 1
    while candidate in taken:
        number += 1
        candidate = f"{stem}-{number}"
    return folder / f"{candidate}.md"


@dataclass(frozen=True)
class NewEntry:
    """What `new_incident` and `new_maintenance` wrote."""

    path: Path
    slug: str


def _check_components(site: Site, given: Sequence[str], where: str) -> list[str]:
    problems = unknown_components(site, given, where)
    if problems:
        raise AuthoringError(problems)
    return list(dict.fromkeys(given))


DRAFT_LINE = "draft: true  # checked, never published: delete this line to publish\n"


def _draft_line(draft: bool) -> str:
    return DRAFT_LINE if draft else ""


def new_incident(
    content_dir: Path,
    title: str,
    components: Sequence[str],
    impact: str,
    now: datetime,
    status: str = "investigating",
    message: str = "",
    draft: bool = False,
) -> NewEntry:
    """Write `incidents/<date>-<slug>.md`, its first update stamped `now` in the site's zone (with
    `draft`, marked `draft: true`: checked by builds, never published)."""
    site = site_of(content_dir)
    folder = content_dir / "incidents"
    if impact not in list(Impact):
        raise refuse(
            str(folder),
            f"unknown impact {impact!r}; expected one of {', '.join(Impact)}",
            did_you_mean(impact, [str(i) for i in Impact]),
            field="--impact",
        )
    if status not in list(IncidentStatus) or status == IncidentStatus.RESOLVED:
        choices = [str(s) for s in IncidentStatus if s is not IncidentStatus.RESOLVED]
        raise refuse(
            str(folder),
            f"expected the first status to be one of {', '.join(choices)}, got {status!r}",
            did_you_mean(status, choices),
            field="--status",
        )
    components = _check_components(site, components, str(folder))
    if not title.strip():
        raise refuse(str(folder), "the title must not be blank", field="TITLE")
    if not message.strip():
        raise refuse(
            str(folder),
            "say something in the first update",
            "--message, --template or --editor",
            field="--message",
        )
    at = stamp(now, site)
    path = _free_path(folder, f"{at.date().isoformat()}-{slug_of(title)}")
    text = (
        f"---\ntitle: {quoted(' '.join(title.split()))}\n{_draft_line(draft)}"
        f"started: {at.isoformat()}\nimpact: {impact}\n"
        f"components: [{', '.join(components)}]\nupdates:\n"
        + update_lines(at.isoformat(), status, message, "  ", "\n")
        + "---\n"
    )
    parse_incident(text, str(path), site)  # what a build will read
    write_new(path, text)
    return NewEntry(path, slug_for(path.name))


def window_time(site: Site, text: str, option: str) -> datetime:
    """A maintenance boundary given on the command line: ISO 8601, in the site's zone when it has
    no offset."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        message = f"expected an ISO 8601 date-time such as 2012-06-28T22:00, got {text!r}"
        raise refuse(option, message, field=option) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=site.tz)


def new_maintenance(
    content_dir: Path,
    title: str,
    components: Sequence[str],
    start: datetime,
    end: datetime,
    now: datetime,
    message: str = "",
    draft: bool = False,
) -> NewEntry:
    """Write `maintenance/<date>-<slug>.md` (dated by its start), announced now as scheduled (with
    `draft`, marked `draft: true`: checked by builds, never published)."""
    site = site_of(content_dir)
    folder = content_dir / "maintenance"
    components = _check_components(site, components, str(folder))
    if not title.strip():
        raise refuse(str(folder), "the title must not be blank", field="TITLE")
    for moment, option in ((start, "--start"), (end, "--end")):
        if not in_range(moment):
            message = f"expected a date-time between 1970 and 9000, got {moment.isoformat()}"
            raise refuse(str(folder), message, field=option)
    if end <= start:
        raise refuse(
            str(folder),
            f"the maintenance ends ({end.isoformat()}) before it starts ({start.isoformat()})",
            field="--end",
        )
    start, end = stamp(start, site), stamp(end, site)
    path = _free_path(folder, f"{start.date().isoformat()}-{slug_of(title)}")
    text = (
        f"---\ntitle: {quoted(' '.join(title.split()))}\n{_draft_line(draft)}"
        f"start: {start.isoformat()}\nend: {end.isoformat()}\ncomponents: [{', '.join(components)}]\n"
    )
    if message.strip():
        text += "updates:\n" + update_lines(stamp(now, site).isoformat(), "scheduled", message, "  ", "\n")
    text += "---\n"
    parse_maintenance(text, str(path), site)
    write_new(path, text)
    return NewEntry(path, slug_for(path.name))
