"""A crawl's pending requests on disk (an add-on): Scrapy's own disk queues, in a folder of
the crawl's own under the data folder.

Scrapy keeps the requests it has yet to send in memory unless ``JOBDIR`` names a folder, so
a sitemap of 100,000 URLs holds 100,000 requests (~4 KB each) at once and a crawl's memory
grows with the site. :class:`DiskQueue` gives each crawl that runs Scrapy's scheduler a fresh
``JOBDIR`` (``<data>/queues/<pid>-<random>``) before the scheduler is built, and removes it
when the engine stops. It stands aside when the user set ``JOBDIR`` (Scrapy's pause and
resume), when another scheduler runs (the Redis frontier keeps its queue in Redis) and when
``AGGREGATOR_DISK_QUEUE`` is off. A request that can't be written (not a spider method as
callback) stays in memory, as Scrapy does (``scheduler/unserializable``).
"""

from __future__ import annotations

import inspect
import logging
import os
import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.squeues import PickleLifoDiskQueue

logger = logging.getLogger(__name__)

SCRAPY_SCHEDULER = "scrapy.core.scheduler.Scheduler"
SCRAPY_DISK_QUEUE = "scrapy.squeues.PickleLifoDiskQueue"


class DiskQueue:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.folder: Path | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "DiskQueue":
        return cls(crawler)

    def update_settings(self, settings: Settings) -> None:
        if (settings.get("JOBDIR") or not settings.getbool("AGGREGATOR_DISK_QUEUE", True)
                or settings.get("SCHEDULER") != SCRAPY_SCHEDULER):
            return
        root = Path(settings.get("AGGREGATOR_DATA_DIR") or "data") / "queues"
        try:
            root.mkdir(parents=True, exist_ok=True)
            remove_orphans(root)
            self.folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=root))
        except OSError as exc:  # a read-only data folder: the queue stays in memory
            logger.warning("%s: cannot keep pending requests on disk (%s); in memory", root,
                           exc.strerror or exc)
            return
        settings.set("JOBDIR", str(self.folder), priority="addon")
        if settings.get("SCHEDULER_DISK_QUEUE") == SCRAPY_DISK_QUEUE:  # the user's stays
            settings.set("SCHEDULER_DISK_QUEUE", "aggregator.queues.PickleLifoRequestQueue",
                         priority="addon")
        self.crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    def engine_stopped(self, *_: Any) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def remove_orphans(root: Path) -> None:
    """Remove the queue folders of crawls whose process is gone (killed, crashed).

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "999999999-x").mkdir(); (root / f"{os.getpid()}-y").mkdir()
    >>> remove_orphans(root); sorted(p.name.split("-")[0] == str(os.getpid()) for p in root.iterdir())
    [True]
    """
    for folder in root.iterdir():
        pid = folder.name.split("-", 1)[0]
        if folder.is_dir() and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


class PickleLifoRequestQueue(PickleLifoDiskQueue):  # type: ignore[misc,valid-type]
    """Scrapy's ``PickleLifoDiskQueue`` (``SCHEDULER_DISK_QUEUE``), whose requests name their
    callbacks faster: Scrapy finds a callback's name by ``inspect.getmembers`` of the whole
    spider for every request written, reading each of its attributes and properties; here it
    is looked up among the spider class's methods only (the same names, the same failure
    for a callback that is not a spider method: the request stays in memory). That lookup
    was 2.4% of a crawl's CPU (cProfile, every discovered URL goes through the queue)."""

    def __init__(self, crawler: Crawler, key: str) -> None:
        super().__init__(crawler, key)
        self._methods = _spider_methods(crawler.spider)

    def push(self, request: Request) -> None:
        # the queue's own push pickles what Request.to_dict gives, callbacks named from
        # the spider's methods alone (scrapy.http.request._find_method)
        super(PickleLifoDiskQueue, self).push(request.to_dict(spider=self._methods))


def _spider_methods(spider: Any) -> SimpleNamespace:
    """The spider's methods (bound), as attributes of a small object.

    >>> class S:
    ...     name = "s"
    ...     def parse(self, response): pass
    ...     @property
    ...     def costly(self): raise AssertionError("never read")
    >>> spider = S(); methods = _spider_methods(spider)
    >>> methods.parse == spider.parse, hasattr(methods, "costly")
    (True, False)
    """
    methods = SimpleNamespace()
    for name in dir(type(spider)):
        if name.startswith("__"):
            continue
        if inspect.isfunction(inspect.getattr_static(type(spider), name, None)):
            setattr(methods, name, getattr(spider, name))
    return methods
