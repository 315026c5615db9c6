"""Nothing half-published (a build killed at any point of its write) and byte-identical rebuilds."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from statusgen.publish import LOCK_SUFFIX, STAGING_MARK, write_site
from tests.conftest import read_site, read_tree

# Slow (outside `pytest -m "not slow and not browser"`): builds killed mid-write, repeated builds.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "content"


def site(version: str, pages: int) -> dict[str, bytes]:
    """A synthetic file map: each version differs in every file's bytes and in some of the paths."""
    files = {f"incidents/i{n}/index.html": f"<p>{version} {n}</p>\n".encode() * 40 for n in range(pages)}
    files[f"only-in-{version}.html"] = version.encode()
    files["index.html"] = f"index {version}".encode()
    return files


def write_in_child(files: dict[str, bytes], output: Path) -> int:
    """Fork a process that publishes `files` into `output`; return its pid."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            write_site(files, output)
        finally:
            os._exit(0)
    return pid


def kill_when(pid: int, ready: Callable[[], bool]) -> None:
    """SIGKILL the child as soon as `ready()` holds (or once it has exited by itself)."""
    while not ready():
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            return
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def count(folder: Path) -> int:
    """How many entries a folder holds (0 if it does not exist yet)."""
    try:
        return len(os.listdir(folder))
    except FileNotFoundError:
        return 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_build_killed_anywhere_in_its_write_leaves_the_old_or_the_new_site(tmp_path: Path) -> None:
    """SIGKILL at many points of the write: the output is always the whole old or the whole new site.

    The points are chosen by watching the build's progress, not by timing: as its staging folder fills
    (every 20 pages of 200), and after the swap while the previous site is being removed.
    """
    old, new = site("old", 180), site("new", 200)
    output = tmp_path / "public"
    outcomes = []
    points: list[Callable[[Path], bool]] = [
        *(lambda staging, k=k: count(staging / "incidents") >= k for k in range(0, 201, 20)),
        lambda staging: (output / "only-in-new.html").exists(),
    ]
    for ready in points:
        write_site(old, output)  # the old site again (this also removes what a killed build left)
        pid = write_in_child(new, output)
        staging = tmp_path / f".public{STAGING_MARK}{pid}"
        kill_when(pid, lambda staging=staging, ready=ready: ready(staging))
        found = read_site(output)
        assert found in (old, new), f"killed at point {len(outcomes)}: neither the old nor the new site"
        outcomes.append("new" if found == new else "old")
    assert outcomes[0] == "old" and outcomes[-1] == "new"
    write_site(new, output)
    assert read_site(output) == new
    assert [p.name for p in tmp_path.iterdir() if STAGING_MARK in p.name] == []


@pytest.mark.parametrize("linked", [False, True], ids=["swap", "link"])
def test_the_lock_stays_beside_the_output_after_a_build(tmp_path: Path, linked: bool) -> None:
    """Builds take turns by locking `.<output>.statusgen-lock`; the file stays after a build (were it
    unlinked while another build waits on it, a third would lock a new file of that name and swap
    at the same time as the second), the same file from build to build."""
    output = tmp_path / "public"
    lock = tmp_path / f".public{LOCK_SUFFIX}"
    write_site(site("one", 3), output, linked)
    assert lock.is_file()
    inode = lock.stat().st_ino
    write_site(site("two", 3), output, linked)
    assert lock.is_file() and lock.stat().st_ino == inode
    assert read_site(output) == site("two", 3)


def run_build(content: Path, output: Path, cwd: Path, seed: str) -> None:
    """Build with the command line in a fresh interpreter, from `cwd`, with a given hash seed."""
    env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1340300000"}
    command = [sys.executable, "-m", "statusgen", "build", "--content", str(content), "--output", str(output)]
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)


def copy_in_order(source: Path, target: Path, reverse: bool) -> None:
    """Copy a folder creating its entries in sorted or reversed order (a different directory order)."""
    target.mkdir(parents=True)
    for entry in sorted(source.iterdir(), reverse=reverse):
        if entry.is_dir():
            copy_in_order(entry, target / entry.name, reverse)
        else:
            shutil.copy2(entry, target / entry.name)


def test_builds_are_byte_identical_across_folders_seeds_and_file_order(tmp_path: Path) -> None:
    """Different working folders, PYTHONHASHSEED and directory order give byte-identical trees."""
    first, second = tmp_path / "a" / "deep" / "site", tmp_path / "b"
    copy_in_order(EXAMPLE, first / "content", reverse=False)
    copy_in_order(EXAMPLE, second / "content", reverse=True)
    run_build(Path("content"), Path("public"), first, "1")
    run_build(second / "content", tmp_path / "elsewhere" / "out", tmp_path, "4242")
    one, two = read_tree(first / "public"), read_tree(tmp_path / "elsewhere" / "out")
    assert len(one) > 80
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
