"""The crawl's stats collector (aggregator.stats)."""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from aggregator import settings as project_settings
from aggregator.stats import StatsCollector


def test_the_project_counts_with_it() -> None:
    crawler = get_crawler(settings_dict={"STATS_CLASS": project_settings.STATS_CLASS})
    assert type(crawler.stats) is StatsCollector


def test_it_keeps_what_scrapys_collector_keeps() -> None:
    ours, scrapys = StatsCollector(get_crawler()), MemoryStatsCollector(get_crawler())
    for stats in (ours, scrapys):
        stats.open_spider()
        stats.inc_value("a"), stats.inc_value("a", 4), stats.inc_value("b", start=10)
        stats.max_value("m", 3), stats.max_value("m", 1), stats.min_value("n", 5)
        stats.min_value("n", 2), stats.set_value("s", "x")
    assert ours.get_stats() == scrapys.get_stats() == {"a": 5, "b": 11, "m": 3, "n": 2, "s": "x"}
    assert ours.get_value("missing", 7) == 7


def test_its_attributes_are_read_without_scrapys_per_call_shim() -> None:
    stats = StatsCollector(get_crawler())
    assert type(stats).__getattribute__ is object.__getattribute__
    # Scrapy's shim caches a wrapped method on the instance at each first use: none here
    stats.inc_value("a")
    assert not [name for name in vars(stats) if name.startswith("_cached_")]
