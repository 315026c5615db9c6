"""The wheel ships the default theme, the compiled catalogues and the content schemas, so `pip install
statusgen` works outside this repository, in every shipped language."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from statusgen.i18n import SHIPPED_LANGUAGES
from statusgen.schema import KINDS

# Slow (outside `pytest -m "not slow and not browser"`): builds the wheel.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).parent.parent


def test_wheel_contains_the_default_theme_and_the_catalogues(tmp_path: Path) -> None:
    """Every file of themes/default/ is inside the wheel under statusgen/themes/default/, the
    compiled catalogue of every shipped language under statusgen/locale/, and the JSON Schemas
    under statusgen/schemas/."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(ROOT), "-w", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("statusgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    theme = ROOT / "themes" / "default"
    expected = {
        f"statusgen/themes/default/{p.relative_to(theme).as_posix()}" for p in theme.rglob("*") if p.is_file()
    }
    assert expected and expected <= names
    catalogues = {f"statusgen/locale/{language}/LC_MESSAGES/statusgen.mo" for language in SHIPPED_LANGUAGES}
    assert catalogues <= names
    schemas = {f"statusgen/schemas/{kind}.schema.json" for kind in KINDS}  # `statusgen schema`, `init`
    assert schemas <= names
    starter = ROOT / "statusgen" / "starter"  # what `statusgen init` copies
    assert {
        f"statusgen/starter/{p.relative_to(starter).as_posix()}" for p in starter.rglob("*") if p.is_file()
    } <= names
