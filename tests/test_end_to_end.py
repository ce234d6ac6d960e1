"""The whole path, for real: site server on 127.0.0.1 -> spider -> extraction ->
pipelines -> SQLite file -> feed files, read back with feedparser."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import feedparser
import pytest
from scrapy.utils.sitemap import Sitemap

from aggregator.demo import site_root
from aggregator.store.sqlite import SQLiteStore
from tests.conftest import FIXTURES, DemoCrawl, RunningServer, run_aggregator

#: a real crawl in a subprocess or a browser: left out of the fast subset (-m "not slow")
pytestmark = pytest.mark.slow

SEED_URL = "http://bytewire.example/2023/04/12/cuhk-sensetime-to-collaborate-to-nurture-ai-talent/"


def seed_fields() -> dict:
    """The seed article's parts, from the text a reader sees (tests/fixtures/seed)."""
    text = (FIXTURES / "seed" / "cuhk-sensetime-article.txt").read_text("utf-8")
    article, suggested = text.split("\nSuggested Articles\n")
    blocks = [b.strip() for b in article.split("\n\n") if b.strip()]
    return {
        "title": blocks[0],
        "caption": blocks[1],
        "paragraphs": blocks[2:],
        "suggested": [b.strip() for b in suggested.split("\n\n") if b.strip()],
    }


# article URL shapes of the two demo sites (aggregator/demo/site/README.md)
ARTICLE_URL = re.compile(r"^http://(bytewire\.example/\d{4}/\d\d/\d\d/[^/]+/"
                         r"|circuitdaily\.example/news/[^/]+\.html)$")


def demo_article_urls() -> set[str]:
    """Every article URL the demo sites list in their sitemaps."""
    urls: set[str] = set()
    for sitemap_file in site_root().glob("*/sitemap*.xml"):
        sitemap = Sitemap(sitemap_file.read_bytes())
        if sitemap.type == "urlset":
            urls.update(e["loc"] for e in sitemap if ARTICLE_URL.match(e["loc"]))
    return urls


@pytest.fixture(scope="module")
def crawl(demo_crawl: DemoCrawl) -> tuple:
    return demo_crawl.result, demo_crawl.data_dir, demo_crawl.feeds_dir, demo_crawl.requests


def test_crawl_succeeds_and_reports(crawl: tuple) -> None:
    result, _, _, _ = crawl
    assert result.returncode == 0, result.stdout + result.stderr
    assert "bytewire" in result.stdout and "circuitdaily" in result.stdout
    assert "FAILED" not in result.stdout
    assert "feeds:" in result.stdout


def test_seed_article_fields_exact(crawl: tuple) -> None:
    _, data_dir, _, _ = crawl
    seed = seed_fields()
    assert len(seed["paragraphs"]) == 8 and len(seed["suggested"]) == 3
    store = SQLiteStore(data_dir / "aggregator.sqlite3")
    try:
        article = store.get_article(SEED_URL)
        assert article is not None, "the seed article is not in the store"
        assert article.title == seed["title"]
        assert article.image is not None
        caption, credit = seed["caption"].rsplit(" (Image ", 1)
        assert article.image.caption == caption
        assert article.image.credit == credit.rstrip(")")
        assert article.image.url.startswith("http://bytewire.example/")
        assert article.body_text == "\n\n".join(seed["paragraphs"])
        assert [link.title for link in article.related] == seed["suggested"]
        for link in article.related:
            assert link.url.startswith("http://bytewire.example/"), link.url
            # each suggested article is itself a crawled article of the store
            assert store.get_article(link.url) is not None, link.url
        assert article.source == "bytewire"
        assert article.published is not None and article.published.utcoffset().total_seconds() == 0
    finally:
        store.close()


def test_every_demo_article_is_stored(crawl: tuple) -> None:
    _, data_dir, _, _ = crawl
    expected = demo_article_urls()
    assert len(expected) >= 16
    with sqlite3.connect(data_dir / "aggregator.sqlite3") as conn:
        stored = {row[0] for row in conn.execute("SELECT canonical_url FROM articles")}
    assert expected <= stored, sorted(expected - stored)
    # section, tag, author, home pages and feeds are never stored as articles
    assert stored == expected, sorted(stored - expected)


def test_robots_txt_is_obeyed(crawl: tuple) -> None:
    _, _, _, requests = crawl
    paths = [r["path"] for r in requests]
    assert "/robots.txt" in paths
    assert not [p for p in paths if p.startswith("/private/")]


def test_no_tracking_duplicates_fetched(crawl: tuple) -> None:
    _, _, _, requests = crawl
    fetched = [(r["host"], r["path"]) for r in requests if r["method"] == "GET"]
    assert len(fetched) == len(set(fetched)), "a page was fetched twice"


@pytest.mark.parametrize("name", ["all.rss", "all.atom"])
def test_feeds_read_back(crawl: tuple, name: str) -> None:
    _, data_dir, feeds_dir, _ = crawl
    parsed = feedparser.parse((feeds_dir / name).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    with sqlite3.connect(data_dir / "aggregator.sqlite3") as conn:
        stored = {row[0] for row in conn.execute("SELECT canonical_url FROM articles")}
    # every article is in the feed: as an entry, or (a copy of a story from another
    # source) under its story's entry as "Also covered by"
    linked = {entry.link for entry in parsed.entries}
    copies = {url for entry in parsed.entries for url in re.findall(
        r'href="([^"]+)"', entry.content[0].value.partition("<h3>Also covered by</h3>")[2])}
    assert stored == linked | copies, sorted(stored ^ (linked | copies))
    assert len(linked) == len(parsed.entries) and not linked & copies
    assert copies, "the syndicated copy should be listed as also covered by"
    for entry in parsed.entries:
        assert entry.get("id") and entry.get("link") and entry.get("title"), entry
        assert entry.get("published_parsed"), entry.get("title")
    seed = [e for e in parsed.entries if e.link == SEED_URL]
    assert seed and seed[0].title == seed_fields()["title"]
    assert "Suggested articles" in seed[0].content[0].value


def test_demo_command_twice_updates_same_store(tmp_path: Path) -> None:
    first = run_aggregator("demo", cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert (tmp_path / "feeds" / "all.rss").exists() and (tmp_path / "feeds" / "all.atom").exists()
    db = tmp_path / "data" / "aggregator.sqlite3"
    with sqlite3.connect(db) as conn:
        count = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert count >= 16
    second = run_aggregator("demo", cwd=tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == count
        assert conn.execute("SELECT MAX(version) FROM articles").fetchone()[0] == 1
    source_lines = [ln for ln in second.stdout.splitlines() if " ok " in ln]
    assert len(source_lines) == 2
    assert all(re.search(r"new\s+0\b", ln) for ln in source_lines), second.stdout


def test_unreachable_source_is_reported_by_name(tmp_path: Path, demo_server: RunningServer) -> None:
    config = tmp_path / "sources.toml"
    config.write_text(
        '[[sources]]\nname = "good"\nhome = "http://bytewire.example/"\n'
        'feeds = ["http://bytewire.example/feed.rss"]\nfollow_related = 0\n'
        'settings = { DOWNLOAD_DELAY = 0, AUTOTHROTTLE_ENABLED = false }\n\n'
        # a port on 127.0.0.1 that nothing listens on: refused at once, no network needed
        '[[sources]]\nname = "gone"\nhome = "http://gone.example/"\n'
        'feeds = ["http://gone.example/feed.xml"]\n'
        'settings = { RETRY_TIMES = 0 }\n')
    result = run_aggregator("crawl", "--config", str(config), *demo_server.routes(),
                            "--route", "gone.example=127.0.0.1:9", "--data-dir",
                            str(tmp_path / "data"), "--feeds-dir", str(tmp_path / "feeds"),
                            cwd=tmp_path)
    assert result.returncode == 1
    assert "gone" in result.stdout and "FAILED" in result.stdout
    assert "Connection" in result.stdout or "refused" in result.stdout.lower()
    good = [line for line in result.stdout.splitlines() if line.startswith("good")]
    assert good and " ok " in good[0]
    assert (tmp_path / "feeds" / "good.rss").exists()


def test_bad_topic_fails_before_crawling(tmp_path: Path, demo_server: RunningServer) -> None:
    config = tmp_path / "sources.toml"
    config.write_text(
        '[[sources]]\nname = "good"\nhome = "http://bytewire.example/"\n\n'
        '[[topics]]\nname = "broken"\ninclude = ["("]\n')
    result = run_aggregator("crawl", "--config", str(config), *demo_server.routes(),
                            "--data-dir", str(tmp_path / "data"), cwd=tmp_path)
    assert result.returncode == 2
    assert str(config) in result.stderr and "'broken'" in result.stderr
    assert "include" in result.stderr
    assert demo_server.requests() == []


def test_extract_prints_what_the_crawl_stored(demo_crawl: DemoCrawl, tmp_path: Path) -> None:
    """`aggregator extract` on the saved pages gives the article the crawl stored."""
    import json

    result = run_aggregator("extract", str(site_root() / "bytewire.example"), "--base-url",
                            "http://bytewire.example/", "--rules-from", "bytewire",
                            "--config", "demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    articles = [r for r in printed if "dropped" not in r]
    dropped = {r["url"] for r in printed if "dropped" in r}
    assert "http://bytewire.example/tag/hong-kong/" in dropped
    assert "http://bytewire.example/section/ai/page/2/" in dropped
    store = SQLiteStore(demo_crawl.data_dir / "aggregator.sqlite3")
    try:
        assert {r["canonical_url"] for r in articles} == {
            a.canonical_url for a in store.iter_articles(source="bytewire")}
        for record in articles:
            stored = store.get_article(record["canonical_url"])
            assert stored is not None, record["canonical_url"]
            assert record["title"] == stored.title
            assert record["body_text"] == stored.body_text
            assert record["authors"] == stored.authors
            assert record["source"] == stored.source == "bytewire"
            published = stored.published.isoformat() if stored.published else None
            assert record["published"] == published
            assert [r["url"] for r in record["related"]] == [r.url for r in stored.related]
    finally:
        store.close()
