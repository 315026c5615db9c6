"""A new site (`statusgen init`): a commented `site.yaml`, an example incident (a draft), message
templates, a `.gitignore` and a CI workflow, written only where nothing exists."""

from __future__ import annotations

import string
from datetime import datetime, timedelta
from pathlib import Path

from statusgen import schema
from statusgen.authoring.files import quoted, refuse, stamp, write_new
from statusgen.content import parse_incident, parse_site
from statusgen.errors import AuthoringError, Problem

STARTER = Path(__file__).resolve().parent.parent / "starter"


def init_site(
    folder: Path,
    now: datetime,
    title: str = "Service status",
    base_url: str = "https://status.example.com/",
    language: str = "en",
    timezone: str = "UTC",
) -> list[Path]:
    """Start a site in `folder`: a commented `content/site.yaml` pointing editors at its schema
    (written beside it, `schema.SITE_SCHEMA_PATH`), one example incident (a draft, so that it
    cannot go live by mistake), message templates, a `.gitignore` (unless the folder has one: a
    repository's is kept) and a CI workflow; it builds at once. Nothing existing is replaced: if
    any of these files exists, nothing is written, and a failure while writing removes what was
    written. Returns the files written."""
    site_path = folder / "content" / "site.yaml"
    fields = {"title": quoted(title), "base_url": base_url, "language": language, "timezone": timezone}
    starter_site = (STARTER / "content" / "site.yaml").read_text(encoding="utf-8")
    site_text = schema.SITE_MODELINE + string.Template(starter_site).substitute(fields)
    site = parse_site(site_text, str(site_path))  # (a wrong zone, language or URL stops here)
    started = stamp(now - timedelta(days=1), site).replace(second=0)
    fields |= {"started": started.isoformat(), "resolved": (started + timedelta(minutes=35)).isoformat()}
    planned: dict[Path, str] = {}
    for source in sorted(STARTER.rglob("*")):
        if not source.is_file():
            continue
        relative = source.relative_to(STARTER).as_posix()
        text = source.read_text(encoding="utf-8")
        target = folder / relative
        if relative == "gitignore":
            target = folder / ".gitignore"
            if target.exists():
                continue
        elif relative == "workflow.yml":
            target = folder / ".github" / "workflows" / "status-page.yml"  # (no $-fields: taken as is)
        elif relative == "content/site.yaml":
            text = site_text
        elif relative == "content/incidents/example.md":
            text = string.Template(text).substitute(fields)
            target = target.with_name(f"{started.date().isoformat()}-example.md")
            parse_incident(text, str(target), site)
        planned[target] = text  # (message templates keep their $-fields: filled when used)
    planned[site_path.parent / schema.SITE_SCHEMA_PATH] = schema.schema_text("site")
    blocked = [
        path
        for path in planned
        if path.exists() or any(parent.exists() and not parent.is_dir() for parent in path.parents)
    ]
    if blocked:
        message = "exists already (or a file is where a folder goes); init writes only new files"
        raise AuthoringError(
            [Problem(str(path), None, "", message, "choose an empty folder") for path in blocked]
        )
    written: list[Path] = []
    try:
        for path, text in planned.items():
            write_new(path, text)
            written.append(path)
    except OSError as error:
        for path in written:
            path.unlink(missing_ok=True)
        raise refuse(str(error.filename or folder), f"cannot write: {error.strerror or error}") from None
    return written
