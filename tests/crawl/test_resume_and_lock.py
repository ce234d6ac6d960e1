"""A real ``aggregator crawl`` killed with SIGKILL half-way, then run again: every article
stored exactly once. While it runs, a second crawl is refused by the lock (exit 3); once
it is killed, the lock is free again (the OS released it)."""

from __future__ import annotations

import pytest

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO, run_aggregator, stop_server
from tests.crawl.conftest import make_site
from tests.crawl.sitegen import SiteSpec

#: a real crawl in a subprocess or a browser: left out of the fast subset (-m "not slow")
pytestmark = pytest.mark.slow

ARTICLES = 30
KILL_AFTER = 14  # requests answered before the kill


def _wait_for(predicate, timeout: float = 60.0) -> None:
    """Poll ``predicate`` (a condition in a file another process writes) until true."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def _committed(site) -> int:
    """Articles another connection sees committed (0 while the store is being created)."""
    try:
        return int(site.query("SELECT COUNT(*) FROM articles")[0][0])
    except sqlite3.Error:
        return 0


def test_sigkill_mid_crawl_then_resume(tmp_path: Path) -> None:
    site = make_site(tmp_path, SiteSpec(articles=ARTICLES), delay=0.25)
    server = site.server
    env = dict(os.environ, PYTHONPATH=str(REPO))
    try:
        crawl = subprocess.Popen([sys.executable, "-m", "aggregator.cli", *site.crawl_args()],
                                 cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
        try:
            # killed once some articles are committed (a crawl commits its writes together
            # every AGGREGATOR_STORE_COMMIT_SECONDS: under load the first commit can come
            # after the KILL_AFTER-th answer)
            _wait_for(lambda: len(server.requests()) >= KILL_AFTER and _committed(site) > 0)
            # a second crawl on the same data folder is refused while the first runs
            second = run_aggregator(*site.crawl_args(), cwd=tmp_path)
            assert second.returncode == 3, second.stdout + second.stderr
            assert "another crawl is running" in second.stderr
            assert f"pid {crawl.pid}" in second.stderr
            assert crawl.poll() is None, "the first crawl ended before it could be killed"
        finally:
            crawl.send_signal(signal.SIGKILL)
            crawl.wait(timeout=30)
        assert crawl.returncode == -signal.SIGKILL
        partial = site.query("SELECT COUNT(*) FROM articles")[0][0]
        assert 0 < partial < ARTICLES, partial
        unfinished = site.query("SELECT COUNT(*) FROM runs WHERE finished IS NULL")[0][0]
        assert unfinished == 1

        status = run_aggregator("status", "--data-dir", str(site.data_dir), cwd=tmp_path)
        assert "INTERRUPTED" in status.stdout

        # the killed holder's lock died with it: the next crawl runs and finishes the work
        resumed = run_aggregator(*site.crawl_args(), cwd=tmp_path)
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        stats = site.last_stats()
    finally:
        stop_server(server)
    total, distinct = site.query("SELECT COUNT(*), COUNT(DISTINCT canonical_url) FROM articles")[0]
    assert total == distinct == ARTICLES
    assert site.query("SELECT MAX(version) FROM articles")[0][0] == 1  # none stored twice
    assert site.query("SELECT COUNT(*) FROM article_versions")[0][0] == ARTICLES
    assert stats["aggregator/store/new"] == ARTICLES - partial
    # what the killed run had finished was not parsed again
    assert stats.get("aggregator/pages/article", 0) <= ARTICLES - partial + 2


def test_lock_is_released_when_the_holder_crashes(tmp_path: Path) -> None:
    """A process holding the crawl lock dies without unlocking: the next one gets it."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\nfrom aggregator.runlock import crawl_lock\n"
         "with crawl_lock(sys.argv[1]):\n    print('locked', flush=True)\n    time.sleep(600)\n",
         str(tmp_path / "data")],
        cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        refused = run_aggregator("crawl", "--config", str(_tiny_config(tmp_path)),
                                 "--data-dir", str(tmp_path / "data"), cwd=tmp_path)
        assert refused.returncode == 3 and "crawl.lock" in refused.stderr
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    from aggregator.runlock import crawl_lock

    with crawl_lock(tmp_path / "data") as path:  # free again, although never unlocked
        assert path.read_text().strip() == str(os.getpid())


def _tiny_config(tmp_path: Path) -> Path:
    config = tmp_path / "tiny.toml"
    config.write_text('[[sources]]\nname = "tiny"\nhome = "http://tiny.example/"\n')
    return config
