"""Writing content from the command line: a new incident or maintenance, an update appended to one,
a new site, message templates.

Nothing here renders; everything it writes is read back with the same parser as a build (`statusgen.content`)
before it is saved, and saved atomically, so a command either leaves a valid file or changes nothing.
Appending an update keeps every byte of the file outside the lines it adds: comments, key order,
quoting and line endings included.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import string
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from babel.lists import format_list
from slugify import slugify

from statusgen.content import (
    content_files,
    in_range,
    parse_incident,
    parse_maintenance,
    parse_site,
    read_text,
    slug_for,
)
from statusgen.derive import derive_incident
from statusgen.entries import find_entry
from statusgen.errors import AuthoringError, ContentError, Problem, did_you_mean
from statusgen.frontmatter import decode, normal_text
from statusgen.i18n import Formatter
from statusgen.models import (
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
    Site,
)

MAX_SLUG_LENGTH = 60
TEMPLATES_FOLDER = "templates"  # content/templates/<name>.md: message templates


def _refuse(
    path: str, message: str, hint: str = "", line: int | None = None, field: str = ""
) -> AuthoringError:
    return AuthoringError([Problem(path, line, field, message, hint)])


# ---------------------------------------------------------------- names


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


# ---------------------------------------------------------------- YAML text


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar holding exactly `text` (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def message_text(message: str) -> str:
    """A message as a build will read it back: as content is read (`normal_text`), without the
    blank lines around it."""
    return normal_text(message).strip("\n")


def _body_lines(message: str, indent: str, newline: str, step: int = 2) -> str:
    """`body: …` for an update whose keys are indented by `indent`: a literal block (nested `step`
    columns deeper) when it holds the text exactly (it reads best), else a quoted scalar."""
    text = message_text(message)
    lines = text.split("\n")
    exact = all(line == line.rstrip() for line in lines) and "\t" not in text
    if text and not text[:1].isspace() and exact:
        block = "".join((f"{indent}{' ' * step}{line}" if line else "") + newline for line in lines)
        return f"{indent}body: |{newline}{block}"
    return f"{indent}body: {_quoted(text)}{newline}"


# What an update says of components, as given on the command line: (id, status), or (id, None)
# for "at the status the impact implies" (the list form).
States = Sequence[tuple[str, str | None]]


def _update_lines(
    at: str,
    status: str,
    message: str,
    dash: str,
    newline: str,
    impact: str | None = None,
    components: States = (),
    step: int = 2,
) -> str:
    """One item of `updates`, its dash indented by `dash`: `at`, `status`, the `impact` and the
    `components` it changes (if any; a block mapping, or a block list for the list form, nested
    `step` columns deeper), then `body`."""
    keys = dash + "  "
    lines = f"{dash}- at: {at}{newline}{keys}status: {status}{newline}"
    if impact is not None:
        lines += f"{keys}impact: {impact}{newline}"
    if components:
        nested = keys + " " * step
        lines += f"{keys}components:{newline}" + "".join(
            f"{nested}{cid}: {state}{newline}" if state is not None else f"{nested}- {cid}{newline}"
            for cid, state in components
        )
    return lines + _body_lines(message, keys, newline, step)


def _stamp(now: datetime, site: Site) -> datetime:
    """`now` in the site's time zone, to the second, as a fixed offset (what an author would have
    written, and what the parser reads back: equal even in the hour a DST change repeats)."""
    local = now.astimezone(site.tz).replace(microsecond=0)
    return local.astimezone(timezone(local.utcoffset() or timedelta(0)))


# ---------------------------------------------------------------- templates


def template_fields(site: Site, title: str, components: Sequence[str], now: datetime) -> dict[str, str]:
    """What message templates may use: $title, $components (their names, "Website and API", in the
    site's language) and $time (the local time and zone, "09:07 UTC+1")."""
    names = [c.name for cid in components for c in site.components if c.id == cid]
    listed = format_list(names, locale=site.language.replace("-", "_")) if names else site.title
    return {"title": title, "components": listed, "time": Formatter(site.language, site.timezone).time(now)}


def template_text(content_dir: Path, name: str, fields: dict[str, str]) -> str:
    """The message of `content/templates/<name>.md`, `$title`, `$components` and `$time` filled in."""
    folder = content_dir / TEMPLATES_FOLDER
    path = folder / f"{name}.md"
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name) or not path.is_file():
        available = sorted(p.stem for p in folder.glob("*.md")) if folder.is_dir() else []
        raise _refuse(
            str(path),
            f"no message template named {name!r}; available: {', '.join(available) or 'none'}",
            did_you_mean(name, available) or f"write one in {folder}/{name}.md",
        )
    text = read_text(path, str(path))
    return string.Template(text).safe_substitute(fields).strip("\n")


# ---------------------------------------------------------------- new entries


@dataclass(frozen=True)
class NewEntry:
    """What `new_incident` and `new_maintenance` wrote."""

    path: Path
    slug: str


def site_of(content_dir: Path) -> Site:
    """The site of a content folder (its site.yaml only: quick on a big site)."""
    path = content_dir / "site.yaml"
    if not path.is_file():
        raise _refuse(str(path), "not found; run this in a site (or give --content)", "statusgen init DIR")
    return parse_site(read_text(path, str(path)), str(path))


def _check_components(site: Site, given: Sequence[str], where: str) -> list[str]:
    known = [c.id for c in site.components]
    problems = [
        Problem(
            where,
            None,
            "--components",
            f"unknown component {cid!r}; site.yaml defines {', '.join(known)}",
            did_you_mean(cid, known),
        )
        for cid in given
        if cid not in known
    ]
    if problems:
        raise AuthoringError(problems)
    return list(dict.fromkeys(given))


DRAFT_LINE = "draft: true  # checked, never published: delete this line to publish\n"


def _draft_line(draft: bool) -> str:
    return DRAFT_LINE if draft else ""


def _write_new(path: Path, text: str) -> None:
    """Create `path` with `text`, failing rather than overwriting anything."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="") as file:
        file.write(text)


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
        raise _refuse(
            str(folder),
            f"unknown impact {impact!r}; expected one of {', '.join(Impact)}",
            did_you_mean(impact, [str(i) for i in Impact]),
            field="--impact",
        )
    if status not in list(IncidentStatus) or status == IncidentStatus.RESOLVED:
        choices = [str(s) for s in IncidentStatus if s is not IncidentStatus.RESOLVED]
        raise _refuse(
            str(folder),
            f"expected the first status to be one of {', '.join(choices)}, got {status!r}",
            did_you_mean(status, choices),
            field="--status",
        )
    components = _check_components(site, components, str(folder))
    if not title.strip():
        raise _refuse(str(folder), "the title must not be blank", field="TITLE")
    if not message.strip():
        raise _refuse(
            str(folder),
            "say something in the first update",
            "--message, --template or --editor",
            field="--message",
        )
    at = _stamp(now, site)
    path = _free_path(folder, f"{at.date().isoformat()}-{slug_of(title)}")
    text = (
        f"---\ntitle: {_quoted(' '.join(title.split()))}\n{_draft_line(draft)}"
        f"started: {at.isoformat()}\nimpact: {impact}\n"
        f"components: [{', '.join(components)}]\nupdates:\n"
        + _update_lines(at.isoformat(), status, message, "  ", "\n")
        + "---\n"
    )
    parse_incident(text, str(path), site)  # what a build will read
    _write_new(path, text)
    return NewEntry(path, slug_for(path.name))


def window_time(site: Site, text: str, option: str) -> datetime:
    """A maintenance boundary given on the command line: ISO 8601, in the site's zone when it has
    no offset."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        message = f"expected an ISO 8601 date-time such as 2012-06-28T22:00, got {text!r}"
        raise _refuse(option, message, field=option) from None
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
        raise _refuse(str(folder), "the title must not be blank", field="TITLE")
    for moment, option in ((start, "--start"), (end, "--end")):
        if not in_range(moment):
            message = f"expected a date-time between 1970 and 9000, got {moment.isoformat()}"
            raise _refuse(str(folder), message, field=option)
    if end <= start:
        raise _refuse(
            str(folder),
            f"the maintenance ends ({end.isoformat()}) before it starts ({start.isoformat()})",
            field="--end",
        )
    start, end = _stamp(start, site), _stamp(end, site)
    path = _free_path(folder, f"{start.date().isoformat()}-{slug_of(title)}")
    text = (
        f"---\ntitle: {_quoted(' '.join(title.split()))}\n{_draft_line(draft)}"
        f"start: {start.isoformat()}\nend: {end.isoformat()}\ncomponents: [{', '.join(components)}]\n"
    )
    if message.strip():
        text += "updates:\n" + _update_lines(_stamp(now, site).isoformat(), "scheduled", message, "  ", "\n")
    text += "---\n"
    parse_maintenance(text, str(path), site)
    _write_new(path, text)
    return NewEntry(path, slug_for(path.name))


# ---------------------------------------------------------------- appending an update


def read_entry(content_dir: Path, slug: str) -> Incident | Maintenance:
    """The incident or maintenance with this slug, as a build reads it."""
    return _located(content_dir, slug)[1]


def _located(content_dir: Path, slug: str) -> tuple[Path, Incident | Maintenance, Site]:
    """The file of the entry with this slug, the entry as a build reads it, and the site."""
    site = site_of(content_dir)
    path, kind = find_entry(content_dir, slug)
    parse = parse_incident if kind == "incidents" else parse_maintenance
    return path, parse(read_text(path, str(path)), str(path), site), site


_CLOSING = re.compile(r"(?:---|\.\.\.)[ \t]*")
_UPDATES_KEY = re.compile(r"updates[ \t]*:[ \t]*(?:#.*)?")
_ANY_UPDATES_KEY = re.compile(r"""["']?updates["']?[ \t]*:""")
_ITEM = re.compile(r"([ \t]*)-(?:[ \t]|$)")


def append_update(
    path: Path, at: str, status: str, message: str, impact: str | None = None, components: States = ()
) -> str:
    """The file's text with one update appended to its `updates` list, every other byte kept."""
    data = path.read_bytes()
    text = data.decode("utf-8")  # (a BOM stays where it is, as a character)
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    closing = next(
        (i for i, line in enumerate(lines[1:], 1) if _CLOSING.fullmatch(line.rstrip("\r\n"))), None
    )
    if closing is None:
        raise _refuse(str(path), "the front matter is never closed", line=1)
    key = next((i for i in range(1, closing) if _UPDATES_KEY.fullmatch(lines[i].rstrip("\r\n"))), None)
    if key is None:
        if any(_ANY_UPDATES_KEY.match(line) for line in lines[1:closing]):
            raise _refuse(
                str(path),
                "`updates` is written in a way this command does not append to (on one line, as in "
                "`updates: []` or `updates: ~`, or quoted); write `updates:` alone on its line, then "
                "the list (`  - at: …`)",
                field="updates",
            )
        item = _update_lines(at, status, message, "  ", newline, impact, components)
        insert, added = closing, f"updates:{newline}{item}"
    else:
        end = key  # the block's last line of content: indented lines and items ("- " at column 0)
        dash = None
        for i in range(key + 1, closing):
            line = lines[i].rstrip("\r\n")
            if not line.strip() or (line.lstrip().startswith("#") and not line[:1].isspace()):
                continue  # blank lines and comments at the margin do not end nor extend it
            if line[:1].isspace() or _ITEM.match(line):
                end = i
                found = _ITEM.match(line)
                if dash is None and found:
                    dash = found.group(1)
                continue
            break
        insert = end + 1
        dash = dash if dash is not None else "  "
        added = _update_lines(at, status, message, dash, newline, impact, components, max(len(dash), 2))
    return "".join(lines[:insert]) + added + "".join(lines[insert:])


@dataclass(frozen=True)
class Appended:
    """What `add_update` did: the file, the update's number, and what it leaves to translators."""

    path: Path
    number: int
    untranslated: tuple[Path, ...]


INCIDENT_COMPONENT_STATUSES = [str(s) for s in ComponentStatus if s is not ComponentStatus.UNDER_MAINTENANCE]


def _state_problems(site: Site, components: States, where: str) -> list[Problem]:
    """What is wrong with the components an update changes: unknown ids or statuses, a component
    given twice, both forms at once."""
    known = [c.id for c in site.components]
    problems = []
    given: dict[str, str | None] = {}
    for cid, state in components:
        if cid not in known:
            problems.append(
                Problem(
                    where,
                    None,
                    "--components",
                    f"unknown component {cid!r}; site.yaml defines {', '.join(known)}",
                    did_you_mean(cid, known),
                )
            )
        if state is not None and state not in INCIDENT_COMPONENT_STATUSES:
            reserved = (
                " (under_maintenance is for maintenance windows)" if state == "under_maintenance" else ""
            )
            problems.append(
                Problem(
                    where,
                    None,
                    "--components",
                    f"unknown status {state!r} for {cid!r}{reserved}; expected one of "
                    f"{', '.join(INCIDENT_COMPONENT_STATUSES)}",
                    did_you_mean(state, INCIDENT_COMPONENT_STATUSES),
                )
            )
        if cid in given and given[cid] != state:
            problems.append(
                Problem(where, None, "--components", f"{cid!r} is given twice, with different statuses")
            )
        given[cid] = state
    if len({state is None for _, state in components}) > 1:
        problems.append(
            Problem(
                where,
                None,
                "--components",
                "give every component its status (web=major_outage) or none (web: at the status the "
                "impact implies), not both in one update",
            )
        )
    return problems


def add_update(
    content_dir: Path,
    slug: str,
    status: str,
    message: str,
    now: datetime,
    impact: str | None = None,
    components: States = (),
) -> Appended:
    """Append an update, stamped `now` in the site's zone, to an incident or a maintenance; for an
    incident, with the impact and the components' statuses it changes (format v2).

    Refused, with nothing written: an empty message, a status that is not of the entry's kind, an
    unknown impact, component or component status, an impact or components for a maintenance or
    on a resolved update, an update earlier than the entry's last one, and any update to a
    resolved incident or a completed maintenance.
    """
    path, entry, site = _located(content_dir, slug)
    shown = str(path)
    kind = "incidents" if isinstance(entry, Incident) else "maintenance"
    parse = parse_incident if kind == "incidents" else parse_maintenance
    statuses = [str(s) for s in (IncidentStatus if kind == "incidents" else MaintenanceStatus)]
    problems = []
    if status not in statuses:
        problems.append(
            Problem(
                shown,
                None,
                "--status",
                f"{status!r} is not a status of {'an incident' if kind == 'incidents' else 'a maintenance'}; "
                f"expected one of {', '.join(statuses)}",
                did_you_mean(status, statuses),
            )
        )
    changes = [
        option for option, given in (("--impact", impact is not None), ("--components", components)) if given
    ]
    if changes and kind == "maintenance":
        problems.append(
            Problem(
                shown,
                None,
                changes[0],
                f"a maintenance takes no {' nor '.join(changes)}: its components are under maintenance "
                "while it is in progress",
                "give only --status and the message",
            )
        )
    elif changes and status == IncidentStatus.RESOLVED:
        problems.append(
            Problem(
                shown,
                None,
                changes[0],
                "a resolved update returns every component to operational; it takes no "
                + " nor ".join(changes),
                f"drop {' and '.join(changes)}",
            )
        )
    if impact is not None and impact not in list(Impact):
        problems.append(
            Problem(
                shown,
                None,
                "--impact",
                f"unknown impact {impact!r}; expected one of {', '.join(Impact)}",
                did_you_mean(impact, [str(i) for i in Impact]),
            )
        )
    if kind == "incidents":
        problems += _state_problems(site, components, shown)
    if problems:
        raise AuthoringError(problems)
    components = list(dict.fromkeys(components))
    if not message.strip():
        raise _refuse(
            shown, "say something in the update", "--message, --template or --editor", field="--message"
        )
    at = _stamp(now, site)
    last = entry.updates[-1] if entry.updates else None
    if last is not None and at < last.at:
        raise _refuse(
            shown,
            f"its last update is at {last.at.isoformat()}, after now ({at.isoformat()}); updates "
            "are appended in time order",
            "check the clock, or give --now",
            field="updates",
        )
    if isinstance(entry, Incident) and entry.resolved is not None and entry.resolved <= at:
        raise _refuse(
            shown,
            f"the incident was resolved at {entry.resolved.isoformat()}; it takes no more updates",
            "for a new problem, start a new incident: statusgen new incident",
            field="updates",
        )
    if isinstance(entry, Maintenance) and last is not None and last.status is MaintenanceStatus.COMPLETED:
        raise _refuse(
            shown,
            f"the maintenance was completed at {last.at.isoformat()}; it takes no more updates",
            field="updates",
        )
    text = append_update(path, at.isoformat(), status, message, impact, components)
    meant = (
        at,
        status,
        message_text(message),
        Impact(impact) if impact is not None else None,
        tuple((cid, ComponentStatus(s) if s is not None else None) for cid, s in components) or None,
    )
    updated = _read_back(parse, shown, text, site, "the update")
    kept = updated.updates[: len(entry.updates)]
    new = updated.updates[-1] if updated.updates else None
    if (
        len(updated.updates) != len(entry.updates) + 1
        or kept != entry.updates
        or new is None
        or (new.at, new.status, new.body.rstrip("\n"), new.impact, new.components) != meant
    ):
        raise _cannot("the update", shown, "updates")
    _replace(path, text)
    return Appended(path, new.number, _translations(path))


def _read_back(
    parse: Callable[[str, str, Site], Incident | Maintenance], shown: str, text: str, site: Site, what: str
) -> Incident | Maintenance:
    """`text` read as a build reads the file, or a refusal if that fails (nothing is written)."""
    try:
        return parse(decode(shown, text.encode("utf-8")), shown, site)
    except ContentError:
        raise _cannot(what, shown, "") from None


def _cannot(what: str, shown: str, field: str) -> AuthoringError:
    return _refuse(
        shown, f"{what} could not be written without changing the file's meaning; add it by hand", field=field
    )


def _translations(path: Path) -> tuple[Path, ...]:
    """The translations beside an entry's file (`<slug>.<language>.md`)."""
    return tuple(
        sibling for sibling in sorted(path.parent.glob(f"{path.stem}.*.md")) if sibling.name != path.name
    )


# ---------------------------------------------------------------- the post-mortem

_POSTMORTEM_KEY = re.compile(r"""["']?postmortem_at["']?[ \t]*:""")
_POSTMORTEM_LINE = re.compile(
    r"""postmortem_at[ \t]*:[ \t]*(?P<value>"[^"]*"|'[^']*'|[^\s#'"]+)[ \t]*(?:#.*)?"""
)
_AFTER = re.compile(r"(?:started|resolved)[ \t]*:.*")


def set_postmortem(path: Path, at: str, message: str) -> str:
    """The file's text with `message` as its body (what follows the front matter, replacing any)
    and `postmortem_at: <at>` in its front matter (its value replaced if the key is there, else on
    a line of its own after `started` or `resolved`), every other byte kept."""
    text = path.read_bytes().decode("utf-8")
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    closing = next(
        (i for i, line in enumerate(lines[1:], 1) if _CLOSING.fullmatch(line.rstrip("\r\n"))), None
    )
    if closing is None:
        raise _refuse(str(path), "the front matter is never closed", line=1)
    body = "".join(f"{line}{newline}" for line in message_text(message).split("\n"))
    closing_line = lines[closing] if lines[closing].endswith("\n") else lines[closing] + newline
    front = lines[:closing]
    key = next((i for i in range(1, closing) if _POSTMORTEM_KEY.match(lines[i])), None)
    if key is not None:
        line = lines[key]
        found = _POSTMORTEM_LINE.fullmatch(line.rstrip("\r\n"))
        if found is None:
            raise _refuse(
                str(path),
                "`postmortem_at` is written in a way this command does not change; write "
                "`postmortem_at: <date-time>` on one line",
                line=key + 1,
                field="postmortem_at",
            )
        front[key] = line[: found.start("value")] + at + line[found.end("value") :]
    else:
        after = [
            i
            for i in range(1, closing)
            if _AFTER.fullmatch(lines[i].rstrip("\r\n"))
            and (i + 1 == closing or not lines[i + 1][:1].isspace())  # (its value is on its line)
        ]
        insert = after[-1] + 1 if after else closing
        front.insert(insert, f"postmortem_at: {at}{newline}")
    return "".join(front) + closing_line + body


@dataclass(frozen=True)
class PostMortem:
    """What `write_postmortem` did: the file, when the post-mortem shows, what awaits translators."""

    path: Path
    at: datetime
    untranslated: tuple[Path, ...]


def write_postmortem(
    content_dir: Path, slug: str, message: str, now: datetime, replace: bool = False
) -> PostMortem:
    """Write an incident's post-mortem (the Markdown after its front matter) and stamp
    `postmortem_at` with `now` in the site's zone: the pages show it from then on.

    Refused, with nothing written: a maintenance (its text is its description), an incident not
    resolved as of `now` (a post-mortem follows the resolution), an empty message, and a file that
    already has a text after its front matter, unless `replace` (which also stamps it again).
    """
    path, entry, site = _located(content_dir, slug)
    shown = str(path)
    if not isinstance(entry, Incident):
        raise _refuse(
            shown,
            "a maintenance has no post-mortem: the text after its front matter is its description",
            "edit it by hand",
        )
    at = _stamp(now, site)
    state = derive_incident(dataclasses.replace(entry, draft=False), at, site)
    if state is None or state.ends is None:
        status = state.status if state is not None else f"not started until {entry.started.isoformat()}"
        raise _refuse(
            shown,
            f"the incident is not resolved as of {at.isoformat()} ({status}); a post-mortem follows "
            "the resolution",
            f"resolve it first: statusgen resolve {entry.slug}",
            field="postmortem_at",
        )
    if entry.body.strip() and not replace:
        raise _refuse(
            shown,
            "the incident already has a text after its front matter (a summary or a post-mortem)",
            "edit it by hand, or pass --replace to replace it and stamp postmortem_at again",
        )
    if not message.strip():
        raise _refuse(shown, "write the post-mortem", "--message, --template or --editor", field="--message")
    for translation in _translations(path):
        if any(_POSTMORTEM_KEY.match(line) for line in read_text(translation, str(translation)).splitlines()):
            raise _refuse(
                str(translation),
                "repeats `postmortem_at`, which must agree with the original's: stamping the post-mortem "
                "now would make the site fail to build",
                "remove the line from the translation (it takes the original's)",
                field="postmortem_at",
            )
    text = set_postmortem(path, at.isoformat(), message)
    updated = _read_back(parse_incident, shown, text, site, "the post-mortem")
    if (
        not isinstance(updated, Incident)
        or updated.postmortem_at != at
        or updated.body != message_text(message) + "\n"
        or dataclasses.replace(updated, body=entry.body, postmortem_at=entry.postmortem_at) != entry
    ):
        raise _cannot("the post-mortem", shown, "postmortem_at")
    _replace(path, text)
    return PostMortem(path, at, _translations(path))


def _replace(path: Path, text: str) -> None:
    """Write `text` over `path` atomically (a reader sees the old file or the new, never a part),
    keeping its permissions."""
    mode = path.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- a new site

STARTER = Path(__file__).resolve().parent / "starter"


def init_site(
    folder: Path,
    now: datetime,
    title: str = "Service status",
    base_url: str = "https://status.example.com/",
    language: str = "en",
    timezone: str = "UTC",
) -> list[Path]:
    """Start a site in `folder`: a commented `content/site.yaml`, one example incident (a draft,
    so that it cannot go live by mistake), message templates, a `.gitignore` (unless the folder
    has one: a repository's is kept) and a CI workflow; it builds at once. Nothing existing is
    replaced: if any of these files exists, nothing is written, and a failure while writing
    removes what was written. Returns the files written."""
    site_path = folder / "content" / "site.yaml"
    fields = {"title": _quoted(title), "base_url": base_url, "language": language, "timezone": timezone}
    site_text = string.Template((STARTER / "content" / "site.yaml").read_text(encoding="utf-8")).substitute(
        fields
    )
    site = parse_site(site_text, str(site_path))  # (a wrong zone, language or URL stops here)
    started = _stamp(now - timedelta(days=1), site).replace(second=0)
    fields |= {"started": started.isoformat(), "resolved": (started + timedelta(minutes=35)).isoformat()}
    planned: dict[Path, str] = {}
    for source in sorted(STARTER.rglob("*")):
        if not source.is_file():
            continue
        relative = source.relative_to(STARTER).as_posix()
        text = source.read_text(encoding="utf-8")
        target = folder / relative
        if relative == "gitignore":
            target = folder / ".gitignore"
            if target.exists():
                continue
        elif relative == "workflow.yml":
            target = folder / ".github" / "workflows" / "status-page.yml"  # (no $-fields: taken as is)
        elif relative == "content/site.yaml":
            text = site_text
        elif relative == "content/incidents/example.md":
            text = string.Template(text).substitute(fields)
            target = target.with_name(f"{started.date().isoformat()}-example.md")
            parse_incident(text, str(target), site)
        planned[target] = text  # (message templates keep their $-fields: filled when used)
    blocked = [
        path
        for path in planned
        if path.exists() or any(parent.exists() and not parent.is_dir() for parent in path.parents)
    ]
    if blocked:
        message = "exists already (or a file is where a folder goes); init writes only new files"
        raise AuthoringError(
            [Problem(str(path), None, "", message, "choose an empty folder") for path in blocked]
        )
    written: list[Path] = []
    try:
        for path, text in planned.items():
            _write_new(path, text)
            written.append(path)
    except OSError as error:
        for path in written:
            path.unlink(missing_ok=True)
        raise _refuse(str(error.filename or folder), f"cannot write: {error.strerror or error}") from None
    return written
