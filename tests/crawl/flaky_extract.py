"""Test-only extraction functions for ``AGGREGATOR_EXTRACT_FUNCTION``
(tests/crawl/test_extract_workers.py): the real ``extract``, except that the first call in a
*worker process* of the crawl fails -- the worker dies, or raises. "First" is decided by a
marker file created atomically in the crawl's working folder (a tmp folder), so exactly one
page fails, whichever it is. In the crawl's own process they are the real ``extract``."""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from aggregator.extraction import extract
from aggregator.items import Article, PageInfo
from aggregator.workers import WARM_UP_URL


def _first_in_worker(marker: str, url: str) -> bool:
    if multiprocessing.parent_process() is None:  # the crawl's process: the fallback
        return False
    if url == WARM_UP_URL:  # not a page of the crawl
        return False
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def crash_once(body: bytes | str, url: str, **kwargs: Any) -> Article | PageInfo:
    """The worker process dies (as on a segfault or the OOM killer) on its first page."""
    if _first_in_worker("crashed-once", url):
        os._exit(70)
    return extract(body, url, **kwargs)


def raise_once(body: bytes | str, url: str, **kwargs: Any) -> Article | PageInfo:
    """``LookupError`` from the first page a worker extracts."""
    if _first_in_worker("raised-once", url):
        raise LookupError(f"test extractor fails on {url}")
    return extract(body, url, **kwargs)
