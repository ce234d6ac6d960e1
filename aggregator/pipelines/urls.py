"""Give every article its canonical URL (see :mod:`aggregator.urls`)."""

from __future__ import annotations

from aggregator.items import Article
from aggregator.pipelines import ArticlePipeline
from aggregator.urls import choose_canonical


class CanonicalUrlPipeline(ArticlePipeline):
    name = "urls"

    def process_article(self, article: Article) -> Article:
        extra = self.settings.getlist("AGGREGATOR_TRACKING_PARAMS")
        before = article.canonical_url
        article.canonical_url = choose_canonical(article.url, before or None, extra)
        self.count("declared" if before and article.canonical_url != article.url else "own")
        return article
