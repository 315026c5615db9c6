"""The content folder: finding its files (never through a symbolic link), reading them within the
size cap, and the load stage over them.

The load stage has three steps a caller can drive: `plan_content` lists the documents to read (the
site and one `ContentFile` job per document: plain data), `read_document` reads and validates one,
and `assemble_content` puts the results together into `Content` with the checks that span files
(duplicate slugs, translations without an original, contradictions). `load_content` runs the three.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from statusgen import frontmatter
from statusgen.content.incidents import name_parts, read_incident, read_maintenance, slug_for
from statusgen.content.reader import raise_errors
from statusgen.content.site import parse_site
from statusgen.content.translations import check_translations, not_a_translation, read_translation
from statusgen.errors import ContentError, Problem, link_problem
from statusgen.models import Content, Incident, Maintenance, Site, Translation

MAX_FILE_BYTES = 16 * 1024 * 1024


def content_files(folder: Path) -> list[Path]:
    """The content files under a folder: non-hidden `*.md` files, in sorted order (never through a
    symbolic link: `load_content` refuses those)."""
    return [Path(path) for _, path in _content_entries(folder)[0]]


def _content_entries(folder: Path, shown: str = "") -> tuple[list[tuple[str, str]], list[Problem]]:
    """The content files under a folder, relative to it and as file system paths, in sorted order
    (plain strings: a big site has ten thousand, and a `Path` costs more to make than to stat),
    and the problems found there (paths shown under `shown`, the folder as the user names it).

    This is where content files are found, for the build, its cache and the authoring commands:
    a symbolic link is never followed but reported (the folder itself included), so nothing
    outside the content folder is read, and no link loops.
    """
    found: list[tuple[str, str]] = []
    refused: list[Problem] = []
    shown = shown or folder.as_posix()

    def walk(directory: str, prefix: str) -> None:
        try:
            entries = list(os.scandir(directory))
        except FileNotFoundError:
            return
        except OSError as error:
            where = f"{shown}/{prefix}".rstrip("/")
            refused.append(Problem(where, None, "", f"cannot be read: {error.strerror}"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                refused.append(link_problem(f"{shown}/{prefix}{entry.name}"))
            elif entry.is_dir(follow_symlinks=False):
                walk(entry.path, f"{prefix}{entry.name}/")
            elif entry.name.endswith(".md") and entry.is_file(follow_symlinks=False):
                found.append((prefix + entry.name, entry.path))

    if folder.is_symlink():
        refused.append(link_problem(shown))
    elif folder.exists() and not folder.is_dir():
        refused.append(Problem(shown, None, "", "expected a folder of content files, found a file"))
    else:
        walk(str(folder), "")
    return sorted(found, key=lambda pair: pair[0]), sorted(refused)


def read_bytes(path: str | Path) -> bytes:
    """A file's bytes, refusing a symbolic link in its last part (OSError), whatever the caller
    checked before: the file may have been swapped for a link since."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with open(descriptor, "rb") as file:
        return file.read(MAX_FILE_BYTES + 1)


def read_text(path: Path, shown: str) -> str:
    """Read a content file as text, enforcing the size cap and UTF-8, never through a link."""
    try:
        size = path.lstat().st_size
        data = read_bytes(path) if size <= MAX_FILE_BYTES else b""
    except OSError as error:
        if path.is_symlink():
            raise ContentError([link_problem(shown)]) from None
        raise ContentError([Problem(shown, None, "", f"cannot be read: {error.strerror}")]) from None
    if size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
        raise ContentError(
            [
                Problem(
                    shown,
                    None,
                    "",
                    f"the file is {max(size, len(data)) / 1048576:.1f} MB, over the "
                    f"{MAX_FILE_BYTES // 1048576} MB limit for one content file",
                )
            ]
        )
    return frontmatter.decode(shown, data)


@dataclass(frozen=True)
class ContentFile:
    """One content file to read: its kind (incidents or maintenance), path, shown name and site."""

    kind: str
    path: str  # where to read it
    shown: str
    site: Site
    data: bytes | None = None  # the file's bytes when the caller has read them already (the cache)
    language: str = ""  # for a translation (`<slug>.<language>.md`), its language


Document = Incident | Maintenance | Translation
# What reading one document gives: its model (None if it has errors) and its problems.
DocumentResult = tuple[Document | None, list[Problem]]


def read_document(job: ContentFile) -> DocumentResult:
    """Read and validate one content file: its model (None if it has errors) and its problems."""
    try:
        data = job.data
        text = read_text(Path(job.path), job.shown) if data is None else frontmatter.decode(job.shown, data)
        if job.language:
            return read_translation(job.shown, text, job.site, job.kind, job.language)
        read = read_incident if job.kind == "incidents" else read_maintenance
        return read(job.shown, text, job.site)
    except ContentError as error:
        return None, list(error.problems)


@dataclass(frozen=True)
class ContentPlan:
    """What a content folder holds to read: its site, one job per document (in sorted order), and
    the problems found while listing them (the site's warnings, links, misnamed translations)."""

    site: Site
    jobs: tuple[ContentFile, ...]
    problems: tuple[Problem, ...]


def plan_content(content_dir: str | Path) -> ContentPlan:
    """Read `site.yaml` and list the documents of a content folder to read (raise ContentError if
    the site is missing or has errors)."""
    root = Path(content_dir)
    shown_root = root.as_posix().rstrip("/")
    site = _read_site(root / "site.yaml", f"{shown_root}/site.yaml")
    problems: list[Problem] = list(site.warnings)
    others = {language.lower(): language for language in site.languages[1:]}
    jobs = []
    for kind in ("incidents", "maintenance"):
        entries, refused = _content_entries(root / kind, f"{shown_root}/{kind}")
        problems.extend(refused)
        for relative, path in entries:
            shown = f"{shown_root}/{kind}/{relative}"
            written = name_parts(relative)[1]
            if written and written not in others:
                problems.append(not_a_translation(shown, written, site))
                continue
            jobs.append(ContentFile(kind, path, shown, site, language=others.get(written, "")))
    return ContentPlan(site, tuple(jobs), tuple(problems))


def _read_site(path: Path, shown: str) -> Site:
    """The content folder's `site.yaml`, never through a link."""
    if path.is_symlink():
        raise ContentError([link_problem(shown)])
    if not path.is_file():
        raise ContentError([Problem(shown, None, "", "not found; a content folder needs a site.yaml")])
    return parse_site(read_text(path, shown), shown)


def assemble_content(plan: ContentPlan, results: Sequence[DocumentResult]) -> Content:
    """The content from the results of reading `plan.jobs` (in the same order), with the checks
    that span files; raise ContentError with every problem of every file."""
    problems = list(plan.problems)
    models: list[Document] = []
    slugs: dict[tuple[str, str, str], str] = {}
    for job, (model, found) in zip(plan.jobs, results, strict=True):
        problems.extend(found)
        problems.extend(_duplicate_slug(job, slugs))
        if model is not None:
            models.append(model)
    originals = [m for m in models if isinstance(m, Incident | Maintenance)]
    translations = [m for m in models if isinstance(m, Translation)]
    named = {(kind, slug) for kind, slug, language in slugs if not language}
    problems.extend(check_translations(translations, originals, named))
    raise_errors(problems)
    incidents = sorted((m for m in originals if isinstance(m, Incident)), key=lambda i: (i.started, i.slug))
    maintenance = sorted(
        (m for m in originals if isinstance(m, Maintenance)), key=lambda m: (m.start, m.slug)
    )
    translations.sort(key=lambda t: (t.kind, t.slug, t.language))
    warnings = tuple(sorted(p for p in problems if p.warning))
    return Content(plan.site, tuple(incidents), tuple(maintenance), warnings, tuple(translations))


def _duplicate_slug(job: ContentFile, slugs: dict[tuple[str, str, str], str]) -> list[Problem]:
    """The problem if another file of the same kind and language has the same slug (compared as
    they look: case-folded and NFKC-normalised, for names the slug rule refuses); `slugs` notes it."""
    key = (job.kind, unicodedata.normalize("NFKC", slug_for(job.shown)).casefold(), job.language)
    first = slugs.setdefault(key, job.shown)
    if first == job.shown:
        return []
    message = f"the slug {key[1]!r} is already used by {first}"
    return [Problem(job.shown, None, "", message, "rename one of the two files")]


def load_content(content_dir: str | Path) -> Content:
    """Read and validate a content folder; raise ContentError with every problem found.

    The three steps one after the other: `plan_content`, `read_document` for each job,
    `assemble_content` (the build reads the documents its own way: spread, and cached).
    """
    plan = plan_content(content_dir)
    return assemble_content(plan, [read_document(job) for job in plan.jobs])
