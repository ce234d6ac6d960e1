"""Files of removed sources and topics are removed: only the files the publisher wrote
itself (listed in its manifest, unchanged since), never a user's file."""

from __future__ import annotations

import hashlib
from pathlib import Path

from aggregator.exporters.manifest import LEGACY_FILES, MANIFEST
from aggregator.exporters.publish import publish_feeds
from tests.conftest import FIXTURES
from tests.exporters.synthetic import config, filled_store

TOPIC = '\n[[topics]]\nname = "chips"\ninclude = ["chips"]\n'
BETA = '''
[[sources]]
name = "beta"
title = "Beta Daily"
home = "https://beta.example/"
'''


def test_removed_source_and_topic_files_go(tmp_path: Path) -> None:
    store = filled_store(tmp_path, 4)
    feeds = tmp_path / "feeds"
    first = publish_feeds(store, config(TOPIC), feeds)
    assert (feeds / "chips.atom").is_file() and (feeds / "beta.html").is_file()
    assert not first.removed
    (feeds / "notes.txt").write_text("mine")           # a user's file
    (feeds / "beta-old.rss").write_text("mine too")    # looks like a feed, not ours
    (feeds / "beta.json").write_text("edited by hand")  # ours once, changed since
    cfg = config()
    cfg.sources = [s for s in cfg.sources if s.name != "beta"]
    second = publish_feeds(store, cfg, feeds)
    store.close()
    gone = {f"{name}.{ext}" for name in ("beta", "chips") for ext in ("rss", "atom", "html")}
    gone.add("chips.json")
    assert {p.name for p in second.removed} == gone
    assert not [name for name in gone if (feeds / name).exists()]
    for kept in ("notes.txt", "beta-old.rss", "beta.json", "all.rss", "alpha.html",
                 "index.html", "feeds.opml"):
        assert (feeds / kept).is_file(), kept
    index = (feeds / "index.html").read_text()
    assert 'id="feed-beta"' not in index and 'href="beta.' not in index


def test_nothing_is_removed_without_a_manifest(tmp_path: Path) -> None:
    """A folder the publisher has no record of: it removes nothing but its own old
    stylesheet (recognised by its bytes)."""
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "gone.rss").write_text("<rss/>")
    (feeds / "feed.xsl").write_bytes(b"a user's own stylesheet")
    store = filled_store(tmp_path, 2)
    publish_feeds(store, config(), feeds)
    assert (feeds / "gone.rss").is_file() and (feeds / "feed.xsl").is_file()
    (feeds / "feed.xsl").unlink()
    (feeds / MANIFEST).unlink()
    old_xsl = FIXTURES / "exporters" / "legacy-feed.xsl"  # as earlier versions wrote it
    (feeds / "feed.xsl").write_bytes(old_xsl.read_bytes())
    assert hashlib.sha256(old_xsl.read_bytes()).hexdigest() == LEGACY_FILES["feed.xsl"]
    result = publish_feeds(store, config(), feeds)
    store.close()
    assert [p.name for p in result.removed] == ["feed.xsl"]
    assert (feeds / "gone.rss").is_file()


def test_manifest_is_stable(tmp_path: Path) -> None:
    store = filled_store(tmp_path, 2)
    feeds = tmp_path / "feeds"
    publish_feeds(store, config(), feeds)
    before = ((feeds / MANIFEST).read_bytes(), (feeds / MANIFEST).stat().st_mtime_ns)
    publish_feeds(store, config(), feeds)
    store.close()
    assert ((feeds / MANIFEST).read_bytes(), (feeds / MANIFEST).stat().st_mtime_ns) == before
