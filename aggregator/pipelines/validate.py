"""Drop items that are not articles: no usable URL, no title or no body text.

These are the only reasons an article is dropped; each is counted as
``aggregator/dropped/<reason>`` and logged with the URL. Text is judged as the text step
will leave it, so a title of zero-width spaces is no title.
"""

from __future__ import annotations

import logging

from aggregator.urls import split
from aggregator.items import Article
from aggregator.normalize.text import has_text
from aggregator.pipelines import ArticlePipeline

logger = logging.getLogger(__name__)


def invalid_reason(article: Article) -> str | None:
    """Why ``article`` can't be stored (``no_url``, ``bad_url``, ``no_title``, ``no_body``),
    or None."""
    if not article.url or not article.url.strip():
        return "no_url"
    try:
        parts = split(article.url.strip())
    except ValueError:
        return "bad_url"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "bad_url"
    if not has_text(article.title):
        return "no_title"
    if not has_text(article.body_text):
        return "no_body"
    return None


class ValidatePipeline(ArticlePipeline):
    name = "validate"

    def process_article(self, article: Article) -> Article:
        reason = invalid_reason(article)
        if reason is not None:
            logger.info("Dropping %s: %s", article.url or "<no url>", reason)
            raise self.drop(reason, article)
        self.count("valid")
        return article
