"""Item pipelines: small, single-purpose, ordered in ``ITEM_PIPELINES``.

Each counts what it does in the crawl stats as ``aggregator/<pipeline>/<event>``
and drops an item only with a reason (``aggregator/dropped/<reason>``).
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from aggregator.config import Source
from aggregator.crawlsettings import crawl_source
from aggregator.items import Article


class ArticlePipeline:
    """Base of the project's pipelines: holds the crawler, counts events.

    Subclasses set ``name`` and implement :meth:`process_article`.
    """

    name = "pipeline"

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.settings = crawler.settings
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ArticlePipeline":
        return cls(crawler)

    def count(self, event: str, n: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"aggregator/{self.name}/{event}", n)

    def drop(self, reason: str, item: Article, detail: str = "") -> DropItem:
        """A DropItem to raise, counted under ``aggregator/dropped/<reason>``."""
        if self.stats is not None:
            self.stats.inc_value(f"aggregator/dropped/{reason}")
        url = getattr(item, "url", "") or ItemAdapter(item).get("url", "")
        return DropItem(f"{reason}: {url}" + (f" ({detail})" if detail else ""))

    @property
    def source_config(self) -> Source | None:
        """The :class:`aggregator.config.Source` the crawler crawls (``AGGREGATOR_SOURCE``
        in its settings), if any."""
        return crawl_source(self.crawler.settings)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Article):
            return item
        return self.process_article(item)

    def process_article(self, article: Article) -> Article:
        raise NotImplementedError
