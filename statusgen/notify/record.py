"""The record of what `statusgen notify` owes and delivered: `api/statusgen/notified.json` in the site.

It holds channel names, the ids of delivered messages, the keys of notices still owed to a channel
(`pending`) and the feeds last announced to the WebSub hub — never a URL or a secret. `notify`
reads it from the published site and from the new build together; it writes what it owes into
the new build before it sends anything, then again after each confirmed delivery, atomically;
`build` carries it over from the output it replaces, and `deploy` uploads it like any file. So
running `notify` twice sends nothing the second time, and a run killed half-way, run again,
sends each remaining message once.

A record that cannot be read is an error, not an empty record: reading it as empty would send
everything it says was delivered a second time.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from statusgen.errors import Problem, PublishError

RECORD = "api/statusgen/notified.json"
FORMAT = 1


@dataclass
class Record:
    """Message ids delivered and notice keys owed, per channel; the feeds the hub was told of."""

    delivered: dict[str, set[str]] = field(default_factory=dict)
    pending: dict[str, set[str]] = field(default_factory=dict)
    websub: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, *folders: Path) -> Record:
        """The records of some sites merged (a site without one adds nothing)."""
        record = cls()
        for folder in folders:
            path = folder / RECORD
            try:
                _refuse_links(folder, RECORD)
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                continue
            except (OSError, UnicodeDecodeError) as error:
                raise _unreadable(path, getattr(error, "strerror", None) or str(error)) from None
            record._merge(path, text)
        return record

    def _merge(self, path: Path, text: str) -> None:
        """Add a record file's contents (its shape checked) to this one."""
        try:
            data = json.loads(text)
        except ValueError as error:
            raise _unreadable(path, f"not JSON ({error})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise _unreadable(path, f"not a statusgen record of format {FORMAT}")
        for name, target in (("delivered", self.delivered), ("pending", self.pending)):
            found = data.get(name, {})
            if not isinstance(found, dict) or not all(
                isinstance(ids, list) and all(isinstance(i, str) for i in ids) for ids in found.values()
            ):
                raise _unreadable(path, f"its {name!r} is not channel names mapped to lists of strings")
            for channel, ids in found.items():
                target.setdefault(channel, set()).update(ids)
        websub = data.get("websub", [])
        if not isinstance(websub, list) or not all(isinstance(k, str) for k in websub):
            raise _unreadable(path, "its 'websub' is not a list of strings")
        self.websub.update(websub)

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
            "websub": sorted(self.websub),
        }
        return json.dumps(value, indent=1, sort_keys=True).encode() + b"\n"

    def save(self, site: Path) -> None:
        """Write the record into a built site, atomically (a kill leaves the old or the new one).

        The file is replaced, never written through (link mode's copies share files by hard
        links), and never through a symbolic link: one in its way is an error.
        """
        root = Path(os.path.realpath(site))
        target = root / RECORD
        _refuse_links(root, RECORD)
        if target.is_dir():
            raise _unreadable(target, "a folder stands where the record goes")
        target.parent.mkdir(parents=True, exist_ok=True)
        name = ""
        try:
            with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".notified-", delete=False) as handle:
                name = handle.name
                handle.write(self.to_bytes())
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(name, 0o644)  # (served like every other file of the site)
            os.replace(name, target)
        except BaseException:
            if name:
                Path(name).unlink(missing_ok=True)
            raise


def _refuse_links(root: Path, relative: str) -> None:
    """Refuse a symbolic link on the way from a site's folder to one of its files (a record read
    or written through one would reach outside the site)."""
    here = root
    for part in relative.split("/"):
        here = here / part
        try:
            if stat.S_ISLNK(os.lstat(here).st_mode):
                raise _unreadable(root / relative, f"{here} is a symbolic link; statusgen follows none")
        except FileNotFoundError:
            return


def _unreadable(path: Path, why: str) -> PublishError:
    """The error of a record that cannot be used."""
    return PublishError(
        [
            Problem(
                str(path),
                None,
                "",
                f"the record of delivered notifications cannot be used: {why}",
                "fix it, or delete it knowing that what it says was delivered may go again",
            )
        ]
    )
