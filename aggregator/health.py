"""Source health: what each run did, and warnings when a source drifts.

:class:`CoverageStats` (an extension) counts, per run, the stored articles that have a
date, an author, a lead image and suggested links (``aggregator/coverage/<field>``).
:func:`summarise` turns a run of the store's ``runs`` table into a :class:`RunSummary`;
:func:`drift_warnings` compares a source's last runs and says when it stopped yielding
articles or its field coverage dropped sharply -- what a site redesign looks like.

>>> from datetime import datetime, timezone
>>> done = datetime(2024, 5, 1, tzinfo=timezone.utc)
>>> runs = [RunSummary(run_id=2, source="s", finished=done, ok=True, extracted=5,
...                    coverage={"date": 0.0}),
...         RunSummary(run_id=1, source="s", finished=done, ok=True, extracted=5,
...                    coverage={"date": 1.0})]
>>> drift_warnings(runs)
['coverage of date fell to 0% (was 100% in earlier runs): a site redesign?']
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from aggregator.items import Article

logger = logging.getLogger(__name__)

COVERAGE_FIELDS = ("date", "author", "image", "related")
#: a run needs this many extracted articles for its coverage to count
MIN_COVERAGE_ARTICLES = 3
#: a coverage fall of this much (0..1) against the earlier runs' mean is a warning
COVERAGE_DROP = 0.3
#: earlier runs the latest one is compared with
BASELINE_RUNS = 5

_PREFIX = "aggregator/coverage/"


class CoverageStats:
    """Counts ``aggregator/coverage/articles`` and ``aggregator/coverage/<field>`` for
    every article that passed the pipelines."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "CoverageStats":
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    def item_scraped(self, item: Any, response: Response | None = None, spider: Any = None) -> None:
        if not isinstance(item, Article) or self.stats is None:
            return
        self.stats.inc_value(_PREFIX + "articles")
        present = {"date": item.published is not None, "author": bool(item.authors),
                   "image": item.image is not None, "related": bool(item.related)}
        for name, ok in present.items():
            self.stats.inc_value(_PREFIX + name, int(ok))


@dataclass
class RunSummary:
    """One recorded run of one source, read from its stats."""

    run_id: int
    source: str
    started: datetime | None = None
    finished: datetime | None = None
    ok: bool | None = None
    error: str = ""
    pages: int = 0
    bytes: int = 0
    seconds: float = 0.0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    #: articles that went through extraction and the pipelines this run
    extracted: int = 0
    #: known articles not parsed again: 304, same body, or skipped by date / age
    confirmed: int = 0
    #: feed and sitemap entries never seen before, fetched this run
    new_entries: int = 0
    #: pages that were articles and are not recognised as articles any more
    lost_articles: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    #: URLs that failed lately and were not asked this run (exponential back-off)
    backing_off: int = 0
    #: field -> share (0..1) of the extracted articles that have it
    coverage: dict[str, float] = field(default_factory=dict)

    @property
    def interrupted(self) -> bool:
        """Started and never finished: killed, or still running."""
        return self.finished is None

    @property
    def articles_seen(self) -> int:
        return self.extracted + self.confirmed


#: error kinds (``aggregator/errors/<kind>``) of exceptions raised in our own code -- a
#: callback or a pipeline -- that lost an article or a page's links
LOST_PREFIXES = ("item_error_", "spider_exception_")


def lost_to_errors(errors: dict[str, int]) -> int:
    """How many items or pages the errors of a run lost (see :data:`LOST_PREFIXES`).

    >>> lost_to_errors({"http_404": 2, "item_error_KeyError": 1, "spider_exception_ValueError": 1})
    2
    """
    return sum(n for kind, n in errors.items() if kind.startswith(LOST_PREFIXES))


def _suffix_counts(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: int(v) for k, v in stats.items() if k.startswith(prefix)}


#: aggregator/incremental/<key>: a known article found unchanged without parsing it again
CONFIRMED_KEYS = ("leaf_not_modified", "leaf_same_body", "skipped_by_date", "skipped_not_recent")


def confirmed_unchanged(stats: dict[str, Any]) -> int:
    """Known articles a run found unchanged without parsing them: a 304, the same body, or
    not asked because a feed or sitemap date (or their age) says they did not change.

    >>> confirmed_unchanged({"aggregator/incremental/leaf_not_modified": 3,
    ...                      "aggregator/incremental/skipped_by_date": 2})
    5
    """
    return sum(int(stats.get("aggregator/incremental/" + key, 0)) for key in CONFIRMED_KEYS)


def summarise(run: dict[str, Any]) -> RunSummary:
    """A :class:`RunSummary` of a row of the store's ``runs`` table (``stats`` decoded)."""
    stats: dict[str, Any] = run.get("stats") or {}
    inc = _suffix_counts(stats, "aggregator/incremental/")
    cov = _suffix_counts(stats, _PREFIX)
    total = cov.get("articles", 0)
    coverage = {name: cov.get(name, 0) / total for name in COVERAGE_FIELDS} if total else {}
    started, finished = run.get("started"), run.get("finished")
    return RunSummary(
        run_id=int(run["id"]), source=run["source"],
        started=datetime.fromisoformat(started) if started else None,
        finished=datetime.fromisoformat(finished) if finished else None,
        ok=None if run.get("ok") is None else bool(run["ok"]), error=run.get("error") or "",
        pages=int(stats.get("response_received_count", 0)),
        bytes=int(stats.get("downloader/response_bytes", 0)),
        seconds=float(stats.get("elapsed_time_seconds", 0.0)),
        new=int(stats.get("aggregator/store/new", 0)),
        updated=int(stats.get("aggregator/store/updated", 0)),
        unchanged=int(stats.get("aggregator/store/unchanged", 0)),
        extracted=int(stats.get("aggregator/pages/article", 0)),
        confirmed=confirmed_unchanged(stats),
        new_entries=inc.get("new_entries", 0), lost_articles=inc.get("lost_articles", 0),
        dropped=_suffix_counts(stats, "aggregator/dropped/"),
        errors=_suffix_counts(stats, "aggregator/errors/"), coverage=coverage,
        backing_off=inc.get("skipped_failing", 0),
    )


def drift_warnings(runs: list[RunSummary]) -> list[str]:
    """Warnings about the newest finished run of ``runs`` (one source, newest first)."""
    finished = [r for r in runs if not r.interrupted]
    if not finished:
        return []
    last, earlier = finished[0], finished[1:]
    out: list[str] = []
    lost = lost_to_errors(last.errors)
    if lost:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(last.errors.items())
                          if k.startswith(LOST_PREFIXES))
        out.append(f"{lost} article(s) or page(s) lost to exceptions in a callback or a"
                   f" pipeline ({kinds}): see the crawl log")
    if last.lost_articles:
        out.append(f"{last.lost_articles} page(s) that were articles are not recognised as"
                   " articles any more: a site redesign?")
    if last.ok and last.extracted == 0 and any(r.extracted for r in earlier):
        if last.new_entries:
            out.append(f"{last.new_entries} new feed/sitemap entries were fetched but no article"
                       " was extracted (earlier runs yielded articles)")
        elif last.articles_seen == 0:
            out.append("no articles found this run (earlier runs yielded articles)")
    if last.extracted >= MIN_COVERAGE_ARTICLES and last.coverage:
        base = [r for r in earlier if r.extracted >= MIN_COVERAGE_ARTICLES and r.coverage]
        base = base[:BASELINE_RUNS]
        if base:
            for name in COVERAGE_FIELDS:
                before = sum(r.coverage.get(name, 0.0) for r in base) / len(base)
                now = last.coverage.get(name, 0.0)
                if before - now >= COVERAGE_DROP:
                    out.append(f"coverage of {name} fell to {now:.0%} (was {before:.0%} in earlier"
                               " runs): a site redesign?")
    return out
