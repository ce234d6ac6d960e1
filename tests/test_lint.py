"""No unused imports, undefined names or dead assignments in the project's code (pyflakes)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_pyflakes_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pyflakes", "aggregator", "spiders", "tests", "benchmarks"],
        cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
