"""Content files to typed models: `site.yaml`, incidents and maintenance, with every problem located.

Parsing works on strings (`parse_site`, `parse_incident`, `parse_maintenance`); `load_content` wraps
them with the files of a content folder and adds the checks that span files (duplicate slugs).
Every problem of every file is collected before anything is raised.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from enum import StrEnum
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import babel

from statusgen import frontmatter
from statusgen.errors import ContentError, Problem, did_you_mean, link_problem
from statusgen.frontmatter import KeyPath, SourceMap
from statusgen.i18n import SHIPPED_LANGUAGES, catalogue_file
from statusgen.models import (
    DEFAULT_DOWNTIME_WEIGHTS,
    IMPACT_STATUS,
    Component,
    ComponentStates,
    ComponentStatus,
    Content,
    Impact,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
    Site,
    Translation,
    Update,
)
from statusgen.notify.config import read_channels, read_duration

MAX_FILE_BYTES = 16 * 1024 * 1024
# Instants outside these bounds are refused: nothing on a status page needs them, and near year 1
# or 9999 converting between zones overflows.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
DATETIME_EXAMPLE = "2012-06-21T09:00:00-07:00"
SLUG_PATTERN = re.compile(r"[a-z0-9_-]+")
# A language, its script and its region: fr, pt-BR, zh-Hant-TW, es-419.
LANGUAGE_PATTERN = re.compile(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?")
COMPONENT_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*")

SITE_KEYS = (
    "title",
    "base_url",
    "language",
    "languages",
    "timezone",
    "theme",
    "description",
    "components",
    "uptime",
    "recent_days",
    "feeds",
    "cache",
    "notify",
    "remind",
    "websub_hub",
)
COMPONENT_KEYS = ("id", "name", "group", "description")
UPTIME_KEYS = ("days", "weights")
FEEDS_KEYS = ("entries",)
CACHE_KEYS = ("max_age", "stale")
INCIDENT_KEYS = (
    "title",
    "started",
    "resolved",
    "impact",
    "components",
    "updates",
    "postmortem_at",
    "draft",
)
MAINTENANCE_KEYS = ("title", "start", "end", "components", "updates", "rescheduled", "draft")
WINDOW_KEYS = ("start", "end")
UPDATE_KEYS = ("at", "status", "body")
INCIDENT_UPDATE_KEYS = ("at", "status", "impact", "components", "body")

E = TypeVar("E", bound=StrEnum)
R = TypeVar("R")


def in_range(moment: datetime) -> bool:
    """Whether an instant lies in the range statusgen accepts (1970 to 9000)."""
    try:
        return EARLIEST <= moment < LATEST
    except OverflowError:
        return False


# Removed from one-line texts (titles, names, the site's title and description): the bidi
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which make text show in
# another order than it is written (after U+202E, "devloser egatuo" shows as "outage resolved"),
# and the invisible U+200B, U+2060 and U+FEFF. Kept: the joiners U+200C and U+200D (emoji,
# Persian, Indic scripts) and the marks U+200E, U+200F and U+061C, which Arabic and Hebrew need
# and which open no run of reordered text.
INVISIBLE = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0x2060, 0xFEFF])


def one_line(text: str) -> str:
    """A title or name on one line: bidi controls and invisible characters (`INVISIBLE`) removed,
    and runs of whitespace, line breaks included, made one space."""
    return " ".join(text.translate(INVISIBLE).split())


def describe(value: object) -> str:
    """Name a YAML value the way an error message should ("the number 630", "a list")."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        try:
            return f"the number {value}"
        except ValueError:  # more digits than Python converts to text
            return "a number with thousands of digits"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"the text {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def field_name(keys: KeyPath) -> str:
    """Format a key path as `updates[1].at`."""
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


@dataclass
class _Reader:
    """Reads typed fields out of one YAML document, collecting problems instead of stopping."""

    path: str
    source: SourceMap
    tz: tzinfo
    problems: list[Problem] = field(default_factory=list)

    def problem(self, keys: KeyPath, message: str, hint: str = "", *, warning: bool = False) -> None:
        """Record a problem at the line of `keys`."""
        self.problems.append(
            Problem(self.path, self.source.line(keys), field_name(keys), message, hint, warning)
        )

    def mapping(
        self, value: object, keys: KeyPath, allowed: Sequence[str], required: Sequence[str]
    ) -> dict[str, object] | None:
        """Check a mapping's keys: unknown ones and missing required ones are problems."""
        if not isinstance(value, dict):
            what = "the front matter" if not keys else "this"
            self.problem(keys, f"expected {what} to be a mapping of fields, got {describe(value)}")
            return None
        for key in value:
            if not isinstance(key, str):
                written = self.source.key_text((*keys, key)) or str(key)
                self.problems.append(
                    Problem(
                        self.path,
                        self.source.line((*keys, key)),
                        field_name((*keys, written)),
                        f"a key must be text; YAML reads {written!r} as {describe(key)}",
                        did_you_mean(written, allowed),
                    )
                )
            elif key not in allowed:
                self.problem(
                    (*keys, str(key)),
                    f"unknown key {str(key)!r}; expected one of {', '.join(allowed)}",
                    did_you_mean(key, allowed),
                )
        for key in required:
            if key not in value:
                self.problem((*keys, key), "this required field is missing")
        return {str(k): v for k, v in value.items()}

    def text(self, value: object, keys: KeyPath, *, required: bool = False) -> str:
        """Read text; numbers and booleans are taken exactly as written (`title: 2012` is text)."""
        if value is None:
            if required:
                self.problem(keys, "must not be empty")
            return ""
        if isinstance(value, bool | int | float):
            written = self.source.source(keys)
            return written if written is not None else str(value)
        if not isinstance(value, str):
            self.problem(keys, f"expected text, got {describe(value)}")
            return ""
        value = frontmatter.xml_safe(value)
        if required and not value.translate(INVISIBLE).strip():
            self.problem(keys, "must not be blank")
        return value

    def datetime(self, value: object, keys: KeyPath) -> datetime | None:
        """Read an ISO 8601 date-time; a time without offset is in the site's time zone."""
        expected = f"expected a date-time such as {DATETIME_EXAMPLE}"
        if isinstance(value, str):
            text = value.strip()
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError as error:
                reason = str(error)
                hint = "" if reason.startswith("Invalid isoformat") else reason
                self.problem(keys, f"{expected}, got {text!r}", hint)
                return None
            if len(text) <= 10:
                self.problem(keys, f"{expected}, got the date {text}", "add the time of day")
                return None
            moment = parsed if parsed.tzinfo else parsed.replace(tzinfo=self.tz)
            if not in_range(moment):
                self.problem(
                    keys, f"expected a date-time between {EARLIEST.year} and {LATEST.year}, got {text!r}"
                )
                return None
            # A fixed offset, so that arithmetic and comparisons are exact across DST changes
            # (Python compares and subtracts datetimes sharing one ZoneInfo by their wall clocks).
            return moment.astimezone(timezone(moment.utcoffset() or timedelta(0)))
        if value is None:
            self.problem(keys, f"{expected}, got nothing")
            return None
        written = self.source.source(keys)
        hint = ""
        if isinstance(value, int) and written and ":" in written:
            hint = f"YAML reads {written} as the number {value}; write the full date-time"
        self.problem(keys, f"{expected}, got {describe(value)}", hint)
        return None

    def choice(
        self, value: object, keys: KeyPath, kind: type[E], what: str, only: Sequence[E] = ()
    ) -> E | None:
        """Read one value of an enum (or of `only` its members), with a "did you mean" hint."""
        allowed = [member.value for member in (only or kind)]
        if isinstance(value, str) and value in allowed:
            return kind(value)
        shown = repr(value) if isinstance(value, str) else describe(value)
        hint = did_you_mean(value, allowed) if isinstance(value, str) else ""
        self.problem(keys, f"unknown {what} {shown}; expected one of {', '.join(allowed)}", hint)
        return None

    def integer(self, value: object, keys: KeyPath, low: int, high: int) -> int | None:
        """Read a whole number within [low, high]."""
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(keys, f"expected a whole number from {low} to {high}, got {describe(value)}")
            return None
        return value

    def boolean(self, value: object, keys: KeyPath) -> bool:
        """Read `true` or `false` (YAML 1.1's yes/no/on/off are refused: write what you mean)."""
        written = self.source.source(keys)
        if isinstance(value, bool) and written is not None and written.lower() in ("true", "false"):
            return value
        shown = repr(written) if written is not None else describe(value)
        self.problem(keys, f"expected true or false, got {shown}")
        return False

    def items(self, value: object, keys: KeyPath) -> list[object]:
        """Read a list (nothing counts as an empty list)."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(keys, f"expected a list, got {describe(value)}")
            return []
        return value


# ---------------------------------------------------------------- site.yaml


def parse_site(text: str, path: str = "site.yaml") -> Site:
    """Validate the text of `site.yaml` into a Site, or raise ContentError with every problem."""
    data = frontmatter.load_yaml(path, text)
    source = SourceMap(text)
    reader = _Reader(path, source, ZoneInfo("UTC"))
    fields = reader.mapping(data, (), SITE_KEYS, ("title", "base_url", "components"))
    if fields is None:
        raise ContentError(reader.problems)
    errors = sum(not p.warning for p in reader.problems)
    languages = _languages(reader, fields)
    language = languages[0]
    # (With `languages` wrong, texts given per language are not checked against it as well.)
    texts = _Texts(reader, languages, strict=sum(not p.warning for p in reader.problems) == errors)
    title = texts.read(fields.get("title"), ("title",), required="title" in fields)
    base_url = _base_url(reader, fields["base_url"]) if "base_url" in fields else ""
    timezone = _timezone(reader, fields.get("timezone", "UTC"))
    theme = reader.text(fields.get("theme", "default"), ("theme",), required=True)
    if theme and not SLUG_PATTERN.fullmatch(theme):
        reader.problem(("theme",), f"expected a theme name (a-z, 0-9, - and _), got {theme!r}")
    description = texts.read(fields.get("description"), ("description",))
    components = _components(reader, texts, fields.get("components"), "components" in fields)
    days, weights = _uptime(reader, fields.get("uptime"))
    recent_days = 7
    if "recent_days" in fields:
        recent_days = reader.integer(fields["recent_days"], ("recent_days",), 0, 3650) or 0
    cache = reader.mapping(fields["cache"], ("cache",), CACHE_KEYS, ()) if "cache" in fields else None
    max_age, stale = 60, 30
    if cache and "max_age" in cache:
        max_age = reader.integer(cache["max_age"], ("cache", "max_age"), 0, 86400) or 0
    if cache and "stale" in cache:
        stale = reader.integer(cache["stale"], ("cache", "stale"), 0, 86400) or 0
    feed_entries = 50
    feeds = reader.mapping(fields["feeds"], ("feeds",), FEEDS_KEYS, ()) if "feeds" in fields else None
    if feeds and "entries" in feeds:
        feed_entries = reader.integer(feeds["entries"], ("feeds", "entries"), 1, 10000) or 50
    channels = read_channels(reader, fields.get("notify"), languages, [c.id for c in components])
    remind = read_duration(reader, fields["remind"], ("remind",)) if "remind" in fields else None
    hub = _hub(reader, fields["websub_hub"]) if "websub_hub" in fields else ""
    _raise_errors(reader.problems)
    key_lines = tuple((key, source.line((key,)) or 1) for key in fields)
    return Site(
        path=path,
        title=one_line(title),
        base_url=base_url,
        components=components,
        language=language,
        languages=languages,
        timezone=timezone,
        theme=theme,
        description=one_line(description),
        uptime_days=days,
        recent_days=recent_days,
        feed_entries=feed_entries,
        cache_max_age=max_age,
        cache_stale=stale,
        downtime_weights=weights,
        key_lines=key_lines,
        translated=tuple(texts.translated),
        notify=channels,
        remind=remind,
        websub_hub=hub,
        warnings=tuple(p for p in reader.problems if p.warning),
    )


def _hub(reader: _Reader, value: object) -> str:
    """Read `websub_hub`: a WebSub hub's public URL (checked as `base_url` is)."""
    url = reader.text(value, ("websub_hub",), required=True).strip()
    problem = url_problem(url) if url else ""
    if problem:
        shown = "" if problem.startswith(_NO_USERINFO) else f", got {url!r}"
        reader.problem(("websub_hub",), f"expected a hub's absolute http(s) URL{shown}: {problem}")
        return ""
    return url


def _base_url(reader: _Reader, value: object) -> str:
    """Read `base_url`, checked exactly as written (see `url_problem`); it gains a final slash."""
    if not isinstance(value, str):
        reader.text(value, ("base_url",), required=True)  # (the problem with a non-text value)
        return ""
    url = value.strip()
    if not url:
        reader.problem(("base_url",), "must not be blank")
        return ""
    problem = url_problem(url)
    if problem:
        shown = "" if problem.startswith(_NO_USERINFO) else f", got {url!r}"
        expected = f"expected an absolute http(s) URL such as {_URL_EXAMPLE}{shown}"
        reader.problem(("base_url",), f"{expected}: {problem}")
        return ""
    return url if url.endswith("/") else url + "/"


_URL_EXAMPLE = "https://status.example.com/"
_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/]*)(?P<path>/.*)?", re.DOTALL)
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_PATH = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*")
_NO_USERINFO = "it holds a user name or password"


def url_problem(url: str) -> str:
    """What keeps `url` from being a public base URL, or "" when it is one: an absolute http(s)
    URL with a host (a domain name, an IPv4 address or a bracketed IPv6 address), an optional port
    and an optional path, all in ASCII, and nothing else (no user name or password, query,
    fragment, space or control character). A user name or password is never quoted back."""
    authority = re.split(r"[/?#]", re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*:/*", "", url, count=1), maxsplit=1)[0]
    if "@" in authority:  # (looked for first, and loosely, so that no other message quotes it)
        return f"{_NO_USERINFO} (before @), which would be published on every page; remove it"
    for character in url:
        if character.isspace() or not character.isprintable():
            what = {"\n": "a line break", " ": "a space", "\t": "a tab"}.get(character)
            return f"it holds {what or f'the invisible character U+{ord(character):04X}'}"
    if not url.isascii():
        return (
            "it holds characters other than ASCII; percent-encode them in the path (é as %C3%A9) "
            "and write an internationalised domain name in its xn-- form"
        )
    found = _URL.fullmatch(url)
    if found is None or found["scheme"].lower() not in ("http", "https"):
        return "it must start with https:// (or http://) and a host"
    authority, path = found["authority"], found["path"] or ""
    if "?" in url or "#" in url:
        return "a query (?) or fragment (#) has no place in it"
    host, port = authority, None
    if authority.startswith("["):
        literal, bracket, rest = authority[1:].partition("]")
        if not bracket:
            return "its IPv6 address is missing its closing ]"
        if rest and not rest.startswith(":"):
            return "only a port (:8443) may follow the IPv6 address"
        try:
            ipaddress.IPv6Address(literal.replace("%", "/"))  # (a zone, %25eth0, is not public)
        except ValueError:
            return f"[{literal}] is not an IPv6 address"
        port = rest[1:] if rest else None
    else:
        host, colon, written_port = authority.partition(":")
        port = written_port if colon else None
        if not host:
            return "it has no host"
        labels = host.removesuffix(".").split(".")
        if not all(_HOST_LABEL.fullmatch(label) for label in labels) or len(host) > 253:
            return f"{host!r} is not a host name (letters, digits and -, in dot-separated parts)"
        if all(label.isdigit() for label in labels):
            try:
                ipaddress.IPv4Address(host)
            except ValueError:
                return f"{host!r} is not an IPv4 address"
    if port is not None and not (port.isdigit() and 1 <= int(port) <= 65535):
        return f"the port must be a number from 1 to 65535, got {port!r}"
    if not _PATH.fullmatch(path):
        bad = next((c for c in path if c != "%" and not _PATH.fullmatch(c)), "")
        if bad:
            return f"the path holds {bad!r}; percent-encode it"
        return "the path holds a % not followed by two hex digits"
    return ""


def _language(reader: _Reader, value: object, keys: KeyPath = ("language",)) -> str:
    tag = reader.text(value, keys, required=True).strip()
    expected = f"expected a BCP 47 language tag such as fr or pt-BR, got {tag!r}"
    if not LANGUAGE_PATTERN.fullmatch(tag):  # (it names a folder of the output, too)
        reader.problem(keys, expected)
        return ""
    try:
        locale = babel.Locale.parse(tag, sep="-")
    except (ValueError, TypeError, babel.UnknownLocaleError):
        locale = None
    if locale is None or locale.language != tag.split("-")[0]:  # ("und" parses as English)
        reader.problem(keys, expected)
        return ""
    if catalogue_file(tag) is None:
        reader.problem(
            keys,
            f"statusgen's interface is not translated into {tag!r}: its pages show English words "
            f"(dates and numbers in {tag!r} forms); the shipped languages are "
            + ", ".join(SHIPPED_LANGUAGES),
            warning=True,
        )
    return tag


def _languages(reader: _Reader, fields: dict[str, object]) -> tuple[str, ...]:
    """Read `languages` (the first is the default) or, for a site in one language, `language`."""
    if "languages" not in fields:
        return (_language(reader, fields.get("language", "en")) or "en",)
    languages: list[str] = []
    items = reader.items(fields["languages"], ("languages",))
    if not items and not reader.problems:
        reader.problem(("languages",), "list at least one language, the default first")
    for index, item in enumerate(items):
        tag = _language(reader, item, ("languages", index))
        if tag.lower() in (known.lower() for known in languages):  # (en/ and EN/ would collide)
            reader.problem(("languages", index), f"the language {tag!r} is listed twice")
        elif tag:
            languages.append(tag)
    if "language" in fields and languages and fields["language"] != languages[0]:
        reader.problem(
            ("language",),
            f"language is {fields['language']!r} but languages starts with {languages[0]!r}; "
            "the first of languages is the default",
            "remove language, or make it the first of languages",
        )
    return tuple(languages) or ("en",)


@dataclass
class _Texts:
    """Reads site texts that may be given per language (`name: {fr: Paiements, en: Payments}`),
    keeping the default language's text and collecting the others as (language, key, text)."""

    reader: _Reader
    languages: tuple[str, ...]
    strict: bool = True
    translated: list[tuple[str, str, str]] = field(default_factory=list)

    def read(self, value: object, keys: KeyPath, *, required: bool = False) -> str:
        """The text in the default language; the other languages' are kept in `translated`."""
        if not isinstance(value, dict):
            return self.reader.text(value, keys, required=required)
        default = self.languages[0]
        texts: dict[str, str] = {}
        for language, text in value.items():
            if language not in self.languages:
                if not self.strict:
                    continue
                self.reader.problem(
                    (*keys, str(language)),
                    f"the language {language!r} is not one of the site's languages "
                    f"({', '.join(self.languages)})",
                    did_you_mean(str(language), self.languages),
                )
                continue
            texts[language] = self.reader.text(text, (*keys, language), required=required)
        if default not in texts and self.strict:
            self.reader.problem(keys, f"give the text in the default language, {default!r}, too")
        for language, text in texts.items():
            if language != default:  # (every site text is one line, as the callers make the default)
                self.translated.append((language, field_name(keys), one_line(text)))
        return texts.get(default, "")


def _timezone(reader: _Reader, value: object) -> str:
    name = reader.text(value, ("timezone",), required=True).strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        reader.problem(
            ("timezone",),
            f"expected an IANA time zone such as Europe/Paris or UTC, got {name!r}",
            did_you_mean(name, available_timezones()),
        )
        return "UTC"
    return name


def _components(reader: _Reader, texts: _Texts, value: object, given: bool) -> tuple[Component, ...]:
    items = reader.items(value, ("components",))
    if (given and not items and value is not None and not reader.problems) or (given and value is None):
        reader.problem(("components",), "list at least one component")
    components: list[Component] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        keys: KeyPath = ("components", index)
        fields = reader.mapping(item, keys, COMPONENT_KEYS, ("id", "name"))
        if fields is None:
            continue
        component_id = reader.text(fields.get("id"), (*keys, "id"), required="id" in fields)
        if fields.get("id") is not None and not isinstance(fields.get("id"), str):
            reader.problem(
                (*keys, "id"),
                f"YAML reads the id {component_id!r} as {describe(fields['id'])}, so incidents could not "
                "name it; choose another id",
            )
        elif component_id and not COMPONENT_ID_PATTERN.fullmatch(component_id):
            reader.problem(
                (*keys, "id"),
                f"expected an id of lower-case letters, digits, - and _ (such as api), got {component_id!r}",
            )
        elif component_id in seen:
            reader.problem(
                (*keys, "id"),
                f"the component id {component_id!r} is already used by components[{seen[component_id]}]",
            )
        seen.setdefault(component_id, index)
        name = texts.read(fields.get("name"), (*keys, "name"), required="name" in fields)
        group = one_line(texts.read(fields.get("group"), (*keys, "group"))) or None
        description = texts.read(fields.get("description"), (*keys, "description"))
        components.append(Component(component_id, one_line(name), group, one_line(description)))
    return tuple(components)


def _uptime(reader: _Reader, value: object) -> tuple[int, tuple[tuple[ComponentStatus, float], ...]]:
    weights = dict(DEFAULT_DOWNTIME_WEIGHTS)
    if value is None:
        return 90, tuple(weights.items())
    fields = reader.mapping(value, ("uptime",), UPTIME_KEYS, ())
    if fields is None:
        return 90, tuple(weights.items())
    days = 90
    if "days" in fields:
        days = reader.integer(fields["days"], ("uptime", "days"), 1, 3650) or 90
    if "weights" in fields:
        given = reader.mapping(
            fields["weights"], ("uptime", "weights"), [s.value for s in ComponentStatus], ()
        )
        for status, weight in (given or {}).items():
            keys: KeyPath = ("uptime", "weights", status)
            if status not in weights:
                continue
            if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 1:
                reader.problem(keys, f"expected a number from 0 to 1, got {describe(weight)}")
                continue
            weights[ComponentStatus(status)] = float(weight)
    return days, tuple(weights.items())


# ---------------------------------------------------------------- incidents and maintenance


def slug_for(path: str) -> str:
    """The URL slug of a content file: its name without `.md` (and language), lower-cased."""
    return _name_parts(path)[0]


def _name_parts(path: str) -> tuple[str, str]:
    """A content file's slug and the language its name gives: `x.en.md` → ("x", "en").

    Only an ASCII part is lower-cased: lower-casing makes ASCII of some other characters (the
    Kelvin sign U+212A becomes "k"), and the slug rule is about the name as written.
    """
    name = path.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".md")
    slug, _, language = name.partition(".")
    return _ascii_lower(slug), _ascii_lower(language)


def _ascii_lower(text: str) -> str:
    return text.lower() if text.isascii() else text


def _document(path: str, text: str) -> tuple[frontmatter.Document, object]:
    document = frontmatter.split(path, text)
    return document, frontmatter.load_yaml(path, document.front, document.front_line)


def _check_slug(path: str, problems: list[Problem]) -> str:
    slug = slug_for(path)
    if not SLUG_PATTERN.fullmatch(slug):
        # A character that only looks like ASCII (the Kelvin sign, fullwidth letters) is named.
        looks = next((c for c in slug if not c.isascii() and unicodedata.normalize("NFKC", c).isascii()), "")
        named = f" ({looks!r} is U+{ord(looks):04X} {unicodedata.name(looks, '')})" if looks else ""
        problems.append(
            Problem(
                path,
                None,
                "",
                f"the file name gives the slug {slug!r}, but a slug may hold only ASCII letters, "
                f"digits, - and _{named}",
                "rename the file",
            )
        )
    return slug


def _updates(
    reader: _Reader,
    value: object,
    kind: type[IncidentStatus] | type[MaintenanceStatus],
    site: Site | None = None,
) -> tuple[tuple[Update, ...], tuple[int, ...]]:
    """Read `updates` in time order (with a warning if written otherwise) and their written indexes.

    With the `site` (incidents), an update may also change the impact and the components (v2).
    """
    written: list[tuple[int, Update]] = []
    allowed = INCIDENT_UPDATE_KEYS if site is not None else UPDATE_KEYS
    for index, item in enumerate(reader.items(value, ("updates",))):
        keys: KeyPath = ("updates", index)
        fields = reader.mapping(item, keys, allowed, UPDATE_KEYS)
        if fields is None:
            continue
        at = reader.datetime(fields.get("at"), (*keys, "at")) if "at" in fields else None
        status = (
            reader.choice(fields.get("status"), (*keys, "status"), kind, "status")
            if "status" in fields
            else None
        )
        body = reader.text(fields.get("body"), (*keys, "body"), required="body" in fields)
        impact: Impact | None = None
        components: ComponentStates | None = None
        if site is not None:
            if status is IncidentStatus.RESOLVED:
                for key in ("impact", "components"):
                    if key in fields:
                        reader.problem(
                            (*keys, key),
                            f"a resolved update returns every component to operational; it takes no {key}",
                            f"remove {key} from this update",
                        )
            if "impact" in fields:
                impact = reader.choice(fields["impact"], (*keys, "impact"), Impact, "impact")
            if "components" in fields:
                components = _affected(reader, fields["components"], site, None, (*keys, "components"))
                if not components and not any(
                    p.field.startswith(field_name((*keys, "components"))) for p in reader.problems
                ):
                    reader.problem(
                        (*keys, "components"),
                        "names no component; list the components this update changes, or remove the key",
                    )
        if at is not None and status is not None:
            written.append((index, Update(at, status, body, impact=impact, components=components)))
    ordered = sorted(written, key=lambda pair: pair[1].at)
    for (index, update), (_, previous) in zip(written[1:], written, strict=False):
        if update.at < previous.at:
            reader.problem(
                ("updates", index, "at"),
                "this update is earlier than the one written before it; updates are shown in time order",
                warning=True,
            )
    updates = tuple(
        dataclasses.replace(update, number=number) for number, (_, update) in enumerate(ordered, start=1)
    )
    return updates, tuple(index for index, _ in ordered)


def _affected(
    reader: _Reader,
    value: object,
    site: Site,
    impact: Impact | None,
    base: KeyPath = ("components",),
) -> ComponentStates:
    """Read `components`: a list of ids (each at the status `impact` implies, or None when the
    impact is the update's to decide) or a mapping of id to status."""
    known = [c.id for c in site.components]
    incident_statuses = [s for s in ComponentStatus if s is not ComponentStatus.UNDER_MAINTENANCE]
    pairs: list[tuple[str, ComponentStatus | None]] = []
    if isinstance(value, dict):
        for key, status_value in value.items():
            keys: KeyPath = (*base, str(key))
            if _known_component(reader, key, keys, known, pairs):
                if status_value == ComponentStatus.UNDER_MAINTENANCE:
                    reader.problem(
                        keys,
                        "under_maintenance is set by maintenance windows; expected one of "
                        + ", ".join(incident_statuses),
                    )
                    continue
                status = reader.choice(
                    status_value, keys, ComponentStatus, "component status", incident_statuses
                )
                if status is not None:
                    pairs.append((str(key), status))
        return tuple(pairs)
    if value is not None and not isinstance(value, list):
        reader.problem(
            base,
            f"expected a list of component ids or a mapping of id to status, got {describe(value)}",
        )
        return ()
    default = IMPACT_STATUS[impact] if impact else None
    for index, key in enumerate(value or []):
        if _known_component(reader, key, (*base, index), known, pairs):
            pairs.append((str(key), default))
    return tuple(pairs)


def _known_component(
    reader: _Reader,
    key: object,
    keys: KeyPath,
    known: Sequence[str],
    pairs: Sequence[tuple[str, object]],
) -> bool:
    if not isinstance(key, str) or key not in known:
        shown = repr(key) if isinstance(key, str) else describe(key)
        reader.problem(
            keys,
            f"unknown component {shown}; site.yaml defines {', '.join(known)}",
            did_you_mean(key, known) if isinstance(key, str) else "",
        )
        return False
    if any(existing == key for existing, _ in pairs):
        reader.problem(keys, f"the component {key!r} is listed twice")
        return False
    return True


def _read_incident(path: str, text: str, site: Site) -> tuple[Incident | None, list[Problem]]:
    problems: list[Problem] = []
    slug = _check_slug(path, problems)
    document, data = _document(path, text)
    reader = _Reader(path, SourceMap(document.front, document.front_line), site.tz, problems)
    fields = reader.mapping(data, (), INCIDENT_KEYS, ("title", "started", "impact"))
    if fields is None:
        return None, problems
    title = reader.text(fields.get("title"), ("title",), required="title" in fields)
    started = reader.datetime(fields.get("started"), ("started",)) if "started" in fields else None
    impact = (
        reader.choice(fields.get("impact"), ("impact",), Impact, "impact") if "impact" in fields else None
    )
    written = _affected(reader, fields.get("components"), site, impact)
    components = tuple((cid, status or ComponentStatus.OPERATIONAL) for cid, status in written)
    updates, written_at = _updates(reader, fields.get("updates"), IncidentStatus, site)
    resolved: datetime | None = None
    resolved_keys: KeyPath = ("resolved",)
    if "resolved" in fields:
        resolved = reader.datetime(fields["resolved"], resolved_keys)
    elif updates and updates[-1].status is IncidentStatus.RESOLVED:
        resolved = updates[-1].at
        resolved_keys = ("updates", written_at[-1], "at")
    if started and resolved and resolved < started:
        reader.problem(
            resolved_keys,
            f"the incident is resolved ({resolved.isoformat()}) before it started ({started.isoformat()})",
        )
    postmortem_at = _postmortem_at(reader, fields, started, resolved, document.body)
    if "resolved" in fields and resolved is not None:
        _check_after_resolution(reader, updates, written_at, resolved)
    draft = reader.boolean(fields["draft"], ("draft",)) if "draft" in fields else False
    if any(not p.warning for p in problems) or started is None or impact is None:
        return None, problems
    incident = Incident(
        slug=slug,
        path=path,
        title=one_line(title),
        started=started,
        impact=impact,
        components=components,
        updates=updates,
        resolved=resolved,
        body=document.body,
        postmortem_at=postmortem_at,
        draft=draft,
    )
    return incident, problems


def _check_after_resolution(
    reader: _Reader, updates: Sequence[Update], written_at: Sequence[int], resolved: datetime
) -> None:
    """An update at or after `resolved` changes nothing of the incident's state: its `impact` or
    `components` would be silently ignored, so they are refused."""
    for update, index in zip(updates, written_at, strict=True):
        if update.at >= resolved and update.status is not IncidentStatus.RESOLVED:
            for key, given in (("impact", update.impact), ("components", update.components)):
                if given is not None:
                    reader.problem(
                        ("updates", index, key),
                        f"this update comes after the incident's resolution ({resolved.isoformat()}); "
                        f"it cannot change the {key}",
                        "remove it, or move `resolved` later",
                    )


def _postmortem_at(
    reader: _Reader,
    fields: dict[str, object],
    started: datetime | None,
    resolved: datetime | None,
    body: str,
) -> datetime | None:
    """Read `postmortem_at`: when the body (the post-mortem) was published, at or after the
    incident's resolution (a post-mortem follows the end)."""
    if "postmortem_at" not in fields:
        return None
    keys: KeyPath = ("postmortem_at",)
    moment = reader.datetime(fields["postmortem_at"], keys)
    if moment is None:
        return None
    if not body.strip():
        reader.problem(
            keys,
            "says when the post-mortem was published, but the file has no post-mortem: write it "
            "after the front matter",
            "statusgen postmortem SLUG writes both",
        )
    elif started is not None and moment < started:
        reader.problem(
            keys,
            f"the post-mortem is published ({moment.isoformat()}) before the incident started "
            f"({started.isoformat()})",
        )
    elif resolved is None:
        reader.problem(
            keys,
            "the incident is not resolved: a post-mortem follows the resolution",
            "resolve it first (statusgen resolve SLUG), or remove postmortem_at",
        )
    elif moment < resolved:
        reader.problem(
            keys,
            f"the post-mortem is published ({moment.isoformat()}) before the incident was resolved "
            f"({resolved.isoformat()})",
        )
    return moment


def _read_maintenance(path: str, text: str, site: Site) -> tuple[Maintenance | None, list[Problem]]:
    problems: list[Problem] = []
    slug = _check_slug(path, problems)
    document, data = _document(path, text)
    reader = _Reader(path, SourceMap(document.front, document.front_line), site.tz, problems)
    fields = reader.mapping(data, (), MAINTENANCE_KEYS, ("title", "start", "end"))
    if fields is None:
        return None, problems
    title = reader.text(fields.get("title"), ("title",), required="title" in fields)
    start = reader.datetime(fields.get("start"), ("start",)) if "start" in fields else None
    end = reader.datetime(fields.get("end"), ("end",)) if "end" in fields else None
    known = [c.id for c in site.components]
    components: list[tuple[str, object]] = []
    if isinstance(fields.get("components"), dict):
        reader.problem(("components",), "expected a list of component ids, got a mapping")
    else:
        for index, key in enumerate(reader.items(fields.get("components"), ("components",))):
            if _known_component(reader, key, ("components", index), known, components):
                components.append((str(key), None))
    updates, _ = _updates(reader, fields.get("updates"), MaintenanceStatus)
    if start and end and end <= start:
        reader.problem(("end",), _ends_before_start(start, end))
    rescheduled = _windows(reader, fields.get("rescheduled"))
    draft = reader.boolean(fields["draft"], ("draft",)) if "draft" in fields else False
    if any(not p.warning for p in problems) or start is None or end is None:
        return None, problems
    maintenance = Maintenance(
        slug=slug,
        path=path,
        title=one_line(title),
        start=start,
        end=end,
        components=tuple(cid for cid, _ in components),
        updates=updates,
        body=document.body,
        rescheduled=rescheduled,
        draft=draft,
    )
    return maintenance, problems


def _read_translation(
    path: str, text: str, site: Site, kind: str, language: str
) -> tuple[Translation | None, list[Problem]]:
    """Read `<slug>.<language>.md`: the title, the updates' bodies in order and the body, and the
    facts it repeats from the original (checked against it once both are read)."""
    problems: list[Problem] = []
    slug = _check_slug(path, problems)
    document, data = _document(path, text)
    reader = _Reader(path, SourceMap(document.front, document.front_line), site.tz, problems)
    fields = reader.mapping(data, (), INCIDENT_KEYS if kind == "incidents" else MAINTENANCE_KEYS, ("title",))
    if fields is None:
        return None, problems
    title = reader.text(fields.get("title"), ("title",), required="title" in fields)
    claims: list[tuple[str, object, int | None]] = []

    def claim(keys: KeyPath, value: object) -> None:
        if value is not None:
            claims.append((field_name(keys), value, reader.source.line(keys)))

    for key in ("started", "resolved", "start", "end", "postmortem_at"):
        if key in fields:
            claim((key,), reader.datetime(fields[key], (key,)))
    if "impact" in fields:
        claim(("impact",), reader.choice(fields["impact"], ("impact",), Impact, "impact"))
    if "components" in fields:
        claim(("components",), _claimed_components(reader, fields["components"], kind, ("components",)))
    if "rescheduled" in fields:
        claim(("rescheduled",), _windows(reader, fields["rescheduled"]))
    if "draft" in fields:
        claim(("draft",), reader.boolean(fields["draft"], ("draft",)))
    statuses = IncidentStatus if kind == "incidents" else MaintenanceStatus
    update_keys = INCIDENT_UPDATE_KEYS if kind == "incidents" else UPDATE_KEYS
    bodies: list[str] = []
    lines: list[int | None] = []
    for index, item in enumerate(reader.items(fields.get("updates"), ("updates",))):
        keys: KeyPath = ("updates", index)
        update = reader.mapping(item, keys, update_keys, ("body",))
        if update is None:
            continue
        lines.append(reader.source.line(keys))
        if "at" in update:
            claim((*keys, "at"), reader.datetime(update["at"], (*keys, "at")))
        if "status" in update:
            claim((*keys, "status"), reader.choice(update["status"], (*keys, "status"), statuses, "status"))
        if "impact" in update:
            claim((*keys, "impact"), reader.choice(update["impact"], (*keys, "impact"), Impact, "impact"))
        if "components" in update:
            found = _claimed_components(reader, update["components"], kind, (*keys, "components"))
            claim((*keys, "components"), found)
        bodies.append(reader.text(update.get("body"), (*keys, "body"), required="body" in update))
    if any(not p.warning for p in problems):
        return None, problems
    translation = Translation(
        kind, slug, path, language, one_line(title), tuple(bodies), document.body, tuple(claims), tuple(lines)
    )
    return translation, problems


def _claimed_components(reader: _Reader, value: object, kind: str, keys: KeyPath) -> object:
    """What a translation says of `components`: the ids (a list, in any order) or, for an
    incident, the status of each (a mapping); None, with a problem, if it is neither."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return frozenset(value)
    if isinstance(value, dict) and kind == "incidents":
        return {str(key): str(status) for key, status in value.items()}
    expected = "a list of component ids" + (" or a mapping of id to status" if kind == "incidents" else "")
    reader.problem(keys, f"expected {expected}, got {describe(value)}")
    return None


def _components_as_claimed(states: Iterable[tuple[str, object]], claimed: object) -> object:
    """Components as a translation's claim of the same form reads them: ids, or id → status."""
    if isinstance(claimed, frozenset):
        return frozenset(cid for cid, _ in states)
    return {cid: str(status) for cid, status in states}


def _contradictions(translation: Translation, original: Incident | Maintenance) -> list[Problem]:
    """Where a translation says otherwise than its original about the facts (times, statuses...)."""
    problems = []
    count = len(original.updates)
    for index, line in enumerate(translation.lines[count:], start=count):
        problems.append(
            Problem(
                translation.path,
                line,
                f"updates[{index}]",
                f"the translation has {len(translation.bodies)} updates but {original.path} has {count}: "
                "this one has no update to translate",
                "translate the updates of the original, in the same order (time order)",
            )
        )
    for name, value, line in translation.claims:
        if name.startswith("updates["):
            index = int(name[len("updates[") : name.index("]")])
            if index >= count:
                continue  # (reported above)
            update = original.updates[index]
            part = name.rsplit(".", 1)[-1]
            theirs: object = getattr(update, part)
            if part == "components" and update.components is not None:
                if any(status is None for _, status in update.components):  # the list form: ids only
                    value = frozenset(value) if isinstance(value, dict | frozenset) else value
                theirs = _components_as_claimed(update.components, value)
        elif name == "components" and isinstance(original, Incident):
            theirs = _components_as_claimed(original.components, value)
        elif name == "components":
            theirs = frozenset(original.components)
        else:
            theirs = getattr(original, name, None)
        if value != theirs:
            problems.append(
                Problem(
                    translation.path,
                    line,
                    name,
                    f"says {_shown(value)} but {original.path} says {_shown(theirs)}; times, statuses, "
                    "impact and components are taken from the default language's file",
                    "remove the field from the translation, or make it agree",
                )
            )
    return problems


def _shown(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, frozenset):
        return "[" + ", ".join(_shown(v) for v in sorted(value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return repr(str(value)) if isinstance(value, StrEnum) else repr(value)


def _ends_before_start(start: datetime, end: datetime) -> str:
    return f"the maintenance ends ({end.isoformat()}) before it starts ({start.isoformat()})"


def _windows(reader: _Reader, value: object) -> tuple[tuple[datetime, datetime], ...]:
    """Read `rescheduled`: the earlier windows of a maintenance that moved, oldest first."""
    windows = []
    for index, item in enumerate(reader.items(value, ("rescheduled",))):
        keys: KeyPath = ("rescheduled", index)
        fields = reader.mapping(item, keys, WINDOW_KEYS, WINDOW_KEYS)
        if fields is None:
            continue
        start = reader.datetime(fields.get("start"), (*keys, "start")) if "start" in fields else None
        end = reader.datetime(fields.get("end"), (*keys, "end")) if "end" in fields else None
        if start and end and end <= start:
            reader.problem((*keys, "end"), _ends_before_start(start, end))
        elif start and end:
            windows.append((start, end))
    return tuple(windows)


def parse_incident(text: str, path: str, site: Site) -> Incident:
    """Validate one incident file's text into an Incident, or raise ContentError."""
    incident, problems = _read_incident(path, text, site)
    _raise_errors(problems)
    assert incident is not None
    return incident


def parse_maintenance(text: str, path: str, site: Site) -> Maintenance:
    """Validate one maintenance file's text into a Maintenance, or raise ContentError."""
    maintenance, problems = _read_maintenance(path, text, site)
    _raise_errors(problems)
    assert maintenance is not None
    return maintenance


def _raise_errors(problems: Iterable[Problem]) -> None:
    errors = [p for p in problems if not p.warning]
    if errors:
        raise ContentError(errors)


# ---------------------------------------------------------------- the content folder


def content_files(folder: Path) -> list[Path]:
    """The content files under a folder: non-hidden `*.md` files, in sorted order (never through a
    symbolic link: `load_content` refuses those)."""
    return [Path(path) for _, path in _content_entries(folder)[0]]


def _content_entries(folder: Path, shown: str = "") -> tuple[list[tuple[str, str]], list[Problem]]:
    """The content files under a folder, relative to it and as file system paths, in sorted order
    (plain strings: a big site has ten thousand, and a `Path` costs more to make than to stat),
    and the problems found there (paths shown under `shown`, the folder as the user names it).

    This is where content files are found, for the build, its cache and the authoring commands:
    a symbolic link is never followed but reported (the folder itself included), so nothing
    outside the content folder is read, and no link loops.
    """
    found: list[tuple[str, str]] = []
    refused: list[Problem] = []
    shown = shown or folder.as_posix()

    def walk(directory: str, prefix: str) -> None:
        try:
            entries = list(os.scandir(directory))
        except FileNotFoundError:
            return
        except OSError as error:
            where = f"{shown}/{prefix}".rstrip("/")
            refused.append(Problem(where, None, "", f"cannot be read: {error.strerror}"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                refused.append(link_problem(f"{shown}/{prefix}{entry.name}"))
            elif entry.is_dir(follow_symlinks=False):
                walk(entry.path, f"{prefix}{entry.name}/")
            elif entry.name.endswith(".md") and entry.is_file(follow_symlinks=False):
                found.append((prefix + entry.name, entry.path))

    if folder.is_symlink():
        refused.append(link_problem(shown))
    elif folder.exists() and not folder.is_dir():
        refused.append(Problem(shown, None, "", "expected a folder of content files, found a file"))
    else:
        walk(str(folder), "")
    return sorted(found, key=lambda pair: pair[0]), sorted(refused)


def read_bytes(path: str | Path) -> bytes:
    """A file's bytes, refusing a symbolic link in its last part (OSError), whatever the caller
    checked before: the file may have been swapped for a link since."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with open(descriptor, "rb") as file:
        return file.read(MAX_FILE_BYTES + 1)


def read_text(path: Path, shown: str) -> str:
    """Read a content file as text, enforcing the size cap and UTF-8, never through a link."""
    try:
        size = path.lstat().st_size
        data = read_bytes(path) if size <= MAX_FILE_BYTES else b""
    except OSError as error:
        if path.is_symlink():
            raise ContentError([link_problem(shown)]) from None
        raise ContentError([Problem(shown, None, "", f"cannot be read: {error.strerror}")]) from None
    if size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
        raise ContentError(
            [
                Problem(
                    shown,
                    None,
                    "",
                    f"the file is {max(size, len(data)) / 1048576:.1f} MB, over the "
                    f"{MAX_FILE_BYTES // 1048576} MB limit for one content file",
                )
            ]
        )
    return frontmatter.decode(shown, data)


@dataclass(frozen=True)
class ContentFile:
    """One content file to read: its kind (incidents or maintenance), path, shown name and site."""

    kind: str
    path: str  # where to read it
    shown: str
    site: Site
    data: bytes | None = None  # the file's bytes when the caller has read them already (the cache)
    language: str = ""  # for a translation (`<slug>.<language>.md`), its language


def read_document(
    job: ContentFile,
) -> tuple[Incident | Maintenance | Translation | None, list[Problem]]:
    """Read and validate one content file: its model (None if it has errors) and its problems."""
    try:
        data = job.data
        text = read_text(Path(job.path), job.shown) if data is None else frontmatter.decode(job.shown, data)
        if job.language:
            return _read_translation(job.shown, text, job.site, job.kind, job.language)
        read = _read_incident if job.kind == "incidents" else _read_maintenance
        return read(job.shown, text, job.site)
    except ContentError as error:
        return None, list(error.problems)


Mapper = Callable[[Callable[[ContentFile], R], Sequence[ContentFile]], list[R]]


def _serial(function: Callable[[ContentFile], R], items: Sequence[ContentFile]) -> list[R]:
    return [function(item) for item in items]


def load_content(content_dir: str | Path, map_: Mapper | None = None) -> Content:
    """Read and validate a content folder; raise ContentError with every problem found.

    `map_` reads the documents (by default one after the other; the build passes a process pool).
    """
    root = Path(content_dir)
    shown_root = root.as_posix().rstrip("/")

    site_path = root / "site.yaml"
    site_shown = f"{shown_root}/site.yaml"
    if site_path.is_symlink():
        raise ContentError([link_problem(site_shown)])
    if not site_path.is_file():
        raise ContentError([Problem(site_shown, None, "", "not found; a content folder needs a site.yaml")])
    site = parse_site(read_text(site_path, site_shown), site_shown)

    problems: list[Problem] = [p for p in site.warnings]
    incidents: list[Incident] = []
    maintenance: list[Maintenance] = []
    translations: list[Translation] = []
    others = {language.lower(): language for language in site.languages[1:]}
    jobs = []
    for kind in ("incidents", "maintenance"):
        entries, refused = _content_entries(root / kind, f"{shown_root}/{kind}")
        problems.extend(refused)
        for relative, path in entries:
            shown = f"{shown_root}/{kind}/{relative}"
            written = _name_parts(relative)[1]
            if written and written not in others:
                problems.append(_not_a_translation(shown, written, site))
                continue
            jobs.append(ContentFile(kind, path, shown, site, language=others.get(written, "")))
    results = (map_ or _serial)(read_document, jobs)
    slugs: dict[tuple[str, str, str], str] = {}
    for job, (model, found) in zip(jobs, results, strict=True):
        problems.extend(found)
        # Compared as they look: case-folded and NFKC-normalised (for names the slug rule refuses).
        key = (job.kind, unicodedata.normalize("NFKC", slug_for(job.shown)).casefold(), job.language)
        if key in slugs:
            problems.append(
                Problem(
                    job.shown,
                    None,
                    "",
                    f"the slug {key[1]!r} is already used by {slugs[key]}",
                    "rename one of the two files",
                )
            )
        slugs.setdefault(key, job.shown)
        if isinstance(model, Incident):
            incidents.append(model)
        elif isinstance(model, Maintenance):
            maintenance.append(model)
        elif isinstance(model, Translation):
            translations.append(model)
    originals = {("incidents", i.slug): i for i in incidents} | {
        ("maintenance", m.slug): m for m in maintenance
    }
    for translation in translations:
        original = originals.get((translation.kind, translation.slug))
        if original is None:
            if (translation.kind, translation.slug, "") not in slugs:  # (not when it has errors)
                problems.append(
                    Problem(
                        translation.path,
                        None,
                        "",
                        f"a translation of {translation.slug!r}, but there is no "
                        f"{translation.kind}/{translation.slug}.md in the default language",
                        "name the file after the original: <slug>.<language>.md",
                    )
                )
            continue
        problems.extend(_contradictions(translation, original))
    _raise_errors(problems)
    incidents.sort(key=lambda i: (i.started, i.slug))
    maintenance.sort(key=lambda m: (m.start, m.slug))
    translations.sort(key=lambda t: (t.kind, t.slug, t.language))
    warnings = tuple(sorted(p for p in problems if p.warning))
    return Content(site, tuple(incidents), tuple(maintenance), warnings, tuple(translations))


def _not_a_translation(shown: str, written: str, site: Site) -> Problem:
    """The problem with `<slug>.<written>.md` whose `written` is no other language of the site."""
    if written == site.default_language.lower():
        message = f"{written!r} is the default language: its text belongs in the file without it"
    else:
        others = ", ".join(site.languages[1:]) or "none"
        message = (
            f"the name says this is a translation into {written!r}, but the site's other languages are "
            f"{others} (site.yaml, languages)"
        )
    return Problem(shown, None, "", message, "a slug holds no dot; name translations <slug>.<language>.md")
