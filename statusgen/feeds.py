"""Atom and RSS feeds (feedgen) and iCalendar files of maintenance, built in code, not templates.

Feeds follow Statuspage's conventions, plus one it lacks:

- `history.atom`/`.rss`: one entry per incident or maintenance; its `updated` is its latest update
  and its content is every update, newest first. Readers see the entry change as it moves on.
- `updates.atom`/`.rss`: one entry per update ("[Resolved] Title"), so a reader notifies on every
  step of an incident.
- `components/<id>/history.*` and `maintenance.*`: the same, for one component, or maintenance only.

Entry ids are `tag:` URIs from the site's host and path and never change; the year in them is fixed
(2005, as Statuspage's own feeds use) because no content date is stable enough to carry it.
Maintenance calendars use UTC times (common parsers misread generated VTIMEZONE blocks); the
SEQUENCE of an event counts the earlier windows listed under the maintenance's `rescheduled`. An
event's DESCRIPTION is plain text read from the same HTML as the feeds (`plaintext.py`). A
calendar with no window holds one VFREEBUSY without busy time instead (RFC 5545 wants at least one
component; clients ignore it in a subscription, and it is true: the events are all TRANSPARENT).
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from operator import itemgetter
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from statusgen.derive import Derived, Entry, Kind, MaintenanceEntry, Step, component_path
from statusgen.i18n import N_, Formatter, change_text, language_name
from statusgen.markdown import resolve_urls
from statusgen.plaintext import plain_text

TAG_YEAR = "2005"
ATOM = "application/atom+xml"
RSS = "application/rss+xml"
CALENDAR = "text/calendar"

Translate = Callable[[str], str]
RenderMarkdown = Callable[[str], Markup]


@dataclass(frozen=True)
class Subscription:
    """One file readers can subscribe to, as pages link to it."""

    path: str  # relative to the site root
    media_type: str
    title: str


def subscriptions(component_id: str | None = None) -> tuple[Subscription, ...]:
    """The feeds and calendars of the whole site, or of one component."""
    if component_id is not None:
        base = component_path(component_id)
        return (
            Subscription(base + "history.atom", ATOM, N_("Incident history of this component (Atom)")),
            Subscription(base + "history.rss", RSS, N_("Incident history of this component (RSS)")),
            Subscription(base + "updates.atom", ATOM, N_("Every update of this component (Atom)")),
            Subscription(base + "updates.rss", RSS, N_("Every update of this component (RSS)")),
            Subscription(base + "maintenance.ics", CALENDAR, N_("Maintenance of this component (iCalendar)")),
        )
    return (
        Subscription("history.atom", ATOM, N_("Incident history (Atom)")),
        Subscription("history.rss", RSS, N_("Incident history (RSS)")),
        Subscription("updates.atom", ATOM, N_("Every update (Atom)")),
        Subscription("updates.rss", RSS, N_("Every update (RSS)")),
        Subscription("maintenance.atom", ATOM, N_("Maintenance (Atom)")),
        Subscription("maintenance.rss", RSS, N_("Maintenance (RSS)")),
        Subscription("maintenance.ics", CALENDAR, N_("Maintenance calendar (iCalendar)")),
    )


class _Writer:
    """What every feed of one build shares: the site, `now`, the words and the renderers."""

    def __init__(
        self,
        derived: Derived,
        words: dict[str, dict[str, str]],
        md: RenderMarkdown,
        translate: Translate,
    ) -> None:
        self.derived = derived
        self.site = derived.site
        self.now = derived.now
        self.words = words
        self.md = md
        self._ = translate
        self.fmt = Formatter(self.site.language, self.site.timezone)
        self.home = self.site.home_url  # the pages in the feed's language
        parts = urlsplit(self.home)
        self.authority = parts.hostname or "localhost"
        self.prefix = parts.path.strip("/") + "/" if parts.path.strip("/") else ""
        self._tags: dict[int, str] = {}

    # ------------------------------------------------------------ identities and words

    def tag(self, path: str) -> str:
        """The permanent id of a path of the site: tag:status.example.com,2005:incidents/x."""
        return f"tag:{self.authority},{TAG_YEAR}:{self.prefix}{path}"

    def entry_tag(self, entry: Entry) -> str:
        """The permanent id of an incident or a maintenance (memoised: feeds ask often)."""
        found = self._tags.get(id(entry))
        if found is None:
            found = self._tags[id(entry)] = self.tag(entry.path.rstrip("/"))
        return found

    def status_word(self, entry: Entry, update: Step) -> str:
        """The update's status in the site's words ("Resolved")."""
        return self.words[entry.kind][update.status]

    # ------------------------------------------------------------ entry bodies

    def timeline(self, entry: Entry, window: bool = True) -> str:
        """The entry's content: what it touches, every update newest first, then its summary
        (without a maintenance's window and state if not `window`: a calendar event has them)."""
        parts = [self._facts(entry, window)]
        for update in reversed(entry.updates):
            parts.append(self._update_heading(entry, update))
            parts.append(self.update_text(update, entry.url))
        if entry.body.strip():
            parts.append(self.text(entry.body, entry.body_language, entry.url))
        return "\n".join(parts)

    def title(self, entry: Entry) -> str:
        """The entry's title; one not translated into the feed's language says in which it is."""
        return _title(entry, self.site.language, self._)

    def text(self, body: str, language: str, page: str) -> str:
        """A Markdown body as HTML, its relative links and images resolved against the `page` it
        shows on (see `markdown.resolve_urls`); one not translated into the feed's language (`language`
        is the one it is in) is marked so, as on the pages."""
        html = resolve_urls(str(self.md(body)), page)
        if not language:
            return html
        name = language_name(language, self.site.language)
        note = self._("Not yet translated: shown in %(language)s.") % {"language": name}
        return f'<p><em>{escape(note)}</em></p><div lang="{escape(language)}">{html}</div>'

    def update_text(self, update: Step, page: str) -> str:
        """An update's text as HTML: the component changes it made, then its body (shown on `page`)."""
        changes = "".join(
            f"<li>{escape(change_text(self._, self.words, change.name, change.old, change.new))}</li>"
            for change in update.changes
        )
        return (f"<ul>{changes}</ul>" if changes else "") + self.text(update.body, update.language, page)

    def _facts(self, entry: Entry, window: bool = True) -> str:
        names = ", ".join(a.name for a in entry.affected)
        lines = []
        if isinstance(entry, MaintenanceEntry) and window:
            span = f"{self.fmt.datetime(entry.start)} – {self.fmt.datetime(entry.end)}"
            state = self.words["maintenance"][entry.status]
            lines.append(escape(self._("Scheduled: %(window)s") % {"window": span}) + f" ({escape(state)})")
        if names:
            lines.append(escape(self._("Affected: %(components)s") % {"components": names}))
        return "".join(f"<p>{line}</p>" for line in lines)

    def _update_heading(self, entry: Entry, update: Step) -> str:
        moment = f'<time datetime="{self.fmt.iso(update.at)}">{escape(self.fmt.datetime(update.at))}</time>'
        return f"<p><strong>{escape(self.status_word(entry, update))}</strong> · {moment}</p>"

    # ------------------------------------------------------------ feeds

    def feeds(self, stem: str, title: str, rows: Sequence[_Row]) -> dict[str, bytes]:
        """`stem.atom` and `stem.rss` of rows already chosen and ordered, newest first."""
        from feedgen.feed import FeedGenerator  # here: builds run feeds in a worker (see build.py)

        fg = FeedGenerator()
        fg.id(self.tag(stem))
        fg.title(title)
        fg.author(name=self.site.title)
        fg.language(self.site.language)
        fg.generator("statusgen")
        newest = rows[0].updated if rows else self.derived.bounds.last or self.now
        fg.updated(newest)
        fg.lastBuildDate(newest)
        for row in rows:
            fe = fg.add_entry(order="append")
            fe.id(row.id)
            fe.guid(row.id, permalink=False)
            fe.title(row.title)
            fe.link(href=row.link)
            fe.published(row.published)
            fe.updated(row.updated)
            fe.pubDate(row.updated)
            fe.content(row.html, type="html")
        out = {}
        subtitle = self.site.description or self.site.title
        for extension, render in (("atom", fg.atom_str), ("rss", fg.rss_str)):
            # Atom says its subtitle is text; RSS readers take <description> as HTML or as text.
            fg.subtitle(subtitle if extension == "atom" else html_text(subtitle))
            # feedgen gives RSS the last link as the channel's <link>: the site itself.
            links = [{"href": f"{self.home}{stem}.{extension}", "rel": "self"}]
            if self.site.websub_hub:  # (WebSub: readers subscribe at the hub, `notify` pings it)
                links.append({"href": self.site.websub_hub, "rel": "hub"})
            links.append({"href": self.home, "rel": "alternate"})  # (last: RSS's channel link)
            fg.link(links, replace=True)
            data = render(pretty=True)
            if extension == "rss" and self.site.websub_hub:
                data = _with_rss_hub(data, self.site.websub_hub)
            out[f"{stem}.{extension}"] = data
        return out

    def newest(self, entries: Iterable[Entry]) -> list[Entry]:
        """Entries newest first by their latest change (then by id), as feeds list them."""
        by_time = sorted(((e.last_change, e) for e in entries), key=itemgetter(0), reverse=True)
        ordered: list[Entry] = []
        for _, tied in groupby(by_time, key=itemgetter(0)):  # ids are built only to break ties
            run = [entry for _, entry in tied]
            ordered += sorted(run, key=self.entry_tag, reverse=True) if len(run) > 1 else run
        return ordered

    def history_rows(self, ordered: Iterable[Entry], keep: Callable[[Entry], bool] = bool) -> list[_Row]:
        """One row per incident or maintenance: the first `feed_entries` of `ordered` that `keep`."""
        rows: list[_Row] = []
        for entry in ordered:
            if len(rows) == self.site.feed_entries:
                break
            if not keep(entry):
                continue
            updated = entry.last_change
            rows.append(
                _Row(
                    id=self.entry_tag(entry),
                    title=self.title(entry),
                    link=entry.url,
                    published=min(entry.begins, updated),
                    updated=updated,
                    html=self.timeline(entry),
                )
            )
        return rows

    def update_rows(self, ordered: Iterable[Entry]) -> list[_Row]:
        """One row per update, titled "[Resolved] Title", and one per published post-mortem,
        "[Post-mortem] Title": the newest `feed_entries` of them.

        Give the entries as `newest` orders them: an entry that last changed before the
        `feed_entries`-th newest post seen so far holds no post that can be chosen, nor do the
        entries after it.
        """
        count = self.site.feed_entries
        if count <= 0:
            return []
        candidates: list[tuple[datetime, Entry, Step | None]] = []  # None: the post-mortem
        newest_times: list[datetime] = []  # a min-heap of the `count` newest post times so far
        for entry in ordered:
            if len(newest_times) == count and entry.last_change < newest_times[0]:
                break
            posts: list[tuple[datetime, Entry, Step | None]] = [(u.at, entry, u) for u in entry.updates]
            if entry.postmortem and entry.postmortem_at is not None:
                posts.append((entry.postmortem_at, entry, None))
            for post in posts:
                candidates.append(post)
                if len(newest_times) < count:
                    heapq.heappush(newest_times, post[0])
                elif post[0] > newest_times[0]:
                    heapq.heapreplace(newest_times, post[0])
        # Newest first, ties broken by id; only rows from the cutoff on can be chosen, so only their
        # ids are built.
        cutoff = _cutoff([row[0] for row in candidates], self.site.feed_entries)

        def anchor(update: Step | None) -> str:
            return update.anchor if update is not None else "postmortem"

        def key(row: tuple[datetime, Entry, Step | None]) -> tuple[datetime, str]:
            at, entry, update = row
            return (at, f"{self.entry_tag(entry)}#{anchor(update)}" if at >= cutoff else "")

        rows = []
        for at, entry, update in heapq.nlargest(self.site.feed_entries, candidates, key=key):
            if update is None:
                word = self.words["incident"]["postmortem"]
                html = self.text(entry.body, entry.body_language, entry.url)
            else:
                word = self.status_word(entry, update)
                html = f"{self._update_heading(entry, update)}\n{self.update_text(update, entry.url)}"
            rows.append(
                _Row(
                    id=f"{self.entry_tag(entry)}#{anchor(update)}",
                    title=f"[{word}] {self.title(entry)}",
                    link=f"{entry.url}#{anchor(update)}",
                    published=at,
                    updated=at,
                    html=html,
                )
            )
        return rows


def _with_rss_hub(data: bytes, hub: str) -> bytes:
    """An RSS feed with an `<atom:link rel="hub">` beside its self link (feedgen writes only that
    one in RSS)."""
    from lxml import etree  # (feedgen's own XML library)

    root = etree.fromstring(data)
    channel = root.find("channel")
    atom = "{http://www.w3.org/2005/Atom}link"
    self_link = channel.find(atom) if channel is not None else None
    if channel is None or self_link is None:
        return data
    hub_link = etree.Element(atom, href=hub, rel="hub")
    self_link.addnext(hub_link)
    etree.indent(root, space="  ")
    return bytes(etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8"))


@dataclass(frozen=True)
class _Row:
    """One feed entry, ready to write."""

    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    html: str


def _cutoff(moments: list[datetime], count: int) -> datetime:
    """The `count`-th latest of some instants (or the earliest): older rows can never be chosen."""
    if len(moments) <= count:
        return min(moments, default=datetime.min.replace(tzinfo=UTC))
    return heapq.nlargest(count, moments)[-1]


def feed_files(
    derived: Derived,
    words: dict[str, dict[str, str]],
    md: RenderMarkdown,
    translate: Translate = str,
) -> dict[str, bytes]:
    """Every feed and calendar of the site, keyed by output path."""
    writer = _Writer(derived, words, md, translate)
    site = derived.site
    _ = translate
    ordered = writer.newest(derived.entries)
    named = {"site": site.title}
    out = writer.feeds("history", _("%(site)s: incident history") % named, writer.history_rows(ordered))
    out |= writer.feeds("updates", _("%(site)s: every update") % named, writer.update_rows(ordered))
    maintenance_rows = writer.history_rows(ordered, lambda e: e.kind is Kind.MAINTENANCE)
    maintenance_name = _("%(site)s: maintenance") % named
    out |= writer.feeds("maintenance", maintenance_name, maintenance_rows)
    out["maintenance.ics"] = _calendar(writer, derived.maintenance, maintenance_name, "calendar")
    for component in site.components:
        stem = component_path(component.id)
        title = _("%(site)s: %(component)s") % {**named, "component": component.name}
        mine = [entry for entry in ordered if entry.touches(component.id)]
        out |= writer.feeds(stem + "history", title, writer.history_rows(mine))
        every = _("%(site)s: every update of %(component)s") % {**named, "component": component.name}
        out |= writer.feeds(stem + "updates", every, writer.update_rows(mine))
        windows = [m for m in derived.maintenance if m.touches(component.id)]
        name = _("%(site)s: %(component)s maintenance") % {**named, "component": component.name}
        out[stem + "maintenance.ics"] = _calendar(writer, windows, name, f"calendar-{component.id}")
    return out


def _title(entry: Entry, language: str, translate: Translate) -> str:
    """An entry's title as feeds and calendars show it: "Panne du site (in French)" when it is
    not translated into `language`, as lists on the pages mark it."""
    if not entry.title_language:
        return entry.title
    name = language_name(entry.title_language, language)
    return f"{entry.title} ({translate('in %(language)s') % {'language': name}})"


_MARKUP_START = re.compile(r"[&<](?=\S)")  # where HTML could read markup: not before a space


def html_text(text: str) -> str:
    """Text for a field that some readers take as HTML and others as text (RSS's channel
    `<description>`), escaped once: an `&` or `<` is escaped unless a space follows it or it ends
    the text (HTML reads those as text too), so "Chirp's Q & A" reads the same both ways and "<b>"
    stays text."""
    return _MARKUP_START.sub(lambda found: "&amp;" if found.group() == "&" else "&lt;", text)


# ---------------------------------------------------------------- iCalendar


def _calendar(writer: _Writer, maintenance: Sequence[MaintenanceEntry], name: str, key: str) -> bytes:
    """An RFC 5545 calendar named `name`, one VEVENT per maintenance window, times in UTC.

    Without a window it holds one VFREEBUSY with no busy time (UID `maintenance-<key>@<host>`):
    a calendar needs a component, strict clients refuse one without, and subscribers ignore it.
    """
    site = writer.site
    host = urlsplit(site.base_url).hostname or "localhost"
    prefix = urlsplit(site.base_url).path.strip("/").replace("/", ".")
    domain = host + (f".{prefix}" if prefix else "")
    import icalendar  # here: builds run calendars in a worker, so the main process never loads it

    cal = icalendar.Calendar()
    cal.add("prodid", "-//statusgen//statusgen//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", icalendar.vText(name))  # (TEXT: ; , \\ escaped)
    for item in sorted(maintenance, key=lambda m: (m.start, m.slug)):
        event = icalendar.Event()
        event.add("uid", f"maintenance-{item.slug}@{domain}")
        event.add("dtstamp", item.last_change.astimezone(UTC))
        event.add("last-modified", item.last_change.astimezone(UTC))
        event.add("dtstart", item.start.astimezone(UTC))
        event.add("dtend", item.end.astimezone(UTC))
        event.add("sequence", item.sequence)
        event.add("summary", writer.title(item))
        # What it touches, then every update newest first with its status and time, then the
        # summary: the feeds' HTML, as plain text.
        description = plain_text(writer.timeline(item, window=False), base=item.url)
        if description:
            event.add("description", description)
        event.add("url", item.url)
        event.add("status", "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        if writer.site.remind is not None:  # as `statusgen notify` reminds subscribers
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", -writer.site.remind)
            alarm.add("description", writer.title(item))
            event.add_component(alarm)
        cal.add_component(event)
    if not maintenance:
        placeholder = icalendar.FreeBusy()
        placeholder.add("uid", f"maintenance-{key}@{domain}")
        newest = writer.derived.bounds.last or writer.now
        placeholder.add("dtstamp", newest.astimezone(UTC))
        placeholder.add("url", writer.home)
        cal.add_component(placeholder)
    return bytes(cal.to_ical())
