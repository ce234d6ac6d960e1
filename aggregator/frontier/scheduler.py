"""The shared queue and dupefilter of a source's crawl: scrapy-redis's, keyed per source and
run, with our canonical URL as the fingerprint, and the coordinator seeding once.

* :class:`CanonicalDupeFilter` -- scrapy-redis's ``RFPDupeFilter`` whose fingerprint is the
  method and :func:`aggregator.urls.canonical_url` of the request URL: the tracking-parameter
  variants of a URL are one URL, fetched once across all workers.
* :class:`FrontierScheduler` -- requests go to scrapy-redis's ``PriorityQueue`` of the
  source (``aggregator:run:N:SOURCE:requests``). Every request is checked against the
  dupefilter, ``dont_filter`` ones too (a sitemap listed by two indexes that two workers
  read is still fetched once), except Scrapy's retries. A worker takes a request and is
  marked busy in one Redis step (:data:`_TAKE`), which is what lets the run tell when it is
  over. The coordinator only pushes: it never takes a request.
* :class:`SeedOnce` -- a spider middleware: the spider's ``start()`` runs on the coordinator
  only (a worker yields none), and the coordinator learns when a source is seeded.

Request meta goes through Redis pickled (scrapy-redis's serializer): what the spider puts
there -- :class:`aggregator.state.UrlState`, dates, lists -- pickles as it is.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider
from scrapy.core.scheduler import BaseScheduler
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue

from aggregator.frontier import REDIS_ERRORS, source_of
from aggregator.frontier.run import Frontier
from aggregator.urls import canonical_url

if TYPE_CHECKING:
    import redis

logger = logging.getLogger(__name__)

STATS = "aggregator/frontier/"

#: take the first request of a source's queue and mark the worker busy, in one step
_TAKE = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0)
if #found == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('HSET', KEYS[2], 'busy', '1')
redis.call('HINCRBY', KEYS[2], 'pages', 1)
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return found[1]
"""


class CanonicalDupeFilter(RFPDupeFilter):
    """scrapy-redis's dupefilter on our canonical URL (see the module).

    >>> df = CanonicalDupeFilter(None, "k")
    >>> a = df.request_fingerprint(Request("http://ex.com/a/?utm_source=rss"))
    >>> a == df.request_fingerprint(Request("http://EX.com/a/#top"))
    True
    """

    def __init__(self, server: Any, key: str, debug: bool = False,
                 tracking_params: list[str] | None = None) -> None:
        super().__init__(server, key, debug)
        self.tracking_params = list(tracking_params or [])

    def request_fingerprint(self, request: Request) -> str:
        key = f"{request.method} {canonical_url(request.url, self.tracking_params)}"
        return hashlib.sha1(key.encode("utf-8")).hexdigest()


class FrontierScheduler(BaseScheduler):
    """Scrapy's scheduler on the shared Redis frontier (see the module)."""

    def __init__(self, crawler: Crawler, frontier: Frontier) -> None:
        self.crawler = crawler
        self.frontier = frontier
        self.client: "redis.Redis[bytes]" = frontier.client
        self.take = self.client.register_script(_TAKE)
        self.queue: PriorityQueue | None = None
        self.df: CanonicalDupeFilter | None = None
        self.spider: Spider | None = None
        #: a worker holds at most this many requests of the source at once: the domain's
        #: share of every worker (more would only wait for politeness while other workers
        #: sit idle)
        self.hold = max(crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"), 1)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "FrontierScheduler":
        return cls(crawler, Frontier.of(crawler))

    def open(self, spider: Spider) -> None:
        self.spider = spider
        source = source_of(self.crawler)
        keys = self.frontier.keys
        # scrapy-redis formats the key with %(spider)s: no % in a source name (checked names)
        self.queue = PriorityQueue(server=self.client, spider=spider, key=keys.queue(source))
        self.df = CanonicalDupeFilter(
            self.client, keys.seen(source), debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"),
            tracking_params=self.crawler.settings.getlist("AGGREGATOR_TRACKING_PARAMS"))

    def close(self, reason: str) -> None:
        # the queues and dupefilters belong to the run: the coordinator drops them when it
        # is done (aggregator.frontier.finish_run); a stopped worker leaves them to the others
        return None

    def _inc(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(STATS + key)

    def enqueue_request(self, request: Request) -> bool:
        assert self.df is not None and self.queue is not None
        try:
            if self.df.request_seen(request) and not request.meta.get("retry_times"):
                self.df.log(request, self.spider)
                self._inc("duplicates")
                return False
            self.queue.push(request)
        except REDIS_ERRORS as exc:
            self.frontier.fail(exc)
            return False
        self._inc("pushed")
        return True

    def next_request(self) -> Request | None:
        if not self.frontier.is_worker or self.frontier.stopping:
            return None
        assert self.queue is not None
        engine = self.crawler.engine
        if engine is not None and len(engine.downloader.active) >= self.hold:
            return None
        try:
            data = self.take(keys=[self.queue.key, self.frontier.worker_key],
                             args=[self.frontier.ttl_ms])
        except REDIS_ERRORS as exc:
            self.frontier.fail(exc)
            return None
        if data is None:
            return None
        self._inc("taken")
        request: Request = self.queue._decode_request(data)
        return request

    def has_pending_requests(self) -> bool:
        if not self.frontier.is_worker or self.frontier.stopping:
            return False
        return self.queued() > 0

    def queued(self) -> int:
        """Requests waiting in the source's queue, for any worker (0 when Redis is gone:
        the frontier is stopping the crawl anyway)."""
        assert self.queue is not None
        try:
            return len(self.queue)
        except REDIS_ERRORS as exc:
            self.frontier.fail(exc)
            return 0


class SeedOnce:
    """Spider middleware: ``start()`` runs on the coordinator, once per run (see the module)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SeedOnce":
        if not crawler.settings.get("AGGREGATOR_REDIS_URL"):
            raise NotConfigured
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        frontier = Frontier.of(self.crawler)
        if frontier.is_worker:
            return
        async for item_or_request in start:
            yield item_or_request
        # every start request was handed to the engine, which pushed it to the queue
        frontier.seeded(self.crawler)
