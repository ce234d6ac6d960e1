"""Published and modified dates: parse what the page says, and say where it came from.

A date with an offset stays aware in that offset; a date without one stays naive (the
normalisation pipeline knows the source's time zone). Nothing found means ``None``, never now.

>>> parse_date("2023-04-12T09:30:00+08:00").isoformat()
'2023-04-12T09:30:00+08:00'
>>> parse_date("April 12, 2023").isoformat()
'2023-04-12T00:00:00'
>>> parse_date("yesterday") is None
True
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from dateutil import parser as dateparser
from lxml import etree

from .rules import SiteRules
from .structured import StructuredData, types_of
from .text import clean_text

logger = logging.getLogger(__name__)

_MIN_YEAR, _MAX_YEAR = 1990, 2100
#: a date must hold a year and a month or a day in some form
_HAS_YEAR_RE = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july"
    "|august|september|october|november|december"
)
#: a date written in running text: "April 12, 2023", "12 April 2023", "2023-04-12", "12.04.2023"
_TEXT_DATE_RE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+(?:19|20)\d\d"
    r"|(?:19|20)\d\d-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d)?(?:\s*[+-]\d\d:?\d\d|Z)?)?"
    r"|(?:19|20)\d\d([/.])\d\d\1\d\d)"
    rf"(?:,?\s+(?:at\s+)?\d{{1,2}}[:.]\d\d(?:\s*[ap]\.?m\.?)?)?",
    re.IGNORECASE,
)
_PAGE_TYPES = frozenset({"webpage", "itempage"})
_EPOCH_RE = re.compile(r"^\d{10}(\d{3})?$")


def parse_date(value: Any) -> datetime | None:
    """A datetime from an ISO 8601 string, an RFC 2822 date or a written date; else None."""
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
        return parse_date(value)
    if isinstance(value, dict):
        return parse_date(value.get("@value") or value.get("value"))
    text = clean_text(str(value))
    if not text or len(text) > 80:
        return None
    if _EPOCH_RE.match(text):
        seconds = int(text[:10])
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    if not _HAS_YEAR_RE.search(text):
        return None
    parsed = _parse_complete(text)
    if parsed is None:
        match = _TEXT_DATE_RE.search(text)
        parsed = _parse_complete(match.group(0)) if match else None
    if parsed is None or not _MIN_YEAR <= parsed.year <= _MAX_YEAR:
        return None
    if parsed.tzinfo is not None:
        offset = parsed.utcoffset() or timedelta(0)
        parsed = parsed.replace(tzinfo=timezone(offset))
    return parsed


_DEFAULT_A, _DEFAULT_B = datetime(2000, 1, 1), datetime(2001, 2, 2)


def _parse_complete(text: str) -> datetime | None:
    """``text`` parsed by dateutil, or None when it lacks a year, a month or a day.

    dateutil fills missing parts from a default date; parsing with two different defaults
    shows which parts the text really gave, so "2023" or "April 2023" never becomes a date.
    """
    try:
        first = dateparser.parse(text, default=_DEFAULT_A)
        second = dateparser.parse(text, default=_DEFAULT_B)
    except (ValueError, OverflowError, TypeError):
        return None
    if first is None or first.date() != second.date():
        return None
    return first


@dataclass
class Dates:
    """The page's dates and the layer each came from."""

    published: datetime | None = None
    modified: datetime | None = None
    sources: dict[str, str] = field(default_factory=dict)

    def offer(self, which: str, value: Any, source: str) -> None:
        """Keep ``value`` for ``which`` unless a date was already found for it."""
        if getattr(self, which) is not None:
            return
        parsed = parse_date(value)
        if parsed is not None:
            setattr(self, which, parsed)
            self.sources[which] = source


_PUBLISHED_META = (
    "article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
    "publish-date", "publish_date", "date", "dc.date", "dc.date.issued", "dcterms.created",
    "dcterms.date", "sailthru.date", "parsely-pub-date", "article.published",
    "citation_publication_date", "cxenseparse:recs:publishtime", "originalpublicationdate",
)
_MODIFIED_META = (
    "article:modified_time", "og:updated_time", "datemodified", "last-modified", "dc.date.modified",
    "dcterms.modified", "article.updated", "lastmod",
)
_TIME_PUBLISHED = etree.XPath(
    '//*[@itemprop="datePublished"]/@datetime | //*[@itemprop="datePublished"]/@content'
    " | //time[@pubdate]/@datetime"
    " | //*[self::article or self::main or self::header]//time/@datetime"
    " | //time/@datetime"
)
_TIME_MODIFIED = etree.XPath(
    '//*[@itemprop="dateModified"]/@datetime | //*[@itemprop="dateModified"]/@content'
)
#: elements whose text usually carries the byline date
_DATELINE = etree.XPath(
    '//*[self::span or self::div or self::p or self::time or self::li][contains(@class, "date")'
    ' or contains(@class, "byline") or contains(@class, "posted") or contains(@class, "meta")'
    ' or contains(@class, "timestamp") or contains(@class, "published")]'
)


def _from_meta(dates: Dates, data: StructuredData) -> None:
    for key in _PUBLISHED_META:
        source = "opengraph" if key in data.opengraph else "meta"
        dates.offer("published", data.first(key), source)
    for key in _MODIFIED_META:
        source = "opengraph" if key in data.opengraph else "meta"
        dates.offer("modified", data.first(key), source)


_PUBLISHED_LABEL_RE = re.compile(r"\b(?:published|posted|publi\w*|veröffentlicht)\b", re.IGNORECASE)
#: text a byline date may have around it ("on Monday, ", " at 11:08 a.m.") before the date
#: reads as part of a sentence (a quoted statement's date, a teaser)
_AROUND_MAX = 30


def _from_text(dates: Dates, tree: etree._Element) -> None:
    """The first byline-like date: one labelled "Published"/"Posted" first, else one that
    fills its element, else any."""
    found: list[tuple[int, int, str]] = []
    for position, el in enumerate(_DATELINE(tree)[:20]):
        text = clean_text(" ".join(el.itertext()))
        if len(text) > 200:
            continue
        match = _TEXT_DATE_RE.search(text)
        if not match:
            continue
        if _PUBLISHED_LABEL_RE.search(text[: match.start()]):
            rank = 0
        elif len(text) - len(match.group(0)) <= _AROUND_MAX:
            rank = 1
        else:
            rank = 2
        found.append((rank, position, match.group(0)))
    for _rank, _position, value in sorted(found):
        dates.offer("published", value, "text")
        if dates.published is not None:
            return


def find_dates(
    tree: etree._Element,
    data: StructuredData,
    rules: SiteRules | None = None,
) -> Dates:
    """Published and modified dates from rules, JSON-LD, microdata, OpenGraph, meta, time, text."""
    dates = Dates()
    if rules is not None:
        dates.offer("published", rules.first_value(tree, "published"), "rule")
        dates.offer("modified", rules.first_value(tree, "modified"), "rule")
    article = data.article
    dates.offer("published", article.get("datePublished") or article.get("dateCreated"), "jsonld")
    dates.offer("modified", article.get("dateModified"), "jsonld")
    micro = data.microdata_article
    dates.offer("published", micro.get("datePublished"), "microdata")
    dates.offer("modified", micro.get("dateModified"), "microdata")
    _from_meta(dates, data)
    # no (readable) Article node nor meta date: the page's own WebPage node dates the page
    page = next((n for n in data.jsonld if types_of(n) & _PAGE_TYPES), {})
    dates.offer("published", page.get("datePublished"), "jsonld")
    dates.offer("modified", page.get("dateModified"), "jsonld")
    steps: Iterable[tuple[str, Callable[[etree._Element], list[Any]]]] = (
        ("published", _TIME_PUBLISHED),
        ("modified", _TIME_MODIFIED),
    )
    for which, xpath in steps:
        for value in xpath(tree)[:10]:
            dates.offer(which, value, "time")
    if dates.published is None:
        _from_text(dates, tree)
    return dates
