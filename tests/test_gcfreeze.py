"""The garbage-collection extension (aggregator.gcfreeze)."""

from __future__ import annotations

import gc

import pytest
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from aggregator.gcfreeze import FreezeStartup


def test_what_exists_when_the_engine_starts_is_left_out_of_collection() -> None:
    crawler = get_crawler()
    extension = FreezeStartup.from_crawler(crawler)  # kept: signals hold it weakly
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        crawler.signals.send_catch_log(signals.engine_started)
        assert gc.get_freeze_count() > 1000  # the modules and their objects
        assert extension is not None
    finally:
        crawler.signals.send_catch_log(signals.engine_stopped)
        gc.unfreeze()


def test_the_young_generation_is_collected_less_often_while_crawls_run() -> None:
    before = gc.get_threshold()
    first, second = get_crawler(), get_crawler(settings_dict={"AGGREGATOR_GC_FREEZE": False})
    extensions = [FreezeStartup.from_crawler(c) for c in (first, second)]
    try:
        first.signals.send_catch_log(signals.engine_started)
        assert gc.get_threshold() == (10_000, *before[1:])
        second.signals.send_catch_log(signals.engine_started)
        first.signals.send_catch_log(signals.engine_stopped)
        assert gc.get_threshold()[0] == 10_000  # the second crawl still runs
        second.signals.send_catch_log(signals.engine_stopped)
        assert gc.get_threshold() == before
        assert len(extensions) == 2
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def test_a_threshold_of_0_leaves_pythons_own() -> None:
    before = gc.get_threshold()
    crawler = get_crawler(settings_dict={"AGGREGATOR_GC_THRESHOLD": 0})
    extension = FreezeStartup.from_crawler(crawler)
    try:
        crawler.signals.send_catch_log(signals.engine_started)
        assert gc.get_threshold() == before and extension is not None
    finally:
        crawler.signals.send_catch_log(signals.engine_stopped)
        gc.unfreeze()


def test_it_is_switched_off_by_its_settings() -> None:
    with pytest.raises(NotConfigured):
        FreezeStartup.from_crawler(get_crawler(settings_dict={
            "AGGREGATOR_GC_FREEZE": False, "AGGREGATOR_GC_THRESHOLD": 0}))
