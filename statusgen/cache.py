"""The persistent build cache (`.statusgen-cache/`): parsed documents, rendered Markdown, what
each page was rendered from, and compiled templates.

A rebuild reads again only the content files whose size, modification time or inode changed (and
hashes those, so a touched but unchanged file costs no parsing), and converts only the Markdown it has
not converted before. Every entry is keyed by what produced it, so a stale entry is never used:

- documents by the file's bytes (SHA-256), the site configuration and the statusgen code (its
  release and a hash of its source, so an edited statusgen never trusts old entries);
- Markdown by the text, the statusgen code, the Python-Markdown and nh3 versions and the
  extensions and sanitiser allowlist in use;
- pages by a hash of their inputs (the documents shown, and `now` for a page that changes with
  time) under a fingerprint of everything else (site, theme, words, library versions). The cache
  keeps only the hash of each page's bytes: an unchanged page is kept from the published site when
  that site holds those very bytes (`incremental.PublishedSite`), and rendered again otherwise.

Each file is a pickle signed with HMAC-SHA256 under a secret kept outside the project
(`$XDG_CACHE_HOME/statusgen/secret`, created on first use, mode 0600), so a cache file that is
corrupted, truncated, from another machine or planted in a repository is ignored and rebuilt: it is
never unpickled. Deleting the folder is always safe.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
import time
import zlib
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

import jinja2
import markdown
import nh3

from statusgen.content import MAX_FILE_BYTES, ContentFile, read_bytes

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")
FORMAT = 1
SHARDS = 16  # files the parsed documents, and the rendered Markdown, are each kept in
RACY_SECONDS = 2.0  # a file changed this close to the cache's writing is hashed, whatever its stat says


@functools.cache
def code_version() -> str:
    """The statusgen release and a hash of its code, so a changed statusgen never trusts old entries."""
    from statusgen import __version__  # here: the package imports this module

    return f"{__version__}+{code_digest(Path(__file__).parent)[:16]}"


def code_digest(package: Path) -> str:
    """A hash of every Python module under `package`, its subpackages' included (by their paths)."""
    hashed = hashlib.sha256()
    for source in sorted(package.rglob("*.py")):
        hashed.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
    return hashed.hexdigest()


def secret() -> bytes:
    """This user's signing key for cache files (made on first use)."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "statusgen"
    path = home / "secret"
    try:
        return path.read_bytes()
    except OSError:
        home.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        with tempfile.NamedTemporaryFile(dir=home, delete=False) as handle:
            handle.write(key)
        os.chmod(handle.name, 0o600)
        with contextlib.suppress(FileExistsError):  # first writer wins; all then read the same key
            os.link(handle.name, path)
        os.unlink(handle.name)
        return path.read_bytes()


def digest(data: bytes) -> bytes:
    """The content hash the cache keys files by."""
    return hashlib.sha256(data).digest()


class Cache:
    """One cache folder; `None` as the folder gives a cache that remembers nothing.

    Entries are kept under `code`, the version of the statusgen that wrote them (by default this
    one's, `code_version()`): a cache opened under another version finds none of them.
    """

    def __init__(self, folder: Path | None, code: str | None = None) -> None:
        """Open the cache in `folder` (created when something is saved)."""
        self.folder = folder
        self._code = code
        self._key = b""
        if folder is not None:
            try:
                self._key = secret()
            except OSError:  # nowhere to keep a key: build without a cache rather than fail
                self.folder = None
        self.digests: dict[str, bytes] = {}  # content file (as shown) → SHA-256 of its bytes, once read
        self._saved_ended: dict[str, tuple[bytes, str]] = {}

    @property
    def code(self) -> str:
        """The statusgen version the entries are kept under."""
        return self._code or code_version()

    def load(self, name: str, key: object) -> Any:
        """The value saved under `name` with this `key`, or None if missing, stale or not genuine."""
        if self.folder is None:
            return None
        try:
            data = (self.folder / f"{name}.pickle").read_bytes()
        except OSError:
            return None
        signature, payload = data[:32], data[32:]
        if not hmac.compare_digest(signature, hmac.new(self._key, payload, "sha256").digest()):
            return None
        try:
            stored_key, value = pickle.loads(payload)
        except Exception:  # a genuine but unreadable file is as good as none
            return None
        return value if stored_key == (FORMAT, self.code, key) else None

    def save(self, name: str, key: object, value: object) -> None:
        """Save a value under `name` (atomically; a failure to save only costs the next build)."""
        if self.folder is None:
            return
        signer = hmac.new(self._key, digestmod="sha256")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, delete=False, suffix=".tmp") as handle:
                handle.write(bytes(32))  # the signature's place, filled in once the payload is written
                # Streamed, so a big cache never sits in memory twice.
                pickle.dump(((FORMAT, self.code, key), value), _Signing(handle, signer), protocol=5)
                handle.seek(0)
                handle.write(signer.digest())
            os.replace(handle.name, self.folder / f"{name}.pickle")
        except OSError:
            pass

    # ------------------------------------------------------------ documents

    def read_documents(
        self,
        read: Callable[[ContentFile], T],
        jobs: Sequence[ContentFile],
        map_: Callable[[Callable[[ContentFile], T], Sequence[ContentFile]], list[T]],
    ) -> list[T]:
        """`map_(read, jobs)`, but reusing what the cache holds for files that did not change.

        A file is known unchanged by its size, modification time and inode (unless it changed
        too close to the cache's writing to tell), else by the hash of its bytes. The documents are
        kept in `SHARDS` files by a hash of their path, so an edit to one document rewrites one
        small file, not the whole cache.
        """
        if not jobs or self.folder is None:
            return map_(read, jobs)
        key = hashlib.sha256(repr(jobs[0].site).encode()).hexdigest()
        shards = [
            self.load(f"documents-{n:02d}", key) or {"written": 0.0, "files": {}} for n in range(SHARDS)
        ]
        records: dict[str, _Record] = {}  # path shown → (stat, SHA-256 of the bytes, the document)
        changed: set[int] = set()  # shards to write back
        misses: list[ContentFile] = []
        for job in jobs:
            shard = _shard(job.shown)
            record, data = _known(job, shards[shard])
            records[job.shown] = record
            if record is not shards[shard]["files"].get(job.shown):
                changed.add(shard)
            if record[2] is None:
                misses.append(dataclasses.replace(job, data=data))  # read once, not again to parse
        for job, document in zip(misses, map_(read, misses), strict=True):
            records[job.shown] = (*records[job.shown][:2], document)
        # A removed document changes its shard too.
        changed |= {n for n, saved in enumerate(shards) if saved["files"].keys() - records.keys()}
        written = time.time()
        for shard, files in sorted(_by_shard(records, _shard, changed).items()):
            self.save(f"documents-{shard:02d}", key, {"written": written, "files": files})
        self.digests = {shown: record[1] for shown, record in records.items() if record[1]}
        return [records[job.shown][2] for job in jobs]

    # ------------------------------------------------------------ pages

    def pages(self, fingerprint: object) -> dict[str, tuple[bytes, str]]:
        """Pages rendered by earlier builds: output path → (the key of their inputs, the SHA-256 in
        hex of their bytes). The bytes themselves are the published site's (see `incremental.py`)."""
        ended = self.load("pages", fingerprint) or {}
        self._saved_ended = ended
        return {**ended, **(self.load("pages-now", fingerprint) or {})}

    def save_pages(
        self, fingerprint: object, pages: dict[str, tuple[bytes, str]], changing: set[str]
    ) -> None:
        """Keep what pages were rendered from for the next build: the pages that hold only for one
        `now` apart, in a small file rewritten each build, so the bigger file of ended pages is
        rewritten only when one of them changes."""
        moving = {path: value for path, value in pages.items() if path in changing}
        ended = {path: value for path, value in pages.items() if path not in changing}
        if ended != self._saved_ended:
            self.save("pages", fingerprint, ended)
        self.save("pages-now", fingerprint, moving)

    # ------------------------------------------------------------ Markdown

    def markdown(self, configuration: object) -> dict[bytes, str]:
        """The Markdown already rendered under this configuration, by text hash (a dict to update)."""
        key = _markdown_key(configuration)
        rendered: dict[bytes, str] = {}
        for shard in range(SHARDS):
            rendered.update(self.load(f"markdown-{shard:02d}", key) or {})
        return rendered

    def save_markdown(
        self, configuration: object, rendered: dict[bytes, str], changed: Collection[bytes] | None = None
    ) -> None:
        """Keep the rendered Markdown for the next build: the shards holding the `changed` text
        hashes, or all of them."""
        key = _markdown_key(configuration)
        shards = set(range(SHARDS)) if changed is None else {_text_shard(text) for text in changed}
        for shard, part in sorted(_by_shard(rendered, _text_shard, shards).items()):
            self.save(f"markdown-{shard:02d}", key, part)


def _shard(shown: str) -> int:
    """Which of the document files keeps the document at this path."""
    return zlib.crc32(shown.encode()) % SHARDS


_Record = tuple[tuple[int, int, int], bytes, Any]  # (stat, SHA-256 of the bytes or b"", the document)


def _known(job: ContentFile, shard: dict[str, Any]) -> tuple[_Record, bytes | None]:
    """What the shard knows of the job's file: its record as saved when the file is unchanged by
    its stat; else a new record, with the saved document if the bytes are the same, or None (and
    the bytes read, if any, to parse)."""
    stamp = _stamp(job.path)
    found = shard["files"].get(job.shown) if stamp is not None else None
    stamp = stamp or (0, 0, 0)
    if found is not None and found[0] == stamp and stamp[0] / 1e9 < shard["written"] - RACY_SECONDS:
        return found, None
    data = _read_bounded(job.path, stamp[1])
    hashed = digest(data) if data is not None else b""
    if found is not None and hashed and found[1] == hashed:
        return (stamp, hashed, found[2]), None
    return (stamp, hashed, None), data


def _stamp(path: str) -> tuple[int, int, int] | None:
    """A file's modification time, size and inode; None if it cannot be stat'ed."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size, status.st_ino


def _read_bounded(path: str, size: int) -> bytes | None:
    """A file's bytes; None if it cannot be read, or is over the cap (left to `read` to refuse)."""
    if size > MAX_FILE_BYTES:
        return None
    with contextlib.suppress(OSError):  # (a link, swapped in since the walk, is refused)
        data = read_bytes(path)
        return data if len(data) <= MAX_FILE_BYTES else None  # (it grew: `read` refuses it)
    return None


def _text_shard(text: bytes) -> int:
    """Which of the Markdown files keeps the HTML of the text with this hash."""
    return text[0] % SHARDS


def _by_shard(entries: dict[K, V], shard_of: Callable[[K], int], wanted: set[int]) -> dict[int, dict[K, V]]:
    """The entries of the `wanted` shards, shard by shard (each of them, even if empty), in one pass."""
    parts: dict[int, dict[K, V]] = {shard: {} for shard in wanted}
    for name, value in entries.items():
        part = parts.get(shard_of(name))
        if part is not None:
            part[name] = value
    return parts


class _Signing:
    """A file wrapper that feeds what is written to an HMAC as well."""

    def __init__(self, handle: IO[bytes], signer: hmac.HMAC) -> None:
        self.handle, self.signer = handle, signer

    def write(self, data: bytes) -> int:
        """Write and sign."""
        self.signer.update(data)
        return self.handle.write(data)


class TemplateCode(jinja2.BytecodeCache):
    """Compiled templates kept in the signed cache (Jinja checks each against its source).

    A compiled template holds its constant messages translated, so each is kept under its
    `language` too (give the language and its catalogue's hash).
    """

    def __init__(self, cache: Cache, language: str = "") -> None:
        """Load the compiled templates the cache holds."""
        self.cache = cache
        self.language = language
        self.entries: dict[str, bytes] = cache.load("templates", jinja2.__version__) or {}
        self.changed = False

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """Jinja's key of a template, for this language."""
        return f"{super().get_cache_key(name, filename)}:{self.language}"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Give Jinja the compiled template, if kept (Jinja ignores it if the source changed)."""
        data = self.entries.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep a template Jinja just compiled."""
        self.entries[bucket.key] = bucket.bytecode_to_string()
        self.changed = True

    def save(self) -> None:
        """Write the compiled templates back, if any was compiled."""
        if self.changed:
            self.cache.save("templates", jinja2.__version__, self.entries)


def _markdown_key(configuration: object) -> tuple[object, ...]:
    return ((markdown.__version__, library_version(nh3)), configuration)


def library_version(module: object) -> str:
    """A library's `__version__` (read where its type stubs do not declare it)."""
    return str(vars(module)["__version__"])
