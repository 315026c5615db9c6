"""Whether a scheduled CI run has anything to do, from what the published site says of itself
(`statusgen next-change --since PUBLISHED`): the starter workflow rebuilds every few minutes only
when this says so, and always after a push.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from statusgen.build import NEXT_CHANGE
from statusgen.errors import PublishError
from statusgen.notify.record import RECORD, Record

# How often a site whose record says notifications are owed is rebuilt to send them (a channel
# that keeps failing, a secret missing from the workflow, must not cost a build every few minutes).
OWED_RETRY = timedelta(hours=1)


def due(published: Path, now: datetime) -> str:
    """Why a build is due at `now` ("" when it is not): the published site's next change has come,
    or its record says notifications are still owed and it was built `OWED_RETRY` ago or more, or
    it says nothing to go by (no `next-change.json`: a first publication, or a site built before
    statusgen wrote one)."""
    try:
        data = json.loads((published / NEXT_CHANGE).read_text(encoding="utf-8"))
        upcoming = data["next_change"]
        at = datetime.fromisoformat(upcoming["at"]) if upcoming is not None else None
        as_of = datetime.fromisoformat(data["as_of"]) if "as_of" in data else None
    except (OSError, ValueError, KeyError, TypeError):
        return f"the published site has no readable {NEXT_CHANGE}"
    if at is not None and at <= now:
        return f"{at.isoformat()}: {upcoming['reason']}"
    if as_of is not None and now - as_of < OWED_RETRY:
        return ""
    if (published / RECORD).exists():
        try:
            owed = Record.read(published).pending
        except PublishError:
            return f"its {RECORD} cannot be read (`statusgen notify` says why)"
        if any(owed.values()):
            return "notifications still owed to " + ", ".join(sorted(c for c, keys in owed.items() if keys))
    return ""
