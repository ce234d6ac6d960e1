"""A real feed reader (Debian's newsboat) subscribed to the served feeds."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from tests.helpers.readers import newsboat
from tests.serve.conftest import HOSTILE_TITLE, Served, Site, build_site, start_serve, stop_serve


@pytest.fixture(scope="module")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, Served]]:
    """Serve first (port 0), then publish with ``feeds_url`` set to the served URL, so the
    OPML carries absolute links as it would in production."""
    root = tmp_path_factory.mktemp("newsboat")
    server = start_serve(root / "feeds", cwd=root)
    try:
        yield build_site(root, feeds_url=server.url), server
    finally:
        stop_serve(server)


def cached_items(db: Path) -> dict[str, list[tuple[str, str]]]:
    """feed URL -> [(guid, title)] from newsboat's cache."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT feedurl, guid, title FROM rss_item").fetchall()
    finally:
        conn.close()
    items: dict[str, list[tuple[str, str]]] = {}
    for feedurl, guid, title in rows:
        items.setdefault(feedurl, []).append((guid, title))
    return items


@pytest.mark.parametrize("name", ["all.rss", "all.atom", "alpha.rss", "beta.atom"])
def test_newsboat_reads_every_item(served_site: tuple[Site, Served], tmp_path: Path,
                                   name: str) -> None:
    site, served = served_site
    url = served.url + name
    (tmp_path / "urls").write_text(url + "\n")
    result = newsboat(tmp_path, "-u", "urls", "-c", "cache.db", "-x", "reload")
    assert result.returncode == 0, result.stderr
    items = cached_items(tmp_path / "cache.db")
    expected = feedparser.parse((site.feeds / name).read_bytes()).entries
    assert expected
    assert sorted(title for _, title in items[url]) == sorted(e.title for e in expected)
    assert {guid for guid, _ in items[url]} == {e.id for e in expected}
    if name.startswith(("all", "beta")):
        assert HOSTILE_TITLE in {title for _, title in items[url]}


def test_newsboat_imports_the_opml(served_site: tuple[Site, Served], tmp_path: Path) -> None:
    site, served = served_site
    shutil.copy(site.feeds / "feeds.opml", tmp_path / "feeds.opml")
    (tmp_path / "urls").write_text("")
    result = newsboat(tmp_path, "-u", "urls", "-i", "feeds.opml")
    assert result.returncode == 0, result.stderr
    urls = [line.split()[0] for line in (tmp_path / "urls").read_text().splitlines()
            if line.startswith("http")]
    assert sorted(urls) == sorted(served.url + f"{n}.rss" for n in ("all", "alpha", "beta"))
    result = newsboat(tmp_path, "-u", "urls", "-c", "cache.db", "-x", "reload")
    assert result.returncode == 0, result.stderr
    items = cached_items(tmp_path / "cache.db")
    # one article appears in several feeds; newsboat keeps each GUID once
    guids = {guid for feed in items.values() for guid, _ in feed}
    assert guids == {a.canonical_url for a in site.articles}
