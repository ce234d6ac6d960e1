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
from aggregator.storehealth import store_failed

logger = logging.getLogger(__name__)

PUBLISHED_KEY = "aggregator/feeds/published"
#: the feed files that failed their check (their last good version was kept, if any)
FAILED_KEY = "aggregator/feeds/failed"
#: "feed: entry id: reason" of the entries left out of a feed because they failed its check
REJECTED_KEY = "aggregator/feeds/rejected"
#: this many rejected entries are kept in the stats (all of them are counted)
REJECTED_SAMPLE = 20
REJECTED_COUNT_KEY = "aggregator/feeds/rejected_count"
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
        if store_failed(self.crawler):
            logger.warning("feeds not rebuilt: %s (the last good ones are kept)",
                           store_failed(self.crawler))
            return
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
        self.crawler.stats.set_value(REJECTED_COUNT_KEY, len(result.dropped_ids))
        self.crawler.stats.set_value(REJECTED_KEY, rejected_lines(result.dropped))


def rejected_lines(dropped: list[Any]) -> list[str]:
    """One "id: reason (feeds: a, b)" line per rejected entry, the first
    :data:`REJECTED_SAMPLE` of them (an entry is rejected from every feed it was meant for)."""
    feeds: dict[tuple[str, str], list[str]] = {}
    for entry in dropped:
        feeds.setdefault((entry.id, entry.reason), []).append(entry.feed)
    return [f"{entry_id}: {reason} (feeds: {', '.join(names)})"
            for (entry_id, reason), names in list(feeds.items())[:REJECTED_SAMPLE]]


def rejected(stats: dict[str, Any]) -> tuple[int, list[str]]:
    """How many entries the publish rejected, and the first of them (see :func:`rejected_lines`)."""
    return int(stats.get(REJECTED_COUNT_KEY) or 0), list(stats.get(REJECTED_KEY) or [])


def published(stats: dict[str, Any]) -> list[str]:
    """The feed files a crawler's :class:`FeedPublisher` left in the feeds folder (none if it
    was not the last crawler): only files that exist."""
    return list(stats.get(PUBLISHED_KEY) or [])


def failed(stats: dict[str, Any]) -> list[str]:
    """"path: problems" of the feeds that failed their check in that publish."""
    return list(stats.get(FAILED_KEY) or [])
