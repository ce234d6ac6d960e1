"""Feeds of a real demo crawl, read by feedparser and by real readers from Debian
(newsboat, sfeed); a second crawl of the unchanged site changes no feed byte."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import feedparser
import pytest

from aggregator.demo import site_root
from aggregator.exporters.validate import check_feed
from tests.conftest import REPO, run_aggregator, start_server, stop_server

#: a real crawl in a subprocess or a browser: left out of the fast subset (-m "not slow")
pytestmark = pytest.mark.slow

XML_EXTS = (".rss", ".atom")


@dataclass
class Newsboat:
    """One newsboat cache per feed file: newsboat keys items by GUID across feeds,
    and the same article is in several of ours."""

    home: Path
    items: dict[str, int] = field(default_factory=dict)

    def run(self, feed: Path, *args: str) -> subprocess.CompletedProcess:
        work = self.home / feed.name
        work.mkdir(parents=True, exist_ok=True)
        (work / "urls").write_text(feed.resolve().as_uri() + "\n")
        (work / "config").write_text("")
        return subprocess.run(
            ["newsboat", "-u", str(work / "urls"), "-c", str(work / "cache.db"),
             "-C", str(work / "config"), *args],
            env={"HOME": str(work), "PATH": "/usr/bin:/bin", "TERM": "dumb"},
            capture_output=True, text=True, timeout=60, check=True)

    def reload(self, feed: Path) -> int:
        """Fetch ``feed``; return how many items newsboat holds for it."""
        self.run(feed, "-x", "reload")
        with sqlite3.connect(self.home / feed.name / "cache.db") as conn:
            return conn.execute("SELECT COUNT(*) FROM rss_item").fetchone()[0]

    def mark_all_read(self, feed: Path) -> None:
        with sqlite3.connect(self.home / feed.name / "cache.db") as conn:
            conn.execute("UPDATE rss_item SET unread = 0")

    def unread_after_reload(self, feed: Path) -> int:
        out = self.run(feed, "-x", "reload", "print-unread").stdout
        match = re.search(r"(\d+) unread articles", out)
        assert match, out
        return int(match.group(1))


@dataclass
class DemoRun:
    first: subprocess.CompletedProcess
    second: subprocess.CompletedProcess
    data_dir: Path
    feeds_dir: Path
    before: dict[str, tuple[bytes, int]]
    after: dict[str, tuple[bytes, int]]
    newsboat_items: dict[str, int]
    newsboat_unread_after: dict[str, int]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    if not shutil.which("newsboat"):
        pytest.fail("newsboat is not installed (scripts/test.sh installs it from Debian)")
    tmp = tmp_path_factory.mktemp("demo-feeds")
    server = start_server(site_root(), tmp / "requests.log")
    args = ["crawl", "--config", "demo", *server.routes(), "--data-dir", str(tmp / "data"),
            "--feeds-dir", str(tmp / "feeds")]
    try:
        first = run_aggregator(*args, cwd=tmp)
        assert first.returncode == 0, first.stdout + first.stderr
        before = snapshot(tmp / "feeds")
        newsboat = Newsboat(tmp / "newsboat")
        items = {}
        for name in before:
            if name.endswith(XML_EXTS):
                items[name] = newsboat.reload(tmp / "feeds" / name)
                newsboat.mark_all_read(tmp / "feeds" / name)
        second = run_aggregator(*args, cwd=tmp)
        assert second.returncode == 0, second.stdout + second.stderr
        after = snapshot(tmp / "feeds")
        unread = {name: newsboat.unread_after_reload(tmp / "feeds" / name) for name in items}
        yield DemoRun(first, second, tmp / "data", tmp / "feeds", before, after, items, unread)
    finally:
        stop_server(server)


def feed_files(demo: DemoRun, *exts: str) -> list[Path]:
    return [demo.feeds_dir / name for name in demo.before if name.endswith(exts)]


def stored_count(demo: DemoRun, name: str) -> int:
    """How many articles the feed named by ``name`` should show, from the store's rows."""
    feed = name.split(".")[0]
    with sqlite3.connect(demo.data_dir / "aggregator.sqlite3") as conn:
        if feed == "all":  # one story once: copies of a story count as one entry
            return conn.execute("SELECT COUNT(DISTINCT COALESCE('story' || story_id,"
                                " 'article' || id)) FROM articles").fetchone()[0]
        if feed in ("bytewire", "circuitdaily"):
            return conn.execute("SELECT COUNT(*) FROM articles WHERE source = ?",
                                (feed,)).fetchone()[0]
    return -1  # a topic feed: checked against its JSON twin


def test_every_feed_is_published(demo: DemoRun) -> None:
    expected = {f"{feed}.{ext}" for feed in ("all", "bytewire", "circuitdaily", "ai")
                for ext in ("rss", "atom", "json")} | {
        "feeds.opml", "feeds-atom.opml", "feeds-json.opml"}
    assert expected <= set(demo.before)
    opml = (demo.feeds_dir / "feeds.opml").read_text()
    for feed in ("all", "bytewire", "circuitdaily", "ai"):  # no feeds_url: file:// links
        assert f'xmlUrl="{(demo.feeds_dir / feed).resolve().as_uri()}.rss"' in opml


def test_feedparser_reads_every_entry_complete(demo: DemoRun) -> None:
    for path in feed_files(demo, *XML_EXTS):
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path.name, parsed.get("bozo_exception"))
        json_twin = json.loads(path.with_suffix(".json").read_text("utf-8"))
        expected = stored_count(demo, path.name)
        assert len(parsed.entries) == len(json_twin["items"]) == (
            expected if expected >= 0 else len(json_twin["items"]))
        assert parsed.entries, path.name
        for entry in parsed.entries:
            assert entry.get("id") and entry.get("link") and entry.get("title"), entry
            assert entry.get("published_parsed") and entry.content[0].value, entry.title
        assert check_feed(path.read_bytes(), path.suffix[1:]) == []


def test_topic_feed_matches_its_filter(demo: DemoRun) -> None:
    items = json.loads((demo.feeds_dir / "ai.json").read_text())["items"]
    everything = json.loads((demo.feeds_dir / "all.json").read_text())["items"]
    assert 0 < len(items) < len(everything)
    pattern = re.compile(r"\bAI\b|artificial intelligence|machine learning", re.I)
    for item in items:
        text = " ".join([item["title"], item["summary"], item["content_html"],
                         " ".join(item.get("tags", []))])
        assert pattern.search(text), item["title"]


def test_json_feeds_are_valid(demo: DemoRun) -> None:
    for path in feed_files(demo, ".json"):
        feed = json.loads(path.read_text("utf-8"))
        assert check_feed(path.read_bytes(), "json") == []
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        ids = [item["id"] for item in feed["items"]]
        assert len(ids) == len(set(ids))


def test_newsboat_shows_every_item(demo: DemoRun) -> None:
    assert demo.newsboat_items
    for name, count in demo.newsboat_items.items():
        entries = len(feedparser.parse((demo.feeds_dir / name).read_bytes()).entries)
        assert count == entries > 0, name


def test_sfeed_shows_every_item(demo: DemoRun) -> None:
    for path in feed_files(demo, *XML_EXTS):
        out = subprocess.run(["sfeed"], stdin=path.open("rb"), capture_output=True,
                             check=True, timeout=30).stdout.decode("utf-8")
        lines = [line.split("\t") for line in out.splitlines() if line]
        entries = feedparser.parse(path.read_bytes()).entries
        assert len(lines) == len(entries) > 0, path.name
        # sfeed's fields: timestamp, title, link, content, ...
        assert [line[2] for line in lines] == [e.link for e in entries]
        assert all(line[0].isdigit() and line[1] for line in lines)


def test_second_run_changes_no_feed_byte(demo: DemoRun) -> None:
    assert "new   0" in demo.second.stdout.replace("new 0", "new   0")
    assert demo.after.keys() == demo.before.keys()
    changed = [name for name in demo.before if demo.after[name] != demo.before[name]]
    assert changed == []


def test_newsboat_finds_no_new_item_on_second_run(demo: DemoRun) -> None:
    assert demo.newsboat_unread_after and set(demo.newsboat_unread_after.values()) == {0}


def test_scrapy_feed_exporters(tmp_path: Path) -> None:
    """Scrapy's own convention: ``scrapy crawl news ... -O out.atom:atom``."""
    server = start_server(site_root(), tmp_path / "requests.log")
    try:
        routes = json.dumps({"bytewire.example": server.hostport})
        outputs = {"rss": tmp_path / "out.rss", "atom": tmp_path / "out.atom",
                   "jsonfeed": tmp_path / "out.json"}
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "news", "-a", "source=bytewire",
             "-s", "AGGREGATOR_CONFIG=demo", "-s", f"AGGREGATOR_HOST_ROUTES={routes}",
             "-s", f"AGGREGATOR_DATA_DIR={tmp_path / 'data'}",
             "-s", f"AGGREGATOR_FEEDS_DIR={tmp_path / 'feeds'}",
             "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING",
             *[arg for fmt, path in outputs.items() for arg in ("-O", f"{path}:{fmt}")]],
            cwd=REPO, capture_output=True, text=True, timeout=300)
    finally:
        stop_server(server)
    assert result.returncode == 0, result.stderr[-3000:]
    with sqlite3.connect(tmp_path / "data" / "aggregator.sqlite3") as conn:
        stored = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert stored >= 10
    for fmt in ("rss", "atom"):
        parsed = feedparser.parse(outputs[fmt].read_bytes())
        assert not parsed.bozo and len(parsed.entries) == stored, fmt
        assert all(e.link.startswith("http://bytewire.example/") for e in parsed.entries)
    feed = json.loads(outputs["jsonfeed"].read_text("utf-8"))
    assert len(feed["items"]) == stored and check_feed(outputs["jsonfeed"].read_bytes(), "json") == []
