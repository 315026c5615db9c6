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
from statusgen.errors import ContentError, Problem, did_you_mean
from statusgen.frontmatter import decode, normal_text
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


def _body_lines(message: str, indent: str, newline: str) -> str:
    """`body: …` for an update whose keys are indented by `indent`: a literal block when it holds
    the text exactly (it reads best), else a quoted scalar."""
    text = message_text(message)
    lines = text.split("\n")
    exact = all(line == line.rstrip() for line in lines) and "\t" not in text
    if text and not text[:1].isspace() and exact:
        block = "".join((f"{indent}  {line}" if line else "") + newline for line in lines)
        return f"{indent}body: |{newline}{block}"
    return f"{indent}body: {_quoted(text)}{newline}"


def _update_lines(at: str, status: str, message: str, dash: str, newline: str) -> str:
    """One item of `updates`, its dash indented by `dash`."""
    keys = dash + "  "
    return f"{dash}- at: {at}{newline}{keys}status: {status}{newline}" + _body_lines(message, keys, newline)


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
) -> NewEntry:
    """Write `maintenance/<date>-<slug>.md` (dated by its start), announced now as scheduled."""
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
    """The file of the incident or maintenance with this slug (or at this path), and its kind
    ("incidents" or "maintenance"); translations are not entries."""
    given = Path(slug)
    if slug.endswith(".md") and given.is_file():
        for kind in ("incidents", "maintenance"):
            if (content_dir / kind).resolve() in given.resolve().parents:
                return given, kind
        raise _refuse(slug, f"not a file of {content_dir}/incidents or {content_dir}/maintenance")
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
        message = f"both {found[0][0]} and {found[1][0]} have the slug {slug!r}"
        raise _refuse(str(content_dir), message, "give the path of the file instead of its slug")
    return found[0]


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
        if any(_ANY_UPDATES_KEY.match(line) for line in lines[1:closing]):
            raise _refuse(
                str(path),
                "`updates` is written in a way this command does not append to (on one line, as in "
                "`updates: []` or `updates: ~`, or quoted); write `updates:` alone on its line, then "
                "the list (`  - at: …`)",
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
    path, entry, site = _located(content_dir, slug)
    shown = str(path)
    kind = "incidents" if isinstance(entry, Incident) else "maintenance"
    parse = parse_incident if kind == "incidents" else parse_maintenance
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
    updated = parse(decode(shown, text.encode("utf-8")), shown, site)
    kept = [(u.at, u.status, u.body) for u in updated.updates[: len(entry.updates)]]
    new = updated.updates[-1] if updated.updates else None
    if (
        len(updated.updates) != len(entry.updates) + 1
        or kept != [(u.at, u.status, u.body) for u in entry.updates]
        or new is None
        or (new.at, new.status, new.body.rstrip("\n")) != (at, status, message_text(message))
    ):
        raise _refuse(
            shown,
            "the update could not be appended without changing the file's meaning; add it by hand",
            field="updates",
        )
    _replace(path, text)
    untranslated = tuple(
        sibling for sibling in sorted(path.parent.glob(f"{path.stem}.*.md")) if sibling.name != path.name
    )
    return Appended(path, new.number, untranslated)


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
    templates, a `.gitignore` (unless the folder has one: a repository's is kept) and a CI
    workflow; it builds at once. Nothing existing is replaced: if any of these files exists,
    nothing is written, and a failure while writing removes what was written. Returns the files
    written."""
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
