"""Pipelines that read or write the store use the crawler's one connection
(:mod:`aggregator.crawlstore`)."""

from __future__ import annotations

from typing import Any

from aggregator.pipelines.normalize import NormalizeStepPipeline
from aggregator.crawlstore import store_of
from aggregator.store import Store


class UsesStore:
    """Mixin: takes the crawler's store when the spider opens (the connection is the
    :class:`aggregator.crawlstore.CrawlStore` extension's, which closes it). Put it before
    the pipeline base class."""

    store: Store | None = None
    crawler: Any

    def open_spider(self, spider: Any = None) -> None:
        self.store = store_of(self.crawler)

    def close_spider(self, spider: Any = None) -> None:
        self.store = None


class StoreBackedPipeline(UsesStore, NormalizeStepPipeline):
    """A normalisation step that needs the store (e.g. to resolve links)."""
