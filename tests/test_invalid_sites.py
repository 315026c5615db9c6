"""Each broken site under tests/invalid/ fails with exactly the errors in its expected.txt."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from statusgen import ContentError, check
from tests.conftest import NOW

CASES = Path(__file__).parent / "invalid"
NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir())


@pytest.mark.parametrize("name", NAMES)
def test_invalid_site_reports_exact_errors(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site fails to build, reporting every problem with its file, line, field and hint."""
    case = CASES / name
    shutil.copytree(case / "content", tmp_path / "content")
    if not (tmp_path / "content" / "site.yaml").exists() and not (case / "NO_SITE").exists():
        shutil.copy(CASES / "site.yaml", tmp_path / "content" / "site.yaml")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ContentError) as caught:
        check("content", NOW)
    actual = "\n".join(str(problem) for problem in caught.value.problems) + "\n"
    expected_path = case / "expected.txt"
    if os.environ.get("STATUSGEN_REGENERATE") or not expected_path.exists():
        expected_path.write_text(actual, encoding="utf-8")
    assert actual == expected_path.read_text(encoding="utf-8")
