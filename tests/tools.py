"""Test-time tools from the npm registry (and Java), installed once into a cache folder and reused."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import NoReturn

import pytest

CACHE = Path(os.environ.get("STATUSGEN_TEST_CACHE", Path.home() / ".cache" / "statusgen-tests"))
_FAILED: dict[str, str] = {}  # "name@version" -> why its install failed: one try per test run


def _give_up(spec: str, reason: str) -> NoReturn:
    """Remember that installing `spec` failed, and skip loudly."""
    _FAILED[spec] = f"LOUD SKIP: `npm install {spec}` {reason}; the tests needing it did not run"
    pytest.skip(_FAILED[spec])


def npm_package(name: str, version: str) -> Path:
    """The folder of npm package `name` at exactly `version`, installed into the cache on first use.

    Installs go to a temporary folder renamed into place, under a file lock, so that concurrent test
    runs never see a half-installed package. Skips loudly if npm is missing or the install fails.
    """
    target = CACHE / "npm" / f"{name}-{version}"
    package = target / "node_modules" / name
    spec = f"{name}@{version}"
    if (package / "package.json").is_file():
        return package
    if spec in _FAILED:
        pytest.skip(_FAILED[spec])
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"LOUD SKIP: npm is not installed, so {name}@{version} could not be installed")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (package / "package.json").is_file():  # another run installed it while we waited
            return package
        staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=target.parent))
        command = [npm, "install", "--prefix", str(staging), "--no-save", "--no-package-lock"]
        command += ["--ignore-scripts", "--no-audit", "--no-fund", spec]
        try:
            result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
        except subprocess.TimeoutExpired:
            shutil.rmtree(staging, ignore_errors=True)
            _give_up(spec, "timed out (is the npm registry reachable?)")
        if result.returncode != 0 or not (staging / "node_modules" / name / "package.json").is_file():
            shutil.rmtree(staging, ignore_errors=True)
            _give_up(
                spec,
                f"failed, exit {result.returncode} (is the npm registry reachable?)\n{result.stderr[-1500:]}",
            )
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    return package


def java_path() -> str:
    """The `java` binary (17 or newer is needed by vnu.jar), installing Debian's headless JRE if missing."""
    found = shutil.which("java")
    if found:
        return found
    if shutil.which("apt-get") is None:
        pytest.skip("LOUD SKIP: no java and no apt-get to install it; the Nu HTML Checker did not run")
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "default-jre-headless"],
    ):
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=900)
        if result.returncode != 0:
            pytest.skip(f"LOUD SKIP: could not install java ({' '.join(command)}): {result.stderr[-500:]}")
    found = shutil.which("java")
    if not found:
        pytest.skip("LOUD SKIP: a JRE was installed but `java` is not on PATH")
    return found
