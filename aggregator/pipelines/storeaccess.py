"""A pipeline that reads or writes the store holds its own connection for the spider's run."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from aggregator.pipelines.normalize import NormalizeStepPipeline
from aggregator.store import Store, open_store


class StoreBackedPipeline(NormalizeStepPipeline):
    """Opens the store (``AGGREGATOR_DATA_DIR``) when the spider opens, closes it after."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.store: Store | None = None

    def open_spider(self, spider: Any = None) -> None:
        self.store = open_store(self.settings.get("AGGREGATOR_DATA_DIR"))

    def close_spider(self, spider: Any = None) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
