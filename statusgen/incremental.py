"""Incremental builds: what earlier builds left that this one may keep instead of doing again.

Wrapped around the stages, never inside them (the stages take plain data and know nothing of it):

- **Documents**: `documents_reader` reads the content through the cache, which parses again only
  the files that changed (`cache.Cache.read_documents`).
- **Markdown**: converted once per text across builds (`markdown_renderer`, `save_markdown`);
  `carrying_markdown` brings back what a worker process converted, so that it is kept too.
- **Pages**: `PageReuse` keys each page about particular entries (an entry's own page, the
  history) by its inputs: the documents shown (by content hash, and their translations'), the years
  the archive lists, the entries it counts without listing, and `now` unless all it shows has
  ended; under a `fingerprint` of everything else (site, theme, words, assets, library versions).
  A page whose key did not change is kept from the published site (`PublishedSite`) when that site
  holds exactly the bytes it had: in link mode, when the copy being brought up to date holds them
  by its manifest, it is neither read nor written; otherwise it is read back and checked against
  its hash, and rendered again if it differs.
- **Compiled templates** are kept per language (`compiled_templates`).
- **Precompression**: a kept file's `.gz` and `.br` copies are kept too (`kept_copies`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar

import babel
import jinja2
import markdown
import nh3
from markupsafe import escape

from statusgen.cache import Cache, TemplateCode, library_version
from statusgen.cdn import ENCODINGS, TEXT
from statusgen.content import ContentFile
from statusgen.derive import Derived, Entry
from statusgen.i18n import catalogue_digest
from statusgen.markdown import MarkdownRenderer, markdown_configuration, markdown_key
from statusgen.models import Content
from statusgen.publish import SiteFiles, copy_manifest, file_hash, link_copies
from statusgen.render import Edition, Page
from statusgen.theme import Theme

P = ParamSpec("P")
R = TypeVar("R")
Mapper = Callable[[Callable[[ContentFile], R], Sequence[ContentFile]], list[R]]

# ---------------------------------------------------------------- documents


def documents_reader(cache: Cache, map_: Mapper[R]) -> Mapper[R]:
    """Content files read with `map_` (which may spread them over processes), but those the cache
    holds unchanged taken from there (see `Cache.read_documents`)."""

    def read(function: Callable[[ContentFile], R], jobs: Sequence[ContentFile]) -> list[R]:
        return cache.read_documents(function, jobs, map_)

    return read


# ---------------------------------------------------------------- Markdown


def markdown_renderer(cache: Cache) -> MarkdownRenderer:
    """A Markdown renderer that knows what earlier builds converted."""
    return MarkdownRenderer(cache.markdown(markdown_configuration()))


def carrying_markdown(
    md: MarkdownRenderer, function: Callable[P, R]
) -> Callable[P, tuple[R, dict[bytes, str]]]:
    """`function`, also returning the Markdown `md` converted meanwhile: run in a worker process,
    it brings those conversions back, for `md.learn` (and the cache) in the build's process."""

    def carried(*args: P.args, **kwargs: P.kwargs) -> tuple[R, dict[bytes, str]]:
        return function(*args, **kwargs), md.take_fresh()

    return carried


def save_markdown(cache: Cache, md: MarkdownRenderer, editions: Sequence[Edition]) -> None:
    """Keep what this build converted for the next, forgetting the bodies no longer in the
    content once they outnumber those that are."""
    if not md.added:
        return
    texts = [text for derived, _ in editions for text in markdown_sources(derived.entries)]
    if len(md.known) > 2 * len(texts) + 100:
        wanted = {markdown_key(text) for text in texts}
        cache.save_markdown(markdown_configuration(), {k: v for k, v in md.known.items() if k in wanted})
    else:
        cache.save_markdown(markdown_configuration(), md.known, md.added)


def markdown_sources(entries: Sequence[Entry]) -> list[str]:
    """Every Markdown text the entries show: update bodies and bodies."""
    return [text for entry in entries for text in (entry.body, *(u.body for u in entry.updates))]


# ---------------------------------------------------------------- compiled templates


@contextlib.contextmanager
def compiled_templates(cache: Cache, environment: jinja2.Environment, language: str) -> Iterator[None]:
    """Templates compiled in this process for pages in `language` kept in the cache, and those kept
    before given to Jinja (which checks each against its source). A compiled template holds its
    constant messages translated: each language has its own."""
    code = TemplateCode(cache, f"{language}:{catalogue_digest(language)}")
    environment.bytecode_cache = code
    yield
    code.save()


# ---------------------------------------------------------------- the published site


@dataclass(frozen=True)
class PublishedSite:
    """The site a previous build published, as the next build can reuse it: the folder served now
    and, in link mode, the copy the next build writes into, with that copy's manifest of hashes."""

    served: Path
    target: Path | None = None  # link mode: the copy to be brought up to date
    manifest: Mapping[str, str] | None = None  # its path → SHA-256 (hex) of each file

    def holds(self, path: str, digest: str) -> bytes | bool:
        """Whether the site can keep this file as it is, given its SHA-256 (hex): True when the copy
        to be written holds it already (link mode: its manifest says so; nothing is read); else
        its bytes, read from the served site and checked against the hash; False if they differ."""
        if self.manifest is not None and self.manifest.get(path) == digest:
            return True
        try:
            data = (self.served / path).read_bytes()
        except OSError:
            return False
        return data if file_hash(data) == digest else False


def published(output: Path, linked: bool) -> PublishedSite | None:
    """What is published at `output` now, as a build in this mode (`linked` or not) would reuse it,
    if anything."""
    copies = link_copies(output)
    if copies is not None:
        served, target = copies
        if not linked:  # swap mode replaces the served copy: read back what is kept, now
            return PublishedSite(served)
        manifest = copy_manifest(target)
        return PublishedSite(served, target if manifest is not None else None, manifest)
    if not output.is_dir():
        return None
    return PublishedSite(Path(os.path.realpath(output)))


# ---------------------------------------------------------------- pages


def fingerprint(theme: Theme, editions: Sequence[Edition], assets: Mapping[str, str]) -> str:
    """What every page depends on besides its own documents: the theme's files, the site, the words
    of every language, the assets, the Markdown and sanitiser configuration and the versions of
    the libraries involved."""
    site = editions[0].derived.site
    words = {e.derived.site.language: (e.words, catalogue_digest(e.derived.site.language)) for e in editions}
    libraries = [jinja2.__version__, markdown.__version__, library_version(nh3), babel.__version__]
    libraries.append(escape("<>&'\"\u00a0"))  # MarkupSafe's escaping, which pages depend on
    hashed = hashlib.sha256(
        repr((site, words, sorted(assets.items()), markdown_configuration(), libraries)).encode()
    )
    for path in [*theme.template_files(), *theme.static_files().values()]:
        hashed.update(str(path).encode() + b"\0" + path.read_bytes())
    return hashed.hexdigest()


class PageReuse:
    """Which pages of a build must be rendered, and which are kept from the published site.

    `to_render(edition, pages)` gives the pages of one language to render; the others are kept:
    `kept` (path → SHA-256 hex) those the copy link mode writes into holds already, `read_back`
    (path → bytes) those read from the served site. Once the pages are rendered, `save(rendered)`
    keeps what they were made from for the next build.
    """

    def __init__(
        self, cache: Cache, previous: PublishedSite | None, content: Content, fingerprint: str
    ) -> None:
        """Start from what the cache knows of the pages published `previous`ly under this fingerprint."""
        self.cache = cache
        self.previous = previous
        self.content = content
        self.fingerprint = fingerprint
        self.earlier = cache.pages(fingerprint) if cache.digests and previous is not None else {}
        self.keys: dict[str, bytes] = {}  # output path → the hash of its inputs
        self.changing: set[str] = set()  # pages that hold only for this `now`
        self.kept: dict[str, str] = {}
        self.read_back: dict[str, bytes] = {}
        self._listed: dict[tuple[int, ...], bytes] = {}

    @property
    def folder(self) -> Path | None:
        """Where the `kept` files are: the copy link mode writes into."""
        return self.previous.target if self.previous is not None else None

    def to_render(self, edition: Derived, pages: Sequence[Page]) -> list[Page]:
        """The pages of one language (`edition`, the site derived in it) that must be rendered."""
        prefix = edition.site.prefix()
        translated = self._translations(edition.site.language) if prefix else {}
        now = edition.now.isoformat().encode()
        return [page for page in pages if not self._keep(prefix, page, translated, now)]

    def _translations(self, language: str) -> dict[str, bytes]:
        """An entry's file → the digest of its translation into `language` ("?" if unknown)."""
        content = self.content
        originals = {("incidents", e.slug): e.path for e in content.incidents}
        originals |= {("maintenance", e.slug): e.path for e in content.maintenance}
        return {
            originals[t.kind, t.slug]: self.cache.digests.get(t.path, b"?")
            for t in content.translations
            if t.language == language and (t.kind, t.slug) in originals
        }

    def _keep(self, prefix: str, page: Page, translated: Mapping[str, bytes], now: bytes) -> bool:
        """Whether the page is published already, as rendered from the same inputs (then kept)."""
        path = prefix + page.path
        key = self._key(page, prefix, translated, now)
        if key is None:
            return False
        self.keys[path] = key
        if page.updated is None:
            self.changing.add(path)
        found = self.earlier.get(path)
        if found is None or found[0] != key or self.previous is None:
            return False
        held = self.previous.holds(path, found[1])
        if held is True:
            self.kept[path] = found[1]
        elif held:
            self.read_back[path] = held
        return bool(held)

    def _key(self, page: Page, prefix: str, translated: Mapping[str, bytes], now: bytes) -> bytes | None:
        """The hash of what the page is made from; None for a page made from the whole site, or
        from a document the cache does not know."""
        if not page.entries:
            return None
        listed = self._listed.get(page.years)
        if listed is None:
            listed = self._listed[page.years] = repr(list(page.years)).encode()
        parts = [listed, b"%d" % page.older]
        for entry in page.entries:
            digest = self.cache.digests.get(entry.file)
            if digest is None:
                return None
            parts.append(entry.file.encode() + b"\0" + digest)  # a renamed file has another page
            if prefix:  # in another language than the default: its translation, or none
                parts.append(b"\0" + translated.get(entry.file, b"-"))
        if page.updated is None:
            parts.append(now)  # the page shows something that changes with time
        return hashlib.sha256(b"".join(parts)).digest()

    def save(self, rendered: Mapping[str, bytes]) -> None:
        """Keep, for the next build, what each page about particular entries was made from and
        the hash of its bytes (`rendered` holds those rendered)."""
        if not self.keys:
            return
        files = {**rendered, **self.read_back}
        hashes = {
            path: (key, self.kept.get(path) or file_hash(files[path])) for path, key in self.keys.items()
        }
        if hashes != self.earlier:
            self.cache.save_pages(self.fingerprint, hashes, self.changing)


# ---------------------------------------------------------------- precompression


def kept_copies(kept: dict[str, str], previous: PublishedSite | None) -> dict[str, bytes]:
    """Keep the `.gz` and `.br` copies of each kept text file too, when the copy being written holds
    them (compression gives the same bytes from the same input): `kept` gains them. A kept file
    whose copies it does not hold leaves `kept`: its bytes are returned, read back, to be
    compressed with the rendered files."""
    manifest = previous.manifest if previous is not None and previous.manifest is not None else {}
    read_back: dict[str, bytes] = {}
    for path in [p for p in kept if p.endswith(TEXT)]:
        copies = {suffix: manifest.get(path + suffix) for suffix in ENCODINGS}
        if all(copies.values()):
            kept.update({path + suffix: digest for suffix, digest in copies.items() if digest})
        else:
            assert previous is not None and previous.target is not None
            read_back[path] = SiteFiles({}, {path: kept.pop(path)}, previous.target)[path]
    return read_back
