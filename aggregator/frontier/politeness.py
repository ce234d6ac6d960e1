"""Politeness across workers: a site is not hit N times harder by N workers.

Scrapy keeps a download slot per domain in each process: its ``DOWNLOAD_DELAY`` and
``CONCURRENT_REQUESTS_PER_DOMAIN`` hold per process. :class:`SharedPoliteness`, the last
downloader middleware before the download, makes them hold across every process sharing a
Redis: before a request goes out it takes, in one Redis script,

* a place in the domain's concurrency semaphore (a sorted set of tokens, each expiring after
  ``DOWNLOAD_TIMEOUT`` + 30 s, and freed as soon as its worker's heartbeat has expired: a
  killed worker's places come back), at most ``CONCURRENT_REQUESTS_PER_DOMAIN`` at once, and
* the domain's delay slot (a key set with ``PX = DOWNLOAD_DELAY``): the next request to the
  domain, from any worker, goes out that much later;

and gives its place back when the response (or the failure) comes. While it waits the
reactor goes on: the wait is a Twisted ``deferLater``. Times are Redis's own clock, so
workers on machines whose clocks disagree still agree. AutoThrottle, if on, still slows each
worker down further on its own.

Stats: ``aggregator/politeness/waits`` and ``aggregator/politeness/waited_ms``.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

from aggregator.frontier import PREFIX, REDIS_ERRORS
from aggregator.frontier.run import Frontier
from aggregator.urls import split

logger = logging.getLogger(__name__)

STATS = "aggregator/politeness/"
TOKEN = "aggregator_politeness_token"
#: how long to wait before asking again when every place of the domain is taken (ms)
FULL_WAIT_MS = 20

#: KEYS: slots (zset), next (delay key); ARGV: token, limit, hold ms, delay ms.
#: Returns 0 (taken) or the milliseconds to wait before asking again.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  -- a place whose worker's heartbeat expired (killed) is free again
  for _, held in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    local owner = string.match(held, '^(.-)|')
    if owner and owner ~= '' and redis.call('EXISTS', owner) == 0 then
      redis.call('ZREM', KEYS[1], held)
    end
  end
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
end
local wait = redis.call('PTTL', KEYS[2])
if wait > 0 then return wait end
if tonumber(ARGV[4]) > 0 then redis.call('SET', KEYS[2], '1', 'PX', ARGV[4]) end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 0
"""


def domain_keys(host: str) -> tuple[str, str]:
    """The semaphore and delay keys of a host."""
    return f"{PREFIX}:polite:{host}:slots", f"{PREFIX}:polite:{host}:next"


class SharedPoliteness:
    """Downloader middleware: global per-domain delay and concurrency (see the module)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.frontier = Frontier.of(crawler)
        self.client = self.frontier.client
        self.acquire = self.client.register_script(_ACQUIRE)
        self.limit = max(settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"), 1)
        self.delay_ms = int(settings.getfloat("DOWNLOAD_DELAY") * 1000)
        self.hold_ms = int((settings.getfloat("DOWNLOAD_TIMEOUT") + 30) * 1000)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SharedPoliteness":
        if not crawler.settings.get("AGGREGATOR_REDIS_URL"):
            raise NotConfigured
        return cls(crawler)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = (split(request.url).hostname or "").lower()
        slots, delay = domain_keys(host)
        # the owner's heartbeat key first: a killed worker's places are freed with it
        token = f"{self.frontier.worker_key}|{uuid.uuid4().hex}"
        waited = 0
        while True:
            try:
                wait = int(self.acquire(keys=[slots, delay],
                                        args=[token, self.limit, self.hold_ms, self.delay_ms]))
            except REDIS_ERRORS as exc:
                self.frontier.fail(exc)
                return None  # the crawl is stopping; this one request goes out unchecked
            if wait == 0:
                break
            wait = FULL_WAIT_MS if wait < 0 else wait
            waited += wait
            await maybe_deferred_to_future(deferLater(reactor, wait / 1000, lambda: None))
        request.meta[TOKEN] = (slots, token)
        if waited:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(STATS + "waits")
            self.crawler.stats.inc_value(STATS + "waited_ms", waited)
        return None

    def _release(self, request: Request) -> None:
        held = request.meta.pop(TOKEN, None)
        if held is None:
            return
        try:
            self.client.zrem(held[0], held[1])
        except REDIS_ERRORS as exc:  # the place expires by itself
            logger.debug("politeness place of %s not given back: %s", request.url, exc)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: BaseException,
                          spider: Spider | None = None) -> Any:
        self._release(request)
        return None
