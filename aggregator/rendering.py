"""Which pages of a source go through the browser (:mod:`aggregator.browser`), and how.

A source's ``render`` key: ``false`` never, ``true`` every page, ``"auto"`` a page only when
its plain response is an *app shell* (no article text found, and markers of client-side
rendering: an empty mount point, a ``<noscript>`` asking for JavaScript, scripts and next to
no text) or an article whose *related container is present but empty* (filled by a script:
Jetpack's ``#jp-relatedposts``, Outbrain's ``.OUTBRAIN``, Taboola's ``#taboola-...``).

Every page is first fetched plain, conditionally: a 304 or an unchanged body is never
rendered. The render request carries the plain response (:func:`plain_document`): the
browser is served the document from it instead of fetching it again, the URL state keeps its
validators and body hash (``render_body_hash``), and a page that fails to render falls back
to it. Feeds, sitemaps and robots.txt are never rendered: only ``parse_page`` asks.

>>> tree = parse_html('<html><body><div id="root"></div><script src="/app.js"></script>'
...                   '</body></html>')
>>> shell_markers(tree)
['empty_mount', 'scripts_no_text']
>>> page = parse_html('<article><p>Text</p><div id="jp-relatedposts" class="jp-relatedposts">'
...                   '<h3>Related</h3></div></article>')
>>> [el.get("id") for el in empty_related(page)]
['jp-relatedposts']
"""

from __future__ import annotations

import logging
import shutil
from typing import Any, Literal

from lxml import html
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import BaseSettings

from aggregator.config import ConfigError, Source
from aggregator.extraction.decode import decode_body
from aggregator.extraction.dom import parse_html
from aggregator.extraction.linkblocks import class_tokens
from aggregator.incremental import body_hash

logger = logging.getLogger(__name__)

STATS = "aggregator/render/"

#: how to get the browser when it is missing (the error that says so ends with it)
INSTALL_HINT = ("install Debian's Chromium (apt-get install chromium) or set "
                "AGGREGATOR_CHROMIUM to a Chromium executable")
#: the download handler of a rendering source's crawler (aggregator.browser)
HANDLER = "aggregator.browser.RenderDownloadHandler"

#: why a page is rendered: the source says always, or (auto) what its plain response lacks
Reason = Literal["always", "app_shell", "empty_related"]

#: ids / attributes of the element a client-side framework mounts its app into
_MOUNT_IDS = frozenset({"root", "app", "__next", "__nuxt", "___gatsby", "svelte", "main-app",
                        "app-root", "application"})
_MOUNT_ATTRS = ("data-reactroot", "ng-app", "ng-version", "data-server-rendered", "data-v-app")
#: class/id words of a related-articles module (tokens of aggregator.extraction.linkblocks)
_RELATED_WORDS = frozenset({
    "related", "relatedposts", "relatedarticles", "relatedcontent", "relatedlinks",
    "recommended", "recommendations", "readnext", "morestories", "moreon", "morefrom",
    "recirc", "recirculation", "outbrain", "taboola", "youmaylike", "alsolike"})
#: visible text under which a page with scripts is a shell
SHELL_TEXT_CHARS = 200
#: text under which a related container with no link is empty (its heading may be there)
EMPTY_BLOCK_CHARS = 80


def chromium_path(settings: BaseSettings) -> str:
    """The Chromium executable: ``AGGREGATOR_CHROMIUM``, else ``chromium`` (or
    ``chromium-browser``) on the PATH; a :class:`ConfigError` saying how to install it."""
    configured = settings.get("AGGREGATOR_CHROMIUM") or ""
    for name in ([configured] if configured else ["chromium", "chromium-browser"]):
        found = shutil.which(name)
        if found:
            return found
    what = f"AGGREGATOR_CHROMIUM={configured!r} is not an executable" if configured \
        else "no chromium on the PATH"
    raise ConfigError(f"rendering pages needs Chromium: {what}; {INSTALL_HINT}")


def handler_settings(settings: BaseSettings) -> dict[str, object]:
    """The Scrapy settings of a rendering source's crawler: the browser's download handler
    (plain requests still go through Scrapy's HTTP handler) and scrapy-playwright's bounds."""
    timeout_ms = settings.getfloat("AGGREGATOR_RENDER_TIMEOUT") * 1000
    return {
        "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER},
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": settings.getint("AGGREGATOR_RENDER_PAGES"),
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout_ms,
        # aggregator.browser restarts the shared browser itself
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": False,
    }


def _text(el: html.HtmlElement) -> str:
    return " ".join((el.text_content() or "").split())


def _visible_text_chars(tree: html.HtmlElement) -> int:
    body = tree.find(".//body")
    if body is None:
        body = tree
    chars = 0
    for node in body.iter():
        if not isinstance(node.tag, str) or node.tag in ("script", "style", "noscript",
                                                         "template"):
            continue
        chars += len((node.text or "").strip())
        for child in node:
            chars += len((child.tail or "").strip())
    return chars


def shell_markers(tree: html.HtmlElement) -> list[str]:
    """What says ``tree`` is filled in by scripts: ``empty_mount`` (a framework's mount
    point with no text), ``noscript_js`` (a ``<noscript>`` asking for JavaScript),
    ``scripts_no_text`` (scripts, and under :data:`SHELL_TEXT_CHARS` of visible text).

    >>> shell_markers(parse_html('<body><noscript>You need to enable JavaScript to run this'
    ...                          ' app.</noscript><main></main></body>'))
    ['noscript_js']
    >>> shell_markers(parse_html('<body><p>' + 'Words. ' * 60 + '</p><script></script></body>'))
    []
    """
    markers = []
    mounts = [el for el in tree.iter() if isinstance(el.tag, str) and (
        el.get("id", "").lower() in _MOUNT_IDS or el.tag == "app-root"
        or any(el.get(a) is not None for a in _MOUNT_ATTRS))]
    if any(len(_text(el)) < SHELL_TEXT_CHARS for el in mounts):
        markers.append("empty_mount")
    if any("javascript" in _text(el).lower() for el in tree.iter("noscript")):
        markers.append("noscript_js")
    if tree.find(".//script") is not None and _visible_text_chars(tree) < SHELL_TEXT_CHARS:
        markers.append("scripts_no_text")
    return markers


def empty_related(tree: html.HtmlElement) -> list[html.HtmlElement]:
    """Related-article containers (named so by their class or id) with no link and next to
    no text: modules a script fills after the page loads.

    >>> tree = parse_html('<div class="OUTBRAIN" data-widget-id="AR_1"></div>'
    ...                   '<aside class="related"><a href="/a">A story</a></aside>')
    >>> [el.get("class") for el in empty_related(tree)]
    ['OUTBRAIN']
    """
    found = []
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("a", "script", "style", "body", "html"):
            continue
        names = f"{el.get('class', '')} {el.get('id', '')}".strip()
        if not names or not (class_tokens(names) & _RELATED_WORDS):
            continue
        if el.find(".//a[@href]") is None and len(_text(el)) < EMPTY_BLOCK_CHARS:
            found.append(el)
    return found


def auto_reason(body: bytes, encoding: str | None, result: Any) -> Reason | None:
    """Whether a page fetched plain should be rendered (``render = "auto"``), given what
    extraction made of it: an app shell, an article whose related module is still empty,
    or None.

    >>> shell = b'<html><body><div id="__next"></div><script src="/a.js"></script></body></html>'
    >>> auto_reason(shell, "utf-8", None)
    'app_shell'
    >>> auto_reason(b"<html><body><p>" + b"Plain text. " * 40 + b"</p></body></html>", None, None)
    """
    decoded = decode_body(body, encoding)
    tree = parse_html(decoded.text) if not decoded.problem else None
    if tree is None:
        return None
    is_article = getattr(result, "body_text", None) is not None
    if not is_article:
        return "app_shell" if shell_markers(tree) else None
    return "empty_related" if empty_related(tree) else None


def plain_document(response: Response) -> dict[str, Any]:
    """The plain response as the browser is served it (and falls back to): status,
    headers (one string each, without the transfer ones: the body is decoded already),
    body and URL."""
    headers = {}
    for name, values in response.headers.items():
        key = name.decode("latin-1")
        if key.lower() in ("content-encoding", "content-length", "transfer-encoding"):
            continue
        headers[key] = ", ".join(v.decode("latin-1") for v in values)
    return {"url": response.url, "status": response.status, "headers": headers,
            "body": response.body}


#: request meta a plain response's follow-up must not inherit (the downloader's own)
_DOWNLOAD_META = ("download_slot", "download_latency", "proxy", "_auth_proxy", "depth",
                  "redirect_times", "redirect_ttl", "redirect_urls", "redirect_reasons",
                  "retry_times", "download_timeout")


class Renderer:
    """One source's rendering decisions, for the spider: :meth:`reason` says whether a page
    fetched plain is rendered, :meth:`request` makes the render request."""

    def __init__(self, crawler: Crawler, source: Source) -> None:
        self.crawler = crawler
        self.source = source
        self.mode = source.render

    @classmethod
    def from_crawler(cls, crawler: Crawler, source: Source) -> "Renderer":
        """The source's renderer; a rendering source gets the browser's download handler
        in its crawler's settings, or a ConfigError naming it when Chromium is missing."""
        renderer = cls(crawler, source)
        if renderer.enabled:
            try:
                chromium_path(crawler.settings)
            except ConfigError as exc:
                raise ConfigError(f"source {source.name!r}: key 'render': {exc}") from None
            crawler.settings.setdict(handler_settings(crawler.settings), priority="spider")
        return renderer

    @property
    def enabled(self) -> bool:
        return self.mode is True or self.mode == "auto"

    @staticmethod
    def attempted(response: Response) -> bool:
        """Whether ``response`` answers a render request (rendered, or its fallback)."""
        return "render" in response.meta

    def reason_before(self, response: Response) -> Reason | None:
        """Before extraction: ``always`` for a page of a ``render = true`` source."""
        if self.mode is True and not self.attempted(response):
            return "always"
        return None

    def reason_after(self, response: Response, result: Any) -> Reason | None:
        """After extraction of a plain page (``render = "auto"``): see :func:`auto_reason`.
        Counted either way, so the summary shows how ``auto`` decided."""
        if self.mode != "auto" or self.attempted(response):
            return None
        reason = auto_reason(response.body, getattr(response, "encoding", None), result)
        self.crawler.stats.inc_value(STATS + "auto/" + (reason or "plain"))
        return reason

    def request(self, response: Response, reason: Reason, callback: Any,
                errback: Any) -> Request:
        """The render request of a page already fetched plain: same URL and meta, served to
        the browser from the plain response, first in the queue (its body is held)."""
        meta = {k: v for k, v in response.meta.items() if k not in _DOWNLOAD_META}
        meta.update(playwright=True, render=reason, render_document=plain_document(response),
                    render_body_hash=body_hash(response.body))
        logger.debug("%s: rendering %s (%s)", self.source.name, response.url, reason)
        return Request(response.url, callback, errback=errback, meta=meta, priority=30,
                       dont_filter=True)
