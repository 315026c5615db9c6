"""Incidents and maintenance: one document's text to an `Incident` or a `Maintenance`.

Format v2 updates (an update may change the impact and the components' statuses), post-mortems
(`postmortem_at`, after the resolution), rescheduled windows and drafts; the file name gives the
slug. `parse_incident` and `parse_maintenance` raise a ContentError with every problem.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from statusgen import frontmatter
from statusgen.content.reader import SLUG_PATTERN, Reader, describe, field_name, one_line, raise_errors
from statusgen.errors import Problem, did_you_mean
from statusgen.frontmatter import KeyPath, SourceMap
from statusgen.models import (
    IMPACT_STATUS,
    ComponentStates,
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
    Site,
    Update,
)

INCIDENT_KEYS = (
    "title",
    "started",
    "resolved",
    "impact",
    "components",
    "updates",
    "postmortem_at",
    "draft",
)
MAINTENANCE_KEYS = ("title", "start", "end", "components", "updates", "rescheduled", "draft")
WINDOW_KEYS = ("start", "end")
UPDATE_KEYS = ("at", "status", "body")
INCIDENT_UPDATE_KEYS = ("at", "status", "impact", "components", "body")


def slug_for(path: str) -> str:
    """The URL slug of a content file: its name without `.md` (and language), lower-cased."""
    return name_parts(path)[0]


def name_parts(path: str) -> tuple[str, str]:
    """A content file's slug and the language its name gives: `x.en.md` → ("x", "en").

    Only an ASCII part is lower-cased: lower-casing makes ASCII of some other characters (the
    Kelvin sign U+212A becomes "k"), and the slug rule is about the name as written.
    """
    name = path.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".md")
    slug, _, language = name.partition(".")
    return _ascii_lower(slug), _ascii_lower(language)


def _ascii_lower(text: str) -> str:
    return text.lower() if text.isascii() else text


def front_matter(path: str, text: str) -> tuple[frontmatter.Document, object]:
    """A document split into its front matter and body, and its front matter's YAML value."""
    document = frontmatter.split(path, text)
    return document, frontmatter.load_yaml(path, document.front, document.front_line)


def check_slug(path: str, problems: list[Problem]) -> str:
    """The slug of a content file; a problem in `problems` if the slug rule refuses it."""
    slug = slug_for(path)
    if not SLUG_PATTERN.fullmatch(slug):
        # A character that only looks like ASCII (the Kelvin sign, fullwidth letters) is named.
        looks = next((c for c in slug if not c.isascii() and unicodedata.normalize("NFKC", c).isascii()), "")
        named = f" ({looks!r} is U+{ord(looks):04X} {unicodedata.name(looks, '')})" if looks else ""
        problems.append(
            Problem(
                path,
                None,
                "",
                f"the file name gives the slug {slug!r}, but a slug may hold only ASCII letters, "
                f"digits, - and _{named}",
                "rename the file",
            )
        )
    return slug


def _updates(
    reader: Reader,
    value: object,
    kind: type[IncidentStatus] | type[MaintenanceStatus],
    site: Site | None = None,
) -> tuple[tuple[Update, ...], tuple[int, ...]]:
    """Read `updates` in time order (with a warning if written otherwise) and their written indexes.

    With the `site` (incidents), an update may also change the impact and the components (v2).
    """
    written: list[tuple[int, Update]] = []
    allowed = INCIDENT_UPDATE_KEYS if site is not None else UPDATE_KEYS
    for index, item in enumerate(reader.items(value, ("updates",))):
        keys: KeyPath = ("updates", index)
        fields = reader.mapping(item, keys, allowed, UPDATE_KEYS)
        if fields is None:
            continue
        at = reader.datetime(fields.get("at"), (*keys, "at")) if "at" in fields else None
        status = (
            reader.choice(fields.get("status"), (*keys, "status"), kind, "status")
            if "status" in fields
            else None
        )
        body = reader.text(fields.get("body"), (*keys, "body"), required="body" in fields)
        impact, components = (
            _update_changes(reader, fields, keys, status, site) if site is not None else (None, None)
        )
        if at is not None and status is not None:
            written.append((index, Update(at, status, body, impact=impact, components=components)))
    ordered = sorted(written, key=lambda pair: pair[1].at)
    for (index, update), (_, previous) in zip(written[1:], written, strict=False):
        if update.at < previous.at:
            reader.problem(
                ("updates", index, "at"),
                "this update is earlier than the one written before it; updates are shown in time order",
                warning=True,
            )
    updates = tuple(
        dataclasses.replace(update, number=number) for number, (_, update) in enumerate(ordered, start=1)
    )
    return updates, tuple(index for index, _ in ordered)


def _update_changes(
    reader: Reader,
    fields: dict[str, object],
    keys: KeyPath,
    status: IncidentStatus | MaintenanceStatus | None,
    site: Site,
) -> tuple[Impact | None, ComponentStates | None]:
    """Read what an incident's update changes (format v2): its `impact` and `components`, neither
    of which a resolved update takes."""
    if status is IncidentStatus.RESOLVED:
        for key in ("impact", "components"):
            if key in fields:
                reader.problem(
                    (*keys, key),
                    f"a resolved update returns every component to operational; it takes no {key}",
                    f"remove {key} from this update",
                )
    impact: Impact | None = None
    components: ComponentStates | None = None
    if "impact" in fields:
        impact = reader.choice(fields["impact"], (*keys, "impact"), Impact, "impact")
    if "components" in fields:
        components = _affected(reader, fields["components"], site, None, (*keys, "components"))
        if not components and not any(
            p.field.startswith(field_name((*keys, "components"))) for p in reader.problems
        ):
            reader.problem(
                (*keys, "components"),
                "names no component; list the components this update changes, or remove the key",
            )
    return impact, components


def _affected(
    reader: Reader,
    value: object,
    site: Site,
    impact: Impact | None,
    base: KeyPath = ("components",),
) -> ComponentStates:
    """Read `components`: a list of ids (each at the status `impact` implies, or None when the
    impact is the update's to decide) or a mapping of id to status."""
    known = [c.id for c in site.components]
    incident_statuses = [s for s in ComponentStatus if s is not ComponentStatus.UNDER_MAINTENANCE]
    pairs: list[tuple[str, ComponentStatus | None]] = []
    if isinstance(value, dict):
        for key, status_value in value.items():
            keys: KeyPath = (*base, str(key))
            if _known_component(reader, key, keys, known, pairs):
                if status_value == ComponentStatus.UNDER_MAINTENANCE:
                    reader.problem(
                        keys,
                        "under_maintenance is set by maintenance windows; expected one of "
                        + ", ".join(incident_statuses),
                    )
                    continue
                status = reader.choice(
                    status_value, keys, ComponentStatus, "component status", incident_statuses
                )
                if status is not None:
                    pairs.append((str(key), status))
        return tuple(pairs)
    if value is not None and not isinstance(value, list):
        reader.problem(
            base,
            f"expected a list of component ids or a mapping of id to status, got {describe(value)}",
        )
        return ()
    default = IMPACT_STATUS[impact] if impact else None
    for index, key in enumerate(value or []):
        if _known_component(reader, key, (*base, index), known, pairs):
            pairs.append((str(key), default))
    return tuple(pairs)


def _known_component(
    reader: Reader,
    key: object,
    keys: KeyPath,
    known: Sequence[str],
    pairs: Sequence[tuple[str, object]],
) -> bool:
    if not isinstance(key, str) or key not in known:
        shown = repr(key) if isinstance(key, str) else describe(key)
        reader.problem(
            keys,
            f"unknown component {shown}; site.yaml defines {', '.join(known)}",
            did_you_mean(key, known) if isinstance(key, str) else "",
        )
        return False
    if any(existing == key for existing, _ in pairs):
        reader.problem(keys, f"the component {key!r} is listed twice")
        return False
    return True


class _EntryFile(NamedTuple):
    """What reading an incident or maintenance file starts with: its problems so far, its slug,
    its document, the reader of its front matter, its fields (None when the front matter is not a
    mapping) and its title."""

    problems: list[Problem]
    slug: str
    document: frontmatter.Document
    reader: Reader
    fields: dict[str, object] | None
    title: str

    @classmethod
    def open(
        cls, path: str, text: str, site: Site, keys: Sequence[str], required: Sequence[str]
    ) -> _EntryFile:
        """Read the slug, the front matter's mapping and the title, as both kinds need."""
        problems: list[Problem] = []
        slug = check_slug(path, problems)
        document, data = front_matter(path, text)
        reader = Reader(path, SourceMap(document.front, document.front_line), site.tz, problems)
        fields = reader.mapping(data, (), keys, required)
        title = (
            "" if fields is None else reader.text(fields.get("title"), ("title",), required="title" in fields)
        )
        return cls(problems, slug, document, reader, fields, title)


def read_incident(path: str, text: str, site: Site) -> tuple[Incident | None, list[Problem]]:
    """An incident file's text read: the Incident (None if it has errors) and every problem."""
    entry = _EntryFile.open(path, text, site, INCIDENT_KEYS, ("title", "started", "impact"))
    problems, slug, document, reader, fields, title = entry
    if fields is None:
        return None, problems
    started = reader.datetime(fields.get("started"), ("started",)) if "started" in fields else None
    impact = (
        reader.choice(fields.get("impact"), ("impact",), Impact, "impact") if "impact" in fields else None
    )
    written = _affected(reader, fields.get("components"), site, impact)
    components = tuple((cid, status or ComponentStatus.OPERATIONAL) for cid, status in written)
    updates, written_at = _updates(reader, fields.get("updates"), IncidentStatus, site)
    resolved: datetime | None = None
    resolved_keys: KeyPath = ("resolved",)
    if "resolved" in fields:
        resolved = reader.datetime(fields["resolved"], resolved_keys)
    elif updates and updates[-1].status is IncidentStatus.RESOLVED:
        resolved = updates[-1].at
        resolved_keys = ("updates", written_at[-1], "at")
    if started and resolved and resolved < started:
        reader.problem(
            resolved_keys,
            f"the incident is resolved ({resolved.isoformat()}) before it started ({started.isoformat()})",
        )
    postmortem_at = _postmortem_at(reader, fields, started, resolved, document.body)
    if "resolved" in fields and resolved is not None:
        _check_after_resolution(reader, updates, written_at, resolved)
    draft = reader.boolean(fields["draft"], ("draft",)) if "draft" in fields else False
    if any(not p.warning for p in problems) or started is None or impact is None:
        return None, problems
    incident = Incident(
        slug=slug,
        path=path,
        title=one_line(title),
        started=started,
        impact=impact,
        components=components,
        updates=updates,
        resolved=resolved,
        body=document.body,
        postmortem_at=postmortem_at,
        draft=draft,
    )
    return incident, problems


def _check_after_resolution(
    reader: Reader, updates: Sequence[Update], written_at: Sequence[int], resolved: datetime
) -> None:
    """An update at or after `resolved` changes nothing of the incident's state: its `impact` or
    `components` would be silently ignored, so they are refused."""
    for update, index in zip(updates, written_at, strict=True):
        if update.at >= resolved and update.status is not IncidentStatus.RESOLVED:
            for key, given in (("impact", update.impact), ("components", update.components)):
                if given is not None:
                    reader.problem(
                        ("updates", index, key),
                        f"this update comes after the incident's resolution ({resolved.isoformat()}); "
                        f"it cannot change the {key}",
                        "remove it, or move `resolved` later",
                    )


def _postmortem_at(
    reader: Reader,
    fields: dict[str, object],
    started: datetime | None,
    resolved: datetime | None,
    body: str,
) -> datetime | None:
    """Read `postmortem_at`: when the body (the post-mortem) was published, at or after the
    incident's resolution (a post-mortem follows the end)."""
    if "postmortem_at" not in fields:
        return None
    keys: KeyPath = ("postmortem_at",)
    moment = reader.datetime(fields["postmortem_at"], keys)
    if moment is None:
        return None
    if not body.strip():
        reader.problem(
            keys,
            "says when the post-mortem was published, but the file has no post-mortem: write it "
            "after the front matter",
            "statusgen postmortem SLUG writes both",
        )
    elif started is not None and moment < started:
        reader.problem(
            keys,
            f"the post-mortem is published ({moment.isoformat()}) before the incident started "
            f"({started.isoformat()})",
        )
    elif resolved is None:
        reader.problem(
            keys,
            "the incident is not resolved: a post-mortem follows the resolution",
            "resolve it first (statusgen resolve SLUG), or remove postmortem_at",
        )
    elif moment < resolved:
        reader.problem(
            keys,
            f"the post-mortem is published ({moment.isoformat()}) before the incident was resolved "
            f"({resolved.isoformat()})",
        )
    return moment


def read_maintenance(path: str, text: str, site: Site) -> tuple[Maintenance | None, list[Problem]]:
    """A maintenance file's text read: the Maintenance (None if it has errors) and every problem."""
    entry = _EntryFile.open(path, text, site, MAINTENANCE_KEYS, ("title", "start", "end"))
    problems, slug, document, reader, fields, title = entry
    if fields is None:
        return None, problems
    start = reader.datetime(fields.get("start"), ("start",)) if "start" in fields else None
    end = reader.datetime(fields.get("end"), ("end",)) if "end" in fields else None
    known = [c.id for c in site.components]
    components: list[tuple[str, object]] = []
    if isinstance(fields.get("components"), dict):
        reader.problem(("components",), "expected a list of component ids, got a mapping")
    else:
        for index, key in enumerate(reader.items(fields.get("components"), ("components",))):
            if _known_component(reader, key, ("components", index), known, components):
                components.append((str(key), None))
    updates, _ = _updates(reader, fields.get("updates"), MaintenanceStatus)
    if start and end and end <= start:
        reader.problem(("end",), _ends_before_start(start, end))
    rescheduled = read_windows(reader, fields.get("rescheduled"))
    draft = reader.boolean(fields["draft"], ("draft",)) if "draft" in fields else False
    if any(not p.warning for p in problems) or start is None or end is None:
        return None, problems
    maintenance = Maintenance(
        slug=slug,
        path=path,
        title=one_line(title),
        start=start,
        end=end,
        components=tuple(cid for cid, _ in components),
        updates=updates,
        body=document.body,
        rescheduled=rescheduled,
        draft=draft,
    )
    return maintenance, problems


def _ends_before_start(start: datetime, end: datetime) -> str:
    return f"the maintenance ends ({end.isoformat()}) before it starts ({start.isoformat()})"


def read_windows(reader: Reader, value: object) -> tuple[tuple[datetime, datetime], ...]:
    """Read `rescheduled`: the earlier windows of a maintenance that moved, oldest first."""
    windows = []
    for index, item in enumerate(reader.items(value, ("rescheduled",))):
        keys: KeyPath = ("rescheduled", index)
        fields = reader.mapping(item, keys, WINDOW_KEYS, WINDOW_KEYS)
        if fields is None:
            continue
        start = reader.datetime(fields.get("start"), (*keys, "start")) if "start" in fields else None
        end = reader.datetime(fields.get("end"), (*keys, "end")) if "end" in fields else None
        if start and end and end <= start:
            reader.problem((*keys, "end"), _ends_before_start(start, end))
        elif start and end:
            windows.append((start, end))
    return tuple(windows)


def parse_incident(text: str, path: str, site: Site) -> Incident:
    """Validate one incident file's text into an Incident, or raise ContentError."""
    incident, problems = read_incident(path, text, site)
    raise_errors(problems)
    assert incident is not None
    return incident


def parse_maintenance(text: str, path: str, site: Site) -> Maintenance:
    """Validate one maintenance file's text into a Maintenance, or raise ContentError."""
    maintenance, problems = read_maintenance(path, text, site)
    raise_errors(problems)
    assert maintenance is not None
    return maintenance
