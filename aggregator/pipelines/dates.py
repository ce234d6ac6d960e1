"""Dates to UTC: an aware date is converted (its offset kept in ``source_offset``);
a naive one is read in the source's configured time zone."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from aggregator.items import Article
from aggregator.pipelines import ArticlePipeline


def to_utc(value: datetime, zone: str = "UTC") -> datetime:
    """``value`` in UTC; a naive ``value`` is taken to be local time in ``zone``."""
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value.astimezone(timezone.utc)


def offset_of(value: datetime, zone: str = "UTC") -> str:
    """The UTC offset ``value`` was written in, as ``+08:00``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    offset = value.utcoffset()
    total = int(offset.total_seconds()) // 60 if offset is not None else 0
    sign = "-" if total < 0 else "+"
    return f"{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"


class DatesPipeline(ArticlePipeline):
    name = "dates"

    def process_article(self, article: Article) -> Article:
        src = self.source_config
        zone = getattr(src, "timezone", "UTC") or "UTC"
        if article.published is not None:
            article.source_offset = offset_of(article.published, zone)
            article.published = to_utc(article.published, zone)
            self.count("published")
        else:
            self.count("published_missing")
        if article.modified is not None:
            article.modified = to_utc(article.modified, zone)
        return article
