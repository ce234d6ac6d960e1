"""The type checker holds the crawl side to its types and the store to its protocols
(``[mypy]`` in setup.cfg: strict on the store, the pipelines, the spider and the crawl
extensions; ``aggregator/store/sqlite.py`` checks that SQLiteStore is a whole Store)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_mypy_strict_passes_on_the_crawl_side():
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
