"""RSS and Atom as Scrapy feed exporters: ``scrapy crawl news -a source=X -O out.atom:atom``."""

from __future__ import annotations

from typing import Any, BinaryIO

from scrapy.exporters import BaseItemExporter

from aggregator.exporters.feeds import FeedSpec, render
from aggregator.items import Article


class _FeedItemExporter(BaseItemExporter):
    fmt = ""

    def __init__(self, file: BinaryIO, **kwargs: Any) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        self.articles: list[Article] = []

    def export_item(self, item: Any) -> None:
        if isinstance(item, Article):
            self.articles.append(item)

    def finish_exporting(self) -> None:
        articles = sorted(self.articles, key=_newest_first)
        link = (articles[0].canonical_url or articles[0].url) if articles else "about:blank"
        spec = FeedSpec(name="export", title="aggregator export", link=link, articles=articles)
        self.file.write(render(spec, self.fmt))


def _newest_first(article: Article) -> tuple[float, str]:
    ts = article.published.timestamp() if article.published else 0.0
    return (-ts, article.canonical_url)


class RssItemExporter(_FeedItemExporter):
    fmt = "rss"


class AtomItemExporter(_FeedItemExporter):
    fmt = "atom"
