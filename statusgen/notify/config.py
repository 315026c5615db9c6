"""site.yaml's notification settings: `notify` (the channels), `remind` and `websub_hub`.

Read by the content reader like every other field, so `build` and `check` report their mistakes,
located, without needing any secret: a channel's `url` and `secret` may hold `${VARIABLE}`s,
which only `statusgen notify` expands (`expand`), from the environment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from statusgen.errors import ContentError, Problem, did_you_mean
from statusgen.models import Channel, Event

if TYPE_CHECKING:
    from statusgen.content.reader import Reader as _Reader

CHANNEL_KEYS = ("name", "url", "secret", "components", "languages", "events")
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
SCHEME = re.compile(r"([a-z][a-z0-9+.-]*)://", re.IGNORECASE)
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")


def read_channels(
    reader: _Reader, value: object, languages: Sequence[str], components: Sequence[str]
) -> tuple[Channel, ...]:
    """Read `notify`: a list of channels, each with a unique `name` and a `url`."""
    channels: list[Channel] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(reader.items(value, ("notify",))):
        keys = ("notify", index)
        fields = reader.mapping(item, keys, CHANNEL_KEYS, ("name", "url"))
        if fields is None:
            continue
        name = reader.text(fields.get("name"), (*keys, "name"), required="name" in fields).strip()
        if name and not NAME.fullmatch(name):
            reader.problem((*keys, "name"), f"expected a name of letters, digits, -, _ and ., got {name!r}")
        elif name.casefold() in seen:
            reader.problem((*keys, "name"), f"the channel name {name!r} is used twice")
        seen.setdefault(name.casefold(), name)
        url = _url(reader, fields.get("url"), (*keys, "url")) if "url" in fields else ""
        secret = _secret(reader, fields["secret"], (*keys, "secret"), url) if "secret" in fields else ""
        chosen = _choices(reader, fields, keys, "components", components, "component")
        spoken = _choices(reader, fields, keys, "languages", languages, "language of the site")
        events = _choices(reader, fields, keys, "events", [e.value for e in Event], "event")
        channels.append(
            Channel(
                name=name,
                url=url,
                secret=secret,
                components=chosen,
                languages=spoken or (),
                events=tuple(Event(e) for e in events) if events is not None else None,
                line=reader.source.line(keys),
            )
        )
    return tuple(channels)


def _url(reader: _Reader, value: object, keys: tuple[object, ...]) -> str:
    """A channel's URL: a scheme (what delivers it) and the rest, `${VARIABLE}`s allowed."""
    url = reader.text(value, keys, required=True).strip()
    if not url:
        return ""
    if not _placeholders_ok(reader, url, keys):
        return url
    if url.startswith("${"):  # (its scheme comes from the environment: checked when `notify` expands it)
        if _holds_secret(url):
            reader.problem(keys, TOKEN_WRITTEN)
        return url
    if SCHEME.match(url) is None:
        reader.problem(
            keys,
            "expected a URL whose scheme says how to deliver: https://… (a webhook), smtp://… "
            "(e-mail), or a chat service's (slack://…, msteams://…, discord://…, mmost://…)",
        )
    elif _holds_secret(url):
        reader.problem(keys, TOKEN_WRITTEN)
    return url


TOKEN_WRITTEN = (
    "this URL holds what looks like a token or password, and site.yaml is public: write it in an "
    "environment variable and give ${NAME} here"
)


# Schemes whose URLs need no token (webhooks, e-mail, Apprise's generic JSON, XML and form posts).
PLAIN_SCHEMES = (
    *("http", "https", "smtp", "smtps", "smtp+starttls"),
    *("json", "jsons", "xml", "xmls", "form", "forms"),
)

# Query parameters that carry a credential, whatever their value looks like.
SECRET_PARAMETERS = re.compile(
    r"(token|key|apikey|api_key|access_token|secret|password|pass|pwd|sig|signature|auth|code)",
    re.IGNORECASE,
)


def _holds_secret(url: str) -> bool:
    """Whether a URL written out looks like it carries a credential (a password, a token in its
    path or query); the parts that are `${VARIABLE}`s do not count."""
    written = VARIABLE.sub("", url)
    try:
        parts = urlsplit(written)
        password = parts.password
    except ValueError:
        return False  # (malformed: `notify` reports it when it delivers)
    if password:
        return True
    scheme = parts.scheme.lower()
    if scheme not in PLAIN_SCHEMES and written == url:
        return True  # chat services carry their tokens in the URL: some of it must be a variable
    for pair in parts.query.split("&"):
        name, _, value = pair.partition("=")
        if value and SECRET_PARAMETERS.fullmatch(name):
            return True
        if len(value) >= 20 and re.fullmatch(r"[A-Za-z0-9_-]+", value):
            return True
    return any(len(part) >= 20 and re.fullmatch(r"[A-Za-z0-9_-]+", part) for part in parts.path.split("/"))


def _secret(reader: _Reader, value: object, keys: tuple[object, ...], url: str) -> str:
    """A webhook's signing secret: only ever `${VARIABLE}` (a secret written out is no secret)."""
    secret = reader.text(value, keys, required=True).strip()
    if secret and not VARIABLE.fullmatch(secret):
        reader.problem(keys, "a secret must come from the environment: write ${NAME}, not the secret")
    elif secret and url and SCHEME.match(url) and not url.lower().startswith(("http://", "https://")):
        reader.problem(keys, "only webhooks (http:// and https:// URLs) are signed")
    return secret


def _placeholders_ok(reader: _Reader, text: str, keys: tuple[object, ...]) -> bool:
    """Whether every `$` of a text opens a well-formed `${VARIABLE}`."""
    stripped = VARIABLE.sub("", text)
    if "$" in stripped:
        reader.problem(
            keys, "expected ${NAME} (letters, digits and _) where a value comes from the environment"
        )
        return False
    return True


def _choices(
    reader: _Reader,
    fields: Mapping[str, object],
    keys: tuple[object, ...],
    key: str,
    allowed: Sequence[str],
    what: str,
) -> tuple[str, ...] | None:
    """An optional list of values, each one of `allowed` (None when the key is not given)."""
    if key not in fields:
        return None
    chosen: list[str] = []
    for index, item in enumerate(reader.items(fields[key], (*keys, key))):
        if not isinstance(item, str) or item not in allowed:
            shown = repr(item) if isinstance(item, str) else "that"
            hint = did_you_mean(item, allowed) if isinstance(item, str) else ""
            reader.problem(
                (*keys, key, index), f"unknown {what} {shown}; expected one of {', '.join(allowed)}", hint
            )
        elif item in chosen:
            reader.problem((*keys, key, index), f"{item!r} is listed twice")
        else:
            chosen.append(item)
    if not chosen and not any(p.field.startswith(f"notify[{keys[1]}].{key}") for p in reader.problems):
        reader.problem((*keys, key), f"lists no {what}; remove the key to take them all")
    return tuple(chosen)


def read_duration(reader: _Reader, value: object, keys: tuple[object, ...]) -> timedelta | None:
    """Read a duration such as `1h`, `30m`, `2h30m` or `1d`."""
    text = reader.text(value, keys, required=True).strip()
    found = DURATION.fullmatch(text) if text else None
    if found is None or not any(found.groups()):
        reader.problem(keys, f"expected a duration such as 1h, 30m, 2h30m or 1d, got {text!r}")
        return None
    days, hours, minutes = (int(part or 0) for part in found.groups())
    try:
        span = timedelta(days=days, hours=hours, minutes=minutes)
    except OverflowError:
        span = timedelta.max
    if not timedelta(minutes=1) <= span <= timedelta(days=30):
        reader.problem(keys, f"expected a duration from 1m to 30d, got {text!r}")
        return None
    return span


def expand(channel: Channel, environ: Mapping[str, str], path: str) -> tuple[str, str]:
    """A channel's URL and secret with their `${VARIABLE}`s taken from `environ`; a variable that
    is not set is a located error naming it (never the value of another)."""
    problems = []
    values = []
    for key, text in (("url", channel.url), ("secret", channel.secret)):
        missing = [name for name in VARIABLE.findall(text) if not environ.get(name)]
        for name in missing:
            problems.append(
                Problem(
                    path,
                    channel.line,
                    f"notify.{channel.name}.{key}",
                    f"the environment variable {name} is not set (or empty)",
                    f"set {name} in the environment of `statusgen notify` (a CI secret)",
                )
            )
        values.append(VARIABLE.sub(lambda m: environ.get(m.group(1), ""), text))
    if problems:
        raise ContentError(problems)
    return values[0], values[1]
