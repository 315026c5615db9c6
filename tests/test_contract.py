"""The theme contract (statusgen/contract.py, docs/themes.md): the shipped theme reads only documented
names, every page receives exactly the names its TypedDict declares, with values of the declared
types, and themes written for the documented names (or release 1's) render."""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import html
import importlib
import re
import shutil
import types
import typing
from datetime import datetime
from pathlib import Path

import jinja2
import jinja2.meta
import pytest
from jinja2 import nodes

from statusgen import check, contract
from statusgen import theme as theme_module
from statusgen.render import DEPRECATED_NAMES
from statusgen.theme import Theme, builtin_themes_dir, environment, find_theme

TESTS = Path(__file__).parent
DOCS = TESTS.parent / "docs" / "themes.md"
SITES = {
    "small": TESTS / "sites" / "small" / "content",
    "bilingual": TESTS / "sites" / "bilingual" / "content",
}
NOW = datetime.fromisoformat("2024-03-02T12:00:00+01:00")  # the golden sites' `now`


def theme_named(name: str) -> Theme:
    """A shipped theme, or one of the themes under tests/themes."""
    return find_theme(name, (TESTS / "themes", builtin_themes_dir()))


def template_names(theme: Theme) -> dict[str, set[str]]:
    """For each template of the theme's own folder: the names it reads from its context, less
    those its own top level (or its parents', through `extends`) sets, such as `m` and `item`."""
    env = environment(theme)
    own = theme.folders[0] / "templates"

    @functools.cache
    def top_level(name: str) -> frozenset[str]:
        tree = env.parse(env.loader.get_source(env, name)[0])  # type: ignore[union-attr]
        found: set[str] = set()
        for node in tree.body:
            if isinstance(node, nodes.Assign | nodes.AssignBlock):
                found |= {n.name for n in node.find_all(nodes.Name) if n.ctx == "store"}
            elif isinstance(node, nodes.Import):
                found.add(node.target)
            elif isinstance(node, nodes.FromImport):
                found |= {n if isinstance(n, str) else n[1] for n in node.names}
            elif isinstance(node, nodes.Macro):
                found.add(node.name)
        for parent in tree.find_all(nodes.Extends):
            if isinstance(parent.template, nodes.Const):
                found |= top_level(parent.template.value)
        return frozenset(found)

    read = {}
    for path in sorted(own.glob("*.html")):
        tree = env.parse(path.read_text(encoding="utf-8"))
        read[path.name] = jinja2.meta.find_undeclared_variables(tree) - top_level(path.name)
    return read


def allowed(template: str) -> frozenset[str]:
    """The documented names of a template (page templates; base.html; macro files, imported
    without context, see the globals only)."""
    if template in contract.TEMPLATES:
        return contract.names(contract.TEMPLATES[template])
    return contract.names(contract.PARTIALS.get(template, contract.AllGlobals))


@pytest.mark.parametrize("theme", ["default", "documented"])
def test_the_theme_reads_only_documented_names_and_none_deprecated(theme: str) -> None:
    """(1) Every name each template reads is declared for that template by the contract, and none is
    deprecated: the shipped theme, and the test theme written from docs/themes.md."""
    read = template_names(theme_named(theme))
    assert set(contract.TEMPLATES) <= set(read)
    deprecated = contract.deprecated_names()
    for template, names in read.items():
        assert names <= allowed(template), (
            f"{template} reads undocumented {sorted(names - allowed(template))}"
        )
        assert not names & deprecated.keys(), template


def test_release_1_templates_read_only_documented_names() -> None:
    """The templates of release 1 read documented names too: the current ones and the deprecated."""
    for template, names in template_names(theme_named("v1")).items():
        assert names <= allowed(template), (
            f"{template} reads undocumented {sorted(names - allowed(template))}"
        )


def test_the_deprecated_names_are_those_the_build_warns_of() -> None:
    """The names the contract marks deprecated are exactly those `render.DEPRECATED_NAMES` warns of,
    with the same replacement."""
    assert contract.deprecated_names() == DEPRECATED_NAMES


# ---------------------------------------------------------------- (2) every name, really provided


def probe_theme(root: Path) -> None:
    """A theme whose page templates print their name, every name their context holds, and the
    class of each documented value (a missing one fails the render: undefined names are errors)."""
    templates = root / "themes" / "probe" / "templates"
    templates.mkdir(parents=True)
    (root / "themes" / "probe" / "theme.yaml").write_text("description: prints its context\n")
    for template, context in contract.TEMPLATES.items():
        lines = [
            f"TEMPLATE {template}",
            # (Jinja's TemplateReference holds the whole context: globals and the page's names)
            "CONTEXT {{ self._TemplateReference__context.get_all().keys()|sort|join(' ') }}",
        ]
        lines += [
            f"VALUE {name} {{{{ {name}.__class__.__module__ }}}}:{{{{ {name}.__class__.__qualname__ }}}}"
            f" {{{{ {name} is callable }}}}"
            for name in sorted(contract.names(context))
        ]
        (templates / template).write_text("\n".join(lines) + "\n", encoding="utf-8")


def resolve(module: str, qualname: str) -> type:
    """The class a page printed."""
    if module == "builtins":  # (functions and methods have classes that `types` names)
        kinds = {
            k.__name__: k for k in vars(types).values() if isinstance(k, type) and k.__module__ == "builtins"
        }
        if qualname in kinds:
            return kinds[qualname]
    found: object = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    assert isinstance(found, type)
    return found


def conforms(cls: type, is_callable: bool, hint: object) -> bool:
    """Whether a value of class `cls` fits a type hint (its outer type: the class, the container,
    or a callable for `Callable` and the contract's call protocols)."""
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        return conforms(cls, is_callable, typing.get_args(hint)[0])
    if origin in (typing.Union, types.UnionType):
        return any(conforms(cls, is_callable, option) for option in typing.get_args(hint))
    if hint is None:
        return cls is type(None)
    if origin is collections.abc.Callable or getattr(hint, "_is_protocol", False):
        return is_callable
    target = origin if origin is not None else hint
    return isinstance(target, type) and issubclass(cls, target)


@pytest.mark.parametrize("site", sorted(SITES))
def test_every_page_receives_exactly_the_documented_names_with_their_types(
    site: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(2) Rendered through a probe theme, each page template's context holds exactly the names its
    TypedDict declares, and each value is of the declared type."""
    # The probe reads Jinja's and Python's internals, which the sandbox refuses to themes.
    monkeypatch.setattr(theme_module._Sandbox, "is_safe_attribute", lambda *args: True)
    shutil.copytree(SITES[site], tmp_path / "content")
    probe_theme(tmp_path)
    with (tmp_path / "content" / "site.yaml").open("a", encoding="utf-8") as file:
        file.write("theme: probe\n")
    files = check(tmp_path / "content", NOW, workers=1).files
    seen = set()
    for path, data in files.items():
        if not path.endswith(".html"):
            continue
        lines = html.unescape(data.decode()).splitlines()
        template = lines[0].removeprefix("TEMPLATE ")
        seen.add(template)
        context = contract.TEMPLATES[template]
        received = set(lines[1].removeprefix("CONTEXT ").split())
        declared = contract.names(context)
        assert received == declared, (
            f"{path}: undocumented {sorted(received - declared)}, missing {sorted(declared - received)}"
        )
        hints = typing.get_type_hints(context, include_extras=True)
        for line in lines[2:]:
            _, name, cls, is_callable = line.split(" ")
            module, qualname = cls.split(":")
            assert conforms(resolve(module, qualname), is_callable == "True", hints[name]), (
                f"{path}: {name} is a {qualname}, declared {hints[name]}"
            )
    assert seen == set(contract.TEMPLATES)


# ---------------------------------------------------------------- (3) themes written for the names


def with_theme(tmp_path: Path, name: str) -> Path:
    """The small golden site's content, set to a theme of tests/themes copied beside it."""
    shutil.copytree(SITES["small"], tmp_path / "content")
    shutil.copytree(TESTS / "themes" / name, tmp_path / "themes" / name)
    with (tmp_path / "content" / "site.yaml").open("a", encoding="utf-8") as file:
        file.write(f"theme: {name}\n")
    return tmp_path / "content"


def test_a_theme_written_for_the_documented_names_renders_every_page(tmp_path: Path) -> None:
    """(3) A theme extending nothing, written from docs/themes.md with today's names, renders every
    page of the site, with no warning, showing the facts the entries carry."""
    result = check(with_theme(tmp_path, "documented"), NOW, workers=1)
    default = check(SITES["small"], NOW, workers=1)
    assert not result.warnings

    def pages(files: dict[str, bytes]) -> list[str]:
        return sorted(p for p in files if p.endswith(".html"))

    assert pages(result.files) == pages(default.files)
    assert sorted(p for p in result.files if not p.startswith("static/")) == sorted(
        p for p in default.files if not p.startswith("static/")
    )
    incident = result.files["incidents/api-errors/index.html"].decode()
    assert '<dd class="u-resolved">Resolved</dd>' in incident
    assert '<li data-component="api" data-old="partial_outage" data-new="operational">' in incident
    assert "API: Partial outage → Operational" in incident
    assert '<link rel="canonical" href="https://status.example.com/incidents/api-errors/">' in incident
    assert '<li id="update-1" data-number="1">' in incident
    history = result.files["history/2024/index.html"].decode()
    assert "(3)</li>" in history and "March 2024" in history
    component = result.files["components/api/index.html"].decode()
    assert '<h1 data-id="api">API ' in component and "The public REST API" in component


# ---------------------------------------------------------------- the written contract


def documentation() -> str:
    return DOCS.read_text(encoding="utf-8")


def section(text: str, title: str) -> str:
    """The text under the first heading holding `title` (in backticks), up to the next heading of
    the same or a higher level."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)  # (a `#` in code is no heading)
    found = re.search(rf"^(#+) [^\n]*`{re.escape(title)}`[^\n]*$", text, re.MULTILINE)
    assert found, f"docs/themes.md has no heading for `{title}`"
    level = len(found.group(1))
    end = re.search(rf"^#{{1,{level}}} ", text[found.end() :], re.MULTILINE)
    return text[found.end() : found.end() + end.start() if end else len(text)]


def test_every_name_is_documented_in_docs_themes() -> None:
    """docs/themes.md names every name of every template's context."""
    text = documentation()
    every = set().union(*(contract.names(c) for c in (*contract.TEMPLATES.values(), contract.AllGlobals)))
    missing = sorted(name for name in every if f"`{name}`" not in text and f"`{name}(" not in text)
    assert not missing, f"docs/themes.md does not document {missing}"


# The objects templates reach, and their attributes that are not for themes.
INTERNAL = {
    "Site": {"path", "key_lines", "translated", "warnings", "line_of"},
    "Entry": {"now", "texts"},
    "IncidentEntry": {"source"},
    "MaintenanceEntry": {"source"},
}


def own_attributes(cls: type) -> set[str]:
    """The public fields, properties and methods a class adds to its bases."""
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):  # a NamedTuple
        found = set(cls._fields)
    elif dataclasses.is_dataclass(cls):
        inherited = {
            f.name
            for base in cls.__mro__[1:]
            if dataclasses.is_dataclass(base)
            for f in dataclasses.fields(base)
        }
        found = {f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")} - inherited
    else:
        found = set()
    for name, value in vars(cls).items():
        if not name.startswith("_") and isinstance(
            value, property | functools.cached_property | types.FunctionType
        ):
            found.add(name)
    for base in cls.__mro__[1:]:  # (what a documented base has is documented with it)
        if base.__module__.startswith("statusgen."):
            found -= own_attributes(base) | INTERNAL.get(base.__name__, set())
    return found - INTERNAL.get(cls.__name__, set())


def documented_classes() -> list[type]:
    from statusgen.derive import ComponentState, Entry, IncidentEntry, MaintenanceEntry, Snapshot
    from statusgen.feeds import Subscription
    from statusgen.i18n import Formatter
    from statusgen.models import Component, Site
    from statusgen.render import Month, Year
    from statusgen.status import DayBar
    from statusgen.timeline import Affected, Interval, StatusChange, Step

    return [
        Site, Component, Snapshot, ComponentState, DayBar, Entry, IncidentEntry, MaintenanceEntry,
        Step, StatusChange, Affected, Interval, Month, Year, Subscription, Formatter,
    ]  # fmt: skip


@pytest.mark.parametrize("cls", documented_classes(), ids=lambda cls: cls.__name__)
def test_every_field_templates_can_read_is_documented(cls: type) -> None:
    """docs/themes.md has a section for each object templates reach, naming each of its fields."""
    text = section(documentation(), cls.__name__)
    missing = sorted(name for name in own_attributes(cls) if not re.search(rf"`{name}[`(]", text))
    assert not missing, f"docs/themes.md, `{cls.__name__}`: {missing} not documented"


def test_the_default_theme_s_macros_and_blocks_are_documented() -> None:
    """Child themes call the default theme's macros (`m.…`) and fill its base template's blocks:
    docs/themes.md names each, with the macro's arguments."""
    theme = theme_named("default")
    env = environment(theme)
    text = documentation()
    templates = theme.folders[0] / "templates"
    macros = env.parse((templates / "macros.html").read_text(encoding="utf-8"))
    for macro in macros.find_all(nodes.Macro):
        arguments = [a.name for a in macro.args]
        defaults = [None] * (len(arguments) - len(macro.defaults)) + list(macro.defaults)
        written = ", ".join(
            name if default is None else f"{name}={default.as_const()!r}".replace("'", '"')
            for name, default in zip(arguments, defaults, strict=True)
        )
        assert f"`m.{macro.name}({written})`" in text, macro.name
    base = env.parse((templates / "base.html").read_text(encoding="utf-8"))
    for block in base.find_all(nodes.Block):
        assert f"`{block.name}`" in section(text, "extends"), block.name
