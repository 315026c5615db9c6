"""Golden builds: small fixture sites built at a fixed `now` match their committed output byte for byte.

After a deliberate change to the output, run `STATUSGEN_REGENERATE=1 pytest tests/test_golden.py`
and review the diff of `tests/sites/*/expected/`.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from statusgen import build
from tests.conftest import read_tree

SITES = Path(__file__).parent / "sites"
NOWS = {"small": "2024-03-02T12:00:00+01:00", "bilingual": "2024-03-02T12:00:00+01:00"}


@pytest.mark.parametrize("name", sorted(NOWS))
def test_golden_site(name: str, tmp_path: Path) -> None:
    """The fixture site builds to exactly the committed expected tree."""
    site = SITES / name
    output = tmp_path / "public"
    build(site / "content", output, datetime.fromisoformat(NOWS[name]))
    expected = site / "expected"
    if os.environ.get("STATUSGEN_REGENERATE"):
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(output, expected)
    actual, wanted = read_tree(output), read_tree(expected)
    assert sorted(actual) == sorted(wanted)
    for path, data in actual.items():
        assert data == wanted[path], f"{path} differs from tests/sites/{name}/expected/{path}"
