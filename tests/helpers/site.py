"""A site served on 127.0.0.1 in this process, and Scrapy responses fetched from it.

The server is the demo's (:class:`aggregator.demo.server.SiteServer`: ETag, Last-Modified
and 304s as a news site answers them), on port 0, in a thread: it accepts connections once
built, so nothing waits for it.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scrapy import Request
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from aggregator.demo.server import SiteServer


@contextmanager
def served(root: Path) -> Iterator[SiteServer]:
    """``root/<host>/...`` served on a free port of 127.0.0.1 until the block ends."""
    server = SiteServer(root, port=0)
    thread = server.start_in_thread()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def fetch(server: SiteServer, request: Request, *, tied: bool = True) -> Response:
    """``request`` (its URL and headers) sent to ``server`` as to an HTTP proxy, the way
    HostRoutingMiddleware routes it; the answer as Scrapy hands it on: a response of the
    class its headers call for, 304s and 404s included, with ``request`` attached -- or, not
    ``tied``, as the downloader middlewares get it, before the engine ties it to its request."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": server.url}))
    headers = {k.decode(): b", ".join(v).decode("latin-1") for k, v in request.headers.items()}
    try:
        with opener.open(urllib.request.Request(request.url, headers=headers),
                         timeout=10) as answer:
            status, raw, body = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as exc:
        status, raw, body = exc.code, exc.headers, exc.read()
    scrapy_headers = Headers(dict(raw.items()))
    cls = responsetypes.from_args(headers=scrapy_headers, url=request.url, body=body)
    return cls(url=request.url, status=status, headers=scrapy_headers, body=body,
               request=request if tied else None)
