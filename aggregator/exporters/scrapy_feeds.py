"""RSS, Atom and JSON Feed as Scrapy feed exporters, registered in ``FEED_EXPORTERS``:
``scrapy crawl news -a source=X -O out.atom:atom`` (or ``:rss``, ``:jsonfeed``)."""

from __future__ import annotations

import logging
from typing import Any, BinaryIO

from scrapy.exporters import BaseItemExporter

from aggregator.exporters.feeds import render
from aggregator.exporters.model import FeedEntry, FeedSpec
from aggregator.exporters.validate import entry_problem
from aggregator.items import Article

logger = logging.getLogger(__name__)


class _FeedItemExporter(BaseItemExporter):
    fmt = ""

    def __init__(self, file: BinaryIO, **kwargs: Any) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        self.entries: dict[str, FeedEntry] = {}

    def export_item(self, item: Any) -> None:
        if not isinstance(item, Article):
            return
        entry = FeedEntry.from_article(item)
        problem = entry_problem(entry)
        if problem:
            logger.warning("Feed entry %s dropped: %s", entry.id, problem)
            return
        self.entries[entry.id] = entry  # one entry per canonical URL, the last one wins

    def finish_exporting(self) -> None:
        entries = sorted(self.entries.values(), key=lambda e: (-e.published.timestamp(), e.id))
        link = entries[0].link if entries else "about:blank"
        spec = FeedSpec(name="export", title="aggregator export", link=link, entries=entries)
        self.file.write(render(spec, self.fmt))


class RssItemExporter(_FeedItemExporter):
    fmt = "rss"


class AtomItemExporter(_FeedItemExporter):
    fmt = "atom"


class JsonFeedItemExporter(_FeedItemExporter):
    fmt = "json"
