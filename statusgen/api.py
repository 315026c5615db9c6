"""Machine-readable status: Statuspage's public v2 JSON API, badges, and when the site next changes.

The JSON under `api/v2/` has the field names, nesting and enums of Atlassian Statuspage's public
API, so a client written for a Statuspage page reads a statusgen site unchanged. Where statusgen
knows less than Statuspage (when a component was created, tweets), the value is derived from the
content or null, never invented from the clock:

- ids are 12 lower-case base-36 characters hashed from the slug (`incident:<slug>`), so they are
  stable across builds and never collide between kinds;
- `page.updated_at` and each `updated_at` are the latest event of the content at or before `now`;
- `incidents.json` and `scheduled-maintenances.json` hold the newest `feeds.entries` (default 50,
  Statuspage's number) plus every unresolved one.

JSON escapes `<`, `>`, `&`, U+2028 and U+2029, so no file can run script when sniffed as HTML.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from markupsafe import escape

from statusgen.derive import Derived, Entry, IncidentEntry, MaintenanceEntry, Step, next_changes
from statusgen.i18n import Formatter
from statusgen.markdown import MarkdownRenderer
from statusgen.models import ComponentStatus, Content, IncidentStatus
from statusgen.status import Indicator, worst

E = TypeVar("E", IncidentEntry, MaintenanceEntry)

# ---------------------------------------------------------------- encoding


def stable_id(kind: str, key: str) -> str:
    """A Statuspage-style id: 12 base-36 characters derived from a kind and a slug."""
    number = int.from_bytes(hashlib.sha256(f"{kind}:{key}".encode()).digest()[:8], "big")
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    for _ in range(12):
        number, rest = divmod(number, 36)
        out += digits[rest]
    return out


_UNSAFE_IN_HTML = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def to_json(value: object) -> bytes:
    """Compact UTF-8 JSON, safe to embed in or sniff as HTML (`<` is written `\\u003c`)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for character, escaped in _UNSAFE_IN_HTML.items():
        text = text.replace(character, escaped)
    return text.encode("utf-8") + b"\n"


# ---------------------------------------------------------------- Statuspage v2


class _Api:
    """Builds the Statuspage objects of one build."""

    def __init__(self, derived: Derived) -> None:
        self.derived = derived
        self.site = derived.site
        self.snap = derived.snapshot
        self.now = derived.now
        self.fmt = Formatter(self.site.language, self.site.timezone)
        self.page_id = stable_id("page", self.site.base_url)
        self.bounds = derived.bounds
        self.first = self.bounds.first or self.now
        self.components = self._components()

    def time(self, moment: datetime | None) -> str | None:
        """ISO 8601 with milliseconds and the site's offset, as Statuspage writes it, or None."""
        return None if moment is None else api_time(moment, self.fmt)

    def page(self) -> dict[str, object]:
        """The `page` object."""
        return {
            "id": self.page_id,
            "name": self.site.title,
            "url": self.site.base_url.rstrip("/"),
            "time_zone": self.site.timezone,
            "updated_at": self.time(self.bounds.last or self.first),
        }

    def status(self) -> dict[str, str]:
        """The `status` object: indicator and its description."""
        return {"indicator": str(self.snap.indicator), "description": self.snap.description}

    def _components(self) -> dict[str, dict[str, object]]:
        """Component objects by component id, groups included (Statuspage's `group: true`)."""
        out: dict[str, dict[str, object]] = {}
        groups: dict[str, list[str]] = {}
        position = 0
        for state in self.snap.components:
            component = state.component
            group_id = stable_id("group", component.group) if component.group else None
            if component.group and component.group not in groups:
                position += 1
                groups[component.group] = []
                out["group:" + component.group] = self._component(
                    group_id or "", component.group, ComponentStatus.OPERATIONAL, position, None, None, True
                )
            position += 1
            updated = self.bounds.components.get(component.id)
            entry = self._component(
                stable_id("component", component.id),
                component.name,
                state.status,
                position,
                component.description or None,
                group_id,
                False,
                updated,
            )
            out[component.id] = entry
            if component.group:
                groups[component.group].append(component.id)
        for name, members in groups.items():
            group = out["group:" + name]
            group["status"] = str(worst(self.snap.component(m).status for m in members))
            group["components"] = [out[m]["id"] for m in members]
            latest = [out[m]["updated_at"] for m in members]
            group["updated_at"] = max(latest, key=lambda t: datetime.fromisoformat(str(t)))
        return out

    def _component(
        self,
        component_id: str,
        name: str,
        status: ComponentStatus,
        position: int,
        description: str | None,
        group_id: str | None,
        is_group: bool,
        updated: datetime | None = None,
    ) -> dict[str, object]:
        return {
            "id": component_id,
            "name": name,
            "status": str(status),
            "created_at": self.time(self.first),
            "updated_at": self.time(updated or self.first),
            "position": position,
            "description": description,
            "showcase": not is_group,
            "start_date": None,
            "group_id": group_id,
            "page_id": self.page_id,
            "group": is_group,
            "only_show_if_degraded": False,
        }

    def _update(self, parent_id: str, entry: Entry, update: Step) -> dict[str, object]:
        moment = self.time(update.at)
        affected = [
            {
                "code": stable_id("component", change.component),
                "name": change.name,
                "old_status": str(change.old),
                "new_status": str(change.new),
            }
            for change in update.changes
        ]
        return {
            "id": update_id(entry, update),
            "status": str(update.status),
            "body": update.body,
            "incident_id": parent_id,
            "created_at": moment,
            "updated_at": moment,
            "display_at": moment,
            "affected_components": affected or None,
            "deliver_notifications": True,
            "custom_tweet": None,
            "tweet_id": None,
        }

    def _common(self, entry: Entry) -> dict[str, object]:
        """What incidents and maintenance share."""
        entry_id = entry_id_of(entry)
        return {
            "id": entry_id,
            "name": entry.title,
            "status": str(entry.status),
            "created_at": self.time(entry.first_event),
            "updated_at": self.time(entry.last_change),
            "monitoring_at": None,
            "resolved_at": self.time(entry.ends),
            "impact": "maintenance",
            "shortlink": entry.url,
            "started_at": self.time(entry.begins),
            "page_id": self.page_id,
            "incident_updates": [self._update(entry_id, entry, u) for u in reversed(entry.updates)],
            "components": [self.components[cid] for cid in entry.component_ids],
        }

    def incident(self, entry: IncidentEntry) -> dict[str, object]:
        """One incident with its updates, newest first."""
        monitoring = [u.at for u in entry.updates if u.status is IncidentStatus.MONITORING]
        published = entry.postmortem_at if entry.postmortem else None
        return {
            **self._common(entry),
            "status": api_status(entry),
            "monitoring_at": self.time(monitoring[0] if monitoring else None),
            "impact": str(entry.impact),
            "postmortem_body": entry.body if entry.postmortem else None,
            "postmortem_body_last_updated_at": self.time(published),
            "postmortem_published_at": self.time(published),
        }

    def maintenance(self, entry: MaintenanceEntry) -> dict[str, object]:
        """One scheduled maintenance with its updates, newest first."""
        return {
            **self._common(entry),
            "scheduled_for": self.time(entry.start),
            "scheduled_until": self.time(entry.end),
        }


def api_time(moment: datetime, fmt: Formatter) -> str:
    """A time as the JSON API writes it: ISO 8601 with milliseconds and the site's offset
    (`2012-06-21T10:24:00.000-07:00`, Statuspage's form; clients parse it with a fixed format)."""
    return fmt.local(moment).isoformat(timespec="milliseconds")


def entry_id_of(entry: Entry) -> str:
    """The Statuspage id of an incident or a maintenance (stable: hashed from its kind and slug)."""
    return stable_id(str(entry.kind), entry.slug)


def update_id(entry: Entry, update: Step) -> str:
    """The Statuspage id of an update (stable: hashed from its entry and its number)."""
    return stable_id(f"{entry.kind}-update", f"{entry.slug}#{update.number}")


def _newest(items: Iterable[E]) -> list[E]:
    return sorted(items, key=lambda i: (i.begins, i.slug), reverse=True)


def listed(derived: Derived) -> tuple[list[IncidentEntry], list[MaintenanceEntry]]:
    """The incidents and maintenance `incidents.json` and `scheduled-maintenances.json` list: the
    newest `feeds.entries` of each, plus every unresolved incident and every upcoming or active
    window; newest first."""
    cap = derived.site.feed_entries
    recent = _newest(derived.incidents)
    incidents = _newest({*recent[:cap], *(i for i in recent if i.active)})
    windows = _newest(derived.maintenance)
    maintenance = _newest({*windows[:cap], *(m for m in windows if m.active or m.upcoming)})
    return incidents, maintenance


def api_files(derived: Derived) -> dict[str, bytes]:
    """The Statuspage-compatible JSON files under `api/v2/`."""
    api = _Api(derived)
    page = api.page()
    status = api.status()
    components = list(api.components.values())
    listed_incidents, listed_maintenance = listed(derived)
    unresolved = [i for i in listed_incidents if i.active]
    windows = _newest(derived.maintenance)
    upcoming = [m for m in windows if m.upcoming]
    active = [m for m in windows if m.active]

    made: dict[str, dict[str, object]] = {}  # an open incident is in three files: build it once

    def incidents(items: Iterable[IncidentEntry]) -> list[dict[str, object]]:
        out = []
        for item in items:
            found = made.get(item.slug)
            if found is None:
                found = made[item.slug] = api.incident(item)
            out.append(found)
        return out

    def scheduled(items: Iterable[MaintenanceEntry]) -> list[dict[str, object]]:
        return [api.maintenance(m) for m in items]

    files = {
        "summary.json": {
            "page": page,
            "components": components,
            "incidents": incidents(unresolved),
            "scheduled_maintenances": scheduled([*active, *upcoming]),
            "status": status,
        },
        "status.json": {"page": page, "status": status},
        "components.json": {"page": page, "components": components},
        "incidents.json": {"page": page, "incidents": incidents(listed_incidents)},
        "incidents/unresolved.json": {"page": page, "incidents": incidents(unresolved)},
        "scheduled-maintenances.json": {
            "page": page,
            "scheduled_maintenances": scheduled(listed_maintenance),
        },
        "scheduled-maintenances/upcoming.json": {"page": page, "scheduled_maintenances": scheduled(upcoming)},
        "scheduled-maintenances/active.json": {"page": page, "scheduled_maintenances": scheduled(active)},
    }
    return {f"api/v2/{name}": to_json(value) for name, value in files.items()}


# ---------------------------------------------------------------- next change


def next_change_file(content: Content, now: datetime) -> bytes:
    """`api/statusgen/next-change.json`: when a scheduled rebuild should next run, and why.

    Give the content as written, so that future events are known.
    """
    fmt = Formatter(content.site.language, content.site.timezone)
    upcoming = next_changes(content, now)
    listed = [{"at": fmt.iso(c.at), "reason": c.reason} for c in upcoming[:20]]
    return to_json({"next_change": listed[0] if listed else None, "upcoming": listed})


# ---------------------------------------------------------------- badges


BADGE_COLOURS: dict[ComponentStatus, tuple[str, str]] = {
    # (Shields.io colour name, hex for our own SVG)
    ComponentStatus.OPERATIONAL: ("brightgreen", "#2e7d32"),
    ComponentStatus.UNDER_MAINTENANCE: ("blue", "#1565c0"),
    ComponentStatus.DEGRADED_PERFORMANCE: ("yellow", "#8a6d00"),
    ComponentStatus.PARTIAL_OUTAGE: ("orange", "#c25100"),
    ComponentStatus.MAJOR_OUTAGE: ("red", "#c62828"),
}
_INDICATOR_STATUS = {
    Indicator.NONE: ComponentStatus.OPERATIONAL,
    Indicator.MAINTENANCE: ComponentStatus.UNDER_MAINTENANCE,
    Indicator.MINOR: ComponentStatus.DEGRADED_PERFORMANCE,
    Indicator.MAJOR: ComponentStatus.PARTIAL_OUTAGE,
    Indicator.CRITICAL: ComponentStatus.MAJOR_OUTAGE,
}


def _text_width(text: str) -> float:
    """An estimate of the width of `text` in 11 px Verdana (the SVG pins it with textLength)."""
    width = 0.0
    for character in text:
        if character in "iIjl.,:;'|!()[] ":
            width += 3.9
        elif character in "mwMW@%":
            width += 10.5
        elif character.isupper() or character.isdigit():
            width += 7.5
        elif ord(character) >= 0x1100 and _wide(character):
            width += 11.0
        else:
            width += 6.6
    return width


def _wide(character: str) -> bool:
    return unicodedata.east_asian_width(character) in ("W", "F")


def badge_svg(label: str, message: str, colour: str) -> bytes:
    """A flat Shields-style badge: grey label, coloured message, readable by screen readers."""
    left = round(_text_width(label) + 12)
    right = round(_text_width(message) + 12)
    total = left + right
    title = escape(f"{label}: {message}")
    text_label, text_message = escape(label), escape(message)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{title}"><title>{title}</title>'
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        'font-size="11">'
        f'<text x="{left / 2}" y="14" textLength="{left - 12}">{text_label}</text>'
        f'<text x="{left + right / 2}" y="14" textLength="{right - 12}">{text_message}</text>'
        "</g></svg>\n"
    )
    return svg.encode("utf-8")


def badge_files(derived: Derived, words: Mapping[str, Mapping[str, str]], label: str) -> dict[str, bytes]:
    """`badge.svg` and its Shields.io endpoint `badge.json`, for the page and for each component."""
    out: dict[str, bytes] = {}

    def add(stem: str, name: str, status: ComponentStatus) -> None:
        message = words["component"][status].lower()
        shields, colour = BADGE_COLOURS[status]
        out[f"{stem}badge.svg"] = badge_svg(name, message, colour)
        out[f"{stem}badge.json"] = to_json(
            {"schemaVersion": 1, "label": name, "message": message, "color": shields}
        )

    snap = derived.snapshot
    add("", label, _INDICATOR_STATUS[snap.indicator])
    for state in snap.components:
        add(state.path, state.component.name, state.status)
    return out


# ---------------------------------------------------------------- what changed since the last build

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


def api_status(entry: Entry) -> str:
    """An entry's status as the JSON API gives it (an incident's is `postmortem` once one is out)."""
    return "postmortem" if entry.postmortem and entry.ends is not None else str(entry.status)


def _entry_changes(
    before: dict[str, object] | None,
    entry: Entry,
    fmt: Formatter,
    text: Callable[[str, str | None], str],
) -> list[dict[str, object]]:
    """The changes of one incident or maintenance against its previous version (None if new)."""
    seen = {u.get("id") for u in _items(before.get("incident_updates"))} if before else set()
    fresh = [u for u in entry.updates if update_id(entry, u) not in seen]
    status = api_status(entry)
    impact = str(entry.impact) if isinstance(entry, IncidentEntry) else "maintenance"

    def change(event: str, at: datetime, update: Step | None, anchor: str = "") -> dict[str, object]:
        return {
            "kind": str(entry.kind),
            "event": event,
            "id": entry_id_of(entry),
            "name": entry.title,
            "status": str(update.status) if update is not None else status,
            "incident_status": status,
            "old_status": before.get("status") if before else None,
            "impact": impact,
            "url": entry.url,
            "link": f"{entry.url}#{anchor}" if anchor else entry.url,
            "at": api_time(at, fmt),
            "components": [
                {"id": c.component, "name": c.name, "old_status": str(c.old), "new_status": str(c.new)}
                for c in (update.changes if update is not None else ())
            ],
            "update": None
            if update is None
            else {
                "id": update_id(entry, update),
                "status": str(update.status),
                "body": update.body,
                "text": text(update.body, entry.url),
                "display_at": api_time(update.at, fmt),
            },
        }

    changes = [
        change("created" if before is None and index == 0 else "updated", update.at, update, update.anchor)
        for index, update in enumerate(fresh)
    ]
    if before is None and not fresh:
        changes.append(change("created", entry.first_event, None))
    if (
        entry.postmortem
        and entry.postmortem_at is not None
        and (before is None or before.get("status") != "postmortem")
    ):
        changes.append(change("postmortem", entry.postmortem_at, None, "postmortem"))
    announced = str(fresh[-1].status) if fresh else None
    if before is not None and status not in (before.get("status"), announced, "postmortem"):
        at = entry.last_change
        if status in _ENDED and entry.ends is not None:
            at = entry.ends
        elif status == "in_progress":
            at = entry.begins
        changes.append(change("status_changed", at, None))
    return changes
