"""Run recording: one extension writes each source's run (start, stats, outcome) to the store.

``aggregator crawl`` and ``scrapy crawl news -a source=X`` both record their runs through
:class:`RunRecorder`; :func:`source_report` turns a finished crawler's stats into the
:class:`SourceReport` that the run log, ``aggregator crawl``'s summary and ``status`` show.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from aggregator.crawlerrors import first_error
from aggregator.config import CONFIG_KEY, config_ref
from aggregator.crawlsettings import crawl_source
from aggregator.crawlstore import store_of
from aggregator.storehealth import UNAVAILABLE_KEY, store_failed
from aggregator.health import confirmed_unchanged

logger = logging.getLogger(__name__)

RUN_ID_KEY = "aggregator/run_id"
#: stat: how many articles of the source the store holds after the run
STORED_KEY = "aggregator/source/articles_stored"


@dataclass
class SourceReport:
    """What one source's crawl did."""

    name: str
    ok: bool
    error: str = ""
    pages: int = 0
    new: int = 0
    updated: int = 0
    #: parsed again, and the store found nothing changed
    unchanged: int = 0
    #: known articles not parsed again: 304, same body, or not asked (see health.summarise)
    confirmed: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    bytes: int = 0
    seconds: float = 0.0
    #: feed / sitemap entries not crawlable (off-site, javascript: ...)
    rejected_entries: int = 0
    #: the source's articles in the store after the run (None: not known)
    stored: int | None = None
    #: the store became unreachable during the run (aggregator.storehealth)
    store_lost: bool = False

    @property
    def articles(self) -> int:
        return self.new + self.updated + self.unchanged + self.confirmed


def no_article_hint(report: SourceReport) -> str:
    """Why a source that answered may have no article, for the warning and the summary."""
    if report.rejected_entries:
        return (f": {report.rejected_entries} feed/sitemap entries were off-site or not"
                " crawlable (see the source's allowed_domains)")
    return ": no page it fetched was an article (see `aggregator extract` on one)"


def source_report(name: str, stats: dict[str, Any], seconds: float | None = None) -> SourceReport:
    """The report of a source's crawl from its stats: ok when at least one page came back
    (200 or 304) and the crawl finished normally; else the first error it sampled."""
    errors = {k.rsplit("/", 1)[1]: int(v) for k, v in stats.items()
              if k.startswith("aggregator/errors/")}
    dropped = {k.rsplit("/", 1)[1]: int(v) for k, v in stats.items()
               if k.startswith("aggregator/dropped/")}
    ok_pages = sum(int(v) for k, v in stats.items()
                   if k.startswith("downloader/response_status_count/") and k[-3:] in ("200", "304"))
    error = first_error(stats)
    finish = str(stats.get("finish_reason", ""))
    ok = ok_pages > 0 and finish in ("finished", "closespider_pagecount", "")
    if stats.get(UNAVAILABLE_KEY):
        ok, error = False, str(stats[UNAVAILABLE_KEY])
    if not ok and not error:
        error = f"no page could be fetched (finish reason: {finish or 'unknown'})"
    return SourceReport(
        name=name, ok=ok, error="" if ok else error,
        pages=int(stats.get("response_received_count", 0)),
        new=int(stats.get("aggregator/store/new", 0)),
        updated=int(stats.get("aggregator/store/updated", 0)),
        unchanged=int(stats.get("aggregator/store/unchanged", 0)),
        confirmed=confirmed_unchanged(stats),
        dropped=dropped, errors=errors,
        bytes=int(stats.get("downloader/response_bytes", 0)),
        seconds=float(stats.get("elapsed_time_seconds", seconds or 0.0)),
        rejected_entries=int(stats.get("aggregator/discovery/rejected_entries", 0)),
        stored=int(stats[STORED_KEY]) if STORED_KEY in stats else None,
        store_lost=bool(stats.get(UNAVAILABLE_KEY)),
    )


class RunRecorder:
    """Saves the source and opens its run when the spider opens; writes the run's stats and
    outcome when it closes (after Scrapy's core stats have set the finish reason)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run_id: int | None = None
        self.source = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RunRecorder":
        recorder = cls(crawler)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_opened(self, spider: Spider) -> None:
        src = crawl_source(self.crawler.settings)
        if src is None:
            return
        store = store_of(self.crawler)
        store.save_source(src.name, src.title or src.name, src.home)
        self.source = src.name
        self.run_id = store.start_run(src.name)
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(RUN_ID_KEY, self.run_id)
        config = self.crawler.settings.get("AGGREGATOR_LOADED_CONFIG")
        if config is not None:
            self.crawler.stats.set_value(CONFIG_KEY, config_ref(config))

    def spider_closed(self, spider: Spider, reason: str = "") -> None:
        if self.run_id is None or store_failed(self.crawler):
            return  # no store to write the run to: the summary says why
        assert self.crawler.stats is not None
        store = store_of(self.crawler)
        stored = store.count_articles(self.source)
        self.crawler.stats.set_value(STORED_KEY, stored)
        stats = self.crawler.stats.get_stats()
        report = source_report(self.source, stats)
        if report.ok and stored == 0:
            # "ok" with nothing to show: say why where a cron log is read
            logger.warning("%s: no article stored yet%s", self.source, no_article_hint(report))
        store.finish_run(self.run_id, stats, report.ok, report.error)
