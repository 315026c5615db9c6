"""Headless Chromium for tests: Debian's `chromium` (installed on first use) driven by Playwright."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def chromium_path() -> str:
    """The Chromium binary, installing Debian's package if it is missing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if shutil.which("apt-get") is None:
        pytest.skip("LOUD SKIP: no chromium and no apt-get to install it; the browser tests did not run")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=900)
        if result.returncode != 0:
            pytest.skip(
                f"LOUD SKIP: could not install chromium ({' '.join(command)}): {result.stderr[-500:]}"
            )
    found = shutil.which("chromium")
    if not found:
        pytest.skip("LOUD SKIP: chromium installed but not found on PATH")
    return found


SAFETY_MS = 120_000  # the bound of any one wait in a page (a navigation, a condition), never a pace

# Every word-like segment of the page's text (Intl.Segmenter, in the language of its element, so
# Japanese words too) that is laid out on more than one line although it would fit, unbroken, in
# the block it flows in (that block's width, not a flex or grid item's, which layout may squeeze).
# Only a word wider than that block, a long URL, may break.
_WORDS_BROKEN_INSIDE = """() => {
  const flows = (element) => ["block", "list-item", "flow-root", "flex", "grid", "table-cell"]
    .includes(getComputedStyle(element).display)
    && !/flex|grid/.test(getComputedStyle(element.parentElement).display);
  const room = (element) => {
    while (element !== document.body && !flows(element)) element = element.parentElement;
    const style = getComputedStyle(element);
    return element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  };
  const unbroken = (element, text) => {
    const probe = document.createElement("span");
    probe.style.cssText = "position: absolute; white-space: nowrap; visibility: hidden";
    probe.textContent = text;
    element.append(probe);
    const width = probe.getBoundingClientRect().width;
    probe.remove();
    return width;
  };
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode()); ) {
    const element = node.parentElement;
    const language = element.closest("[lang]").lang;
    for (const word of new Intl.Segmenter(language, { granularity: "word" }).segment(node.data)) {
      if (!word.isWordLike) continue;
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word.segment.length);
      const boxes = [...range.getClientRects()].filter((box) => box.width > 0);
      const lines = boxes.some((a) => boxes.some((b) => b.top >= a.bottom - 1));
      if (lines && unbroken(element, word.segment) <= room(element)) {
        broken.push(`${word.segment} (${language}, in <${element.localName} class="${element.className}">)`);
      }
    }
  }
  return broken;
}"""


def words_broken_inside(page: Any) -> list[str]:
    """The words of an open page broken across lines although they would fit on one (see above)."""
    return page.evaluate(_WORDS_BROKEN_INSIDE)


def new_page(browser: Any, **options: Any) -> Any:
    """A new page of `browser`, whose waits are bounded by SAFETY_MS instead of Playwright's 30 s."""
    page = browser.new_page(**options)
    page.set_default_timeout(SAFETY_MS)
    page.set_default_navigation_timeout(SAFETY_MS)
    return page


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright (installed if missing); closed afterwards."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = chromium_path()
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@contextmanager
def serve(folder: Path, prefix: str = "/") -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 (an ephemeral port) under `prefix`; yield the site's URL."""
    root = folder
    if prefix != "/":
        # Mount the site under a sub-path by serving a parent folder holding a link to it.
        root = folder.parent / "served"
        mount = root / prefix.strip("/")
        mount.parent.mkdir(parents=True, exist_ok=True)
        if not mount.exists():
            mount.symlink_to(folder.resolve(), target_is_directory=True)
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
