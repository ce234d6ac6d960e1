"""Save articles in the store, each with its story, in one transaction; count new / updated /
unchanged (``aggregator/store/...``) and the stories' events (``aggregator/stories/...``)."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from aggregator.items import Article
from aggregator.pipelines import ArticlePipeline
from aggregator.pipelines.storeaccess import UsesStore
from aggregator.pipelines.stories import StoryGrouper

logger = logging.getLogger(__name__)


class StorePipeline(UsesStore, ArticlePipeline):
    name = "store"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.stories = StoryGrouper(self.settings, self.stats)

    def open_spider(self, spider: Any = None) -> None:
        super().open_spider(spider)
        assert self.store is not None
        self.stories.open(self.store)

    def process_article(self, article: Article) -> Article:
        assert self.store is not None, "StorePipeline used before open_spider"
        place, event = self.stories.place(article)
        result = self.store.save_article(article, place)
        self.count(result)
        self.stories.settle(article, place, event)
        return article
