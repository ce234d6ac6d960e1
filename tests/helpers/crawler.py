"""Scrapy crawlers for in-process component tests: one with the store extension enabled, one
of the news spider with every project component, and the means to run their async
iterators without a reactor."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

from scrapy.crawler import AsyncCrawlerRunner, Crawler, CrawlerRunner
from scrapy.settings import Settings
from scrapy.utils.reactor import is_reactor_installed
from scrapy.utils.test import get_crawler, get_reactor_settings

REPO = Path(__file__).resolve().parents[2]

#: the extension that owns a crawler's store connection (aggregator.crawlstore)
STORE_EXTENSION = {"aggregator.crawlstore.CrawlStore": 100}


def crawler_with_store(data_dir: Any, spidercls: type | None = None, **settings: Any) -> Crawler:
    """A crawler whose components share one store in ``data_dir``, its stats open."""
    crawler = get_crawler(spidercls, settings_dict={
        "AGGREGATOR_DATA_DIR": str(data_dir), "EXTENSIONS": STORE_EXTENSION, **settings})
    crawler.stats.open_spider()
    return crawler


def _project(data_dir: Any, settings: dict[str, Any]) -> Settings:
    """The project's settings for a test crawl in ``data_dir``: no feeds published, no
    progress line, ``settings`` on top (at the command line's priority)."""
    project = Settings()
    project.setmodule("aggregator.settings", priority="project")
    project.setdict({"AGGREGATOR_DATA_DIR": str(data_dir), "AGGREGATOR_PUBLISH_FEEDS": False,
                     "AGGREGATOR_PROGRESS": "never", **settings}, priority="cmdline")
    return project


def news_crawler(data_dir: Any, config: Any, source: str, **settings: Any) -> Crawler:
    """A crawler of the news spider for ``source`` of the config file ``config``, built as
    ``scrapy crawl news -a source=... -a config=...`` builds one -- the spider, which applies
    its source's settings, then the project's components -- without starting it; its stats
    open. Feeds are not published, no progress line is drawn."""
    from spiders.news import NewsSpider  # the spider package is a sibling of aggregator

    project = _project(data_dir, {"TELNETCONSOLE_ENABLED": False, **get_reactor_settings(),
                                  **settings})
    runner = CrawlerRunner(project) if is_reactor_installed() else AsyncCrawlerRunner(project)
    crawler = runner.create_crawler(NewsSpider)
    crawler.spider = crawler._create_spider(source=source, config=str(config))
    crawler._apply_settings()
    crawler.stats.open_spider()
    return crawler


def crawl_in_process(data_dir: Any, config: Any, source: str, routes: dict[str, str],
                     **settings: Any) -> dict[str, Any]:
    """Run the news spider's crawl of ``source`` through Scrapy's engine with every project
    component -- as ``scrapy crawl news -a source=... -a config=...`` does -- on an asyncio
    loop without a Twisted reactor (``TWISTED_REACTOR_ENABLED = False``: one process runs any
    number of crawls); hosts are routed to local servers by ``routes``. Returns the crawl's
    stats.

    In this process, unless an earlier test of it installed a Twisted reactor (Scrapy's
    ``get_crawler`` does): a reactorless crawl cannot run beside one, so the same crawl then
    runs in a fresh interpreter (``python -m tests.helpers.crawler``)."""
    args = {"data_dir": str(data_dir), "config": str(config), "source": source,
            "routes": routes, "settings": settings}
    if not is_reactor_installed():
        return _crawl(**args)
    done = subprocess.run([sys.executable, "-m", "tests.helpers.crawler"], cwd=REPO,
                          input=json.dumps(args), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.splitlines()[-1]))


def _crawl(data_dir: str, config: str, source: str, routes: dict[str, str],
           settings: dict[str, Any]) -> dict[str, Any]:
    from spiders.news import NewsSpider

    project = _project(data_dir, {"TWISTED_REACTOR_ENABLED": False,
                                  "AGGREGATOR_HOST_ROUTES": routes, **settings})
    crawler = AsyncCrawlerRunner(project).create_crawler(NewsSpider)
    asyncio.run(crawler.crawl_async(source=source, config=config))
    assert crawler.stats is not None
    return crawler.stats.get_stats()


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


if __name__ == "__main__":  # crawl_in_process in a fresh interpreter: arguments on stdin
    stats = _crawl(**json.loads(sys.stdin.read()))
    print(json.dumps(stats, default=str))
