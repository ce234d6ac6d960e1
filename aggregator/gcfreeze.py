"""Python's garbage collector during a long crawl (an extension, ``EXTENSIONS``).

A crawl process holds a few hundred thousand long-lived objects from before its first
request -- the modules of Scrapy, lxml, trafilatura and the rest, their tables, the config --
and every full collection of the cyclic garbage collector walks them all again, many times
an hour. When the engine starts they are moved out of the collector's generations
(:func:`gc.freeze`): it then walks only what the crawl itself allocates. Nothing the crawl
makes is frozen. ``AGGREGATOR_GC_FREEZE = False`` switches it off.
"""

from __future__ import annotations

import gc
import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)


class FreezeStartup:
    """:func:`gc.freeze` once the engine has started (see the module)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "FreezeStartup":
        if not crawler.settings.getbool("AGGREGATOR_GC_FREEZE", True):
            raise NotConfigured
        ext = cls()
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        return ext

    def engine_started(self) -> None:
        gc.collect()  # what is garbage already is not frozen
        gc.freeze()
        logger.debug("%d objects left out of garbage collection", gc.get_freeze_count())
