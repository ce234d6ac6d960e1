"""One story once: the copies of a story published by several sources (syndicated or
press-release copies with small edits) are grouped into one story in the store.

Runs after the store pipeline: the article is stored, then its body's MinHash signature is
compared, through an LSH index, with every signature the store holds. The index lives in
memory and is brought up to date from the store before each article
(``Store.signatures_since``), so crawlers of several sources running at once -- and earlier
runs -- all see each other's articles.

Stats: ``aggregator/stories/{new,joined,kept,unchanged,too_short}`` and
``aggregator/stories/microseconds`` (time spent, for the cost per article).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy.crawler import Crawler

from aggregator.items import Article
from aggregator.normalize import dedup
from aggregator.pipelines.storeaccess import StoreBackedPipeline

logger = logging.getLogger(__name__)


class StoriesPipeline(StoreBackedPipeline):
    name = "stories"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.threshold = self.settings.getfloat("AGGREGATOR_STORY_THRESHOLD",
                                                dedup.DEFAULT_THRESHOLD)
        self.index = dedup.StoryIndex(self.threshold)
        self.story_by_url: dict[str, int | None] = {}
        self.seq = 0

    def open_spider(self, spider: Any = None) -> None:
        super().open_spider(spider)
        self.index = dedup.StoryIndex(self.threshold)
        self.story_by_url = {}
        self.seq = 0

    def sync(self) -> None:
        """Index the signatures stored or changed since the last sync."""
        assert self.store is not None
        for seq, url, story_id, blob, source in self.store.signatures_since(self.seq):
            try:
                self.index.add(url, dedup.from_blob(blob), source)
            except ValueError as exc:
                logger.warning("%s: stored MinHash signature unusable: %s", url, exc)
                self.count("bad_signature")
                continue
            finally:
                self.seq = max(self.seq, seq)
            self.story_by_url[url] = story_id

    def process_article(self, article: Article) -> Article:
        if self.store is None:
            return article
        started = time.perf_counter()
        try:
            self.count(self.group(article))
        finally:
            self.count("microseconds", int((time.perf_counter() - started) * 1e6))
        return article

    def group(self, article: Article) -> str:
        """Put the stored article in its story; the event to count."""
        assert self.store is not None
        key = article.canonical_url or article.url
        state = self.store.story_state(key)
        if state is None:  # not stored (dropped after this pipeline was ordered?)
            return "not_stored"
        current_story, current_blob = state
        sig = dedup.signature(article.body_text)
        blob = dedup.to_blob(sig) if sig is not None else None
        if current_story is not None and blob == current_blob:
            return "unchanged"
        if sig is None:
            self.store.set_story(key, current_story, None)
            self.index.discard(key)
            return "too_short"
        self.sync()
        match = self.index.best_match(sig, exclude=[key], source=article.source)
        target = self.story_by_url.get(match[0]) if match else None
        story = self.store.set_story(key, target if target is not None else current_story, blob)
        self.index.add(key, sig, article.source)
        self.story_by_url[key] = story
        if match is not None and target is not None and target != current_story:
            logger.info("%s is a copy of %s (similarity %.2f): story %d", key, match[0],
                        match[1], story)
            return "joined"
        return "kept" if current_story is not None else "new"
