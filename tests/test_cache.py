"""The build cache reuses only what did not change, and the link mode writes only changed files."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import statusgen.markdown
from statusgen import build, check
from statusgen.cache import Cache
from tests.conftest import NOW, SITE_YAML, incident_text, read_site, read_tree, write_tree

RESOLVED = incident_text(
    title="Old outage",
    started="2012-06-01T08:00:00-07:00",
    resolved="2012-06-01T09:00:00-07:00",
    body="The *primary database* failed over; see the [post-mortem](https://example.com/pm).\n",
)
OPEN = incident_text(
    title="Ongoing outage",
    started="2012-06-21T09:00:00-07:00",
    updates="\n  - at: 2012-06-21T09:05:00-07:00\n    status: investigating\n    body: We **look** into it.",
)
OTHER_YEAR = incident_text(
    title="Last year", started="2011-03-01T08:00:00-07:00", resolved="2011-03-01T09:00:00-07:00"
)


@pytest.fixture
def site(make_content, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A content folder beside a themes/ folder, with a cache signing key of the test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return make_content(
        {"incidents/old.md": RESOLVED, "incidents/open.md": OPEN, "incidents/y.md": OTHER_YEAR}
    )


_RENDERED: list[str] = []  # the pages the builds of `cached` rendered (`BuildResult.rendered`)


@pytest.fixture
def rendered() -> list[str]:
    """The output path of every page `cached` builds render from now on (not those they keep)."""
    _RENDERED.clear()
    return _RENDERED


def cached(site: Path, now: datetime = NOW, linked: bool = False) -> dict[str, bytes]:
    """A build into `public/` with the cache beside the content, in this process: its files."""
    output = site.parent / "public"
    result = build(site, output, now, workers=1, cache_dir=site.parent / ".statusgen-cache", linked=linked)
    assert read_site(output) == dict(result.files)  # what was published is what the build says
    _RENDERED.extend(result.rendered)
    return dict(result.files)


@pytest.mark.slow
@pytest.mark.parametrize("linked", [False, True], ids=["swap", "link"])
def test_a_cached_build_is_byte_identical_to_an_uncached_one(site: Path, linked: bool) -> None:
    """Cold, warm, and after every kind of edit, the cache never changes a byte of the output."""
    assert cached(site, linked=linked) == check(site, NOW, workers=1).files
    assert cached(site, linked=linked) == check(site, NOW, workers=1).files
    (site / "incidents" / "old.md").write_text(RESOLVED.replace("Old outage", "Old outage, edited"))
    assert cached(site, linked=linked) == check(site, NOW, workers=1).files
    assert (
        cached(site, NOW + timedelta(days=1), linked) == check(site, NOW + timedelta(days=1), workers=1).files
    )


@pytest.mark.parametrize("linked", [False, True], ids=["swap", "link"])
def test_a_warm_build_renders_only_pages_whose_inputs_changed(
    site: Path, rendered: list[str], linked: bool
) -> None:
    """Ended incidents and history years are kept from the published site; an edited one is
    rendered again."""
    cached(site, linked=linked)
    rendered.clear()
    cached(site, linked=linked)
    assert "incidents/old/index.html" not in rendered and "history/2011/index.html" not in rendered
    assert "incidents/open/index.html" not in rendered  # ongoing, but at the same `now`
    assert "index.html" in rendered
    rendered.clear()
    (site / "incidents" / "old.md").write_text(RESOLVED.replace("Old outage", "Old outage, edited"))
    files = cached(site, linked=linked)
    assert "incidents/old/index.html" in rendered and "history/2011/index.html" not in rendered
    assert b"Old outage, edited" in files["incidents/old/index.html"]


def test_link_mode_keeps_unchanged_pages_without_reading_or_writing_them(site: Path) -> None:
    """In link mode an unchanged page is neither rendered, read nor written: the copy being brought
    up to date holds it already, and the build's file map reads it back only when asked."""
    output = site.parent / "public"
    options = {"workers": 1, "cache_dir": site.parent / ".statusgen-cache", "linked": True}
    for _ in range(3):
        build(site, output, NOW, **options)  # type: ignore[arg-type]
    served = Path(os.path.realpath(output))
    other = served.parent / ("b" if served.name == "a" else "a")
    before = (other / "incidents/old/index.html").stat().st_ino
    result = build(site, output, NOW, **options)  # type: ignore[arg-type]
    kept = result.files.kept  # type: ignore[attr-defined]
    assert "incidents/old/index.html" in kept and "history/2011/index.html" in kept
    assert Path(os.path.realpath(output)) == other
    assert (other / "incidents/old/index.html").stat().st_ino == before  # not written again
    assert dict(result.files) == check(site, NOW, workers=1).files


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["edited", "deleted"])
def test_link_mode_never_publishes_a_served_page_changed_by_hand(site: Path, damage: str) -> None:
    """A page of the served copy edited or deleted by hand is not carried into the next copy:
    what is taken from the served copy is checked against its hash first. (Link mode trusts its
    manifest of the copy it writes into, as it always has: see benchmarks/README.md.)"""
    output = site.parent / "public"
    options = {"workers": 1, "cache_dir": site.parent / ".statusgen-cache", "linked": True}
    build(site, output, NOW, **options)  # type: ignore[arg-type]
    build(site, output, NOW, **options)  # type: ignore[arg-type]
    (site / "incidents" / "old.md").write_text(RESOLVED.replace("Old outage", "Old outage, edited"))
    build(site, output, NOW, **options)  # type: ignore[arg-type]  # the served copy has the new page
    page = Path(os.path.realpath(output)) / "incidents/old/index.html"
    page.unlink()  # as an editor saves: a new file, not the one the other copy shares
    if damage == "edited":
        page.write_bytes(b"<p>Defaced</p>")
    result = build(site, output, NOW, **options)  # type: ignore[arg-type]
    assert read_site(output) == dict(result.files) == check(site, NOW, workers=1).files


@pytest.mark.slow
def test_a_build_that_published_meanwhile_never_mixes_two_sites(site: Path) -> None:
    """Two link-mode builds of one output overlap (the lock covers only the writing): whichever
    publishes second publishes a whole, correct site, or fails and leaves the first's in place."""
    from statusgen import ContentError
    from statusgen.incremental import published
    from statusgen.publish import write_site

    output = site.parent / "public"
    cache = site.parent / ".statusgen-cache"
    for _ in range(2):
        build(site, output, NOW, workers=1, cache_dir=cache, linked=True)
    (site / "incidents" / "old.md").write_text(RESOLVED.replace("Old outage", "Old outage, edited"))
    slow = check(site, NOW, workers=1, cache_dir=cache, previous=published(output, True))
    build(site, output, NOW, workers=1, cache_dir=cache, linked=True)  # publishes first
    build(site, output, NOW, workers=1, cache_dir=cache, linked=True)
    try:
        write_site(slow.files, output, linked=True)
    except ContentError as error:
        assert "changed while the site was being built" in str(error)
    assert read_site(output) == check(site, NOW, workers=1).files


@pytest.mark.slow
def test_a_published_page_edited_by_hand_is_rendered_again_in_swap_mode(
    site: Path, rendered: list[str]
) -> None:
    """Swap mode checks each kept page against its hash: a page changed in the output is rendered
    again, not published as it was found."""
    cached(site)
    page = site.parent / "public" / "incidents" / "old" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"Old outage", b"Defaced"))
    rendered.clear()
    files = cached(site)
    assert "incidents/old/index.html" in rendered and b"Defaced" not in files["incidents/old/index.html"]


@pytest.mark.slow
@pytest.mark.parametrize("edit", ["site.yaml", "template", "static file"])
def test_site_and_theme_changes_invalidate_every_page(site: Path, rendered: list[str], edit: str) -> None:
    """site.yaml, a theme template or a static file changed: every page is rendered again."""
    themes = site.parent / "themes" / "local"
    write_tree(themes, {"theme.yaml": "extends: default\n", "templates/.keep": "", "static/extra.css": "a{}"})
    (site / "site.yaml").write_text(SITE_YAML + "theme: local\n")
    cached(site)
    rendered.clear()
    if edit == "site.yaml":
        (site / "site.yaml").write_text(
            SITE_YAML.replace("name: Website", "name: Web site") + "theme: local\n"
        )
    elif edit == "template":
        (themes / "templates" / "incident.html").write_text(
            '{% extends "!default/incident.html" %}{% block title %}Changed{% endblock %}'
        )
    else:
        (themes / "static" / "extra.css").write_text("a{color:red}")
    files = cached(site)
    assert "incidents/old/index.html" in rendered and "history/2011/index.html" in rendered
    assert files == check(site, NOW, workers=1).files


@pytest.mark.slow
def test_markdown_is_converted_once_not_again_when_pages_are(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A theme change renders every page again but converts no Markdown; an edited document's new
    text is converted, and only that."""
    converted: list[str] = []
    original = statusgen.markdown.render_markdown

    def spy(text: str, md=None) -> str:  # type: ignore[no-untyped-def]
        converted.append(text)
        return original(text, md)

    monkeypatch.setattr(statusgen.markdown, "render_markdown", spy)
    cached(site)
    assert "We **look** into it." in converted and len(converted) == 2
    converted.clear()
    write_tree(site.parent / "themes" / "local", {"theme.yaml": "extends: default\n"})
    (site / "site.yaml").write_text(SITE_YAML + "theme: local\n")
    files = cached(site)  # every page rendered again with the new theme
    assert converted == []
    assert files == check(site, NOW, workers=1).files
    converted.clear()
    (site / "incidents" / "old.md").write_text(RESOLVED.replace("failed over", "failed"))
    cached(site)
    assert converted == ["The *primary database* failed; see the [post-mortem](https://example.com/pm).\n"]


@pytest.mark.parametrize("linked", [False, True], ids=["swap", "link"])
def test_now_invalidates_time_dependent_pages_only(site: Path, rendered: list[str], linked: bool) -> None:
    """Another `now`: the ongoing incident's page is rendered again (its duration), ended ones are not."""
    cached(site, linked=linked)
    cached(site, linked=linked)
    rendered.clear()
    later = NOW + timedelta(hours=1)
    files = cached(site, later, linked)
    assert "incidents/open/index.html" in rendered and "incidents/old/index.html" not in rendered
    assert files == check(site, later, workers=1).files


def test_another_statusgen_version_ignores_the_cache(site: Path) -> None:
    """Entries written by another statusgen (release or code) are never used."""
    cached(site)
    from statusgen.markdown import markdown_configuration

    folder = site.parent / ".statusgen-cache"
    assert len(Cache(folder).markdown(markdown_configuration())) == 2
    assert Cache(folder, code="9.9+other").markdown(markdown_configuration()) == {}


def test_one_new_text_rewrites_one_file_of_the_markdown_cache(site: Path) -> None:
    """Markdown is kept in shards: a new body rewrites the shard holding it, not the others."""
    folder = site.parent / ".statusgen-cache"
    cached(site)
    before = {path.name: path.stat().st_ino for path in folder.glob("markdown-*.pickle")}
    (site / "incidents" / "old.md").write_text(RESOLVED.replace("failed over", "failed"))
    cached(site)
    after = {
        path.name: path.stat().st_ino for path in folder.glob("markdown-*.pickle")
    }  # new file, new inode
    assert len([name for name in after if after[name] != before.get(name)]) == 1


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "foreign key", "planted pickle"])
def test_a_damaged_or_planted_cache_is_rebuilt_never_trusted(
    site: Path, damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each cache file is signed: a damaged, foreign or planted one is ignored and the output is right."""
    cached(site)
    folder = site.parent / ".statusgen-cache"
    for path in folder.glob("*.pickle"):
        data = path.read_bytes()
        if damage == "truncated":
            path.write_bytes(data[: len(data) // 2])
        elif damage == "flipped byte":
            path.write_bytes(data[:100] + bytes([data[100] ^ 1]) + data[101:])
        elif damage == "foreign key":
            monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))
        else:
            import pickle

            path.write_bytes(b"\0" * 32 + pickle.dumps(((1, "x", None), {"files": {}})))
    (site / "incidents" / "old.md").write_text(RESOLVED.replace("Old outage", "Repaired"))
    files = cached(site)
    assert files == check(site, NOW, workers=1).files
    assert b"Repaired" in files["incidents/old/index.html"]


def test_an_edit_that_keeps_size_and_time_is_still_seen(site: Path) -> None:
    """A same-size edit within the same second (a racy stat) is caught by hashing the file."""
    cached(site)
    path = site / "incidents" / "old.md"
    stat = path.stat()
    path.write_text(RESOLVED.replace("Old outage", "Odd outage"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert b"Odd outage" in cached(site)["incidents/old/index.html"]


# ---------------------------------------------------------------- link mode


@pytest.mark.slow
def test_link_mode_writes_only_changed_files_and_flips_atomically(site: Path, tmp_path: Path) -> None:
    """The output is a link to one of two copies; a rebuild rewrites only the files that changed."""
    output = tmp_path / "public"
    build(site, output, NOW, workers=1, linked=True)
    first = os.readlink(output)
    build(site, output, NOW, workers=1, linked=True)
    second = os.readlink(output)
    assert output.is_symlink() and first != second
    untouched = output / "incidents" / "old" / "index.html"
    inode = untouched.stat().st_ino
    (site / "incidents" / "open.md").write_text(OPEN.replace("Ongoing outage", "Ongoing outage, update"))
    result = build(site, output, NOW, workers=1, linked=True)
    assert os.readlink(output) == first
    build(site, output, NOW, workers=1, linked=True)  # back to the copy that held `inode`
    assert untouched.stat().st_ino == inode, "an unchanged file was rewritten"
    tree = read_site(output)
    assert tree == dict(result.files)


@pytest.mark.slow
def test_link_mode_recovers_from_an_interrupted_update(site: Path, tmp_path: Path) -> None:
    """A copy whose manifest is missing (a build killed while updating it) is rewritten whole."""
    output = tmp_path / "public"
    build(site, output, NOW, workers=1, linked=True)
    build(site, output, NOW, workers=1, linked=True)
    store = tmp_path / ".public.statusgen"
    idle = "a" if os.readlink(output).endswith("b") else "b"
    (store / f"{idle}.manifest.json").unlink()
    # As statusgen writes: a new file in place of the old one (the copies share unchanged files).
    (store / idle / "index.html").unlink()
    (store / idle / "index.html").write_text("half-written")
    (store / idle / "stray.html").write_text("left over")
    result = build(site, output, NOW, workers=1, linked=True)
    tree = read_site(output)
    assert tree == dict(result.files)


@pytest.mark.slow
def test_switching_between_swap_and_link_modes(site: Path, tmp_path: Path) -> None:
    """A plain output folder becomes the link, and back; the content is always the whole site."""
    output = tmp_path / "public"
    build(site, output, NOW, workers=1)
    assert output.is_dir() and not output.is_symlink()
    result = build(site, output, NOW, workers=1, linked=True)
    assert output.is_symlink()
    build(site, output, NOW, workers=1)
    build(site, output, NOW, workers=1, linked=True)
    tree = read_site(output)
    assert tree == dict(result.files)


@pytest.mark.slow
def test_updating_one_copy_never_touches_the_served_one(site: Path, tmp_path: Path) -> None:
    """The copies share unchanged files by hard links: a rebuild replaces files, never writes into them."""
    output = tmp_path / "public"
    build(site, output, NOW, workers=1, linked=True)
    build(site, output, NOW, workers=1, linked=True)
    served = Path(os.path.realpath(output))
    before = read_tree(served)
    (site / "incidents" / "old.md").write_text(RESOLVED.replace("Old outage", "Old outage, rewritten"))
    build(site, output, NOW, workers=1, linked=True)
    assert Path(os.path.realpath(output)) != served
    after = read_tree(served)
    assert after == before
    assert b"rewritten" in (output / "incidents" / "old" / "index.html").read_bytes()


@pytest.mark.slow
def test_worker_processes_give_the_same_bytes_as_one(make_content) -> None:
    """A site big enough to be spread over processes builds byte-identical with 1 and 3 workers."""
    files = {
        f"incidents/{n:03d}.md": incident_text(
            title=f"Incident {n}",
            started=f"2012-0{1 + n % 6}-{1 + n % 28:02d}T{n % 24:02d}:00:00-07:00",
            resolved=None if n % 17 == 0 else f"2012-0{1 + n % 6}-{1 + n % 28:02d}T{n % 24:02d}:30:00-07:00",
            body=f"## Report {n}\n\n- a [link](https://example.com/{n})\n",
        )
        for n in range(260)
    }
    content = make_content(files)
    assert check(content, NOW, workers=3).files == check(content, NOW, workers=1).files


@pytest.mark.slow
def test_a_renamed_file_is_not_served_under_its_old_name(site: Path) -> None:
    """Renaming (or swapping) files changes the links of the history pages that list them."""
    cached(site)
    os.rename(site / "incidents" / "y.md", site / "incidents" / "renamed.md")
    files = cached(site)
    assert b"incidents/renamed/" in files["history/2011/index.html"]
    assert files == check(site, NOW, workers=1).files


@pytest.mark.slow
def test_a_history_of_ended_incidents_says_when_they_last_changed(site: Path) -> None:
    """Whatever `now`, a history page listing only ended entries shows the same "Updated" time."""
    (site / "incidents" / "open.md").unlink()
    first = cached(site)["history/index.html"]
    later = NOW + timedelta(hours=5)
    assert (
        cached(site, later)["history/index.html"]
        == first
        == check(site, later, workers=1).files["history/index.html"]
    )


@pytest.mark.slow
@pytest.mark.parametrize("library", ["nh3", "markdown", "babel", "jinja2"])
def test_another_library_version_renders_pages_again(
    site: Path, rendered: list[str], monkeypatch: pytest.MonkeyPatch, library: str
) -> None:
    """A new nh3, Markdown, Babel or Jinja2 (say, a sanitiser fix) reaches the cached pages too."""
    import importlib

    cached(site)
    rendered.clear()
    monkeypatch.setattr(importlib.import_module(library), "__version__", "99.0")
    cached(site)
    assert "incidents/old/index.html" in rendered


def test_link_mode_keeps_a_symbolic_link_of_the_users_own(site: Path, tmp_path: Path) -> None:
    """An output that is the user's own link is not silently replaced by link mode."""
    from statusgen import PublishError

    (tmp_path / "www").mkdir()
    (tmp_path / "public").symlink_to(tmp_path / "www")
    with pytest.raises(PublishError, match="this one is yours"):
        build(site, tmp_path / "public", NOW, workers=1, linked=True)
    assert os.readlink(tmp_path / "public") == str(tmp_path / "www")


def test_a_worker_that_dies_fails_the_build_instead_of_hanging() -> None:
    """A worker killed (as the OOM killer would) gives a clear error, not a build that never ends."""
    import signal

    from statusgen import WorkerError
    from statusgen.execution import parallel_map

    def work(item: int) -> int:
        if item == 150:
            os.kill(os.getpid(), signal.SIGKILL)
        return item

    with pytest.raises(WorkerError, match="worker process of the build ended unexpectedly"):
        parallel_map(work, range(300), workers=2)
    assert parallel_map(lambda item: item * 2, range(300), workers=2) == [n * 2 for n in range(300)]


def test_work_in_the_background_returns_its_result_or_its_error() -> None:
    """`InBackground` runs a part of the build in another process: its result, its exception, or
    a clear error if the process is killed, come back to the caller."""
    import signal

    from statusgen import ContentError, Problem, WorkerError
    from statusgen.execution import InBackground

    parent = os.getpid()
    with InBackground(os.getpid, workers=2) as work:
        assert work.result() != parent  # another process
    with InBackground(os.getpid, workers=1) as work:
        assert work.result() == parent  # one worker: in this one

    def fails() -> None:
        raise ContentError([Problem("feeds", 3, "title", "broken")])

    with pytest.raises(ContentError, match="broken") as raised, InBackground(fails, workers=2) as work:
        work.result()
    assert "in fails" in raised.value.__notes__[0]  # where it went wrong, in the other process

    class Odd(Exception):
        def __init__(self, first: str, second: str) -> None:
            super().__init__(f"{first} {second}")

    def odd() -> None:
        raise Odd("cannot", "unpickle")

    with pytest.raises(RuntimeError, match="Odd: cannot unpickle"), InBackground(odd, workers=2) as work:
        work.result()
    with (
        pytest.raises(WorkerError, match="worker process of the build ended unexpectedly"),
        InBackground(lambda: os.kill(os.getpid(), signal.SIGKILL), workers=2) as work,
    ):
        work.result()
    with pytest.raises(RuntimeError), InBackground(lambda: time.sleep(30), workers=2):
        raise RuntimeError("the build failed meanwhile")  # and does not wait 30 s for the work


@pytest.mark.slow
@pytest.mark.parametrize("linked", [False, True], ids=["swap", "link"])
def test_an_incident_with_updates_still_to_come_is_rendered_as_of_each_now(site: Path, linked: bool) -> None:
    """An ended-looking incident whose file holds an update dated after `now` is shown as of `now`:
    its page is not kept from a build at another `now`."""
    later = incident_text(
        title="Resolved, then a follow-up",
        started="2012-06-10T08:00:00-07:00",
        resolved="2012-06-10T09:00:00-07:00",
        updates=(
            "\n  - at: 2012-06-10T08:30:00-07:00\n    status: identified\n    body: Found it."
            "\n  - at: 2012-06-22T10:00:00-07:00\n    status: resolved\n    body: Follow-up posted."
        ),
    )
    (site / "incidents" / "later.md").write_text(later)
    for now in (NOW, NOW, NOW + timedelta(days=2), NOW + timedelta(days=2), NOW):
        files = cached(site, now, linked)
        assert files == check(site, now, workers=1).files
        assert (b"Follow-up posted" in files["incidents/later/index.html"]) == (now > NOW)


@pytest.mark.slow
@pytest.mark.parametrize("linked", [False, True], ids=["swap", "link"])
def test_the_history_index_follows_entries_it_does_not_show(
    make_content, tmp_path: Path, linked: bool
) -> None:
    """The history index says when older entries exist: adding or removing one it does not list
    changes it, though none of the entries it lists changed."""
    monkeypatch_home = pytest.MonkeyPatch()
    monkeypatch_home.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    site = make_content(
        {
            f"incidents/{day}.md": incident_text(
                title=f"Outage of {day}", started=f"{day}T08:00:00-08:00", resolved=f"{day}T09:00:00-08:00"
            )
            for day in ("2012-03-10", "2012-04-10")
        },
        site=SITE_YAML + "feeds:\n  entries: 2\n",
    )
    try:
        cached(site, linked=linked)
        cached(site, linked=linked)
        older = site / "incidents" / "2012-01-10.md"
        older.write_text(
            incident_text(started="2012-01-10T08:00:00-08:00", resolved="2012-01-10T09:00:00-08:00")
        )
        files = cached(site, linked=linked)
        assert b"listed by year" in files["history/index.html"]
        assert files == check(site, NOW, workers=1).files
        older.unlink()
        files = cached(site, linked=linked)
        assert b"listed by year" not in files["history/index.html"]
        assert files == check(site, NOW, workers=1).files
    finally:
        monkeypatch_home.undo()


def test_kept_paths_are_checked_like_written_ones(tmp_path: Path) -> None:
    """A kept file's path is checked before publishing, like a rendered one's."""
    from statusgen import PublishError
    from statusgen.publish import SiteFiles, write_site

    files = SiteFiles({"index.html": b"<p>x</p>"}, {"../secret.txt": "0" * 64}, tmp_path)
    for linked in (False, True):
        with pytest.raises(PublishError, match="outside the output folder"):
            write_site(files, tmp_path / "deep" / "public", linked)
    assert not (tmp_path / "deep" / "secret.txt").exists()


def test_the_code_version_covers_the_modules_of_subpackages(tmp_path: Path) -> None:
    """A changed module changes the code version the cache is keyed by, whether it is at the top
    of the package or in a subpackage (`statusgen/content/…`), and so does a moved one."""
    from statusgen.cache import code_digest

    write_tree(tmp_path, {"a.py": "A = 1\n", "content/__init__.py": "", "content/walk.py": "B = 1\n"})
    before = code_digest(tmp_path)
    (tmp_path / "content" / "walk.py").write_text("B = 2\n")
    changed = code_digest(tmp_path)
    assert changed != before
    (tmp_path / "content" / "walk.py").rename(tmp_path / "walk.py")
    moved = code_digest(tmp_path)
    assert moved != changed
    (tmp_path / "notes.txt").write_text("not code")
    assert code_digest(tmp_path) == moved
