"""A fetched page handed to extraction, for the spider: what it is -- an article, another
kind of page -- or first a request to render it in the browser (:mod:`aggregator.rendering`).

The source's pieces meet here: its site rules (compiled once), its renderer (``render = true``
renders every page before extraction, ``"auto"`` the pages whose extraction says they need
it), the extraction function in this process or in worker processes
(:mod:`aggregator.workers`) and the template learned from its articles
(:mod:`aggregator.template`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import TextResponse

from aggregator.config import Source
from aggregator.extraction import SiteRules
from aggregator.items import Article, PageInfo
from aggregator.rendering import Renderer
from aggregator.template import TemplateLearning
from aggregator.workers import Extractor

logger = logging.getLogger(__name__)


class PageReader:
    """Reads the pages of one source (see the module); built by :meth:`from_crawler`."""

    def __init__(self, crawler: Crawler, source: Source, renderer: Renderer,
                 extractor: Extractor, template: TemplateLearning,
                 rules: SiteRules | None) -> None:
        self.crawler = crawler
        self.source = source
        self.renderer = renderer
        self.extractor = extractor
        self.template = template
        self.rules = rules

    @classmethod
    def from_crawler(cls, crawler: Crawler, source: Source) -> PageReader:
        """The reader of ``source``; a rendering source gets the browser's download handler
        in the crawler's settings (or a ConfigError naming it when Chromium is missing)."""
        renderer = Renderer.from_crawler(crawler, source)
        where = f"source {source.name!r}: key 'rules'"
        rules = SiteRules.from_mapping(source.rules, where) if source.rules else None
        return cls(crawler, source, renderer, Extractor.from_crawler(crawler),
                   TemplateLearning.from_crawler(crawler, source.name), rules)

    async def read(self, response: TextResponse, callback: Callable[..., Any],
                   errback: Callable[..., Any]) -> Request | Article | PageInfo:
        """The article or page info of ``response``, counted as ``aggregator/pages/<kind>``,
        or the request that renders it first (answered to ``callback`` / ``errback``). An
        article is dated now and learned from."""
        # fetched plain (conditionally) first: an unchanged page was never rendered again
        reason = self.renderer.reason_before(response)
        if reason is None:
            result = await self.extractor.extract(response.body, response.url, rules=self.rules,
                                                  encoding=response.encoding,
                                                  template=self.template.current)
            reason = self.renderer.reason_after(response, result)
        if reason is not None:
            return self.renderer.request(response, reason, callback, errback)
        assert self.crawler.stats is not None
        if isinstance(result, Article):
            self.template.observe(result)
            self.crawler.stats.inc_value("aggregator/pages/article")
            result.source = self.source.name
            result.fetched_at = datetime.now(timezone.utc)
        else:
            self.crawler.stats.inc_value(f"aggregator/pages/{result.kind}")
            logger.debug("Not an article (%s): %s %s", result.kind, response.url, result.reason)
        return result
