"""Message templates: `content/templates/<name>.md`, with `$title`, `$components` and `$time` filled in."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from babel.lists import format_list

from statusgen.authoring.files import refuse
from statusgen.content import read_text
from statusgen.errors import LINK_MESSAGE, did_you_mean
from statusgen.i18n import Formatter
from statusgen.models import Site

TEMPLATES_FOLDER = "templates"  # content/templates/<name>.md: message templates


def template_fields(site: Site, title: str, components: Sequence[str], now: datetime) -> dict[str, str]:
    """What message templates may use: $title, $components (their names, "Website and API", in the
    site's language) and $time (the local time and zone, "09:07 UTC+1")."""
    names = [c.name for cid in components for c in site.components if c.id == cid]
    listed = format_list(names, locale=site.language.replace("-", "_")) if names else site.title
    return {"title": title, "components": listed, "time": Formatter(site.language, site.timezone).time(now)}


def template_text(content_dir: Path, name: str, fields: dict[str, str]) -> str:
    """The message of `content/templates/<name>.md`, `$title`, `$components` and `$time` filled in."""
    folder = content_dir / TEMPLATES_FOLDER
    path = folder / f"{name}.md"
    link = next((p for p in (folder, path) if p.is_symlink()), None)
    if link is not None:  # (a template linked to a file outside the site would be published)
        raise refuse(str(link), LINK_MESSAGE, "put the file or folder itself here")
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name) or not path.is_file():
        available = sorted(p.stem for p in folder.glob("*.md")) if folder.is_dir() else []
        raise refuse(
            str(path),
            f"no message template named {name!r}; available: {', '.join(available) or 'none'}",
            did_you_mean(name, available) or f"write one in {folder}/{name}.md",
        )
    text = read_text(path, str(path))
    return string.Template(text).safe_substitute(fields).strip("\n")
