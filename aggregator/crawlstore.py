"""The one store connection of a crawler, owned by one extension.

Every component of a crawl that reads or writes the store -- the crawl state, template
learning, the store-backed pipelines, run recording, feed publishing -- asks
:func:`store_of` for it instead of opening its own. :class:`CrawlStore` opens it on first use
(``AGGREGATOR_STORE``, else the SQLite store in ``AGGREGATOR_DATA_DIR``) and closes it when the crawler's engine has stopped, after every
``spider_closed`` handler has written what it had to write.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from aggregator.store import Store, open_store

logger = logging.getLogger(__name__)


class CrawlStore:
    """Holds a crawler's store connection (see the module)."""

    def __init__(self, crawler: Crawler) -> None:
        self.data_dir = crawler.settings.get("AGGREGATOR_DATA_DIR")
        self.url: str | None = crawler.settings.get("AGGREGATOR_STORE") or None
        self._store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "CrawlStore":
        holder = cls(crawler)
        crawler.signals.connect(holder.close, signal=signals.engine_stopped)
        return holder

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.data_dir, url=self.url)
        return self._store

    def close(self, *_: Any) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def store_of(crawler: Crawler) -> Store:
    """The crawler's store, through its :class:`CrawlStore` extension.

    Raises ``RuntimeError`` naming the setting when the extension is not enabled (a project
    that replaced ``EXTENSIONS`` without it)."""
    holder = crawler.get_extension(CrawlStore)
    if holder is None:
        raise RuntimeError("the store needs the extension aggregator.crawlstore.CrawlStore in "
                           "the EXTENSIONS setting")
    return holder.store
