"""Feed publishing as an extension: the feeds are rebuilt once the last crawler of a process
closes, from the crawler's store and the config the crawl ran with.

Several crawlers share one process in ``aggregator crawl`` (one per source); each counts
itself in when it is built and out when its spider closes, and the one that closes last
publishes, so the feeds are written once per run, after every source is stored. ``scrapy
crawl news -a source=X`` runs the same extension with one crawler. The published paths are
left in that crawler's stats (``aggregator/feeds/published``). ``AGGREGATOR_PUBLISH_FEEDS =
False`` turns it off.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from aggregator.crawlstore import store_of

logger = logging.getLogger(__name__)

PUBLISHED_KEY = "aggregator/feeds/published"
#: the feed files that failed their check (their last good version was kept, if any)
FAILED_KEY = "aggregator/feeds/failed"
#: open crawlers per feeds folder, in this process
_OPEN: Counter[str] = Counter()


class FeedPublisher:
    """Rebuilds the feeds when the last crawler of the process (for a feeds folder) closes."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.feeds_dir = str(crawler.settings.get("AGGREGATOR_FEEDS_DIR"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "FeedPublisher":
        publisher = cls(crawler)
        if crawler.settings.getbool("AGGREGATOR_PUBLISH_FEEDS", True):
            _OPEN[publisher.feeds_dir] += 1
            crawler.signals.connect(publisher.spider_closed, signal=signals.spider_closed)
        return publisher

    def spider_closed(self, spider: Spider, reason: str = "") -> None:
        _OPEN[self.feeds_dir] -= 1
        if _OPEN[self.feeds_dir] > 0:
            return
        del _OPEN[self.feeds_dir]
        config = self.crawler.settings.get("AGGREGATOR_LOADED_CONFIG")
        if config is None:
            logger.warning("no config to publish feeds from; feeds not rebuilt")
            return
        from aggregator.exporters.publish import publish_feeds

        limit = self.crawler.settings.getint("AGGREGATOR_FEED_LIMIT") or None
        result = publish_feeds(store_of(self.crawler), config, self.feeds_dir, limit=limit)
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(PUBLISHED_KEY, [str(p) for p in result if p.is_file()])
        self.crawler.stats.set_value(FAILED_KEY, [
            f"{f.path}: {'; '.join(f.problems[:3])}" for f in result.failed])


def published(stats: dict[str, Any]) -> list[str]:
    """The feed files a crawler's :class:`FeedPublisher` left in the feeds folder (none if it
    was not the last crawler): only files that exist."""
    return list(stats.get(PUBLISHED_KEY) or [])


def failed(stats: dict[str, Any]) -> list[str]:
    """"path: problems" of the feeds that failed their check in that publish."""
    return list(stats.get(FAILED_KEY) or [])
