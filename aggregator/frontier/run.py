"""One run across processes: when it is over, and the statistics of all of its workers.

:class:`Frontier` is a process's side of the run, shared by its crawlers (one per source):
one Redis client, one poll loop (``AGGREGATOR_FRONTIER_POLL`` seconds, a Twisted
``LoopingCall``, never a blocking sleep).

* A **worker** refreshes its heartbeat hash (busy when one of its engines is not idle;
  expires after ``AGGREGATOR_WORKER_TTL`` seconds, so a killed worker stops counting), wakes
  an idle engine when its source's queue has requests (Scrapy would look only every 5 s), and
  closes its spiders when the coordinator says the run is over -- or when the coordinator's
  lease is gone (``coordinator_lost``).
* The **coordinator** refreshes its lease; once every source is seeded, every queue empty
  and no live worker busy, it marks the run over, waits for each live worker's statistics,
  and closes its own spiders: :class:`FrontierRun` then merges the workers' statistics into
  each source's (before the feeds are published and the run recorded, one run record per
  source for all the workers).

A Redis error stops the process's spiders (reason ``frontier_failed``) with one error line
naming the Redis; the command exits with status 1. URL states are written to the store only
once their work is done, so what was in flight is fetched by the next run.

Stats: ``aggregator/frontier/{pushed,taken,duplicates}`` (the scheduler's) and the merged
ones.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from typing import Any, ClassVar

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.task import LoopingCall

from aggregator.frontier import REDIS_ERRORS, Keys, connect, redacted, refresh_lease, source_of

logger = logging.getLogger(__name__)

COORDINATOR, WORKER = "coordinator", "worker"
#: spider close reasons
FINISHED, FAILED, COORDINATOR_LOST = "finished", "frontier_failed", "coordinator_lost"
#: statistics of a worker that are not added to the run's: the run's own clock and identity
NOT_MERGED = frozenset({"start_time", "finish_time", "finish_reason", "elapsed_time_seconds",
                        "aggregator/run_id", "aggregator/config"})
#: numeric statistics merged by their maximum, not their sum
MAX_STATS = ("memusage/", "aggregator/browser/browser_rss_peak_mb")


class Frontier:
    """A process's side of a run (see the module); one per Redis URL and run."""

    _instances: ClassVar[dict[tuple[str, int], "Frontier"]] = {}

    def __init__(self, url: str, run: int, role: str, worker: str, poll: float,
                 ttl: float) -> None:
        if role not in (COORDINATOR, WORKER):
            raise NotConfigured(f"AGGREGATOR_FRONTIER_ROLE: expected {COORDINATOR!r} or "
                                f"{WORKER!r}, got {role!r}")
        self.url = url
        self.client = connect(url)
        self.keys = Keys(run)
        self.role = role
        self.worker = worker
        self.poll = poll
        self.ttl_ms = int(ttl * 1000)
        self.lease = ""
        self.crawlers: list[Crawler] = []
        self._seeded: set[str] = set()
        self._loop: LoopingCall | None = None
        #: the run is over (coordinator: since when; worker: told so)
        self.over_at: float | None = None
        self.stopping = False
        #: why the run stopped early, for the command's message (empty: it did not)
        self.error = ""

    @classmethod
    def of(cls, crawler: Crawler) -> "Frontier":
        settings = crawler.settings
        url = settings.get("AGGREGATOR_REDIS_URL")
        if not url:
            raise NotConfigured("the shared frontier needs AGGREGATOR_REDIS_URL")
        run = settings.getint("AGGREGATOR_FRONTIER_RUN")
        frontier = cls._instances.get((url, run))
        if frontier is None:
            frontier = cls._instances[(url, run)] = cls(
                url, run, settings.get("AGGREGATOR_FRONTIER_ROLE", WORKER),
                settings.get("AGGREGATOR_WORKER_ID") or f"{socket.gethostname()}:{os.getpid()}",
                settings.getfloat("AGGREGATOR_FRONTIER_POLL", 0.1),
                settings.getfloat("AGGREGATOR_WORKER_TTL", 10.0))
            frontier.lease = settings.get("AGGREGATOR_FRONTIER_LEASE", "")
        return frontier

    @classmethod
    def error_of(cls, url: str, run: int) -> str:
        """Why the process's part in the run stopped early ("" if it did not)."""
        frontier = cls._instances.get((url, run))
        return frontier.error if frontier is not None else ""

    @classmethod
    def abort_all(cls, reason: str) -> None:
        """Stop the runs this process takes part in, and tell every other process of them
        (their next poll sees the run failed): the store became unreachable."""
        for frontier in list(cls._instances.values()):
            frontier.abort(reason)

    def abort(self, reason: str) -> None:
        if self.stopping:
            return
        self.error = reason
        try:
            self.client.hset(self.keys.info, mapping={"state": "failed", "error": reason})
        except REDIS_ERRORS as exc:
            logger.error("run %d: could not tell the other processes it failed: %s",
                         self.keys.run, exc)
        self.close_all(FAILED)

    def _failed_elsewhere(self, state: bytes | None) -> bool:
        """Whether another process of the run failed it; then this one stops too."""
        if state != b"failed":
            return False
        reason = self.client.hget(self.keys.info, "error")
        self.error = (reason or b"").decode() or "another process of the run failed it"
        logger.error("run %d failed elsewhere: %s; stopping", self.keys.run, self.error)
        self.close_all(FAILED)
        return True

    @classmethod
    def forget(cls) -> None:
        """Drop the process's frontiers (a finished run's)."""
        cls._instances.clear()

    @property
    def is_worker(self) -> bool:
        return self.role == WORKER

    @property
    def worker_key(self) -> str:
        return self.keys.worker(self.worker)

    def source(self, crawler: Crawler) -> str:
        return source_of(crawler)

    # --- joining, seeding ---------------------------------------------------------------
    def join(self, crawler: Crawler) -> None:
        self.crawlers.append(crawler)
        if self.is_worker:
            try:
                with self.client.pipeline() as pipe:
                    pipe.sadd(self.keys.workers, self.worker)
                    pipe.hset(self.worker_key, mapping={"busy": "0", "host": socket.gethostname(),
                                                        "pid": str(os.getpid())})
                    pipe.pexpire(self.worker_key, self.ttl_ms)
                    pipe.execute()
            except REDIS_ERRORS as exc:
                self.fail(exc)
                return
        if self._loop is None:
            self._loop = LoopingCall(self.tick)
            self._loop.start(self.poll, now=False)

    def seeded(self, crawler: Crawler) -> None:
        self._seeded.add(self.source(crawler))

    # --- the poll loop --------------------------------------------------------------------
    def tick(self) -> None:
        if self.stopping:
            return
        try:
            if self.is_worker:
                self._tick_worker()
            else:
                self._tick_coordinator()
        except REDIS_ERRORS as exc:
            self.fail(exc)

    def _open(self) -> list[Crawler]:
        return [c for c in self.crawlers if c.engine is not None and c.engine.spider is not None]

    @staticmethod
    def _idle(crawler: Crawler) -> bool:
        try:
            return bool(crawler.engine and crawler.engine.spider_is_idle())
        except RuntimeError:  # the engine has no slot yet, or no more
            return True

    def _tick_worker(self) -> None:
        crawlers = self._open()
        busy = any(not self._idle(c) for c in crawlers)
        with self.client.pipeline() as pipe:
            pipe.hset(self.worker_key, "busy", "1" if busy else "0")
            pipe.pexpire(self.worker_key, self.ttl_ms)
            pipe.hget(self.keys.info, "state")
            pipe.exists(Keys.COORDINATOR)
            _, _, state, coordinator = pipe.execute()
        if self._failed_elsewhere(state):
            return
        if state in (b"over", b"done"):
            self.over_at = self.over_at or time.monotonic()
            self.close_all(FINISHED)
            return
        if not coordinator:
            self.error = "the coordinator is gone (its lease expired) before the run was over"
            logger.error("%s; stopping this worker: the next run fetches what is left",
                         self.error)
            self.close_all(COORDINATOR_LOST)
            return
        for crawler in crawlers:
            scheduler = getattr(crawler.engine, "_slot", None)
            if self._idle(crawler) and scheduler is not None and scheduler.scheduler.queued():
                # Scrapy looks at an idle scheduler only every 5 s (its heartbeat)
                scheduler.nextcall.schedule()

    def _tick_coordinator(self) -> None:
        if self.lease and not refresh_lease(self.client, self.lease):
            raise_lost = "the coordinator lease was lost (Redis restarted, or paused too long)"
            self.error = raise_lost
            logger.error("%s; stopping the run", raise_lost)
            self.close_all(FAILED)
            return
        if self._failed_elsewhere(self.client.hget(self.keys.info, "state")):
            return
        crawlers = self._open()
        sources = [self.source(c) for c in crawlers]
        if self.over_at is None:
            if not sources or not set(sources) <= self._seeded:
                return
            if any(self.client.zcard(self.keys.queue(s)) for s in sources):
                return
            if self._live_workers(busy_only=True):
                return
            self.client.hset(self.keys.info, "state", "over")
            self.over_at = time.monotonic()
            logger.info("run %d: every queue empty and no worker busy: the run is over",
                        self.keys.run)
            return
        # wait for the statistics of every live worker (a dead one's are lost with it)
        waiting = [w for w in self._live_workers()
                   if not all(self.client.sismember(self.keys.reported(s), w) for s in sources)]
        if waiting and time.monotonic() - self.over_at < 3 * self.ttl_ms / 1000:
            return
        if waiting:
            logger.warning("run %d: no statistics from worker(s) %s; recording the run"
                           " without them", self.keys.run, ", ".join(waiting))
        self.close_all(FINISHED)

    def _live_workers(self, busy_only: bool = False) -> list[str]:
        workers = sorted(w.decode() for w in self.client.smembers(self.keys.workers))
        with self.client.pipeline() as pipe:
            for worker in workers:
                pipe.hget(self.keys.worker(worker), "busy")
            states = pipe.execute()
        return [w for w, s in zip(workers, states)
                if s is not None and (not busy_only or s == b"1")]

    # --- stopping ---------------------------------------------------------------------------
    def fail(self, exc: BaseException) -> None:
        """Redis failed: stop every spider of the process, once, with one clear error."""
        if self.stopping:
            return
        self.error = f"Redis at {redacted(self.url)} unreachable: {exc}"
        logger.error("%s; stopping: the requests in flight are fetched by the next run",
                     self.error)
        self.close_all(FAILED)

    def close_all(self, reason: str) -> None:
        if self.stopping:
            return
        self.stopping = True
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        for crawler in self._open():
            assert crawler.engine is not None
            deferred_from_coro(crawler.engine.close_spider_async(reason=reason))

    # --- statistics --------------------------------------------------------------------------
    def report(self, crawler: Crawler, source: str) -> None:
        """A worker's statistics of ``source``, added to the run's (once, at close)."""
        assert crawler.stats is not None
        stats = crawler.stats.get_stats()
        try:
            with self.client.pipeline() as pipe:  # MULTI: all of them or none
                for key, value in stats.items():
                    if key in NOT_MERGED or isinstance(value, bool):
                        continue
                    if isinstance(value, (int, float)) and not key.startswith(MAX_STATS):
                        pipe.hincrbyfloat(self.keys.stats(source), key, value)
                    elif isinstance(value, (int, float, list)):
                        pipe.hset(self.keys.stat_lists(source), f"{self.worker}\x1f{key}",
                                  json.dumps(value, default=str))
                pipe.sadd(self.keys.reported(source), self.worker)
                pipe.execute()
        except REDIS_ERRORS as exc:
            logger.error("%s: statistics not reported to Redis at %s: %s", source,
                         redacted(self.url), exc)

    def merge_into(self, crawler: Crawler, source: str) -> None:
        """The coordinator's statistics of ``source`` plus every worker's."""
        stats = crawler.stats
        assert stats is not None
        try:
            sums = self.client.hgetall(self.keys.stats(source))
            lists = self.client.hgetall(self.keys.stat_lists(source))
        except REDIS_ERRORS as exc:
            logger.error("%s: the workers' statistics could not be read from Redis at %s: %s",
                         source, redacted(self.url), exc)
            return
        for raw_key, raw in sums.items():
            number = float(raw)
            stats.inc_value(raw_key.decode(), int(number) if number.is_integer() else number)
        for raw_key, raw in sorted(lists.items()):
            key = raw_key.decode().split("\x1f", 1)[1]
            value = json.loads(raw)
            if isinstance(value, list):
                stats.set_value(key, [*(stats.get_value(key) or []), *value])
            else:
                stats.max_value(key, value)


class FrontierRun:
    """Extension: the crawler's part in the run (see the module). Before the store, the
    publisher and the run recorder in ``EXTENSIONS``, so the merged statistics are what they
    publish and record."""

    def __init__(self, crawler: Crawler, frontier: Frontier) -> None:
        self.crawler = crawler
        self.frontier = frontier

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "FrontierRun":
        if not crawler.settings.get("AGGREGATOR_REDIS_URL"):
            raise NotConfigured
        extension = cls(crawler, Frontier.of(crawler))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.frontier.join(self.crawler)

    def spider_idle(self, spider: Spider) -> None:
        if not self.frontier.stopping:
            raise DontCloseSpider  # other workers may still find work for this one

    def spider_closed(self, spider: Spider, reason: str = "") -> None:
        source = self.frontier.source(self.crawler)
        if self.frontier.is_worker:
            self.frontier.report(self.crawler, source)
        else:
            self.frontier.merge_into(self.crawler, source)


def frontier_settings(*, redis_url: str, role: str, run: int, worker: str = "",
                      lease: str = "") -> dict[str, Any]:
    """The settings that put a crawl on the shared frontier (``aggregator crawl --redis`` as
    the coordinator, ``aggregator worker``), on top of the project's component dicts; without
    them a crawl is the single process it always was."""
    from aggregator import settings as project

    extensions: dict[str, int | None] = {**project.EXTENSIONS,
                                         "aggregator.frontier.run.FrontierRun": 50}
    if role == WORKER:
        # one publish and one run record per run: the coordinator's
        extensions["aggregator.runlog.RunRecorder"] = None
    return {
        "AGGREGATOR_REDIS_URL": redis_url, "AGGREGATOR_FRONTIER_ROLE": role,
        "AGGREGATOR_FRONTIER_RUN": run, "AGGREGATOR_WORKER_ID": worker,
        "AGGREGATOR_FRONTIER_LEASE": lease,
        "AGGREGATOR_PUBLISH_FEEDS": role == COORDINATOR,
        # several processes write one SQLite file: a group held open would keep the others
        # waiting on its lock (aggregator.crawlstore)
        "AGGREGATOR_STORE_COMMIT_SECONDS": 0,
        "SCHEDULER": "aggregator.frontier.scheduler.FrontierScheduler",
        "EXTENSIONS": extensions,
        # the last one before the download: after robots.txt and the routes
        "DOWNLOADER_MIDDLEWARES": {**project.DOWNLOADER_MIDDLEWARES,
                                   "aggregator.frontier.politeness.SharedPoliteness": 950},
        # the first one after the engine: a worker's start() is never run, nor decided on
        "SPIDER_MIDDLEWARES": {**project.SPIDER_MIDDLEWARES,
                               "aggregator.frontier.scheduler.SeedOnce": 10},
    }
