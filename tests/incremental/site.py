"""The generated site the incremental tests fetch from, its config, and a crawler of it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from scrapy.crawler import Crawler

from aggregator.crawlstore import CrawlStore, store_of
from aggregator.demo.server import SiteServer
from aggregator.store import Store
from tests.crawl.sitegen import SiteSpec, article_path, config_text, write_site
from tests.helpers.crawler import news_crawler
from tests.helpers.site import served

SPEC = SiteSpec(articles=6)
HOST = f"http://{SPEC.host}"
FEED = f"{HOST}/feed.xml"
SITEMAP_INDEX = f"{HOST}/sitemap.xml"
SITEMAP = f"{HOST}/sitemap-articles.xml"


def article(i: int) -> str:
    """The canonical URL of generated article ``i``."""
    return HOST + article_path(i)


@dataclass
class Crawl:
    """A crawler of the generated site's source ``gen``, not started, and the site's server."""

    crawler: Crawler
    server: SiteServer

    @property
    def store(self) -> Store:
        return store_of(self.crawler)

    def stat(self, key: str) -> object:
        assert self.crawler.stats is not None
        return self.crawler.stats.get_value(key)


def crawl_of_site(tmp: Path) -> Iterator[Crawl]:
    """The site written to ``tmp/site`` and served, its config, a crawler of it (for a
    fixture: closes the store and stops the server after the test)."""
    write_site(tmp / "site", SPEC)
    config = tmp / "sources.toml"
    config.write_text(config_text(SPEC))
    with served(tmp / "site") as server:
        crawler = news_crawler(tmp / "data", config, "gen")
        try:
            yield Crawl(crawler, server)
        finally:
            holder = crawler.get_extension(CrawlStore)
            assert holder is not None
            holder.close()
