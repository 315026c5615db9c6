"""Writing content from the command line: a new incident or maintenance, an update appended to one,
a new site, message templates.

Nothing here renders; everything it writes is read back with the same parser as a build (`content.py`)
before it is saved, and saved atomically, so a command either leaves a valid file or changes nothing.
Appending an update keeps every byte of the file outside the lines it adds: comments, key order,
quoting and line endings included.
"""

from __future__ import annotations

import json
import os
import re
import string
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.lists import format_list
from slugify import slugify

from statusgen.content import (
    content_files,
    parse_incident,
    parse_maintenance,
    parse_site,
    read_text,
    slug_for,
)
from statusgen.errors import ContentError, Problem, did_you_mean
from statusgen.frontmatter import decode
from statusgen.i18n import Formatter
from statusgen.models import (
    Impact,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
    Site,
)

MAX_SLUG_LENGTH = 60
TEMPLATES_FOLDER = "templates"  # content/templates/<name>.md: message templates


class AuthoringError(ContentError):
    """A command that cannot do what it was asked, with why (it changed nothing)."""


def _refuse(
    path: str, message: str, hint: str = "", line: int | None = None, field: str = ""
) -> AuthoringError:
    return AuthoringError([Problem(path, line, field, message, hint)])


# ---------------------------------------------------------------- names


def slug_of(title: str) -> str:
    """An ASCII slug for a title in any language: "Panne de l'API à Zürich" → "panne-de-l-api-a-zurich"."""
    return slugify(title, max_length=MAX_SLUG_LENGTH, word_boundary=True, save_order=True) or "entry"


def _taken(folder: Path) -> set[str]:
    """The slugs already used under a content folder's kind folder (subfolders and translations too)."""
    return {slug_for(path.name) for path in content_files(folder)}


def _free_path(folder: Path, stem: str) -> Path:
    """`folder/stem.md`, or `stem-2.md`, `stem-3.md`… if that slug is taken: never an existing file."""
    taken = _taken(folder)
    candidate, number = stem, 1
    while candidate in taken:
        number += 1
        candidate = f"{stem}-{number}"
    return folder / f"{candidate}.md"


# ---------------------------------------------------------------- YAML text


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar holding exactly `text` (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _body_lines(message: str, indent: str, newline: str) -> str:
    """`body: …` for an update whose keys are indented by `indent`: a literal block when the text
    allows one (it reads best), else a quoted scalar."""
    text = message.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    first = text.split("\n", 1)[0]
    if text and not first[:1].isspace() and "\t" not in text.replace("\n", ""):
        block = "".join(f"{indent}  {line}".rstrip() + newline for line in text.split("\n"))
        return f"{indent}body: |{newline}{block}"
    return f"{indent}body: {_quoted(text)}{newline}"


def _update_lines(at: str, status: str, message: str, dash: str, newline: str) -> str:
    """One item of `updates`, its dash indented by `dash`."""
    keys = dash + "  "
    return f"{dash}- at: {at}{newline}{keys}status: {status}{newline}" + _body_lines(message, keys, newline)


def _stamp(now: datetime, site: Site) -> datetime:
    """`now` in the site's time zone, to the second: what an author would have written."""
    return now.astimezone(site.tz).replace(microsecond=0)


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
) -> NewEntry:
    """Write `incidents/<date>-<slug>.md`, its first update stamped `now` in the site's zone."""
    site = site_of(content_dir)
    folder = content_dir / "incidents"
    if impact not in list(Impact):
        raise _refuse(
            str(folder),
            f"unknown impact {impact!r}; expected one of {', '.join(Impact)}",
            did_you_mean(impact, list(Impact)),
            field="--impact",
        )
    if status not in list(IncidentStatus) or status == IncidentStatus.RESOLVED:
        choices = [s for s in IncidentStatus if s is not IncidentStatus.RESOLVED]
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
        f"---\ntitle: {_quoted(' '.join(title.split()))}\nstarted: {at.isoformat()}\nimpact: {impact}\n"
        f"components: [{', '.join(components)}]\nupdates:\n"
        + _update_lines(at.isoformat(), status, message, "  ", "\n")
        + "---\n"
    )
    parse_incident(text, str(path), site)  # what a build will read
    _write_new(path, text)
    return NewEntry(path, slug_for(path.name))


def new_maintenance(
    content_dir: Path,
    title: str,
    components: Sequence[str],
    start: datetime,
    end: datetime,
    now: datetime,
    message: str = "",
) -> NewEntry:
    """Write `maintenance/<date>-<slug>.md` (dated by its start), announced now as scheduled."""
    site = site_of(content_dir)
    folder = content_dir / "maintenance"
    components = _check_components(site, components, str(folder))
    if not title.strip():
        raise _refuse(str(folder), "the title must not be blank", field="TITLE")
    if end <= start:
        raise _refuse(
            str(folder),
            f"the maintenance ends ({end.isoformat()}) before it starts ({start.isoformat()})",
            field="--end",
        )
    start, end = _stamp(start, site), _stamp(end, site)
    path = _free_path(folder, f"{start.date().isoformat()}-{slug_of(title)}")
    text = (
        f"---\ntitle: {_quoted(' '.join(title.split()))}\n"
        f"start: {start.isoformat()}\nend: {end.isoformat()}\ncomponents: [{', '.join(components)}]\n"
    )
    if message.strip():
        text += "updates:\n" + _update_lines(_stamp(now, site).isoformat(), "scheduled", message, "  ", "\n")
    text += "---\n"
    parse_maintenance(text, str(path), site)
    _write_new(path, text)
    return NewEntry(path, slug_for(path.name))


# ---------------------------------------------------------------- appending an update


def find_entry(content_dir: Path, slug: str) -> tuple[Path, str]:
    """The file of the incident or maintenance with this slug, and its kind ("incidents" or
    "maintenance"); translations are not entries."""
    found = [
        (path, kind)
        for kind in ("incidents", "maintenance")
        for path in content_files(content_dir / kind)
        if slug_for(path.name) == slug.lower() and path.name.count(".") == 1
    ]
    if not found:
        slugs = sorted(
            slug_for(p.name)
            for kind in ("incidents", "maintenance")
            for p in content_files(content_dir / kind)
        )
        raise _refuse(
            str(content_dir),
            f"no incident or maintenance has the slug {slug!r}",
            did_you_mean(slug, slugs) or "the slug is the file name without .md",
        )
    if len(found) > 1:
        raise _refuse(str(content_dir), f"both {found[0][0]} and {found[1][0]} have the slug {slug!r}")
    return found[0]


def read_entry(content_dir: Path, slug: str) -> Incident | Maintenance:
    """The incident or maintenance with this slug, as a build reads it."""
    site = site_of(content_dir)
    path, kind = find_entry(content_dir, slug)
    parse = parse_incident if kind == "incidents" else parse_maintenance
    return parse(read_text(path, str(path)), str(path), site)


_CLOSING = re.compile(r"(?:---|\.\.\.)[ \t]*")
_UPDATES_KEY = re.compile(r"updates[ \t]*:[ \t]*(?:#.*)?")
_ITEM = re.compile(r"([ \t]*)-(?:[ \t]|$)")


def append_update(path: Path, at: str, status: str, message: str) -> str:
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
        if any(re.match(r"updates[ \t]*:", line) for line in lines[1:closing]):
            raise _refuse(
                str(path),
                "`updates` is written on one line (a flow list); write it as a block list "
                "(`updates:` then `  - at: …`) to append to it",
                field="updates",
            )
        item = _update_lines(at, status, message, "  ", newline)
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
        added = _update_lines(at, status, message, dash if dash is not None else "  ", newline)
        if not lines[end].endswith(("\n", "\r")):
            added = newline + added
    return "".join(lines[:insert]) + added + "".join(lines[insert:])


@dataclass(frozen=True)
class Appended:
    """What `add_update` did: the file, the update's number, and what it leaves to translators."""

    path: Path
    number: int
    untranslated: tuple[Path, ...]


def add_update(content_dir: Path, slug: str, status: str, message: str, now: datetime) -> Appended:
    """Append an update, stamped `now` in the site's zone, to an incident or a maintenance.

    Refused: an empty message, a status that is not of the entry's kind, an update earlier than the
    entry's last one, and any update to a resolved incident or a completed maintenance.
    """
    site = site_of(content_dir)
    path, kind = find_entry(content_dir, slug)
    shown = str(path)
    parse = parse_incident if kind == "incidents" else parse_maintenance
    entry: Incident | Maintenance = parse(read_text(path, shown), shown, site)
    statuses = list(IncidentStatus) if kind == "incidents" else list(MaintenanceStatus)
    if status not in statuses:
        raise _refuse(
            shown,
            f"{status!r} is not a status of {'an incident' if kind == 'incidents' else 'a maintenance'}; "
            f"expected one of {', '.join(statuses)}",
            did_you_mean(status, statuses),
            field="--status",
        )
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
    text = append_update(path, at.isoformat(), status, message)
    updated = parse(_decoded(text, shown), shown, site)
    new = [u for u in updated.updates if u.at == at and u.status == status]
    if len(updated.updates) != len(entry.updates) + 1 or not new or new[-1].body.strip() != _normal(message):
        raise _refuse(
            shown,
            "the update could not be appended without changing the file's meaning; add it by hand",
            field="updates",
        )
    _replace(path, text)
    untranslated = tuple(
        sibling for sibling in sorted(path.parent.glob(f"{path.stem}.*.md")) if sibling.name != path.name
    )
    return Appended(path, new[-1].number, untranslated)


def _normal(message: str) -> str:
    return message.replace("\r\n", "\n").replace("\r", "\n").strip()


def _decoded(text: str, shown: str) -> str:
    return decode(shown, text.encode("utf-8"))


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
    """Start a site in `folder`: a commented `content/site.yaml`, one example incident, message
    templates, a `.gitignore` and a CI workflow; it builds at once. Nothing existing is replaced:
    if any of these files exists, nothing is written. Returns the files written."""
    started = (now.astimezone(ZoneInfo(timezone)) - timedelta(days=1)).replace(second=0, microsecond=0)
    fields = {
        "title": _quoted(title),
        "base_url": base_url,
        "language": language,
        "timezone": timezone,
        "started": started.isoformat(),
        "resolved": (started + timedelta(minutes=35)).isoformat(),
    }
    planned: dict[Path, str] = {}
    for source in sorted(STARTER.rglob("*")):
        if not source.is_file():
            continue
        relative = source.relative_to(STARTER).as_posix()
        text = source.read_text(encoding="utf-8")
        if relative == "gitignore":
            target = folder / ".gitignore"
        elif relative == "workflow.yml":
            target = folder / ".github" / "workflows" / "status-page.yml"  # (no $-fields: taken as is)
        elif relative in ("content/site.yaml", "content/incidents/example.md"):
            text = string.Template(text).substitute(fields)
            target = folder / relative
            if relative == "content/incidents/example.md":
                target = target.with_name(f"{started.date().isoformat()}-example.md")
        else:  # message templates: their $-fields are filled when they are used
            target = folder / relative
        planned[target] = text
    existing = [path for path in planned if path.exists()]
    if existing or (folder / "content" / "site.yaml").exists():
        message, hint = "exists already; init writes only new files", "choose an empty folder"
        found = existing or [folder / "content" / "site.yaml"]
        raise AuthoringError([Problem(str(path), None, "", message, hint) for path in found])
    site = parse_site(planned[folder / "content" / "site.yaml"], str(folder / "content" / "site.yaml"))
    for path, text in planned.items():
        if path.parent.name == "incidents":
            parse_incident(text, str(path), site)
    for path, text in planned.items():
        _write_new(path, text)
    return list(planned)
