"""The field reader: typed fields out of one YAML document, every problem located and collected.

`Reader` is what `site.yaml`, incidents, maintenance, translations and `theme.yaml` are read with,
so every file reports its problems the same way (`path:line: field: message (hint)`), all at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from enum import StrEnum
from typing import TypeVar

from statusgen import frontmatter
from statusgen.errors import ContentError, Problem, did_you_mean
from statusgen.frontmatter import KeyPath, SourceMap

# Instants outside these bounds are refused: nothing on a status page needs them, and near year 1
# or 9999 converting between zones overflows.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
DATETIME_EXAMPLE = "2012-06-21T09:00:00-07:00"
SLUG_PATTERN = re.compile(r"[a-z0-9_-]+")  # a file's slug, a theme's name

E = TypeVar("E", bound=StrEnum)


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
class Reader:
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


def raise_errors(problems: Iterable[Problem]) -> None:
    """Raise a ContentError with the errors among `problems` (warnings alone raise nothing)."""
    errors = [p for p in problems if not p.warning]
    if errors:
        raise ContentError(errors)
