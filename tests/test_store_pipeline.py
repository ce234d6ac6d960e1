"""StorePipeline as Scrapy runs it: a real SQLite file, counts in the crawl stats."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path


from aggregator.items import Article, PageInfo
from aggregator.pipelines.store import StorePipeline
from aggregator.store.sqlite import SQLiteStore
from tests.helpers.crawler import crawler_with_store


def test_store_pipeline_counts_new_unchanged_updated(tmp_path: Path) -> None:
    crawler = crawler_with_store(tmp_path / "data")
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    article = Article(url="https://ex.com/a", canonical_url="https://ex.com/a", title="T",
                      body_text="Body", content_hash="h1",
                      fetched_at=datetime(2024, 5, 1, tzinfo=timezone.utc))
    assert pipeline.process_item(article) is article
    pipeline.process_item(article)
    article.content_hash, article.body_text = "h2", "Body, changed"
    pipeline.process_item(article)
    page = PageInfo(url="https://ex.com/tag/x/", kind="tag")
    assert pipeline.process_item(page) is page  # not an article: passed on untouched
    pipeline.close_spider()
    stats = crawler.stats.get_stats()
    assert stats["aggregator/store/new"] == 1
    assert stats["aggregator/store/unchanged"] == 1
    assert stats["aggregator/store/updated"] == 1
    store = SQLiteStore(tmp_path / "data" / "aggregator.sqlite3")
    try:
        assert store.count_articles() == 1
        stored = store.get_article("https://ex.com/a")
        assert stored is not None and stored.body_text == "Body, changed"
        assert store.article_meta("https://ex.com/a")["version"] == 2
    finally:
        store.close()
