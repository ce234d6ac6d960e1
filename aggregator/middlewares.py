"""Downloader middlewares."""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


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
            raise NotConfigured("no AGGREGATOR_HOST_ROUTES")
        return cls(routes)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = (urlsplit(request.url).hostname or "").lower()
        target = self.routes.get(host)
        if target is not None:
            request.meta["proxy"] = target
        return None
