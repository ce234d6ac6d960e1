"""Extraction in worker processes: ``AGGREGATOR_EXTRACT_WORKERS`` (opt-in).

A crawl is CPU-bound by extraction, all of it on the reactor's thread. With
``AGGREGATOR_EXTRACT_WORKERS = N`` (N >= 1, or ``"auto"``: one per CPU but the reactor's)
the spider hands each page's ``extract(body, url, rules=, encoding=)`` to a
:class:`~concurrent.futures.ProcessPoolExecutor` of N processes and awaits it; with 0
(the default) it extracts in the crawl's own process, as before.

* The pool is started with the ``forkserver`` method (``spawn`` where there is none): a
  process running the reactor is never forked. It is created once per crawl process and
  shared by its crawlers (one per source) that ask for the same number of workers and the
  same function; it is shut down when the last of their engines stops.
* A worker that raises, or dies (the pool is then "broken" and replaced), never breaks the
  crawl: the page is counted as ``aggregator/errors/extract_worker_<Type>`` and extracted
  in the crawl's process instead (``aggregator/extract_workers/fallback``), so it is not
  lost; if that raises too, it is the ``spider_exception_<Type>`` of a crawl without
  workers. After :data:`MAX_BREAKS` broken pools the workers are given up for the rest
  of the process and every page is extracted in-process.

``SiteRules`` holds compiled lxml selectors, which do not pickle: they are sent as their
source text and compiled again in the worker, once per worker (see :func:`_selector`).

>>> resolve_workers("auto", cpus=4), resolve_workers("2", cpus=4), resolve_workers(0, cpus=1)
(3, 2, 0)
>>> resolve_workers("many", cpus=4)
Traceback (most recent call last):
...
ValueError: AGGREGATOR_EXTRACT_WORKERS: expected a number of worker processes >= 0 or 'auto', got 'many'
"""

from __future__ import annotations

import asyncio
import copyreg
import functools
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

from aggregator.extraction.rules import Selector, SiteRules
from aggregator.items import Article, PageInfo

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: broken pools (a worker died) replaced in one crawl process before the workers are
#: given up and every page is extracted in-process
MAX_BREAKS = 3

ExtractFunction = Callable[..., "Article | PageInfo"]


def resolve_workers(value: Any, *, cpus: int | None = None) -> int:
    """The number of worker processes a setting value asks for: ``"auto"`` is one per CPU
    but the one running the reactor (0 on a single CPU); a bad value raises ValueError."""
    if isinstance(value, str) and value.strip().lower() == "auto":
        return max((cpus if cpus is not None else os.cpu_count() or 1) - 1, 0)
    try:
        workers = int(value)
    except (TypeError, ValueError):
        workers = -1
    if workers < 0 or isinstance(value, float) and not value.is_integer():
        raise ValueError("AGGREGATOR_EXTRACT_WORKERS: expected a number of worker processes"
                         f" >= 0 or 'auto', got {value!r}")
    return workers


@functools.cache
def load_function(path: str) -> ExtractFunction:
    """The callable at ``path`` (``"package.module.name"``), imported once per process."""
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)


# --- in the worker ------------------------------------------------------------

@functools.cache
def _selector(source: str) -> Selector:
    """A site-rule selector compiled from its text, once per process (the unpickler)."""
    return Selector.compile(source)


def _reduce_selector(selector: Selector) -> tuple[Callable[[str], Selector], tuple[str]]:
    return _selector, (selector.source,)


copyreg.pickle(Selector, _reduce_selector)


def _init_worker() -> None:
    # Ctrl-C reaches the whole process group: the crawl's process decides what stops
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _extract_in_worker(function: str, body: bytes | str, url: str, rules: SiteRules | None,
                       encoding: str | None, template: Any) -> Article | PageInfo:
    return load_function(function)(body, url, rules=rules, encoding=encoding, template=template)


#: the page each worker extracts once as it starts (under the reserved .invalid TLD)
WARM_UP_URL = "http://warm-up.invalid/"


def _warm_up(function: str) -> None:
    """Import the extractor and run it once, so the first pages do not pay for it."""
    page = b"<html><head><title>warm</title></head><body><p>up</p></body></html>"
    load_function(function)(page, WARM_UP_URL, rules=None, encoding="utf-8")


# --- in the crawl's process -----------------------------------------------------

def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


@dataclass
class _SharedPool:
    """One process pool of a crawl process, shared by the crawlers that use it."""

    workers: int
    function: str
    executor: ProcessPoolExecutor | None = None
    users: int = 0
    breaks: int = 0

    @property
    def given_up(self) -> bool:
        return self.breaks >= MAX_BREAKS

    def start(self) -> None:
        ctx = _context()
        if ctx.get_start_method() == "forkserver":
            # the fork server imports these once; each worker is forked from it, warm
            ctx.set_forkserver_preload([__name__, self.function.rpartition(".")[0]])
        self.executor = ProcessPoolExecutor(self.workers, mp_context=ctx,
                                            initializer=_init_worker)
        for _ in range(self.workers):
            self.executor.submit(_warm_up, self.function).add_done_callback(_warm_up_done)

    def replace(self, broken: ProcessPoolExecutor) -> None:
        """A worker died: every pending page of ``broken`` failed; start a new pool
        (once, however many pages report the same break)."""
        if broken is not self.executor:
            return
        self.breaks += 1
        broken.shutdown(wait=False, cancel_futures=True)
        self.executor = None
        if self.given_up:
            logger.warning("extraction workers broke %d times: extracting in-process from now"
                           " on", self.breaks)
        else:
            self.start()

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None


def _warm_up_done(future: Future) -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.warning("extraction worker warm-up failed: %r", future.exception())


#: the pools of this process, by (workers, function)
_POOLS: dict[tuple[int, str], _SharedPool] = {}


class Extractor:
    """Runs the extraction function on a page, in a worker process or in this one.

    Built by the spider with :meth:`from_crawler`; ``await extractor.extract(...)`` from an
    ``async def`` callback."""

    def __init__(self, function: str, workers: int = 0, crawler: Crawler | None = None) -> None:
        self.function_path = function
        self.function = load_function(function)
        self.workers = workers
        self.crawler = crawler  # its stats exist once the crawl starts
        self._pool: _SharedPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Extractor:
        settings = crawler.settings
        workers = resolve_workers(settings.get("AGGREGATOR_EXTRACT_WORKERS", 0))
        extractor = cls(settings.get("AGGREGATOR_EXTRACT_FUNCTION",
                                     "aggregator.extraction.extract"), workers, crawler)
        if workers:
            from scrapy import signals  # the workers never import Scrapy

            crawler.signals.connect(extractor.open, signal=signals.engine_started)
            crawler.signals.connect(extractor.close, signal=signals.engine_stopped)
        return extractor

    def open(self) -> None:
        """Join (or start) this process's pool of ``workers`` processes."""
        key = (self.workers, self.function_path)
        pool = _POOLS.get(key)
        if pool is None:
            pool = _POOLS[key] = _SharedPool(self.workers, self.function_path)
        if pool.executor is None and not pool.given_up:
            pool.start()
            logger.info("extracting in %d worker process(es)", self.workers)
        pool.users += 1
        self._pool = pool

    def close(self) -> None:
        """Leave the pool; the last one out shuts it down."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        pool.users -= 1
        if pool.users <= 0:
            pool.close()
            _POOLS.pop((pool.workers, pool.function), None)

    async def extract(self, body: bytes | str, url: str, *, rules: SiteRules | None = None,
                      encoding: str | None = None, template: Any = None) -> Article | PageInfo:
        """``extract(body, url, rules=, encoding=, template=)`` in a worker when there is a
        pool, else (or when the worker fails) here."""
        executor = self._pool.executor if self._pool is not None else None
        if executor is None:
            return self.function(body, url, rules=rules, encoding=encoding, template=template)
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(executor, _extract_in_worker, self.function_path,
                                                body, url, rules, encoding, template)
        except BrokenProcessPool as exc:
            assert self._pool is not None
            self._pool.replace(executor)
            self._worker_failed(url, exc)
        # anything raised in the worker, or pickling its arguments or result: the page
        # is extracted here instead, and a real bug raises here as it would without workers
        except Exception as exc:  # noqa: BLE001
            self._worker_failed(url, exc)
        else:
            self._inc("aggregator/extract_workers/pages")
            return result
        self._inc("aggregator/extract_workers/fallback")
        return self.function(body, url, rules=rules, encoding=encoding, template=template)

    def _worker_failed(self, url: str, exc: BaseException) -> None:
        name = type(exc).__name__
        self._inc(f"aggregator/errors/extract_worker_{name}")
        logger.warning("%s: extraction worker failed (%s: %s); extracting it in this process",
                       url, name, exc)

    def _inc(self, key: str) -> None:
        if self.crawler is not None:
            self.crawler.stats.inc_value(key)
