"""The one store connection of a crawler, owned by one extension.

Every component of a crawl that reads or writes the store -- the crawl state, template
learning, the store-backed pipelines, run recording, feed publishing -- asks
:func:`store_of` for it instead of opening its own. :class:`CrawlStore` opens it on first use
(``AGGREGATOR_STORE``, else the SQLite store in ``AGGREGATOR_DATA_DIR``) and closes it when the crawler's engine has stopped, after every
``spider_closed`` handler has written what it had to write.

An SQLite store groups the crawl's write transactions into one commit per
``AGGREGATOR_STORE_COMMIT_SECONDS`` (a commit per article was the largest single cost of
storing it): each stays atomic, and a crash loses at most that many seconds of work, which
the next run does again. The shared frontier sets it to 0 (several processes write the file).
Its page cache is ``AGGREGATOR_STORE_CACHE_MB`` (8): each stored article adds some 50 keys
at random places of the story indexes, and with SQLite's 2 MB those pages are read again
from the file once the store holds a few thousand articles (saving an article then took 430
µs at 10,000, 370 with 8 MB).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from twisted.internet.task import LoopingCall

from aggregator.store import Store, open_store

logger = logging.getLogger(__name__)


class CrawlStore:
    """Holds a crawler's store connection (see the module)."""

    def __init__(self, crawler: Crawler) -> None:
        self.data_dir = crawler.settings.get("AGGREGATOR_DATA_DIR")
        self.url: str | None = crawler.settings.get("AGGREGATOR_STORE") or None
        self.commit_seconds = crawler.settings.getfloat("AGGREGATOR_STORE_COMMIT_SECONDS")
        if self.commit_seconds < 0:
            raise ValueError("AGGREGATOR_STORE_COMMIT_SECONDS must be 0 or more, got "
                             f"{self.commit_seconds}")
        self.cache_mb = crawler.settings.getint("AGGREGATOR_STORE_CACHE_MB")
        if self.cache_mb < 0:
            raise ValueError(f"AGGREGATOR_STORE_CACHE_MB must be 0 or more, got {self.cache_mb}")
        self._store: Store | None = None
        self._flusher: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "CrawlStore":
        holder = cls(crawler)
        crawler.signals.connect(holder.start_flushing, signal=signals.engine_started)
        crawler.signals.connect(holder.close, signal=signals.engine_stopped)
        return holder

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.data_dir, url=self.url, cache_mb=self.cache_mb)
            self._store.group_commits(self.commit_seconds)
        return self._store

    def start_flushing(self, *_: Any) -> None:
        """Commit an open group every ``commit_seconds`` while the crawl waits on the site."""
        if self.commit_seconds and self._flusher is None:
            self._flusher = LoopingCall(self.flush)
            self._flusher.start(self.commit_seconds, now=False)

    def flush(self) -> None:
        """The timer's commit. A failure is logged here, once per failed commit (the
        timer goes on); the crawl's next write meets the store's state itself."""
        if self._store is None:
            return
        try:
            self._store.flush()
        except Exception as exc:  # noqa: BLE001 - a timer's error would end the timer
            logger.error("%s", exc)

    def close(self, *_: Any) -> None:
        if self._flusher is not None and self._flusher.running:
            self._flusher.stop()
        self._flusher = None
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
