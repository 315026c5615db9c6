"""The bundled example site (`content/`) builds cleanly and tells the story of 21 June 2012."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from statusgen import check, load_content

CONTENT = Path(__file__).parent.parent / "content"
SEED = "2012-06-21-panne-mondiale"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_example_content_is_valid_without_warnings() -> None:
    """Every example file validates and nothing needs a warning."""
    content = load_content(CONTENT)
    assert content.warnings == ()
    assert len(content.incidents) >= 5
    assert len(content.maintenance) >= 2
    assert content.site.language == "fr"


def test_during_the_outage_the_page_is_red_and_shows_the_latest_update() -> None:
    """At 10:30 the outage is open, the banner is critical and the update of 10:24 is the latest."""
    result = check(CONTENT, at("2012-06-21T10:30:00-07:00"))
    assert result.snapshot.indicator == "critical"
    index = result.files["index.html"].decode()
    assert f'href="./incidents/{SEED}/"' in index
    assert '<time datetime="2012-06-21T10:24:00-07:00">' in index
    page = result.files[f"incidents/{SEED}/index.html"].decode()
    assert page.count('<li id="update-') == 4  # the updates posted by 10:30, not the later ones


def test_after_the_rollback_everything_is_operational_and_the_outage_is_recent() -> None:
    """At noon the outage is resolved after 2 h, listed as recent, and its timeline is complete."""
    result = check(CONTENT, at("2012-06-21T12:00:00-07:00"))
    assert result.snapshot.indicator == "none"
    assert result.snapshot.recent_incidents[0].slug == SEED
    page = result.files[f"incidents/{SEED}/index.html"].decode()
    assert page.count('<li id="update-') == 7
    assert re.search(r"<dd>2\sh</dd>", page)  # Babel puts a no-break space before the unit
    assert "rollback" not in page  # the example is French…
    assert "version stable précédente" in page  # …and says how it was fixed


def test_the_scheduled_maintenance_is_announced() -> None:
    """Before 28 June the database migration is listed as upcoming maintenance."""
    result = check(CONTENT, at("2012-06-21T12:00:00-07:00"))
    assert [m.slug for m in result.snapshot.upcoming_maintenance] == ["2012-06-28-migration-base"]
