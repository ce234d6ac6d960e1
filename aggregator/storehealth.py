"""Stop a crawl at the first sign that its store is gone.

With the store on a server (PostgreSQL, shared by crawlers on several machines), the server
can go away mid-crawl. Every article would then fail one by one, each logged, while the crawl
kept fetching pages it cannot keep. :class:`StoreHealth` watches the errors of items and
callbacks; the first one that says the store is unreachable stops every spider of the
process with one line naming the store. Nothing is marked done that was not stored: the next
run crawls it again. The run record and the feeds, which need the store, are skipped (their
components check :func:`store_failed`); the crawl exits 1 with the message in its summary.

What counts as unreachable is :func:`aggregator.store.store_unreachable`.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from aggregator.store import store_label, store_unreachable

logger = logging.getLogger(__name__)

#: stat set (to the message) when the store became unreachable during the crawl
UNAVAILABLE_KEY = "aggregator/store/unavailable"
#: the close reason of a spider stopped for it
CLOSE_REASON = "store_unavailable"
def store_failed(crawler: Crawler) -> str:
    """The message, when this crawler's store became unreachable ("" otherwise)."""
    return str(crawler.stats.get_value(UNAVAILABLE_KEY, "") if crawler.stats else "")


class StoreHealth:
    """Closes every spider of the process when the store becomes unreachable."""

    #: every crawler of the process, so one outage stops all the sources at once
    _crawlers: list[Crawler] = []

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.label = store_label(crawler.settings.get("AGGREGATOR_STORE") or None,
                                 crawler.settings.get("AGGREGATOR_DATA_DIR") or "data")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoreHealth:
        health = cls(crawler)
        crawler.signals.connect(health.item_error, signal=signals.item_error)
        crawler.signals.connect(health.spider_error, signal=signals.spider_error)
        crawler.signals.connect(health.spider_closed, signal=signals.spider_closed)
        cls._crawlers.append(crawler)
        return health

    def item_error(self, item: Any, response: Any, spider: Any, failure: Failure) -> None:
        self.check(failure.value)

    def spider_error(self, failure: Failure, response: Any, spider: Any) -> None:
        self.check(failure.value)

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        if self.crawler in self._crawlers:
            self._crawlers.remove(self.crawler)

    def check(self, exc: BaseException) -> None:
        if not store_unreachable(exc) or store_failed(self.crawler):
            return
        message = f"store {self.label} unreachable: {str(exc).strip().splitlines()[0]}"
        logger.error("%s; stopping the crawl (what was not stored is crawled again by the"
                     " next run)", message)
        for crawler in list(self._crawlers):
            if crawler.stats is not None and not store_failed(crawler):
                crawler.stats.set_value(UNAVAILABLE_KEY, message)
        if self.crawler.settings.get("AGGREGATOR_REDIS_URL"):
            # a run on the shared frontier: every process of it stops, not this one alone
            # (the frontier closes this process's spiders and tells the others)
            from aggregator.frontier.run import Frontier

            Frontier.abort_all(message)
            return
        for crawler in list(self._crawlers):
            if crawler.engine is not None and crawler.engine.spider is not None:
                deferred_from_coro(crawler.engine.close_spider_async(reason=CLOSE_REASON))
