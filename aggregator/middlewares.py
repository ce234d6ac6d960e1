"""Downloader middlewares."""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from aggregator.urls import split


class HostRoutingMiddleware:
    """Send requests for some host names to a local server, as to an HTTP proxy.

    The demo site and the tests serve several made-up sites (``bytewire.example``)
    from one server on 127.0.0.1: articles keep the same URLs from run to run
    whatever port the server got, and no request ever leaves the machine.
    """

    def __init__(self, routes: dict[str, str]) -> None:
        self.routes = {host.lower(): f"http://{target}" for host, target in routes.items()}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "HostRoutingMiddleware":
        routes = crawler.settings.getdict("AGGREGATOR_HOST_ROUTES")
        if not routes:
            raise NotConfigured  # no message: Scrapy then logs nothing about it on every run
        return cls(routes)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = (split(request.url).hostname or "").lower()
        target = self.routes.get(host)
        if target is not None:
            request.meta["proxy"] = target
        return None


class SafeMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, for pages whose markup breaks URL parsing.

    Scrapy reads a page's ``<base href>`` and ``<meta http-equiv=refresh>`` with ``urljoin``,
    which raises on a malformed authority (``<base href="http://[::1/">``): the response was
    then lost to an error. A page whose refresh URL cannot be read is simply not redirected.
    """

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        try:
            return super().process_response(request, response)
        except ValueError:
            return response
