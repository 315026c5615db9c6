"""Nothing lost, nothing injected: what `base_url` may hold, that no symbolic link leads a build
outside the site, that file names are checked as written, and that no invisible character in a
one-line text reaches readers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import jinja2
import pytest

from statusgen import ContentError, build, check
from statusgen.content import INVISIBLE, url_problem
from statusgen.theme import Theme, builtin_themes_dir, environment
from tests.conftest import NOW, SITE_YAML, incident_text, write_tree

MAINTENANCE = """\
---
title: Database upgrade
start: 2012-06-28T22:00:00-07:00
end: 2012-06-28T23:30:00-07:00
components: [api]
---
"""


def site_with_base_url(written: str) -> str:
    """The test site.yaml with `base_url` (on line 2) replaced by `written`, YAML source."""
    lines = SITE_YAML.splitlines(keepends=True)
    assert lines[1].startswith("base_url:")
    lines[1] = f"base_url: {written}\n"
    return "".join(lines)


def problems_of(content: Path) -> list[str]:
    """The problems `check` reports for a content folder, as printed (it must fail)."""
    with pytest.raises(ContentError) as caught:
        check(content, NOW)
    return [str(problem) for problem in caught.value.problems]


# ---------------------------------------------------------------- base_url


BAD_BASE_URLS = {
    "newline injection": r'"https://status.example.com/\nDisallow: /\nSitemap: https://evil.example/"',
    "brackets": '"https://x [en, fr]"',
    "unclosed IPv6": '"https://[::1/"',
    "user and password": "https://deploy:token@status.example.com/",
    "empty host": "https://",
    "empty host with a port": "https://:8080/",
    "port 99999": "https://status.example.com:99999/",
    "port 0": "https://status.example.com:0/",
    "space in the path": '"https://status.example.com/a b/"',
    "tab": r'"https://status.example.com/\tx/"',
    "bidi override": r'"https://status.example.com/\u202e/"',
    "query": "https://status.example.com/?x=1",
    "empty query": "https://status.example.com/?",
    "fragment": "https://status.example.com/#top",
    "quote in the path": 'https://status.example.com/a"b/',
    "not a scheme": "status.example.com",
    "ftp": "ftp://status.example.com/",
    "bad host": "https://exa_mple.com/",
    "bad IPv4": "https://192.0.2.300/",
    "IPv6 zone": "https://[fe80::1%25eth0]/",
    "not ASCII": "https://état.example/",
}


@pytest.mark.parametrize("written", BAD_BASE_URLS.values(), ids=BAD_BASE_URLS.keys())
def test_a_bad_base_url_is_a_located_error_on_its_line(make_content, written: str) -> None:
    """Each malformed or unsafe base_url is one error on site.yaml's line 2, even with a
    maintenance file (whose calendar used to crash on a newline), never a traceback."""
    content = make_content({"maintenance/db.md": MAINTENANCE}, site=site_with_base_url(written))
    with pytest.raises(ContentError) as caught:
        check(content, NOW)
    [problem] = caught.value.problems
    assert (problem.path, problem.line, problem.field) == (f"{content.as_posix()}/site.yaml", 2, "base_url")
    assert problem.message.startswith("expected an absolute http(s) URL")
    assert "\n" not in str(problem)


@pytest.mark.parametrize(
    "url",
    [
        "https://deploy:hunter2@status.example.com/",
        "https://deploy:hunter2@status.example.com:99999/",
        "https://deploy:hunter 2@status.example.com/?x",
        "https://hunter2@[::1/",
        "https://deploy:hunter2@/",
        "https:/deploy:hunter2@status.example.com/ x",
        "deploy:hunter2@status.example.com",
    ],
)
def test_a_password_in_base_url_is_never_quoted(url: str) -> None:
    """A URL holding a user name or password is refused without quoting it, whatever else is wrong."""
    problem = url_problem(url)
    assert "user name or password" in problem and "hunter" not in problem and "deploy" not in problem


def test_the_check_command_reports_an_injected_base_url_cleanly(make_content) -> None:
    """`statusgen check` exits 1 with the located error on stderr or stdout, and no traceback."""
    content = make_content(
        {"maintenance/db.md": MAINTENANCE},
        site=site_with_base_url(BAD_BASE_URLS["newline injection"]),
    )
    result = subprocess.run(
        [sys.executable, "-m", "statusgen", "check", "--content", str(content), "--now", NOW.isoformat()],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "site.yaml:2: base_url: expected an absolute http(s) URL" in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("written", "stored", "host"),
    [
        (
            "https://status.example.com:8443/status",
            "https://status.example.com:8443/status/",
            "status.example.com",
        ),
        ("http://192.0.2.7/", "http://192.0.2.7/", "192.0.2.7"),
        ("https://[2001:db8::1]:8443/status/", "https://[2001:db8::1]:8443/status/", "2001:db8::1"),
        (
            "HTTPS://Status.Example.com/a%20b/~x/",
            "HTTPS://Status.Example.com/a%20b/~x/",
            "status.example.com",
        ),
        ("https://xn--tat-bma.example/", "https://xn--tat-bma.example/", "xn--tat-bma.example"),
    ],
)
def test_valid_base_urls_build_as_written(make_content, written: str, stored: str, host: str) -> None:
    """A port, a path, an IPv4 or a bracketed IPv6 host, percent-escapes and punycode are accepted,
    and the URL reaches robots.txt, canonical links and the feeds exactly as written."""
    content = make_content(
        {"incidents/x.md": incident_text(), "maintenance/db.md": MAINTENANCE},
        site=site_with_base_url(written),
    )
    files = check(content, NOW).files
    assert files["robots.txt"].decode().endswith(f"Sitemap: {stored}sitemap.xml\n")
    assert f'<link rel="canonical" href="{stored}incidents/x/">' in files["incidents/x/index.html"].decode()
    assert f'href="{stored}history.atom"' in files["history.atom"].decode()
    assert f"maintenance-db@{host}".encode() in files["maintenance.ics"].replace(b"\r\n ", b"")


# ---------------------------------------------------------------- symbolic links in the content


def test_a_link_to_the_process_environment_quotes_none_of_it(make_content, tmp_path: Path) -> None:
    """A content file linked to /proc/self/environ is refused by name; `statusgen check` in CI
    prints nothing of the environment (it used to quote its first 40 characters)."""
    content = make_content()
    (content / "incidents").mkdir()
    (content / "incidents" / "env.md").symlink_to("/proc/self/environ")
    secret = "SECRETVALUE-4f9d2"
    environment_ = {"A_DEPLOY_TOKEN": secret, **os.environ}  # first, where the old message quoted
    result = subprocess.run(
        [sys.executable, "-m", "statusgen", "check", "--content", str(content), "--now", NOW.isoformat()],
        capture_output=True,
        text=True,
        env=environment_,
        check=False,
    )
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert f"{content.as_posix()}/incidents/env.md: is a symbolic link" in output
    assert secret not in output and "A_DEPLOY_TOKEN" not in output and "Traceback" not in output


def outside_incident(tmp_path: Path) -> Path:
    """A valid incident file outside the content folder."""
    outside = tmp_path / "elsewhere" / "private.md"
    write_tree(outside.parent, {"private.md": incident_text(title="Private draft", body="Not for readers")})
    return outside


@pytest.mark.parametrize("cached", [False, True], ids=["no cache", "cache"])
def test_a_link_to_an_outside_incident_is_refused_not_published(
    make_content, tmp_path: Path, cached: bool
) -> None:
    """A link to a valid incident outside the site is a located error naming the link and nothing
    of its target, with the build cache too; nothing is published."""
    content = make_content({"incidents/ok.md": incident_text()})
    (content / "incidents" / "leak.md").symlink_to(outside_incident(tmp_path))
    output = tmp_path / "public"
    with pytest.raises(ContentError) as caught:
        build(content, output, NOW, cache_dir=tmp_path / "cache" if cached else None)
    [problem] = caught.value.problems
    assert problem.path == f"{content.as_posix()}/incidents/leak.md" and problem.line is None
    assert "symbolic link" in problem.message
    assert "Private" not in str(caught.value) and "elsewhere" not in str(caught.value)
    assert not output.exists()


def test_a_file_swapped_for_a_link_is_refused_by_a_cached_rebuild(make_content, tmp_path: Path) -> None:
    """With a warm cache, a content file replaced by a link to an outside file is refused, not
    taken from the cache or read through the link."""
    content = make_content({"incidents/x.md": incident_text()})
    cache = tmp_path / "cache"
    build(content, tmp_path / "public", NOW, cache_dir=cache)
    (content / "incidents" / "x.md").unlink()
    (content / "incidents" / "x.md").symlink_to(outside_incident(tmp_path))
    with pytest.raises(ContentError) as caught:
        build(content, tmp_path / "public", NOW, cache_dir=cache)
    assert [p.path for p in caught.value.problems] == [f"{content.as_posix()}/incidents/x.md"]
    assert "Private" not in (tmp_path / "public" / "index.html").read_text()


def test_a_linked_folder_loop_is_a_located_error(make_content) -> None:
    """`ln -s . content/incidents/loop` is reported, not walked (it used to crash)."""
    content = make_content({"incidents/x.md": incident_text()})
    (content / "incidents" / "loop").symlink_to(".")
    (content / "maintenance").mkdir()
    (content / "maintenance" / "up").symlink_to("..")
    assert problems_of(content) == [
        f"{content.as_posix()}/incidents/loop: is a symbolic link; statusgen follows no links in a site, "
        "so that no file from outside it can be published or quoted in an error "
        "(put the file or folder itself here)",
        f"{content.as_posix()}/maintenance/up: is a symbolic link; statusgen follows no links in a site, "
        "so that no file from outside it can be published or quoted in an error "
        "(put the file or folder itself here)",
    ]


def test_links_inside_the_content_folder_are_refused_too(make_content) -> None:
    """A link that stays inside the content folder is refused as well (one simple rule); a broken
    one too, where it used to be skipped silently. Hidden names stay ignored (editor lock files)."""
    content = make_content({"incidents/x.md": incident_text(), "archive/y.md": incident_text()})
    (content / "incidents" / "copy.md").symlink_to("x.md")
    (content / "incidents" / "old").symlink_to("../archive", target_is_directory=True)
    (content / "incidents" / "broken.md").symlink_to("missing.md")
    (content / "incidents" / ".#x.md").symlink_to("user@host.1234")
    shown = content.as_posix()
    assert [line.split(":")[0] for line in problems_of(content)] == [
        f"{shown}/incidents/broken.md",
        f"{shown}/incidents/copy.md",
        f"{shown}/incidents/old",
    ]


@pytest.mark.parametrize("linked", ["site.yaml", "incidents", "maintenance"])
def test_a_linked_site_yaml_or_entry_folder_is_refused(make_content, tmp_path: Path, linked: str) -> None:
    """site.yaml, incidents/ and maintenance/ may not be links either (to outside the site here)."""
    content = make_content()
    elsewhere = write_tree(
        tmp_path / "elsewhere",
        {"site.yaml": SITE_YAML, "incidents/x.md": incident_text(), "maintenance/x.md": MAINTENANCE},
    )
    if linked == "site.yaml":
        (content / "site.yaml").unlink()
    (content / linked).symlink_to(elsewhere / linked)
    [problem] = problems_of(content)
    assert problem.startswith(f"{content.as_posix()}/{linked}: is a symbolic link")


def test_the_content_folder_itself_may_be_a_link(make_content, tmp_path: Path) -> None:
    """The folder the user names is theirs to choose: only what lies inside it is checked."""
    content = make_content({"incidents/x.md": incident_text()})
    (tmp_path / "linked").symlink_to(content)
    assert "incidents/x/index.html" in check(tmp_path / "linked", NOW).files


@pytest.mark.parametrize("kind", ["incidents", "maintenance"])
def test_an_entry_folder_that_is_a_file_is_a_located_error(make_content, kind: str) -> None:
    """`incidents` (or `maintenance`) as a plain file used to build an empty site silently."""
    content = make_content({kind: "---\ntitle: x\n---\n"})
    assert problems_of(content) == [
        f"{content.as_posix()}/{kind}: expected a folder of content files, found a file"
    ]


# ---------------------------------------------------------------- symbolic links in a theme


THEME_LINKS = {  # a link under themes/ → what it points to, outside the site
    "brand/templates/base.html": "base.html",
    "brand/templates/partials": ".",
    "brand/static/logo.svg": "logo.svg",
    "brand/static": ".",
    "brand/theme.yaml": "theme.yaml",
    "brand": ".",
}


@pytest.mark.parametrize("link", THEME_LINKS)
def test_a_theme_link_leaving_the_theme_is_a_located_error(tmp_path: Path, link: str) -> None:
    """A template, static file or folder, theme.yaml or the theme folder itself linked outside is
    refused by name, and nothing of the target is read or quoted."""
    elsewhere = write_tree(
        tmp_path / "elsewhere",
        {"base.html": "SECRET-TEMPLATE", "logo.svg": "SECRET-SVG", "theme.yaml": "extends: default\n"},
    )
    files = {"content/site.yaml": SITE_YAML + "theme: brand\n", "content/incidents/x.md": incident_text()}
    if link not in ("brand", "brand/theme.yaml"):
        files["themes/brand/theme.yaml"] = "extends: default\n"
    write_tree(tmp_path, files)
    path = tmp_path / "themes" / link
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(elsewhere / THEME_LINKS[link])
    [problem] = problems_of(tmp_path / "content")
    assert problem.startswith(f"{path.as_posix()}: is a symbolic link")
    assert "SECRET" not in problem and "elsewhere" not in problem


def test_the_template_loader_refuses_a_link_that_appeared_after_the_check(tmp_path: Path) -> None:
    """The Jinja loader itself will not read a template through a link (a link made after
    `find_theme` checked the theme, or reached by a name it never listed)."""
    folder = write_tree(tmp_path / "brand", {"theme.yaml": "", "templates/page.html": "ok"})
    (tmp_path / "outside.html").write_text("SECRET")
    (folder / "templates" / "leak.html").symlink_to(tmp_path / "outside.html")
    theme = Theme("brand", (folder, builtin_themes_dir() / "default"), ("brand", "default"))
    env = environment(theme)
    assert env.get_template("page.html").render() == "ok"
    for name in ("leak.html", "!brand/leak.html"):
        with pytest.raises(jinja2.TemplateNotFound):
            env.get_template(name)


def test_a_linked_themes_folder_is_refused(tmp_path: Path) -> None:
    """`themes/` beside the content being a link is refused like a linked theme: its themes'
    templates and static files (which are published) would come from outside the site."""
    write_tree(tmp_path / "elsewhere" / "brand", {"theme.yaml": "", "static/secret.txt": "SECRET"})
    write_tree(tmp_path, {"content/site.yaml": SITE_YAML + "theme: brand\n"})
    (tmp_path / "themes").symlink_to(tmp_path / "elsewhere")
    [problem] = problems_of(tmp_path / "content")
    assert problem.startswith(f"{(tmp_path / 'themes').as_posix()}: is a symbolic link")
    assert "SECRET" not in problem and "elsewhere" not in problem


@pytest.mark.parametrize("parent", ["../../elsewhere/brand", "/ELSEWHERE/brand", "default/../x", "!default"])
def test_a_theme_extends_a_name_never_a_path(tmp_path: Path, parent: str) -> None:
    """`extends` is a theme's name, as `theme` in site.yaml: a path out of the themes folder (to a
    folder holding a theme.yaml, whose static files would be published) is a located error."""
    elsewhere = write_tree(
        tmp_path / "elsewhere" / "brand", {"theme.yaml": "", "static/secret.txt": "SECRET"}
    )
    parent = parent.replace("/ELSEWHERE/brand", elsewhere.as_posix())
    write_tree(
        tmp_path,
        {
            "content/site.yaml": SITE_YAML + "theme: child\n",
            "themes/child/theme.yaml": f"description: Ours\nextends: {json.dumps(parent)}\n",
        },
    )
    [problem] = problems_of(tmp_path / "content")
    assert problem == (
        f"{(tmp_path / 'themes/child/theme.yaml').as_posix()}:2: extends: expected a theme name "
        f"(a-z, 0-9, - and _), got {parent!r}"
    )


# ---------------------------------------------------------------- what a theme may run

# A template may use what it is given, never Python's internals: a theme in a pull request is run
# by `statusgen check` in CI, where secrets are in the environment.
ESCAPES = {
    "globals of a helper": '{{ cycler.__init__.__globals__.os.environ["STATUSGEN_TEST_SECRET"] }}',
    "class hierarchy": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "a function's globals": "{{ url.__globals__ }}",
    "a bound method's object": "{{ change_text.func.__globals__ }}",
    "format string": '{{ "{0.__class__.__init__.__globals__}".format(md) }}',
    "the build cache": "{{ md.learn({'key': '<script>alert(1)</script>'}) }}",
    "the build cache's mapping": "{{ md.known.update({'x': '<script>alert(1)</script>'}) }}",
    "converted text": "{{ md.take_fresh() }}",
}


@pytest.mark.parametrize("body", ESCAPES.values(), ids=ESCAPES.keys())
def test_a_template_cannot_reach_python_internals(
    make_content, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str
) -> None:
    """Templates are sandboxed: reaching the environment, Python's internals or the renderer's
    cache (which later builds reuse, whatever their theme) is a template error at its line, and
    nothing of the secret is printed."""
    monkeypatch.setenv("STATUSGEN_TEST_SECRET", "hunter2")
    write_tree(
        tmp_path / "themes" / "evil",
        {
            "theme.yaml": "extends: default\n",
            "templates/404.html": '{% extends "!default/404.html" %}\n{% block main %}'
            + body
            + "{% endblock %}",
        },
    )
    content = make_content({}, site=SITE_YAML + "theme: evil\n")
    with pytest.raises(ContentError) as caught:
        check(content, NOW, workers=1)
    (problem,) = caught.value.problems
    assert problem.path.endswith("themes/evil/templates/404.html") and problem.line == 2
    assert "template error" in problem.message and "hunter2" not in str(problem)


def test_a_sandboxed_theme_still_renders_what_it_is_given(tmp_path: Path) -> None:
    """The sandbox refuses internals only: attributes, methods, filters and macros of the context
    work as before (the default theme and the theme of release 1 render the golden sites, too)."""
    theme = Theme("default", (builtin_themes_dir() / "default",), ("default",))
    env = environment(theme)
    template = env.from_string("{{ x.isoformat() }} {{ y|join(',') }} {{ z.real }} {{ 'a{}'.format(1) }}")
    assert template.render(x=NOW, y=["a", "b"], z=3) == f"{NOW.isoformat()} a,b 3 a1"


# ---------------------------------------------------------------- file names


def test_a_name_starting_with_the_kelvin_sign_is_refused(make_content) -> None:
    """U+212A lower-cases to an ASCII "k": the slug rule is checked on the name as written."""
    content = make_content({"incidents/\u212aernel-panic.md": incident_text()})
    [problem] = problems_of(content)
    assert problem.startswith(
        f"{content.as_posix()}/incidents/\u212aernel-panic.md: the file name gives the slug"
    )
    assert "U+212A KELVIN SIGN" in problem


def test_a_translation_language_with_a_look_alike_letter_is_refused(make_content) -> None:
    """`x.\u212ao.md` is not a Korean translation of x.md, and is refused."""
    site = SITE_YAML.replace("timezone:", "languages: [en, ko]\ntimezone:")
    content = make_content(
        {"incidents/x.md": incident_text(), "incidents/x.\u212ao.md": incident_text()}, site=site
    )
    [problem] = problems_of(content)
    assert problem.startswith(
        f"{content.as_posix()}/incidents/x.\u212ao.md: the name says this is a translation"
    )


def test_names_that_look_alike_clash(make_content) -> None:
    """Slugs are compared case-folded and NFKC-normalised: Outage.md and outage.md clash (each in
    its own folder, as a case-insensitive disk allows), and so does a fullwidth look-alike."""
    content = make_content(
        {
            "incidents/2012/Outage.md": incident_text(),
            "incidents/2013/outage.md": incident_text(),
            "maintenance/db.md": MAINTENANCE,
            "maintenance/old/\uff24b.md": MAINTENANCE,
        }
    )
    shown = content.as_posix()
    problems = problems_of(content)
    assert (
        f"{shown}/incidents/2013/outage.md: the slug 'outage' is already used by "
        f"{shown}/incidents/2012/Outage.md (rename one of the two files)"
    ) in problems
    assert (
        f"{shown}/maintenance/old/\uff24b.md: the slug 'db' is already used by {shown}/maintenance/db.md"
        in " ".join(problems)
    )
    assert any("U+FF24 FULLWIDTH LATIN CAPITAL LETTER D" in p for p in problems)


# ---------------------------------------------------------------- what reaches readers

STRIPPED = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u2060\ufeff"


def test_the_stripped_set_is_the_one_documented() -> None:
    """The bidi embeddings, overrides and isolates, U+200B, U+2060 and U+FEFF; not the joiners or marks."""
    assert set(INVISIBLE) == {ord(c) for c in STRIPPED}
    assert not {0x200C, 0x200D, 0x200E, 0x200F, 0x061C} & set(INVISIBLE)


def test_bidi_controls_and_invisible_characters_never_reach_readers(make_content) -> None:
    """Stripped from titles, names, groups and the site's title and description (in every
    language) in pages, feeds and JSON; the joiners and marks that scripts need are kept."""
    site = (
        'title: "Acme\\u202e status\\u200b"\n'
        'description: "\\ufeffAll \\u2066about\\u2069 us"\n'
        "base_url: https://status.example.com/\n"
        "languages: [en, fr]\n"
        "components:\n"
        '  - {id: web, name: {en: "We\\u2060b\\u202d", fr: "Si\\u202ate"}, group: "Plat\\u200bform"}\n'
    )
    title = '"\\u202edevloser egatuo \\u200bdown\\ufeff \\U0001F468\\u200d\\U0001F469 \\u05e9\\u200f1"'
    files = {
        "incidents/x.md": incident_text(title=title, components="[web]"),
        "incidents/x.fr.md": '---\ntitle: "Panne \\u2067x\\u2069"\n---\n',
    }
    built = check(make_content(files, site=site), NOW).files
    texts = {
        path: data.decode()
        for path, data in built.items()
        if path.endswith((".html", ".atom", ".rss", ".json", ".ics", ".svg"))
    }
    leaked = {path: text for path, text in texts.items() if set(text) & set(STRIPPED)}
    assert not leaked
    kept = "devloser egatuo down \U0001f468\u200d\U0001f469 \u05e9\u200f1"
    summary = json.loads(built["api/v2/summary.json"])
    assert summary["incidents"][0]["name"] == kept
    assert summary["page"]["name"] == "Acme status"
    assert {c["name"] for c in summary["components"]} == {"Web", "Platform"}
    assert f"<h1>{kept}" in texts["incidents/x/index.html"]
    assert f"<title>{kept}</title>" in texts["history.atom"]
    assert f"<title>{kept}</title>" in texts["history.rss"]
    assert "<h1>Panne x" in texts["fr/incidents/x/index.html"] and "Site" in texts["fr/index.html"]
    assert ' · All about us">' in texts["index.html"] and "Platform" in texts["index.html"]


def test_a_title_of_only_invisible_characters_is_blank(make_content) -> None:
    """A title that strips down to nothing is a located "must not be blank", not an empty heading."""
    content = make_content({"incidents/x.md": incident_text(title='"\\u200b\\u202e"')})
    assert problems_of(content) == [f"{content.as_posix()}/incidents/x.md:2: title: must not be blank"]


def test_a_theme_cannot_read_what_is_not_published_yet(make_content, tmp_path: Path) -> None:
    """The content as written (future updates, a post-mortem not yet out) stays out of a theme's
    reach: `entry._source` is refused by the sandbox, a located template error."""
    text = incident_text(
        resolved="2012-06-21T10:00:00-07:00",
        postmortem_at="2012-06-22T10:00:00-07:00",
        body="SECRET ANALYSIS",
    )
    content = make_content({"incidents/x.md": text}, site=SITE_YAML + "theme: peek\n")
    for reach in ("entry.source.body", "entry._source.body", "incident._source.body"):
        write_tree(
            tmp_path,
            {
                "themes/peek/theme.yaml": "extends: default\n",
                "themes/peek/templates/incident.html": "{{ " + reach + " }}",
            },
        )
        with pytest.raises(ContentError) as caught:
            check(content, datetime.fromisoformat("2012-06-21T12:00:00-07:00"))
        assert "incident.html" in str(caught.value) and "SECRET" not in str(caught.value), reach
