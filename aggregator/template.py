"""Learn each source's page template while crawling it.

A crawler sees many pages of one source. Links that recur on most of them are the site's
navigation or its site-wide lists ("most read", "latest"); a related block recurs too, but its
links change from article to article. :class:`TemplateStats` keeps, per source, on how many of
the pages seen each link URL and each link-block signature appeared;
:func:`aggregator.extraction.related.find_related` uses it to drop template links and to
confirm the source's related block. The statistics are bounded: at most
:data:`MAX_LINKS` URLs and :data:`MAX_BLOCKS` block signatures per source (the rarest are
forgotten first), and counts halve every :data:`WINDOW` pages, so a redesign is learned
within a few hundred pages.

>>> stats = TemplateStats()
>>> for i in range(10):
...     stats.observe({"https://ex.com/about", f"https://ex.com/2024/story-{i}"}, {"ul.related"})
>>> stats.pages, stats.link_share("https://ex.com/about")
(10.0, 1.0)
>>> stats.link_share("https://ex.com/2024/story-3")
0.1
>>> stats.block_share("ul.related"), stats.link_share("https://ex.com/unknown")
(1.0, 0.0)
>>> TemplateStats.from_json(stats.to_json()).link_share("https://ex.com/about")
1.0

The crawl's side is :class:`TemplateLearning`: one per source crawl, loaded from the store
when the spider opens and saved when it closes (and every :data:`SAVE_EVERY` pages, so a
killed crawl keeps most of what it learned). Pages are judged with the statistics as they
stood when the run started, so that what a run stores does not depend on the order its
pages arrived in (nor on the extraction worker that took them): a source's first run judges
each page alone, every later run with all the pages seen before it.
``AGGREGATOR_TEMPLATE_LEARNING = False`` turns it off: every page is then judged on its own,
as ``aggregator extract`` judges one page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from aggregator.items import Article
from aggregator.crawlstore import store_of
from aggregator.storehealth import store_failed

logger = logging.getLogger(__name__)

#: URLs and block signatures kept per source
MAX_LINKS = 4000
MAX_BLOCKS = 400
#: counts (and the page count) halve once this many pages were seen since the last halving
WINDOW = 400
#: the crawl saves what it learned every this many pages (a save reads, merges and writes
#: the source's statistics, ~4 ms: every 50 pages it was 1% of a crawl's CPU)
SAVE_EVERY = 200
STATS = "aggregator/template/"


@dataclass
class TemplateStats:
    """On how many of a source's pages each link URL and block signature appeared."""

    pages: float = 0.0
    links: dict[str, float] = field(default_factory=dict)
    blocks: dict[str, float] = field(default_factory=dict)
    #: pages seen since the counts last halved
    since_decay: int = 0

    def link_share(self, url: str) -> float:
        """The share of the pages seen that link to ``url``."""
        return self.links.get(url, 0.0) / self.pages if self.pages else 0.0

    def block_share(self, signature: str) -> float:
        """The share of the pages seen that have a link block with ``signature``."""
        return self.blocks.get(signature, 0.0) / self.pages if self.pages else 0.0

    def observe(self, links: Iterable[str], blocks: Iterable[str]) -> None:
        """Count one more page with these (distinct) link URLs and block signatures."""
        self.pages += 1
        for url in set(links):
            self.links[url] = self.links.get(url, 0.0) + 1
        for signature in set(blocks):
            self.blocks[signature] = self.blocks.get(signature, 0.0) + 1
        self.since_decay += 1
        if self.since_decay >= WINDOW:
            self._decay()
        _bound(self.links, MAX_LINKS)
        _bound(self.blocks, MAX_BLOCKS)

    def _decay(self) -> None:
        self.since_decay = 0
        self.pages /= 2
        for counts in (self.links, self.blocks):
            for key in list(counts):
                counts[key] /= 2
                if counts[key] < 0.5:
                    del counts[key]

    def to_json(self) -> str:
        return json.dumps({"pages": self.pages, "since_decay": self.since_decay,
                           "links": self.links, "blocks": self.blocks}, sort_keys=True)

    def merged(self, other: TemplateStats) -> TemplateStats:
        """These statistics with the pages of ``other`` added (another crawler's since its
        last save), decayed and bounded as if they had been observed here.

        >>> a, b = TemplateStats(), TemplateStats()
        >>> a.observe({"https://ex.com/about"}, set()); b.observe({"https://ex.com/about"}, set())
        >>> both = a.merged(b)
        >>> both.pages, both.link_share("https://ex.com/about")
        (2.0, 1.0)
        """
        out = TemplateStats.from_json(self.to_json())
        out.pages += other.pages
        for mine, theirs in ((out.links, other.links), (out.blocks, other.blocks)):
            for key, count in theirs.items():
                mine[key] = mine.get(key, 0.0) + count
        out.since_decay += int(other.pages)
        if out.since_decay >= WINDOW:
            out._decay()
        _bound(out.links, MAX_LINKS)
        _bound(out.blocks, MAX_BLOCKS)
        return out

    @classmethod
    def from_json(cls, text: str) -> TemplateStats:
        data = json.loads(text)
        return cls(float(data.get("pages", 0)), dict(data.get("links", {})),
                   dict(data.get("blocks", {})), int(data.get("since_decay", 0)))


#: what a source's first run judges its pages with (nothing: each page alone)
_NOTHING_YET = TemplateStats()


def _bound(counts: dict[str, float], limit: int) -> None:
    """Forget the rarest keys once ``counts`` holds more than ``limit`` (down to 80%)."""
    if len(counts) <= limit:
        return
    keep = sorted(counts.items(), key=lambda item: item[1], reverse=True)[: int(limit * 0.8)]
    counts.clear()
    counts.update(keep)


class TemplateLearning:
    """The template statistics of one source's crawl; built by :meth:`from_crawler`."""

    def __init__(self, crawler: Crawler, source: str, *, enabled: bool = True) -> None:
        self.crawler = crawler
        self.source = source
        self.enabled = enabled
        #: what was learned, this run included
        self.stats = TemplateStats()
        #: the pages observed since the last save: what a save adds to the stored statistics
        self.unsaved = TemplateStats()
        #: what was learned before this run: the statistics pages are judged with
        self.before_run: TemplateStats | None = None
        self._unsaved = 0
        self._loaded = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, source: str) -> TemplateLearning:
        learning = cls(crawler, source,
                       enabled=crawler.settings.getbool("AGGREGATOR_TEMPLATE_LEARNING", True))
        if learning.enabled:
            crawler.signals.connect(learning.spider_closed, signal=signals.spider_closed)
        return learning

    @property
    def current(self) -> TemplateStats | None:
        """The statistics to extract a page with: what runs before this one learned (empty
        on a source's first run); None when learning is off."""
        if not self.enabled:
            return None
        if not self._loaded:
            self.load()
        return self.before_run if self.before_run is not None else _NOTHING_YET

    def load(self) -> None:
        """What earlier runs learned (read once, from the crawler's store)."""
        self._loaded = True
        saved = store_of(self.crawler).load_template(self.source)
        if saved:
            try:
                self.stats = TemplateStats.from_json(saved)
                self.before_run = TemplateStats.from_json(saved)
            except (ValueError, TypeError, AttributeError) as exc:
                logger.warning("%s: stored template statistics unreadable (%s); starting "
                               "afresh", self.source, exc)

    def observe(self, article: Article) -> None:
        """Count the page ``article`` came from; takes its observation off the item."""
        seen, article.page_links = article.page_links, None
        if not self.enabled or seen is None:
            return
        if not self._loaded:
            self.load()
        self.stats.observe(seen.links, seen.blocks)
        self.unsaved.observe(seen.links, seen.blocks)
        self.crawler.stats.inc_value(STATS + "pages")
        self._unsaved += 1
        if self._unsaved >= SAVE_EVERY:
            self.save()

    def save(self) -> None:
        """Add the pages observed since the last save to the stored statistics, in one
        store transaction: crawlers of this source on other machines (``aggregator worker``)
        add theirs too, none overwrites another's."""
        if not self._unsaved:
            return
        delta, source = self.unsaved, self.source

        def add(saved: str | None) -> str:
            base = TemplateStats()
            if saved:
                try:
                    base = TemplateStats.from_json(saved)
                except (ValueError, TypeError, AttributeError) as exc:
                    logger.warning("%s: stored template statistics unreadable (%s); "
                                   "replacing them", source, exc)
            self.stats = base.merged(delta)
            return self.stats.to_json()

        store_of(self.crawler).update_template(self.source, add)
        self.unsaved = TemplateStats()
        self._unsaved = 0

    def spider_closed(self, spider: Any = None) -> None:
        if not store_failed(self.crawler):
            self.save()
