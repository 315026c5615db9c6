"""The typed content of a status site: frozen dataclasses and the enums of its vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from statusgen.errors import Problem


class Impact(StrEnum):
    """How bad an incident is, in Statuspage's words (also the page's status indicator)."""

    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


class ComponentStatus(StrEnum):
    """The state of one component, in Statuspage's words."""

    OPERATIONAL = "operational"
    UNDER_MAINTENANCE = "under_maintenance"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"


class IncidentStatus(StrEnum):
    """The stage an incident update announces."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class MaintenanceStatus(StrEnum):
    """The stage of a maintenance window."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    VERIFYING = "verifying"
    COMPLETED = "completed"


# Statuses ordered from best to worst: a component shows the worst that applies to it.
# Maintenance ranks below any degradation: a real outage during a maintenance is shown as the outage.
STATUS_SEVERITY: dict[ComponentStatus, int] = {status: rank for rank, status in enumerate(ComponentStatus)}

IMPACT_STATUS: dict[Impact, ComponentStatus] = {
    Impact.NONE: ComponentStatus.OPERATIONAL,
    Impact.MINOR: ComponentStatus.DEGRADED_PERFORMANCE,
    Impact.MAJOR: ComponentStatus.PARTIAL_OUTAGE,
    Impact.CRITICAL: ComponentStatus.MAJOR_OUTAGE,
}

DEFAULT_DOWNTIME_WEIGHTS: dict[ComponentStatus, float] = {
    ComponentStatus.OPERATIONAL: 0.0,
    ComponentStatus.UNDER_MAINTENANCE: 0.0,
    ComponentStatus.DEGRADED_PERFORMANCE: 0.0,
    ComponentStatus.PARTIAL_OUTAGE: 0.3,
    ComponentStatus.MAJOR_OUTAGE: 1.0,
}


@dataclass(frozen=True)
class Component:
    """One part of the service whose status the page shows."""

    id: str
    name: str
    group: str | None = None
    description: str = ""


class Event(StrEnum):
    """What a notification announces: the events of `statusgen changes`, and reminders."""

    CREATED = "created"
    UPDATED = "updated"
    STATUS_CHANGED = "status_changed"
    POSTMORTEM = "postmortem"
    REMINDER = "reminder"


@dataclass(frozen=True)
class Channel:
    """Where `statusgen notify` tells subscribers (site.yaml's `notify`), as written: its URL and
    secret may hold `${VARIABLE}`s, expanded from the environment by `notify` only."""

    name: str
    url: str
    secret: str = ""
    components: tuple[str, ...] | None = None  # only changes touching these (None: all)
    languages: tuple[str, ...] = ()  # which editions' text, one message each (): the site's language
    events: tuple[Event, ...] | None = None  # only these events (None: all)
    line: int | None = field(default=None, compare=False)  # where site.yaml defines it


@dataclass(frozen=True)
class Site:
    """The site's configuration from `site.yaml`."""

    path: str
    title: str
    base_url: str
    components: tuple[Component, ...]
    language: str = "en"
    timezone: str = "UTC"
    theme: str = "default"
    description: str = ""
    uptime_days: int = 90
    recent_days: int = 7
    feed_entries: int = 50  # the newest entries each feed keeps (history pages keep everything)
    cache_max_age: int = 60  # seconds a CDN or browser may serve a page, feed or JSON file as fresh
    cache_stale: int = 30  # …and then stale, while it fetches it again
    downtime_weights: tuple[tuple[ComponentStatus, float], ...] = tuple(DEFAULT_DOWNTIME_WEIGHTS.items())
    key_lines: tuple[tuple[str, int], ...] = ()
    # Every language of the site, the default first (`language` is the one its pages are in).
    languages: tuple[str, ...] = ()
    # The texts site.yaml gives in other languages: (language, field such as components[0].name, text).
    translated: tuple[tuple[str, str, str], ...] = ()
    notify: tuple[Channel, ...] = ()  # where `statusgen notify` tells subscribers
    remind: timedelta | None = None  # remind subscribers of a maintenance window this long before it
    websub_hub: str = ""  # a WebSub hub that feeds link and `notify` pings
    warnings: tuple[Problem, ...] = field(default=(), compare=False, repr=False)

    @property
    def default_language(self) -> str:
        """The language of the content files, whose pages are at the site's root."""
        return self.languages[0] if self.languages else self.language

    def prefix(self, language: str | None = None) -> str:
        """Where a language's pages are, under the site root: "" for the default, else "en/"."""
        language = language or self.language
        return "" if language == self.default_language else f"{language}/"

    @property
    def home_url(self) -> str:
        """The absolute URL of the pages in this site's `language`."""
        return self.base_url + self.prefix()

    @property
    def tz(self) -> ZoneInfo:
        """The site's time zone."""
        return ZoneInfo(self.timezone)

    def component(self, component_id: str) -> Component:
        """The component with this id."""
        return next(c for c in self.components if c.id == component_id)

    def line_of(self, key: str) -> int | None:
        """The line of a top-level key in site.yaml, if it was given."""
        return dict(self.key_lines).get(key)


# What an update says of the components (format v2): (id, status), where None means "the status
# that the incident's impact implies" (the list form, `components: [web, api]`).
ComponentStates = tuple[tuple[str, ComponentStatus | None], ...]


@dataclass(frozen=True)
class Update:
    """One step of an incident's or a maintenance's timeline."""

    at: datetime
    status: IncidentStatus | MaintenanceStatus
    body: str
    number: int = 0  # 1-based position in time order; stable ids in pages and feeds use it
    language: str = ""  # the body's language when it is not the page's (a missing translation)
    impact: Impact | None = None  # an incident's impact from this update on, if it changes (v2)
    components: ComponentStates | None = None  # the components this update changes, if any (v2)


@dataclass(frozen=True)
class Incident:
    """An incident report: what broke, for whom, and every update that was posted."""

    slug: str
    path: str
    title: str
    started: datetime
    impact: Impact
    components: tuple[tuple[str, ComponentStatus], ...]
    updates: tuple[Update, ...] = ()
    resolved: datetime | None = None
    body: str = ""
    title_language: str = ""  # the title's language when it is not the page's (not translated)
    body_language: str = ""  # likewise for the body (the post-mortem)
    postmortem_at: datetime | None = None  # when the body was published; None: it always shows
    draft: bool = False  # checked, never published

    @property
    def component_ids(self) -> tuple[str, ...]:
        """The ids of every component the incident touches, in the order they join it: those at
        `started`, then those its updates add."""
        ids = dict.fromkeys(cid for cid, _ in self.components)
        for update in self.updates:
            ids.update(dict.fromkeys(cid for cid, _ in update.components or ()))
        return tuple(ids)


@dataclass(frozen=True)
class Maintenance:
    """A planned maintenance window."""

    slug: str
    path: str
    title: str
    start: datetime
    end: datetime
    components: tuple[str, ...]
    updates: tuple[Update, ...] = ()
    body: str = ""
    rescheduled: tuple[tuple[datetime, datetime], ...] = ()  # earlier windows, oldest first
    title_language: str = ""  # the title's language when it is not the page's (not translated)
    body_language: str = ""  # likewise for the body
    draft: bool = False  # checked, never published

    @property
    def sequence(self) -> int:
        """The iCalendar SEQUENCE: how many times the window moved (one per `rescheduled` entry)."""
        return len(self.rescheduled)


@dataclass(frozen=True)
class Translation:
    """An incident's or a maintenance's texts in another language, from `<slug>.<language>.md`.

    `bodies` are the updates' bodies in time order (the first `len(bodies)` updates are translated);
    `claims` are the facts the file repeats from the original (field, value, line), which must agree.
    """

    kind: str  # "incidents" or "maintenance"
    slug: str
    path: str
    language: str
    title: str
    bodies: tuple[str, ...] = ()
    body: str = ""
    claims: tuple[tuple[str, object, int | None], ...] = ()
    lines: tuple[int | None, ...] = ()  # where each update begins in the file


@dataclass(frozen=True)
class Content:
    """Everything under `content/`, validated: the site, its incidents and its maintenance."""

    site: Site
    incidents: tuple[Incident, ...] = ()
    maintenance: tuple[Maintenance, ...] = ()
    warnings: tuple[Problem, ...] = field(default=(), compare=False)
    translations: tuple[Translation, ...] = ()
