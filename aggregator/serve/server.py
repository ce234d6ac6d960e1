"""The feed server: a ``ThreadingHTTPServer`` that answers GET and HEAD for the files of
one folder, with feed media types, validators, 304s, gzip and ``Cache-Control``.

>>> server = FeedServer(Path("feeds"), ("127.0.0.1", 0))  # doctest: +SKIP
>>> server.serve_forever()  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import posixpath
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aggregator.serve.caching import FileCache, accepts_gzip, not_modified, GZIP_MIN_BYTES
from aggregator.serve.media import COMPRESSIBLE, media_type
from aggregator.serve.opml import base_url, served_opml
from aggregator.serve.paths import (AddSlash, NotFound, query_of, resolve_file,
                                    safe_relative_path)
from aggregator.serve.query import QueryError, QueryFeeds, StoreMissing, parse_query
from aggregator.config import ConfigError
from aggregator.serve.caching import Representation
from aggregator.store.sqlite import StoreError

logger = logging.getLogger(__name__)

ALLOW = "GET, HEAD"
#: the index page runs no script and loads only its own stylesheet and remote images
HTML_CSP = ("default-src 'none'; style-src 'self'; img-src * data:; base-uri 'none';"
            " form-action 'none'")


#: XML feeds a browser may open; see :func:`wants_page`
STYLED_FEEDS = frozenset((".rss", ".atom"))
#: feeds that take query parameters (:mod:`aggregator.serve.query`)
QUERY_FEEDS = frozenset((".rss", ".atom", ".json"))
BROWSER_XML_TYPE = "application/xml; charset=utf-8"


def wants_page(accept: str | None, feed_type: str) -> bool:
    """Whether a client asks for a page rather than a feed: it accepts ``text/html`` and
    not the feed's own type. That is a browser following a link; it gets the same bytes as
    ``application/xml``, which browsers show as an XML tree (Chromium offers to download
    ``application/rss+xml``); the readable view of a feed is its HTML page (``all.html``).
    Readers name feed types or ``*/*``."""
    if not accept:
        return False
    types = {part.split(";", 1)[0].strip().lower() for part in accept.split(",")
             if not part.replace(" ", "").endswith(("q=0", "q=0.0"))}
    return "text/html" in types and feed_type.split(";", 1)[0] not in types


class FeedRequestHandler(BaseHTTPRequestHandler):
    """Read-only GET/HEAD over ``server.root``; any other method gets 405."""

    server: "FeedServer"
    server_version = "aggregator"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    #: a client that stalls longer than this mid-request loses its connection
    timeout = 30
    #: headers and body go out as separate writes: without this, Nagle's algorithm and the
    #: client's delayed ACK add ~40 ms to a small response
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        if not self._refused_body():
            self._serve(send_body=True)

    def do_HEAD(self) -> None:
        if not self._refused_body():
            self._serve(send_body=False)

    def _refused_body(self) -> bool:
        """Whether the request carries a body, or says so ambiguously, and was answered 400.

        The server reads no request body: one left unread would be parsed as the next request
        on the same connection (request smuggling behind a proxy). So a request with
        ``Transfer-Encoding``, a ``Content-Length`` that is not one whole number, or a body,
        is refused and its connection closed."""
        lengths = self.headers.get_all("Content-Length") or []
        ambiguous = bool(self.headers.get_all("Transfer-Encoding")) or len(lengths) > 1
        if not ambiguous and lengths:
            value = lengths[0].strip()
            ambiguous = not value.isdigit() or int(value) > 0
        if not ambiguous:
            return False
        self.close_connection = True
        self._error(HTTPStatus.BAD_REQUEST, {"Connection": "close"})
        return True

    def __getattr__(self, name: str) -> Any:
        # http.server looks up do_<METHOD>; every method but GET and HEAD is refused
        if name.startswith("do_"):
            return self._method_not_allowed
        raise AttributeError(name)

    def _method_not_allowed(self) -> None:
        # its body (if any) is never read: the connection closes after the answer
        self.close_connection = True
        self._error(HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": ALLOW, "Connection": "close"})

    def _serve(self, send_body: bool) -> None:
        relative = safe_relative_path(self.path)
        if relative is None:
            logger.info("Refused unsafe path %r from %s", self.path, self.client_address[0])
            self._error(HTTPStatus.NOT_FOUND, body=send_body)
            return
        try:
            path = resolve_file(self.server.root, relative)
            rep = self.server.cache.get(path)
        except AddSlash:
            self._error(HTTPStatus.MOVED_PERMANENTLY,
                        {"Location": "/" + posixpath.normpath(relative) + "/"}, body=send_body)
            return
        except (NotFound, OSError):
            self._error(HTTPStatus.NOT_FOUND, body=send_body)
            return
        if path.suffix.lower() == ".opml":  # absolute links to where the client reached us
            rep = served_opml(rep, base_url(self.headers.get("Host"), self.server.url))
        content_type = media_type(path)
        if path.suffix.lower() in QUERY_FEEDS and query_of(self.path):
            computed = self._query(path, send_body)
            if computed is None:
                return
            rep, content_type = computed
        compressible = path.suffix.lower() in COMPRESSIBLE
        use_gzip = (compressible and len(rep.body) >= GZIP_MIN_BYTES
                    and accepts_gzip(self.headers.get("Accept-Encoding")))
        etag = rep.gzip_etag if use_gzip else rep.etag
        headers = {
            "ETag": etag,
            "Last-Modified": rep.last_modified,
            "Cache-Control": f"public, max-age={self.server.max_age}",
        }
        suffix = path.suffix.lower()
        if suffix in STYLED_FEEDS:
            headers["Vary"] = "Accept, Accept-Encoding"
            if wants_page(self.headers.get("Accept"), content_type):
                content_type = BROWSER_XML_TYPE
        elif compressible:
            headers["Vary"] = "Accept-Encoding"
        if not_modified(etag, rep.mtime, self.headers.get("If-None-Match"),
                        self.headers.get("If-Modified-Since")):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            return
        body = rep.gzipped() if use_gzip else rep.body
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if use_gzip:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("X-Content-Type-Options", "nosniff")
        if suffix == ".html":
            self.send_header("Content-Security-Policy", HTML_CSP)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _query(self, path: Path, send_body: bool) -> tuple[Representation, str] | None:
        """The feed at ``path`` computed for the request's query parameters, with its media
        type; None when an error was answered instead."""
        try:
            query = parse_query(query_of(self.path))
        except QueryError as exc:
            self._error(HTTPStatus.BAD_REQUEST, body=send_body, message=str(exc))
            return None
        if query is None:
            return None
        if self.server.queries is None:
            self._error(HTTPStatus.BAD_REQUEST, body=send_body,
                        message="this server has no store: query parameters are off")
            return None
        try:
            rep = self.server.queries.get(path.stem, path.suffix.lower()[1:], query)
        except StoreMissing as exc:
            self._error(HTTPStatus.SERVICE_UNAVAILABLE, body=send_body, message=str(exc))
            return None
        except ConfigError as exc:  # the store's last crawl ran with a config now unusable
            self._error(HTTPStatus.SERVICE_UNAVAILABLE, body=send_body,
                        message=f"{exc}; start aggregator serve with --config")
            return None
        except (StoreError, OSError) as exc:
            logger.error("Query %r: %s", self.path, exc)
            self._error(HTTPStatus.SERVICE_UNAVAILABLE, body=send_body, message=str(exc))
            return None
        if rep is None:
            self._error(HTTPStatus.NOT_FOUND, body=send_body,
                        message=f"{path.stem}: no feed of that name in the config")
            return None
        fmt = query.format or path.suffix.lower()[1:]
        return rep, media_type(Path("feed." + fmt))

    def _error(self, status: HTTPStatus, extra: dict[str, str] | None = None,
               body: bool = True, message: str = "") -> None:
        payload = f"{status.value} {status.phrase}\n{message and message + chr(10)}".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib's name)
        logger.info("%s %s", self.address_string(), format % args)


class FeedServer(ThreadingHTTPServer):
    """Serve the files of ``root`` (read-only) on ``address``."""

    daemon_threads = True

    def __init__(self, root: Path, address: tuple[str, int], max_age: int = 300,
                 queries: QueryFeeds | None = None) -> None:
        self.root = Path(root)
        self.max_age = max_age
        #: feeds computed for query parameters; None answers them 400
        self.queries = queries
        self.cache = FileCache()
        super().__init__(address, FeedRequestHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}/"
