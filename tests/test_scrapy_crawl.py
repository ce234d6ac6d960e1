"""`scrapy crawl news -a source=X` and `aggregator crawl --source X` run the same components:
the same store, the same run log, the same feeds."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aggregator.store.sqlite import SQLiteStore
from tests.conftest import REPO, RunningServer, run_aggregator

#: a real crawl in a subprocess or a browser: left out of the fast subset (-m "not slow")
pytestmark = pytest.mark.slow

SOURCE = "bytewire"
#: what differs between two runs of the same crawl: times of the run and of the fetch
_VOLATILE = re.compile(rb"<(lastBuildDate|updated|pubDate|published)>[^<]*</\1>"
                       rb'|"(date_modified|date_published|fetched_at)": "[^"]*"'
                       rb"|Generated [^<\n]*")


def _scrapy_crawl(server: RunningServer, data: Path, feeds: Path, cwd: Path) -> None:
    routes = {host: server.hostport for host in ("bytewire.example", "circuitdaily.example")}
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"source={SOURCE}",
         "-a", "config=demo", "-s", f"AGGREGATOR_DATA_DIR={data}",
         "-s", f"AGGREGATOR_FEEDS_DIR={feeds}", "-s", f"AGGREGATOR_HOST_ROUTES={json.dumps(routes)}",
         "-s", "LOG_LEVEL=WARNING"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def _articles(data: Path) -> dict[str, tuple]:
    store = SQLiteStore(data / "aggregator.sqlite3")
    try:
        return {a.canonical_url: (a.title, a.body_text, tuple(a.authors), a.published,
                                  tuple(link.url for link in a.related))
                for a in store.iter_articles(source=SOURCE)}
    finally:
        store.close()


def _runs(data: Path) -> list[tuple]:
    store = SQLiteStore(data / "aggregator.sqlite3")
    try:
        return [(r["source"], r["ok"]) for r in store.runs()]
    finally:
        store.close()


def _feeds(feeds: Path) -> dict[str, bytes]:
    """The folder's files; the folder's own file:// URL (the OPML lists' links without
    feeds_url) is written as FEEDS, and the manifest by the names it lists (its digests are
    those of the files compared here)."""
    folder = feeds.resolve().as_uri().encode()
    files = {p.name: _VOLATILE.sub(b"", p.read_bytes()).replace(folder, b"FEEDS")
             for p in sorted(feeds.iterdir()) if p.is_file()}
    manifest = json.loads(files.pop(".aggregator-manifest"))
    files[".aggregator-manifest"] = json.dumps(sorted(manifest["files"])).encode()
    return files


def test_scrapy_crawl_and_aggregator_crawl_give_the_same_store_and_feeds(
        tmp_path: Path, demo_server: RunningServer) -> None:
    ours = run_aggregator("crawl", "--config", "demo", "--source", SOURCE, *demo_server.routes(),
                          "--data-dir", str(tmp_path / "d1"), "--feeds-dir", str(tmp_path / "f1"),
                          cwd=tmp_path)
    assert ours.returncode == 0, ours.stdout + ours.stderr
    _scrapy_crawl(demo_server, tmp_path / "d2", tmp_path / "f2", tmp_path)
    first, second = _articles(tmp_path / "d1"), _articles(tmp_path / "d2")
    assert len(first) >= 10 and first == second
    assert _runs(tmp_path / "d1") == _runs(tmp_path / "d2") == [(SOURCE, 1)]
    feeds_one, feeds_two = _feeds(tmp_path / "f1"), _feeds(tmp_path / "f2")
    assert f"{SOURCE}.rss" in feeds_one and "all.atom" in feeds_one
    assert feeds_one.keys() == feeds_two.keys()
    for name in feeds_one:
        assert feeds_one[name] == feeds_two[name], name
