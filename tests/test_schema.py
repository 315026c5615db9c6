"""The JSON Schemas for editors agree with the loader: on every valid fixture (golden sites, the
example, the starter site), on every invalid fixture whose rule a schema can express, and on targeted
cases; `statusgen schema` prints them, `init` points site.yaml at one, and a pre-commit hook runs
`statusgen check`."""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from calendar import isleap
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from statusgen import ContentError, check, load_content, parse_incident, parse_site
from statusgen.cli import main
from statusgen.content import EARLIEST, LATEST, content_files
from statusgen.content.incidents import (
    INCIDENT_KEYS,
    INCIDENT_UPDATE_KEYS,
    MAINTENANCE_KEYS,
    UPDATE_KEYS,
    WINDOW_KEYS,
)
from statusgen.content.reader import SLUG_PATTERN
from statusgen.content.site import (
    CACHE_KEYS,
    COMPONENT_ID_PATTERN,
    COMPONENT_KEYS,
    FEEDS_KEYS,
    LANGUAGE_PATTERN,
    SITE_KEYS,
    UPTIME_KEYS,
)
from statusgen.models import (
    DEFAULT_DOWNTIME_WEIGHTS,
    ComponentStatus,
    Impact,
    IncidentStatus,
    MaintenanceStatus,
    Site,
)
from statusgen.schema import KINDS, SITE_MODELINE, SITE_SCHEMA_PATH, load_schema, schema_file
from tests.conftest import write_tree
from tests.schema_agreement import (
    Field,
    documents,
    loader_problems,
    read_document,
    schema_problems,
    validator,
)

ROOT = Path(__file__).parent.parent
INVALID = ROOT / "tests" / "invalid"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

# ---------------------------------------------------------------- the schemas themselves

# Keywords that mean the same in draft 2020-12 and draft-07 (VS Code's JSON and older YAML language
# servers validate with draft-07 rules; `$defs` is only a place that `$ref` pointers reach), and the
# annotations editors read (`patternErrorMessage` is VS Code's and yaml-language-server's).
VALIDATION = {
    "type", "enum", "const", "pattern", "minimum", "maximum", "minItems", "uniqueItems", "items",
    "minProperties", "properties", "required", "additionalProperties", "propertyNames", "anyOf",
    "if", "then", "$ref",
}  # fmt: skip
ANNOTATIONS = {"title", "description", "default", "examples", "$comment", "patternErrorMessage"}
ROOT_ONLY = {"$schema", "$defs"}


def subschemas(schema: object, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object inside `schema`, with where it is (a JSON pointer)."""
    if not isinstance(schema, dict):
        return
    yield where, schema
    for key in ("properties", "$defs"):
        for name, sub in schema.get(key, {}).items():
            yield from subschemas(sub, f"{where}/{key}/{name}")
    for key in ("items", "additionalProperties", "propertyNames", "if", "then"):
        yield from subschemas(schema.get(key), f"{where}/{key}")
    for index, sub in enumerate(schema.get("anyOf", [])):
        yield from subschemas(sub, f"{where}/anyOf/{index}")


@pytest.mark.parametrize("kind", KINDS)
def test_each_schema_is_draft_2020_12_with_a_title_and_description_on_every_property(kind: str) -> None:
    """Valid against the 2020-12 meta-schema; every property has a title and a description (editors
    show them); only keywords that mean the same in draft-07; a `$ref` has only annotations beside it."""
    schema = load_schema(kind)
    assert schema["$schema"] == DRAFT_2020_12 and schema["title"] and schema["description"]
    jsonschema.Draft202012Validator.check_schema(schema)
    for where, sub in subschemas(schema):
        assert set(sub) <= VALIDATION | ANNOTATIONS | (ROOT_ONLY if not where else set()), where
        if "$ref" in sub:
            assert set(sub) - {"$ref"} <= ANNOTATIONS, where
            assert sub["$ref"].removeprefix("#/$defs/") in schema["$defs"], where
        if "/if" in where or "/then" in where:
            continue  # (conditions on properties declared elsewhere)
        for name, prop in sub.get("properties", {}).items():
            assert prop.get("title") and prop.get("description"), f"{where}/properties/{name}"


def properties(kind: str, *path: str) -> list[str]:
    """The property names of the schema object at `path` (under the schema of `kind`)."""
    node: Any = load_schema(kind)
    for part in path:
        node = node[part]
    return list(node["properties"])


def test_the_schemas_name_the_loaders_keys() -> None:
    """Every mapping the loader reads has the same keys in the schemas (unknown keys are refused by both)."""
    assert properties("site") == list(SITE_KEYS)
    assert properties("site", "$defs", "component") == list(COMPONENT_KEYS)
    assert properties("site", "properties", "uptime") == list(UPTIME_KEYS)
    assert properties("site", "properties", "feeds") == list(FEEDS_KEYS)
    assert properties("site", "properties", "cache") == list(CACHE_KEYS)
    assert properties("site", "properties", "uptime", "properties", "weights") == list(ComponentStatus)
    assert properties("incident") == list(INCIDENT_KEYS)
    assert properties("incident", "$defs", "incidentUpdate") == list(INCIDENT_UPDATE_KEYS)
    assert properties("maintenance") == list(MAINTENANCE_KEYS)
    assert properties("maintenance", "$defs", "maintenanceUpdate") == list(UPDATE_KEYS)
    assert properties("maintenance", "$defs", "window") == list(WINDOW_KEYS)
    assert properties("translation", "$defs", "incident") == list(INCIDENT_KEYS)
    assert properties("translation", "$defs", "maintenance") == list(MAINTENANCE_KEYS)
    assert properties("translation", "$defs", "translatedIncidentUpdate") == list(INCIDENT_UPDATE_KEYS)
    assert properties("translation", "$defs", "translatedMaintenanceUpdate") == list(UPDATE_KEYS)
    for kind in KINDS:
        for _, sub in subschemas(load_schema(kind)):
            if "properties" in sub and sub.get("type") in ("object", ["object", "null"]):
                assert sub.get("additionalProperties") is False  # (as the loader: no unknown key)


def test_the_schemas_use_the_loaders_values_patterns_and_defaults() -> None:
    """Enums are the models' StrEnums; ids, theme names and language tags use the loader's patterns;
    defaults are the Site model's."""
    incident, maintenance, site = load_schema("incident"), load_schema("maintenance"), load_schema("site")
    defs: Any = incident["$defs"]
    assert defs["impact"]["enum"] == list(Impact)
    assert defs["incidentUpdate"]["properties"]["status"]["enum"] == list(IncidentStatus)
    assert defs["incidentComponentStatus"]["enum"] == [
        s for s in ComponentStatus if s is not ComponentStatus.UNDER_MAINTENANCE
    ]
    assert maintenance["$defs"]["maintenanceUpdate"]["properties"]["status"]["enum"] == list(
        MaintenanceStatus
    )
    assert defs["componentId"]["pattern"] == f"^{COMPONENT_ID_PATTERN.pattern}$"
    props: Any = site["properties"]
    assert site["$defs"]["component"]["properties"]["id"]["pattern"] == f"^{COMPONENT_ID_PATTERN.pattern}$"
    assert props["theme"]["pattern"] == f"^{SLUG_PATTERN.pattern}$"
    assert site["$defs"]["language"]["pattern"] == f"^{LANGUAGE_PATTERN.pattern}$"
    model = Site(path="site.yaml", title="t", base_url="https://status.example.com/", components=())
    assert props["language"]["default"] == model.language and props["timezone"]["default"] == model.timezone
    assert props["theme"]["default"] == model.theme and props["recent_days"]["default"] == model.recent_days
    assert props["uptime"]["properties"]["days"]["default"] == model.uptime_days
    assert props["feeds"]["properties"]["entries"]["default"] == model.feed_entries
    assert props["cache"]["properties"]["max_age"]["default"] == model.cache_max_age
    assert props["cache"]["properties"]["stale"]["default"] == model.cache_stale
    weights = props["uptime"]["properties"]["weights"]["properties"]
    assert {status: weights[status]["default"] for status in weights} == DEFAULT_DOWNTIME_WEIGHTS


def test_definitions_shared_by_the_schemas_are_the_same_in_each() -> None:
    """A date-time, a text, an id or an impact means one thing in every schema."""
    seen: dict[str, tuple[str, object]] = {}
    for kind in KINDS:
        for name, definition in load_schema(kind)["$defs"].items():
            first = seen.setdefault(name, (kind, definition))
            assert definition == first[1], f"$defs/{name} differs between {first[0]} and {kind}"


def test_every_iana_time_zone_name_matches_the_timezone_pattern() -> None:
    """The time zone pattern checks the form only: no zone the loader accepts is refused."""
    from zoneinfo import available_timezones

    pattern = load_schema("site")["properties"]["timezone"]["pattern"]
    assert all(re.search(pattern, name) for name in available_timezones())


# ---------------------------------------------------------------- valid fixtures


def starter_content(tmp_path: Path) -> Path:
    """The content folder `statusgen init` writes."""
    result = CliRunner().invoke(main, ["init", str(tmp_path / "status")])
    assert result.exit_code == 0, result.output
    return tmp_path / "status" / "content"


def golden(site: Path) -> Callable[[Path], Path]:
    """The content folder of a golden site."""
    return lambda tmp_path: site / "content"


VALID: dict[str, Callable[[Path], Path]] = {
    "example": lambda tmp_path: ROOT / "content",
    **{f"golden-{site.name}": golden(site) for site in sorted((ROOT / "tests" / "sites").iterdir())},
    "starter": starter_content,
    "invalid-fixtures-site": lambda tmp_path: write_tree(
        tmp_path / "c", {"site.yaml": (INVALID / "site.yaml").read_text(encoding="utf-8")}
    ),
}


@pytest.mark.parametrize("name", VALID)
def test_valid_fixtures_pass_the_schemas(name: str, tmp_path: Path) -> None:
    """Every file of a site the loader accepts passes its schema; a translation passes the
    translation schema whole and the branch of its kind."""
    content = VALID[name](tmp_path)
    assert loader_problems(content) == set()
    found = list(documents(content))
    assert found and found[0][2] == "site"
    assert schema_problems(content) == set()
    for shown, path, kind, _ in found:
        if kind == "translation":
            assert not list(validator(kind).iter_errors(read_document(path, shown))), shown


# ---------------------------------------------------------------- invalid fixtures

_UNREADABLE = "statusgen cannot load the file as a YAML document, so no schema sees it"
# Every problem of tests/invalid/* that the schemas do not report, and why no schema can. Every
# other problem the loader reports, a schema reports too (same file, same field), and nothing else.
NOT_EXPRESSED: dict[str, dict[Field, str]] = {
    "aliases": {("content/incidents/bomb.md", ""): f"{_UNREADABLE}: anchors and aliases are refused"},
    "bad-slug": {("content/incidents/panne-été.md", ""): "the slug is the file's name, not in the document"},
    "deep-nesting": {("content/incidents/deep.md", ""): f"{_UNREADABLE}: nested too deeply"},
    "duplicate-key": {
        ("content/incidents/twice.md", ""): f"{_UNREADABLE}: a parsed mapping has one value a key"
    },
    "duplicate-slugs": {
        ("content/incidents/2013/outage.md", ""): "slugs of two files: a schema sees one document"
    },
    "empty-file": {("content/incidents/empty.md", ""): f"{_UNREADABLE}: no front matter"},
    "entry-folder-is-a-file": {
        ("content/incidents", ""): "the folder layout is in no document",
        ("content/maintenance", ""): "the folder layout is in no document",
    },
    "explicit-tags": {("content/incidents/tags.md", ""): f"{_UNREADABLE}: a tag that cannot read its value"},
    "missing-site": {("content/site.yaml", ""): "a missing file is no document"},
    "no-front-matter": {("content/incidents/plain.md", ""): f"{_UNREADABLE}: no front matter"},
    "not-utf8": {("content/incidents/latin1.md", ""): f"{_UNREADABLE}: not UTF-8"},
    "python-tag": {("content/incidents/tag.md", ""): f"{_UNREADABLE}: a Python tag is refused"},
    "unterminated-front-matter": {("content/incidents/open.md", ""): f"{_UNREADABLE}: no closing ---"},
    "yaml-syntax": {("content/incidents/broken.md", ""): f"{_UNREADABLE}: invalid YAML"},
    "maintenance-ends-before-start": {
        ("content/maintenance/window.md", "end"): "comparing two date-times (JSON Schema compares none)"
    },
    "resolved-before-started": {
        ("content/incidents/backwards-update.md", "updates[0].at"): "comparing two date-times",
        ("content/incidents/backwards.md", "resolved"): "comparing two date-times",
    },
    "site-config": {
        (
            "content/site.yaml",
            "timezone",
        ): "which zones exist is the time zone database's (the schema checks the form)",
        ("content/site.yaml", "components[2].id"): "unique ids: uniqueItems compares whole components",
    },
    "unknown-component": {
        ("content/incidents/unknown.md", "components[1]"): "the ids are defined in another file, site.yaml"
    },
}


def invalid_case(name: str, tmp_path: Path) -> Path:
    """The content folder of the invalid fixture `name`, as tests/test_invalid_sites.py lays it out."""
    case = INVALID / name
    shutil.copytree(case / "content", tmp_path / "content")
    if not (tmp_path / "content" / "site.yaml").exists() and not (case / "NO_SITE").exists():
        shutil.copy(INVALID / "site.yaml", tmp_path / "content" / "site.yaml")
    return tmp_path / "content"


def relative(found: set[Field], root: Path) -> set[Field]:
    """The fields with their files shown relative to `root`'s parent (content/…)."""
    prefix = root.parent.as_posix() + "/"
    return {(path.removeprefix(prefix), name) for path, name in found}


def assert_agreement(content: Path, not_expressed: dict[Field, str]) -> None:
    """The schemas report exactly what the loader reports, less what they cannot express."""
    loader = relative(loader_problems(content), content)
    schema = relative(schema_problems(content), content)
    if any(path.endswith("site.yaml") for path, _ in loader):
        schema = {found for found in schema if found[0].endswith("site.yaml")}  # (the loader stops there)
    assert loader, "the loader accepts this content"
    assert set(not_expressed) <= loader, "an entry of NOT_EXPRESSED is no longer a problem: remove it"
    assert schema == loader - set(not_expressed)


@pytest.mark.parametrize("name", sorted(p.name for p in INVALID.iterdir() if p.is_dir()))
def test_invalid_fixtures_fail_their_schemas_where_a_schema_can_say_so(name: str, tmp_path: Path) -> None:
    """Each problem of each broken site is also a schema error on the same field, unless it is listed
    with the reason no schema can express it."""
    assert_agreement(invalid_case(name, tmp_path), NOT_EXPRESSED.get(name, {}))


# ---------------------------------------------------------------- targeted cases

SITE = """\
title: Status
base_url: https://status.example.com/
languages: [en, fr]
components:
  - id: web
    name: {en: Website, fr: Site web}
  - id: api
    name: API
"""
INCIDENT = """\
---
title: Down
started: 2012-06-21T09:00:00Z
impact: major
components: [web]
updates:
  - at: 2012-06-21T09:10:00Z
    status: investigating
    body: Looking.
  - at: 2012-06-21T10:00:00Z
    status: resolved
    body: Fixed.
---
"""
MAINTENANCE = """\
---
title: Upgrade
start: 2012-06-28T22:00:00Z
end: 2012-06-28T23:00:00Z
components: [api]
updates:
  - at: 2012-06-25T10:00:00Z
    status: scheduled
    body: Planned.
---
"""


@dataclass(frozen=True)
class Case:
    """Content files (beside SITE, unless the case gives site.yaml) and what no schema can express."""

    files: dict[str, str]
    not_expressed: dict[str, str] = field(default_factory=dict)  # "file field" -> why


def site(extra: str = "", **replaced: str) -> dict[str, str]:
    """SITE with some top-level lines replaced (`key=None` removes nothing) and `extra` appended."""
    text = SITE
    for key, value in replaced.items():
        text = re.sub(rf"^{key}:.*$", f"{key}: {value}", text, flags=re.MULTILINE)
    return {"site.yaml": text + extra}


def front(text: str, **replaced: str) -> str:
    """An entry's text with top-level fields replaced (or added before the closing ---)."""
    for key, value in replaced.items():
        line = f"{key}: {value}"
        if re.search(rf"^{key}:", text, flags=re.MULTILINE):
            text = re.sub(rf"^{key}:(.*\n(  .*\n)*)", line + "\n", text, count=1, flags=re.MULTILINE)
        else:
            text = text[:-4] + line + "\n---\n"
    return text


def incident(**replaced: str) -> dict[str, str]:
    """incidents/down.md: INCIDENT with fields replaced."""
    return {"incidents/down.md": front(INCIDENT, **replaced)}


def maintenance(**replaced: str) -> dict[str, str]:
    """maintenance/upgrade.md: MAINTENANCE with fields replaced."""
    return {"maintenance/upgrade.md": front(MAINTENANCE, **replaced)}


V2_UPDATES = """
  - at: 2012-06-21T09:10:00Z
    status: investigating
    body: Looking.
  - at: 2012-06-21T09:30:00Z
    status: identified
    impact: critical
    components: {web: major_outage, api: degraded_performance}
    body: Worse.
  - at: 2012-06-21T09:40:00Z
    status: monitoring
    components: [api]
    body: Better.
  - at: 2012-06-21T10:00:00Z
    status: resolved
    body: Fixed."""

BILINGUAL_SCRIPTS = SITE.replace("[en, fr]", "[zh-Hant-TW, es-419, pt-BR]").replace(
    "{en: Website, fr: Site web}", "{zh-Hant-TW: 網站, pt-BR: Site}"
)
DOCUMENTED_FORMS = (
    front(INCIDENT, started="2012-06-21 09:00", resolved="2012-06-21t12:00:00.5+02:00")
    .replace("2012-06-21T09:10:00Z", "2012-06-21T02:10:00,25-0700")
    .replace("2012-06-21T10:00:00Z", "2012-06-21T03:00-07")
)
TRANSLATED_INCIDENT = """\
---
title: Panne
started: 2012-06-21T09:00:00Z
impact: major
components: {web: partial_outage}
updates:
  - body: On cherche.
    status: investigating
  - body: Pire.
    impact: critical
    components: [api, web, api]
---
Le corps.
"""
TRANSLATED_MAINTENANCE = """\
---
title: Mise à jour
components: [api, api]
rescheduled: ~
updates:
  - body: Prévu.
    at: 2012-06-25T10:00:00Z
---
"""

# Content the loader accepts: every schema must accept it too.
ACCEPTED = {
    "site texts written as numbers and booleans": Case(site(description="yes", title="2012")),
    "site texts per language, optional ones empty": Case(
        site("  - id: mail\n    name: {en: Mail, fr: Courriel}\n    group: {en: ~}\n    description:\n")
    ),
    "every optional site key": Case(
        site(
            "language: en\ntimezone: Europe/Paris\ntheme: my-theme_2\ndescription: {en: Live, fr: Direct}\n"
            "recent_days: 0\nfeeds: {entries: 10000}\ncache: {max_age: 0, stale: 86400}\n"
            "uptime:\n  days: 3650\n  weights: {operational: 0, under_maintenance: 0.5,"
            " degraded_performance: 0.1, partial_outage: 0.3, major_outage: 1}\n"
        )
    ),
    "uptime written as nothing": Case(site("uptime:\n")),
    "languages with a script and a region": Case({"site.yaml": BILINGUAL_SCRIPTS}),
    **{
        f"base_url {url}": Case(site(base_url=url))
        for url in (
            "http://localhost:8080/status/",
            "https://[2001:db8::1]:8443/",
            "HTTPS://Status.Example.COM",
            "https://xn--bcher-kva.example./a%20b/c@d;e=f/",
            "https://127.0.0.1",
            "https://status.example.com:0443/",
        )
    },
    "an incident with the v2 fields": Case(
        {
            "incidents/down.md": front(INCIDENT, updates=V2_UPDATES, postmortem_at="2012-06-22T09:00:00Z")
            + "Post.\n"
        }
    ),
    "an incident's components as a mapping, nothing, or none": Case(
        incident(components="{web: partial_outage, api: operational}")
        | {"incidents/other.md": front(INCIDENT, components="~", updates="~", draft="True")}
        | {"incidents/empty.md": front(INCIDENT, components="{}", updates="[]", draft="false")}
    ),
    "date-times in every documented form": Case({"incidents/down.md": DOCUMENTED_FORMS}),
    "a maintenance with everything": Case(
        maintenance(
            components="~",
            rescheduled="\n  - start: 2012-06-27T22:00:00Z\n    end: 2012-06-27T23:00:00Z",
            draft="true",
        )
    ),
    "translations repeating facts that agree, components in any order and repeated": Case(
        incident(updates=V2_UPDATES)
        | {"incidents/down.fr.md": TRANSLATED_INCIDENT}
        | maintenance()
        | {"maintenance/upgrade.fr.md": TRANSLATED_MAINTENANCE}
    ),
}


@pytest.mark.parametrize("name", ACCEPTED)
def test_what_the_loader_accepts_every_schema_accepts(name: str, tmp_path: Path) -> None:
    """No schema error on content the loader takes (no false alarm in an editor)."""
    content = write_tree(tmp_path / "content", {"site.yaml": SITE, **ACCEPTED[name].files})
    assert loader_problems(content) == set()
    assert schema_problems(content) == set()


def _refused() -> dict[str, Case]:
    """Content the loader refuses, and what of it no schema can express."""
    cases = {
        # site.yaml
        "an unknown site key": Case(site("staus: ok\n")),
        "no language": Case(site(languages="[]")),
        "a language listed twice": Case(site(languages="[en, fr, en]")),
        "a language tag in the wrong case": Case(site(languages="[EN, fr]")),
        "a blank title": Case(site(title="'  \u200b'")),
        "a title per language, empty": Case(site(title="{}")),
        "a title per language, one blank": Case(site(title="{en: Status, fr: ' '}")),
        "a title per language, a key not a tag": Case(site(title="{en: Status, French: Statut}")),
        "no component": Case({"site.yaml": SITE.split("components:")[0] + "components: []\n"}),
        "a component with an unknown key": Case(site("  - {id: mail, name: Mail, colour: red}\n")),
        "a component id with capitals": Case(site("  - {id: Mail, name: Mail}\n")),
        "a component without an id": Case(site("  - {name: Mail}\n")),
        "numbers out of range": Case(
            site(
                "recent_days: -1\nfeeds: {entries: 0}\ncache: {max_age: 86401, stale: 1.5}\n"
                "uptime: {days: 0}\n"
            )
        ),
        "a whole number written with a fraction": Case(site("recent_days: 7.5\n")),
        "cache and feeds as nothing": Case(site("cache:\nfeeds:\n")),
        "an unknown weight and a weight not a number": Case(
            site("uptime:\n  weights: {outage: 1, major_outage: true, partial_outage: '0.3'}\n")
        ),
        "a theme name with a space": Case(site("theme: My Theme\n")),
        "a time zone with a space": Case(site("timezone: Europe/Le Havre\n")),
        # Not expressible in site.yaml.
        "a language babel does not know": Case(
            site(languages="[en, xx]"), {"site.yaml languages[1]": "which languages exist is Babel's"}
        ),
        "language and languages disagree": Case(
            site("language: fr\n"), {"site.yaml language": "comparing two values (language, languages[0])"}
        ),
        "a text in a language the site does not have": Case(
            site(title="{en: Status, de: Status}"),
            {"site.yaml title.de": "the site's languages are another key's"},
        ),
        "a text per language without the default": Case(
            site(title="{fr: Statut}"),
            {"site.yaml title": "the default language is another key's first item"},
        ),
        "a time zone that does not exist": Case(
            site("timezone: Mars/Olympus\n"), {"site.yaml timezone": "the time zone database's names"}
        ),
        "a whole number written as 7.0": Case(
            site("recent_days: 7.0\n"), {"site.yaml recent_days": "JSON numbers: 7.0 is the integer 7"}
        ),
        "an IPv4 address out of range": Case(
            site(base_url="https://999.1.1.1/"),
            {"site.yaml base_url": "the value of each part of an address"},
        ),
        "duplicate component ids": Case(
            site("  - {id: api, name: API 2}\n"),
            {"site.yaml components[2].id": "uniqueItems compares whole components, not their ids"},
        ),
        # incidents
        "an update with an unknown key, another without at": Case(
            {
                "incidents/down.md": INCIDENT.replace(
                    "    status: investigating", "    staus: investigating"
                ).replace("  - at: 2012-06-21T10:00:00Z\n", "  -\n")
            }
        ),
        "a resolved update with impact and components": Case(
            {
                "incidents/down.md": INCIDENT.replace(
                    "    status: resolved\n",
                    "    status: resolved\n    impact: none\n    components: {web: operational}\n",
                )
            }
        ),
        "an update naming no component": Case(
            {
                "incidents/down.md": INCIDENT.replace(
                    "    status: investigating\n", "    status: investigating\n    components: []\n"
                )
            }
            | {
                "incidents/other.md": INCIDENT.replace(
                    "    status: investigating\n", "    status: investigating\n    components: {}\n"
                )
            }
        ),
        "components listed twice or misspelt": Case(
            incident(components="[web, web]")
            | {
                "incidents/other.md": front(
                    INCIDENT, components="{Web: major_outage, api: under_maintenance}"
                )
            }
        ),
        "wrong values": Case(
            incident(impact="Minor", draft="1", title="''", updates="{}")
            | {"incidents/other.md": front(INCIDENT, resolved="", updates="[just text]")}
        ),
        "an update's body missing or empty": Case(
            {
                "incidents/down.md": INCIDENT.replace("    body: Looking.", "    body:").replace(
                    "    body: Fixed.", "    body: ' '"
                )
            }
        ),
        **{
            f"the date-time {value}": Case(incident(started=value))
            for value in (
                "2012-06-21T24:00",
                "2012-13-01T09:00",
                "2012-04-31T09:00",
                "2012-06-21",
                "2012-06-21T9:00",
                "21/06/2012 09:00",
                "2012-06-21T09:00:00z",
                "2012-06-21T09:00:00+24:00",
                "1969-12-31T23:59:59Z",
                "9000-01-01T00:00:00Z",
                "'20120621'",
                "1340269200",
            )
        },
        # Not expressible in incidents.
        "a component site.yaml does not define": Case(
            incident(components="[db]"), {"incidents/down.md components[0]": "site.yaml defines the ids"}
        ),
        "draft: yes": Case(
            incident(draft="yes"),
            {"incidents/down.md draft": "YAML 1.1 reads yes as true; only how it is written differs"},
        ),
        "29 February of a year that is not a leap year": Case(
            incident(started="2013-02-29T09:00:00Z"),
            {"incidents/down.md started": "leap years (the pattern checks month lengths only)"},
        ),
        "a date-time that leaves the range by its offset": Case(
            incident(started="1970-01-01T00:30:00+01:00"),
            {"incidents/down.md started": "the range is checked after the offset or time zone"},
        ),
        "a post-mortem without a body": Case(
            incident(postmortem_at="2012-06-22T09:00:00Z"),
            {"incidents/down.md postmortem_at": "the body is after the front matter, outside the document"},
        ),
        "a post-mortem before the resolution": Case(
            {"incidents/down.md": front(INCIDENT, postmortem_at="2012-06-21T09:30:00Z") + "Body.\n"},
            {"incidents/down.md postmortem_at": "comparing two date-times"},
        ),
        "an update after the given resolution changing the impact": Case(
            incident(
                resolved="2012-06-21T09:20:00Z",
                updates="\n  - at: 2012-06-21T09:30:00Z\n    status: monitoring\n    impact: minor\n"
                "    body: Late.",
            ),
            {"incidents/down.md updates[0].impact": "comparing two date-times"},
        ),
        # maintenance
        "a maintenance's components as a mapping": Case(maintenance(components="{api: major_outage}")),
        "an incident's status and key in a maintenance update": Case(
            {
                "maintenance/upgrade.md": MAINTENANCE.replace(
                    "status: scheduled", "status: investigating\n    impact: minor"
                )
            }
        ),
        "an earlier window without an end, or with a note": Case(
            maintenance(
                rescheduled="\n  - start: 2012-06-27T22:00:00Z"
                "\n  - {start: 2012-06-27T22:00:00Z, end: 2012-06-27T23:00:00Z, note: x}"
            )
        ),
        "a maintenance that ends before it starts": Case(
            maintenance(end="2012-06-28T21:00:00Z"),
            {"maintenance/upgrade.md end": "comparing two date-times"},
        ),
        # translations
        "a translation with an unknown key, no title, an update without a body": Case(
            incident() | {"incidents/down.fr.md": "---\nstaus: x\nupdates:\n  - status: investigating\n---\n"}
        ),
        "a maintenance translation with components as a mapping or nothing": Case(
            maintenance()
            | {"maintenance/upgrade.fr.md": "---\ntitle: Mise à jour\ncomponents: {api: major_outage}\n---\n"}
            | incident()
            | {"incidents/down.fr.md": "---\ntitle: Panne\ncomponents:\nimpact: grave\n---\n"}
        ),
        "a translation saying otherwise than its original": Case(
            incident() | {"incidents/down.fr.md": "---\ntitle: Panne\nimpact: minor\n---\n"},
            {"incidents/down.fr.md impact": "the original is another file"},
        ),
    }
    return cases


REFUSED = _refused()


@pytest.mark.parametrize("name", REFUSED)
def test_what_the_loader_refuses_the_schemas_refuse_where_they_can(name: str, tmp_path: Path) -> None:
    """The schemas report exactly the loader's problems (same file, same field), less those listed
    with the reason no schema can express them."""
    case = REFUSED[name]
    content = write_tree(tmp_path / "content", {"site.yaml": SITE, **case.files})
    not_expressed = {
        ("content/" + key.split(" ")[0], key.split(" ", 1)[1]): why for key, why in case.not_expressed.items()
    }
    assert_agreement(content, not_expressed)


# ---------------------------------------------------------------- date-times, property-tested

DATE_TIME = load_schema("incident")["$defs"]["dateTime"]["pattern"]
SITE_MODEL = parse_site(SITE)


def loader_accepts(moment: str) -> bool:
    """Whether the loader reads `moment` as an incident's `started`."""
    try:
        parse_incident(
            f'---\ntitle: x\nstarted: "{moment}"\nimpact: minor\n---\n', "incidents/x.md", SITE_MODEL
        )
    except ContentError:
        return False
    return True


def schema_accepts(moment: str) -> bool:
    """Whether the incident schema takes `moment` as `started`."""
    return bool(validator("incident").is_valid({"title": "x", "started": moment, "impact": "minor"}))


@st.composite
def written_moments(draw: st.DrawFn) -> str:
    """A date-time in range written in one of the documented forms."""
    moment = draw(st.datetimes(datetime(1970, 1, 2), datetime(8999, 12, 30)))
    text = moment.strftime("%Y-%m-%d") + draw(st.sampled_from("Tt ")) + moment.strftime("%H:%M")
    if draw(st.booleans()):
        text += moment.strftime(":%S")
        if draw(st.booleans()):
            text += draw(st.sampled_from(".,")) + draw(st.text("0123456789", min_size=1, max_size=9))
    hours, minutes, sign = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.sampled_from("+-"))
    offsets = [
        "",
        "Z",
        f"{sign}{hours:02}",
        f"{sign}{hours:02}{minutes:02}",
        f"{sign}{hours:02}:{minutes:02}",
    ]
    return text + draw(st.sampled_from(offsets))


@settings(max_examples=300, deadline=None)
@given(written_moments())
def test_date_times_in_the_documented_forms_are_accepted_by_both(moment: str) -> None:
    """Every documented way of writing a date-time (T, t or space; seconds and fractions optional; no
    offset, Z, ±hh, ±hhmm or ±hh:mm) passes the schema and the loader."""
    assert schema_accepts(moment) and loader_accepts(moment)


def _in_range_and_real(moment: str) -> bool:
    """Whether a date-time the pattern matches is a real day and, once its offset applies (the
    site's zone is UTC), in 1970–9000: the two things the schema leaves to the loader."""
    if moment[5:10] == "02-29" and not isleap(int(moment[:4])):
        return False
    parsed = datetime.fromisoformat(moment)
    return EARLIEST <= (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)) < LATEST


@settings(max_examples=300, deadline=None)
@given(st.from_regex(DATE_TIME, fullmatch=True))
def test_every_date_time_the_schema_accepts_the_loader_reads(moment: str) -> None:
    """No date-time passes the schema that the loader refuses, but for 29 February of a common year
    and instants that leave 1970–9000 by their offset."""
    assert re.search(DATE_TIME, moment)
    if _in_range_and_real(moment):
        assert loader_accepts(moment), moment


# Forms Python's datetime.fromisoformat reads and the loader so accepts, which the schema refuses:
# an editor flags them; the documented form is the one to write.
LOADER_ONLY_FORMS = [
    "20120621T090000",  # basic format
    "2012-06-21T0900",
    "2012-06-21T09",  # the hour alone
    "2012-W25-4T09:00",  # a week date
    "2012-06-21/09:00",  # any one character between date and time
    "2012-06-21T09:00:00 +07:00",
    "2012-06-21T09:00:00+07:00:30",  # an offset with seconds
]


@pytest.mark.parametrize("moment", LOADER_ONLY_FORMS)
def test_rarer_iso_8601_forms_are_left_to_the_loader(moment: str) -> None:
    """Python reads more ISO 8601 forms than the documented ones; the schema keeps to those."""
    assert loader_accepts(moment) and not schema_accepts(moment)


# ---------------------------------------------------------------- the command, init, pre-commit


@pytest.mark.parametrize("kind", KINDS)
def test_statusgen_schema_prints_the_shipped_schema(kind: str) -> None:
    """`statusgen schema KIND` prints the file shipped in the package, as JSON."""
    result = CliRunner().invoke(main, ["schema", kind])
    assert result.exit_code == 0
    assert result.output == schema_file(kind).read_text(encoding="utf-8")
    assert json.loads(result.output)["$schema"] == DRAFT_2020_12


def test_statusgen_schema_refuses_an_unknown_kind() -> None:
    """A usage error (exit 2) naming the kinds."""
    result = CliRunner().invoke(main, ["schema", "incidents"])
    assert result.exit_code == 2 and "'site', 'incident', 'maintenance', 'translation'" in result.output


def test_init_writes_the_site_schema_and_points_site_yaml_at_it(tmp_path: Path) -> None:
    """site.yaml starts with the yaml-language-server line; the path it names, relative to
    site.yaml, holds the shipped site schema; the schema is no content, and the site builds."""
    content = starter_content(tmp_path)
    text = (content / "site.yaml").read_text(encoding="utf-8")
    assert text.startswith(SITE_MODELINE)
    named = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)\n", text.splitlines(keepends=True)[0])
    assert named and named[1] == SITE_SCHEMA_PATH
    schema_path = content / named[1]
    assert schema_path.read_text(encoding="utf-8") == schema_file("site").read_text(encoding="utf-8")
    assert schema_path not in content_files(content) and not [
        p for p in content_files(content) if "schemas" in str(p)
    ]
    assert load_content(content).warnings == ()
    assert check(content, datetime.now(UTC).astimezone(timezone(timedelta(hours=2))), workers=1).files[
        "index.html"
    ]


def test_the_example_site_yaml_points_editors_at_the_shipped_schema() -> None:
    """The example's site.yaml names, relative to itself, the schema in the package."""
    first = (ROOT / "content" / "site.yaml").read_text(encoding="utf-8").splitlines()[0]
    named = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert named and (ROOT / "content" / named[1]).resolve() == schema_file("site").resolve()


def test_the_pre_commit_hook_runs_statusgen_check_on_content_changes() -> None:
    """.pre-commit-hooks.yaml offers `statusgen-check`: a python hook running an existing command of
    the `statusgen` script, once (no file names), when content or themes change."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = [h for h in hooks if h["id"] == "statusgen-check"]
    assert hook["language"] == "python" and hook["pass_filenames"] is False and hook["name"]
    script, command, *args = hook["entry"].split()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert script in scripts and command in main.commands and command == "check" and not args
    files = re.compile(hook["files"])
    for path in (
        "content/site.yaml",
        "content/incidents/2012/x.md",
        "content/maintenance/y.fr.md",
        "themes/a/b.html",
    ):
        assert files.search(path), path
    for path in ("README.md", "statusgen/cli.py", "public/index.html", "tests/invalid/site.yaml"):
        assert not files.search(path), path
