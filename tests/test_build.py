"""The build: pages produced, sanitised Markdown, sub-path links, determinism, atomic publishing."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from statusgen import ContentError, PublishError, build, check
from statusgen.publish import MARKER, MARKER_TEXT, STAGING_MARK, _write_tree, safe_relative, write_site
from tests.conftest import NOW, SITE_YAML, incident_text, read_site, read_tree, stylesheet

MAINTENANCE = """---
title: Database upgrade
start: 2012-06-28T22:00:00-07:00
end: 2012-06-28T23:30:00-07:00
components: [api]
---
Read-only for a few minutes.
"""


def test_a_build_produces_every_page(make_content) -> None:
    """Index, 404, incident, maintenance, component and history pages, and the stylesheet."""
    content = make_content({"incidents/x.md": incident_text(), "maintenance/db.md": MAINTENANCE})
    files = check(content, NOW).files
    for path in [
        "index.html",
        "404.html",
        "incidents/x/index.html",
        "maintenance/db/index.html",
        "components/web/index.html",
        "components/api/index.html",
        "components/mail/index.html",
        "history/index.html",
        "history/2012/index.html",
        stylesheet(files),
        "sitemap.xml",
        "robots.txt",
        "_headers",
        "headers.json",
    ]:
        assert path in files, path


def test_index_shows_status_components_and_the_open_incident(make_content) -> None:
    """The banner matches the open incident, and the component shows its outage."""
    content = make_content({"incidents/x.md": incident_text(title="Website down")})
    index = check(content, NOW).files["index.html"].decode()
    assert '<section class="banner s-critical">' in index
    assert "Major System Outage" in index
    assert re.search(r'href="\./components/web/">Website</a> <span class="st s-major_outage">', index)
    assert 'href="./incidents/x/">Website down</a>' in index
    assert index.count('<ol class="bars"') == 3
    assert '<time datetime="2012-06-21T10:30:00-07:00">' in index  # generated at `now`


def test_incident_page_has_the_timeline_newest_first(make_content) -> None:
    """Every update appears with its status, its <time datetime> and its Markdown body."""
    updates = (
        "\n  - at: 2012-06-21T09:10:00-07:00\n    status: investigating\n    body: Looking *now*."
        "\n  - at: 2012-06-21T10:00:00-07:00\n    status: identified\n    body: Found it."
    )
    content = make_content({"incidents/x.md": incident_text(updates=updates, body="## Report\n")})
    page = check(content, NOW).files["incidents/x/index.html"].decode()
    second, first = page.index('id="update-2"'), page.index('id="update-1"')
    assert second < first
    assert '<time datetime="2012-06-21T09:10:00-07:00">June 21, 2012, 9:10\u202fAM UTC−7</time>' in page
    assert "<p>Looking <em>now</em>.</p>" in page
    assert "<h2>Report</h2>" in page
    assert "Ongoing for" in page and "1 hr 30 min" in page


def test_markdown_is_sanitised(make_content) -> None:
    """Script, event handlers and javascript: URLs from Markdown never reach a page."""
    body = (
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        "[click](javascript:alert(3)) <a href='https://ok.example/' onclick='alert(4)'>ok</a>\n"
    )
    content = make_content({"incidents/x.md": incident_text(body=body)})
    page = check(content, NOW).files["incidents/x/index.html"].decode()
    assert "<script>alert" not in page
    assert "onerror" not in page and "onclick" not in page
    assert "javascript:" not in page
    assert '<a href="https://ok.example/" rel="noopener noreferrer">ok</a>' in page


def test_links_work_from_a_sub_path_base_url(make_content) -> None:
    """Pages link relatively; 404.html (served at any depth) links from the base URL's path."""
    site = SITE_YAML.replace("https://status.example.com/", "https://example.github.io/status/")
    content = make_content({"incidents/x.md": incident_text()}, site=site)
    files = check(content, NOW).files
    incident = files["incidents/x/index.html"].decode()
    assert f'href="../../{stylesheet(files)}"' in incident
    assert '<link rel="canonical" href="https://example.github.io/status/incidents/x/">' in incident
    missing = files["404.html"].decode()
    assert f'href="/status/{stylesheet(files)}"' in missing
    assert 'href="/status/"' in missing


def test_the_same_content_and_now_give_identical_bytes(make_content, tmp_path: Path) -> None:
    """Two builds of the same content at the same `now` are byte-identical."""
    content = make_content({"incidents/x.md": incident_text(), "maintenance/db.md": MAINTENANCE})
    build(content, tmp_path / "one", NOW)
    build(content, tmp_path / "two", NOW)
    assert read_tree(tmp_path / "one") == read_tree(tmp_path / "two")


def test_the_marker_is_the_writers_and_no_part_of_the_rendered_site(make_content, tmp_path: Path) -> None:
    """Every build writes the same marker beside the site; `check`'s file map, the sitemap and the
    header rules know nothing of it, and no site may hold a file of its name."""
    content = make_content({"incidents/x.md": incident_text()})
    files = check(content, NOW).files
    assert MARKER not in files
    assert not [name for name, data in files.items() if MARKER.encode() in data]
    for linked in (False, True):
        build(content, tmp_path / f"out-{linked}", NOW, linked=linked)
        assert read_tree(tmp_path / f"out-{linked}") == {**files, MARKER: MARKER_TEXT}
    assert b"statusgen build" in MARKER_TEXT and b"delete\nthe folder by hand" in MARKER_TEXT
    with pytest.raises(PublishError, match="the name statusgen keeps for its marker"):
        write_site({MARKER: b"a page"}, tmp_path / "other")
    assert not (tmp_path / "other").exists()


def test_a_failed_build_leaves_the_previous_site_untouched(make_content, tmp_path: Path) -> None:
    """Bad content raises ContentError and the output folder keeps every byte of the last build."""
    content = make_content({"incidents/x.md": incident_text()})
    output = tmp_path / "public"
    build(content, output, NOW)
    before = read_tree(output)
    (content / "incidents" / "x.md").write_text(incident_text(impact="huge"), encoding="utf-8")
    with pytest.raises(ContentError):
        build(content, output, NOW)
    assert read_tree(output) == before
    assert not list(tmp_path.glob(f".public{STAGING_MARK}*"))


def test_a_rebuild_replaces_the_site_and_drops_removed_pages(make_content, tmp_path: Path) -> None:
    """A page whose incident was deleted disappears; nothing of the old tree lingers."""
    content = make_content({"incidents/x.md": incident_text(), "incidents/y.md": incident_text()})
    output = tmp_path / "public"
    build(content, output, NOW)
    assert (output / "incidents" / "y" / "index.html").exists()
    (content / "incidents" / "y.md").unlink()
    build(content, output, NOW)
    assert not (output / "incidents" / "y").exists()
    assert read_site(output) == dict(check(content, NOW).files)


def test_a_rebuild_links_the_files_it_does_not_change_and_writes_the_others(
    make_content, tmp_path: Path
) -> None:
    """Swap mode stages a whole new site, but a file the replaced site holds with the same bytes is
    hard-linked from it (the same file: its inode and time of modification kept, for sync tools);
    a changed file, and one the user linked elsewhere (two links), are written anew. The output is
    the same bytes as a fresh build's."""
    content = make_content({"incidents/x.md": incident_text(), "incidents/y.md": incident_text()})
    output = tmp_path / "public"
    build(content, output, NOW)
    before = {p.relative_to(output).as_posix(): p.stat() for p in output.rglob("*") if p.is_file()}
    users_copy = tmp_path / "saved-y.html"
    os.link(output / "incidents/y/index.html", users_copy)
    (content / "incidents/x.md").write_text(incident_text(title="Website down for everyone"))
    build(content, output, NOW)
    after = {p.relative_to(output).as_posix(): p.stat() for p in output.rglob("*") if p.is_file()}
    same = {path for path in after if path in before and after[path].st_ino == before[path].st_ino}
    assert "incidents/x/index.html" not in same and "index.html" not in same  # (changed: written)
    assert "incidents/y/index.html" not in same and users_copy.read_bytes()  # (the user's link kept)
    css = next(path for path in after if path.startswith("static/") and path.endswith(".css"))
    assert {"robots.txt", css, "components/mail/badge.svg", MARKER} <= same  # (unchanged: linked)
    assert all(after[path].st_mtime_ns == before[path].st_mtime_ns for path in same)
    build(content, tmp_path / "fresh", NOW)
    assert read_tree(output) == read_tree(tmp_path / "fresh")
    assert all(after[path].st_nlink == 1 for path in after)  # (the replaced site is gone)


def test_a_file_not_as_a_build_writes_it_is_written_anew_not_linked(
    make_content, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file of the replaced site whose mode was changed by hand is written anew (a rebuild puts
    it right); a file replaced by another writer between the check and the link is too: the
    staged site holds the build's bytes."""
    content = make_content({"incidents/x.md": incident_text()})
    output = tmp_path / "public"
    build(content, output, NOW)
    (output / "robots.txt").chmod(0o600)
    build(content, output, NOW)
    build(content, tmp_path / "fresh", NOW)
    assert (output / "robots.txt").stat().st_mode == (tmp_path / "fresh" / "robots.txt").stat().st_mode
    previous = tmp_path / "previous"
    previous.mkdir()
    (previous / "a.txt").write_bytes(b"hello")
    real_link = os.link

    def replaced_first(source: Path, target: Path) -> None:
        (previous / "new").write_bytes(b"EVIL!")
        os.replace(previous / "new", source)  # (another writer, not holding the lock)
        real_link(source, target)

    monkeypatch.setattr("statusgen.publish.os.link", replaced_first)
    _write_tree({"a.txt": b"hello"}, tmp_path / "staged", previous)
    assert (tmp_path / "staged" / "a.txt").read_bytes() == b"hello"


def test_a_stale_staging_folder_is_removed_by_the_next_build(make_content, tmp_path: Path) -> None:
    """A killed build's staging folder does not survive the next build."""
    content = make_content()
    stale = tmp_path / f".public{STAGING_MARK}99999"
    (stale / "half").mkdir(parents=True)
    build(content, tmp_path / "public", NOW)
    assert not stale.exists()
    assert (tmp_path / "public" / "index.html").exists()


def test_an_interrupted_fallback_swap_is_rolled_back(make_content, tmp_path: Path) -> None:
    """If a build died between the two renames of the fallback swap, the old site is restored."""
    output = tmp_path / "public"
    parked = tmp_path / f".public{STAGING_MARK}old-4242"
    parked.mkdir()
    (parked / "index.html").write_text("old site")
    write_site({"index.html": b"new site"}, output)
    assert (output / "index.html").read_bytes() == b"new site"
    assert not parked.exists()


@pytest.mark.parametrize("path", ["../escape.html", "/etc/passwd", "a/../../b", "a\\b", "", "a//b"])
def test_paths_leaving_the_output_folder_are_refused(path: str, tmp_path: Path) -> None:
    """No output path can point outside the output folder."""
    with pytest.raises(PublishError, match="outside the output folder"):
        safe_relative(path)
    with pytest.raises(PublishError):
        write_site({path: b"x"}, tmp_path / "public")
    assert not (tmp_path / "escape.html").exists()


def test_output_files_are_world_readable(make_content, tmp_path: Path) -> None:
    """The published folder is readable by a web server running as another user."""
    build(make_content(), tmp_path / "public", NOW)
    assert os.stat(tmp_path / "public").st_mode & 0o005 == 0o005


def test_the_history_index_shows_the_newest_months_and_years_hold_the_rest(make_content) -> None:
    """The archive's front page lists whole months, newest first, until it holds `feeds.entries`
    entries, and points to the yearly pages, which list everything."""
    months = ["2012-01-10", "2012-02-10", "2012-03-10", "2012-03-20", "2012-04-10"]
    files = check(
        make_content(
            {
                f"incidents/i{n}.md": incident_text(
                    title=f"Outage {n}", started=f"{day}T08:00:00-08:00", resolved=f"{day}T09:00:00-08:00"
                )
                for n, day in enumerate(months)
            },
            site=SITE_YAML + "feeds:\n  entries: 2\n",
        ),
        NOW,
    ).files
    index = files["history/index.html"].decode()
    assert [f"Outage {n}" in index for n in range(5)] == [False, False, True, True, True]
    assert 'href="../history/2012/"' in index and "listed by year" in index  # one year, a way on
    year = files["history/2012/index.html"].decode()
    assert all(f"Outage {n}" in year for n in range(5)) and "listed by year" not in year


def test_a_path_two_parts_of_the_site_write_is_refused_not_overwritten() -> None:
    """Merging the file maps of the site's producers refuses a path two of them write (a page and
    a feed, or a page kept from the published site and a feed), naming the path and both, as
    Pelican's writer refuses to overwrite a file; distinct paths merge."""
    from statusgen.publish import merge_files

    pages = ("the pages", {"index.html": b"<p>", "history.atom": b"<p>a page</p>"})
    feeds = ("the feeds and calendars", {"history.atom": b"<feed/>", "updates.atom": b"<feed/>"})
    with pytest.raises(ContentError) as raised:
        merge_files([pages, feeds])
    assert str(raised.value) == (
        "history.atom: written twice, by the pages and by the feeds and calendars; a build writes each "
        "file once (one would silently replace the other: rename what makes one of them)"
    )
    kept = ("the pages kept from the published site", {"updates.atom": "0" * 64})
    with pytest.raises(
        ContentError, match=r"^updates\.atom: written twice, by the feeds and calendars and by the pages kept"
    ):
        merge_files([feeds], [kept])
    assert merge_files([pages, ("the JSON API", {"api/v2/status.json": b"{}"})]) == {
        "index.html": b"<p>",
        "history.atom": b"<p>a page</p>",
        "api/v2/status.json": b"{}",
    }
