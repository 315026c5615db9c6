"""Problems in the forms CI reads: GitHub Actions annotations, so a pull request shows each content
error on its line, and JSON for other tools (`statusgen check --format github|json`)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from statusgen.errors import Problem

FORMATS = ("text", "github", "json")


def _escaped(text: str, property_value: bool = False) -> str:
    """Text escaped as GitHub's workflow commands need it (and more in a property's value)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def github(problem: Problem) -> str:
    """One `::error file=…,line=…,title=…::message` line (`::warning` for a warning)."""
    kind = "warning" if problem.warning else "error"
    properties = [f"file={_escaped(_relative(problem.path), True)}"]
    if problem.line:
        properties.append(f"line={problem.line}")
    if problem.field:
        properties.append(f"title={_escaped(problem.field, True)}")
    message = f"{problem.message} ({problem.hint})" if problem.hint else problem.message
    return f"::{kind} {','.join(properties)}::{_escaped(message)}"


def _relative(path: str) -> str:
    """A file's path from the working folder (GitHub places annotations by the path from the
    repository's root, where CI runs), as given when it lies elsewhere."""
    if not os.path.isabs(path):
        return path
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative.replace(os.sep, "/")


def as_json(problems: Sequence[Problem], files: int | None = None) -> str:
    """Every problem as JSON: `{"valid": …, "errors": [...], "warnings": [...]}`, each with its
    path, line, field, message and hint."""

    def shown(problem: Problem) -> dict[str, object]:
        return {
            "path": problem.path,
            "line": problem.line,
            "field": problem.field,
            "message": problem.message,
            "hint": problem.hint,
        }

    errors = [shown(p) for p in problems if not p.warning]
    value: dict[str, object] = {
        "valid": not errors,
        "errors": errors,
        "warnings": [shown(p) for p in problems if p.warning],
    }
    if files is not None:
        value["files"] = files
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def formatted(problems: Sequence[Problem], output_format: str, files: int | None = None) -> str:
    """Problems as GitHub annotations (one per line; none, nothing) or as JSON (`as_json`)."""
    if output_format == "github":
        return "".join(github(problem) + "\n" for problem in problems)
    return as_json(problems, files)
