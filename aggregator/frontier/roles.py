"""The two roles of a run on the shared frontier, as the commands start them.

:func:`coordinate` (``aggregator crawl --redis URL``): the data folder's crawl lock and the
Redis coordinator lease (one coordinator per run), a new run announced, the sources seeded,
the run waited for, the feeds published and one run record per source written -- a
:class:`aggregator.runner.RunReport` as a single-process crawl gives.

:func:`work` (``aggregator worker --redis URL``): waits for a run, crawls its sources from
the shared queues into the store until the run is over.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aggregator.config import Config, ConfigError
from aggregator.crawlsettings import build_settings
from aggregator.frontier import (CoordinatorBusy, FrontierError, announce_run, connect,
                                 finish_run, release_lease, take_lease, wait_for_run,
                                 worker_id)
from aggregator.frontier.run import COORDINATOR, WORKER, Frontier, frontier_settings
from aggregator.runlock import CrawlLocked, crawl_lock
from aggregator.runner import RunReport, _run_crawl
from aggregator.store import open_store

logger = logging.getLogger(__name__)


@contextmanager
def _forgotten() -> Iterator[None]:
    """The process's frontier objects are dropped once the run is done."""
    try:
        yield
    finally:
        Frontier.forget()


def coordinate(config: Config, *, redis_url: str, data_dir: str | Path, feeds_dir: str | Path,
               config_value: str = "", routes: dict[str, str] | None = None,
               only: list[str] | None = None,
               overrides: dict[str, Any] | None = None) -> tuple[RunReport, str]:
    """Coordinate one run (see the module): its report and the error that stopped it early
    ("" if none). Raises :class:`CrawlLocked` when another crawl holds the data folder or
    another coordinator the Redis, :class:`FrontierError` when Redis can't be reached."""
    client = connect(redis_url)
    sources = list(only) if only else [s.name for s in config.sources]
    with crawl_lock(data_dir):
        try:
            token = take_lease(client, redis_url)
        except CoordinatorBusy as exc:
            raise CrawlLocked(str(exc)) from None
        try:
            # the store is created or upgraded before any worker may open it
            store_settings = build_settings(data_dir=data_dir, feeds_dir=feeds_dir,
                                            overrides=overrides, config=config)
            open_store(data_dir, url=store_settings.get("AGGREGATOR_STORE") or None).close()
            run = announce_run(client, sources, token)
            logger.info("run %d announced on the shared frontier: %s", run, ", ".join(sources))
            settings = {**(overrides or {}), **frontier_settings(
                redis_url=redis_url, role=COORDINATOR, run=run, lease=token)}
            with _forgotten():
                report = _run_crawl(config, data_dir=data_dir, feeds_dir=feeds_dir,
                                    config_value=config_value, routes=routes, only=only,
                                    overrides=settings)
                error = Frontier.error_of(redis_url, run)
            finish_run(client, run, sources)
        finally:
            release_lease(client, token)
    return report, error


def work(config: Config, *, redis_url: str, data_dir: str | Path, feeds_dir: str | Path,
         config_value: str = "", routes: dict[str, str] | None = None, wait: float = 60.0,
         overrides: dict[str, Any] | None = None) -> tuple[RunReport | None, str]:
    """Work on the announced run (waiting up to ``wait`` seconds for one): the report of what
    this worker did, and the error that stopped it early ("" if none); ``(None, "")`` when no
    run was announced in time. Raises :class:`ConfigError` when the run has a source this
    worker's config does not have."""
    client = connect(redis_url)
    announced = wait_for_run(client, wait)
    if announced is None:
        return None, ""
    run, sources = announced
    for name in sources:
        try:
            config.source(name)
        except ConfigError as exc:
            raise ConfigError(f"run {run} crawls a source this worker's config lacks: {exc}"
                              ) from None
    me = worker_id()
    logger.info("worker %s joins run %d: %s", me, run, ", ".join(sources))
    settings = {**(overrides or {}), **frontier_settings(
        redis_url=redis_url, role=WORKER, run=run, worker=me)}
    with _forgotten():
        report = _run_crawl(config, data_dir=data_dir, feeds_dir=feeds_dir,
                            config_value=config_value, routes=routes, only=sources,
                            overrides=settings)
        error = Frontier.error_of(redis_url, run)
    return report, error


__all__ = ["coordinate", "work", "FrontierError", "CrawlLocked"]
