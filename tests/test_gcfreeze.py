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
        gc.unfreeze()


def test_it_is_switched_off_by_its_setting() -> None:
    with pytest.raises(NotConfigured):
        FreezeStartup.from_crawler(get_crawler(settings_dict={"AGGREGATOR_GC_FREEZE": False}))
