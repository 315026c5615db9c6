"""Hostile and broken input: any bytes give a site or located errors, never a traceback or a hang."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import statusgen
from statusgen import ContentError, PublishError, build, check
from statusgen.derive import derive
from statusgen.i18n import Formatter
from statusgen.markdown import render_markdown, too_complex
from statusgen.publish import MARKER, MARKER_TEXT, write_site
from tests.conftest import NOW, SITE_YAML, incident_text, write_tree
from tests.strategies_text import content_files

FUZZ_EXAMPLES = int(os.environ.get("STATUSGEN_FUZZ_EXAMPLES", "60"))


def build_or_errors(files: dict[str, bytes]) -> None:
    """Build the files in memory: either every output is well-formed, or every problem is located."""
    with tempfile.TemporaryDirectory() as folder:
        content = write_tree(Path(folder) / "content", files)
        try:
            result = check(content, NOW)
        except ContentError as error:
            assert error.problems
            for problem in error.problems:
                assert problem.path and problem.message and "\n" not in str(problem)
            return
    for path, data in result.files.items():
        if path.endswith((".atom", ".rss", ".svg")):
            ElementTree.fromstring(data)
        elif path.endswith(".json"):
            json.loads(data)
            assert b"<" not in data


@pytest.mark.slow
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(incident=content_files(), maintenance=content_files(), site=st.none() | content_files())
def test_any_bytes_give_a_site_or_located_errors(
    incident: bytes, maintenance: bytes, site: bytes | None
) -> None:
    """Fuzz: arbitrary front matter, bodies, encodings and bytes never raise anything but ContentError."""
    build_or_errors(
        {
            "site.yaml": site if site is not None else SITE_YAML.encode(),
            "incidents/fuzz.md": incident,
            "maintenance/fuzz.md": maintenance,
        }
    )


# ---------------------------------------------------------------- the known traps, one by one

TRAPS = {
    "billion laughs": b'---\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + b"".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}]*9\n".encode() for i in range(8))
    + b"---\n",
    "python tag": b"---\ntitle: !!python/object/apply:os.system ['echo pwned']\n---\n",
    "python name": b"---\ntitle: !!python/name:os.system\n---\n",
    "non-UTF-8": b"---\ntitle: Caf\xe9\n---\n",
    "UTF-16": "---\ntitle: x\n---\n".encode("utf-16"),
    "empty": b"",
    "only dashes": b"---\n",
    "deep flow nesting": b"---\ntitle: [" + b"[" * 40000 + b"\n---\n",
    "deep block nesting": b"---\ntitle:\n" + b"".join(b" " * i + b"- a\n" for i in range(2000)) + b"---\n",
    "huge number": b"---\ntitle: x\nstarted: " + b"9" * 6000 + b"\nimpact: minor\n---\n",
    "huge hex": b"---\ntitle: x\nstarted: 0x" + b"f" * 6000 + b"\nimpact: minor\n---\n",
    "year one": b"---\ntitle: x\nstarted: 0001-01-01T00:00:00+14:00\nimpact: minor\n---\n",
    "year 9999": b"---\ntitle: x\nstarted: 9999-12-31T23:59:59-14:00\nimpact: minor\n---\n",
    "explicit tags": b"---\ntitle: !!float abc\nstarted: !!timestamp x\nimpact: !!bool maybe\n---\n",
    "keys that are not text": b"---\n[a, b]: c\n{x: 1}: d\n? [e]\n: f\n---\n",
}


@pytest.mark.parametrize("data", TRAPS.values(), ids=TRAPS.keys())
def test_known_traps_give_located_errors(data: bytes) -> None:
    """Each trap is refused with a located error (or, where harmless, builds), without expanding."""
    with tempfile.TemporaryDirectory() as folder:
        content = write_tree(Path(folder) / "content", {"site.yaml": SITE_YAML, "incidents/trap.md": data})
        with pytest.raises(ContentError) as caught:
            check(content, NOW)
    assert all(p.path == "incidents/trap.md" or p.path.endswith("trap.md") for p in caught.value.problems)
    assert all(p.line is not None for p in caught.value.problems if "UTF-8" not in p.message)


def test_control_characters_are_dropped_and_the_file_builds(make_content) -> None:
    """NUL, DEL and C1 controls (which YAML and XML refuse) are removed on load."""
    text = incident_text(title="a\x00b\x7fc\x9bd", body="\x00body\x1b")
    built = check(make_content({"incidents/nul.md": text}), NOW).files
    assert "<h1>abcd" in built["incidents/nul/index.html"].decode()


def test_bom_and_crlf_build(make_content) -> None:
    """A BOM and CRLF (or lone CR) line endings are accepted."""
    text = incident_text(title="Windows file")
    files = {
        "incidents/a.md": "\ufeff" + text.replace("\n", "\r\n"),
        "incidents/b.md": text.replace("\n", "\r"),
    }
    built = check(make_content(files), NOW).files
    assert "Windows file" in built["incidents/a/index.html"].decode()
    assert "Windows file" in built["incidents/b/index.html"].decode()


@pytest.mark.slow
def test_a_5_mb_post_mortem_builds_and_16_mb_is_refused(make_content) -> None:
    """The size cap sits far above any real incident: 5 MB builds, over 16 MB is a located error."""
    paragraph = (
        "The cascading bug spread from one service to the next; see [the graph](https://x.example/g). "
    )
    body = (paragraph * 8 + "\n\n") * (5 * 1024 * 1024 // (len(paragraph) * 8))
    built = check(make_content({"incidents/long.md": incident_text(body=body)}), NOW).files
    assert built["incidents/long/index.html"].count(b"the graph</a>") > 40000
    huge = incident_text(body="x" * (16 * 1024 * 1024 + 1))
    with pytest.raises(ContentError) as caught:
        check(make_content({"incidents/huge.md": huge}), NOW)
    assert "incidents/huge.md" in str(caught.value) and "16 MB" in str(caught.value)


def test_titles_with_bidi_zero_width_and_25000_characters_build(make_content) -> None:
    """Bidi overrides and zero-width characters are removed from a title; a 25,000-character title builds."""
    bidi = '"Outage \u202egnp.exe\u202c \u200b\u2066x\u2069"'
    long_title = "A" * 25000
    built = check(
        make_content(
            {
                "incidents/bidi.md": incident_text(title=bidi),
                "incidents/long.md": incident_text(title=long_title),
            }
        ),
        NOW,
    ).files
    assert "Outage gnp.exe x" in built["incidents/bidi/index.html"].decode()
    assert long_title in built["incidents/long/index.html"].decode()
    ElementTree.fromstring(built["history.atom"])


@pytest.mark.parametrize(
    ("name", "site_id"),
    [
        ("../../escape.md", None),
        ("..%2Fx.md", None),
        ("con.md.bak", None),
        (None, "../../etc"),
        (None, "a/b"),
    ],
)
def test_names_cannot_steer_paths_out_of_the_output(
    make_content, name: str | None, site_id: str | None
) -> None:
    """File names and component ids that try to leave the output folder are refused or ignored."""
    files = {}
    site = SITE_YAML
    if name is not None:
        files[f"incidents/sub/{name}"] = incident_text()
    if site_id is not None:
        site = SITE_YAML.replace("id: mail", f"id: {site_id!r}".replace("'", '"'))
    try:
        result = check(make_content(files, site=site), NOW)
    except ContentError as error:
        assert error.problems
        return
    assert all(".." not in path.split("/") and not path.startswith("/") for path in result.files)


# ---------------------------------------------------------------- pathological Markdown


@pytest.mark.parametrize(
    "body",
    [
        "[" * 30000,
        "[](" * 10000,
        ("[a " * 1900 + "\n\n") * 20,
        "".join("    " * i + "- x\n" for i in range(1000)),
        "".join(">" * i + " x\n" for i in range(1000)),
    ],
    ids=["brackets", "bracket-parens", "bracket-blocks", "nested-lists", "nested-quotes"],
)
def test_pathological_markdown_falls_back_to_plain_text(body: str) -> None:
    """Bodies Python-Markdown would take minutes on are shown escaped in <pre>, at once."""
    assert too_complex(body)
    html = render_markdown(body + "<script>alert(1)</script>")
    assert html.startswith('<pre class="plain">') and "<script>" not in html


def test_ordinary_markdown_is_not_treated_as_pathological() -> None:
    """Long link lists, code and moderate nesting stay Markdown."""
    links = "".join(f"- [link {i}](https://x.example/{i})\n" for i in range(600))
    nested = "".join("  " * i + "- x\n" for i in range(10))
    code = "```\n" + "\n".join(" " * 40 + "indented code" for _ in range(50)) + "\n```\n"
    for body in (links, nested, code, "> quote\n>> deeper\n"):
        assert not too_complex(body)
    assert render_markdown(links).count("<a ") == 600


# ---------------------------------------------------------------- derivations the review found wrong


def test_durations_are_exact_across_dst_changes(make_content) -> None:
    """A naive-time incident across the spring-forward night lasts 23 hours, not a wall-clock day."""
    text = incident_text(started="2012-03-11T00:00:00", resolved="2012-03-12T00:00:00")
    content = check(
        make_content({"incidents/dst.md": text}), datetime.fromisoformat("2012-03-13T00:00:00-07:00")
    )
    from statusgen import load_content

    (incident,) = derive(load_content(make_content({"incidents/dst.md": text})), NOW).incidents
    assert incident.duration == timedelta(hours=23)
    assert "23" in content.files["incidents/dst/index.html"].decode()


def test_a_resolved_then_reopened_incident_is_resolved_in_between(make_content) -> None:
    """Between a `resolved` update and the update that reopens it, the incident is resolved."""
    from statusgen import load_content

    text = incident_text(
        updates="""
  - at: 2012-06-21T09:10:00-07:00
    status: investigating
    body: Down.
  - at: 2012-06-21T10:00:00-07:00
    status: resolved
    body: Fixed.
  - at: 2012-06-21T11:00:00-07:00
    status: investigating
    body: Down again.""",
    )
    content = load_content(make_content({"incidents/re.md": text}))
    between = derive(content, datetime.fromisoformat("2012-06-21T10:30:00-07:00")).incidents[0]
    assert not between.active and between.status == "resolved"
    after = derive(content, datetime.fromisoformat("2012-06-21T11:30:00-07:00")).incidents[0]
    assert after.active and after.status == "investigating"


@pytest.mark.parametrize(
    ("value", "shown"), [(19.999999999996, "20.00%"), (57.5, "57.50%"), (99.9999, "99.99%")]
)
def test_percentages_floor_without_float_error(value: float, shown: str) -> None:
    """Floored to two decimals, but 19.999999999996 (a float's 20) is 20.00 %."""
    assert Formatter("en", "UTC").percent(value) == shown


@pytest.mark.parametrize("language", ["bg", "is", "zu", "nn", "oc", "ja", "ar"])
def test_every_locale_formats_dates_and_durations(language: str) -> None:
    """Locales lacking some list patterns still format durations; quoted literals lose their quotes."""
    fmt = Formatter(language, "UTC")
    moment = datetime.fromisoformat("2012-06-21T09:00:00+00:00")
    assert "'" not in fmt.datetime(moment)
    assert fmt.duration(timedelta(hours=2, minutes=5))


# ---------------------------------------------------------------- where the site is published


def test_an_output_overlapping_the_content_is_refused(make_content, tmp_path: Path) -> None:
    """--output equal to, inside or above the content folder would delete the content: refused."""
    content = make_content({"incidents/x.md": incident_text()})
    for output in (content, content / "incidents", content.parent):
        with pytest.raises(PublishError, match="overlaps the content folder"):
            build(content, output, NOW)
    assert (content / "incidents" / "x.md").exists() and (content / "site.yaml").exists()


def test_an_output_holding_the_working_folder_is_refused(make_content, tmp_path: Path, monkeypatch) -> None:
    """Building into `.` or a parent of the working folder is refused, in either mode."""
    content = make_content({})
    work = tmp_path / "work"
    work.mkdir()
    (work / "keep.txt").write_text("keep")
    monkeypatch.chdir(work)
    for linked in (False, True):
        with pytest.raises(PublishError, match="holds the working folder"):
            build(content, Path("."), NOW, linked=linked)
        with pytest.raises(PublishError, match=r"holds the working folder|overlaps the content folder"):
            build(content, Path(".."), NOW, linked=linked)
    assert (work / "keep.txt").read_text() == "keep"


def test_a_symlinked_output_replaces_the_folder_it_points_to(make_content, tmp_path: Path) -> None:
    """The link stays a link; the real folder receives the new site; nothing is left behind."""
    content = make_content({})
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    build(content, link, NOW)
    assert link.is_symlink() and (real / "index.html").exists()
    build(content, link, NOW)
    assert sorted(p.name for p in tmp_path.iterdir() if "staging" in p.name) == []


@pytest.mark.parametrize("case", ["dangling-link", "parent-is-a-file"])
def test_unusable_outputs_are_located_errors(make_content, tmp_path: Path, case: str) -> None:
    """A link to nothing, or an output under a file, is an error naming the output, not a traceback."""
    content = make_content({})
    if case == "dangling-link":
        output = tmp_path / "dangling"
        output.symlink_to(tmp_path / "missing")
    else:
        (tmp_path / "file").write_text("x")
        output = tmp_path / "file" / "sub"
    with pytest.raises(PublishError) as caught:
        build(content, output, NOW)
    assert str(output) in str(caught.value)


def test_a_read_only_parent_is_a_located_error(tmp_path: Path) -> None:
    """No permission to stage beside the output: exit 1 with an error naming the output, no traceback."""
    command = [sys.executable, "-m", "statusgen", "build", "--content", "content", "--output", "ro/public"]
    if os.geteuid() == 0:  # root writes anywhere: run the build as an unprivileged user instead
        if shutil.which("setpriv") is None:
            pytest.skip("LOUD SKIP: running as root without setpriv, cannot drop privileges")
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    work = tempfile.mkdtemp(dir=tmp_path)
    os.chmod(work, 0o755)
    write_tree(Path(work), {"content/site.yaml": SITE_YAML})
    (Path(work) / "ro").mkdir(mode=0o555)
    os.chmod(Path(work) / "ro", 0o555)
    source = Path(statusgen.__file__).resolve().parent  # an editable install runs from the clone
    for folder in {tmp_path, *tmp_path.parents, *source.parents}:  # let the unprivileged user reach them
        if folder.stat().st_mode & 0o005 != 0o005:
            os.chmod(folder, folder.stat().st_mode | 0o005)
    result = subprocess.run(
        command,
        cwd=work,
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1340300000"},
    )
    assert result.returncode == 1, result.stderr
    assert "ro/public: cannot publish the site: Permission denied" in result.stderr
    assert "Traceback" not in result.stderr


def snapshot(folder: Path) -> dict[str, object]:
    """Everything under a folder, hidden entries included: each file's bytes, each folder, each
    symbolic link's target (not followed)."""
    found: dict[str, object] = {}
    for root, folders, files in os.walk(folder):
        for name in folders + files:
            path = Path(root) / name
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[key] = f"-> {os.readlink(path)}"
            elif path.is_dir():
                found[key] = "folder"
            else:
                found[key] = path.read_bytes()
    return found


@pytest.mark.parametrize("linked", [False, True], ids=["swap", "link"])
def test_a_folder_statusgen_did_not_write_is_refused_and_left_untouched(
    make_content, tmp_path: Path, linked: bool
) -> None:
    """`--output docs` over a folder of the user's: a located error naming what it holds, and not a
    byte changed, not even a lock file, staging folder or link-mode store created beside it."""
    content = make_content({"incidents/x.md": incident_text()})
    output = write_tree(tmp_path / "docs", {"notes.md": "mine", "drafts/plan.md": "also mine"})
    before = snapshot(tmp_path)
    with pytest.raises(PublishError) as caught:
        build(content, output, NOW, linked=linked)
    (problem,) = caught.value.problems
    assert problem.path == str(output)
    assert problem.message.startswith(
        "the output folder holds 1 file and 1 folder that statusgen did not write, such as drafts/, notes.md"
    )
    assert problem.hint == "choose another --output, or delete the folder by hand to start over"
    with pytest.raises(PublishError, match="did not write"):  # the write stage refuses it by itself too
        write_site({"index.html": b"x"}, output, linked)
    assert snapshot(tmp_path) == before


def test_an_empty_folder_or_none_is_a_fine_output(make_content, tmp_path: Path) -> None:
    """An existing empty folder, and a folder not there yet, receive the site and its marker."""
    content = make_content({})
    (tmp_path / "empty").mkdir()
    for output in (tmp_path / "empty", tmp_path / "new" / "public"):
        build(content, output, NOW)
        assert (output / "index.html").is_file()
        assert (output / MARKER).read_bytes() == MARKER_TEXT


def test_a_folder_of_an_earlier_build_is_replaced_whole(make_content, tmp_path: Path) -> None:
    """The marker says the folder is statusgen's: the next build replaces it, files added by hand
    included (as the marker's text warns)."""
    content = make_content({})
    output = tmp_path / "docs"
    build(content, output, NOW)
    (output / "notes.md").write_text("added by hand")
    build(content, output, NOW)
    assert not (output / "notes.md").exists()
    assert b"delete\nthe folder by hand" in (output / MARKER).read_bytes()


def test_an_output_of_an_earlier_release_is_replaced(make_content, tmp_path: Path) -> None:
    """Releases before the marker always wrote `api/statusgen/next-change.json` and `headers.json`:
    such an output is statusgen's (upgrading refuses no site); either file alone is no sign."""
    content = make_content({})
    earlier = {"index.html": "old", "api/statusgen/next-change.json": "{}", "headers.json": "{}"}
    output = write_tree(tmp_path / "public", earlier)
    build(content, output, NOW)
    assert (output / MARKER).is_file() and (output / "index.html").read_text() != "old"
    for sign in ("api/statusgen/next-change.json", "headers.json"):
        partial = write_tree(tmp_path / f"partial-{sign.replace('/', '-')}", {sign: "{}"})
        with pytest.raises(PublishError, match="statusgen did not write"):
            build(content, partial, NOW)
        assert snapshot(partial) == snapshot(write_tree(tmp_path / "again", {sign: "{}"}))
        shutil.rmtree(tmp_path / "again")


def test_theme_folders_and_the_contents_parents_are_refused(
    make_content, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build never replaces a folder themes are looked up in (beside the content, or the shipped
    ones), a folder inside or holding one, nor the folders holding the content."""
    shipped = tmp_path / "shipped" / "themes"  # (a copy: the real one must never be at risk here)
    module = importlib.import_module("statusgen.build")
    shutil.copytree(module.builtin_themes_dir(), shipped)
    monkeypatch.setattr(module, "builtin_themes_dir", lambda: shipped)
    site = tmp_path / "site"
    content = make_content({})
    shutil.move(content, site / "content")
    content = site / "content"
    write_tree(site / "themes" / "brand", {"theme.yaml": "extends: default\n"})
    before = snapshot(tmp_path)
    refused = {
        site / "themes": "the theme folder",
        site / "themes" / "brand": "the theme folder",
        site / "themes" / "new": "the theme folder",
        shipped: "the theme folder",
        shipped / "default" / "static": "the theme folder",
        shipped.parent: "the theme folder",
        site: "the content folder",
        tmp_path: "the content folder",
    }
    for output, what in refused.items():
        for linked in (False, True):
            with pytest.raises(PublishError, match=f"overlaps {what}") as caught:
                build(content, output, NOW, linked=linked)
            assert caught.value.problems[0].path == str(output)
    assert snapshot(tmp_path) == before


@pytest.mark.slow
def test_link_mode_owns_its_link_and_swap_mode_checks_the_folder_a_link_points_to(
    make_content, tmp_path: Path
) -> None:
    """Link mode's own link is statusgen's output, in either mode; the user's link to a folder of
    theirs is followed in swap mode and refused, the folder untouched; to an earlier build, used."""
    content = make_content({})
    output = tmp_path / "public"
    build(content, output, NOW, linked=True)
    build(content, output, NOW, linked=True)
    assert output.is_symlink() and (output / MARKER).read_bytes() == MARKER_TEXT
    build(content, output, NOW)  # swap mode replaces the served copy
    build(content, output, NOW, linked=True)
    assert (output / MARKER).is_file()
    users = write_tree(tmp_path / "www", {"notes.md": "mine"})
    link = tmp_path / "site"
    link.symlink_to(users)
    before = snapshot(tmp_path)
    with pytest.raises(PublishError, match=r"holds 1 file that statusgen did not write, such as notes\.md"):
        build(content, link, NOW)
    assert snapshot(tmp_path) == before
    (users / "notes.md").unlink()
    build(content, users, NOW)
    (users / "notes.md").write_text("added by hand to an earlier build")
    build(content, link, NOW)
    assert link.is_symlink() and (users / MARKER).is_file() and not (users / "notes.md").exists()


@pytest.mark.parametrize("linked", [False, True], ids=["swap", "link"])
def test_a_file_as_the_output_is_refused_in_either_mode(make_content, tmp_path: Path, linked: bool) -> None:
    """An output that is a file is never moved or replaced."""
    content = make_content({})
    (tmp_path / "public").write_text("a file of the user's")
    before = snapshot(tmp_path)
    with pytest.raises(PublishError, match="exists and is not a folder"):
        build(content, tmp_path / "public", NOW, linked=linked)
    assert snapshot(tmp_path) == before
