"""What `statusgen notify` says: notices (what happened, language-free) and the messages a channel
gets for them, in its languages, built from the derived model.

A notice has a stable `key` naming what it announces (`incident/<slug>/update/3`,
`incident/<slug>/postmortem`, `maintenance/<slug>/status/in_progress`,
`maintenance/<slug>/reminder/<start>`, `<kind>/<slug>/created`), so a notice missed by a
failing channel can be rebuilt from the content by a later run. A message's `id` is stable per
notice, channel and language: the delivery record keeps it, webhooks send it as `webhook-id` and
e-mails as their `Message-ID`, so receivers can drop a duplicate.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import escape

from statusgen.derive import Derived, Entry, Kind, MaintenanceEntry, Step
from statusgen.i18n import N_, Formatter, change_text
from statusgen.models import Channel, Event
from statusgen.statuspage import api_status

# Interface words of messages (translated in the catalogues like the pages' words).
STARTS = N_("Starts %(time)s")
READ_MORE = N_("Read more: %(url)s")


@dataclass(frozen=True)
class Notice:
    """One thing to announce, whatever the channel and language."""

    key: str
    event: Event
    kind: Kind
    slug: str
    at: datetime
    update: int | None = None  # the update's number, for "created" and "updated"
    status: str = ""  # for "status_changed": the entry's new status


@dataclass(frozen=True)
class Message:
    """One message for one channel, in one language."""

    id: str
    channel: str
    language: str
    notice: Notice
    subject: str  # "[Chirp status] Worldwide outage — Identified"
    title: str  # the entry's title
    status: str  # the update's status (or the event's word) in the language
    text: str  # plain text, from the sanitised rendering
    html: str  # the same as sanitised HTML
    link: str  # the entry's page, at the update's anchor
    payload: Mapping[str, object]  # the webhook's JSON body (webhook.schema.json)


def message_id(channel: str, key: str, language: str) -> str:
    """A message's stable id: `msg_` and 26 base-32 characters hashed from what it is."""
    digest = hashlib.sha256(f"{channel}\0{key}\0{language}".encode()).digest()
    return "msg_" + base64.b32encode(digest).decode()[:26].lower()


# ---------------------------------------------------------------- notices


def notices_from_changes(changes: Sequence[Mapping[str, object]]) -> list[Notice]:
    """The notices of `statusgen changes`' output (`changes.compare`)."""
    found = []
    for change in changes:
        kind, slug, event = Kind(str(change["kind"])), str(change["slug"]), Event(str(change["event"]))
        update = change.get("update")
        number = int(str(update["number"])) if isinstance(update, Mapping) else None
        at = datetime.fromisoformat(str(change["at"]))
        if number is not None:
            key = f"{kind.folder}/{slug}/update/{number}"
        elif event is Event.POSTMORTEM:
            key = f"{kind.folder}/{slug}/postmortem"
        elif event is Event.STATUS_CHANGED:
            key = f"{kind.folder}/{slug}/status/{change['status']}"
        else:
            key = f"{kind.folder}/{slug}/created"
        found.append(Notice(key, event, kind, slug, at, number, str(change.get("status") or "")))
    return found


def reminders(derived: Derived, remind: timedelta | None) -> list[Notice]:
    """A reminder of each maintenance window that starts within `remind` of `now`."""
    if remind is None:
        return []
    now = derived.now
    return [
        Notice(
            f"maintenance/{m.slug}/reminder/{m.start.isoformat()}",
            Event.REMINDER,
            Kind.MAINTENANCE,
            m.slug,
            m.start - remind,
        )
        for m in derived.maintenance
        if m.upcoming and m.start - remind <= now < m.start
    ]


def notice_for_key(key: str, derived: Derived) -> Notice | None:
    """The notice a key names, rebuilt from the content (None when it no longer applies: the
    update or the entry is gone)."""
    parts = key.split("/", 3)
    if len(parts) < 3:
        return None
    folder, slug, what = parts[0], parts[1], parts[2]
    entry = find_entry(derived, folder, slug)
    if entry is None:
        return None
    arg = parts[3] if len(parts) > 3 else ""
    if what == "update" and arg.isdigit():
        step = next((u for u in entry.updates if u.number == int(arg)), None)
        if step is None:
            return None
        event = Event.CREATED if step.number == 1 else Event.UPDATED
        return Notice(key, event, entry.kind, slug, step.at, step.number)
    if what == "postmortem" and entry.postmortem and entry.postmortem_at is not None:
        return Notice(key, Event.POSTMORTEM, entry.kind, slug, entry.postmortem_at)
    if what == "status" and arg:
        return Notice(key, Event.STATUS_CHANGED, entry.kind, slug, entry.last_change, status=arg)
    if what == "created":
        return Notice(key, Event.CREATED, entry.kind, slug, entry.first_event)
    if what == "reminder" and isinstance(entry, MaintenanceEntry) and entry.upcoming:
        return Notice(key, Event.REMINDER, entry.kind, slug, derived.now)
    return None


def find_entry(derived: Derived, folder: str, slug: str) -> Entry | None:
    """An entry of the derived site by its folder (`incidents`, `maintenance`) and slug."""
    return next((e for e in derived.entries if e.kind.folder == folder and e.slug == slug), None)


def wanted(channel: Channel, notice: Notice, entry: Entry) -> bool:
    """Whether a channel takes a notice: its events and components filters."""
    if channel.events is not None and notice.event not in channel.events:
        return False
    return channel.components is None or any(entry.touches(cid) for cid in channel.components)


# ---------------------------------------------------------------- messages


@dataclass(frozen=True)
class Words:
    """What messages in one language are written with."""

    language: str
    translate: Callable[[str], str]
    labels: Mapping[str, Mapping[str, str]]
    fmt: Formatter
    text: Callable[[str, str | None], str]  # Markdown → plain text (from the sanitised HTML)
    html: Callable[[str], str]  # Markdown → sanitised HTML


def build_message(
    channel: Channel, notice: Notice, edition: Derived, words: Words, api_ids: Mapping[str, str]
) -> Message | None:
    """The message a channel gets for a notice in one edition (language), or None when the entry
    is no longer in it."""
    entry = find_entry(edition, notice.kind.folder, notice.slug)
    if entry is None:
        return None
    step = next((u for u in entry.updates if u.number == notice.update), None) if notice.update else None
    status, anchor, body_md = _what(notice, entry, step, words)
    link = f"{entry.url}#{anchor}" if anchor else entry.url
    changes = [
        change_text(words.translate, words.labels, c.name, c.old, c.new)
        for c in (step.changes if step else ())
    ]
    body_text = words.text(body_md, entry.url) if body_md else ""
    when = ""
    if notice.event is Event.REMINDER and isinstance(entry, MaintenanceEntry):
        when = words.translate(STARTS) % {"time": words.fmt.datetime(entry.start)}
    more = words.translate(READ_MORE) % {"url": link}
    text = "\n\n".join(part for part in (when, body_text, "\n".join(changes), more) if part)
    html_parts = [f"<p>{escape(when)}</p>" if when else "", words.html(body_md) if body_md else ""]
    if changes:
        html_parts.append("<ul>" + "".join(f"<li>{escape(c)}</li>" for c in changes) + "</ul>")
    html_parts.append(f'<p><a href="{escape(link)}">{escape(more)}</a></p>')
    subject = f"[{edition.site.title}] {entry.title} — {status}"
    mid = message_id(channel.name, notice.key, words.language)
    payload = {
        "id": mid,
        "type": f"{notice.kind}.{notice.event}",
        "event": str(notice.event),
        "channel": channel.name,
        "language": words.language,
        "at": words.fmt.iso(notice.at),
        "site": {"title": edition.site.title, "url": edition.site.home_url},
        "entry": {
            "kind": str(entry.kind),
            "id": api_ids.get(entry.slug, ""),
            "slug": entry.slug,
            "title": entry.title,
            "status": api_status(entry),
            "impact": str(getattr(entry, "impact", "maintenance")),
            "url": entry.url,
        },
        "update": None
        if step is None
        else {
            "number": step.number,
            "status": str(step.status),
            "at": words.fmt.iso(step.at),
            "body": step.body,
            "text": body_text,
            "url": link,
        },
        "components": [
            {"id": c.component, "name": c.name, "old_status": str(c.old), "new_status": str(c.new)}
            for c in (step.changes if step else ())
        ],
        "status": status,
        "subject": subject,
        "text": text,
        "url": link,
    }
    return Message(
        mid,
        channel.name,
        words.language,
        notice,
        subject,
        entry.title,
        status,
        text,
        "\n".join(p for p in html_parts if p),
        link,
        payload,
    )


def _what(notice: Notice, entry: Entry, step: Step | None, words: Words) -> tuple[str, str, str]:
    """(the status word, the page's anchor, the Markdown to show) of a notice."""
    kind = str(entry.kind)
    if step is not None:
        return words.labels[kind][step.status], step.anchor, step.body
    if notice.event is Event.POSTMORTEM:
        return words.labels["incident"]["postmortem"], "postmortem", entry.body
    if notice.event is Event.STATUS_CHANGED and notice.status in words.labels[kind]:
        return words.labels[kind][notice.status], "", ""
    if notice.event is Event.REMINDER:
        return words.labels["maintenance"]["scheduled"], "", entry.body
    return words.labels[kind][entry.status], "", entry.body
