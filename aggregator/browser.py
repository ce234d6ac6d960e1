"""Headless Chromium for the pages that need it: scrapy-playwright's download handler,
bounded. Only the crawlers of ``render = true`` / ``"auto"`` sources use it (the spider sets
``DOWNLOAD_HANDLERS``); it hands every request without ``meta["playwright"]`` to Scrapy's
HTTP handler, so feeds, sitemaps, robots.txt and plain pages never touch the browser.

Bounds:

* **one browser per crawl process** (:class:`SharedBrowser`): every source's handler opens
  its own context (:data:`AGGREGATOR_RENDER_PAGES` pages at once) in the same Chromium;
* the **Chromium Debian packages** (``AGGREGATOR_CHROMIUM``, else ``chromium`` on the PATH):
  the browser builds Playwright downloads are not reachable from every machine;
* a **per-page timeout** (``AGGREGATOR_RENDER_TIMEOUT`` seconds: navigation, then waiting
  for the page's own requests to settle);
* **images, fonts and media are not fetched**, and **no frame navigates off the source's
  allowed domains**;
* the browser's **memory is watched** (the RSS of its processes, after every page): past
  ``AGGREGATOR_RENDER_MAX_RSS_MB`` new pages wait, the pages in flight finish, and the
  browser is restarted (``aggregator/render/browser_restarts``);
* a page that **fails to render falls back to the plain response** the spider fetched
  first (``aggregator/render/failed``).

The document itself is not fetched again: the browser is served the plain response
(``meta["render_document"]``), and only the page's scripts and data requests go to the site.
Host routes (``AGGREGATOR_HOST_ROUTES``, ``--route``) become Chromium's
``--host-resolver-rules``, so those reach the local server as Scrapy's requests do.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import psutil
from playwright.async_api import Browser, Page, Playwright, Route, async_playwright
from playwright.async_api import Request as BrowserRequest
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response
from scrapy.settings import BaseSettings
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from scrapy_playwright.page import PageMethod

from aggregator.rendering import STATS, chromium_path
from aggregator.urls import split

logger = logging.getLogger(__name__)

#: Chromium's own processes, as psutil names them (Debian: chromium; Google's builds: chrome)
_BROWSER_NAMES = ("chromium", "chrome", "headless_shell")

def resolver_rules(routes: dict[str, str]) -> str:
    """Chromium's ``--host-resolver-rules`` for the crawl's host routes.

    >>> resolver_rules({"b.example": "127.0.0.1:8123", "a.example": "127.0.0.1:8123"})
    'MAP a.example 127.0.0.1:8123, MAP b.example 127.0.0.1:8123'
    """
    return ", ".join(f"MAP {host.lower()} {target}" for host, target in sorted(routes.items()))


def launch_options(settings: BaseSettings) -> dict[str, Any]:
    """Playwright's launch options for the crawl's one browser."""
    args = ["--disable-gpu", "--disable-dev-shm-usage", "--disable-extensions",
            "--mute-audio", "--no-first-run"]
    routes = settings.getdict("AGGREGATOR_HOST_ROUTES")
    if routes:
        args.append(f"--host-resolver-rules={resolver_rules(routes)}")
        # a document served from the plain response has no address, so Chromium counts it
        # public and refuses its requests to a routed host on 127.0.0.1 (Local Network
        # Access: net::ERR_FAILED for every script) unless the check is off
        args.append("--disable-features=LocalNetworkAccessChecks,"
                    "BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights")
    return {"executable_path": chromium_path(settings), "headless": True, "args": args}


def browser_rss(root_pid: int | None = None) -> int:
    """Bytes resident in the Chromium processes under this process (the browser, its
    renderers, GPU and utility processes; Playwright's driver and extraction workers are
    not counted), as their proportional set size: a page shared by N processes counts 1/N
    in each (summed RSS counts Chromium's shared memory once per process, 3-4 times too
    much). RSS where PSS cannot be read."""
    try:
        root = psutil.Process(root_pid)
        children = root.children(recursive=True)
    except psutil.Error:
        return 0
    total = 0
    for proc in children:
        with suppress(psutil.Error):  # it may exit meanwhile
            if proc.name().lower().startswith(_BROWSER_NAMES):
                try:
                    total += proc.memory_full_info().pss
                except (psutil.AccessDenied, AttributeError):
                    total += proc.memory_info().rss
    return total


class SharedBrowser:
    """The one Chromium of a crawl process, shared by every source's download handler;
    launched on the first page, restarted between pages when it grows past its memory
    limit, closed when the last handler closes."""

    def __init__(self) -> None:
        self.playwright: Playwright | None = None
        self._manager: Any = None
        self.browser: Browser | None = None
        self.handlers: set["RenderDownloadHandler"] = set()
        self.launches = 0
        self.restarts = 0
        self.in_flight = 0
        self.restart_due = False
        self._lock = asyncio.Lock()
        self._resumed = asyncio.Event()
        self._resumed.set()

    def register(self, handler: "RenderDownloadHandler") -> None:
        self.handlers.add(handler)

    async def get(self, options: dict[str, Any]) -> Browser:
        """The browser, launched if there is none (or it died)."""
        async with self._lock:
            if self.browser is None or not self.browser.is_connected():
                if self.playwright is None:
                    self._manager = async_playwright()
                    self.playwright = await self._manager.start()
                started = time.monotonic()
                self.browser = await self.playwright.chromium.launch(**options)
                self.launches += 1
                logger.info("Chromium %s started (%s) in %.1fs", self.browser.version,
                            options.get("executable_path"), time.monotonic() - started)
            return self.browser

    @asynccontextmanager
    async def page(self, limit: int) -> AsyncIterator[None]:
        """Around one page's rendering: waits while a restart is due; after the page, checks
        the browser's memory against ``limit`` bytes (0: no limit) and restarts it once no
        page is in flight. Yields nothing; :attr:`restarts` counts."""
        while self.restart_due:
            await self._resumed.wait()
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1
            if limit and not self.restart_due and self.browser is not None:
                rss = browser_rss()
                if rss > limit:
                    logger.info("Chromium uses %d MiB, past its limit of %d MiB: restarting it"
                                " once its pages are done", rss >> 20, limit >> 20)
                    self.restart_due = True
                    self._resumed.clear()
            if self.restart_due and self.in_flight == 0:
                await self._restart()

    async def _restart(self) -> None:
        try:
            for handler in self.handlers:
                handler.forget_contexts()  # they close with the browser
            if self.browser is not None:
                with suppress(Exception):
                    await self.browser.close()
            self.browser = None
            self.restarts += 1
        finally:
            self.restart_due = False
            self._resumed.set()

    async def release(self, handler: "RenderDownloadHandler") -> None:
        """A handler closed; the last one closes the browser and Playwright."""
        self.handlers.discard(handler)
        if self.handlers:
            return
        async with self._lock:
            if self.browser is not None:
                with suppress(Exception):
                    await self.browser.close()
                self.browser = None
            if self._manager is not None:
                with suppress(Exception):
                    await self._manager.__aexit__(None, None, None)
                self._manager = self.playwright = None


#: the crawl process's browser
SHARED = SharedBrowser()


class PageSettle:
    """Waits, after the page's load event, until none of its own requests (scripts, fetch,
    XHR) has been in flight for ``quiet`` seconds -- a module filled after a fetch is there
    then -- or until the deadline."""

    def __init__(self, page: Page, quiet: float, deadline: float) -> None:
        self.pending = 0
        self.last_change = time.monotonic()
        self.quiet = quiet
        self.deadline = deadline
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, _request: BrowserRequest) -> None:
        self.pending += 1
        self.last_change = time.monotonic()

    def _ended(self, _request: BrowserRequest) -> None:
        self.pending = max(0, self.pending - 1)
        self.last_change = time.monotonic()

    async def __call__(self, page: Page) -> None:
        while time.monotonic() < self.deadline:
            now = time.monotonic()
            if self.pending == 0 and now - self.last_change >= self.quiet:
                return
            await asyncio.sleep(min(0.025, self.quiet))
        logger.debug("%s: still loading at the render deadline; taking the DOM as it is",
                     page.url)


class RenderDownloadHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler on the crawl's :data:`SHARED` browser, with the bounds of
    the module docstring. Requests without ``meta["playwright"]`` go to Scrapy's HTTP
    handler unchanged."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.launch = launch_options(settings)  # NotConfigured when Chromium is missing
        super().__init__(crawler)
        self.crawler = crawler
        self.timeout = settings.getfloat("AGGREGATOR_RENDER_TIMEOUT")
        self.quiet = settings.getfloat("AGGREGATOR_RENDER_SETTLE_MS") / 1000
        self.max_rss = settings.getint("AGGREGATOR_RENDER_MAX_RSS_MB") * 1024 * 1024
        self.blocked = frozenset(settings.getlist("AGGREGATOR_RENDER_BLOCK_RESOURCES"))
        self.abort_request = self._should_abort

    # --- the shared browser in place of scrapy-playwright's own --------------------------
    async def _launch(self) -> None:
        SHARED.register(self)

    async def _maybe_launch_browser(self) -> None:
        async with self.browser_launch_lock:
            browser = await SHARED.get(self.launch)
            if getattr(self, "browser", None) is not browser:
                self.browser = browser
                self.stats.set_value(STATS + "browser_launches", SHARED.launches)

    def forget_contexts(self) -> None:
        """The browser is about to close: its contexts go with it."""
        self.context_wrappers.clear()

    async def _close(self) -> None:
        with suppress(Exception):
            await asyncio.gather(*[c.context.close() for c in self.context_wrappers.values()])
        self.context_wrappers.clear()
        await SHARED.release(self)

    # --- one page -------------------------------------------------------------------------
    def _should_abort(self, request: BrowserRequest) -> bool:
        """Images, fonts and media are not fetched; no frame navigates off the source."""
        if request.resource_type in self.blocked:
            self.stats.inc_value(STATS + "blocked")
            return True
        if request.is_navigation_request():
            spider = self.crawler.spider
            host = (split(request.url).hostname or "").lower()
            domains = [d.lower() for d in getattr(spider, "allowed_domains", None) or []]
            if domains and not any(host == d or host.endswith("." + d) for d in domains):
                self.stats.inc_value(STATS + "offsite_navigation")
                logger.debug("blocked a navigation off the source: %s", request.url)
                return True
        return False

    async def _download_request(self, request: Request,
                                spider: Spider | None = None) -> Response:
        async with SHARED.page(self.max_rss):
            restarts = SHARED.restarts
            try:
                response = await super()._download_request(request, spider)
            except Exception as exc:  # noqa: BLE001 - every failure falls back, counted
                self.stats.inc_value(STATS + "failed")
                source = getattr(self.crawler.spider, "source_name", "?")
                logger.warning("source %r: %s could not be rendered (%s: %s); using the page"
                               " as served", source, request.url, type(exc).__name__,
                               str(exc).splitlines()[0] if str(exc) else "",
                               exc_info=logger.isEnabledFor(logging.DEBUG))
                return await self._plain(request)
        if SHARED.restarts != restarts:
            self.stats.inc_value(STATS + "browser_restarts", SHARED.restarts - restarts)
        self.stats.inc_value(STATS + "pages")
        self.stats.max_value(STATS + "browser_rss_peak_mb", browser_rss() >> 20)
        return response

    async def _plain(self, request: Request) -> Response:
        document = request.meta.get("render_document")
        if document is None:  # not from our spider: fetch it plain
            return await super(ScrapyPlaywrightDownloadHandler, self).download_request(request)
        return HtmlResponse(url=document["url"], status=document["status"],
                            headers=document["headers"], body=document["body"],
                            request=request, flags=["render_failed"])

    async def _download_request_with_page(self, request: Request, page: Page,
                                          spider: Spider) -> Response:
        deadline = time.monotonic() + self.timeout
        settle = PageSettle(page, self.quiet, deadline)
        document = request.meta.get("render_document")
        if document is not None:
            served = False

            async def serve_plain(route: Route, browser_request: BrowserRequest) -> None:
                # the document the spider already has, not a second fetch of it
                nonlocal served
                if (not served and browser_request.is_navigation_request()
                        and browser_request.frame == page.main_frame):
                    served = True
                    await route.fulfill(status=document["status"],
                                        headers=document["headers"], body=document["body"])
                else:
                    await route.fallback()

            # registered after scrapy-playwright's own route: asked first
            await page.route("**", serve_plain)
        page.set_default_navigation_timeout(self.timeout * 1000)
        page.set_default_timeout(self.timeout * 1000)
        request.meta["playwright_page_methods"] = [PageMethod(settle)]
        return await super()._download_request_with_page(request, page, spider)
