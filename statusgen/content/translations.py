"""Translations: `<slug>.<language>.md` read into a `Translation`, and checked against its original.

A translation gives the title, the updates' bodies (in order) and the body in another language of
the site; the facts (times, statuses, impact, components) are the original's, and any it repeats
must agree with it (`contradictions`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from enum import StrEnum

from statusgen.content.incidents import (
    INCIDENT_KEYS,
    INCIDENT_UPDATE_KEYS,
    MAINTENANCE_KEYS,
    UPDATE_KEYS,
    check_slug,
    front_matter,
    read_windows,
)
from statusgen.content.reader import Reader, describe, field_name, one_line
from statusgen.errors import Problem
from statusgen.frontmatter import KeyPath, SourceMap
from statusgen.models import (
    Impact,
    Incident,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
    Site,
    Translation,
)


def read_translation(
    path: str, text: str, site: Site, kind: str, language: str
) -> tuple[Translation | None, list[Problem]]:
    """Read `<slug>.<language>.md`: the title, the updates' bodies in order and the body, and the
    facts it repeats from the original (checked against it once both are read)."""
    problems: list[Problem] = []
    slug = check_slug(path, problems)
    document, data = front_matter(path, text)
    reader = Reader(path, SourceMap(document.front, document.front_line), site.tz, problems)
    fields = reader.mapping(data, (), INCIDENT_KEYS if kind == "incidents" else MAINTENANCE_KEYS, ("title",))
    if fields is None:
        return None, problems
    title = reader.text(fields.get("title"), ("title",), required="title" in fields)
    claims: list[tuple[str, object, int | None]] = []

    def claim(keys: KeyPath, value: object) -> None:
        if value is not None:
            claims.append((field_name(keys), value, reader.source.line(keys)))

    for key in ("started", "resolved", "start", "end", "postmortem_at"):
        if key in fields:
            claim((key,), reader.datetime(fields[key], (key,)))
    if "impact" in fields:
        claim(("impact",), reader.choice(fields["impact"], ("impact",), Impact, "impact"))
    if "components" in fields:
        claim(("components",), _claimed_components(reader, fields["components"], kind, ("components",)))
    if "rescheduled" in fields:
        claim(("rescheduled",), read_windows(reader, fields["rescheduled"]))
    if "draft" in fields:
        claim(("draft",), reader.boolean(fields["draft"], ("draft",)))
    statuses = IncidentStatus if kind == "incidents" else MaintenanceStatus
    update_keys = INCIDENT_UPDATE_KEYS if kind == "incidents" else UPDATE_KEYS
    bodies: list[str] = []
    lines: list[int | None] = []
    for index, item in enumerate(reader.items(fields.get("updates"), ("updates",))):
        keys: KeyPath = ("updates", index)
        update = reader.mapping(item, keys, update_keys, ("body",))
        if update is None:
            continue
        lines.append(reader.source.line(keys))
        if "at" in update:
            claim((*keys, "at"), reader.datetime(update["at"], (*keys, "at")))
        if "status" in update:
            claim((*keys, "status"), reader.choice(update["status"], (*keys, "status"), statuses, "status"))
        if "impact" in update:
            claim((*keys, "impact"), reader.choice(update["impact"], (*keys, "impact"), Impact, "impact"))
        if "components" in update:
            found = _claimed_components(reader, update["components"], kind, (*keys, "components"))
            claim((*keys, "components"), found)
        bodies.append(reader.text(update.get("body"), (*keys, "body"), required="body" in update))
    if any(not p.warning for p in problems):
        return None, problems
    translation = Translation(
        kind, slug, path, language, one_line(title), tuple(bodies), document.body, tuple(claims), tuple(lines)
    )
    return translation, problems


def _claimed_components(reader: Reader, value: object, kind: str, keys: KeyPath) -> object:
    """What a translation says of `components`: the ids (a list, in any order) or, for an
    incident, the status of each (a mapping); None, with a problem, if it is neither."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return frozenset(value)
    if isinstance(value, dict) and kind == "incidents":
        return {str(key): str(status) for key, status in value.items()}
    expected = "a list of component ids" + (" or a mapping of id to status" if kind == "incidents" else "")
    reader.problem(keys, f"expected {expected}, got {describe(value)}")
    return None


def _components_as_claimed(states: Iterable[tuple[str, object]], claimed: object) -> object:
    """Components as a translation's claim of the same form reads them: ids, or id → status."""
    if isinstance(claimed, frozenset):
        return frozenset(cid for cid, _ in states)
    return {cid: str(status) for cid, status in states}


def contradictions(translation: Translation, original: Incident | Maintenance) -> list[Problem]:
    """Where a translation says otherwise than its original about the facts (times, statuses...)."""
    problems = []
    count = len(original.updates)
    for index, line in enumerate(translation.lines[count:], start=count):
        problems.append(
            Problem(
                translation.path,
                line,
                f"updates[{index}]",
                f"the translation has {len(translation.bodies)} updates but {original.path} has {count}: "
                "this one has no update to translate",
                "translate the updates of the original, in the same order (time order)",
            )
        )
    for name, value, line in translation.claims:
        if name.startswith("updates["):
            index = int(name[len("updates[") : name.index("]")])
            if index >= count:
                continue  # (reported above)
            update = original.updates[index]
            part = name.rsplit(".", 1)[-1]
            theirs: object = getattr(update, part)
            if part == "components" and update.components is not None:
                if any(status is None for _, status in update.components):  # the list form: ids only
                    value = frozenset(value) if isinstance(value, dict | frozenset) else value
                theirs = _components_as_claimed(update.components, value)
        elif name == "components" and isinstance(original, Incident):
            theirs = _components_as_claimed(original.components, value)
        elif name == "components":
            theirs = frozenset(original.components)
        else:
            theirs = getattr(original, name, None)
        if value != theirs:
            problems.append(
                Problem(
                    translation.path,
                    line,
                    name,
                    f"says {_shown(value)} but {original.path} says {_shown(theirs)}; times, statuses, "
                    "impact and components are taken from the default language's file",
                    "remove the field from the translation, or make it agree",
                )
            )
    return problems


def _shown(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, frozenset):
        return "[" + ", ".join(_shown(v) for v in sorted(value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return repr(str(value)) if isinstance(value, StrEnum) else repr(value)


def not_a_translation(shown: str, written: str, site: Site) -> Problem:
    """The problem with `<slug>.<written>.md` whose `written` is no other language of the site."""
    if written == site.default_language.lower():
        message = f"{written!r} is the default language: its text belongs in the file without it"
    else:
        others = ", ".join(site.languages[1:]) or "none"
        message = (
            f"the name says this is a translation into {written!r}, but the site's other languages are "
            f"{others} (site.yaml, languages)"
        )
    return Problem(shown, None, "", message, "a slug holds no dot; name translations <slug>.<language>.md")


def check_translations(
    translations: Iterable[Translation],
    originals: Sequence[Incident | Maintenance],
    named: Collection[tuple[str, str]],
) -> list[Problem]:
    """The problems of translations against their originals: a translation whose original does
    not exist (unless a file of that name exists but has errors: `named` holds the (kind, slug) of
    every file in the default language), and what a translation says otherwise than its original."""
    by_slug = {(("incidents" if isinstance(o, Incident) else "maintenance"), o.slug): o for o in originals}
    problems: list[Problem] = []
    for translation in translations:
        original = by_slug.get((translation.kind, translation.slug))
        if original is not None:
            problems.extend(contradictions(translation, original))
        elif (translation.kind, translation.slug) not in named:
            problems.append(
                Problem(
                    translation.path,
                    None,
                    "",
                    f"a translation of {translation.slug!r}, but there is no "
                    f"{translation.kind}/{translation.slug}.md in the default language",
                    "name the file after the original: <slug>.<language>.md",
                )
            )
    return problems
