"""The site in each of its languages: its texts in that language (`site_in`), and the derived
model as the pages in that language show it (`localize`): titles, bodies and updates from the
translations (`<slug>.<language>.md`), the facts always the default language's.

Nothing here formats interface words: that is `i18n.py` (catalogues, dates and numbers).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TypeVar

from statusgen.derive import Derived, Entry
from statusgen.models import Component, Site, Translation
from statusgen.timeline import Texts

E = TypeVar("E", bound=Entry)


def site_in(site: Site, language: str) -> Site:
    """The site with `language` as its pages' language, and its texts in that language."""
    texts = {name: text for lang, name, text in site.translated if lang == language}
    if not texts:
        return replace(site, language=language)
    components = []
    for index, component in enumerate(site.components):
        field = f"components[{index}]."
        group = texts.get(field + "group", component.group)
        components.append(
            replace(
                component,
                name=texts.get(field + "name", component.name),
                group=group or None,
                description=texts.get(field + "description", component.description),
            )
        )
    return replace(
        site,
        language=language,
        title=texts.get("title", site.title),
        description=texts.get("description", site.description),
        components=tuple(components),
    )


def localize(derived: Derived, translations: Sequence[Translation], site: Site) -> Derived:
    """The derived site as the pages in `site.language` show it (give the site in that language):
    texts translated where a translation gives them, else in the default language with that
    language noted (`title_language`, `body_language`, `Step.language`) so outputs can mark it.
    Facts are the default language's, untouched."""
    default = site.default_language
    language = site.language
    if language == default:
        return derived
    mine = {(t.kind, t.slug): t for t in translations if t.language == language}
    names = {c.id: c.name for c in site.components}
    untranslated = Texts(names, (), default)
    home = site.home_url
    swapped: dict[int, Entry] = {}

    def translated(entry: E) -> E:
        found = mine.get((entry.kind.folder, entry.slug))
        has_body = bool(found and found.body.strip() and not entry.postmortem_pending)
        new = dataclasses.replace(
            entry,
            title=found.title if found else entry.title,
            title_language="" if found else default,
            body=found.body if found and has_body else entry.body,
            body_language="" if has_body or not entry.body.strip() else default,
            url=home + entry.path,
            texts=Texts(names, found.bodies, default) if found else untranslated,
        )
        swapped[id(entry)] = new
        return new

    incidents = tuple(translated(i) for i in derived.incidents)
    maintenance = tuple(translated(m) for m in derived.maintenance)
    snap = derived.snapshot
    by_id: Mapping[str, Component] = {c.id: c for c in site.components}

    def same(entries: Sequence[E]) -> tuple[E, ...]:
        return tuple(swapped[id(e)] for e in entries)  # type: ignore[misc]

    localized = dataclasses.replace(
        snap,
        components=tuple(dataclasses.replace(s, component=by_id[s.component.id]) for s in snap.components),
        active_incidents=same(snap.active_incidents),
        recent_incidents=same(snap.recent_incidents),
        active_maintenance=same(snap.active_maintenance),
        upcoming_maintenance=same(snap.upcoming_maintenance),
    )
    return dataclasses.replace(
        derived, site=site, incidents=incidents, maintenance=maintenance, snapshot=localized
    )
