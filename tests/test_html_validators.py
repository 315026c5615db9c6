"""The example site's HTML and CSS pass the Nu HTML Checker, and its pages pass axe-core in Chromium.

- Nu HTML Checker (vnu.jar, from npm `vnu-jar`): one JVM run per `now` over every built .html page and
  the stylesheet, plus a deliberately damaged page and stylesheet proving that the checker does report.
- axe-core (npm `axe-core`), injected into headless Chromium: WCAG 2.0/2.1 A and AA rules on the index,
  the outage's incident page, a component page and the history, in the light and the dark colour scheme.

Both tools are installed at test time into a cache folder (see tests/tools.py) and reused afterwards.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from statusgen import build
from tests.browser import chromium, serve
from tests.tools import java_path, npm_package

# Slow (outside `pytest -m "not slow and not browser"`): the Nu HTML checker (Java) and axe-core in Chromium.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).parent.parent
CONTENT = ROOT / "content"
# During the outage of 21 June 2012, and the next day once it is resolved.
NOWS = ["2012-06-21T10:30:00-07:00", "2012-06-22T12:00:00-07:00"]
VNU_VERSION = "26.9.27"
AXE_VERSION = "4.14.1"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = ["", "incidents/2012-06-21-panne-mondiale/", "components/web/", "history/"]
SCHEMES = ["light", "dark"]
CANARY_HTML = "canary.html"
CANARY_CSS = "canary.css"


def built_site(root: Path, now: str) -> Path:
    """The example site built at `now` into a fresh folder under `root`."""
    output = root / now.replace(":", "")
    build(CONTENT, output, datetime.fromisoformat(now))
    return output


# ---------------------------------------------------------------- Nu HTML Checker


def _where(url: str, site: Path) -> str:
    """A vnu message's `file:` URL as a path relative to the built site (or to its parent folder)."""
    path = Path(url.removeprefix("file:"))
    for base in (site, site.parent):
        if path.is_relative_to(base):
            return str(path.relative_to(base))
    return url


@dataclass
class VnuReport:
    """What one vnu run said: error lines (`file:line: message`) by path relative to the built site."""

    pages: list[Path]
    errors: dict[str, list[str]]

    def site_errors(self, suffix: str) -> list[str]:
        """The error lines about the site's own files ending with `suffix` (not about the canaries)."""
        return [
            line
            for where, lines in sorted(self.errors.items())
            if where.endswith(suffix) and where not in (CANARY_HTML, CANARY_CSS)
            for line in lines
        ]


@pytest.fixture(scope="module", params=NOWS)
def vnu_report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> VnuReport:
    """Every vnu error about the site built at `now` and about the canaries, from a single JVM run."""
    now: str = request.param
    java = java_path()
    jar = npm_package("vnu-jar", VNU_VERSION) / "build" / "dist" / "vnu.jar"
    if not jar.is_file():
        pytest.skip(f"LOUD SKIP: vnu-jar@{VNU_VERSION} holds no {jar.name}; the Nu HTML Checker did not run")
    root = tmp_path_factory.mktemp("vnu")
    site = built_site(root, now)
    pages = sorted(site.rglob("*.html"))
    assert pages, f"the build at {now} wrote no .html page"
    stylesheets = sorted(site.rglob("*.css"))
    assert stylesheets, f"the build at {now} wrote no stylesheet"
    # Canaries: a built page given a duplicate id and an unknown element, a stylesheet with a bogus property.
    index = (site / "index.html").read_text(encoding="utf-8")
    damaged = index.replace("</main>", '<p id="main"><blink>!</blink></p></main>', 1)
    assert damaged != index
    (root / CANARY_HTML).write_text(damaged, encoding="utf-8")
    (root / CANARY_CSS).write_text("p { colr: red; }\n", encoding="utf-8")

    command = [java, "-jar", str(jar), "--errors-only", "--format", "json", "--stdout"]
    command += ["--also-check-css", *map(str, pages), *map(str, stylesheets)]
    command += [str(root / CANARY_HTML), str(root / CANARY_CSS)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    try:
        messages = json.loads(result.stdout)["messages"]
    except (json.JSONDecodeError, KeyError) as error:
        pytest.fail(
            f"vnu.jar gave no JSON report ({error}), exit {result.returncode}:\n{result.stderr[-2000:]}"
        )
    errors: dict[str, list[str]] = {}
    for message in messages:
        if message.get("type") == "info":
            continue
        where = _where(message.get("url", "?"), site)
        errors.setdefault(where, []).append(
            f"{where}:{message.get('lastLine', '?')}: {message.get('message', '').strip()}"
            + (f"  [{message['extract'].strip()}]" if message.get("extract") else "")
        )
    return VnuReport(pages=pages, errors=errors)


def test_every_page_is_valid_html_for_the_nu_checker(vnu_report: VnuReport) -> None:
    """The Nu HTML Checker reports no error in any .html page of the built example site."""
    errors = vnu_report.site_errors(".html")
    assert len(vnu_report.pages) >= 10
    assert not errors, f"Nu HTML Checker errors ({len(errors)}):\n" + "\n".join(errors)


def test_the_stylesheet_is_valid_css_for_the_nu_checker(vnu_report: VnuReport) -> None:
    """The Nu HTML Checker's CSS validator reports no error in the theme's stylesheet."""
    errors = vnu_report.site_errors(".css")
    assert not errors, f"Nu CSS errors ({len(errors)}):\n" + "\n".join(errors)


def test_the_nu_checker_reports_the_damaged_canaries(vnu_report: VnuReport) -> None:
    """The same vnu run flags the damaged page's duplicate id and the canary stylesheet's bogus property."""
    canary_html = "\n".join(vnu_report.errors.get(CANARY_HTML, []))
    assert "Duplicate ID" in canary_html and "blink" in canary_html, canary_html or "no error reported"
    canary_css = "\n".join(vnu_report.errors.get(CANARY_CSS, []))
    assert "colr" in canary_css, canary_css or "no error reported"


# ---------------------------------------------------------------- axe-core in Chromium


@pytest.fixture(scope="module")
def axe_script() -> Path:
    """axe.min.js of the pinned axe-core, installed into the cache on first use."""
    script = npm_package("axe-core", AXE_VERSION) / "axe.min.js"
    if not script.is_file():
        pytest.skip(
            f"LOUD SKIP: axe-core@{AXE_VERSION} holds no axe.min.js; the accessibility tests did not run"
        )
    return script


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's) for every page of the module."""
    with chromium() as instance:
        yield instance


@pytest.fixture(scope="module", params=NOWS)
def site_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of the example site built at `now`, served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("axe")
    with serve(built_site(root, request.param)) as url:
        yield url
    shutil.rmtree(root, ignore_errors=True)


def _describe(violation: dict[str, Any]) -> str:
    """One axe violation as its rule, impact, help text and the selectors of the failing nodes."""
    lines = [f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"]
    for node in violation["nodes"][:8]:
        summary = (node.get("failureSummary") or "").replace("\n", " ")
        lines.append(f"    {' '.join(map(str, node['target']))}: {summary[:300]}")
    if len(violation["nodes"]) > 8:
        lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def run_axe(browser: Any, axe_script: Path, url: str, scheme: str, damage: str = "") -> dict[str, Any]:
    """axe-core's results for the page at `url` in colour `scheme`, after running the JS `damage` if any."""
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    try:
        page.emulate_media(color_scheme=scheme)
        response = page.goto(url)
        assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
        if damage:
            page.evaluate(damage)
        page.add_script_tag(path=str(axe_script))
        results: dict[str, Any] = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
    finally:
        page.close()
    assert results["testEngine"]["version"] == AXE_VERSION
    checked = {rule["id"] for key in ("passes", "violations", "incomplete") for rule in results[key]}
    assert {"color-contrast", "html-has-lang", "document-title"} <= checked, (
        f"axe did not run its rules on {url}"
    )
    return results


@pytest.mark.browser
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("page_path", PAGES, ids=lambda path: path.strip("/") or "index")
def test_axe_finds_no_wcag_a_or_aa_violation(
    browser: Any, axe_script: Path, site_url: str, page_path: str, scheme: str
) -> None:
    """axe-core reports no WCAG 2.0/2.1 A or AA violation on the page in the given colour scheme."""
    violations = run_axe(browser, axe_script, site_url + page_path, scheme)["violations"]
    assert not violations, f"axe-core violations on /{page_path} ({scheme}):\n" + "\n".join(
        _describe(violation) for violation in violations
    )


# The site's title in grey on grey (1.2:1), and no language on <html>.
DAMAGE = """() => {
    const brand = document.querySelector('.brand');
    brand.style.color = '#777';
    brand.style.background = '#888';
    document.documentElement.removeAttribute('lang');
}"""


@pytest.mark.browser
@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_reports_a_damaged_page(browser: Any, axe_script: Path, site_url: str, scheme: str) -> None:
    """The same axe run flags an index whose title has no contrast and whose <html> has no lang."""
    violations = run_axe(browser, axe_script, site_url, scheme, damage=DAMAGE)["violations"]
    found = {violation["id"] for violation in violations}
    assert {"color-contrast", "html-has-lang"} <= found, found
