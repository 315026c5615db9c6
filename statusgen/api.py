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

from markupsafe import escape

from statusgen.i18n import Formatter
from statusgen.models import (
    ComponentStatus,
    Content,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
    Update,
)
from statusgen.render import MarkdownRenderer
from statusgen.status import (
    Indicator,
    Snapshot,
    bounds,
    incident_status,
    is_active,
    maintenance_interval,
    maintenance_status,
    next_changes,
    worst,
)

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

    def __init__(self, content: Content, snap: Snapshot, fmt: Formatter) -> None:
        self.content = content
        self.site = content.site
        self.snap = snap
        self.now = snap.now
        self.fmt = fmt
        self.page_id = stable_id("page", self.site.base_url)
        self.bounds = bounds(content, snap.now)
        self.first = self.bounds.first or snap.now
        self.components = self._components()

    def time(self, moment: datetime | None) -> str | None:
        """ISO 8601 with the site's offset, or None."""
        return None if moment is None else self.fmt.iso(moment)

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

    def affected(
        self, ids: Sequence[str], old: Mapping[str, ComponentStatus], new: Mapping[str, ComponentStatus]
    ) -> list[dict[str, str]]:
        """`affected_components` of an update: each component's status before and after it."""
        return [
            {
                "code": stable_id("component", cid),
                "name": self.site.component(cid).name,
                "old_status": str(old[cid]),
                "new_status": str(new[cid]),
            }
            for cid in ids
        ]

    def _update(
        self, parent_id: str, kind: str, slug: str, update: Update, affected: list[dict[str, str]]
    ) -> dict[str, object]:
        moment = self.time(update.at)
        return {
            "id": stable_id(f"{kind}-update", f"{slug}#{update.number}"),
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

    def incident(self, incident: Incident) -> dict[str, object]:
        """One incident with its updates, newest first."""
        incident_id = stable_id("incident", incident.slug)
        during = dict(incident.components)
        calm = {cid: ComponentStatus.OPERATIONAL for cid in during}
        updates = []
        for index, update in enumerate(incident.updates):
            old = calm if index == 0 else during
            new = calm if update.status is IncidentStatus.RESOLVED else during
            updates.append(
                self._update(
                    incident_id, "incident", incident.slug, update, self.affected(list(during), old, new)
                )
            )
        monitoring = [u.at for u in incident.updates if u.status is IncidentStatus.MONITORING]
        status = incident_status(incident, self.now)
        moments = [incident.started, *(u.at for u in incident.updates)]
        if incident.resolved is not None:
            moments.append(incident.resolved)
        return {
            "id": incident_id,
            "name": incident.title,
            "status": str(status),
            "created_at": self.time(min(moments)),
            "updated_at": self.time(max(moments)),
            "monitoring_at": self.time(monitoring[0] if monitoring else None),
            "resolved_at": self.time(incident.resolved),
            "impact": str(incident.impact),
            "shortlink": f"{self.site.base_url}incidents/{incident.slug}/",
            "started_at": self.time(incident.started),
            "page_id": self.page_id,
            "incident_updates": list(reversed(updates)),
            "components": [self.components[cid] for cid in incident.component_ids],
        }

    def maintenance(self, item: Maintenance) -> dict[str, object]:
        """One scheduled maintenance with its updates, newest first."""
        item_id = stable_id("maintenance", item.slug)
        held = {cid: ComponentStatus.UNDER_MAINTENANCE for cid in item.components}
        calm = {cid: ComponentStatus.OPERATIONAL for cid in item.components}
        updates = []
        for update in item.updates:
            old = (
                held if update.status in (MaintenanceStatus.VERIFYING, MaintenanceStatus.COMPLETED) else calm
            )
            new = held if update.status in _ACTIVE else calm
            updates.append(
                self._update(
                    item_id, "maintenance", item.slug, update, self.affected(item.components, old, new)
                )
            )
        status = maintenance_status(item, self.now)
        ended = maintenance_interval(item, self.now)[1] if status is MaintenanceStatus.COMPLETED else None
        moments = [u.at for u in item.updates]
        return {
            "id": item_id,
            "name": item.title,
            "status": str(status),
            "created_at": self.time(min(moments, default=item.start)),
            "updated_at": self.time(max(moments, default=item.start)),
            "monitoring_at": None,
            "resolved_at": self.time(ended),
            "impact": "maintenance",
            "shortlink": f"{self.site.base_url}maintenance/{item.slug}/",
            "started_at": self.time(item.start),
            "page_id": self.page_id,
            "incident_updates": list(reversed(updates)),
            "components": [self.components[cid] for cid in item.components],
            "scheduled_for": self.time(item.start),
            "scheduled_until": self.time(item.end),
        }


_ACTIVE = (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)


def _newest(items: Iterable[Incident | Maintenance]) -> list[Incident | Maintenance]:
    def begins(item: Incident | Maintenance) -> datetime:
        return item.started if isinstance(item, Incident) else item.start

    return sorted(items, key=lambda i: (begins(i), i.slug), reverse=True)


def api_files(content: Content, snap: Snapshot) -> dict[str, bytes]:
    """The Statuspage-compatible JSON files under `api/v2/`."""
    site = content.site
    api = _Api(content, snap, Formatter(site.language, site.timezone))
    page = api.page()
    status = api.status()
    components = list(api.components.values())
    now = snap.now
    cap = site.feed_entries
    recent = [i for i in _newest(content.incidents) if isinstance(i, Incident)]
    unresolved = [i for i in recent if is_active(i, now)]
    listed = _newest({*recent[:cap], *unresolved})
    by_status = [(m, maintenance_status(m, now)) for m in _newest(content.maintenance)]
    upcoming = [m for m, s in by_status if s is MaintenanceStatus.SCHEDULED]
    active = [m for m, s in by_status if s in _ACTIVE]
    maintenance = _newest({*(m for m, _ in by_status[:cap]), *upcoming, *active})

    made: dict[str, dict[str, object]] = {}  # an open incident is in three files: build it once

    def incidents(items: Iterable[Incident | Maintenance]) -> list[dict[str, object]]:
        out = []
        for item in items:
            if isinstance(item, Incident):
                found = made.get(item.slug)
                if found is None:
                    found = made[item.slug] = api.incident(item)
                out.append(found)
        return out

    def windows(items: Iterable[Incident | Maintenance]) -> list[dict[str, object]]:
        return [api.maintenance(m) for m in items if isinstance(m, Maintenance)]

    files = {
        "summary.json": {
            "page": page,
            "components": components,
            "incidents": incidents(unresolved),
            "scheduled_maintenances": windows([*active, *upcoming]),
            "status": status,
        },
        "status.json": {"page": page, "status": status},
        "components.json": {"page": page, "components": components},
        "incidents.json": {"page": page, "incidents": incidents(listed)},
        "incidents/unresolved.json": {"page": page, "incidents": incidents(unresolved)},
        "scheduled-maintenances.json": {"page": page, "scheduled_maintenances": windows(maintenance)},
        "scheduled-maintenances/upcoming.json": {"page": page, "scheduled_maintenances": windows(upcoming)},
        "scheduled-maintenances/active.json": {"page": page, "scheduled_maintenances": windows(active)},
    }
    return {f"api/v2/{name}": to_json(value) for name, value in files.items()}


# ---------------------------------------------------------------- next change


def next_change_file(content: Content, now: datetime) -> bytes:
    """`api/statusgen/next-change.json`: when a scheduled rebuild should next run, and why.

    Give the content before `as_of`, so that future events are known.
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


def badge_files(
    content: Content, snap: Snapshot, words: Mapping[str, Mapping[str, str]], label: str
) -> dict[str, bytes]:
    """`badge.svg` and its Shields.io endpoint `badge.json`, for the page and for each component."""
    out: dict[str, bytes] = {}

    def add(stem: str, name: str, status: ComponentStatus) -> None:
        message = words["component"][status].lower()
        shields, colour = BADGE_COLOURS[status]
        out[f"{stem}badge.svg"] = badge_svg(name, message, colour)
        out[f"{stem}badge.json"] = to_json(
            {"schemaVersion": 1, "label": name, "message": message, "color": shields}
        )

    add("", label, _INDICATOR_STATUS[snap.indicator])
    for state in snap.components:
        add(f"components/{state.component.id}/", state.component.name, state.status)
    return out


# ---------------------------------------------------------------- what changed since the last build

COMPARED_FILES = ("api/v2/status.json", "api/v2/incidents.json", "api/v2/scheduled-maintenances.json")
_LISTS = (
    ("incident", "api/v2/incidents.json", "incidents"),
    ("maintenance", "api/v2/scheduled-maintenances.json", "scheduled_maintenances"),
)
_ENDED = ("resolved", "completed")


def _load(files: Mapping[str, bytes], name: str) -> dict[str, object]:
    """One JSON file of a build, or {} when it is missing or unreadable."""
    try:
        value = json.loads(files[name])
    except (KeyError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def compare(
    previous: Mapping[str, bytes],
    current: Mapping[str, bytes],
    text: Callable[[str, str | None], str] | None = None,
) -> dict[str, object]:
    """What a build announces that the previous one did not: new incidents, updates and status changes.

    Both arguments map output paths (`COMPARED_FILES`) to their bytes. Each change is one new
    update (`event` "created" for a new incident's first, "updated" after), a new entry without
    updates ("created"), or a status that moved without an update ("status_changed", such as a
    maintenance window that began on time). With no previous build, nothing is reported, so a
    first publication never floods the subscribers. An update carries its `body` (Markdown, as
    in the JSON API) and its `text`: plain text read from the sanitised HTML by `text(body, page
    URL)` (by default `MarkdownRenderer.text`, as pages render it).
    """
    to_text = text or MarkdownRenderer().text
    old_status = _load(previous, "api/v2/status.json").get("status")
    new_status = _load(current, "api/v2/status.json").get("status")
    found = any(name in previous for name in COMPARED_FILES)
    result: list[dict[str, object]] = []
    for kind, name, key in _LISTS if found else ():
        before = {o["id"]: o for o in _items(_load(previous, name).get(key))}
        for item in _items(_load(current, name).get(key)):
            result += _item_changes(kind, before.get(item["id"]), item, to_text)
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


def _item_changes(
    kind: str,
    before: dict[str, object] | None,
    item: dict[str, object],
    text: Callable[[str, str | None], str],
) -> list[dict[str, object]]:
    """The changes of one incident or maintenance against its previous version (None if new)."""
    seen = {u.get("id") for u in _items(before.get("incident_updates"))} if before else set()
    fresh = [u for u in reversed(_items(item.get("incident_updates"))) if u["id"] not in seen]
    page = item.get("shortlink")
    base = page if isinstance(page, str) else None

    def shown(update: dict[str, object]) -> dict[str, object]:
        """The update as `changes` gives it: its Markdown body and that body as plain text."""
        body = update.get("body")
        return {
            "id": update.get("id"),
            "status": update.get("status"),
            "body": body,
            "text": text(body, base) if isinstance(body, str) else None,
            "display_at": update.get("display_at"),
        }

    def change(event: str, at: object, update: dict[str, object] | None) -> dict[str, object]:
        return {
            "kind": kind,
            "event": event,
            "id": item["id"],
            "name": item.get("name"),
            "status": item.get("status"),
            "old_status": before.get("status") if before else None,
            "impact": item.get("impact"),
            "url": item.get("shortlink"),
            "at": at,
            "update": None if update is None else shown(update),
        }

    changes_found = [
        change("created" if before is None and index == 0 else "updated", update.get("display_at"), update)
        for index, update in enumerate(fresh)
    ]
    if before is None and not fresh:
        changes_found.append(change("created", item.get("created_at"), None))
    announced = fresh[-1].get("status") if fresh else None
    status = item.get("status")
    if before is not None and status != before.get("status") and status != announced:
        at = item.get("resolved_at") if status in _ENDED else item.get("updated_at")
        if status == "in_progress":
            at = item.get("scheduled_for")
        changes_found.append(change("status_changed", at or item.get("updated_at"), None))
    return changes_found
