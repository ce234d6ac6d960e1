"""Incremental crawling at the HTTP exchange: a downloader middleware.

* On the way out, a request for a URL the store knows (request meta ``state``, set by
  :class:`aggregator.incremental.spider.IncrementalSpiderMiddleware`) carries the validators
  the site gave last time: ``If-None-Match`` (its ETag), ``If-Modified-Since`` (its
  Last-Modified).
* On the way back, the answer is judged: a 304, or a body with the same sha1 as last time
  (a site that ignores validators), is *unchanged* -- confirmed in the store and marked in
  the response's meta (:data:`UNCHANGED`), so the spider middleware replays what the URL
  led to last time instead of handing it to the spider.

It sits after the retries and redirects (``DOWNLOADER_MIDDLEWARES`` 540): it judges the
final answer, decompressed.
"""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response

from aggregator.incremental import CrawlState

#: response meta key: True when the URL is as we last saw it (a 304, or the same body)
UNCHANGED = "unchanged"
#: request meta a render request carries (aggregator.rendering): the page was fetched
#: (conditionally) already; the browser is served that response
_RENDER = "render"


class IncrementalDownloaderMiddleware:
    """Validators out, 304s and unchanged bodies in (see the module)."""

    def __init__(self, state: CrawlState) -> None:
        self.state = state

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "IncrementalDownloaderMiddleware":
        return cls(CrawlState.of(crawler))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if _RENDER in request.meta or "state" not in request.meta:
            return None
        # a retry or a redirect keeps the headers of the request it repeats: counted once
        if b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers:
            return None
        for name, value in self.state.conditional_headers(request.meta["state"]).items():
            request.headers[name] = value
        return None

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        state = request.meta.get("state")
        if state is not None and _reaches_spider(request, response) \
                and self.state.unchanged(response, state, request.meta):
            request.meta[UNCHANGED] = True
        return response


def _reaches_spider(request: Request, response: Response) -> bool:
    """Whether Scrapy's HttpErrorMiddleware lets ``response`` through to the spider: the
    others are errors (``aggregator.crawlerrors``), never "unchanged"."""
    allowed = request.meta.get("handle_httpstatus_list", ())
    return 200 <= response.status < 300 or response.status in allowed
