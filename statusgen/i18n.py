"""Languages: the interface's message catalogues, and locale-aware formatting of dates, times,
durations and numbers in the site's time zone.

The catalogues are gettext files under `statusgen/locale/<language>/LC_MESSAGES/statusgen.po`,
compiled to `.mo` beside them and shipped in the package (see "Translating statusgen" in
docs/languages.md for Babel's extract, update and compile commands). A language without a catalogue shows
the interface in English, with dates and numbers still in its own forms.
"""

from __future__ import annotations

import gettext
import hashlib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache, cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel import units as babel_units

MINUS = "\u2212"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "statusgen"
# The types of instants and days, by names that `Formatter`'s methods (`datetime`, `date`) do not hide.
Instant = datetime
Day = date
# The languages whose catalogues ship complete (a test fails on any untranslated message).
SHIPPED_LANGUAGES = ("en", "fr", "de", "es", "ja", "ar")


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
    "component_was": {  # a component of an incident that ended: the worst it had, in the past
        "operational": N_("was operational"),
        "under_maintenance": N_("was under maintenance"),
        "degraded_performance": N_("had degraded performance"),
        "partial_outage": N_("had a partial outage"),
        "major_outage": N_("had a major outage"),
    },
    "incident": {
        "investigating": N_("Investigating"),
        "identified": N_("Identified"),
        "monitoring": N_("Monitoring"),
        "resolved": N_("Resolved"),
        "postmortem": N_("Post-mortem"),  # (not an update's status: the feeds' "[Post-mortem] Title")
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


# How an update's change of a component's status is written ("Website: Major outage → Partial
# outage"); Arabic turns the arrow, French spaces the colon.
CHANGE = N_("%(component)s: %(old)s → %(new)s")


def change_text(
    translate: Callable[[str], str], words: Mapping[str, Mapping[str, str]], name: str, old: str, new: str
) -> str:
    """One component's change of status, in words: "Website: Major outage → Partial outage"."""
    return translate(CHANGE) % {
        "component": name,
        "old": words["component"][old],
        "new": words["component"][new],
    }


def labels(translate: Callable[[str], str] = str) -> dict[str, dict[str, str]]:
    """The status words, translated: `labels()["incident"]["resolved"]` is "Resolved" in English."""
    return {kind: {key: translate(word) for key, word in words.items()} for kind, words in LABELS.items()}


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language, sep="-")


def catalogue_file(language: str) -> Path | None:
    """The compiled catalogue the interface of `language` uses ("pt-BR" falls back to "pt"), if any."""
    try:
        locale = _locale(language)
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    found = gettext.find(DOMAIN, str(LOCALE_DIR), [str(locale), locale.language])
    return Path(found) if found else None


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The interface's translations into `language` (English, untranslated, when none ship)."""
    found = catalogue_file(language)
    if found is None:
        return gettext.NullTranslations()
    with found.open("rb") as file:
        return gettext.GNUTranslations(file)


@cache
def catalogue_digest(language: str) -> str:
    """A hash of the catalogue `language` uses, for the caches of what its words went into."""
    found = catalogue_file(language)
    return hashlib.sha256(found.read_bytes()).hexdigest() if found else ""


def text_direction(language: str) -> str:
    """ "rtl" for a language written right to left (Arabic, Hebrew), else "ltr"."""
    return "rtl" if _locale(language).text_direction == "rtl" else "ltr"


def language_name(language: str, in_language: str | None = None) -> str:
    """A language's name in `in_language`, by default in itself as a language switch shows it:
    "Français", "English", "日本語"; `language_name("fr", "en")` is "French"."""
    locale = _locale(language)
    name = locale.get_display_name(_locale(in_language) if in_language else locale) or language
    return name[:1].upper() + name[1:] if not in_language else name


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
        return _locale(self.language)

    @cached_property
    def tz(self) -> ZoneInfo:
        """The site's time zone."""
        return ZoneInfo(self.timezone)

    def local(self, moment: Instant) -> Instant:
        """The instant in the site's time zone."""
        return moment.astimezone(self.tz)

    def iso(self, moment: Instant) -> str:
        """The machine-readable value for `<time datetime>`: ISO 8601 with the site's offset."""
        return self.local(moment).isoformat()

    def datetime(self, moment: Instant) -> str:
        """Date, time and zone, as CLDR joins them: "21 juin 2012, 09:00 UTC−7"."""
        local = self.local(moment)
        joined = self._joiner.replace("{1}", self.date(local.date())).replace("{0}", self._clock(local))
        return f"{joined} {utc_offset(local)}"

    def time(self, moment: Instant) -> str:
        """Time of day and zone: "09:00 UTC−7"."""
        local = self.local(moment)
        return f"{self._clock(local)} {utc_offset(local)}"

    def date(self, day: Day | Instant) -> str:
        """A long date: "21 juin 2012"."""
        if isinstance(day, datetime):
            day = self.local(day).date()
        found = self._memo.get(day)
        if found is None:
            found = self._memo[day] = babel_dates.format_date(day, "long", locale=self.locale)
        return found

    def _clock(self, local: Instant) -> str:
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

    def short_date(self, day: Day | Instant) -> str:
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
        if len(parts) == 1:
            return parts[0]
        # The locale's pattern for two units ("{0} {1}", "{0} و{1}"), read directly, each style
        # falling back as CLDR says: Babel's format_list repeats the last item where a style lacks
        # its own two-item pattern.
        for style in ("unit-narrow", "unit-short", "unit", "standard"):
            pattern = (self.locale.list_patterns.get(style) or {}).get("2")
            if pattern:
                return str(pattern.format(*parts))
        return " ".join(parts)

    def relative(self, moment: Instant, now: Instant) -> str:
        """How long before (or after) `now` an instant is: "il y a 2 heures", "in 3 days"."""
        return babel_dates.format_timedelta(
            moment - now, threshold=1.5, add_direction=True, format="long", locale=self.locale
        )

    def percent(self, value: float) -> str:
        """An uptime percentage with two decimals, never rounded up to 100 %: "99.98 %"."""
        # Floored, never rounded up to 100 %; the epsilon keeps 19.999999999 (a float's 20) at 20.
        floored = math.floor(value * 100 + 1e-6) / 10000
        return babel_numbers.format_percent(floored, self._percent_pattern, locale=self.locale)

    @cached_property
    def _percent_pattern(self) -> str:
        """The locale's own percent pattern ("#,##0 %" in French) with two decimals."""
        pattern = str(self.locale.percent_formats[None].pattern)
        return pattern.replace("0", "0.00", 1) if "." not in pattern else pattern
