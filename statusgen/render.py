"""The page plan (which pages exist, at which paths) and HTML rendering through the theme.

Markdown is converted with Python-Markdown and sanitised with nh3 (an allowlist fit for incident
text), so no script, event handler or `javascript:` URL can reach a page.
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re
import traceback
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlsplit

import jinja2
import jinja2.meta
import jinja2.sandbox
import markdown
import nh3
from markupsafe import Markup, escape

from statusgen.derive import ComponentState, Derived, Entry, Kind, Snapshot, StatusChange
from statusgen.errors import ContentError, Problem
from statusgen.feeds import CALENDAR, subscriptions
from statusgen.i18n import Formatter, change_text, labels, language_name, text_direction, translations
from statusgen.models import Site
from statusgen.plaintext import plain_text
from statusgen.theme import Theme, builtin_themes_dir, environment

T = TypeVar("T")

MARKDOWN_EXTENSIONS = ("fenced_code", "tables", "sane_lists")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q",
    "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


# How a browser reads a URL (WHATWG URL Standard): C0 controls and spaces around it are dropped,
# tabs and newlines inside it too, and in http(s) URLs a backslash is a slash.
_C0_OR_SPACE = "".join(chr(code) for code in range(0x21))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def image_source(value: str) -> str | None:
    """An image URL as a browser reads it, if it loads over https or from the site itself; else None.

    Kept: `https://host/…` (any case, backslashes read as slashes), and relative or root paths,
    which load from the page's own origin. Refused: every other scheme, and whatever a browser
    could resolve to another host: `//host/…` and its `/\\host`, `\\\\host` and percent-encoded
    forms, and `https:host` (relative on an https page, a host on an http one).
    """
    cleaned = _TAB_OR_NEWLINE.sub("", value.strip(_C0_OR_SPACE))
    decoded = cleaned
    # Judged decoded too (%5C, %255C, …): a server that decodes a path and redirects to it would
    # send the browser to the host it names.
    for _ in range(4):
        decoded, undone = unquote(decoded), decoded
        if decoded == undone:
            break
    decoded = _TAB_OR_NEWLINE.sub("", decoded.strip(_C0_OR_SPACE)).replace("\\", "/")
    scheme = _SCHEME.match(decoded)
    if scheme is not None:
        rest = decoded[scheme.end() :]
        keep = scheme.group().lower() == "https:" and rest.startswith("//") and bool(rest.strip("/"))
    else:
        keep = not decoded.startswith("//")
    return cleaned if keep else None


def _only_https_images(tag: str, attribute: str, value: str) -> str | None:
    """Images load only over https or from the site itself (see `image_source`): no tracking."""
    if tag == "img" and attribute == "src":
        return image_source(value)
    return value


@functools.cache
def _cleaner() -> nh3.Cleaner:
    """The sanitiser, built once per process (building it costs more than most cleanings)."""
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_only_https_images,
    )


def sanitise(html: str) -> str:
    """Keep only the allowlisted tags, attributes and URL schemes; links get noopener noreferrer."""
    return _cleaner().clean(html)


class MarkdownRenderer:
    """Markdown source to sanitised HTML, memoised by the text's hash.

    `known` is what earlier builds converted (the build cache). A forked worker's conversions are
    collected with `take_fresh` and given back to the parent with `learn`, so Markdown is converted
    where its page is rendered, and kept for later builds.
    """

    def __init__(self, known: dict[bytes, str] | None = None) -> None:
        """Start from `known` (text hash → HTML); the converter is made when first needed."""
        self.known: dict[bytes, str] = known if known is not None else {}
        self.added: set[bytes] = set()  # the hashes of the texts converted since (here or by workers)
        self._fresh: dict[bytes, str] = {}

    def __call__(self, text: str) -> Markup:
        """Render one Markdown body to safe HTML."""
        key = markdown_key(text)
        html = self.known.get(key)
        if html is None:
            html = self.known[key] = self._fresh[key] = render_markdown(text, _converter())
            self.added.add(key)
        return Markup(html)

    def text(self, source: str, base: str | None = None) -> str:
        """One Markdown body as plain text, read from its sanitised HTML (see `plain_text`)."""
        return plain_text(self(source), base)

    # Templates get the renderer as `md`: their sandbox may call it and `text`, never these, which
    # feed what the build cache keeps for later builds (a theme could otherwise plant its HTML there).
    @jinja2.sandbox.unsafe
    def take_fresh(self) -> dict[bytes, str]:
        """What this process converted since the last call (a worker sends it to the parent)."""
        fresh, self._fresh = self._fresh, {}
        return fresh

    @jinja2.sandbox.unsafe
    def learn(self, converted: Mapping[bytes, str]) -> None:
        """Add conversions made elsewhere (by a worker process)."""
        self.known.update(converted)
        self.added.update(converted)


# Python-Markdown is quadratic in the `[` of one block and slow on very deep nesting. A body past
# these bounds is shown as plain text (escaped, in <pre>) instead: the build never hangs.
MAX_BRACKET_WORK = 4_000_000  # the sum over blocks of (number of `[` in the block) squared
MAX_INDENT = 128  # columns of indentation (nested lists, code) on one line
MAX_QUOTE_DEPTH = 50  # `>` nesting on one line


def markdown_configuration() -> tuple[object, ...]:
    """Everything besides the text that decides the HTML of a body (the cache keys by it)."""
    return (
        MARKDOWN_EXTENSIONS,
        sorted(ALLOWED_TAGS),
        sorted((tag, sorted(names)) for tag, names in ALLOWED_ATTRIBUTES.items()),
        sorted(URL_SCHEMES),
        (MAX_BRACKET_WORK, MAX_INDENT, MAX_QUOTE_DEPTH),
    )


def too_complex(text: str) -> bool:
    """Whether Python-Markdown could take too long on `text` (see the bounds above)."""
    if text.count("[") > 2000 and sum(b.count("[") ** 2 for b in text.split("\n\n")) > MAX_BRACKET_WORK:
        return True
    for line in text.splitlines():
        stripped = line.lstrip(" \t>")
        prefix = line[: len(line) - len(stripped)]
        if prefix and (prefix.count(">") > MAX_QUOTE_DEPTH or len(prefix.expandtabs(4)) > MAX_INDENT):
            return True
    return False


def markdown_key(text: str) -> bytes:
    """The hash the build cache keeps a body's HTML under."""
    return hashlib.sha256(text.encode()).digest()


@functools.cache
def _converter() -> markdown.Markdown:
    """This process's Python-Markdown instance (building one per body costs more than converting)."""
    return markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")


def render_markdown(text: str, md: markdown.Markdown | None = None) -> str:
    """Convert one Markdown body to sanitised HTML; a body too complex to convert is shown as text."""
    if too_complex(text):
        return f'<pre class="plain">{Markup.escape(text)}</pre>'
    md = md or _converter()
    try:
        html = md.reset().convert(text)
    except RecursionError:
        html = f'<pre class="plain">{Markup.escape(text)}</pre>'
    return sanitise(html)


# ---------------------------------------------------------------- the page plan


@dataclass(frozen=True)
class Page:
    """One HTML page to render: its output path, its template and what the template receives."""

    path: str
    template: str
    context: Mapping[str, object] = field(default_factory=dict)


def page_url(path: str) -> str:
    """The URL path of an output file relative to the site root ("incidents/x/" for its index)."""
    return path.removesuffix("index.html")


def plan(derived: Derived) -> list[Page]:
    """Every HTML page of the site, in a stable order."""
    pages = [Page("index.html", "index.html"), Page("404.html", "404.html")]
    for entry in derived.entries:
        # `incident` and `maintenance` are the names themes of earlier releases read (deprecated).
        context: dict[str, object] = {"entry": entry, entry.kind.value: entry, "entries": (entry,)}
        if entry.settled is not None:
            # An ended entry's page says when it last changed, not when it was built.
            context["updated"] = entry.settled
        pages.append(Page(entry.path + "index.html", f"{entry.kind}.html", context))
    years = history(derived)
    # Each component's newest incidents, taken from the history's order (newest first).
    site = derived.site
    count = site.feed_entries
    snap = derived.snapshot
    totals = Counter(cid for incident in derived.incidents for cid in incident.component_ids)
    shown: dict[str, list[Entry]] = {state.component.id: [] for state in snap.components}
    unfilled = sum(1 for cid in shown if totals[cid])
    for entry in (entry for year in years for month in year.months for entry in month.entries):
        if not unfilled:
            break
        if entry.kind is Kind.INCIDENT:
            for component_id in entry.component_ids:
                mine = shown[component_id]
                if len(mine) < count:
                    mine.append(entry)
                    unfilled -= len(mine) in (count, totals[component_id])
    for state in snap.components:
        component_id = state.component.id
        mine = shown[component_id]
        pages.append(
            Page(
                state.path + "index.html",
                "component.html",
                {"state": state, "incidents": tuple(mine), "older": totals[component_id] - len(mine)},
            )
        )
    # The archive's front page: the newest whole months, until they hold `feed_entries` entries.
    recent: list[Month] = []
    for month in (month for year in years for month in year.months):
        if sum(len(listed.entries) for listed in recent) >= site.feed_entries:
            break
        recent.append(month)
    latest = tuple(entry for month in recent for entry in month.entries)
    older = sum(year.count for year in years) - len(latest)
    newest_year = years[0] if years else None  # `year` as before: themes listing year.months work
    context = {
        "years": years,
        "year": newest_year,
        "months": tuple(recent),
        "entries": latest,
        "older": older,
    }
    pages.append(Page("history/index.html", "history.html", _dated(context, latest)))
    for year in years:
        entries = tuple(entry for month in year.months for entry in month.entries)
        context = {"years": years, "year": year, "months": year.months, "entries": entries, "older": 0}
        pages.append(Page(f"history/{year.year}/index.html", "history.html", _dated(context, entries)))
    return pages


def _dated(context: dict[str, object], entries: Sequence[Entry]) -> dict[str, object]:
    """A page listing only settled entries says when the last of them changed, not when it was built."""
    settled = [entry.settled for entry in entries]
    if settled and all(moment is not None for moment in settled):
        context["updated"] = max(settled)  # type: ignore[type-var]
    return context


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


def render_pages(
    derived: Derived,
    theme: Theme,
    assets: Mapping[str, str],
    md: MarkdownRenderer | None = None,
    words: Mapping[str, Mapping[str, str]] | None = None,
    map_: Callable[[Callable[[Page], T], Sequence[Page]], list[T]] | None = None,
    unchanged: Callable[[Page], bool] | None = None,
    compiled: jinja2.BytecodeCache | None = None,
) -> dict[str, bytes]:
    """Render every planned page to bytes, keyed by output path: the pages of the derived site's
    `site.language`, under its prefix (`Site.prefix`; give the site `derive.localize`d).

    `map_` may spread the work over processes; pages for which `unchanged(page)` is true (the build
    cache knows them, unchanged, from an earlier build) are left out: not rendered, not returned.
    """
    site = derived.site
    snap = derived.snapshot
    language = site.language
    translation = translations(language)
    env = environment(theme, compiled, translation)
    fmt = Formatter(language, site.timezone)
    md = md or MarkdownRenderer()
    base_path = urlsplit(site.base_url).path or "/"
    prefix = site.prefix()
    others = [(other, site.prefix(other), language_name(other)) for other in site.languages or (language,)]
    common = {
        "site": site,
        "status": snap,
        "now": snap.now,
        "fmt": fmt,
        "md": md,
        **deprecated_helpers(site),
        "time_tag": functools.partial(time_tag, fmt),
        "change_text": functools.partial(
            _change_markup, translation.gettext, words or labels(translation.gettext)
        ),
        "component_groups": component_groups(snap),
        "labels": words or labels(translation.gettext),
        "language": language,
        "direction": text_direction(language),
        "language_name": language_name,
    }

    # The page being rendered: links to pages go to its language's root, links to assets to the
    # site's (the assets are shared by every language).
    here = {"root": "./", "site_root": "./"}

    def url(target: str = "") -> str:
        """A link from the page being rendered to a page of its language."""
        root = here["root"]
        return root + target if target or root != "./" else "./"

    def asset(name: str) -> str:
        """A link from the page being rendered to a static file of the theme."""
        return here["site_root"] + assets[name]

    def site_url(target: str) -> str:
        """A link to what the site has once for all its languages (the JSON API, the badges)."""
        return here["site_root"] + target

    def editions(path: str) -> list[tuple[str, str, str, str]]:
        """The page in every language of the site: (language, its name, absolute URL, link)."""
        return [
            (
                other,
                name,
                site.base_url + other_prefix + page_url(path),
                here["site_root"] + other_prefix + page_url(path),
            )
            for other, other_prefix, name in others
        ]

    # Site-wide names are globals, so templates can import macros without context (Jinja then
    # builds the macro module once, not once per page); only the page's own names are context.
    env.globals.update(common, url=url, asset=asset, site_url=site_url)

    def render(page: Page) -> bytes:
        # `page.path` is within the language; 404.html is served at any depth, so its links start
        # from the site's absolute path.
        if page.path == "404.html":
            here["site_root"] = base_path
            here["root"] = root = base_path + prefix
        else:
            here["site_root"] = relative_root(prefix + page.path)
            here["root"] = root = relative_root(page.path)
        context = {
            "updated": snap.now,
            **page.context,
            "page_path": page.path,
            "canonical": site.base_url + prefix + page_url(page.path),
            "root": root,
            "subscriptions": [(s, url(s.path)) for s in subscriptions(_component_id(page))],
            "alternates": _alternates(page, url),
            "editions": editions(page.path) if len(others) > 1 else [],
        }
        return _render(env, page.template, context).encode("utf-8")

    def render_and_convert(page: Page) -> tuple[bytes, dict[bytes, str]]:
        """A page, and the Markdown converted for it (which a worker process hands back)."""
        return render(page), md.take_fresh()

    todo = [page for page in plan(derived) if unchanged is None or not unchanged(page)]
    done = map_(render_and_convert, todo) if map_ is not None else [render_and_convert(p) for p in todo]
    out: dict[str, bytes] = {}
    for page, (data, converted) in zip(todo, done, strict=True):
        out[prefix + page.path] = data
        md.learn(converted)
    return out


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


def _alternates(page: Page, url: Callable[[str], str]) -> list[tuple[str, str, str]]:
    """The feeds a page's head announces for autodiscovery: (type, title, href)."""
    feeds = [s for s in subscriptions() if s.media_type != CALENDAR][:4]
    component_id = _component_id(page)
    if component_id is not None:
        feeds = [s for s in subscriptions(component_id) if s.media_type != CALENDAR] + feeds
    return [(s.media_type, s.title, url(s.path)) for s in feeds]


def _component_id(page: Page) -> str | None:
    """The component a page is about, if it is a component's page."""
    state = page.context.get("state")
    return state.component.id if isinstance(state, ComponentState) else None


def _render(env: jinja2.Environment, template: str, context: Mapping[str, object]) -> str:
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
