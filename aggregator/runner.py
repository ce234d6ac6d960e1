"""Run one crawl over the sources of a config: one Scrapy crawler per source, all in
one reactor; record each source's run in the store; rebuild the feeds."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess

from aggregator.config import Config
from aggregator.crawlsettings import build_settings
from aggregator.runlock import crawl_lock
from aggregator.exporters.publish import publish_feeds
from aggregator.health import lost_to_errors
from aggregator.publishing import failed, published, rejected, rejected_lines
from aggregator.runlog import SourceReport, no_article_hint, source_report
from aggregator.store import open_store

logger = logging.getLogger(__name__)


@dataclass
class RunReport:
    sources: list[SourceReport]
    #: the feed files in the feeds folder after the run
    feeds: list[Path]
    #: "path: problems" of the feeds that failed their check (not published)
    failed_feeds: list[str] = field(default_factory=list)
    #: how many entries were left out of the feeds for failing their check, and the first
    rejected: int = 0
    rejected_entries: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every source crawled and every feed published."""
        return all(s.ok for s in self.sources) and not self.failed_feeds

    @property
    def lost(self) -> int:
        """Articles or pages lost to exceptions in a callback or a pipeline (the sources
        themselves were reachable): ``aggregator crawl`` then exits with status 1."""
        return sum(lost_to_errors(s.errors) for s in self.sources)


def run_crawl(config: Config, *, data_dir: str | Path, feeds_dir: str | Path,
              config_value: str = "", routes: dict[str, str] | None = None,
              only: list[str] | None = None,
              overrides: dict[str, Any] | None = None) -> RunReport:
    """Crawl the sources of ``config`` (or the ``only`` ones), then rebuild the feeds.

    Holds the data folder's crawl lock (:mod:`aggregator.runlock`) throughout; raises
    :class:`aggregator.runlock.CrawlLocked` at once if another crawl holds it."""
    with crawl_lock(data_dir):
        return _run_crawl(config, data_dir=data_dir, feeds_dir=feeds_dir,
                          config_value=config_value, routes=routes, only=only,
                          overrides=overrides)


def _run_crawl(config: Config, *, data_dir: str | Path, feeds_dir: str | Path,
               config_value: str, routes: dict[str, str] | None, only: list[str] | None,
               overrides: dict[str, Any] | None) -> RunReport:
    from spiders.news import NewsSpider  # the spider package is a sibling of this one

    settings = build_settings(data_dir=data_dir, feeds_dir=feeds_dir, config_value=config_value,
                              routes=routes, overrides=overrides, config=config)
    store_url = settings.get("AGGREGATOR_STORE") or None
    # the store opens (and upgrades) before any crawler starts: a corrupt one is one clear
    # error (aggregator.store.sqlite.StoreError), not a traceback inside the reactor
    open_store(data_dir, url=store_url).close()
    sources = [config.source(n) for n in only] if only else list(config.sources)
    # the command line's logging handler (and level) stays the only one: a second root
    # handler from Scrapy would print every warning twice and INFO lines under cron
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    for handler in logging.getLogger().handlers:  # Scrapy sets its loggers to DEBUG
        handler.setLevel(settings.get("LOG_LEVEL"))
    process = CrawlerProcess(settings)
    # ... and its "scrapy" logger to DEBUG: a "Crawled (200)" and a "Scraped from" record
    # would be made for every page, each to be dropped by the handler (~1% of a crawl's CPU)
    level = logging.getLevelName(settings.get("LOG_LEVEL"))
    if isinstance(level, int):
        logging.getLogger("scrapy").setLevel(level)
    crawlers: list[tuple[str, Crawler]] = []
    for src in sources:
        # the same spider and components as `scrapy crawl news -a source=NAME`: the spider
        # applies the source's own settings, the extensions record the run and publish
        crawler = process.create_crawler(NewsSpider)
        process.crawl(crawler, source=src.name)
        crawlers.append((src.name, crawler))
    started = time.monotonic()
    process.start()
    seconds = time.monotonic() - started
    reports: list[SourceReport] = []
    feeds: list[Path] = []
    failures: list[str] = []
    rejected_count, rejected_entries = 0, []
    for name, crawler in crawlers:
        stats = _stats(crawler)
        reports.append(source_report(name, stats, seconds))
        feeds.extend(Path(p) for p in published(stats))
        failures.extend(failed(stats))
        count, entries = rejected(stats)
        rejected_count += count
        rejected_entries.extend(entries)
    if not crawlers:  # nothing to crawl: the feeds are still rebuilt from the store
        store = open_store(data_dir, url=store_url)
        try:
            result = publish_feeds(store, config, feeds_dir)
        finally:
            store.close()
        feeds = [p for p in result if p.is_file()]
        failures = [f"{f.path}: {'; '.join(f.problems[:3])}" for f in result.failed]
        rejected_count, rejected_entries = len(result.dropped_ids), rejected_lines(result.dropped)
    return RunReport(sources=reports, feeds=feeds, failed_feeds=failures,
                     rejected=rejected_count, rejected_entries=rejected_entries)


def _stats(crawler: Crawler) -> dict[str, Any]:
    try:
        return crawler.stats.get_stats() if crawler.stats else {}
    except RuntimeError:  # the crawl never started (the spider could not be built)
        return {}


def format_report(report: RunReport) -> str:
    """The short summary printed after a crawl."""
    lines = []
    for s in report.sources:
        dropped = sum(s.dropped.values())
        status = "ok" if s.ok else "FAILED"
        # unchanged: parsed again and equal, or confirmed without parsing (304, same body)
        lines.append(f"{s.name:<16} {status:<6} pages {s.pages:>4}  articles new {s.new:>3}"
                     f"  updated {s.updated:>3}  unchanged {s.unchanged + s.confirmed:>3}"
                     f"  dropped {dropped:>3}"
                     f"  {s.bytes / 1024:,.0f} KiB  {s.seconds:.1f}s")
        if not s.ok:
            lines.append(f"  {s.name}: {s.error}")
        elif s.errors:
            kinds = ", ".join(f"{k} {v}" for k, v in sorted(s.errors.items()))
            lines.append(f"  errors: {kinds}")
        if s.ok and s.stored == 0:
            lines.append(f"  warning: {s.name}: no article stored yet{no_article_hint(s)}")
        elif s.rejected_entries:
            lines.append(f"  rejected entries: {s.rejected_entries} (off-site or not crawlable)")
    if report.lost:
        lines.append(f"lost: {report.lost} article(s) or page(s) to exceptions in a callback or"
                     " a pipeline (see the log); exit status 1")
    if report.rejected:
        lines.append(f"feed entries rejected (not in any feed): {report.rejected}")
        lines.extend(f"  {line}" for line in report.rejected_entries[:3])
        if report.rejected > 3:
            lines.append(f"  (+{report.rejected - 3} more: aggregator status lists them)")
    for problem in report.failed_feeds:
        lines.append(f"feed not published (the last good one is kept): {problem}")
    shown = ", ".join(str(p) for p in report.feeds[:2])
    more = f" (+{len(report.feeds) - 2} more)" if len(report.feeds) > 2 else ""
    lines.append(f"feeds: {shown}{more}" if report.feeds else "feeds: none published")
    return "\n".join(lines)
