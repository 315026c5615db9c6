"""Appending an update (`statusgen update`, `statusgen resolve`): one item added to `updates`,
every other byte of the file kept (comments, key order, quoting and line endings)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from statusgen.authoring.files import (
    CLOSING,
    States,
    cannot,
    locate,
    message_text,
    read_back,
    refuse,
    replace_file,
    stamp,
    translations_beside,
    unknown_components,
    update_lines,
)
from statusgen.content import parse_incident, parse_maintenance
from statusgen.errors import AuthoringError, Problem, did_you_mean
from statusgen.models import (
    ComponentStatus,
    Impact,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
    Site,
    Update,
)

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
    closing = next((i for i, line in enumerate(lines[1:], 1) if CLOSING.fullmatch(line.rstrip("\r\n"))), None)
    if closing is None:
        raise refuse(str(path), "the front matter is never closed", line=1)
    key = next((i for i in range(1, closing) if _UPDATES_KEY.fullmatch(lines[i].rstrip("\r\n"))), None)
    if key is None:
        if any(_ANY_UPDATES_KEY.match(line) for line in lines[1:closing]):
            raise refuse(
                str(path),
                "`updates` is written in a way this command does not append to (on one line, as in "
                "`updates: []` or `updates: ~`, or quoted); write `updates:` alone on its line, then "
                "the list (`  - at: …`)",
                field="updates",
            )
        item = update_lines(at, status, message, "  ", newline, impact, components)
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
        added = update_lines(at, status, message, dash, newline, impact, components, max(len(dash), 2))
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
    problems = unknown_components(site, (cid for cid, _ in components), where)
    given: dict[str, str | None] = {}
    for cid, state in components:
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
    path, entry, site = locate(content_dir, slug)
    shown = str(path)
    problems = _option_problems(entry, site, shown, status, impact, components)
    if problems:
        raise AuthoringError(problems)
    components = list(dict.fromkeys(components))
    if not message.strip():
        raise refuse(
            shown, "say something in the update", "--message, --template or --editor", field="--message"
        )
    at = stamp(now, site)
    _check_open(entry, at, shown)
    text = append_update(path, at.isoformat(), status, message, impact, components)
    meant = (
        at,
        status,
        message_text(message),
        Impact(impact) if impact is not None else None,
        tuple((cid, ComponentStatus(s) if s is not None else None) for cid, s in components) or None,
    )
    parse = parse_incident if isinstance(entry, Incident) else parse_maintenance
    updated = read_back(parse, shown, text, site, "the update")
    new = _appended(entry, updated, meant)
    if new is None:
        raise cannot("the update", shown, "updates")
    replace_file(path, text)
    return Appended(path, new.number, translations_beside(path))


def _option_problems(
    entry: Incident | Maintenance, site: Site, shown: str, status: str, impact: str | None, components: States
) -> list[Problem]:
    """What is wrong with the options of an update to `entry`: a status not of its kind, an impact
    or components where none may be given, an unknown impact, component or component status."""
    kind = "incidents" if isinstance(entry, Incident) else "maintenance"
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
    problems += _change_problems(kind, shown, status, impact, components)
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
    return problems


def _change_problems(
    kind: str, shown: str, status: str, impact: str | None, components: States
) -> list[Problem]:
    """An impact or components given to a maintenance's update or to a resolved one."""
    changes = [
        option for option, given in (("--impact", impact is not None), ("--components", components)) if given
    ]
    if changes and kind == "maintenance":
        return [
            Problem(
                shown,
                None,
                changes[0],
                f"a maintenance takes no {' nor '.join(changes)}: its components are under maintenance "
                "while it is in progress",
                "give only --status and the message",
            )
        ]
    if changes and status == IncidentStatus.RESOLVED:
        return [
            Problem(
                shown,
                None,
                changes[0],
                "a resolved update returns every component to operational; it takes no "
                + " nor ".join(changes),
                f"drop {' and '.join(changes)}",
            )
        ]
    return []


def _check_open(entry: Incident | Maintenance, at: datetime, shown: str) -> None:
    """Refuse an update at `at` earlier than the entry's last one, or to an entry that has ended
    (an incident resolved by then, a maintenance completed)."""
    last = entry.updates[-1] if entry.updates else None
    if last is not None and at < last.at:
        raise refuse(
            shown,
            f"its last update is at {last.at.isoformat()}, after now ({at.isoformat()}); updates "
            "are appended in time order",
            "check the clock, or give --now",
            field="updates",
        )
    if isinstance(entry, Incident) and entry.resolved is not None and entry.resolved <= at:
        raise refuse(
            shown,
            f"the incident was resolved at {entry.resolved.isoformat()}; it takes no more updates",
            "for a new problem, start a new incident: statusgen new incident",
            field="updates",
        )
    if isinstance(entry, Maintenance) and last is not None and last.status is MaintenanceStatus.COMPLETED:
        raise refuse(
            shown,
            f"the maintenance was completed at {last.at.isoformat()}; it takes no more updates",
            field="updates",
        )


def _appended(
    entry: Incident | Maintenance, updated: Incident | Maintenance, meant: tuple[object, ...]
) -> Update | None:
    """The update `updated` (the file read back) has after `entry`'s, if it is exactly `meant` (at,
    status, body, impact, components) and every earlier update is unchanged; else None."""
    count = len(entry.updates)
    if len(updated.updates) != count + 1 or updated.updates[:count] != entry.updates:
        return None
    new = updated.updates[-1]
    written = (new.at, new.status, new.body.rstrip("\n"), new.impact, new.components)
    return new if written == meant else None
