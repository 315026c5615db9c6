"""Locale-aware formatting of dates, times, durations and numbers, in the site's time zone."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache, cached_property
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import lists as babel_lists
from babel import numbers as babel_numbers
from babel import units as babel_units

MINUS = "\u2212"


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; it is translated where it is shown."""
    return message


# The words for every status value, shared by the theme's pages and the feeds built in code.
LABELS: dict[str, dict[str, str]] = {
    "indicator": {
        "none": N_("All Systems Operational"),
        "minor": N_("Minor Service Outage"),
        "major": N_("Partial System Outage"),
        "critical": N_("Major System Outage"),
        "maintenance": N_("Service Under Maintenance"),
    },
    "component": {
        "operational": N_("Operational"),
        "under_maintenance": N_("Under maintenance"),
        "degraded_performance": N_("Degraded performance"),
        "partial_outage": N_("Partial outage"),
        "major_outage": N_("Major outage"),
    },
    "incident": {
        "investigating": N_("Investigating"),
        "identified": N_("Identified"),
        "monitoring": N_("Monitoring"),
        "resolved": N_("Resolved"),
    },
    "maintenance": {
        "scheduled": N_("Scheduled"),
        "in_progress": N_("In progress"),
        "verifying": N_("Verifying"),
        "completed": N_("Completed"),
    },
    "impact": {
        "none": N_("No impact"),
        "minor": N_("Minor impact"),
        "major": N_("Major impact"),
        "critical": N_("Critical impact"),
    },
}


def labels(translate: Callable[[str], str] = str) -> dict[str, dict[str, str]]:
    """The status words, translated: `labels()["incident"]["resolved"]` is "Resolved" in English."""
    return {kind: {key: translate(word) for key, word in words.items()} for kind, words in LABELS.items()}


def _unquote(pattern: str) -> str:
    """A CLDR pattern's literal text without its quotes: "{1} 'kl'. {0}" → "{1} kl. {0}"."""
    return re.sub(r"'([^']*)'", lambda m: m.group(1) or "'", pattern)


def utc_offset(moment: datetime) -> str:
    """The zone as readers know it: "UTC", "UTC−7", "UTC+5:30"."""
    return _offset_text(moment.utcoffset() or timedelta(0))


@cache
def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else MINUS
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


@dataclass(frozen=True)
class Formatter:
    """Formats instants and amounts for one locale and time zone (used by templates as `fmt`)."""

    language: str
    timezone: str

    @cached_property
    def locale(self) -> Locale:
        """The Babel locale for the site's language."""
        return Locale.parse(self.language, sep="-")

    @cached_property
    def tz(self) -> ZoneInfo:
        """The site's time zone."""
        return ZoneInfo(self.timezone)

    def local(self, moment: datetime) -> datetime:
        """The instant in the site's time zone."""
        return moment.astimezone(self.tz)

    def iso(self, moment: datetime) -> str:
        """The machine-readable value for `<time datetime>`: ISO 8601 with the site's offset."""
        return self.local(moment).isoformat()

    def datetime(self, moment: datetime) -> str:
        """Date, time and zone: "21 juin 2012 à 09:00 UTC−7"."""
        local = self.local(moment)
        joined = self._joiner.replace("{1}", self.date(local.date())).replace("{0}", self._clock(local))
        return f"{joined} {utc_offset(local)}"

    def time(self, moment: datetime) -> str:
        """Time of day and zone: "09:00 UTC−7"."""
        local = self.local(moment)
        return f"{self._clock(local)} {utc_offset(local)}"

    def date(self, day: date | datetime) -> str:
        """A long date: "21 juin 2012"."""
        if isinstance(day, datetime):
            day = self.local(day).date()
        found = self._memo.get(day)
        if found is None:
            found = self._memo[day] = babel_dates.format_date(day, "long", locale=self.locale)
        return found

    def _clock(self, local: datetime) -> str:
        """The time of day in the locale's short form ("09:00", "9:00 AM"), memoised by minute."""
        key = (local.hour, local.minute)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = babel_dates.format_time(time(*key), "short", locale=self.locale)
        return found

    @cached_property
    def _joiner(self) -> str:
        """The locale's pattern joining a long date ({1}) and a time ({0})."""
        return _unquote(str(self.locale.datetime_formats.get("long", "{1} {0}")))

    @cached_property
    def _memo(self) -> dict[object, str]:
        """Formatted dates and times: a big site formats the same days and minutes many times."""
        return {}

    def short_date(self, day: date | datetime) -> str:
        """A compact date: "21 juin"."""
        if isinstance(day, datetime):
            day = self.local(day).date()
        key = ("short", day)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = babel_dates.format_skeleton("MMMd", day, locale=self.locale)
        return found

    def month(self, year: int, month: int) -> str:
        """A month heading: "juin 2012"."""
        text = babel_dates.format_skeleton("yMMMM", date(year, month, 1), locale=self.locale)
        return text[:1].upper() + text[1:]

    def duration(self, span: timedelta) -> str:
        """A duration in hours and minutes: "2 h 5 min", "3 d 4 h"."""
        minutes = int(span.total_seconds() // 60)
        key = ("duration", minutes)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._duration(minutes)
        return found

    def _duration(self, minutes: int) -> str:
        """`duration` of a whole number of minutes, not memoised."""
        days, rest = divmod(minutes, 24 * 60)
        hours, minutes = divmod(rest, 60)
        parts = [
            babel_units.format_unit(amount, unit, length="short", locale=self.locale)
            for amount, unit in (
                (days, "duration-day"),
                (hours, "duration-hour"),
                (minutes, "duration-minute"),
            )
            if amount
        ][:2]
        if not parts:
            return babel_units.format_unit(0, "duration-minute", length="short", locale=self.locale)
        for style in ("unit-narrow", "unit", "standard"):
            try:
                return babel_lists.format_list(parts, style=style, locale=self.locale)
            except KeyError:  # some locales lack some list patterns
                continue
        return " ".join(parts)

    def percent(self, value: float) -> str:
        """An uptime percentage with two decimals, never rounded up to 100 %: "99.98 %"."""
        # Floored, never rounded up to 100 %; the epsilon keeps 19.999999999 (a float's 20) at 20.
        floored = math.floor(value * 100 + 1e-6) / 10000
        return babel_numbers.format_percent(floored, self._percent_pattern, locale=self.locale)

    @cached_property
    def _percent_pattern(self) -> str:
        """The locale's own percent pattern ("#,##0 %" in French) with two decimals."""
        pattern = self.locale.percent_formats[None].pattern
        return pattern.replace("0", "0.00", 1) if "." not in pattern else pattern
