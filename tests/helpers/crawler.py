"""A Scrapy crawler for in-process component tests, with the store extension enabled."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

#: the extension that owns a crawler's store connection (aggregator.crawlstore)
STORE_EXTENSION = {"aggregator.crawlstore.CrawlStore": 100}


def crawler_with_store(data_dir: Any, spidercls: type | None = None, **settings: Any) -> Crawler:
    """A crawler whose components share one store in ``data_dir``, its stats open."""
    crawler = get_crawler(spidercls, settings_dict={
        "AGGREGATOR_DATA_DIR": str(data_dir), "EXTENSIONS": STORE_EXTENSION, **settings})
    crawler.stats.open_spider()
    return crawler
