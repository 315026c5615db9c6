"""`site.yaml`: the site's title, URL, languages, time zone, theme, components and settings.

`parse_site` reads the text of `site.yaml` into a `Site` with every problem located; texts may be
given per language (`name: {fr: Paiements, en: Payments}`), the others kept for `editions.site_in`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import babel

from statusgen import frontmatter
from statusgen.content.reader import SLUG_PATTERN, Reader, describe, field_name, one_line, raise_errors
from statusgen.errors import ContentError, did_you_mean
from statusgen.frontmatter import KeyPath, SourceMap
from statusgen.i18n import SHIPPED_LANGUAGES, catalogue_file
from statusgen.models import DEFAULT_DOWNTIME_WEIGHTS, Channel, Component, ComponentStatus, Site
from statusgen.notify.config import read_channels, read_duration

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


def parse_site(text: str, path: str = "site.yaml") -> Site:
    """Validate the text of `site.yaml` into a Site, or raise ContentError with every problem."""
    data = frontmatter.load_yaml(path, text)
    source = SourceMap(text)
    reader = Reader(path, source, ZoneInfo("UTC"))
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
    theme = _theme(reader, fields)
    description = texts.read(fields.get("description"), ("description",))
    components = _components(reader, texts, fields.get("components"), "components" in fields)
    days, weights = _uptime(reader, fields.get("uptime"))
    recent_days, max_age, stale, feed_entries = _settings(reader, fields)
    channels, remind, hub = _notifications(reader, fields, languages, components)
    raise_errors(reader.problems)
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


def _notifications(
    reader: Reader, fields: dict[str, object], languages: Sequence[str], components: Sequence[Component]
) -> tuple[tuple[Channel, ...], timedelta | None, str]:
    """Read `notify` (the channels), `remind` and `websub_hub` (see `notify/config.py`)."""
    channels = read_channels(reader, fields.get("notify"), languages, [c.id for c in components])
    remind = read_duration(reader, fields["remind"], ("remind",)) if "remind" in fields else None
    hub = ""
    if "websub_hub" in fields:
        url = reader.text(fields["websub_hub"], ("websub_hub",), required=True).strip()
        problem = url_problem(url) if url else ""
        if problem:
            shown = "" if problem.startswith(_NO_USERINFO) else f", got {url!r}"
            reader.problem(("websub_hub",), f"expected a hub's absolute http(s) URL{shown}: {problem}")
        else:
            hub = url
    return channels, remind, hub


def _theme(reader: Reader, fields: dict[str, object]) -> str:
    """Read `theme`: a theme's name (`default` when not given)."""
    theme = reader.text(fields.get("theme", "default"), ("theme",), required=True)
    if theme and not SLUG_PATTERN.fullmatch(theme):
        reader.problem(("theme",), f"expected a theme name (a-z, 0-9, - and _), got {theme!r}")
    return theme


def _settings(reader: Reader, fields: dict[str, object]) -> tuple[int, int, int, int]:
    """Read `recent_days`, `cache.max_age`, `cache.stale` and `feeds.entries` (by default 7, 60,
    30 and 50)."""
    recent_days = _setting(reader, fields, ("recent_days",), (0, 3650), 7, 0)
    cache = _section(reader, fields, "cache", CACHE_KEYS)
    max_age = _setting(reader, cache, ("cache", "max_age"), (0, 86400), 60, 0)
    stale = _setting(reader, cache, ("cache", "stale"), (0, 86400), 30, 0)
    feeds = _section(reader, fields, "feeds", FEEDS_KEYS)
    feed_entries = _setting(reader, feeds, ("feeds", "entries"), (1, 10000), 50, 50)
    return recent_days, max_age, stale, feed_entries


def _section(
    reader: Reader, fields: dict[str, object], key: str, allowed: Sequence[str]
) -> dict[str, object]:
    """A mapping of settings (`cache:`, `feeds:`), {} when it is not given or not a mapping."""
    if key not in fields:
        return {}
    return reader.mapping(fields[key], (key,), allowed, ()) or {}


def _setting(
    reader: Reader,
    section: dict[str, object],
    keys: KeyPath,
    bounds: tuple[int, int],
    default: int,
    invalid: int,
) -> int:
    """A whole number of `section` at `keys` within `bounds`: `default` if it is not given,
    `invalid` (with a problem) if it is not such a number."""
    name = str(keys[-1])
    if name not in section:
        return default
    return reader.integer(section[name], keys, *bounds) or invalid


def _base_url(reader: Reader, value: object) -> str:
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
    problem = _userinfo_problem(url) or _character_problem(url)
    if problem:
        return problem
    found = _URL.fullmatch(url)
    if found is None or found["scheme"].lower() not in ("http", "https"):
        return "it must start with https:// (or http://) and a host"
    if "?" in url or "#" in url:
        return "a query (?) or fragment (#) has no place in it"
    host_problem, port = _host_problem(found["authority"])
    if host_problem:
        return host_problem
    if port is not None and not (port.isdigit() and 1 <= int(port) <= 65535):
        return f"the port must be a number from 1 to 65535, got {port!r}"
    return _path_problem(found["path"] or "")


def _userinfo_problem(url: str) -> str:
    """A user name or password before the host (looked for first, and loosely, so that no other
    message quotes it)."""
    authority = re.split(r"[/?#]", re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*:/*", "", url, count=1), maxsplit=1)[0]
    if "@" in authority:
        return f"{_NO_USERINFO} (before @), which would be published on every page; remove it"
    return ""


def _character_problem(url: str) -> str:
    """A space, a control or invisible character, or a character other than ASCII."""
    for character in url:
        if character.isspace() or not character.isprintable():
            what = {"\n": "a line break", " ": "a space", "\t": "a tab"}.get(character)
            return f"it holds {what or f'the invisible character U+{ord(character):04X}'}"
    if not url.isascii():
        return (
            "it holds characters other than ASCII; percent-encode them in the path (é as %C3%A9) "
            "and write an internationalised domain name in its xn-- form"
        )
    return ""


def _host_problem(authority: str) -> tuple[str, str | None]:
    """What is wrong with the host of `authority` ("" if nothing), and the port written after it."""
    if authority.startswith("["):
        literal, bracket, rest = authority[1:].partition("]")
        if not bracket:
            return "its IPv6 address is missing its closing ]", None
        if rest and not rest.startswith(":"):
            return "only a port (:8443) may follow the IPv6 address", None
        try:
            ipaddress.IPv6Address(literal.replace("%", "/"))  # (a zone, %25eth0, is not public)
        except ValueError:
            return f"[{literal}] is not an IPv6 address", None
        return "", rest[1:] if rest else None
    host, colon, written_port = authority.partition(":")
    return _host_name_problem(host), written_port if colon else None


def _host_name_problem(host: str) -> str:
    """What keeps `host` from being a domain name or an IPv4 address ("" if nothing)."""
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
    return ""


def _path_problem(path: str) -> str:
    """A character the path may not hold unencoded, or a stray %."""
    if _PATH.fullmatch(path):
        return ""
    bad = next((c for c in path if c != "%" and not _PATH.fullmatch(c)), "")
    if bad:
        return f"the path holds {bad!r}; percent-encode it"
    return "the path holds a % not followed by two hex digits"


def _language(reader: Reader, value: object, keys: KeyPath = ("language",)) -> str:
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


def _languages(reader: Reader, fields: dict[str, object]) -> tuple[str, ...]:
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

    reader: Reader
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


def _timezone(reader: Reader, value: object) -> str:
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


def _components(reader: Reader, texts: _Texts, value: object, given: bool) -> tuple[Component, ...]:
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


def _uptime(reader: Reader, value: object) -> tuple[int, tuple[tuple[ComponentStatus, float], ...]]:
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
