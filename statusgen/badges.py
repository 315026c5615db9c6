"""Status badges: a Shields-style SVG and its Shields.io endpoint JSON, for the page and each component."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from markupsafe import escape

from statusgen.derive import Derived
from statusgen.models import ComponentStatus
from statusgen.status import Indicator
from statusgen.statuspage import to_json

BADGE_COLOURS: dict[ComponentStatus, tuple[str, str]] = {
    # (Shields.io colour name, hex for our own SVG)
    ComponentStatus.OPERATIONAL: ("brightgreen", "#2e7d32"),
    ComponentStatus.UNDER_MAINTENANCE: ("blue", "#1565c0"),
    ComponentStatus.DEGRADED_PERFORMANCE: ("yellow", "#8a6d00"),
    ComponentStatus.PARTIAL_OUTAGE: ("orange", "#c25100"),
    ComponentStatus.MAJOR_OUTAGE: ("red", "#c62828"),
}
_INDICATOR_STATUS = {
    Indicator.NONE: ComponentStatus.OPERATIONAL,
    Indicator.MAINTENANCE: ComponentStatus.UNDER_MAINTENANCE,
    Indicator.MINOR: ComponentStatus.DEGRADED_PERFORMANCE,
    Indicator.MAJOR: ComponentStatus.PARTIAL_OUTAGE,
    Indicator.CRITICAL: ComponentStatus.MAJOR_OUTAGE,
}


def _text_width(text: str) -> float:
    """An estimate of the width of `text` in 11 px Verdana (the SVG pins it with textLength)."""
    width = 0.0
    for character in text:
        if character in "iIjl.,:;'|!()[] ":
            width += 3.9
        elif character in "mwMW@%":
            width += 10.5
        elif character.isupper() or character.isdigit():
            width += 7.5
        elif ord(character) >= 0x1100 and _wide(character):
            width += 11.0
        else:
            width += 6.6
    return width


def _wide(character: str) -> bool:
    return unicodedata.east_asian_width(character) in ("W", "F")


def badge_svg(label: str, message: str, colour: str) -> bytes:
    """A flat Shields-style badge: grey label, coloured message, readable by screen readers."""
    left = round(_text_width(label) + 12)
    right = round(_text_width(message) + 12)
    total = left + right
    title = escape(f"{label}: {message}")
    text_label, text_message = escape(label), escape(message)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{title}"><title>{title}</title>'
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        'font-size="11">'
        f'<text x="{left / 2}" y="14" textLength="{left - 12}">{text_label}</text>'
        f'<text x="{left + right / 2}" y="14" textLength="{right - 12}">{text_message}</text>'
        "</g></svg>\n"
    )
    return svg.encode("utf-8")


def badge_files(derived: Derived, words: Mapping[str, Mapping[str, str]], label: str) -> dict[str, bytes]:
    """`badge.svg` and its Shields.io endpoint `badge.json`, for the page and for each component."""
    out: dict[str, bytes] = {}

    def add(stem: str, name: str, status: ComponentStatus) -> None:
        message = words["component"][status].lower()
        shields, colour = BADGE_COLOURS[status]
        out[f"{stem}badge.svg"] = badge_svg(name, message, colour)
        out[f"{stem}badge.json"] = to_json(
            {"schemaVersion": 1, "label": name, "message": message, "color": shields}
        )

    snap = derived.snapshot
    add("", label, _INDICATOR_STATUS[snap.indicator])
    for state in snap.components:
        add(state.path, state.component.name, state.status)
    return out
