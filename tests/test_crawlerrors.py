"""The crawl-error extension, in process: signals in, stats out (no spider attribute)."""

from __future__ import annotations

from scrapy import Request, Spider, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from aggregator.crawlerrors import (SAMPLE_KEY, SAMPLE_SIZE, CrawlErrors, crawl_error,
                                    first_error, request_failed)


class _Spider(Spider):
    name = "t"
    allowed_domains = ["ex.com"]


def _crawler():
    crawler = get_crawler(_Spider)
    crawler.spider = _Spider()
    crawler.errors = CrawlErrors.from_crawler(crawler)  # the signal manager holds weak refs
    return crawler


def _failure(exc: Exception, request: Request) -> Failure:
    failure = Failure(exc)
    failure.request = request
    return failure


def test_spider_and_errback_errors_are_counted_by_kind_and_sampled():
    crawler = _crawler()
    send = crawler.signals.send_catch_log
    send(crawl_error, url="https://ex.com/feed", kind="not_a_feed", reason="not a feed")
    request = Request("https://ex.com/a")
    send(request_failed, failure=_failure(HttpError(Response(request.url, status=404,
                                                             request=request)), request))
    send(request_failed, failure=_failure(ConnectionRefusedError("refused"), request))
    stats = crawler.stats.get_stats()
    assert stats["aggregator/errors/not_a_feed"] == 1
    assert stats["aggregator/errors/http_404"] == 1
    assert stats["aggregator/errors/ConnectionRefusedError"] == 1
    assert first_error(stats) == "https://ex.com/feed: not a feed"


def test_robots_refusals_are_politeness_not_errors():
    crawler = _crawler()
    request = Request("https://ex.com/private")
    crawler.signals.send_catch_log(request_failed,
                                   failure=_failure(IgnoreRequest("robots"), request))
    stats = crawler.stats.get_stats()
    assert stats["aggregator/ignored_requests"] == 1
    assert not [k for k in stats if k.startswith("aggregator/errors/")]


def test_redirects_off_site_and_in_a_loop_are_errors_of_their_origin():
    crawler = _crawler()
    off = Request("https://elsewhere.net/x", meta={"redirect_urls": ["https://ex.com/a"]})
    crawler.signals.send_catch_log(signals.request_scheduled, request=off, spider=crawler.spider)
    loop = Request("https://ex.com/b", meta={"redirect_urls": ["https://ex.com/b",
                                                               "https://ex.com/c"]})
    crawler.signals.send_catch_log(signals.request_dropped, request=loop, spider=crawler.spider)
    stats = crawler.stats.get_stats()
    assert stats["aggregator/errors/redirect_offsite"] == 1
    assert stats["aggregator/errors/redirect_loop"] == 1
    assert [url for url, _ in stats[SAMPLE_KEY]] == ["https://ex.com/a", "https://ex.com/b"]


def test_the_sample_is_bounded():
    crawler = _crawler()
    for i in range(SAMPLE_SIZE + 20):
        crawler.signals.send_catch_log(crawl_error, url=f"https://ex.com/{i}", kind="bad_gzip",
                                       reason="corrupt")
    stats = crawler.stats.get_stats()
    assert stats["aggregator/errors/bad_gzip"] == SAMPLE_SIZE + 20
    assert len(stats[SAMPLE_KEY]) == SAMPLE_SIZE
