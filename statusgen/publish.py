"""Publishing a built site: the write stage, atomic whichever way it goes.

Two ways, both leaving readers the whole old site or the whole new one, never a mix:

- **Swap** (the default): the new site is written into a staging folder beside the output, which is
  exchanged with the output in one step (`renameat2(RENAME_EXCHANGE)` on Linux). The output stays a
  plain folder. A build that fails, or is killed, leaves the previous output untouched; its staging
  folder is removed by the next build.
- **Link** (`linked=True`, `statusgen build --output-link`): the output is a symbolic link to one of
  two copies of the site kept in `.<output>.statusgen/`. A build brings the copy not being served up
  to date, writing only the files that differ from it (a manifest of hashes says which), then
  repoints the link in one `rename`. A rebuild of a big site then writes a handful of files instead
  of all of them. A copy interrupted while being updated has no manifest, so the next build rewrites
  it whole.

A rebuild need not hold the bytes of the pages it did not render again (`incremental.py` knows
which files the site being served holds, by hash): it hands the writer a `SiteFiles` map in which
those files are read back from there only if something asks for them.

The file map is gathered from several producers (the theme's static files, the pages, the feeds,
the JSON API…): `merge_files` refuses a path that two of them write, rather than let one silently
replace the other.

Either way the whole output is replaced, so a build replaces only an output that is statusgen's
(`check_output`): one that does not exist, an empty folder, link mode's own link, or a folder holding
a sign of an earlier build. The sign is a marker, `.statusgen-output`, that the writer adds to every
site it writes (fixed text, so builds stay byte-identical; it is not in the render stage's file map,
so neither `check`, the header rules, the sitemap nor `deploy` see it); outputs of releases before
the marker are known by the files they always wrote (`api/statusgen/next-change.json` and
`headers.json`). Anything else is refused before anything is written or created beside it, as are
the working folder, the content folder and the theme folders, and every folder holding or inside
them. The lock file `.<output>.statusgen-lock` beside the output stays there after a build:
removing a file another build may hold locked would let a third lock a new file of the same name.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import posixpath
import shutil
import stat
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from statusgen.errors import ContentError, Problem, PublishError

STAGING_MARK = ".statusgen-staging-"
LOCK_SUFFIX = ".statusgen-lock"
STORE_SUFFIX = ".statusgen"
TREES = ("a", "b")
# Written into every site published, the sign that the folder is statusgen's to replace (see above).
MARKER = ".statusgen-output"
MARKER_TEXT = (
    b"This folder is a site built by statusgen. Every `statusgen build` replaces the whole folder,\n"
    b"so a file added here by hand is lost at the next build.\n"
    b"statusgen replaces a folder only if it is empty or holds this file. To start over, delete\n"
    b"the folder by hand.\n"
)
# What every release before the marker wrote: the sign of an output it published.
EARLIER_SIGNS = ("api/statusgen/next-change.json", "headers.json")


def safe_relative(path: str) -> str:
    """Check that an output path stays inside the output folder; return it normalised."""
    normal = posixpath.normpath(path)
    if (
        not path
        or path.startswith("/")
        or "\\" in path
        or normal.startswith("..")
        or normal != path
        or "\x00" in path
    ):
        raise PublishError([Problem(path, None, "", "refusing to write outside the output folder")])
    return normal


def file_hash(data: bytes) -> str:
    """The SHA-256 (hex) by which manifests, and the build cache, know a published file."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, eq=False)  # equal as mappings are: path by path, bytes by bytes
class SiteFiles(Mapping[str, bytes]):
    """A site's files by path: bytes rendered (or read back) by this build, and files kept as they
    are in the copy link mode writes into (`kept`: path → SHA-256 hex), read from that `folder`
    only when asked for, and checked against their hash."""

    rendered: Mapping[str, bytes]
    kept: Mapping[str, str] = field(default_factory=dict)
    folder: Path | None = None
    order: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Fix the iteration order: paths sorted, whichever part holds them."""
        if not self.order:
            object.__setattr__(self, "order", tuple(sorted({*self.rendered, *self.kept})))

    def __getitem__(self, path: str) -> bytes:
        """The file's bytes (a kept file is read back and checked against its hash)."""
        if path in self.rendered:
            return self.rendered[path]
        digest = self.kept[path]
        assert self.folder is not None
        data = (self.folder / path).read_bytes()
        if file_hash(data) != digest:
            message = "a published file changed while the site was being built; build again"
            raise PublishError([Problem(str(self.folder / path), None, "", message)])
        return data

    def __contains__(self, path: object) -> bool:
        """Whether the site has this path (without reading anything)."""
        return path in self.rendered or path in self.kept

    def __iter__(self) -> Iterator[str]:
        """Paths in sorted order."""
        return iter(self.order)

    def __len__(self) -> int:
        """How many files the site has."""
        return len(self.order)

    def digest(self, path: str) -> str:
        """The SHA-256 (hex) of a file, without reading a kept one."""
        kept = self.kept.get(path)
        return kept if kept is not None else file_hash(self.rendered[path])


def merge_files(
    parts: Sequence[tuple[str, Mapping[str, bytes]]], claimed: Sequence[tuple[str, Collection[str]]] = ()
) -> dict[str, bytes]:
    """One file map from the maps of the site's producers (`(what, files)`), with the paths
    `claimed` besides (such as pages kept from the published site) checked too. A path two of them
    write is refused, as Pelican's writer refuses to overwrite a file: a located ContentError
    naming the path and both producers, rather than one silently replacing the other."""
    seen: set[str] = set()
    everything = [*parts, *claimed]
    for index, (what, paths) in enumerate(everything):
        clash = seen.intersection(paths)
        if clash:
            path = min(clash)
            first = next(earlier for earlier, held in everything[:index] if path in held)
            message = f"written twice, by {first} and by {what}; a build writes each file once"
            hint = "one would silently replace the other: rename what makes one of them"
            raise ContentError([Problem(path, None, "", message, hint)])  # (what the site is made of)
        seen.update(paths)
    files: dict[str, bytes] = {}
    for _, part in parts:
        files.update(part)
    return files


def write_site(
    files: Mapping[str, bytes],
    output: Path,
    linked: bool = False,
    protected: Sequence[tuple[str, Path]] = (),
) -> None:
    """Write the file map, and the marker, into `output`, replacing what was there atomically (see
    the module's text); refuse an output that is not statusgen's (`check_output`, which the
    `protected` folders are given to).

    The output's parent folder must be writable: the new site is staged there. In the default swap
    mode, an output that is a symbolic link to a folder of the user's is followed, so the folder it
    points to is replaced.
    """
    for path in files:
        safe_relative(path)
    shown = str(output)
    if MARKER in files:
        message = f"the site has a file named {MARKER}, the name statusgen keeps for its marker"
        raise PublishError([Problem(shown, None, "", message)])
    ours = _is_our_link(output)
    output = check_output(output, linked, protected)  # (before anything is created beside it)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        if linked:
            _publish_linked(files, output)
        elif ours:  # back from link mode: the served copy is replaced, so its manifest is void
            with locked(output):  # the lock link-mode builds take: never both at once
                _forget_manifests(output)
                _publish(files, Path(os.path.realpath(output)), carry_from=output)
        else:
            _publish(files, output)
    except OSError as error:
        reason = error.strerror or str(error)
        where = f" ({error.filename})" if error.filename and str(error.filename) != shown else ""
        raise PublishError([Problem(shown, None, "", f"cannot publish the site: {reason}{where}")]) from None


# Files no build renders that a site keeps from one build to the next: the record of the messages
# `statusgen notify` delivered (notify/record.py), so a retried CI job never announces twice.
CARRIED = ("api/statusgen/notified.json",)


def _carried(output: Path, files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The files to carry over from the output being replaced (`CARRIED`) that the build lacks."""
    from statusgen.notify.record import RECORD, Record

    found = {}
    root = Path(os.path.realpath(output))
    for path in CARRIED:
        if path in files:
            continue
        if path == RECORD:
            Record.read(root)  # (a record reached by a symbolic link, or unreadable, is an error)
        try:
            found[path] = (root / path).read_bytes()
        except OSError:
            continue
    return found


def _marked(files: Mapping[str, bytes], carried: Mapping[str, bytes]) -> Mapping[str, bytes]:
    """The file map with the marker and the carried files added (the render stage's map is left
    as it is)."""
    added = {MARKER: MARKER_TEXT, **carried}
    if isinstance(files, SiteFiles):
        order = tuple(sorted((*added, *files.order)))  # (nearly sorted already: linear)
        return SiteFiles({**files.rendered, **added}, files.kept, files.folder, order)
    return {**files, **added}


def check_output(output: Path, linked: bool = False, protected: Sequence[tuple[str, Path]] = ()) -> Path:
    """Refuse an output that is not statusgen's to replace; return what a build replaces there.

    Refused, with a located PublishError and nothing touched: the working folder or a folder holding
    it; a folder that is, holds or lies inside one of the `protected` folders (`(what, folder)`: the
    content folder, the theme folders); something that is not a folder; in link mode, a symbolic
    link of the user's; and an existing folder that is not empty and holds no sign of an earlier
    build (the marker, or what releases before it always wrote). In swap mode a symbolic link is
    followed, and the folder it points to must be statusgen's. Link mode's own link is statusgen's.
    Returns the folder to replace (links followed), or in link mode (or for link mode's own link)
    the output as given, made absolute.
    """
    ours = _is_our_link(output)
    if output.is_symlink() and not ours:
        _check_users_link(output, linked)
    if linked or ours:  # the link itself (or the folder link mode turns into its link)
        target = Path(os.path.abspath(output))
        where = Path(os.path.realpath(target.parent)) / target.name
    else:
        target = where = Path(os.path.realpath(output))
    _check_overlaps(output, where, protected)
    if not ours and where.exists():
        _check_ours(output, where)
    return target


def _refusal(output: Path, message: str, hint: str = "") -> PublishError:
    """The error refusing this output."""
    return PublishError([Problem(str(output), None, "", message, hint)])


def _check_users_link(output: Path, linked: bool) -> None:
    """Refuse a symbolic link of the user's in link mode (it would be replaced), or to nothing."""
    if linked:
        message = "link mode makes the output its own symbolic link, and this one is yours (it is kept)"
        raise _refusal(output, message, "publish without --output-link")
    if not output.exists():
        raise _refusal(output, "the output is a symbolic link to nothing")


def _check_overlaps(output: Path, where: Path, protected: Sequence[tuple[str, Path]]) -> None:
    """Refuse an output (replacing `where`) that holds the working folder, or overlaps a protected one."""
    here = Path.cwd().resolve()
    if where == here or where in here.parents:
        raise _refusal(output, "the output folder holds the working folder; publishing would replace it")
    for what, folder in protected:
        folder = folder.resolve()
        if where == folder or where in folder.parents or folder in where.parents:
            message = (
                f"the output folder overlaps {what} {folder}; publishing replaces the whole output "
                "folder, so it must be a separate folder"
            )
            raise _refusal(output, message, "choose another --output, such as public")


def _check_ours(output: Path, where: Path) -> None:
    """Refuse an existing output (at `where`) that is no folder, or holds what statusgen did not write."""
    if not where.is_dir():
        raise _refusal(output, "the output exists and is not a folder", "choose another --output")
    try:
        foreign = _foreign_entries(where)
    except OSError as error:
        raise _refusal(output, f"cannot read the output folder: {error.strerror or error}") from None
    if foreign:
        folders = sum(1 for name in foreign if name.endswith("/"))
        counts = [
            f"{number} {noun}{'s' if number != 1 else ''}"
            for number, noun in ((len(foreign) - folders, "file"), (folders, "folder"))
            if number
        ]
        message = (
            f"the output folder holds {' and '.join(counts)} that statusgen did not write, such as "
            f"{', '.join(foreign[:3])}, and no {MARKER} of an earlier build; a build replaces the "
            "whole output folder, so it refuses one that is not its own"
        )
        hint = "choose another --output, or delete the folder by hand to start over"
        raise _refusal(output, message, hint)


def _foreign_entries(folder: Path) -> list[str]:
    """What a folder holds at its top (folders ending in `/`), sorted, unless it is empty or holds a
    sign of an earlier build: then nothing."""
    if (folder / MARKER).is_file() or all((folder / sign).is_file() for sign in EARLIER_SIGNS):
        return []
    with os.scandir(folder) as entries:
        return sorted(entry.name + ("/" if entry.is_dir() else "") for entry in entries)


def _publish(files: Mapping[str, bytes], output: Path, carry_from: Path | None = None) -> None:
    """Stage the files beside `output` and swap them in, one build at a time; what is carried over
    (`CARRIED`, from `carry_from`, by default `output`) is read under the lock, so a `notify`
    writing its record is never undone."""
    with locked(output):
        files = _marked(files, _carried(carry_from or output, files))
        _remove_stale(output)
        staging = output.parent / f".{output.name}{STAGING_MARK}{os.getpid()}"
        try:
            _write_tree(files, staging, output if output.is_dir() else None)
            if output.exists():
                _exchange(staging, output)  # staging now holds the previous site
            else:
                os.rename(staging, output)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _write_tree(files: Mapping[str, bytes], root: Path, previous: Path | None = None) -> None:
    """Write the files into `root`, a new folder. A file the `previous` site (the output being
    replaced) holds with the same bytes, in a file of its own (one link, in real folders), is
    hard-linked from it instead: the same bytes for far less of the disk's work, and its time of
    modification kept, so sync tools see it unchanged. Where linking fails, files are written."""
    root.mkdir()
    made = {root}
    reuse = _Reuse(previous) if previous is not None else None
    for relative, data in files.items():
        target = root / relative
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if reuse is None or not reuse.linked(relative, data, target):
            target.write_bytes(data)


class _Reuse:
    """Hard links from the previous site into the one being staged (see `_write_tree`).

    A file is linked only if it is as this build would write it: a regular file of one link, its
    bytes, the mode a new file gets under the umask, owned by whoever builds (so a rebuild still
    puts right a mode or owner changed by hand). The link is checked after it is made (the same
    file, the same bytes), so a file replaced meanwhile by another writer is written instead.
    """

    def __init__(self, previous: Path) -> None:
        self.previous = previous
        self.folders: dict[str, bool] = {"": True}  # relative folder → a real folder of the site
        self.working = True
        umask = os.umask(0o022)
        os.umask(umask)
        self.mode = 0o666 & ~umask
        self.owner = (os.geteuid(), os.getegid()) if hasattr(os, "geteuid") else None

    def linked(self, relative: str, data: bytes, target: Path) -> bool:
        """Link `target` to the previous site's file at `relative` if it holds `data`."""
        folder = relative.rpartition("/")[0]
        if not self.working or not self._real_folder(folder):
            return False
        source = self.previous / relative
        try:
            found = os.lstat(source)
            if not self._as_written(found, len(data)):
                return False
            os.link(source, target)
        except FileNotFoundError:
            return False
        except OSError:  # (a file system without hard links, too many links…: write from now on)
            self.working = False
            return False
        made = os.lstat(target)
        if (made.st_dev, made.st_ino) == (found.st_dev, found.st_ino) and target.read_bytes() == data:
            return True
        target.unlink()  # (not the file compared, or not those bytes: written instead)
        return False

    def _as_written(self, found: os.stat_result, size: int) -> bool:
        """Whether a file is as this build would write one of `size` bytes (bytes aside)."""
        return (
            stat.S_ISREG(found.st_mode)
            and found.st_nlink == 1
            and found.st_size == size
            and stat.S_IMODE(found.st_mode) == self.mode
            and (self.owner is None or (found.st_uid, found.st_gid) == self.owner)
        )

    def _real_folder(self, folder: str) -> bool:
        """Whether a folder of the previous site is a folder, and none of its parents a link."""
        if folder not in self.folders:
            parent = folder.rpartition("/")[0]
            try:
                mode = os.lstat(self.previous / folder).st_mode
            except OSError:
                mode = 0
            self.folders[folder] = self._real_folder(parent) and stat.S_ISDIR(mode)
        return self.folders[folder]


def output_lock(output: Path) -> contextlib.AbstractContextManager[None]:
    """The lock a build of `output` takes (beside link mode's own link, else beside the folder a
    link points to), for another writer of the output (`notify`'s record) to take too."""
    if _is_our_link(output):
        return locked(Path(os.path.abspath(output)))
    return locked(Path(os.path.realpath(output)))


@contextlib.contextmanager
def locked(output: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output for the whole write (one build, or one `notify`
    writing its record, at a time)."""
    lock_path = output.parent / f".{output.name}{LOCK_SUFFIX}"
    with open(lock_path, "a+b") as handle:
        try:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows: no advisory lock
            pass
        yield


def _remove_stale(output: Path) -> None:
    """Remove staging folders that a killed build left behind (the lock shows none is live).

    Where a build was killed in the middle of a non-atomic swap, the previous site is put back.
    """
    parked = sorted(output.parent.glob(f".{output.name}{STAGING_MARK}old-*"))
    if parked and not output.exists():
        os.rename(parked[0], output)
    for stale in output.parent.glob(f".{output.name}{STAGING_MARK}*"):
        if stale.is_symlink():
            stale.unlink()
        else:
            shutil.rmtree(stale, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(new: Path, current: Path) -> None:
    """Swap two folders atomically; where the system cannot, rename with a moment of absence."""
    libc = _libc()
    renameat2 = getattr(libc, "renameat2", None) if libc is not None else None
    if renameat2 is not None:
        result = renameat2(_AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(current), _RENAME_EXCHANGE)
        if result == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), str(current))
    parked = current.parent / f".{current.name}{STAGING_MARK}old-{os.getpid()}"
    os.rename(current, parked)
    os.rename(new, current)
    os.rename(parked, new)


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover
        return None


# ---------------------------------------------------------------- link mode


def _store(output: Path) -> Path:
    """Where link mode keeps its two copies of the site and their manifests."""
    return output.parent / f".{output.name}{STORE_SUFFIX}"


def _is_our_link(output: Path) -> bool:
    """Whether the output is link mode's symbolic link into its store."""
    if not output.is_symlink():
        return False
    target = Path(os.readlink(output))
    return target.parent.name == _store(output).name and target.name in TREES


def link_copies(output: Path) -> tuple[Path, Path] | None:
    """If the output is link mode's own link: the copy it serves, and the copy the next link-mode
    build brings up to date."""
    if not _is_our_link(output):
        return None
    served = Path(os.path.realpath(output))
    return served, served.parent / (TREES[1] if served.name == TREES[0] else TREES[0])


def copy_manifest(copy: Path) -> dict[str, str] | None:
    """A copy's manifest (path → SHA-256), or None if it has none (new, or interrupted)."""
    return _manifest(copy.parent / f"{copy.name}.manifest.json")


def _forget_manifests(output: Path) -> None:
    for name in TREES:
        with contextlib.suppress(FileNotFoundError):
            (_store(output) / f"{name}.manifest.json").unlink()


def _publish_linked(files: Mapping[str, bytes], output: Path) -> None:
    """Bring the copy not being served up to date, then repoint the output link to it."""
    store = _store(output)
    with locked(output):
        files = _marked(files, _carried(output, files))
        store.mkdir(exist_ok=True)
        live = Path(os.readlink(output)).name if _is_our_link(output) else None
        name = TREES[1] if live == TREES[0] else TREES[0]
        tree, manifest_path = store / name, store / f"{name}.manifest.json"
        previous = _manifest(manifest_path)
        if previous is not None:
            manifest_path.unlink()  # until the copy is complete again, it has no manifest
        else:
            shutil.rmtree(tree, ignore_errors=True)
            served = _manifest(store / f"{live}.manifest.json") if live else None
            # Start from the copy being served, by hard links (cheaper than writing every file):
            # changed files are unlinked before they are written, so the served copy never changes.
            previous = _link_copy(store / live, tree, served) if live and served is not None else {}
        tree.mkdir(exist_ok=True)
        if isinstance(files, SiteFiles):  # kept files are in `tree` already, unless a build ran meanwhile
            manifest = {path: files.digest(path) for path in files}
        else:
            manifest = {path: file_hash(data) for path, data in files.items()}
        made: set[Path] = set()
        for path in files:
            if previous.get(path) != manifest[path]:
                target = tree / path
                if target.parent not in made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    made.add(target.parent)
                data = files[path]  # (a kept file is read, and checked, before anything is unlinked)
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()  # never write through a hard link another copy shares
                target.write_bytes(data)
        for path in previous.keys() - manifest.keys():
            with contextlib.suppress(FileNotFoundError):
                (tree / path).unlink()
            _prune_empty(tree, (tree / path).parent)
        temporary = manifest_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
        os.replace(temporary, manifest_path)
        _point(output, Path(store.name) / name)


def _manifest(path: Path) -> dict[str, str] | None:
    """A copy's manifest (path → SHA-256), or None if it has none (new, or interrupted)."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _link_copy(source: Path, target: Path, manifest: dict[str, str]) -> dict[str, str]:
    """Fill `target` with hard links to the files of `source`; return the manifest it now matches."""
    made: set[Path] = set()
    for path in manifest:
        destination = target / path
        if destination.parent not in made:
            destination.parent.mkdir(parents=True, exist_ok=True)
            made.add(destination.parent)
        os.link(source / path, destination)
    return dict(manifest)


def _prune_empty(root: Path, folder: Path) -> None:
    """Remove folders left empty under root by deleted files."""
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _point(output: Path, target: Path) -> None:
    """Make `output` a symbolic link to `target` (relative to its folder) in one atomic step."""
    link = output.parent / f".{output.name}{STAGING_MARK}link-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    os.symlink(target, link)
    if output.is_symlink() or not output.exists():
        os.replace(link, output)
        return
    _exchange(link, output)  # a plain folder published in swap mode: it becomes the link
    shutil.rmtree(link, ignore_errors=True)  # `link` now names the old folder
