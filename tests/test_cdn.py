"""Output fit for a CDN: hashed assets, a header policy hosts apply correctly, sitemap and robots,
precompressed copies, and links that all resolve, at a domain's root and under a sub-path."""

from __future__ import annotations

import gzip
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import brotli
import lxml.etree
import lxml.html
import pytest

from statusgen import build, check
from statusgen.cdn import IMMUTABLE
from tests.conftest import NOW, SITE_YAML, incident_text, read_site, stylesheet, write_tree

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_NOW = datetime.fromisoformat("2012-06-22T12:00:00-07:00")


# ---------------------------------------------------------------- the header policy


def parse_headers_file(data: bytes) -> list[tuple[str, dict[str, str]]]:
    """A `_headers` file's rules, in order."""
    rules: list[tuple[str, dict[str, str]]] = []
    for line in data.decode().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line, {}))
        else:
            name, _, value = line.strip().partition(": ")
            rules[-1][1][name] = value
    return rules


def matches(pattern: str, url_path: str) -> bool:
    """Whether a Netlify / Cloudflare Pages path pattern matches (`*` a splat, `:name` one segment)."""
    regex = "".join(
        ".*" if part == "*" else "[^/]+" if part.startswith(":") else re.escape(part)
        for part in re.split(r"(\*|:[a-z]+)", pattern)
    )
    return re.fullmatch(regex, url_path) is not None


def served_at(path: str) -> list[str]:
    """The URL paths a file is served at (a folder's index.html at the folder's URL too)."""
    urls = [f"/{path}"]
    if path.endswith("index.html"):
        urls.append("/" + path.removesuffix("index.html"))
    return urls


def test_every_file_gets_exactly_one_cache_policy_from_the_headers_file() -> None:
    """As Netlify and Cloudflare Pages apply it (every matching rule, values of a header set twice
    joined): assets immutable, everything else short-lived, feeds/JSON/calendars/badges open to
    every origin, the unusual types named; the same rules as data in headers.json."""
    files = check(ROOT / "content", EXAMPLE_NOW, workers=1).files
    rules = parse_headers_file(files["_headers"])
    assert len(rules) < 100  # Cloudflare Pages reads at most 100 rules
    for path in files:
        if path == "_headers" or path.endswith((".gz", ".br")):  # (copies: served under the original's URL)
            continue
        for url in served_at(path):
            applied: dict[str, list[str]] = {}
            for pattern, headers in rules:
                if matches(pattern, url):
                    for name, value in headers.items():
                        applied.setdefault(name, []).append(value)
            cache = applied.get("Cache-Control", [])
            expected = (
                IMMUTABLE if path.startswith("static/") else "public, max-age=60, stale-while-revalidate=30"
            )
            assert cache == [expected], (url, cache)
            if path.endswith((".atom", ".rss", ".json", ".ics", ".svg")) and not path.startswith("static/"):
                assert applied.get("Access-Control-Allow-Origin") == ["*"], url
            if path.endswith(".atom"):
                assert applied.get("Content-Type") == ["application/atom+xml; charset=utf-8"], url
            if path.endswith(".ics"):
                assert applied.get("Content-Type") == ["text/calendar; charset=utf-8"], url
    import json

    data = json.loads(files["headers.json"])
    assert [(rule["path"], rule["headers"]) for rule in data["rules"]] == rules
    assert data["content_types"][".rss"] == "application/rss+xml; charset=utf-8"


@pytest.mark.slow
def test_the_headers_file_stays_within_cloudflares_rules_with_many_languages(tmp_path: Path) -> None:
    """Nine languages: one rule per language folder, and `:lang` for their feeds' types."""
    content = tmp_path / "content"
    write_tree(content, {"site.yaml": SITE_YAML + "languages: [en, fr, de, es, ja, ar, it, pt, nl]\n"})
    rules = parse_headers_file(check(content, NOW, workers=1).files["_headers"])
    assert len(rules) < 60
    assert ("/:lang/history.atom", {"Content-Type": "application/atom+xml; charset=utf-8"}) in rules


def test_asset_names_carry_their_hash_and_stylesheets_point_to_hashed_files(tmp_path: Path) -> None:
    """A changed stylesheet is a new URL, which pages link to; a stylesheet's url() to another file
    of the theme is rewritten to that file's hashed name."""
    write_tree(
        tmp_path,
        {
            "content/site.yaml": SITE_YAML + "theme: brand\n",
            "themes/brand/theme.yaml": "extends: default\n",
            "themes/brand/static/img/logo.svg": "<svg/>",
            "themes/brand/static/brand.css": (
                '@import "parts/base.css"; h1 { background: URL( "img/logo.svg#mark" ) } '
                "a { background: url(data:x) }"
            ),
            "themes/brand/static/parts/base.css": "p { background: url(../img/logo.svg?v=2) }",
        },
    )
    files = check(tmp_path / "content", NOW, workers=1).files
    (logo,) = [p for p in files if re.fullmatch(r"static/img/logo\.[0-9a-f]{10}\.svg", p)]
    (brand,) = [p for p in files if re.fullmatch(r"static/brand\.[0-9a-f]{10}\.css", p)]
    (base,) = [p for p in files if re.fullmatch(r"static/parts/base\.[0-9a-f]{10}\.css", p)]
    logo_name = logo.removeprefix("static/")
    assert files[base].decode() == f"p {{ background: url(../{logo_name}?v=2) }}"
    assert files[brand].decode() == (
        f'@import "{base.removeprefix("static/")}"; h1 {{ background: URL( "{logo_name}#mark" ) }} '
        "a { background: url(data:x) }"
    )
    assert f'href="./{stylesheet(files)}"' in files["index.html"].decode()
    (tmp_path / "themes/brand/static/style.css").write_text("body { color: red }")
    changed = check(tmp_path / "content", NOW, workers=1).files
    assert (
        stylesheet(changed) != stylesheet(files)
        and f'href="./{stylesheet(changed)}"' in changed["index.html"].decode()
    )


def test_a_stylesheet_in_another_encoding_keeps_its_bytes(tmp_path: Path) -> None:
    """A theme's stylesheet in Latin-1 (not UTF-8) is published byte for byte, its references to
    other files of the theme rewritten all the same; it used to stop the build with a traceback."""
    latin = '@charset "iso-8859-1"; p::before { content: "caf\xe9" } h1 { background: url(logo.svg) }'
    write_tree(
        tmp_path,
        {
            "content/site.yaml": SITE_YAML + "theme: brand\n",
            "themes/brand/theme.yaml": "extends: default\n",
            "themes/brand/static/logo.svg": "<svg/>",
            "themes/brand/static/latin.css": latin.encode("latin-1"),
        },
    )
    files = check(tmp_path / "content", NOW, workers=1).files
    (logo,) = [p for p in files if re.fullmatch(r"static/logo\.[0-9a-f]{10}\.svg", p)]
    (sheet,) = [p for p in files if re.fullmatch(r"static/latin\.[0-9a-f]{10}\.css", p)]
    assert files[sheet] == latin.replace("logo.svg", logo.removeprefix("static/")).encode("latin-1")


def test_sitemap_and_robots() -> None:
    """Every page of every language but 404 is in sitemap.xml, with its translations; robots.txt
    says where the sitemap is."""
    files = check(ROOT / "content", EXAMPLE_NOW, workers=1).files
    tree = lxml.etree.fromstring(files["sitemap.xml"])
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    listed = {loc.text for loc in tree.iterfind("s:url/s:loc", ns)}
    pages = {
        "https://status.example.com/" + path.removesuffix("index.html")
        for path in files
        if path.endswith(".html") and not path.endswith("404.html")
    }
    assert listed == pages
    first = tree.find("s:url", ns)
    assert {link.get("hreflang") for link in first.iterfind("x:link", ns)} == {"fr", "en", "x-default"}
    assert files["robots.txt"].decode().endswith("Sitemap: https://status.example.com/sitemap.xml\n")


# ---------------------------------------------------------------- precompression


@pytest.mark.slow
def test_precompressed_copies_are_exact_and_the_same_build_after_build(make_content, tmp_path: Path) -> None:
    """`.gz` and `.br` beside every text file, decompressing to it; two builds, and a warm link-mode
    build that keeps unchanged pages, give the same bytes."""
    content = make_content({"incidents/x.md": incident_text(resolved="2012-06-21T09:30:00-07:00")})
    first = build(content, tmp_path / "a", NOW, workers=1, precompress=True).files
    for path in [p for p in first if p.endswith((".html", ".css", ".atom", ".json", ".xml", ".ics", ".svg"))]:
        assert gzip.decompress(first[path + ".gz"]) == first[path]
        assert brotli.decompress(first[path + ".br"]) == first[path]
    assert dict(first) == dict(build(content, tmp_path / "b", NOW, workers=1, precompress=True).files)
    cache = tmp_path / "cache"
    for _ in range(3):
        result = build(
            content, tmp_path / "c", NOW, workers=1, precompress=True, cache_dir=cache, linked=True
        )
        assert read_site(tmp_path / "c") == dict(first) == dict(result.files)


# ---------------------------------------------------------------- links


def check_links(files: dict[str, bytes], base_url: str) -> list[str]:
    """Every href and src of every page, resolved as a browser would from the page's URL: those
    that name no file of the site (a folder's URL names its index.html)."""
    base = urlsplit(base_url)
    broken = []
    for path, data in files.items():
        if not path.endswith(".html"):
            continue
        page_url = urljoin(base_url, path)
        if path.endswith("404.html"):  # served at any depth: its links must work from anywhere
            page_url = urljoin(base_url, "some/missing/deep/page")
        tree = lxml.html.fromstring(data)
        for element in tree.xpath("//*[@href or @src]"):
            link = element.get("href") or element.get("src")
            if link.startswith("#"):  # within the page: the anchor must exist
                if not tree.xpath(f'//*[@id="{link[1:]}"]'):
                    broken.append(f"{path}: no element with the id {link[1:]}")
                continue
            target = urlsplit(urljoin(page_url, link))
            if target.scheme not in ("http", "https") or target.netloc != base.netloc:
                continue  # elsewhere on the web
            if not target.path.startswith(base.path):
                broken.append(f"{path}: {target.path} is outside the site")
                continue
            inside = unquote(target.path[len(base.path) :])
            if inside == "" or inside.endswith("/"):
                inside += "index.html"
            if inside not in files:
                broken.append(f"{path}: {element.get('href') or element.get('src')} → {inside}")
    return broken


@pytest.mark.slow
@pytest.mark.parametrize("base_url", ["https://status.example.com/", "https://example.github.io/status/"])
def test_every_link_of_the_example_site_resolves(tmp_path: Path, base_url: str) -> None:
    """The link checker over the built example, hosted at a domain's root and under a sub-path:
    every page's every href and src names a file of the output."""
    content = tmp_path / "content"
    for source in (ROOT / "content").rglob("*"):
        if source.is_file():
            target = content / source.relative_to(ROOT / "content")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    site = content / "site.yaml"
    site.write_text(site.read_text().replace("https://status.example.com/", base_url))
    for now in (EXAMPLE_NOW, datetime.fromisoformat("2012-06-21T10:30:00-07:00")):
        files = dict(check(content, now, workers=1).files)
        assert check_links(files, base_url) == []
        assert sum(p.endswith(".html") for p in files) > 40
