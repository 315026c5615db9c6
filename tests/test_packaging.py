"""The wheel ships the default theme, so `pip install statusgen` works outside this repository."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_wheel_contains_the_default_theme(tmp_path: Path) -> None:
    """Every file of themes/default/ is inside the wheel under statusgen/themes/default/."""
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
