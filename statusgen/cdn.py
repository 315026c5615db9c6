"""What a CDN or an object store needs besides the files themselves.

- **Asset names with their content's hash** (`static/style.3f2a1b9c0d.css`): a changed stylesheet is
  a new URL, so assets can be cached for a year (`immutable`) and a page never meets a stale one.
- **A cache and CORS policy per file**: assets immutable; pages, feeds, JSON, badges and calendars
  fresh within `cache.max_age` seconds (default 60), served stale for `cache.stale` more while the
  CDN revalidates; feeds, JSON, calendars and badges readable from any origin
  (`Access-Control-Allow-Origin: *`, for dashboards and widgets). Written as a `_headers` file
  (Netlify, Cloudflare Pages) and as data, `headers.json`, for other hosts; `statusgen deploy`
  sets the same on each object, but CORS, which S3 keeps per bucket.
- **The content type of every extension**, `sitemap.xml` (with each page's translations) and
  `robots.txt`.
- **Precompressed copies** (`.gz`, `.br`) beside each text file, byte-identical between builds.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import posixpath
import re
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from statusgen.models import Site

IMMUTABLE = "public, max-age=31536000, immutable"
HEADERS_FILE = "_headers"
HEADERS_DATA = "headers.json"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
SITEMAP_LIMIT = 50_000  # URLs in one sitemap file (the protocol's limit)
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".avif": "image/avif",
    ".mjs": "text/javascript; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".pdf": "application/pdf",
}
# Read by other origins (feed readers, dashboards, widgets, calendar apps): CORS open.
SHARED = (".atom", ".rss", ".json", ".ics", ".svg")
# Worth compressing: text.
TEXT = (".html", ".css", ".js", ".atom", ".rss", ".xml", ".json", ".ics", ".svg", ".txt")
ENCODINGS = {".gz": "gzip", ".br": "br"}
# Types CDNs may not know by their extension: every path of these gets an explicit Content-Type rule.
UNUSUAL = (".atom", ".rss", ".ics")


def content_type(path: str) -> str:
    """The Content-Type of a file of the site, by its extension (of the file it compresses, for a
    `.gz` or `.br` copy)."""
    for suffix in ENCODINGS:
        path = path.removesuffix(suffix)
    return CONTENT_TYPES.get(posixpath.splitext(path)[1].lower(), "application/octet-stream")


def short_cache(site: Site) -> str:
    """The Cache-Control of everything but assets: fresh for `max_age`, then served stale while the
    CDN revalidates, for `stale` seconds."""
    return f"public, max-age={site.cache_max_age}, stale-while-revalidate={site.cache_stale}"


def file_headers(path: str, short: str) -> dict[str, str]:
    """The HTTP headers of one file of the site, `short` being the Cache-Control of all but assets
    (`short_cache`; deploy reads it from the built `headers.json`) and sets them on its object."""
    original = path
    for suffix in ENCODINGS:
        if path.endswith(suffix) and path.removesuffix(suffix).endswith(TEXT):
            original = path.removesuffix(suffix)
    headers = {
        "Content-Type": content_type(path),
        "Cache-Control": IMMUTABLE if original.startswith("static/") else short,
    }
    if original != path:
        headers["Content-Encoding"] = ENCODINGS[path[len(original) :]]
    if original.endswith(SHARED) and not original.startswith("static/"):
        headers["Access-Control-Allow-Origin"] = "*"
    return headers


# ---------------------------------------------------------------- asset names


def hashed_name(path: str, data: bytes) -> str:
    """`static/style.css` → `static/style.3f2a1b9c0d.css`: the name changes when the content does."""
    stem, suffix = posixpath.splitext(path)
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}{suffix}"


# url(...) with or without quotes, and @import "..." (CSS is case-insensitive in `url`).
_CSS_REFERENCE = re.compile(
    r"""(?P<head>(?i:url)\(\s*)(?:(?P<q>['"])(?P<quoted>.*?)(?P=q)|(?P<bare>[^'")\s]+))(?P<tail>\s*\))"""
    r"""|(?P<import>(?i:@import)\s+)(?P<iq>['"])(?P<target>.*?)(?P=iq)"""
)


def _css_references(text: str, folder: str) -> set[str]:
    """The files of the theme a stylesheet refers to (resolved from its folder)."""
    found = (_reference(match, folder)[0] for match in _CSS_REFERENCE.finditer(text))
    return {resolved for resolved in found if resolved}


def _reference(match: re.Match[str], folder: str) -> tuple[str | None, str]:
    """The static file a CSS reference names (None for a URL elsewhere, data:, a fragment), and
    what follows its path (`?query#fragment`, kept when it is rewritten)."""
    target = match.group("quoted") or match.group("bare") or match.group("target") or ""
    path = re.split(r"[?#]", target, maxsplit=1)[0]
    suffix = target[len(path) :]
    if not path or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:|//", path):
        return None, suffix
    if path.startswith("/static/"):
        return path.lstrip("/"), suffix
    if path.startswith("/"):
        return None, suffix
    return posixpath.normpath(posixpath.join(folder, path)), suffix


def hashed_assets(files: dict[str, bytes]) -> dict[str, str]:
    """Each static file's hashed name (`static/x.css` → `static/x.<hash>.css`). A stylesheet's
    references to other static files (`url(...)`, `@import "..."`, query and fragment kept) are
    rewritten to their hashed names first, so its own hash covers them; `files` is updated with
    the rewritten stylesheets. Stylesheets are done after what they import (a cycle is left as
    written)."""
    names: dict[str, str] = {}
    # (A stylesheet in another encoding than UTF-8, `@charset "iso-8859-1"`, keeps its bytes: its
    # references are ASCII either way.)
    styles = {p: files[p].decode("utf-8", "surrogateescape") for p in files if p.endswith(".css")}
    for path in sorted(set(files) - set(styles)):
        names[path] = hashed_name(path, files[path])
    pending = dict(styles)
    while pending:
        ready = [
            path
            for path, text in sorted(pending.items())
            if not (_css_references(text, posixpath.dirname(path)) & (set(pending) - {path}))
        ] or sorted(pending)[:1]  # (a cycle: take one as it is)
        for path in ready:
            text = pending.pop(path)
            folder = posixpath.dirname(path)

            def rewrite(match: re.Match[str], folder: str = folder) -> str:
                resolved, suffix = _reference(match, folder)
                if resolved is None or resolved not in names:
                    return match.group(0)
                new = posixpath.relpath(names[resolved], folder) + suffix
                if match.group("import"):
                    return f"{match.group('import')}{match.group('iq')}{new}{match.group('iq')}"
                quote = match.group("q") or ""
                return f"{match.group('head')}{quote}{new}{quote}{match.group('tail')}"

            rewritten = _CSS_REFERENCE.sub(rewrite, text)
            data = rewritten.encode("utf-8", "surrogateescape")
            if rewritten != text:
                files[path] = data
            names[path] = hashed_name(path, data)
    return names


# ---------------------------------------------------------------- header rules


def header_rules(paths: Iterable[str], site: Site) -> list[tuple[str, dict[str, str]]]:
    """The policy as path rules for hosts that take a `_headers` file: assets, each file at the
    root, each folder, and the feeds and calendars by name (`:id` standing for a component).

    The rules never set one header twice for a path (Netlify and Cloudflare Pages would join both
    values): Cache-Control comes from the asset rule, or a root file's rule, or its folder's rule.
    Precompressed copies get no rules: hosts that use them serve them under the original's URL.
    """
    short = short_cache(site)
    languages = {site.prefix(language).rstrip("/") for language in site.languages} - {""}
    rules: list[tuple[str, dict[str, str]]] = [("/static/*", {"Cache-Control": IMMUTABLE})]
    folders: dict[str, bool] = {}  # a top folder → whether it holds files other origins read
    unusual: dict[str, str] = {}  # a path pattern → its Content-Type
    for path in paths:
        if path == HEADERS_FILE or path.startswith("static/") or path.endswith(tuple(ENCODINGS)):
            continue
        top, _, rest = path.partition("/")
        if not rest:
            rules.extend(_root_file_rules(path, short))
            continue
        folders[top] = folders.get(top, False) or path.endswith(SHARED)
        if path.endswith(UNUSUAL):
            unusual[_pattern(path, languages)] = content_type(path)
    for top, shared in sorted(folders.items()):
        headers = {"Cache-Control": short}
        if shared:
            headers["Access-Control-Allow-Origin"] = "*"
        rules.append((f"/{top}/*", headers))
    rules.extend((pattern, {"Content-Type": kind}) for pattern, kind in sorted(unusual.items()))
    return rules


def _root_file_rules(path: str, short: str) -> list[tuple[str, dict[str, str]]]:
    """The rule of a file at the root (and of `/` for index.html): its headers, with its
    Content-Type only where CDNs may not know it by its extension."""
    headers = {key: value for key, value in file_headers(path, short).items() if key != "Content-Type"}
    if path.endswith(UNUSUAL):
        headers["Content-Type"] = content_type(path)
    return [(f"/{path}", headers), *([("/", headers)] if path == "index.html" else [])]


def _pattern(path: str, languages: set[str]) -> str:
    """One rule's pattern for a path in every language and of every component: `:lang`, `:id`."""
    parts = path.split("/")
    return "/" + "/".join(
        ":lang"
        if index == 0 and part in languages
        else ":id"
        if index and parts[index - 1] == "components"
        else part
        for index, part in enumerate(parts)
    )


def headers_file(rules: list[tuple[str, dict[str, str]]]) -> bytes:
    """The rules as a `_headers` file (Netlify, Cloudflare Pages)."""
    lines = ["# Cache, CORS and content types, written by statusgen (headers.json holds the same as data)."]
    for pattern, headers in rules:
        lines.append(pattern)
        lines.extend(f"  {name}: {value}" for name, value in headers.items())
    return ("\n".join(lines) + "\n").encode("utf-8")


def headers_data(rules: list[tuple[str, dict[str, str]]], site: Site) -> bytes:
    """The same policy as data, for other hosts: the rules in order, and the content types."""
    data = {
        "rules": [{"path": pattern, "headers": headers} for pattern, headers in rules],
        "content_types": CONTENT_TYPES,
        "precompressed": {suffix: {"Content-Encoding": encoding} for suffix, encoding in ENCODINGS.items()},
        "default_cache_control": short_cache(site),
    }
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# ---------------------------------------------------------------- sitemap and robots


def sitemap_files(paths: Iterable[str], site: Site) -> dict[str, bytes]:
    """`sitemap.xml` listing every page (not 404.html) with its translations (`hreflang`), split
    into `sitemap-N.xml` under a sitemap index past 50,000 URLs."""
    prefixes = [site.prefix(language) for language in site.languages or (site.language,)]
    others = [prefix for prefix in prefixes if prefix]
    pages = sorted(
        path
        for path in paths
        if path.endswith(".html")
        and not path.endswith("404.html")
        and not any(path.startswith(p) for p in others)
    )

    def url(prefix: str, path: str) -> str:
        return site.base_url + prefix + path.removesuffix("index.html")

    entries: list[str] = []
    for path in pages:
        links = ""
        if len(prefixes) > 1:
            alternates = [*zip(site.languages, prefixes, strict=True), ("x-default", "")]
            links = "".join(
                f"<xhtml:link rel={quoteattr('alternate')} hreflang={quoteattr(language)} "
                f"href={quoteattr(url(prefix, path))}/>"
                for language, prefix in alternates
            )
        entries.extend(f"<url><loc>{escape(url(prefix, path))}</loc>{links}</url>" for prefix in prefixes)
    header = '<?xml version="1.0" encoding="UTF-8"?>\n'
    namespaces = (
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml"'
    )
    chunks = [entries[i : i + SITEMAP_LIMIT] for i in range(0, len(entries), SITEMAP_LIMIT)] or [[]]
    if len(chunks) == 1:
        return {SITEMAP: f"{header}<urlset {namespaces}>\n{chr(10).join(chunks[0])}\n</urlset>\n".encode()}
    out = {}
    for number, chunk in enumerate(chunks, start=1):
        out[f"sitemap-{number}.xml"] = (
            f"{header}<urlset {namespaces}>\n{chr(10).join(chunk)}\n</urlset>\n".encode()
        )
    index = "".join(f"<sitemap><loc>{escape(site.base_url + name)}</loc></sitemap>\n" for name in out)
    out[SITEMAP] = (
        f'{header}<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{index}</sitemapindex>\n'
    ).encode()
    return out


def robots_file(site: Site) -> bytes:
    """`robots.txt`: everything may be crawled; where the sitemap is."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {site.base_url}{SITEMAP}\n".encode()


# ---------------------------------------------------------------- precompression


def precompressed(data: bytes) -> dict[str, bytes]:
    """`.gz` (gzip at level 9, no name or time in it) and `.br` (Brotli at its best) copies of a
    text file: the same bytes from the same input, build after build."""
    import brotli  # here: only builds that precompress need it

    return {".gz": gzip.compress(data, compresslevel=9, mtime=0), ".br": brotli.compress(data, quality=11)}
