"""Scrapy crawlers for in-process component tests: one with the store extension enabled, one
of the news spider with every project component, and the means to run their async
iterators without a reactor."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy.crawler import AsyncCrawlerRunner, Crawler, CrawlerRunner
from scrapy.settings import Settings
from scrapy.utils.reactor import is_reactor_installed
from scrapy.utils.test import get_crawler, get_reactor_settings

#: the extension that owns a crawler's store connection (aggregator.crawlstore)
STORE_EXTENSION = {"aggregator.crawlstore.CrawlStore": 100}


def crawler_with_store(data_dir: Any, spidercls: type | None = None, **settings: Any) -> Crawler:
    """A crawler whose components share one store in ``data_dir``, its stats open."""
    crawler = get_crawler(spidercls, settings_dict={
        "AGGREGATOR_DATA_DIR": str(data_dir), "EXTENSIONS": STORE_EXTENSION, **settings})
    crawler.stats.open_spider()
    return crawler


def news_crawler(data_dir: Any, config: Any, source: str, **settings: Any) -> Crawler:
    """A crawler of the news spider for ``source`` of the config file ``config``, built as
    ``scrapy crawl news -a source=... -a config=...`` builds one -- the spider, which applies
    its source's settings, then the project's components -- without starting it; its stats
    open. Feeds are not published, no progress line is drawn."""
    from spiders.news import NewsSpider  # the spider package is a sibling of aggregator

    project = Settings()
    project.setmodule("aggregator.settings", priority="project")
    project.setdict({"TELNETCONSOLE_ENABLED": False, **get_reactor_settings(),
                     "AGGREGATOR_DATA_DIR": str(data_dir), "AGGREGATOR_PUBLISH_FEEDS": False,
                     "AGGREGATOR_PROGRESS": "never", **settings}, priority="cmdline")
    runner = CrawlerRunner(project) if is_reactor_installed() else AsyncCrawlerRunner(project)
    crawler = runner.create_crawler(NewsSpider)
    crawler.spider = crawler._create_spider(source=source, config=str(config))
    crawler._apply_settings()
    crawler.stats.open_spider()
    return crawler


def drain(outputs: AsyncIterator[Any]) -> list[Any]:
    """What an async iterator yields, when it never waits on anything (a spider's ``start()``,
    a middleware's ``process_spider_output`` over it): no event loop needed."""
    collected: list[Any] = []

    async def collect() -> None:
        async for output in outputs:
            collected.append(output)

    step = collect()
    try:
        step.send(None)
    except StopIteration:
        return collected
    step.close()
    raise AssertionError("the iterator waited on something")


async def aiter_of(outputs: Iterable[Any]) -> AsyncIterator[Any]:
    """A callback's output (a list, a generator) as the async iterator middlewares get."""
    for output in outputs:
        yield output
