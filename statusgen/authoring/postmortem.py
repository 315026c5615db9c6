"""The post-mortem (`statusgen postmortem`): the text after an incident's front matter, shown from
`postmortem_at`, written once the incident is resolved."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from statusgen.authoring.files import (
    CLOSING,
    cannot,
    locate,
    message_text,
    read_back,
    refuse,
    replace_file,
    stamp,
    translations_beside,
)
from statusgen.content import parse_incident, read_text
from statusgen.derive import derive_incident
from statusgen.models import Incident

_POSTMORTEM_KEY = re.compile(r"""["']?postmortem_at["']?[ \t]*:""")
_POSTMORTEM_LINE = re.compile(
    r"""postmortem_at[ \t]*:[ \t]*(?P<value>"[^"]*"|'[^']*'|[^\s#'"]+)[ \t]*(?:#.*)?"""
)
_AFTER = re.compile(r"(?:started|resolved)[ \t]*:.*")


def set_postmortem(path: Path, at: str, message: str) -> str:
    """The file's text with `message` as its body (what follows the front matter, replacing any)
    and `postmortem_at: <at>` in its front matter (its value replaced if the key is there, else on
    a line of its own after `started` or `resolved`), every other byte kept."""
    text = path.read_bytes().decode("utf-8")
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    closing = next((i for i, line in enumerate(lines[1:], 1) if CLOSING.fullmatch(line.rstrip("\r\n"))), None)
    if closing is None:
        raise refuse(str(path), "the front matter is never closed", line=1)
    body = "".join(f"{line}{newline}" for line in message_text(message).split("\n"))
    closing_line = lines[closing] if lines[closing].endswith("\n") else lines[closing] + newline
    front = lines[:closing]
    key = next((i for i in range(1, closing) if _POSTMORTEM_KEY.match(lines[i])), None)
    if key is not None:
        line = lines[key]
        found = _POSTMORTEM_LINE.fullmatch(line.rstrip("\r\n"))
        if found is None:
            raise refuse(
                str(path),
                "`postmortem_at` is written in a way this command does not change; write "
                "`postmortem_at: <date-time>` on one line",
                line=key + 1,
                field="postmortem_at",
            )
        front[key] = line[: found.start("value")] + at + line[found.end("value") :]
    else:
        after = [
            i
            for i in range(1, closing)
            if _AFTER.fullmatch(lines[i].rstrip("\r\n"))
            and (i + 1 == closing or not lines[i + 1][:1].isspace())  # (its value is on its line)
        ]
        insert = after[-1] + 1 if after else closing
        front.insert(insert, f"postmortem_at: {at}{newline}")
    return "".join(front) + closing_line + body


@dataclass(frozen=True)
class PostMortem:
    """What `write_postmortem` did: the file, when the post-mortem shows, what awaits translators."""

    path: Path
    at: datetime
    untranslated: tuple[Path, ...]


def write_postmortem(
    content_dir: Path, slug: str, message: str, now: datetime, replace: bool = False
) -> PostMortem:
    """Write an incident's post-mortem (the Markdown after its front matter) and stamp
    `postmortem_at` with `now` in the site's zone: the pages show it from then on.

    Refused, with nothing written: a maintenance (its text is its description), an incident not
    resolved as of `now` (a post-mortem follows the resolution), an empty message, and a file that
    already has a text after its front matter, unless `replace` (which also stamps it again).
    """
    path, entry, site = locate(content_dir, slug)
    shown = str(path)
    if not isinstance(entry, Incident):
        raise refuse(
            shown,
            "a maintenance has no post-mortem: the text after its front matter is its description",
            "edit it by hand",
        )
    at = stamp(now, site)
    state = derive_incident(dataclasses.replace(entry, draft=False), at, site)
    if state is None or state.ends is None:
        status = state.status if state is not None else f"not started until {entry.started.isoformat()}"
        raise refuse(
            shown,
            f"the incident is not resolved as of {at.isoformat()} ({status}); a post-mortem follows "
            "the resolution",
            f"resolve it first: statusgen resolve {entry.slug}",
            field="postmortem_at",
        )
    if entry.body.strip() and not replace:
        raise refuse(
            shown,
            "the incident already has a text after its front matter (a summary or a post-mortem)",
            "edit it by hand, or pass --replace to replace it and stamp postmortem_at again",
        )
    if not message.strip():
        raise refuse(shown, "write the post-mortem", "--message, --template or --editor", field="--message")
    for translation in translations_beside(path):
        if any(_POSTMORTEM_KEY.match(line) for line in read_text(translation, str(translation)).splitlines()):
            raise refuse(
                str(translation),
                "repeats `postmortem_at`, which must agree with the original's: stamping the post-mortem "
                "now would make the site fail to build",
                "remove the line from the translation (it takes the original's)",
                field="postmortem_at",
            )
    text = set_postmortem(path, at.isoformat(), message)
    updated = read_back(parse_incident, shown, text, site, "the post-mortem")
    if (
        not isinstance(updated, Incident)
        or updated.postmortem_at != at
        or updated.body != message_text(message) + "\n"
        or dataclasses.replace(updated, body=entry.body, postmortem_at=entry.postmortem_at) != entry
    ):
        raise cannot("the post-mortem", shown, "postmortem_at")
    replace_file(path, text)
    return PostMortem(path, at, translations_beside(path))
