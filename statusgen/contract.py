"""The theme contract: every name a template receives, typed, one `TypedDict` per template.

Themes are statusgen's only extension point, so these names are its public API: a theme written
against them keeps rendering. `docs/themes.md` documents each one; `tests/test_contract.py` checks
that the shipped theme reads only these names and that every page receives exactly them.

- `Globals`: what every template gets, imported macro files included (they are imported without
  context, so they see these names only);
- `PageContext`: what every page template and `base.html` get: the globals and the page's own
  links (`canonical`, `root`, `subscriptions`…);
- one class per page template, adding the page's subject (`IndexContext` … `HistoryContext`);
- `TEMPLATES` maps each template to its class.

Names kept for themes of earlier releases are typed `Annotated[…, Deprecated("replacement")]`;
`deprecated_names()` lists them. They render, and the build warns of each template reading one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Protocol, TypedDict, get_args, get_origin, get_type_hints

from markupsafe import Markup

from statusgen.derive import (
    ComponentState,
    Entry,
    IncidentEntry,
    MaintenanceEntry,
    Snapshot,
    StatusChange,
)
from statusgen.feeds import Subscription
from statusgen.i18n import Formatter
from statusgen.markdown import MarkdownRenderer
from statusgen.models import IncidentStatus, MaintenanceStatus, Site
from statusgen.render import Month, Year

__all__ = [
    "TEMPLATES",
    "ComponentContext",
    "Deprecated",
    "DeprecatedGlobals",
    "Globals",
    "HistoryContext",
    "IncidentContext",
    "IndexContext",
    "JinjaGlobals",
    "MaintenanceContext",
    "NotFoundContext",
    "PageContext",
    "deprecated_names",
    "names",
]


@dataclass(frozen=True)
class Deprecated:
    """Marks a name kept for themes of earlier releases, and what to read instead."""

    replacement: str


# ---------------------------------------------------------------- the callables templates get


class Url(Protocol):
    """`url(target="")`: a relative link from the page being rendered to a page of its language
    ("incidents/x/", "history/"); `url()` is the language's home page."""

    def __call__(self, target: str = "") -> str: ...


class Link(Protocol):
    """`asset(name)`, `site_url(path)`: a relative link to a static file of the theme, or to a file
    the site has once for all its languages (the JSON API, the badges)."""

    def __call__(self, target: str, /) -> str: ...


class TimeTag(Protocol):
    """`time_tag(moment, style="datetime")`: `<time datetime="ISO">text</time>`, the text written by
    the `fmt` method named by `style` ("datetime", "time", "date", "short_date")."""

    def __call__(self, moment: datetime, style: str = "datetime") -> Markup: ...


class LanguageName(Protocol):
    """`language_name(code, in_language=None)`: "Français"; `language_name("fr", "en")` is "French"."""

    def __call__(self, language: str, in_language: str | None = None) -> str: ...


class ChangeText(Protocol):
    """`change_text(change)`: one `StatusChange` in words, "Website: Major outage → Operational"."""

    def __call__(self, change: StatusChange, /) -> Markup: ...


class Gettext(Protocol):
    """`_(message, **variables)`: the message in the page's language, `%(name)s` filled in."""

    def __call__(self, message: str, /, **variables: object) -> str: ...


class NGettext(Protocol):
    """`ngettext(singular, plural, num, **variables)`: the form for `num`, `%(num)s` filled in."""

    def __call__(self, singular: str, plural: str, num: int, /, **variables: object) -> str: ...


class PGettext(Protocol):
    """`pgettext(context, message, **variables)`: `_` with a disambiguating context."""

    def __call__(self, context: str, message: str, /, **variables: object) -> str: ...


class NPGettext(Protocol):
    """`npgettext(context, singular, plural, num, **variables)`: `ngettext` with a context."""

    def __call__(self, context: str, singular: str, plural: str, num: int, /, **variables: object) -> str: ...


# ---------------------------------------------------------------- every template


class Globals(TypedDict):
    """What every template receives, macro files imported without context included."""

    site: Site  # site.yaml, in the page's language (texts translated)
    status: Snapshot  # the overview at `now`: indicator, components, active and recent entries
    now: datetime  # the instant the site is built as of (= status.now)
    fmt: Formatter  # dates, times, durations, percentages in the page's language and site's zone
    md: MarkdownRenderer  # md(text[, base]): Markdown to sanitised HTML (Markup), links resolved against base
    time_tag: TimeTag
    change_text: ChangeText
    component_groups: list[tuple[str, list[ComponentState]]]  # ("" for no group), in site.yaml order
    labels: Mapping[str, Mapping[str, str]]  # the status words, translated: labels.incident["resolved"]
    language: str  # the page's language ("en", "fr", "pt-BR")
    direction: str  # "ltr" or "rtl"
    language_name: LanguageName
    url: Url
    asset: Link
    site_url: Link
    # Jinja's i18n extension, translating into the page's language:
    _: Gettext
    gettext: Gettext
    ngettext: NGettext
    pgettext: PGettext
    npgettext: NPGettext


class DeprecatedGlobals(TypedDict):
    """The helpers of release 1: each computed a fact that is now a field of the entry."""

    incident_status: Annotated[Callable[[IncidentEntry], IncidentStatus], Deprecated("entry.status")]
    maintenance_status: Annotated[Callable[[MaintenanceEntry], MaintenanceStatus], Deprecated("entry.status")]
    duration: Annotated[Callable[[Entry], timedelta], Deprecated("entry.duration")]
    is_active: Annotated[Callable[[Entry], bool], Deprecated("entry.active")]
    component_name: Annotated[
        Callable[[str], str], Deprecated("the name in entry.affected (or site.component(id).name)")
    ]


class JinjaGlobals(TypedDict):
    """Jinja's own globals (see Jinja's "List of Global Functions")."""

    range: Callable[..., object]
    dict: Callable[..., object]
    lipsum: Callable[..., object]
    cycler: Callable[..., object]
    joiner: Callable[..., object]
    namespace: Callable[..., object]


class AllGlobals(Globals, DeprecatedGlobals, JinjaGlobals):
    """Every global: what a macro file imported without context sees."""


# ---------------------------------------------------------------- pages


class PageContext(AllGlobals):
    """What every page template gets, and so `base.html`, which each of them extends."""

    updated: datetime  # when the page's content last changed: `now`, or when its entries settled
    page_path: str  # the page's output path within its language: "incidents/x/index.html"
    canonical: str  # the page's absolute URL
    root: str  # the relative link to the language's home: "../../" ("/fr/" on 404.html)
    subscriptions: list[tuple[Subscription, str]]  # feeds and calendars to offer, with their links
    alternates: list[tuple[str, str, str]]  # (media type, title, link) for <link rel="alternate">
    editions: list[tuple[str, str, str, str]]  # (language, its name, absolute URL, link); [] if one


class IndexContext(PageContext):
    """`index.html`: the front page (the overview is `status`)."""


class NotFoundContext(PageContext):
    """`404.html`: served at any depth, so its links start from the site's absolute path."""


class IncidentContext(PageContext):
    """`incident.html`: one incident's page, at `incidents/<slug>/`."""

    entry: IncidentEntry
    entries: tuple[IncidentEntry]  # (entry,)
    incident: Annotated[IncidentEntry, Deprecated("entry")]


class MaintenanceContext(PageContext):
    """`maintenance.html`: one maintenance's page, at `maintenance/<slug>/`."""

    entry: MaintenanceEntry
    entries: tuple[MaintenanceEntry]  # (entry,)
    maintenance: Annotated[MaintenanceEntry, Deprecated("entry")]


class ComponentContext(PageContext):
    """`component.html`: one component's page, at `components/<id>/`."""

    state: ComponentState
    incidents: tuple[IncidentEntry, ...]  # its newest incidents (at most site.feed_entries), newest first
    older: int  # how many more of its incidents only the history lists


class HistoryContext(PageContext):
    """`history.html`: the archive's front page (`history/`) and one page per year (`history/2024/`)."""

    years: tuple[Year, ...]  # every year with an entry, newest first
    year: Year | None  # the page's year; on the front page the newest (None when there is none)
    months: tuple[Month, ...]  # the months the page lists, newest first
    entries: tuple[Entry, ...]  # the entries the page lists, newest first
    older: int  # how many entries the front page leaves to the year pages (0 on a year page)


TEMPLATES: Mapping[str, type] = {
    "index.html": IndexContext,
    "404.html": NotFoundContext,
    "incident.html": IncidentContext,
    "maintenance.html": MaintenanceContext,
    "component.html": ComponentContext,
    "history.html": HistoryContext,
}
"""The page templates a theme provides (or inherits), each with what it receives."""

PARTIALS: Mapping[str, type] = {"base.html": PageContext, "macros.html": AllGlobals}
"""The default theme's shared templates: `base.html`, which every page extends, and
`macros.html`, which `base.html` imports without context as `m`."""


def names(context: type) -> frozenset[str]:
    """Every name a template with this context class receives."""
    return frozenset(get_type_hints(context))


def deprecated_names(context: type = AllGlobals) -> dict[str, str]:
    """The deprecated names among a context class's (all pages' with no argument), each with its
    replacement."""
    classes = [context] if context is not AllGlobals else [AllGlobals, *TEMPLATES.values()]
    found: dict[str, str] = {}
    for cls in classes:
        for name, hint in get_type_hints(cls, include_extras=True).items():
            if get_origin(hint) is Annotated:
                found.update(
                    (name, mark.replacement) for mark in get_args(hint)[1:] if isinstance(mark, Deprecated)
                )
    return found
