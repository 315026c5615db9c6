"""Compare the shipped JSON Schemas with the loader: the problems each finds in a content folder, as
(file, field) pairs in the loader's notation (`updates[1].at`).

Documents are read the way statusgen reads them (its decoder, front matter splitter and strict YAML
loader: timestamps stay text), with any key YAML reads as something other than text (`yes:`, `0x10:`)
shown as written, as the loader names it and as an editor reading YAML 1.2 sees it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from statusgen import ContentError, load_content
from statusgen.frontmatter import SourceMap, decode, load_yaml, split
from statusgen.schema import load_schema

Field = tuple[str, str]  # (the file as the loader shows it, the field such as updates[1].at)


def validator(kind: str, branch: str = "") -> jsonschema.Draft202012Validator:
    """A validator of the shipped schema `kind` with format checking; `branch` picks one of the
    translation schema's two kinds ("incident" or "maintenance")."""
    schema = _false_as_not(load_schema(kind))
    if branch:
        schema = {key: value for key, value in schema.items() if key != "anyOf"}
        schema["$ref"] = f"#/$defs/{branch}"
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _false_as_not(schema: object) -> Any:
    """The schema with each `false` property schema written `{"not": {}}`, which means the same:
    jsonschema reports an error of a `false` property at the object, not at the property."""
    if isinstance(schema, dict):
        return {
            key: (
                {name: {"not": {}} if sub is False else _false_as_not(sub) for name, sub in value.items()}
                if key == "properties"
                else _false_as_not(value)
            )
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_false_as_not(item) for item in schema]
    return schema


def kind_of(relative: str) -> tuple[str, str] | None:
    """The schema (and translation branch) of a content file, by its path in the content folder."""
    if relative == "site.yaml":
        return "site", ""
    folder, _, rest = relative.partition("/")
    entry = {"incidents": "incident", "maintenance": "maintenance"}.get(folder)
    if entry is None or not rest.endswith(".md"):
        return None
    name = rest.rsplit("/", 1)[-1].removesuffix(".md")
    return ("translation", entry) if "." in name else (entry, "")


def read_document(path: Path, shown: str) -> object:
    """A content file's YAML (site.yaml, or a front matter) as statusgen loads it, keys as written;
    ContentError when statusgen cannot load it."""
    text = decode(shown, path.read_bytes())
    if shown.endswith(".md"):
        document = split(shown, text)
        return as_written(load_yaml(shown, document.front, document.front_line), SourceMap(document.front))
    return as_written(load_yaml(shown, text), SourceMap(text))


def as_written(value: object, source: SourceMap, keys: tuple[object, ...] = ()) -> object:
    """`value` with every mapping key that is not text replaced by the key as written."""
    if isinstance(value, dict):
        return {
            (key if isinstance(key, str) else source.key_text((*keys, key)) or str(key)): as_written(
                item, source, (*keys, key)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [as_written(item, source, (*keys, index)) for index, item in enumerate(value)]
    return value


def field_name(keys: Iterator[object] | list[object]) -> str:
    """A key path in the loader's notation: `updates[1].at`."""
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def error_fields(error: ValidationError) -> list[str]:
    """The fields a schema error is about, as the loader would name them: the missing or unknown
    key of an object, the later copy of a repeated item, the key that is not a valid name."""
    path = list(error.absolute_path)
    if error.validator == "required":
        return [field_name([*path, key]) for key in error.validator_value if key not in error.instance]
    if error.validator == "additionalProperties" and error.validator_value is False:
        known = error.schema.get("properties", {})
        return [field_name([*path, key]) for key in error.instance if key not in known]
    if error.validator == "uniqueItems":
        items = error.instance
        return [field_name([*path, index]) for index, item in enumerate(items) if item in items[:index]]
    if "propertyNames" in error.relative_schema_path:
        return [field_name([*path, error.instance])]
    return [field_name(path)]


def documents(content: Path) -> Iterator[tuple[str, Path, str, str]]:
    """(path as the loader shows it, file, schema, translation branch) of each content file."""
    shown_root = content.as_posix().rstrip("/")
    files = [content / "site.yaml"] if (content / "site.yaml").is_file() else []
    for folder in ("incidents", "maintenance"):
        if (content / folder).is_dir():
            files += sorted(p for p in (content / folder).rglob("*.md") if p.is_file())
    for path in files:
        relative = path.relative_to(content).as_posix()
        found = kind_of(relative)
        if found and not any(part.startswith(".") for part in relative.split("/")):
            yield f"{shown_root}/{relative}", path, *found


def schema_problems(content: Path) -> set[Field]:
    """What the schemas find in a content folder: (file, field) for every error (files statusgen
    cannot load as YAML are left to the loader)."""
    found: set[Field] = set()
    for shown, path, kind, branch in documents(content):
        try:
            data = read_document(path, shown)
        except ContentError:
            continue
        for error in validator(kind, branch).iter_errors(data):
            found.update((shown, name) for name in error_fields(error))
    return found


def loader_problems(content: Path) -> set[Field]:
    """What the loader (`statusgen check`) finds in a content folder: (file, field) for every error."""
    try:
        load_content(content)
    except ContentError as error:
        return {(problem.path, problem.field) for problem in error.problems if not problem.warning}
    return set()
