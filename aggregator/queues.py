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

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import Settings

logger = logging.getLogger(__name__)

SCRAPY_SCHEDULER = "scrapy.core.scheduler.Scheduler"


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
