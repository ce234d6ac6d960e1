"""Suggested links: cleaned (absolute, canonical, tracking-free, de-duplicated, renumbered,
internal/external), and resolved to the articles the store already holds
(``RelatedLink.article_url``). The store keeps them as edges: ``Store.iter_links()``."""

from __future__ import annotations

import logging

from aggregator.items import Article
from aggregator.normalize import apply_links
from aggregator.pipelines.storeaccess import StoreBackedPipeline

logger = logging.getLogger(__name__)


class LinksPipeline(StoreBackedPipeline):
    name = "links"
    step = staticmethod(apply_links)

    def process_article(self, article: Article) -> Article:
        article = super().process_article(article)
        if self.store is None or not article.related:
            return article
        known = self.store.known_urls([link.url for link in article.related])
        for link in article.related:
            link.article_url = link.url if link.url in known else None
        self.count("resolved", sum(1 for link in article.related if link.article_url))
        return article
