"""Save articles in the store; count new / updated / unchanged."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from aggregator.items import Article
from aggregator.pipelines import ArticlePipeline
from aggregator.store import Store, open_store

logger = logging.getLogger(__name__)


class StorePipeline(ArticlePipeline):
    name = "store"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.store: Store | None = None

    def open_spider(self, spider: Any = None) -> None:
        self.store = open_store(self.settings.get("AGGREGATOR_DATA_DIR"))

    def close_spider(self, spider: Any = None) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def process_article(self, article: Article) -> Article:
        assert self.store is not None, "StorePipeline used before open_spider"
        result = self.store.save_article(article)
        self.count(result)
        return article
