"""Save articles in the store; count new / updated / unchanged."""

from __future__ import annotations

import logging

from aggregator.items import Article
from aggregator.pipelines import ArticlePipeline
from aggregator.pipelines.storeaccess import UsesStore

logger = logging.getLogger(__name__)


class StorePipeline(UsesStore, ArticlePipeline):
    name = "store"

    def process_article(self, article: Article) -> Article:
        assert self.store is not None, "StorePipeline used before open_spider"
        result = self.store.save_article(article)
        self.count(result)
        return article
