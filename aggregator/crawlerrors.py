"""Crawl-error accounting: one Scrapy extension that counts every kind of error in the stats.

Errors reach it three ways, all through the crawler's signals:

- Scrapy's own: ``spider_error`` (an exception in a callback), ``item_error`` (a pipeline
  raised something other than ``DropItem``: the article is lost), ``request_dropped`` (the
  duplicate filter dropping a redirect back into its own chain: a loop) and
  ``request_scheduled`` (a redirect off the allowed domains, which the offsite middleware then
  drops without an errback);
- :data:`request_failed`, sent by the spider's errback (:class:`ReportsErrors`) with the
  Twisted failure, classified here (``http_404``, ``too_large``, ``redirect_limit``,
  ``DNSLookupError``...);
- :data:`crawl_error`, sent by the spider when a response is not what it should be
  (``not_a_feed``, ``bad_gzip``...).

Each error is counted as ``aggregator/errors/<kind>`` and logged as a warning, once per problem
(a cron job's log carries one line each): a URL that answered wrongly (``http_404``,
``not_a_sitemap``...) is one problem; a host that could not be reached (DNS, refused, timeout) is
one problem however many of its URLs failed, the repeats logged at INFO (``-v``) and all counted
in the summary. The first
:data:`SAMPLE_SIZE` are kept as ``[url, reason]`` pairs in the stat ``aggregator/errors_sample``
(the runner reports the first). Nothing is kept on the spider.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from aggregator.storehealth import store_failed
from aggregator.urls import host_of, in_domains


logger = logging.getLogger(__name__)

#: signal: ``send_catch_log(crawl_error, url=..., kind=..., reason=...)``
crawl_error = object()
#: signal: ``send_catch_log(request_failed, failure=...)`` from a request's errback
request_failed = object()


class ReportsErrors:
    """A spider's side of it: :meth:`on_error` is the errback of its requests,
    :meth:`record_error` what it calls on a response that is not what it should be."""

    crawler: Crawler

    def on_error(self, failure: Failure) -> None:
        self.crawler.signals.send_catch_log(request_failed, failure=failure)

    def record_error(self, url: str, kind: str, reason: str) -> None:
        self.crawler.signals.send_catch_log(crawl_error, url=url, kind=kind, reason=reason)


SAMPLE_KEY = "aggregator/errors_sample"
#: this many errors are kept with their URL and reason
SAMPLE_SIZE = 50


class CrawlErrors:
    """Counts and samples the crawl's errors in the crawler's stats (see the module)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.max_redirects = crawler.settings.getint("REDIRECT_MAX_TIMES")
        #: the problems already logged as a warning in this crawl: (kind, URL or host)
        self.warned: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "CrawlErrors":
        ext = cls(crawler)
        crawler.signals.connect(ext.record, signal=crawl_error)
        crawler.signals.connect(ext.on_request_failed, signal=request_failed)
        crawler.signals.connect(ext.on_spider_error, signal=signals.spider_error)
        crawler.signals.connect(ext.on_item_error, signal=signals.item_error)
        crawler.signals.connect(ext.on_request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(ext.on_request_scheduled, signal=signals.request_scheduled)
        return ext

    def record(self, url: str, kind: str, reason: str, per_host: bool = False) -> None:
        """Count an error; log it as a warning unless the same problem was (``per_host``:
        the same kind of error on the same host, e.g. a DNS failure)."""
        assert self.stats is not None
        self.stats.inc_value(f"aggregator/errors/{kind}")
        sample = self.stats.get_value(SAMPLE_KEY)
        if sample is None:
            sample = []
            self.stats.set_value(SAMPLE_KEY, sample)
        if len(sample) < SAMPLE_SIZE:
            sample.append([url, reason])
        spider = self.crawler.spider
        problem = (kind, host_of(url) if per_host else url)
        level = logging.INFO if problem in self.warned else logging.WARNING
        self.warned.add(problem)
        source = getattr(spider, "source_name", None) or "crawl"
        logger.log(level, "%s: %s: %s", source, url, reason)

    # --- a request's errback ---------------------------------------------------
    def on_request_failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        refused = isinstance(failure.value, IgnoreRequest)
        ignored = self._ignored(request, failure) if refused else ""
        if ignored:
            origin = (request.meta.get("redirect_urls") or [url])[0] if request else url
            reason = failure.getErrorMessage()
            if ignored.startswith("http_"):
                reason = f"HTTP {ignored.removeprefix('http_')}"
            elif ignored.startswith("redirect"):
                reason = f"redirected to {url}: {reason}"
            self.record(origin, ignored, reason)
            return
        if refused:
            # refused by robots.txt (or a middleware): politeness, not a failure
            assert self.stats is not None
            self.stats.inc_value("aggregator/ignored_requests")
            logger.debug("Ignored: %s (%s)", url, failure.getErrorMessage())
            return
        response = getattr(failure.value, "response", None)
        if response is not None:
            kind, reason = f"http_{response.status}", f"HTTP {response.status}"
        elif (isinstance(failure.value, DownloadCancelledError)
              and "max size" in failure.getErrorMessage()):
            # Scrapy cancels a download past DOWNLOAD_MAXSIZE with this generic exception
            kind, reason = "too_large", failure.getErrorMessage()
        else:  # no answer: the host could not be reached, whichever of its URLs was asked
            kind = type(failure.value).__name__
            reason = f"{kind}: {failure.getErrorMessage()}"
            self.record(url, kind, reason, per_host=True)
            return
        self.record(url, kind, reason)

    def _ignored(self, request: Request | None, failure: Failure) -> str:
        """The error kind of a request a middleware refused, or "" for politeness (robots.txt).

        ``HttpError`` (a non-2xx status) is an ``IgnoreRequest`` too; so is a redirect past
        REDIRECT_MAX_TIMES."""
        if isinstance(failure.value, HttpError):
            return f"http_{failure.value.response.status}"
        if request is None or not request.meta.get("redirect_urls"):
            return ""
        if request.meta.get("redirect_times", 0) >= self.max_redirects:
            return "redirect_limit"
        return ""

    # --- Scrapy's signals ------------------------------------------------------
    def on_request_scheduled(self, request: Request, spider: Spider | None = None) -> None:
        """A redirect off the allowed domains: Scrapy's OffsiteMiddleware drops it as it is
        scheduled, with no errback and only an ``offsite/filtered`` count."""
        chain = request.meta.get("redirect_urls")
        allowed = getattr(self.crawler.spider, "allowed_domains", None)
        if chain and allowed and not request.dont_filter and not in_domains(request.url, allowed):
            self.record(chain[0], "redirect_offsite",
                        f"redirected off the allowed domains to {request.url}; not followed")

    def on_request_dropped(self, request: Request, spider: Spider | None = None) -> None:
        """A redirect back to a URL of its own chain is dropped by the duplicate filter,
        which Scrapy only counts as ``dupefilter/filtered``: a redirect loop."""
        chain = request.meta.get("redirect_urls") or []
        if request.url in chain:
            self.record(chain[0], "redirect_loop",
                        "redirect loop: " + " -> ".join([*chain, request.url]))

    def on_spider_error(self, failure: Failure, response: Response, spider: Spider) -> None:
        """An exception raised in a callback (Scrapy logs it and counts
        ``spider_exceptions/<Type>``); what the callback had not yielded yet is lost."""
        if store_failed(self.crawler):  # the one line is StoreHealth's; counted here
            self.crawler.stats.inc_value("aggregator/store/lost_in_outage")
            return
        name = type(failure.value).__name__
        self.record(response.url, f"spider_exception_{name}",
                    f"{name} in a callback: {failure.getErrorMessage()}")

    def on_item_error(self, item: Any, response: Response | None, spider: Spider,
                      failure: Failure) -> None:
        """An exception other than DropItem raised by a pipeline (Scrapy logs "Error
        processing" and counts nothing): the item is lost. Its URL state is not written,
        so the next run fetches it again."""
        if store_failed(self.crawler):  # the one line is StoreHealth's; counted here
            self.crawler.stats.inc_value("aggregator/store/lost_in_outage")
            return
        name = type(failure.value).__name__
        url = getattr(item, "url", "") or (response.url if response is not None else "?")
        self.record(url, f"item_error_{name}",
                    f"{name} in a pipeline, article lost: {failure.getErrorMessage()}")


def first_error(stats: dict[str, Any]) -> str:
    """"url: reason" of the first error a crawl's stats sampled, or ""."""
    sample = stats.get(SAMPLE_KEY) or []
    return f"{sample[0][0]}: {sample[0][1]}" if sample else ""
