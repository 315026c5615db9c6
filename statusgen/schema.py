"""The JSON Schemas of the content (site.yaml, incident, maintenance and translation front matter)
shipped for editors, and the line that points a YAML file at one.

The schemas (draft 2020-12, in `statusgen/schemas/`) describe what the loader accepts as far as a
schema can; the loader (`statusgen check`) stays the authority. They use only keywords that mean the
same in draft-07, which some editors still validate with.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMAS = Path(__file__).parent / "schemas"
KINDS = ("site", "incident", "maintenance", "translation")
# Where `init` puts the site schema, relative to site.yaml (no content is read from there).
SITE_SCHEMA_PATH = "schemas/site.schema.json"
# The line editors using yaml-language-server (VS Code's YAML extension and others) read.
SITE_MODELINE = f"# yaml-language-server: $schema={SITE_SCHEMA_PATH}\n"


def schema_file(kind: str) -> Path:
    """The shipped schema file of `kind` (one of KINDS)."""
    if kind not in KINDS:
        raise ValueError(f"unknown schema {kind!r}; expected one of {', '.join(KINDS)}")
    return SCHEMAS / f"{kind}.schema.json"


def schema_text(kind: str) -> str:
    """The shipped schema of `kind`, as its JSON text."""
    return schema_file(kind).read_text(encoding="utf-8")


def load_schema(kind: str) -> dict[str, Any]:
    """The shipped schema of `kind`, parsed (JSON: any value)."""
    loaded: dict[str, Any] = json.loads(schema_text(kind))
    return loaded
