"""The build: load, validate, derive and render into a file map, then publish it (`publish.py`).

Everything is rendered in memory first; only then is the site written, atomically, so a build that
fails leaves the previous output untouched. The expensive stages (parsing documents, Markdown,
pages) are spread over a pool of forked processes whose results come back in order, so the output
is byte-identical to a single process's; with a cache folder, what did not change since the last
build is neither parsed, converted nor rendered again (`cache.py`).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import multiprocessing
import os
import pickle
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

import babel
import jinja2
import markdown
import nh3
from markupsafe import escape

from statusgen.badges import badge_files
from statusgen.cache import Cache, TemplateCode
from statusgen.cdn import (
    ENCODINGS,
    HEADERS_DATA,
    HEADERS_FILE,
    ROBOTS,
    TEXT,
    hashed_assets,
    header_rules,
    headers_data,
    headers_file,
    precompressed,
    robots_file,
    sitemap_files,
)
from statusgen.changes import COMPARED_FILES, compare
from statusgen.content import EARLIEST, LATEST, ContentFile, in_range, load_content
from statusgen.derive import Derived, Entry, Snapshot, derive
from statusgen.editions import localize, site_in
from statusgen.errors import Problem, WorkerError
from statusgen.feeds import feed_files
from statusgen.i18n import catalogue_digest, labels, translations
from statusgen.models import Content, Site
from statusgen.next_change import next_change_file
from statusgen.publish import PublishedSite, SiteFiles, check_output, file_hash, published, write_site
from statusgen.render import (
    MarkdownRenderer,
    Page,
    deprecated_uses,
    markdown_configuration,
    markdown_key,
    render_pages,
)
from statusgen.statuspage import api_files
from statusgen.theme import Theme, builtin_themes_dir, find_theme

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: the file map, the derived state and any warnings."""

    files: Mapping[str, bytes]
    derived: Derived  # the site as of `now`, in its default language
    warnings: tuple[Problem, ...]

    @property
    def snapshot(self) -> Snapshot:
        """The page's overview (indicator, components, what is going on)."""
        return self.derived.snapshot


def theme_search_path(content_dir: Path) -> tuple[Path, ...]:
    """Where themes are looked up: `themes/` beside the content folder, then the shipped themes."""
    return (content_dir.resolve().parent / "themes", builtin_themes_dir())


def parallel_map(function: Callable[[T], R], items: Sequence[T], workers: int | None = None) -> list[R]:
    """`[function(item) for item in items]`, spread over `workers` forked processes (default: one per
    core), results in order, so the output is the same as a single process's.

    Forked workers inherit `function` and `items` (nothing is pickled but the results), so closures
    over the whole site work. Where fork is missing, or the work is small, it runs here.
    """
    global _WORK
    items = list(items)
    workers = workers or default_workers()
    small = len(items) < 64 * workers  # forking costs more than it saves on a few pages
    if workers <= 1 or small or "fork" not in multiprocessing.get_all_start_methods():
        return [function(item) for item in items]
    size = max(1, -(-len(items) // (workers * 8)))
    bounds = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _WORK = (function, items)
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            chunks = list(pool.map(_run_chunk, bounds))
    except BrokenProcessPool:
        raise _worker_died() from None
    finally:
        _WORK = None
    return [result for chunk in chunks for result in chunk]


def _worker_died() -> WorkerError:
    message = "a worker process of the build ended unexpectedly (out of memory?); nothing was written"
    return WorkerError([Problem("statusgen", None, "", message, "try STATUSGEN_WORKERS=1")])


_WORK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


class InBackground(Generic[T]):
    """`function()` started in a forked process, so that two independent parts of a build run on
    two cores; `result()` waits for it (its exceptions reach the caller). With one worker, or
    without fork, the function runs when its result is asked for. Use it as a context manager: a
    build that fails meanwhile stops the process rather than wait for it."""

    def __init__(self, function: Callable[[], T], workers: int | None = None) -> None:
        """Start the work (or, in one process, keep it for later)."""
        self.function = function
        self.process: multiprocessing.process.BaseProcess | None = None
        if (workers or default_workers()) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")  # the process inherits the work: no pickling
        self.results, sender = context.Pipe(duplex=False)
        self.process = context.Process(target=_send_result, args=(function, sender), daemon=True)
        self.process.start()
        sender.close()

    def result(self) -> T:
        """The function's result, once it is done."""
        if self.process is None:
            return self.function()
        try:
            done, value = self.results.recv()
        except EOFError:  # it ended without a word: killed
            raise _worker_died() from None
        if not done:
            error, where = value
            error.add_note(f"in the background part of the build:\n{where}")
            raise error
        return value  # type: ignore[no-any-return]

    def __enter__(self) -> InBackground[T]:
        """Use the work within a block."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop the process if it still runs (the build failed meanwhile), and reap it."""
        if self.process is not None:
            if self.process.is_alive() and exc_info[0] is not None:
                self.process.terminate()
            self.process.join()
            self.results.close()


def _send_result(function: Callable[[], object], sender: Any) -> None:
    """In the background process: run the work, send back (True, its result) or (False, (its
    error, its traceback)); an error that would not arrive whole is sent as a RuntimeError."""
    try:
        outcome: tuple[bool, object] = (True, function())
    except BaseException as error:  # every failure is the caller's to see
        where = "".join(traceback.format_exception(error))
        try:
            pickle.loads(pickle.dumps(error))
        except Exception:
            error = RuntimeError(f"{type(error).__name__}: {error}")
        outcome = (False, (error, where))
    sender.send(outcome)


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    """In a worker: apply the inherited function to one slice of the inherited items."""
    assert _WORK is not None
    function, items = _WORK
    return [function(item) for item in items[bounds[0] : bounds[1]]]


def default_workers() -> int:
    """Worker processes for a build: STATUSGEN_WORKERS, else one per available core."""
    given = os.environ.get("STATUSGEN_WORKERS", "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def render_site(
    content: Content,
    now: datetime,
    themes: tuple[Path, ...],
    workers: int | None = None,
    cache: Cache | None = None,
    previous: PublishedSite | None = None,
    precompress: bool = False,
) -> BuildResult:
    """Derive and render the whole site at `now` into `{relative path: bytes}`.

    With a cache and the `previous` site (what the output holds now), the pages whose inputs did
    not change since they were published are not rendered again but kept from there.
    """
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    if not in_range(now):
        raise ValueError(f"now must lie between {EARLIEST.year} and {LATEST.year}")
    site = content.site
    theme = find_theme(site.theme, themes, site.path, site.line_of("theme"))
    with _collector_paused():  # deriving makes many small objects and no cycles
        known = derive(content, now)
        # One edition per language, the default first: the site derived in that language, its words.
        editions = [
            (
                localize(known, content.translations, site_in(site, language)),
                labels(translations(language).gettext),
            )
            for language in site.languages or (site.language,)
        ]
        if gc.get_freeze_count():  # the build keeps the collector off the content: the model too
            gc.freeze()
    words = editions[0][1]
    cache = cache or Cache(None)
    configuration = markdown_configuration()
    # Markdown is converted where its page is rendered (in the workers), unless an earlier build did.
    md = MarkdownRenderer(cache.markdown(configuration))

    def feeds_and_api() -> tuple[dict[str, bytes], dict[bytes, str]]:
        """Feeds and calendars in every language; the JSON API and badges, which are in the default
        language only (they are for tools); and the Markdown converted for them."""
        out: dict[str, bytes] = {}
        for edition, edition_words in editions:
            prefix = edition.site.prefix()
            translate = translations(edition.site.language).gettext
            for path, data in feed_files(edition, edition_words, md, translate).items():
                out[prefix + path] = data
        out.update(api_files(known))
        out.update(badge_files(known, words, label="status"))
        return out, md.take_fresh()

    with InBackground(feeds_and_api, workers) as rest:  # on another core, while the pages render
        files, kept = _pages(content, editions, theme, md, workers, cache, previous)
        files["api/statusgen/next-change.json"] = next_change_file(content, now)  # (for balance)
        others, converted = rest.result()
    md.learn(converted)
    files.update(others)
    paths = sorted({*files, *kept})  # (sorted once: the sitemap and the header rules read them)
    sitemaps = sitemap_files(paths, site)
    files.update(sitemaps)
    files[ROBOTS] = robots_file(site)
    rules = header_rules(sorted([*paths, *sitemaps, ROBOTS, HEADERS_DATA]), site)  # (nearly sorted: linear)
    files[HEADERS_FILE] = headers_file(rules)
    files[HEADERS_DATA] = headers_data(rules, site)
    if precompress:
        _precompress(files, kept, previous)
    if md.added:
        converted, changed = md.known, md.added
        texts = [text for edition, _ in editions for text in markdown_sources(edition.entries)]
        if len(converted) > 2 * len(texts) + 100:  # forget the bodies no longer in the content
            wanted = {markdown_key(text) for text in texts}
            converted, changed = {key: html for key, html in converted.items() if key in wanted}, None
        cache.save_markdown(configuration, converted, changed)
    folder = previous.target if previous is not None else None
    warnings = (*content.warnings, *deprecated_uses(theme))
    return BuildResult(SiteFiles(files, kept, folder), known, warnings)


def _precompress(files: dict[str, bytes], kept: dict[str, str], previous: PublishedSite | None) -> None:
    """Add `.gz` and `.br` copies of every text file. A kept file's copies are kept too when the
    copy being written holds them (compression gives the same bytes from the same input); else it
    is read back and compressed."""
    manifest = previous.manifest if previous is not None and previous.manifest is not None else {}
    for path in [p for p in kept if p.endswith(TEXT)]:
        siblings = {suffix: manifest.get(path + suffix) for suffix in ENCODINGS}
        if all(siblings.values()):
            kept.update({path + suffix: digest for suffix, digest in siblings.items() if digest})
        else:
            assert previous is not None and previous.target is not None
            files[path] = SiteFiles({}, {path: kept.pop(path)}, previous.target)[path]
    for path in [p for p in files if p.endswith(TEXT)]:
        files.update({path + suffix: data for suffix, data in precompressed(files[path]).items()})


def _pages(
    content: Content,
    editions: Sequence[tuple[Derived, dict[str, dict[str, str]]]],
    theme: Theme,
    md: MarkdownRenderer,
    workers: int | None,
    cache: Cache,
    previous: PublishedSite | None,
) -> tuple[dict[str, bytes], dict[str, str]]:
    """The theme's static files and the pages of every edition (language): those rendered, by
    path, and those kept unchanged from the `previous` site, path → SHA-256 hex (when the cache
    knows their inputs unchanged). `content` is the whole content; each edition is the site
    derived as of `now` in one language, and its words."""
    known, _ = editions[0]
    now = known.now
    static = {f"static/{name}": path.read_bytes() for name, path in theme.static_files().items()}
    hashed = hashed_assets(static)  # content-hashed names, cached for a year (see cdn.py)
    assets = {path.removeprefix("static/"): name for path, name in hashed.items()}
    files: dict[str, bytes] = {hashed[path]: data for path, data in static.items()}
    words = {
        edition.site.language: (edition_words, catalogue_digest(edition.site.language))
        for edition, edition_words in editions
    }
    fingerprint = _fingerprint(theme, known.site, words, assets)
    earlier = cache.pages(fingerprint) if cache.digests and previous is not None else {}
    keys: dict[str, bytes] = {}
    changing: set[str] = set()  # pages that hold only for this `now`
    kept: dict[str, str] = {}  # unchanged pages the published site holds, not read (link mode)
    listed_years: dict[int, bytes] = {}
    now_text = now.isoformat().encode()
    prefix = ""
    translated: dict[str, bytes] = {}  # an entry's path → its translation's digest, in one language

    def unchanged(page: Page) -> bool:
        """Whether an incident's, a maintenance's or a history year's page is published already,
        as rendered from the same inputs.

        The inputs: the documents shown (by content hash), the years listed, and `now` unless every
        entry shown has ended (an ongoing incident's duration changes with time; the plan dates a
        page, with `updated`, only when all its entries have ended).
        """
        context = page.context
        entries = context.get("entries")
        if not isinstance(entries, tuple) or not entries:
            return False
        years = context.get("years", ())
        listed = listed_years.get(id(years))
        if listed is None:
            listed = listed_years[id(years)] = repr([year.year for year in years]).encode()  # type: ignore[attr-defined]
        parts = [listed, b"%d" % context.get("older", 0)]  # the history index counts what it omits
        for entry in entries:
            digest_ = cache.digests.get(entry.file)
            if digest_ is None:
                return False
            parts.append(entry.file.encode() + b"\0" + digest_)  # a renamed file has another page
            if prefix:  # in another language than the default: its translation, or none
                parts.append(b"\0" + translated.get(entry.file, b"-"))
        path = prefix + page.path
        if "updated" not in context:
            parts.append(now_text)  # the page shows something that changes with time
            changing.add(path)
        keys[path] = key = hashlib.sha256(b"".join(parts)).digest()
        found = earlier.get(path)
        if found is None or found[0] != key or previous is None:
            return False
        held = previous.holds(path, found[1])
        if held is True:
            kept[path] = found[1]
        elif held:
            files[path] = held  # type: ignore[assignment]  # read back (swap mode)
        return bool(held)

    def spread(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
        return parallel_map(function, items, workers)

    originals = {
        (kind, e.slug): e.path
        for kind, group in (("incidents", content.incidents), ("maintenance", content.maintenance))
        for e in group
    }
    for edition, edition_words in editions:
        language = edition.site.language
        prefix = edition.site.prefix()
        translated = {
            originals[t.kind, t.slug]: cache.digests.get(t.path, b"?")
            for t in content.translations
            if t.language == language and (t.kind, t.slug) in originals
        }
        compiled = TemplateCode(cache, f"{language}:{catalogue_digest(language)}")
        files.update(render_pages(edition, theme, assets, md, edition_words, spread, unchanged, compiled))
        compiled.save()
    if keys:
        hashes = {path: (key, kept.get(path) or file_hash(files[path])) for path, key in keys.items()}
        if hashes != earlier:
            cache.save_pages(fingerprint, hashes, changing)
    return files, kept


def _fingerprint(theme: Theme, site: Site, words: object, assets: Mapping[str, str]) -> str:
    """What every page depends on besides its own documents: the theme's files, the site, the words,
    the assets, the Markdown and sanitiser configuration and the versions of the libraries involved.
    """
    libraries = [jinja2.__version__, markdown.__version__, nh3.__version__, babel.__version__]
    libraries.append(escape("<>&'\"\u00a0"))  # MarkupSafe's escaping, which pages depend on
    hashed = hashlib.sha256(
        repr((site, words, sorted(assets.items()), markdown_configuration(), libraries)).encode()
    )
    for path in [*theme.template_files(), *theme.static_files().values()]:
        hashed.update(str(path).encode() + b"\0" + path.read_bytes())
    return hashed.hexdigest()


def markdown_sources(entries: Sequence[Entry]) -> list[str]:
    """Every Markdown text the entries show: update bodies and bodies."""
    return [text for entry in entries for text in (entry.body, *(u.body for u in entry.updates))]


def default_cache_dir(content_dir: str | Path) -> Path:
    """Where the command line keeps the build cache: `.statusgen-cache/` beside the content folder."""
    return Path(content_dir).resolve().parent / ".statusgen-cache"


def check(
    content_dir: str | Path,
    now: datetime,
    workers: int | None = None,
    cache_dir: Path | None = None,
    previous: PublishedSite | None = None,
    progress: Callable[[str], None] | None = None,
    precompress: bool = False,
) -> BuildResult:
    """Everything a build does except writing: what a pull request's CI runs.

    With `cache_dir`, unchanged documents and Markdown are taken from the cache (see `cache.py`),
    and with `previous` too, unchanged pages from the published site. `progress` is told what
    each stage is about to do (the command line shows it on a terminal).
    """
    tell = progress or (lambda message: None)
    content_path = Path(content_dir)
    cache = Cache(cache_dir)

    def spread(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
        return parallel_map(function, items, workers)

    def read(function: Callable[[ContentFile], R], jobs: Sequence[ContentFile]) -> list[R]:
        return cache.read_documents(function, jobs, spread)

    frozen_already = gc.get_freeze_count() > 0  # a host program's own: leave it as it is
    tell(f"Reading {content_path}/")
    with _collector_paused():  # loading makes a million objects and no cycles: skip the GC passes
        content = load_content(content_path, read)
        # The content lives as long as the build: keep the collector from walking it, from now on
        # and right away (set free, the collector would walk it all as soon as it is enabled).
        gc.freeze()
    entries = len(content.incidents) + len(content.maintenance)
    languages = len(content.site.languages) or 1
    tell(
        f"Rendering {entries:,} incidents and maintenance"
        + (f" in {languages} languages" if languages > 1 else "")
    )
    try:
        return render_site(
            content, now, theme_search_path(content_path), workers, cache, previous, precompress
        )
    finally:
        if not frozen_already:
            gc.unfreeze()


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a block that only allocates."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build(
    content_dir: str | Path,
    output_dir: str | Path,
    now: datetime,
    workers: int | None = None,
    cache_dir: Path | None = None,
    linked: bool = False,
    progress: Callable[[str], None] | None = None,
    precompress: bool = False,
) -> BuildResult:
    """Build the site from `content_dir` at `now` and publish it into `output_dir` atomically.

    `linked` publishes in link mode (see `publish.py`): the output becomes a symbolic link and a
    rebuild writes only what changed. `progress` is told each stage, as by `check`. `precompress`
    adds `.gz` and `.br` copies of the text files (see `cdn.py`).
    """
    protected = protected_folders(Path(content_dir))
    check_output(Path(output_dir), linked, protected)  # before anything is read, rendered or written
    previous = published(Path(output_dir), linked) if cache_dir is not None else None
    result = check(content_dir, now, workers, cache_dir, previous, progress, precompress)
    if progress is not None:
        progress(f"Publishing {len(result.files):,} files into {output_dir}/")
    write_site(result.files, Path(output_dir), linked, protected)
    return result


def protected_folders(content_dir: Path) -> tuple[tuple[str, Path], ...]:
    """The folders a build must never replace, nor any folder holding or inside them: the content
    and every folder themes are looked up in (see `publish.check_output`)."""
    themes = theme_search_path(content_dir)
    return (("the content folder", content_dir), *(("the theme folder", folder) for folder in themes))


def changes_since(previous_dir: str | Path, result: BuildResult) -> dict[str, object]:
    """What `result` announces that the build published in `previous_dir` did not (see `api.compare`)."""
    folder = Path(previous_dir)
    previous = {name: (folder / name).read_bytes() for name in COMPARED_FILES if (folder / name).is_file()}
    return compare(previous, result.derived)
