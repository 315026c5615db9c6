"""Page weight for readers on phones: budgets in gzipped bytes, no JavaScript, no web fonts."""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

from statusgen import check

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import pytest

from benchmarks.corpus import NOW, write_corpus

# Slow (outside `pytest -m "not slow and not browser"`): builds the benchmark corpus.
pytestmark = pytest.mark.slow


def gzipped(data: bytes) -> int:
    """Size once gzipped as a CDN would serve it."""
    return len(gzip.compress(data, 9, mtime=0))


def test_pages_stay_within_their_budgets(tmp_path: Path) -> None:
    """A 10-component site with 90-day bars: index < 8 KB, incident < 3 KB, CSS < 5 KB gzipped."""
    content = write_corpus(tmp_path, 400)
    files = check(content, NOW).files
    assert gzipped(files["index.html"]) < 8 * 1024
    incidents = [data for path, data in files.items() if path.startswith("incidents/")]
    assert max(gzipped(data) for data in incidents) < 3 * 1024
    stylesheets = [data for path, data in files.items() if path.endswith(".css")]
    assert len(stylesheets) == 1 and gzipped(stylesheets[0]) < 5 * 1024
    for path, data in files.items():
        if path.endswith(".html"):
            assert b"<script" not in data, path
    assert not re.search(rb"@font-face|\.woff2?\b", stylesheets[0])
