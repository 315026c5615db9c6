"""The build: load → derive → render → write, one stage after the other.

Everything is rendered into a file map in memory first; only then is the site written, atomically
(`publish.py`), so a build that fails leaves the previous output untouched. Speed is wrapped around
the stages, which take plain data and return plain data: `execution.py` spreads the work over
processes, `incremental.py` keeps what did not change since the last build.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from statusgen.badges import badge_files
from statusgen.cache import Cache
from statusgen.cdn import (
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
from statusgen.content import EARLIEST, LATEST, assemble_content, in_range, plan_content, read_document
from statusgen.derive import Derived, Snapshot, derive
from statusgen.editions import localize, site_in
from statusgen.errors import Problem
from statusgen.execution import InBackground, allocating, frozen_for_the_build, parallel_map
from statusgen.feeds import feed_files
from statusgen.i18n import labels, translations
from statusgen.incremental import (
    PageReuse,
    PublishedSite,
    carrying_markdown,
    compiled_templates,
    documents_reader,
    fingerprint,
    kept_copies,
    markdown_renderer,
    published,
    save_markdown,
)
from statusgen.markdown import MarkdownRenderer
from statusgen.models import Content, Site
from statusgen.next_change import next_change_file
from statusgen.publish import SiteFiles, check_output, merge_files, write_site
from statusgen.render import Edition, PageRenderer, deprecated_uses, plan
from statusgen.statuspage import api_files
from statusgen.theme import Theme, builtin_themes_dir, find_theme

NEXT_CHANGE = "api/statusgen/next-change.json"


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: the file map, the derived state and any warnings; and which pages it
    rendered (the others were kept, unchanged, from the published site)."""

    files: Mapping[str, bytes]
    derived: Derived  # the site as of `now`, in its default language
    warnings: tuple[Problem, ...]
    rendered: tuple[str, ...] = ()

    @property
    def snapshot(self) -> Snapshot:
        """The page's overview (indicator, components, what is going on)."""
        return self.derived.snapshot


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
    output, protected = Path(output_dir), protected_folders(Path(content_dir))
    check_output(output, linked, protected)  # before anything is read, rendered or written
    previous = published(output, linked) if cache_dir is not None else None
    result = check(content_dir, now, workers, cache_dir, previous, progress, precompress)
    (progress or _quiet)(f"Publishing {len(result.files):,} files into {output_dir}/")
    write_site(result.files, output, linked, protected)  # write
    return result


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
    tell = progress or _quiet
    content_path, cache = Path(content_dir), Cache(cache_dir)
    read = documents_reader(cache, lambda function, jobs: parallel_map(function, jobs, workers))
    with frozen_for_the_build():  # the content lives as long as the build: the collector skips it
        tell(f"Reading {content_path}/")
        with allocating(freeze=True):  # a million objects and no cycles
            planned = plan_content(content_path)  # load: what to read,
            content = assemble_content(planned, read(read_document, planned.jobs))  # read, checked
        tell(_rendering(content))
        themes = theme_search_path(content_path)
        return render_site(content, now, themes, workers, cache, previous, precompress)


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
    site, cache = content.site, cache or Cache(None)
    with allocating():  # many small objects and no cycles
        editions = derive_editions(content, now)  # derive
    theme = find_theme(site.theme, themes, site.path, site.line_of("theme"))
    md = markdown_renderer(cache)
    data_and_markdown = functools.partial(carrying_markdown(md, data_files), editions, md)
    with InBackground(data_and_markdown, workers) as data:  # render: the feeds on another core, meanwhile…
        static, assets = theme_static_files(theme)
        reuse = PageReuse(cache, previous, content, fingerprint(theme, editions, assets))
        pages, rendered = render_editions(editions, theme, assets, md, reuse, workers)  # … the pages
        next_change = next_change_file(content, now)  # (here: for balance)
        (feeds, api), converted = data.result()
    md.learn(converted)
    parts = [("the theme's static files", static), ("the pages", pages), ("the feeds and calendars", feeds)]
    parts += [("the JSON API and badges", api), (NEXT_CHANGE, {NEXT_CHANGE: next_change})]
    files = site_files(parts, reuse.kept, site)
    if precompress:
        files = with_compressed_copies(files, kept_copies(reuse.kept, previous))
    save_markdown(cache, md, editions)
    warnings = (*content.warnings, *deprecated_uses(theme))
    return BuildResult(SiteFiles(files, reuse.kept, reuse.folder), editions[0].derived, warnings, rendered)


# ---------------------------------------------------------------- the stages' steps


def derive_editions(content: Content, now: datetime) -> list[Edition]:
    """The site derived as of `now` in each of its languages, the default first, with its words."""
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    if not in_range(now):
        raise ValueError(f"now must lie between {EARLIEST.year} and {LATEST.year}")
    known = derive(content, now)
    return [
        Edition(
            localize(known, content.translations, site_in(content.site, language)),
            labels(translations(language).gettext),
        )
        for language in content.site.languages or (content.site.language,)
    ]


def theme_static_files(theme: Theme) -> tuple[dict[str, bytes], dict[str, str]]:
    """The theme's static files under their content-hashed names (cached for a year: see cdn.py),
    and the hashed name of each (`style.css` → `static/style.3f2a1b9c0d.css`)."""
    static = {f"static/{name}": path.read_bytes() for name, path in theme.static_files().items()}
    hashed = hashed_assets(static)
    assets = {path.removeprefix("static/"): name for path, name in hashed.items()}
    return {hashed[path]: data for path, data in static.items()}, assets


def render_editions(
    editions: Sequence[Edition],
    theme: Theme,
    assets: Mapping[str, str],
    md: MarkdownRenderer,
    reuse: PageReuse,
    workers: int | None,
) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """The pages of every language by output path, but those kept unchanged (`reuse.kept`); and
    the paths of those rendered. Each page's Markdown is converted where the page is rendered."""
    pages: dict[str, bytes] = {}
    for derived, words in editions:
        render = PageRenderer(derived, theme, assets, md, words)
        with compiled_templates(reuse.cache, render.environment, derived.site.language):
            todo = reuse.to_render(derived, plan(derived))
            done = parallel_map(carrying_markdown(md, render), todo, workers)
        for page, (data, converted) in zip(todo, done, strict=True):
            pages[render.output_path(page)] = data
            md.learn(converted)
    reuse.save(pages)
    return {**pages, **reuse.read_back}, tuple(pages)


def data_files(
    editions: Sequence[Edition], md: MarkdownRenderer
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The feeds and calendars in every language; the JSON API and the badges, in the default
    language only (they are for tools)."""
    feeds: dict[str, bytes] = {}
    for derived, words in editions:
        prefix, translate = derived.site.prefix(), translations(derived.site.language).gettext
        feeds.update(
            {prefix + path: data for path, data in feed_files(derived, words, md, translate).items()}
        )
    known, words = editions[0]
    return feeds, {**api_files(known), **badge_files(known, words, label="status")}


def site_files(
    parts: Sequence[tuple[str, Mapping[str, bytes]]], kept: Mapping[str, str], site: Site
) -> dict[str, bytes]:
    """One file map of the producers' files (`(what, files)`; a path two of them write is refused),
    with what hosts and crawlers read besides: the sitemap, robots.txt and the header rules of
    every path, the `kept` pages' included (see cdn.py)."""
    paths = sorted({path for _, files in parts for path in files}.union(kept))
    sitemaps = sitemap_files(paths, site)
    rules = header_rules(sorted([*paths, *sitemaps, ROBOTS, HEADERS_DATA]), site)  # (nearly sorted: linear)
    hosts = {**sitemaps, ROBOTS: robots_file(site), HEADERS_FILE: headers_file(rules)}
    hosts[HEADERS_DATA] = headers_data(rules, site)
    parts = [*parts, ("the sitemap, robots.txt and header rules", hosts)]
    return merge_files(parts, [("the pages kept from the published site", kept)])


def with_compressed_copies(files: dict[str, bytes], read_back: Mapping[str, bytes]) -> dict[str, bytes]:
    """The files, and `.gz` and `.br` copies of each text file among them and of the kept files
    `read_back` to be compressed too (see `cdn.precompressed`)."""
    files = {**files, **read_back}
    copies = {
        path + suffix: data
        for path, original in files.items()
        if path.endswith(TEXT)
        for suffix, data in precompressed(original).items()
    }
    return merge_files([("the site", files), ("the precompressed copies", copies)])


# ---------------------------------------------------------------- around the build


def theme_search_path(content_dir: Path) -> tuple[Path, ...]:
    """Where themes are looked up: `themes/` beside the content folder, then the shipped themes."""
    return (content_dir.resolve().parent / "themes", builtin_themes_dir())


def protected_folders(content_dir: Path) -> tuple[tuple[str, Path], ...]:
    """The folders a build must never replace, nor any folder holding or inside them: the content
    and every folder themes are looked up in (see `publish.check_output`)."""
    themes = theme_search_path(content_dir)
    return (("the content folder", content_dir), *(("the theme folder", folder) for folder in themes))


def default_cache_dir(content_dir: str | Path) -> Path:
    """Where the command line keeps the build cache: `.statusgen-cache/` beside the content folder."""
    return Path(content_dir).resolve().parent / ".statusgen-cache"


def changes_since(previous_dir: str | Path, result: BuildResult) -> dict[str, object]:
    """What `result` announces that the build published in `previous_dir` did not (see `api.compare`)."""
    folder = Path(previous_dir)
    previous = {name: (folder / name).read_bytes() for name in COMPARED_FILES if (folder / name).is_file()}
    return compare(previous, result.derived)


def _rendering(content: Content) -> str:
    """What the build says it is about to render."""
    entries = len(content.incidents) + len(content.maintenance)
    languages = len(content.site.languages) or 1
    return f"Rendering {entries:,} incidents and maintenance" + (
        f" in {languages} languages" if languages > 1 else ""
    )


def _quiet(message: str) -> None:
    """Progress nobody asked for."""
