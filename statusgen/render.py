"""The page plan (which pages exist, at which paths) and HTML rendering through the theme.

A page is rendered from plain data: the derived site in its language, its words, the theme and
the hashed names of the theme's static files. Which pages a build renders, and in which
processes, is decided around this stage (`incremental.py`, `execution.py`).
"""

from __future__ import annotations

import functools
import gettext
import posixpath
import re
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import jinja2
import jinja2.meta
from markupsafe import Markup, escape

from statusgen.derive import ComponentState, Derived, Entry, Kind, Snapshot, StatusChange
from statusgen.errors import ContentError, Problem
from statusgen.feeds import CALENDAR, subscriptions
from statusgen.i18n import Formatter, change_text, labels, language_name, text_direction, translations
from statusgen.markdown import MarkdownRenderer
from statusgen.models import Site
from statusgen.theme import Theme, builtin_themes_dir, environment

# ---------------------------------------------------------------- the page plan


@dataclass(frozen=True)
class Page:
    """One HTML page to render: its output path within its language, its template and what the
    template receives.

    A page about particular incidents and maintenance (an entry's own page, the history) says
    which (`entries`), and what else it shows: the years the archive lists, how many entries it
    counts without listing them, and, when all it shows has ended, when the last of it changed
    (`updated`: then the page does not change with `now`). Other pages show the whole site.
    """

    path: str
    template: str
    context: Mapping[str, object] = field(default_factory=dict)
    entries: tuple[Entry, ...] = ()
    years: tuple[int, ...] = ()
    older: int = 0
    updated: datetime | None = None


def page_url(path: str) -> str:
    """The URL path of an output file relative to the site root ("incidents/x/" for its index)."""
    return path.removesuffix("index.html")


def plan(derived: Derived) -> list[Page]:
    """Every HTML page of the site, in a stable order."""
    years = history(derived)
    return [
        Page("index.html", "index.html"),
        Page("404.html", "404.html"),
        *[_entry_page(entry) for entry in derived.entries],
        *_component_pages(derived, years),
        *_history_pages(derived, years),
    ]


def _about(
    path: str,
    template: str,
    entries: tuple[Entry, ...],
    context: dict[str, object],
    years: tuple[int, ...] = (),
    older: int = 0,
) -> Page:
    """A page about these entries (which its template receives as `entries`, with `context`): one
    listing only ended entries says when the last of them changed (`updated`), not when it was
    built."""
    settled = [entry.settled for entry in entries if entry.settled is not None]
    updated = max(settled) if entries and len(settled) == len(entries) else None
    context = {**context, "entries": entries} | ({"updated": updated} if updated is not None else {})
    return Page(path, template, context, entries, years, older, updated)


def _entry_page(entry: Entry) -> Page:
    """An incident's or a maintenance's own page."""
    # `incident` and `maintenance` are the names themes of earlier releases read (deprecated).
    context: dict[str, object] = {"entry": entry, entry.kind.value: entry}
    return _about(entry.path + "index.html", f"{entry.kind}.html", (entry,), context)


def _newest_first(years: Sequence[Year]) -> Iterator[Entry]:
    """Every entry of the history, newest first."""
    return (entry for year in years for month in year.months for entry in month.entries)


def _component_pages(derived: Derived, years: Sequence[Year]) -> list[Page]:
    """Each component's page: its newest incidents, and how many older ones the history holds."""
    totals = Counter(cid for incident in derived.incidents for cid in incident.component_ids)
    shown = _newest_incidents(derived, years, totals)
    return [
        Page(
            state.path + "index.html",
            "component.html",
            {
                "state": state,
                "incidents": tuple(shown[state.component.id]),
                "older": totals[state.component.id] - len(shown[state.component.id]),
            },
        )
        for state in derived.snapshot.components
    ]


def _newest_incidents(
    derived: Derived, years: Sequence[Year], totals: Counter[str]
) -> dict[str, list[Entry]]:
    """Each component's `feed_entries` newest incidents, taken from the history's order."""
    count = derived.site.feed_entries
    shown: dict[str, list[Entry]] = {state.component.id: [] for state in derived.snapshot.components}
    unfilled = sum(1 for cid in shown if totals[cid])
    for entry in _newest_first(years):
        if not unfilled:
            break
        if entry.kind is not Kind.INCIDENT:
            continue
        for component_id in entry.component_ids:
            mine = shown[component_id]
            if len(mine) < count:
                mine.append(entry)
                unfilled -= len(mine) in (count, totals[component_id])
    return shown


def _history_pages(derived: Derived, years: tuple[Year, ...]) -> list[Page]:
    """The archive: its front page (the newest whole months, until they hold `feed_entries`
    entries, and how many it leaves out) and a page for each year."""
    listed = tuple(year.year for year in years)
    recent: list[Month] = []
    for month in (month for year in years for month in year.months):
        if sum(len(held.entries) for held in recent) >= derived.site.feed_entries:
            break
        recent.append(month)
    latest = tuple(entry for month in recent for entry in month.entries)
    older = sum(year.count for year in years) - len(latest)
    newest_year = years[0] if years else None  # `year` as before: themes listing year.months work
    front: dict[str, object] = {"years": years, "year": newest_year, "months": tuple(recent), "older": older}
    pages = [_about("history/index.html", "history.html", latest, front, listed, older)]
    for year in years:
        entries = tuple(entry for month in year.months for entry in month.entries)
        context: dict[str, object] = {"years": years, "year": year, "months": year.months, "older": 0}
        pages.append(_about(f"history/{year.year}/index.html", "history.html", entries, context, listed))
    return pages


@dataclass(frozen=True)
class Month:
    """One month of history: its incidents and maintenance, newest first."""

    year: int
    month: int
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Year:
    """One year of history, one page of the archive."""

    year: int
    months: tuple[Month, ...]

    @property
    def count(self) -> int:
        """How many incidents and maintenance the year holds."""
        return sum(len(m.entries) for m in self.months)


def history(derived: Derived) -> tuple[Year, ...]:
    """Every incident and maintenance, newest first, grouped by year and month in the site's zone."""
    tz = derived.site.tz
    by_slug = sorted(derived.entries, key=attrgetter("slug"))
    entries = sorted(by_slug, key=attrgetter("begins"), reverse=True)  # stable: slugs stay in order
    local = [(entry.begins.astimezone(tz), entry) for entry in entries]
    years = []
    for year, in_year in groupby(local, key=lambda pair: pair[0].year):
        months = tuple(
            Month(year, month, tuple(entry for _, entry in items))
            for month, items in groupby(in_year, key=lambda pair: pair[0].month)
        )
        years.append(Year(year, months))
    return tuple(years)


# ---------------------------------------------------------------- rendering

Words = Mapping[str, Mapping[str, str]]


class Edition(NamedTuple):
    """The site in one of its languages: derived in it (`derive.localize`), and its words
    (`i18n.labels`)."""

    derived: Derived
    words: dict[str, dict[str, str]]


def component_groups(snap: Snapshot) -> list[tuple[str, list[ComponentState]]]:
    """Components grouped by `group`, groups in order of first appearance ("" for no group)."""
    groups: dict[str, list[ComponentState]] = {}
    for state in snap.components:
        groups.setdefault(state.component.group or "", []).append(state)
    return list(groups.items())


def relative_root(path: str) -> str:
    """The relative URL from the page at `path` back to the site root ("../../")."""
    depth = path.count("/")
    return "../" * depth if depth else "./"


class PageRenderer:
    """The pages of one language through the theme: `renderer(page)` is a page's bytes, a function
    of the page alone (the derived site in that language, its words, the theme and the assets
    given once). Pages are at `output_path(page)`: under the language's prefix (`Site.prefix`;
    give the site `derive.localize`d).

    `environment` is the language's Jinja environment: what else a build keeps in it (compiled
    templates, its `bytecode_cache`) it sets before the first page.
    """

    def __init__(
        self,
        derived: Derived,
        theme: Theme,
        assets: Mapping[str, str],
        md: MarkdownRenderer | None = None,
        words: Words | None = None,
    ) -> None:
        """Prepare the environment: the site-wide names are its globals."""
        site = self.site = derived.site
        self.now = derived.snapshot.now
        self.prefix = site.prefix()
        self.links = Links(site.base_url, self.prefix, assets)
        translation = translations(site.language)
        self.environment = page_environment(theme, translation)
        # Site-wide names are globals, so templates can import macros without context (Jinja then
        # builds the macro module once per page depth, not once per page); only the page's own
        # names are context.
        self.environment.globals.update(
            site_names(derived, md or MarkdownRenderer(), words or labels(translation.gettext)),
            url=self.links.page,
            asset=self.links.asset,
            site_url=self.links.site,
        )
        self.languages = [
            (other, site.prefix(other), language_name(other)) for other in site.languages or (site.language,)
        ]

    def output_path(self, page: Page) -> str:
        """Where the page is in the site."""
        return self.prefix + page.path

    def __call__(self, page: Page) -> bytes:
        """The page, rendered."""
        return render_template(self.environment, page.template, self.context(page)).encode("utf-8")

    def context(self, page: Page) -> dict[str, object]:
        """What the page's template receives besides the site-wide names."""
        root = self.links.root(page.path)
        site_root = self.links.site_root(root)
        component_id = _component_id(page)
        return {
            "updated": self.now,
            **page.context,
            "page_path": page.path,
            "canonical": self.site.base_url + self.prefix + page_url(page.path),
            "root": root,
            "subscriptions": [(s, root + s.path) for s in subscriptions(component_id)],
            "alternates": _alternates(component_id, root),
            "editions": self.editions(page.path, site_root) if len(self.languages) > 1 else [],
        }

    def editions(self, path: str, site_root: str) -> list[tuple[str, str, str, str]]:
        """The page in every language of the site: (language, its name, absolute URL, link)."""
        return [
            (other, name, self.site.base_url + prefix + page_url(path), site_root + prefix + page_url(path))
            for other, prefix, name in self.languages
        ]


def render_pages(
    derived: Derived,
    theme: Theme,
    assets: Mapping[str, str],
    md: MarkdownRenderer | None = None,
    words: Words | None = None,
) -> dict[str, bytes]:
    """Every planned page of the derived site's `site.language`, rendered, by output path."""
    render = PageRenderer(derived, theme, assets, md, words)
    return {render.output_path(page): render(page) for page in plan(derived)}


def site_names(derived: Derived, md: MarkdownRenderer, words: Words) -> dict[str, object]:
    """The names every page of the site receives, but the links (`url`, `asset`, `site_url`)."""
    site, snap = derived.site, derived.snapshot
    language = site.language
    translation = translations(language)
    fmt = Formatter(language, site.timezone)
    return {
        "site": site,
        "status": snap,
        "now": snap.now,
        "fmt": fmt,
        "md": md,
        **deprecated_helpers(site),
        "time_tag": functools.partial(time_tag, fmt),
        "change_text": functools.partial(_change_markup, translation.gettext, words),
        "component_groups": component_groups(snap),
        "labels": words,
        "language": language,
        "direction": text_direction(language),
        "language_name": language_name,
    }


@dataclass(frozen=True)
class Links:
    """How the pages of one language link to the rest of the site: to pages of the language from
    its root, to assets (shared by every language) and to what the site has once (the JSON API, the
    badges) from the site's. Templates call `url()`, `asset()` and `site_url()`, which read the
    page's `root` from the template's context."""

    base_url: str
    prefix: str  # the language's folder: "" for the default language, else "en/"
    assets: Mapping[str, str]  # a static file of the theme → its hashed path

    def root(self, page_path: str) -> str:
        """The link from a page to its language's root. 404.html is served at any depth, so its
        links start from the site's absolute path."""
        if page_path == "404.html":
            return (urlsplit(self.base_url).path or "/") + self.prefix
        return relative_root(page_path)

    def site_root(self, root: str) -> str:
        """The link to the site's root from a page whose `root` this is."""
        if root.startswith("/"):  # 404.html
            return root.removesuffix(self.prefix)
        depth = 0 if root == "./" else root.count("../")
        return "../" * (depth + self.prefix.count("/")) or "./"

    @jinja2.pass_context
    def page(self, context: jinja2.runtime.Context, target: str = "") -> str:
        """`url('history/')`: a link from the page being rendered to a page of its language."""
        root: str = context["root"]
        return root + target if target or root != "./" else "./"

    @jinja2.pass_context
    def asset(self, context: jinja2.runtime.Context, name: str) -> str:
        """`asset('style.css')`: a link from the page being rendered to a static file of the theme."""
        return self.site_root(context["root"]) + self.assets[name]

    @jinja2.pass_context
    def site(self, context: jinja2.runtime.Context, target: str) -> str:
        """`site_url('api/v2/summary.json')`: a link to what the site has once for all its languages."""
        return self.site_root(context["root"]) + target


class _PageContext(jinja2.runtime.Context):
    """A template's context that hands the page's `root` on to the templates it imports, as Jinja
    hands on a template's globals: so macros imported without context (as themes do) link from
    the page they are called for."""

    def __init__(
        self,
        environment: jinja2.Environment,
        parent: dict[str, Any],
        name: str | None,
        blocks: dict[str, Callable[[jinja2.runtime.Context], Iterator[str]]],
        globals: MutableMapping[str, Any] | None = None,
    ) -> None:
        """A context; with the page's root, handed on to imports."""
        super().__init__(environment, parent, name, blocks, globals)
        if "root" in parent:
            self.globals_keys.add("root")


class _PageTemplate(jinja2.Template):
    """A template whose module, imported without context, is made once for each page root (all
    pages at one depth link alike), not again for every page."""

    def make_module(
        self,
        vars: dict[str, Any] | None = None,
        shared: bool = False,
        locals: Mapping[str, Any] | None = None,
    ) -> jinja2.environment.TemplateModule:
        """The template as a module, made with `vars`."""
        if shared or locals or vars is None or vars.keys() != {"root"}:
            return super().make_module(vars, shared, locals)
        modules: dict[str, jinja2.environment.TemplateModule] = self.__dict__.setdefault("_by_root", {})
        module = modules.get(vars["root"])
        if module is None:
            module = modules[vars["root"]] = super().make_module(vars)
        return module


def page_environment(theme: Theme, translation: gettext.NullTranslations) -> jinja2.Environment:
    """The theme's environment for the pages of one language (see `theme.environment`), in which
    a page's `root` reaches the macros it imports."""
    env = environment(theme, None, translation)
    env.context_class = _PageContext
    env.template_class = _PageTemplate
    return env


def _change_markup(
    translate: Callable[[str], str], words: Mapping[str, Mapping[str, str]], change: StatusChange
) -> Markup:
    """`change_text` for templates: one change of status in words, escaped."""
    return escape(change_text(translate, words, change.name, change.old, change.new))


def time_tag(fmt: Formatter, moment: datetime, style: str = "datetime") -> Markup:
    """An instant as `<time datetime="ISO">` around its text for readers (`style`: a `Formatter`
    method such as "datetime", "time" or "date"); templates call it as `time_tag(moment)`.
    """
    text = escape(getattr(fmt, style)(moment))  # (an f-string: Markup.format is slow, and this is hot)
    return Markup(f'<time datetime="{escape(fmt.iso(moment))}">{text}</time>')


# Names the templates of earlier releases read, kept so that their themes still render: each was a
# helper computing a fact that is now a field of the entry (`entry.status`, `entry.duration`…).
DEPRECATED_NAMES: dict[str, str] = {
    "incident_status": "entry.status",
    "maintenance_status": "entry.status",
    "duration": "entry.duration",
    "is_active": "entry.active",
    "component_name": "the name in entry.affected (or site.component(id).name)",
    "incident": "entry",
    "maintenance": "entry",
}


def deprecated_uses(theme: Theme) -> list[Problem]:
    """A warning for each template of the theme that reads a name of `DEPRECATED_NAMES`."""
    env = environment(theme)
    found = []
    shipped = builtin_themes_dir().resolve()
    for path in theme.template_files():
        if path.resolve().is_relative_to(shipped):
            continue  # (the shipped themes read none: a test says so)
        try:
            source = path.read_text(encoding="utf-8")
            names = jinja2.meta.find_undeclared_variables(env.parse(source))
        except (jinja2.TemplateSyntaxError, UnicodeDecodeError, OSError):
            continue  # (rendering reports it, located)
        for name in sorted(names & DEPRECATED_NAMES.keys()):
            used = re.search(rf"\b{name}\b", source)
            line = source.count("\n", 0, used.start()) + 1 if used else None
            message = f"the template reads {name!r}, which is deprecated; read {DEPRECATED_NAMES[name]}"
            found.append(Problem(_short(str(path)), line, "", message, warning=True))
    return found


def deprecated_helpers(site: Site) -> dict[str, Callable[..., object]]:
    """The helpers of earlier releases, reading the entry's fields (see `DEPRECATED_NAMES`)."""
    names = {c.id: c.name for c in site.components}
    return {
        "incident_status": attrgetter("status"),
        "maintenance_status": attrgetter("status"),
        "duration": attrgetter("duration"),
        "is_active": attrgetter("active"),
        "component_name": names.__getitem__,
    }


def _alternates(component_id: str | None, root: str) -> list[tuple[str, str, str]]:
    """The feeds a page's head announces for autodiscovery: (type, title, href from its `root`)."""
    feeds = [s for s in subscriptions() if s.media_type != CALENDAR][:4]
    if component_id is not None:
        feeds = [s for s in subscriptions(component_id) if s.media_type != CALENDAR] + feeds
    return [(s.media_type, s.title, root + s.path) for s in feeds]


def _component_id(page: Page) -> str | None:
    """The component a page is about, if it is a component's page."""
    state = page.context.get("state")
    return state.component.id if isinstance(state, ComponentState) else None


def render_template(env: jinja2.Environment, template: str, context: Mapping[str, object]) -> str:
    """Render a template; template mistakes become located ContentErrors."""
    try:
        return env.get_template(template).render(context)
    except jinja2.TemplateSyntaxError as error:
        where = _short(error.filename or error.name or template)
        raise ContentError([Problem(where, error.lineno, "", f"template error: {error.message}")]) from None
    except jinja2.TemplateNotFound as error:
        raise ContentError([Problem(template, None, "", f"template not found: {error.name}")]) from None
    except ContentError:
        raise
    except Exception as error:  # whatever a theme's template raises is reported where it was raised
        where, line = template, None
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            if frame.filename.endswith((".html", ".xml", ".txt")):
                where, line = frame.filename, frame.lineno
                break
        message = str(error) or type(error).__name__
        if isinstance(error, RecursionError):
            message = "a macro or include calls itself without end"
        raise ContentError([Problem(_short(where), line, "", f"template error: {message}")]) from None


def _short(path: str) -> str:
    """A template path relative to the working folder when it is below it."""
    try:
        return Path(path).resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return posixpath.normpath(path)
