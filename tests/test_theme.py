"""Themes: lookup beside the content, inheritance with `extends`, `!parent/` overrides, errors."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from statusgen import ContentError, check
from statusgen.theme import builtin_themes_dir
from tests.conftest import NOW, SITE_YAML, incident_text, stylesheet, write_tree


def test_the_default_theme_ships_with_the_package() -> None:
    """The shipped themes folder holds the default theme's templates and stylesheet."""
    default = builtin_themes_dir() / "default"
    assert (default / "theme.yaml").is_file()
    assert (default / "templates" / "index.html").is_file()
    assert (default / "static" / "style.css").is_file()


def test_child_theme_overrides_one_block_and_one_static_file(tmp_path: Path) -> None:
    """A child theme extends default, replaces the footer block via `!default/` and adds a file."""
    write_tree(
        tmp_path,
        {
            "content/site.yaml": SITE_YAML + "theme: brand\n",
            "content/incidents/x.md": incident_text(),
            "themes/brand/theme.yaml": "extends: default\n",
            "themes/brand/templates/base.html": (
                '{% extends "!default/base.html" %}'
                "{% block head %}<meta name=brand content=yes>{% endblock %}"
            ),
            "themes/brand/static/logo.svg": "<svg/>",
            "themes/brand/static/style.css": "body { color: hotpink }",
        },
    )
    files = check(tmp_path / "content", NOW).files
    index = files["index.html"].decode()
    assert "<meta name=brand content=yes>" in index
    assert "All Systems Operational" in index or "Major System Outage" in index
    assert "<meta name=brand content=yes>" in files["incidents/x/index.html"].decode()
    assert [files[p] for p in files if p.startswith("static/logo.")] == [b"<svg/>"]
    assert files[stylesheet(files)] == b"body { color: hotpink }"


def test_unknown_theme_is_a_located_error_with_a_hint(make_content) -> None:
    """`theme: defualt` names the line in site.yaml and suggests `default`."""
    content = make_content(site=SITE_YAML + "theme: defualt\n")
    with pytest.raises(ContentError) as caught:
        check(content, NOW)
    [problem] = caught.value.problems
    assert problem.path.endswith("site.yaml") and problem.field == "theme"
    assert problem.line == SITE_YAML.count("\n") + 1
    assert "no theme named 'defualt'" in problem.message
    assert problem.hint == "did you mean 'default'?"


def test_themes_extending_in_a_loop_are_refused(tmp_path: Path) -> None:
    """a extends b extends a: an error naming the loop, not a hang."""
    write_tree(
        tmp_path,
        {
            "content/site.yaml": SITE_YAML + "theme: a\n",
            "themes/a/theme.yaml": "extends: b\n",
            "themes/b/theme.yaml": "extends: a\n",
        },
    )
    with pytest.raises(ContentError, match="themes extend in a loop: a → b → a"):
        check(tmp_path / "content", NOW)


def test_every_problem_of_theme_yaml_comes_at_once_located(tmp_path: Path) -> None:
    """theme.yaml is read with the content reader: its unknown keys (with a hint) and a wrong
    `extends` are all reported, each at its line, and so are the problems of the theme it extends."""
    write_tree(
        tmp_path,
        {
            "content/site.yaml": SITE_YAML + "theme: brand\n",
            "themes/brand/theme.yaml": "descripton: Ours\nextends: base\ncolour: red\n",
            "themes/base/theme.yaml": "extends: [default]\n",
        },
    )
    with pytest.raises(ContentError) as caught:
        check(tmp_path / "content", NOW)
    shown = [str(p).removeprefix(tmp_path.as_posix() + "/") for p in caught.value.problems]
    assert shown == [
        "themes/base/theme.yaml:1: extends: expected a theme name, got a list",
        "themes/brand/theme.yaml:1: descripton: unknown key 'descripton'; expected one of extends, "
        "description (did you mean 'description'?)",
        "themes/brand/theme.yaml:3: colour: unknown key 'colour'; expected one of extends, description",
    ]


def test_a_theme_yaml_that_is_not_a_mapping_is_located(tmp_path: Path) -> None:
    """A theme.yaml holding a list names the file and line 1; an empty one is a theme of defaults."""
    write_tree(
        tmp_path,
        {
            "content/site.yaml": SITE_YAML + "theme: brand\n",
            "themes/brand/theme.yaml": "- extends\n",
            "themes/empty/theme.yaml": "",
        },
    )
    with pytest.raises(ContentError) as caught:
        check(tmp_path / "content", NOW)
    (problem,) = caught.value.problems
    assert (problem.path, problem.line, problem.field) == (
        (tmp_path / "themes/brand/theme.yaml").as_posix(),
        1,
        "",
    )
    assert problem.message == "expected a mapping of fields, got a list"
    from statusgen.theme import find_theme

    assert find_theme("empty", (tmp_path / "themes",)).names == ("empty",)


def test_undefined_name_in_a_template_fails_with_the_template_line(tmp_path: Path) -> None:
    """Templates fail on undefined names, and the error names the template file and line."""
    write_tree(
        tmp_path,
        {
            "content/site.yaml": SITE_YAML + "theme: broken\n",
            "themes/broken/theme.yaml": "extends: default\n",
            "themes/broken/templates/404.html": "<p>fine</p>\n<p>{{ no_such_name.attribute }}</p>\n",
        },
    )
    with pytest.raises(ContentError) as caught:
        check(tmp_path / "content", NOW)
    [problem] = caught.value.problems
    assert problem.path.endswith("themes/broken/templates/404.html")
    assert problem.line == 2
    assert "no_such_name" in problem.message


def test_template_syntax_error_is_located(tmp_path: Path) -> None:
    """A template syntax error names the file and line."""
    write_tree(
        tmp_path,
        {
            "content/site.yaml": SITE_YAML + "theme: broken\n",
            "themes/broken/theme.yaml": "extends: default\n",
            "themes/broken/templates/404.html": "ok\n{% if %}\n",
        },
    )
    with pytest.raises(ContentError) as caught:
        check(tmp_path / "content", NOW)
    [problem] = caught.value.problems
    assert problem.path.endswith("404.html") and problem.line == 2


def test_a_template_that_is_not_utf8_is_named_not_the_page_using_it(tmp_path: Path) -> None:
    """A child theme's macros.html with a byte that is not UTF-8 on its third line: the error names
    macros.html and that line (not base.html, which imports it), and says what is wrong."""
    default_macros = (builtin_themes_dir() / "default/templates/macros.html").read_bytes()
    write_tree(
        tmp_path,
        {
            "content/site.yaml": SITE_YAML + "theme: broken\n",
            "themes/broken/theme.yaml": "extends: default\n",
        },
    )
    broken = tmp_path / "themes/broken/templates/macros.html"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"{# one #}\n{# two #}\n{# caf\xe9 #}\n" + default_macros)
    with pytest.raises(ContentError) as caught:
        check(tmp_path / "content", NOW)
    [problem] = caught.value.problems
    assert problem.path.endswith("broken/templates/macros.html") and problem.line == 3
    assert "not UTF-8 text: byte 0xe9" in problem.message


def test_templates_autoescape_content(make_content) -> None:
    """A title holding markup is shown as text, never as markup."""
    content = make_content({"incidents/x.md": incident_text(title="'<img src=x onerror=alert(1)>'")})
    page = check(content, NOW).files["incidents/x/index.html"].decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ 1 // 0 }}", "by zero"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "calls itself"),
    ],
)
def test_any_template_failure_is_a_located_error(make_content, tmp_path, body: str, message: str) -> None:
    """Whatever a theme's template raises is reported with its file and line, never a traceback."""
    from statusgen import ContentError, check
    from tests.conftest import NOW, SITE_YAML, write_tree

    write_tree(tmp_path / "themes" / "bad", {"theme.yaml": "extends: default\n", "templates/404.html": body})
    content = make_content({}, site=SITE_YAML + "theme: bad\n")
    with pytest.raises(ContentError) as caught:
        check(content, NOW)
    (problem,) = caught.value.problems
    assert problem.path.endswith("404.html") and problem.line == 1 and message in problem.message


@pytest.mark.parametrize(
    ("source", "folds"),
    [
        ('{{ _("Fish & chips") }}', True),
        ("{{ _('100%% sure') }}|{{ _(\"<b>bold</b>\") }}", True),
        ('<p title="{{ _("Say \\"hi\\"") }}">', True),
        ('{{ _("a") ~ _("b") }}', False),
        ('{{ _("Lasted %(d)s", d="<2 h>") }}', False),
        ('{% set word = "Site" %}{{ _(word) }}', False),
    ],
)
def test_constant_translations_fold_to_what_gettext_gives_at_run_time(source: str, folds: bool) -> None:
    """`{{ _("text") }}` translated when the template compiles renders exactly as the i18n
    extension's `_` at run time (markup trusted, `%%` formatted), under a real translation."""
    import jinja2

    from statusgen.theme import TranslatedConstants

    def translate(text: str) -> str:
        return {"Fish & chips": "Poisson & frites", "a": "<i>A</i>", "Site": "Website"}.get(text, text)

    folding = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n", TranslatedConstants])
    folding.translate_constants = translate  # type: ignore[attr-defined]
    plain = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    for env in (folding, plain):
        env.install_gettext_callables(translate, lambda s, p, n: s, newstyle=True)  # type: ignore[attr-defined]
    assert folding.from_string(source).render() == plain.from_string(source).render()
    looked_up = [env.compile(source, raw=True).count("l_0__") for env in (folding, plain)]
    assert (looked_up[0] < looked_up[1]) == folds  # a folded `_` is not looked up at run time


def test_a_translation_that_cannot_be_formatted_is_located(tmp_path: Path) -> None:
    """A constant `_("50% off")` (a stray %) is reported with its template and line."""
    write_tree(
        tmp_path,
        {
            "content/site.yaml": SITE_YAML + "theme: local\n",
            "themes/local/theme.yaml": "extends: default\n",
            "themes/local/templates/404.html": (
                '{% extends "!default/404.html" %}\n{% block main %}\n{{ _("50% off") }}{% endblock %}'
            ),
        },
    )
    with pytest.raises(ContentError) as raised:
        check(tmp_path / "content", NOW)
    (problem,) = raised.value.problems
    assert problem.path.endswith("themes/local/templates/404.html") and problem.line == 3
    assert "50% off" in problem.message


def test_themes_written_for_earlier_releases_still_work(tmp_path: Path) -> None:
    """A child theme may call `m.time` and list a history page's `year.months`, as before."""
    write_tree(
        tmp_path,
        {
            "content/site.yaml": SITE_YAML + "theme: old\n",
            "content/incidents/x.md": incident_text(title="Old-style outage"),
            "themes/old/theme.yaml": "extends: default\n",
            "themes/old/templates/history.html": (
                '{% extends "!default/history.html" %}{% block main %}'
                "{% for month in year.months %}{% for item in month.entries %}"
                "<p>{{ item.title }} {{ m.time(item.started) }}</p>{% endfor %}{% endfor %}{% endblock %}"
            ),
        },
    )
    files = check(tmp_path / "content", NOW).files
    for page in ("history/index.html", "history/2012/index.html"):
        assert '<p>Old-style outage <time datetime="2012-06-21T09:00:00-07:00">' in files[page].decode()


def test_a_theme_written_for_release_1_names_still_renders_with_warnings(tmp_path: Path) -> None:
    """The default templates of release 1 (which read `incident`, `incident_status(item)`,
    `duration(item)`, `component_name(id)`…) still render every page, each deprecated name warned of."""
    site = Path(__file__).parent / "sites" / "small" / "content"
    shutil.copytree(site, tmp_path / "content")
    shutil.copytree(Path(__file__).parent / "themes" / "v1", tmp_path / "themes" / "v1")
    with (tmp_path / "content" / "site.yaml").open("a", encoding="utf-8") as file:
        file.write("theme: v1\n")
    now = datetime.fromisoformat("2024-03-02T12:00:00+01:00")
    old = check(tmp_path / "content", now)
    new = check(site, now)
    assert sorted(old.files) == sorted(new.files)
    page = old.files["incidents/api-errors/index.html"].decode()
    assert "<h1>" in page and 'class="st u-' in page
    warned = {(Path(w.path).name, w.message.split("'")[1]) for w in old.warnings}
    assert ("incident.html", "incident") in warned
    assert ("incident.html", "incident_status") in warned
    assert ("macros.html", "duration") in warned
    assert ("maintenance.html", "maintenance_status") in warned
    assert all(w.line for w in old.warnings)
    assert not new.warnings  # the shipped theme reads none of them


def test_the_shipped_theme_reads_no_deprecated_name() -> None:
    """The default theme reads entry fields, never the helpers of release 1 (so builds skip it when
    looking for deprecated names)."""
    import jinja2.meta

    from statusgen.render import DEPRECATED_NAMES
    from statusgen.theme import environment, find_theme

    theme = find_theme("default", (builtin_themes_dir(),))
    env = environment(theme)
    for path in theme.template_files():
        names = jinja2.meta.find_undeclared_variables(env.parse(path.read_text(encoding="utf-8")))
        assert not names & DEPRECATED_NAMES.keys(), path.name


def test_links_from_macros_imported_without_context_start_from_the_page(make_content, tmp_path: Path) -> None:
    """`url()`, `asset()` and `site_url()` read the page from the template's context, in macros
    imported without context too (and in macros those import): each page links from its own
    depth and language, the 404 page from the site's absolute path."""
    write_tree(
        tmp_path / "themes" / "links",
        {
            "theme.yaml": "extends: default\n",
            "templates/inner.html": (
                "{% macro links() %}{{ url('history/') }} {{ url() }} {{ asset('style.css') }} "
                "{{ site_url('api/v2/summary.json') }}{% endmacro %}"
            ),
            "templates/outer.html": (
                '{% import "inner.html" as inner %}{% macro links() %}{{ inner.links() }}{% endmacro %}'
            ),
            # The default base template, showing the links in its head.
            "templates/base.html": (builtin_themes_dir() / "default" / "templates" / "base.html")
            .read_text(encoding="utf-8")
            .replace(
                "<head>\n",
                '<head>\n{% import "outer.html" as outer %}<meta name="x" content="[{{ outer.links() }}]">\n',
            ),
        },
    )
    site = (
        SITE_YAML.replace("https://status.example.com/", "https://status.example.com/status/")
        + "languages: [en, fr]\ntheme: links\n"
    )
    content = make_content({"incidents/x.md": incident_text()}, site=site)
    files = check(content, NOW, workers=1).files
    style = stylesheet(files)

    def links(path: str) -> str:
        return files[path].decode().split('<meta name="x" content="[', 1)[1].split("]", 1)[0]

    expected = {
        "index.html": f"./history/ ./ ./{style} ./api/v2/summary.json",
        "incidents/x/index.html": f"../../history/ ../../ ../../{style} ../../api/v2/summary.json",
        "fr/index.html": f"./history/ ./ ../{style} ../api/v2/summary.json",
        "fr/incidents/x/index.html": f"../../history/ ../../ ../../../{style} ../../../api/v2/summary.json",
        "404.html": f"/status/history/ /status/ /status/{style} /status/api/v2/summary.json",
        "fr/404.html": f"/status/fr/history/ /status/fr/ /status/{style} /status/api/v2/summary.json",
    }
    assert {path: links(path) for path in expected} == expected
