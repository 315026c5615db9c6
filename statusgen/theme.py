"""Themes: finding a theme and the chain it extends, its Jinja environment and its static files.

A theme is a folder `themes/<name>/` holding `theme.yaml`, `templates/` and `static/`. Its
`theme.yaml` may say `extends: default`; templates and static files are then looked up in the child
first, then in its parents, and a child template can `{% extends "!default/base.html" %}` to reach
the parent's version of a template it overrides. Themes are searched in `themes/` beside the content
folder, then among the themes shipped with statusgen.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import jinja2
import jinja2.ext
import jinja2.sandbox
from jinja2.lexer import Token, TokenStream
from jinja2.loaders import split_template_path
from markupsafe import Markup

from statusgen import frontmatter
from statusgen.content.reader import SLUG_PATTERN, Reader, describe, raise_errors
from statusgen.errors import LINK_MESSAGE, ContentError, Problem, did_you_mean, link_problem

THEME_KEYS = ("extends", "description")


def builtin_themes_dir() -> Path:
    """The themes shipped with statusgen: inside the installed package, or beside a source checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "themes", package.parent / "themes"):
        if (candidate / "default" / "theme.yaml").is_file():
            return candidate
    return package / "themes"


@dataclass(frozen=True)
class Theme:
    """A resolved theme: its own folder first, then the folders of the themes it extends."""

    name: str
    folders: tuple[Path, ...]
    names: tuple[str, ...]

    def static_files(self) -> dict[str, Path]:
        """Every static file by its path under `static/`; a child's file replaces its parent's."""
        files: dict[str, Path] = {}
        for folder in reversed(self.folders):
            static = folder / "static"
            for path in theme_files(static)[0]:
                relative = path.relative_to(static)
                if not any(p.startswith(".") for p in relative.parts):
                    files[relative.as_posix()] = path
        return dict(sorted(files.items()))

    def template_files(self) -> list[Path]:
        """Every template file of the chain (for cache keys and change watching)."""
        return sorted(p for f in self.folders for p in theme_files(f / "templates")[0])


def theme_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """The regular files under a theme's folder (`templates/` or `static/`), sorted, and the
    symbolic links found there, which are never followed (`find_theme` refuses them)."""
    files: list[Path] = []
    links: list[Path] = []
    if folder.is_symlink():
        return files, [folder]
    for directory, folders, names in os.walk(folder):  # (os.walk never enters a linked folder)
        for name in [*folders, *names]:
            path = Path(directory, name)
            if path.is_symlink():
                links.append(path)
            elif name in names and path.is_file():
                files.append(path)
    return sorted(files), sorted(links)


class _LinkFreeLoader(jinja2.FileSystemLoader):
    """A file system loader that refuses a template reached through a symbolic link (which
    `find_theme` reported already, unless it appeared since)."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        """Load a template as FileSystemLoader does, unless a part of its path is a link."""
        pieces = split_template_path(template)
        for searchpath in self.searchpath:
            steps = [Path(searchpath)]
            for piece in pieces:
                steps.append(steps[-1] / piece)
            link = next((step for step in steps if step.is_symlink()), None)
            if link is not None:
                raise jinja2.TemplateNotFound(template, f"{link.as_posix()} {LINK_MESSAGE}")
            if steps[-1].is_file():
                break
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as error:  # (reported where it is, not in the page that used it)
            path = steps[-1]
            line = path.read_bytes()[: error.start].count(b"\n") + 1
            message = f"not UTF-8 text: byte {error.object[error.start]:#04x} cannot be read ({error.reason})"
            raise jinja2.TemplateSyntaxError(message, line, template, path.as_posix()) from None


def find_theme(
    name: str, search: Sequence[Path], site_path: str = "site.yaml", line: int | None = None
) -> Theme:
    """Resolve a theme by name through `search`, following `extends`; every problem of the chain
    (each `theme.yaml`'s, read with the content reader, and any symbolic link) is raised at once as
    a ContentError."""
    folders: list[Path] = []
    names: list[str] = []
    problems: list[Problem] = []
    where = _Where(site_path, line, "theme")
    current: str | None = name
    while current is not None:
        folder = _theme_folder(current, names, search, where, problems)
        if folder is None:
            break
        folders.append(folder)
        names.append(current)
        current, where = read_theme_config(folder / "theme.yaml", problems)
    links = [link for f in folders for part in ("templates", "static") for link in theme_files(f / part)[1]]
    problems.extend(link_problem(link.as_posix()) for link in links)
    raise_errors(problems)
    return Theme(name, tuple(folders), tuple(names))


@dataclass(frozen=True)
class _Where:
    """Where a theme is named: `theme` in site.yaml, or `extends` in a child's theme.yaml."""

    path: str
    line: int | None
    field: str

    def problem(self, message: str, hint: str = "") -> Problem:
        """A problem located where the theme is named."""
        return Problem(self.path, self.line, self.field, message, hint)


def _theme_folder(
    name: str, chain: Sequence[str], search: Sequence[Path], where: _Where, problems: list[Problem]
) -> Path | None:
    """The folder of the theme `name` (the first of `search` that has it), or None with a problem:
    it extends itself through `chain`, it is nowhere, or it (or its theme.yaml) is a link."""
    if name in chain:
        problems.append(where.problem(f"themes extend in a loop: {' → '.join([*chain, name])}"))
        return None
    folder = next((d / name for d in search if (d / name / "theme.yaml").is_file()), None)
    if folder is None:
        available = sorted({p.parent.name for d in search if d.is_dir() for p in d.glob("*/theme.yaml")})
        message = f"no theme named {name!r}; available: {', '.join(available) or 'none'}"
        problems.append(where.problem(message, did_you_mean(name, available)))
        return None
    # (The shipped themes' folder is resolved: a link in its path is the installation's.)
    links = [path for path in (folder.parent, folder, folder / "theme.yaml") if path.is_symlink()]
    if links:  # (nothing is read through a link, not even theme.yaml; nor the themes folder)
        problems.append(link_problem(links[0].as_posix()))
        return None
    return folder


def read_theme_config(path: Path, problems: list[Problem]) -> tuple[str | None, _Where]:
    """Read a `theme.yaml` with the content reader, adding its problems to `problems`: the theme it
    extends (None for none, or when `extends` is wrong) and where that is named."""
    shown = path.as_posix()
    nowhere = _Where(shown, None, "extends")
    try:
        text = frontmatter.decode(shown, path.read_bytes())
        config = frontmatter.load_yaml(shown, text)
    except ContentError as error:
        problems.extend(error.problems)
        return None, nowhere
    source = frontmatter.SourceMap(text)
    reader = Reader(shown, source, UTC, problems)
    if config is not None and not isinstance(config, dict):
        reader.problem((), f"expected a mapping of fields, got {describe(config)}")
        return None, nowhere
    fields = reader.mapping(config or {}, (), THEME_KEYS, ()) or {}
    if "description" in fields:
        reader.text(fields["description"], ("description",))
    parent = fields.get("extends")
    if parent is not None and not isinstance(parent, str):
        reader.problem(("extends",), f"expected a theme name, got {describe(parent)}")
        parent = None
    elif parent is not None and not SLUG_PATTERN.fullmatch(parent):
        # A name, as `theme` in site.yaml: `../x` or `/x` would take templates and static files
        # (which are published) from outside the themes folder.
        reader.problem(("extends",), f"expected a theme name (a-z, 0-9, - and _), got {parent!r}")
        parent = None
    return parent, _Where(shown, source.line(("extends",)), "extends")


def environment(
    theme: Theme,
    compiled: jinja2.BytecodeCache | None = None,
    translations: gettext.NullTranslations | None = None,
) -> jinja2.Environment:
    """A Jinja environment over the theme chain: sandboxed, autoescaping, failing on undefined
    names, and `_`/`ngettext` translating with `translations` (English without).

    A theme comes in pull requests like content, and CI runs `statusgen check` on them with secrets
    in its environment: a template may read what it is given, never Python's internals
    (`cycler.__init__.__globals__.os`, `''.__class__.__mro__`…), so it cannot read the environment
    or files, nor run anything (Jinja's sandbox: a template error, located).

    `compiled` may keep compiled templates between builds; they hold the constant messages
    translated (see `TranslatedConstants`), so give each language a cache of its own.
    """
    chain = _LinkFreeLoader([str(f / "templates") for f in theme.folders])
    by_name = jinja2.PrefixLoader(
        {
            f"!{n}": _LinkFreeLoader(str(f / "templates"))
            for n, f in zip(theme.names, theme.folders, strict=True)
        },
        delimiter="/",
    )
    env = _Sandbox(
        loader=jinja2.ChoiceLoader([chain, by_name]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n", TranslatedConstants],
        auto_reload=False,
        bytecode_cache=compiled,
    )
    translations = translations or gettext.NullTranslations()
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.translate_constants = translations.gettext  # type: ignore[attr-defined]
    return env


class _Sandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja's sandbox (no internals, no changing a list or mapping in place), with its verdict on
    an attribute remembered by the object's type and the attribute's name, which are all it
    depends on: the checks cost more than the attribute, and a page reads thousands."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._verdicts: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Whether a template may read `obj.attr` (see `jinja2.sandbox`)."""
        key = (type(obj), attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = super().is_safe_attribute(obj, attr, value)
        return verdict


class TranslatedConstants(jinja2.ext.Extension):
    """Translates `{{ _("a constant") }}` once, when a template is compiled, not on every page.

    The result is what the i18n extension's `_` gives at run time (the translation, trusted as
    markup, formatted with no variables), so only the cost changes: a page holds a dozen such
    strings and a big site renders ten thousand pages. Only a call that is the whole expression of
    its `{{ }}` is folded (Jinja folds `~` joins of constants into plain, escaped text); calls with
    variables stay as they are. A compiled template depends on the translations: keep one
    environment per language.
    """

    def __init__(self, environment: jinja2.Environment) -> None:
        """Translate with the identity until `translate_constants` is set on the environment."""
        super().__init__(environment)
        environment.extend(translate_constants=str)

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        """Replace each `{{ _ ( "text" ) }}` run of tokens by `{{ "translation" | safe }}`, which
        Jinja then writes into the compiled template as text."""
        translate: Callable[[str], str] = self.environment.translate_constants  # type: ignore[attr-defined]
        shape = ("variable_begin", "name", "lparen", "string", "rparen", "variable_end")
        window: list[Token] = []
        for token in stream:
            window.append(token)
            if len(window) < len(shape):
                continue
            if tuple(t.type for t in window) == shape and window[1].value == "_":
                begin, _name, _open, text, _close, end = window
                try:
                    translated = str(Markup(translate(text.value)) % {})
                except (ValueError, TypeError, KeyError) as error:  # "50% off": a stray %
                    message = f"cannot format {text.value!r}: {error} (write %% for a %)"
                    raise jinja2.TemplateSyntaxError(
                        message, text.lineno, stream.name, stream.filename
                    ) from None
                yield begin
                yield Token(text.lineno, "string", translated)
                yield Token(text.lineno, "pipe", "|")
                yield Token(text.lineno, "name", "safe")
                yield end
                window.clear()
            else:
                yield window.pop(0)
        yield from window
