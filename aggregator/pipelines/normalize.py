"""The per-article normalisation steps of :mod:`aggregator.normalize`, one pipeline each.

Every pipeline applies one step to the item in place and counts the step's events as
``aggregator/<step>/<event>``. A step that fails on odd input is logged with the article's URL,
counted as ``aggregator/<step>/error`` and leaves the item as it was: it never breaks a crawl.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from aggregator.items import Article
from aggregator.normalize import (NormalizeOptions, Step, apply_authors, apply_dates, apply_html,
                                  apply_links, apply_text, apply_urls)
from aggregator.pipelines import ArticlePipeline

logger = logging.getLogger(__name__)


def tracking_params(settings: BaseSettings) -> tuple[str, ...]:
    """``AGGREGATOR_TRACKING_PARAMS`` (the config's ``[aggregator] tracking_params`` are in
    it: :func:`aggregator.config.crawl_settings`), lower-cased, each once."""
    names = [n.strip().lower() for n in settings.getlist("AGGREGATOR_TRACKING_PARAMS") if n.strip()]
    return tuple(dict.fromkeys(names))


class NormalizeStepPipeline(ArticlePipeline):
    """Applies one step of :data:`aggregator.normalize.STEPS`."""

    step: Step

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.tracking_params = tracking_params(self.settings)
        self.future_tolerance = timedelta(
            seconds=self.settings.getfloat("AGGREGATOR_FUTURE_DATE_TOLERANCE", 900))
        self._options: NormalizeOptions | None = None

    def options(self) -> NormalizeOptions:
        """The crawl's options, worked out on the first article (the crawler's source)."""
        if self._options is None:
            src = self.source_config
            self._options = NormalizeOptions(timezone=getattr(src, "timezone", "UTC") or "UTC",
                                             tracking_params=self.tracking_params,
                                             future_tolerance=self.future_tolerance)
        return self._options

    def process_article(self, article: Article) -> Article:
        try:
            events = type(self).step(article, self.options())
        except (ValueError, TypeError, AttributeError, LookupError) as exc:
            logger.error("%s step failed on %s: %s", self.name, article.url, exc, exc_info=True)
            self.count("error")
            return article
        for event in events:
            self.count(event)
        return article


class CanonicalUrlPipeline(NormalizeStepPipeline):
    """The canonical URL (declared rel=canonical / og:url when same-site and sane)."""

    name = "urls"
    step = staticmethod(apply_urls)


class TextPipeline(NormalizeStepPipeline):
    """Title, summary, body text, tags, caption: NFC, junk characters out, entities once."""

    name = "text"
    step = staticmethod(apply_text)


class DatesPipeline(NormalizeStepPipeline):
    """Dates to UTC with the source's offset; future and pre-1990 dates flagged, dropped."""

    name = "dates"
    step = staticmethod(apply_dates)


class AuthorsPipeline(NormalizeStepPipeline):
    """Bylines split and cleaned into person names."""

    name = "authors"
    step = staticmethod(apply_authors)


class HtmlPipeline(NormalizeStepPipeline):
    """The body HTML sanitised by the allow-list, its URLs absolute."""

    name = "html"
    step = staticmethod(apply_html)


class RelatedLinksStep(NormalizeStepPipeline):
    """Suggested links cleaned (see :class:`aggregator.pipelines.links.LinksPipeline`)."""

    name = "links"
    step = staticmethod(apply_links)
