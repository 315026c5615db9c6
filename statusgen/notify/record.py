"""The record of what `statusgen notify` delivered: `api/statusgen/notified.json` in the site.

It holds channel names, message ids and the keys of notices a failing channel missed — never a URL
or a secret. `notify` reads it from the published site and from the new build together, and writes
it into the new build after each confirmed delivery (atomically); `build` carries it over from the
output it replaces, and `deploy` uploads it like any file. So running `notify` twice sends nothing
the second time, and a run killed half-way, run again, sends each remaining message once.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

RECORD = "api/statusgen/notified.json"
FORMAT = 1


@dataclass
class Record:
    """Message ids delivered, and notice keys missed, per channel."""

    delivered: dict[str, set[str]] = field(default_factory=dict)
    pending: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, *folders: Path) -> Record:
        """The records of some sites merged (a missing or unreadable one counts as empty)."""
        record = cls()
        for folder in folders:
            try:
                data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(data, dict):
                continue
            for name, target in (("delivered", record.delivered), ("pending", record.pending)):
                found = data.get(name)
                if isinstance(found, dict):
                    for channel, ids in found.items():
                        if isinstance(channel, str) and isinstance(ids, list):
                            target.setdefault(channel, set()).update(i for i in ids if isinstance(i, str))
        return record

    def has(self, channel: str, message_id: str) -> bool:
        """Whether a message was delivered to a channel."""
        return message_id in self.delivered.get(channel, set())

    def delivered_to(self, channel: str, message_id: str) -> None:
        """Note a confirmed delivery."""
        self.delivered.setdefault(channel, set()).add(message_id)

    def to_bytes(self) -> bytes:
        """The file's bytes: sorted, so the same record always reads the same."""
        value = {
            "format": FORMAT,
            "delivered": {c: sorted(ids) for c, ids in sorted(self.delivered.items()) if ids},
            "pending": {c: sorted(keys) for c, keys in sorted(self.pending.items()) if keys},
        }
        return json.dumps(value, indent=1, sort_keys=True).encode() + b"\n"

    def save(self, site: Path) -> None:
        """Write the record into a built site, atomically (a kill leaves the old or the new one).

        The file is replaced, never written through: link mode's copies share files by hard links.
        """
        target = Path(os.path.realpath(site)) / RECORD
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".notified-", delete=False) as handle:
            handle.write(self.to_bytes())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
