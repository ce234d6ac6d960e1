"""Drop items that are not articles: no URL, no title or no body."""

from __future__ import annotations

from aggregator.items import Article
from aggregator.pipelines import ArticlePipeline


class ValidatePipeline(ArticlePipeline):
    name = "validate"

    def process_article(self, article: Article) -> Article:
        if not article.url:
            raise self.drop("no_url", article)
        if not article.title.strip():
            raise self.drop("no_title", article)
        if not article.body_text.strip():
            raise self.drop("no_body", article)
        self.count("valid")
        return article
