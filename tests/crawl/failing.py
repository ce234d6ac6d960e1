"""Test-only Scrapy components that raise on one chosen URL, switched on through a source's
``settings`` table (``ITEM_PIPELINES`` / ``SPIDER_MIDDLEWARES`` / ``TEST_RAISE_ON``) by
tests/crawl/test_sitemaps_and_errors.py: a pipeline that is not DropItem failing, and a
callback failing, must be counted and reported while the crawl goes on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Response


class _RaisesOn:
    def __init__(self, fragment: str) -> None:
        self.fragment = fragment

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "_RaisesOn":
        return cls(crawler.settings.get(cls.setting, ""))


class RaisingPipeline(_RaisesOn):
    """Raises ``KeyError`` on the article whose URL contains ``TEST_RAISE_ON``."""

    setting = "TEST_RAISE_ON"

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if self.fragment and self.fragment in getattr(item, "url", ""):
            raise KeyError(f"test pipeline fails on {item.url}")
        return item


class RaisingSpiderMiddleware(_RaisesOn):
    """Raises ``ZeroDivisionError`` from the callback output of the page whose URL contains
    ``TEST_CALLBACK_RAISE_ON`` (what a bug in the spider's callback looks like to Scrapy)."""

    setting = "TEST_CALLBACK_RAISE_ON"

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any],
                                    spider: Any = None) -> AsyncIterator[Any]:
        if self.fragment and self.fragment in response.url:
            raise ZeroDivisionError(f"test callback fails on {response.url}")
        async for output in result:
            yield output
