"""What every authoring command shares: the site and the entry it works on, the YAML text of an
update, reading a new text back as a build would, and writing files without ever leaving half of one.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

from statusgen.content import parse_incident, parse_maintenance, parse_site, read_text
from statusgen.entries import find_entry
from statusgen.errors import AuthoringError, ContentError, Problem, did_you_mean
from statusgen.frontmatter import decode, normal_text
from statusgen.models import Incident, Maintenance, Site


def unknown_components(site: Site, given: Iterable[str], where: str) -> list[Problem]:
    """A problem for each component id the site does not define (`--components`)."""
    known = [c.id for c in site.components]
    return [
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


def refuse(
    path: str, message: str, hint: str = "", line: int | None = None, field: str = ""
) -> AuthoringError:
    return AuthoringError([Problem(path, line, field, message, hint)])


def site_of(content_dir: Path) -> Site:
    """The site of a content folder (its site.yaml only: quick on a big site)."""
    path = content_dir / "site.yaml"
    if not path.is_file():
        raise refuse(str(path), "not found; run this in a site (or give --content)", "statusgen init DIR")
    return parse_site(read_text(path, str(path)), str(path))


def read_entry(content_dir: Path, slug: str) -> Incident | Maintenance:
    """The incident or maintenance with this slug, as a build reads it."""
    return locate(content_dir, slug)[1]


def locate(content_dir: Path, slug: str) -> tuple[Path, Incident | Maintenance, Site]:
    """The file of the entry with this slug, the entry as a build reads it, and the site."""
    site = site_of(content_dir)
    path, kind = find_entry(content_dir, slug)
    parse = parse_incident if kind == "incidents" else parse_maintenance
    return path, parse(read_text(path, str(path)), str(path), site), site


CLOSING = re.compile(r"(?:---|\.\.\.)[ \t]*")


def quoted(text: str) -> str:
    """A YAML double-quoted scalar holding exactly `text` (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def message_text(message: str) -> str:
    """A message as a build will read it back: as content is read (`normal_text`), without the
    blank lines around it."""
    return normal_text(message).strip("\n")


def body_lines(message: str, indent: str, newline: str, step: int = 2) -> str:
    """`body: …` for an update whose keys are indented by `indent`: a literal block (nested `step`
    columns deeper) when it holds the text exactly (it reads best), else a quoted scalar."""
    text = message_text(message)
    lines = text.split("\n")
    exact = all(line == line.rstrip() for line in lines) and "\t" not in text
    if text and not text[:1].isspace() and exact:
        block = "".join((f"{indent}{' ' * step}{line}" if line else "") + newline for line in lines)
        return f"{indent}body: |{newline}{block}"
    return f"{indent}body: {quoted(text)}{newline}"


# What an update says of components, as given on the command line: (id, status), or (id, None)
# for "at the status the impact implies" (the list form).
States = Sequence[tuple[str, str | None]]


def update_lines(
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
    return lines + body_lines(message, keys, newline, step)


def stamp(now: datetime, site: Site) -> datetime:
    """`now` in the site's time zone, to the second, as a fixed offset (what an author would have
    written, and what the parser reads back: equal even in the hour a DST change repeats)."""
    local = now.astimezone(site.tz).replace(microsecond=0)
    return local.astimezone(timezone(local.utcoffset() or timedelta(0)))


def read_back(
    parse: Callable[[str, str, Site], Incident | Maintenance], shown: str, text: str, site: Site, what: str
) -> Incident | Maintenance:
    """`text` read as a build reads the file, or a refusal if that fails (nothing is written)."""
    try:
        return parse(decode(shown, text.encode("utf-8")), shown, site)
    except ContentError:
        raise cannot(what, shown, "") from None


def cannot(what: str, shown: str, field: str) -> AuthoringError:
    return refuse(
        shown, f"{what} could not be written without changing the file's meaning; add it by hand", field=field
    )


def translations_beside(path: Path) -> tuple[Path, ...]:
    """The translations beside an entry's file (`<slug>.<language>.md`)."""
    return tuple(
        sibling for sibling in sorted(path.parent.glob(f"{path.stem}.*.md")) if sibling.name != path.name
    )


def write_new(path: Path, text: str) -> None:
    """Create `path` with `text`, failing rather than overwriting anything."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="") as file:
        file.write(text)


def replace_file(path: Path, text: str) -> None:
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
