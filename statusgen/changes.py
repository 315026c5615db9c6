"""What changed since the last build: the comparison behind `statusgen changes` (and the
notifications), read from the published site's Statuspage JSON and this build's derived model."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from statusgen.derive import Derived, Entry, IncidentEntry, Step
from statusgen.i18n import Formatter
from statusgen.markdown import MarkdownRenderer
from statusgen.statuspage import api_status, api_time, entry_id_of, listed, update_id

COMPARED_FILES = ("api/v2/status.json", "api/v2/incidents.json", "api/v2/scheduled-maintenances.json")
_ENDED = ("resolved", "completed", "postmortem")


def _load(files: Mapping[str, bytes], name: str) -> dict[str, object]:
    """One JSON file of a build, or {} when it is missing or unreadable."""
    try:
        value = json.loads(files[name])
    except (KeyError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def compare(
    previous: Mapping[str, bytes],
    current: Derived,
    text: Callable[[str, str | None], str] | None = None,
) -> dict[str, object]:
    """What a build announces that the previous one did not: new incidents, updates, post-mortems
    and status changes.

    `previous` maps the published build's output paths (`COMPARED_FILES`) to their bytes; `current`
    is this build's derived site (in the default language). Each change is one new update (`event`
    "created" for a new entry's first, "updated" after), a new entry without updates ("created"), a
    post-mortem published ("postmortem"), or a status that moved without an update
    ("status_changed", such as a maintenance window that began on time). Only what the JSON API
    lists is compared (`listed`). With no previous build, nothing is reported, so a first
    publication never floods the subscribers. An update carries its `body` (Markdown, as in the
    JSON API) and its `text`: plain text read from the sanitised HTML by `text(body, page URL)`
    (by default `MarkdownRenderer.text`, as pages render it).
    """
    to_text = text or MarkdownRenderer().text
    old_status = _load(previous, "api/v2/status.json").get("status")
    snap = current.snapshot
    new_status = {"indicator": str(snap.indicator), "description": snap.description}
    found = any(name in previous for name in COMPARED_FILES)
    fmt = Formatter(current.site.language, current.site.timezone)
    result: list[dict[str, object]] = []
    if found:
        incidents, maintenance = listed(current)
        lists: list[tuple[str, str, Sequence[Entry]]] = [
            ("api/v2/incidents.json", "incidents", incidents),
            ("api/v2/scheduled-maintenances.json", "scheduled_maintenances", maintenance),
        ]
        for name, key, entries in lists:
            before = {o["id"]: o for o in _items(_load(previous, name).get(key))}
            for entry in entries:
                result += _entry_changes(before.get(entry_id_of(entry)), entry, fmt, to_text)
    result.sort(key=lambda c: (datetime.fromisoformat(str(c["at"])), str(c["id"])))
    return {
        "previous_build_found": found,
        "status": {"old": old_status if found else None, "new": new_status},
        "status_changed": found and old_status != new_status,
        "changes": result,
    }


def _items(value: object) -> list[dict[str, object]]:
    return (
        [item for item in value if isinstance(item, dict) and "id" in item] if isinstance(value, list) else []
    )


def _entry_changes(
    before: dict[str, object] | None,
    entry: Entry,
    fmt: Formatter,
    text: Callable[[str, str | None], str],
) -> list[dict[str, object]]:
    """The changes of one incident or maintenance against its previous version (None if new)."""
    seen = {u.get("id") for u in _items(before.get("incident_updates"))} if before else set()
    fresh = [u for u in entry.updates if update_id(entry, u) not in seen]
    made = _Changes(entry, before, fmt, text)
    changes = [
        made.change("updated" if before is not None or index else "created", update.at, update, update.anchor)
        for index, update in enumerate(fresh)
    ]
    if before is None and not fresh:
        changes.append(made.change("created", entry.first_event))
    if entry.postmortem and entry.postmortem_at is not None and _old_status(before) != "postmortem":
        changes.append(made.change("postmortem", entry.postmortem_at, None, "postmortem"))
    moved = _status_moved_at(entry, before, fresh)
    if moved is not None:
        changes.append(made.change("status_changed", moved))
    return changes


def _old_status(before: dict[str, object] | None) -> object:
    """The status the published build gave an entry (None for a new entry)."""
    return before.get("status") if before else None


def _status_moved_at(
    entry: Entry, before: dict[str, object] | None, fresh: Sequence[Step]
) -> datetime | None:
    """When an entry's status moved without an update announcing it (a window that began on time,
    an incident resolved by its `resolved` field), or None if it did not."""
    status = api_status(entry)
    announced = str(fresh[-1].status) if fresh else None
    if before is None or status in (before.get("status"), announced, "postmortem"):
        return None
    if status in _ENDED and entry.ends is not None:
        return entry.ends
    if status == "in_progress":
        return entry.begins
    return entry.last_change


@dataclass(frozen=True)
class _Changes:
    """Writes the changes of one entry, as `changes` prints them."""

    entry: Entry
    before: dict[str, object] | None
    fmt: Formatter
    text: Callable[[str, str | None], str]

    def change(
        self, event: str, at: datetime, update: Step | None = None, anchor: str = ""
    ) -> dict[str, object]:
        """One change: `event` at `at`, with the update that made it (if any)."""
        entry = self.entry
        status = api_status(entry)
        return {
            "kind": str(entry.kind),
            "event": event,
            "id": entry_id_of(entry),
            "slug": entry.slug,
            "name": entry.title,
            "status": str(update.status) if update is not None else status,
            "incident_status": status,
            "old_status": _old_status(self.before),
            "impact": str(entry.impact) if isinstance(entry, IncidentEntry) else "maintenance",
            "url": entry.url,
            "link": f"{entry.url}#{anchor}" if anchor else entry.url,
            "at": api_time(at, self.fmt),
            "components": [
                {"id": c.component, "name": c.name, "old_status": str(c.old), "new_status": str(c.new)}
                for c in (update.changes if update is not None else ())
            ],
            "update": None if update is None else self.update(update),
        }

    def update(self, update: Step) -> dict[str, object]:
        """An update as a change carries it: its Markdown body and its text."""
        return {
            "id": update_id(self.entry, update),
            "number": update.number,
            "status": str(update.status),
            "body": update.body,
            "text": self.text(update.body, self.entry.url),
            "display_at": api_time(update.at, self.fmt),
        }
