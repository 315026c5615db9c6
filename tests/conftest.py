"""Shared fixtures: a fixed `now`, and writing small content folders from strings."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

import pytest

from statusgen.publish import MARKER, MARKER_TEXT

NOW = datetime.fromisoformat("2012-06-21T10:30:00-07:00")

SITE_YAML = """\
title: Test status
base_url: https://status.example.com/
timezone: America/Los_Angeles
components:
  - id: web
    name: Website
    group: Platform
  - id: api
    name: API
    group: Platform
  - id: mail
    name: E-mail
"""


def stylesheet(files: Iterable[str]) -> str:
    """The path of the default theme's stylesheet in a built site (its name carries its hash)."""
    (path,) = [p for p in files if re.fullmatch(r"static/style\.[0-9a-f]{10}\.css", p)]
    return path


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file under root (links to folders followed at the root), by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def read_site(root: Path) -> dict[str, bytes]:
    """A published site's files as the build made them and deploy uploads them: the tree without
    the marker the writer adds beside them (which must be there)."""
    tree = read_tree(root)
    assert tree.pop(MARKER, None) == MARKER_TEXT, f"{root} holds no marker"
    return tree


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `{relative path: text or bytes}` under root and return root."""
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


@pytest.fixture
def make_content(tmp_path: Path) -> Callable[..., Path]:
    """Create a content folder holding a default site.yaml plus the given files."""

    def make(files: dict[str, str | bytes] | None = None, site: str = SITE_YAML) -> Path:
        content = tmp_path / "content"
        write_tree(content, {"site.yaml": site, **(files or {})})
        return content

    return make


def incident_text(**fields: str) -> str:
    """An incident file with sensible defaults, overridden by `fields` (YAML source per key)."""
    values = {
        "title": "Website down",
        "started": "2012-06-21T09:00:00-07:00",
        "impact": "critical",
        "components": "[web]",
        **fields,
    }
    body = values.pop("body", "")
    front = "".join(f"{key}: {value}\n" for key, value in values.items() if value is not None)
    return f"---\n{front}---\n{body}"
