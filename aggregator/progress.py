"""A live progress line on a terminal: pages, articles and errors of each running source.

One line for the whole process (all sources crawl in one reactor), rewritten in place
every second on stderr; cleared when the last source finishes, so only the summary
stays. Switched on by ``AGGREGATOR_PROGRESS``: ``"auto"`` (the default) only when stderr
is a terminal -- under cron nothing but the summary and errors is printed --,
``"always"`` or ``"never"``.
"""

from __future__ import annotations

import shutil
import sys
from typing import Any, ClassVar, TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

INTERVAL = 1.0


def progress_text(name: str, stats: dict[str, Any]) -> str:
    """``"bytewire 42 pages 17 articles 0 errors"`` from a crawl's stats."""
    pages = int(stats.get("response_received_count", 0))
    articles = int(stats.get("item_scraped_count", 0))
    errors = sum(int(v) for k, v in stats.items() if k.startswith("aggregator/errors/"))
    return f"{name} {pages} pages {articles} articles {errors} errors"


class ProgressLine:
    """The extension; one instance per crawler, one shared line per process."""

    _running: ClassVar[dict[int, "ProgressLine"]] = {}
    _loop: ClassVar[task.LoopingCall | None] = None
    _stream: ClassVar[TextIO] = sys.stderr
    _drawn: ClassVar[bool] = False

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ProgressLine":
        mode = crawler.settings.get("AGGREGATOR_PROGRESS", "auto")
        if mode == "never" or (mode == "auto" and not sys.stderr.isatty()):
            raise NotConfigured  # no message: Scrapy would log a warning under cron
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @property
    def name(self) -> str:
        return (self.crawler.settings.get("AGGREGATOR_SOURCE")
                or getattr(self.crawler.spider, "name", "?"))

    def spider_opened(self, spider: Any = None) -> None:
        cls = type(self)
        cls._running[id(self)] = self
        cls._stream = sys.stderr
        if cls._loop is None:
            cls._loop = task.LoopingCall(cls.draw)
            cls._loop.start(INTERVAL, now=False)

    def spider_closed(self, spider: Any = None) -> None:
        cls = type(self)
        cls._running.pop(id(self), None)
        if not cls._running and cls._loop is not None:
            if cls._loop.running:
                cls._loop.stop()
            cls._loop = None
            if cls._drawn:
                cls._stream.write("\r\x1b[K")
                cls._stream.flush()
                cls._drawn = False

    @classmethod
    def draw(cls) -> None:
        parts = [progress_text(ext.name, ext.crawler.stats.get_stats() if ext.crawler.stats else {})
                 for ext in cls._running.values()]
        width = shutil.get_terminal_size((100, 20)).columns - 1
        line = " | ".join(parts)[:width]
        cls._stream.write("\r\x1b[K" + line)
        cls._stream.flush()
        cls._drawn = True
