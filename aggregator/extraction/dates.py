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
from itertools import islice
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
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
#: "à 14h05", "um 14.05 Uhr": a time in the French or German way
_FRENCH_TIME_RE = re.compile(r"\s+(?:à|um|a las|alle|às)?\s*(\d{1,2})[h.](\d\d)(?:\s*Uhr)?(?!\d)")
#: time-zone abbreviations a page may write after a time ("10:05 CEST"), as UTC offsets
_ZONES = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "MEZ": 1, "CEST": 2,
    "MESZ": 2, "EET": 2, "EEST": 3, "MSK": 3, "TRT": 3, "IST": 5.5, "ICT": 7, "WIB": 7, "HKT": 8,
    "SGT": 8, "AWST": 8, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10,
}
_TZINFOS = {name: int(hours * 3600) for name, hours in _ZONES.items()}
_ZONE_NAMES = "(?-i:" + "|".join(sorted(_ZONES, key=len, reverse=True)) + r")\b"
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july"
    "|august|september|october|november|december"
)
#: a date written in running text: "April 12, 2023", "12 April 2023", "2023-04-12", "12.04.2023",
#: with its time when given ("April 12, 2023 at 9:30 am", "12.04.2023 - 09:30")
_TEXT_DATE_RE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+(?:19|20)\d\d"
    r"|(?:19|20)\d\d-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d)?(?:\s*[+-]\d\d:?\d\d|Z)?)?"
    r"|(?:19|20)\d\d([/.])\d\d\1\d\d)"
    # the time after a comma, "at", or a dash or bar set apart ("30.04.2024 - 16:48")
    rf"(?:(?:,?\s+(?:at\s+)?|\s+[-–|•·]\s+)\d{{1,2}}[:.]\d\d(?:\s*[ap]\.?m\.?)?"
    rf"(?:\s+(?:{_ZONE_NAMES}|[+-]\d\d:\d\d))?)?",
    re.IGNORECASE,
)
#: the dash or bar between a written date and its time, read as a space
_TIME_SEPARATOR_RE = re.compile(r"\s+[-–|•·]\s+(?=\d{1,2}[:.]\d\d)")
_PAGE_TYPES = frozenset({"webpage", "itempage"})
#: month names of other languages, read as the English ones (dateutil knows English only)
_FOREIGN_MONTHS = {
    1: "januar janvier enero gennaio januari janeiro stycznia ledna ocak",
    2: "februar février fevrier febrero febbraio februari fevereiro lutego února şubat",
    3: "märz maerz mars marzo maart março marca března mart",
    4: "avril abril aprile kwietnia dubna nisan",
    5: "mai mayo maggio mei maio maja května mayıs",
    6: "juni juin junio giugno junho czerwca června haziran",
    7: "juli juillet julio luglio julho lipca července temmuz",
    8: "august août aout agosto augustus sierpnia srpna ağustos",
    9: "september septembre septiembre settembre setembro września září eylül",
    10: "oktober octobre octubre ottobre outubro października října ekim",
    11: "november novembre noviembre novembro listopada listopadu kasım",
    12: "dezember décembre decembre diciembre dicembre december dezembro grudnia prosince aralık",
}
_ENGLISH_MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August",
                   "September", "October", "November", "December")
_FOREIGN_MONTH_RE = re.compile(
    r"(?<!\w)(" + "|".join(sorted((m for ms in _FOREIGN_MONTHS.values() for m in ms.split()),
                                   key=len, reverse=True)) + r")\.?(?!\w)", re.IGNORECASE)
_MONTH_NUMBER = {m: n for n, ms in _FOREIGN_MONTHS.items() for m in ms.split()}
#: "01. April 2025" (a day with a full stop, German style) and "01.04.2025" (day first)
_DAY_DOT_RE = re.compile(r"(?<!\d)(\d{1,2})\.(?=\s+[^\W\d_])")
_DAY_FIRST_RE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.((?:19|20)\d\d)(?![\d.])")
#: "2025年1月14日 01時28分", "2025년 1월 14일 01:28": a date written the Japanese, Chinese or
#: Korean way, with its time when given
_CJK_DATE_RE = re.compile(
    r"((?:19|20)\d\d)\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]"
    r"(?:\s*\([^()]{1,3}\))?(?:\s*(\d{1,2})\s*[時:시]\s*(\d{1,2})\s*[分분]?)?")
#: "22/10/2025": day first or month first, read only when the numbers say which
_SLASHED_RE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)(?![\d/])")
#: "(GMT+7)", "UTC-05:00": an offset written after a zone's name (dateutil reads the sign of
#: "GMT+7" the POSIX way, as seven hours *behind*)
_NAMED_OFFSET_RE = re.compile(r"\(?\b(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d\d))?\b\)?")
_EPOCH_RE = re.compile(r"^\d{10}(\d{3})?$")
#: a complete ISO 8601 calendar date, perhaps with a time: what datetime.fromisoformat reads
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:$|[T ]\d)")


def parse_date(value: Any) -> datetime | None:
    """A datetime from an ISO 8601 string, an RFC 2822 date or a written date; else None."""
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
        return parse_date(value)
    if isinstance(value, dict):
        return parse_date(value.get("@value") or value.get("value"))
    return _parse_text(clean_text(str(value)))


@lru_cache(maxsize=4096)
def _parse_text(text: str) -> datetime | None:
    """:func:`parse_date` of a cleaned text, remembered: a page's lists repeat the dates of
    the same stories page after page, and dateutil takes ~0.1 ms each."""
    if not text or len(text) > 80:
        return None
    if _EPOCH_RE.match(text):
        seconds = int(text[:10])
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    if not _HAS_YEAR_RE.search(text):
        return None
    text = _in_english(text)
    parsed = _parse_complete(text)
    if parsed is None:
        match = _TEXT_DATE_RE.search(text)
        parsed = _parse_complete(_TIME_SEPARATOR_RE.sub(" ", match.group(0))) if match else None
    if parsed is None or not _MIN_YEAR <= parsed.year <= _MAX_YEAR:
        return None
    if parsed.tzinfo is not None:
        offset = parsed.utcoffset() or timedelta(0)
        parsed = parsed.replace(tzinfo=timezone(offset))
    return parsed


def _in_english(text: str) -> str:
    """A written date in the form dateutil reads: other languages' month names in English,
    "01. April" without the day's full stop, "01.04.2025" day first.

    >>> _in_english("Dienstag, 01. März 2025, 15:25 Uhr")
    'Dienstag, 01 March 2025, 15:25 Uhr'
    >>> _in_english("erstellt: 01.04.2025")
    'erstellt: 2025-04-01'
    >>> _in_english("Thứ tư, 22/10/2025, 19:25 (GMT+7)")
    'Thứ tư, 2025-10-22, 19:25 +07:00'
    >>> _in_english("2025年1月14日 01時28分 (1月14日 01時40分更新)")
    '2025-01-14 01:28 (1月14日 01時40分更新)'
    >>> _in_english("04/10/2025")  # the 4th of October or April the 10th: not read
    '04/10/2025'
    """
    if not text.isascii() or _FOREIGN_MONTH_RE.search(text):
        text = _FOREIGN_MONTH_RE.sub(
            lambda m: _ENGLISH_MONTHS[_MONTH_NUMBER[m.group(1).casefold()]], text)
    text = _DAY_FIRST_RE.sub(lambda m: f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}",
                             text)
    if not text.isascii():
        text = _CJK_DATE_RE.sub(_cjk_date, text)
    text = _SLASHED_RE.sub(_slashed, text)
    text = _NAMED_OFFSET_RE.sub(
        lambda m: f"{m.group(1)}{int(m.group(2)):02d}:{m.group(3) or '00'}", text)
    text = _FRENCH_TIME_RE.sub(r" \1:\2", text)
    return _DAY_DOT_RE.sub(r"\1", text)


def _cjk_date(match: re.Match[str]) -> str:
    year, month, day, hour, minute = match.groups()
    date = f"{year}-{int(month):02d}-{int(day):02d}"
    return f"{date} {int(hour):02d}:{int(minute):02d}" if hour is not None else date


def _slashed(match: re.Match[str]) -> str:
    """A slashed date in ISO form when its numbers say which is the day (one is over 12, or
    both are the same); else as written."""
    first, second, year = int(match.group(1)), int(match.group(2)), match.group(3)
    if first > 12 >= second or first == second:
        return f"{year}-{second:02d}-{first:02d}"
    if second > 12 >= first:
        return f"{year}-{first:02d}-{second:02d}"
    return match.group(0)


_DEFAULT_A, _DEFAULT_B = datetime(2000, 1, 1), datetime(2001, 2, 2)


def _parse_complete(text: str) -> datetime | None:
    """``text`` parsed by dateutil, or None when it lacks a year, a month or a day.

    dateutil fills missing parts from a default date; parsing with two different defaults
    shows which parts the text really gave, so "2023" or "April 2023" never becomes a date.
    """
    if _ISO_DATE_RE.match(text):  # the common case, ~30x faster than dateutil
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    try:
        first = dateparser.parse(text, default=_DEFAULT_A, tzinfos=_TZINFOS)
        second = dateparser.parse(text, default=_DEFAULT_B, tzinfos=_TZINFOS)
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
        """Keep ``value`` for ``which`` unless a date was already found for it -- or the one
        found is the same wall-clock time without an offset, and ``value`` gives the offset.
        A moment kept in UTC ("03:00Z") that ``value`` gives as the site's wall-clock time
        ("05:00", no offset) is restated in the site's offset (+02:00): same moment, the
        day and time the site shows."""
        kept = getattr(self, which)
        if kept is not None and kept.tzinfo is not None:
            if kept.utcoffset() == timedelta(0):
                self._restate_in_local_offset(which, kept, parse_date(value))
            return
        parsed = parse_date(value)
        if kept is not None and (parsed is None or parsed.tzinfo is None
                                 or parsed.replace(tzinfo=None) != kept):
            return
        if parsed is not None:
            setattr(self, which, parsed)
            self.sources[which] = source

    def _restate_in_local_offset(self, which: str, kept: datetime,
                                 local: datetime | None) -> None:
        """``kept`` (in UTC) in the offset that makes it the naive ``local`` (a time of day,
        not a day alone), when the two are one moment seen from a whole or half hour away."""
        if local is None or local.tzinfo is not None or not (
                local.hour or local.minute or local.second):
            return
        offset = _offset_between(local, kept)
        if offset:
            setattr(self, which, kept.astimezone(timezone(offset)))


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
#: the elements that give a machine-readable date: microdata's datePublished/dateModified
#: (``@datetime`` or ``@content``) and every ``<time datetime>``, in page order (one walk)
_DATED_ELEMENTS = etree.XPath(
    '//*[@itemprop][@itemprop="datePublished" or @itemprop="dateModified"] | //time[@datetime]')


def _machine_dates(tree: etree._Element) -> tuple[list[str], list[str]]:
    """The published and the modified values of :data:`_DATED_ELEMENTS`, in page order: a
    ``<time datetime>`` counts as published unless microdata marks it as the modified date
    (it then counts as both, as the page's first ``<time>`` usually is the published one).

    >>> from aggregator.extraction.dom import parse_html
    >>> _machine_dates(parse_html('<p><meta itemprop="datePublished" content="2024-05-03">'
    ...     '<time itemprop="dateModified" datetime="2024-05-04">May 4</time></p>'))
    (['2024-05-03', '2024-05-04'], ['2024-05-04'])
    """
    published, modified = [], []
    for el in _DATED_ELEMENTS(tree):
        prop = el.get("itemprop")
        values = [v for k, v in el.items() if k in ("datetime", "content")] \
            if prop in ("datePublished", "dateModified") else []
        if prop == "dateModified":
            modified.extend(values)
            if el.tag == "time" and el.get("datetime") is not None:
                published.append(el.get("datetime"))
        elif prop == "datePublished":
            published.extend(values)
        else:
            published.append(el.get("datetime"))
    return published, modified
#: elements whose text usually carries the byline date
_DATELINE = etree.XPath(
    '//body//*[contains(@class, "date") or contains(@class, "byline") or contains(@class, "posted")'
    ' or contains(@class, "meta") or contains(@class, "time") or contains(@class, "published")]'
    ' | //time[not(@datetime)]'
)
#: the article's headline, below which its header shows the date
_HEADLINE = etree.XPath("(//article//h1 | //main//h1 | //h1)[1]")
#: the elements after the headline read for a date, up to the first long paragraph
_AFTER_HEADLINE = etree.XPath("following::*[position() <= 80]")
_HEADER_TEXT_MAX, _BODY_PARAGRAPH_MIN = 100, 200


#: other meta keys that date the page ("og:article:published_time", "article_date_original")
_OTHER_PUBLISHED_KEY_RE = re.compile(r"publi|issued|release|original|created")
_OTHER_MODIFIED_KEY_RE = re.compile(r"modif|updat|lastmod")
_NOT_DATE_KEY_RE = re.compile(r"publisher|author|url|name|expir|edit|end|section|type|image")


def _from_meta(dates: Dates, data: StructuredData) -> None:
    """The known meta keys in the order they are trusted, then any other key that names a
    publication or a modification date."""
    others = [k for k in data.meta if k not in _PUBLISHED_META and k not in _MODIFIED_META
              and not _NOT_DATE_KEY_RE.search(k)]
    for which, known, pattern in (("published", _PUBLISHED_META, _OTHER_PUBLISHED_KEY_RE),
                                  ("modified", _MODIFIED_META, _OTHER_MODIFIED_KEY_RE)):
        keys = [*known, *(k for k in others if pattern.search(k)
                          and not (which == "published" and _OTHER_MODIFIED_KEY_RE.search(k)))]
        for key in keys:
            source = "opengraph" if key in data.opengraph else "meta"
            dates.offer(which, data.first(key), source)


_PUBLISHED_LABEL_RE = re.compile(r"\b(?:published|posted|publi\w*|veröffentlicht)\b", re.IGNORECASE)
#: text a byline date may have around it ("on Monday, ", " at 11:08 a.m.") before the date
#: reads as part of a sentence (a quoted statement's date, a teaser)
_AROUND_MAX = 30


#: a class naming an element that holds the date of the last change ("update" holds "date")
_UPDATE_CLASS_RE = re.compile(r"updat|modif", re.IGNORECASE)


def _from_text(dates: Dates, tree: etree._Element) -> None:
    """The first byline-like date: one labelled "Published"/"Posted" first, else one that
    fills its element, else any."""
    found: list[tuple[int, int, str]] = []
    for position, el in enumerate(_DATELINE(tree)[:20]):
        if _UPDATE_CLASS_RE.search(el.get("class") or ""):
            # "news-info-update", "date-modified": the last change, not the publication
            continue
        text = clean_text(" ".join(el.itertext()))
        if len(text) > 200:
            continue
        text = _in_english(text)
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
    values = [value for _rank, _position, value in sorted(found)]
    for index, value in enumerate(values):
        day = parse_date(value)
        if day is None:
            continue
        if not _CLOCK_RE.search(value):
            # the same day written again with its time (a header's date of today, then the
            # byline's "22/10/2025, 19:25"): the moment, not midnight
            value = next((other for other in values[index + 1:] if _CLOCK_RE.search(other)
                          and (when := parse_date(other)) is not None
                          and when.date() == day.date()), value)
        dates.offer("published", value, "text")
        if dates.published is not None:
            return


_CLOCK_RE = re.compile(r"\d[:.]\d\d(?!\d)")


def _from_header(dates: Dates, tree: etree._Element) -> None:
    """The first date written below the headline, before the article's first long paragraph
    ("Nov 18, 2019" in a header block with no date class)."""
    headline = _HEADLINE(tree)
    if not headline:
        return
    for el in _AFTER_HEADLINE(headline[0]):
        if el.tag in ("script", "style", "noscript", "template"):
            continue
        text = clean_text(" ".join(el.itertext()))
        if len(text) > _HEADER_TEXT_MAX:
            if el.tag == "p" and len(text) >= _BODY_PARAGRAPH_MIN:
                return
            continue
        match = _TEXT_DATE_RE.search(_in_english(text)) if _HAS_YEAR_RE.search(text) else None
        if match:
            dates.offer("published", match.group(0), "text")
            if dates.published is not None:
                return


#: a dateline is at most this long, and has at most this many letters besides its dates
_DATELINE_MAX, _DATELINE_LETTERS = 100, 12
_LETTERS_RE = re.compile(r"[^\W\d_]")


def is_dateline(text: str) -> bool:
    """``text`` is only a date (and a time, an "updated" note): the page's dateline.

    >>> is_dateline("2025年1月14日 01時28分 (1月14日 01時40分更新)"), is_dateline("May 3, 2024")
    (True, True)
    >>> is_dateline("On May 3, 2024 the council voted to close the bridge.")
    False
    """
    if not text or len(text) > _DATELINE_MAX:
        return False
    english = _in_english(text)
    rest = _TEXT_DATE_RE.sub(" ", english)
    if rest == english:
        return False
    return len(_LETTERS_RE.findall(_CJK_DATE_PART_RE.sub(" ", rest))) <= _DATELINE_LETTERS


#: what is left of a CJK date or time once its numbers are read ("1月14日 01時40分")
_CJK_DATE_PART_RE = re.compile(r"\d+\s*[年月日時分년월일시분]")


#: written dates looked at for the offset the page shows its date in
_SHOWN_MAX = 5


def _offset_between(local: datetime, aware: datetime) -> timedelta | None:
    """The offset that makes the naive ``local`` the moment ``aware`` is, when the two are
    the same minute (and second, when ``local`` has seconds) a whole or half hour apart.

    >>> _offset_between(datetime(2019, 11, 18, 23, 3), parse_date("2019-11-19T07:03:25Z"))
    datetime.timedelta(days=-1, seconds=57600)
    """
    moment = aware.astimezone(timezone.utc).replace(tzinfo=None)
    if not local.second and not local.microsecond:
        moment = moment.replace(second=0, microsecond=0)
    offset = local - moment
    if abs(offset) > timedelta(hours=14) or offset % timedelta(minutes=30):
        return None
    return offset


def _shown_offset(dates: Dates, tree: etree._Element) -> None:
    """The published moment restated in the offset the page shows it in: a machine date in
    UTC ("2019-11-19T07:03:25Z") and the reader's "November 18, 2019 11:03 PM" beside it
    are one moment, written in the site's local time (-08:00) -- its calendar day is the
    18th. Only a ``<time>``'s text of the same minute says so; a day alone says nothing."""
    value = dates.published
    if value is None or value.utcoffset() != timedelta(0):
        # naive, or already in the site's own offset
        return
    body = tree.find("body")
    for el in islice(body.iter("time"), _SHOWN_MAX) if body is not None else ():
        text = clean_text(" ".join(el.itertext()))
        if not 0 < len(text) <= 80 or not _HAS_YEAR_RE.search(text):
            continue
        shown = parse_date(text)
        if shown is None or (shown.hour == shown.minute == 0 and shown.tzinfo is None):
            continue
        offset = _offset_between(shown.replace(tzinfo=None), value) if shown.tzinfo is None \
            else (shown.utcoffset() if abs(shown - value) < timedelta(minutes=1) else None)
        if offset is None:
            continue
        if offset != value.utcoffset():
            dates.published = value.astimezone(timezone(offset))
        return


#: a publication date given by key in a script's object literal or JSON:
#: "publishTime": "2024-09-04T16:20:35+05:30", 'date_published': '2025-10-25T12:10:35'
_SCRIPT_PUBLISHED_RE = re.compile(
    r"""["']((?:date_?)?(?:first_?)?publi(?:shed|sh|cation)?_?(?:at|date|time|on|datetime)?)["']"""
    r"""\s*:\s*["']((?:19|20)\d\d-\d\d-\d\d[T ]\d\d:\d\d[^"']{0,20})["']""", re.IGNORECASE)
_SCRIPTS = etree.XPath("//script[not(@type) or contains(@type, 'javascript') or contains(@type, 'json')]"
                       "/text()", smart_strings=False)


def _from_scripts(dates: Dates, tree: etree._Element) -> None:
    """The publication moment a page's scripts give by key, when the page shows none, or
    only its day (a header's "Published Jun 05, 2026" beside a data object's
    ``"publishedAt": "2026-06-05T20:43:49+00:00"``): the first such value, of that day when
    a day is known (a related story's of another day is passed over).

    >>> from aggregator.extraction.dom import parse_html
    >>> dates = Dates(published=datetime(2025, 10, 25))
    >>> _from_scripts(dates, parse_html("<script>var page = {'article': {'title': 'Chips',"
    ...     " 'date_published': '2025-10-25T12:10:35', 'date_modified': '2025-10-25T15:26:09'}}"
    ...     "</script>"))
    >>> dates.published.isoformat(), dates.sources
    ('2025-10-25T12:10:35', {'published': 'script'})
    """
    day = dates.published
    if day is not None and (day.tzinfo is not None or day.hour or day.minute or day.second):
        return
    for text in _SCRIPTS(tree):
        if len(text) > _SCRIPT_READ_MAX or "publi" not in text.casefold():
            continue
        for match in _SCRIPT_PUBLISHED_RE.finditer(text):
            when = parse_date(match.group(2))
            if when is None or (day is not None and when.date() != day.date()):
                continue
            dates.published = when
            dates.sources["published"] = "script"
            return


#: an ISO 8601 moment with its offset, as scripts and attributes write them
_ISO_MOMENT_RE = re.compile(
    r"((?:19|20)\d\d-\d\d-\d\d)[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(Z|[+-]\d\d:?\d\d)\b")
#: values of the page that may date it with an offset: its scripts and its attributes
#: (``datetime``, ``content``, ``title``, ``data-*``)
_DATED_VALUES = etree.XPath("//script/text() | //@*", smart_strings=False)


def _site_offset(dates: Dates, tree: etree._Element) -> None:
    """A published time of day given without an offset ("2025-06-30 15:59", written on the
    page) put in the offset the page's other moments of that day or the day beside it carry
    ("2025-06-30T15:59:30+0200" in a script): the site's own time zone. Nothing changes when
    those moments are mostly in UTC (the site's zone is then unknown: the source's configured
    time zone applies), or when the page has none.

    >>> from aggregator.extraction.dom import parse_html
    >>> dates = Dates(published=datetime(2025, 6, 30, 15, 59))
    >>> _site_offset(dates, parse_html('<p><time datetime="2025-06-30 15:59">30. Juni</time>'
    ...     '<script>var page = {"modified": "2025-06-30T17:02:11+02:00"}</script>'
    ...     '<span title="2025-06-29T08:00:00+0200"></span></p>'))
    >>> dates.published.isoformat()
    '2025-06-30T15:59:00+02:00'
    """
    value = dates.published
    if value is None or value.tzinfo is not None or not (value.hour or value.minute):
        return
    days = {(value.date() + timedelta(days=d)).isoformat() for d in (-1, 0, 1)}
    offsets: dict[timedelta, int] = {}
    for text in _DATED_VALUES(tree):
        if len(text) < 16 or len(text) > _SCRIPT_READ_MAX or ":" not in text \
                or not _HAS_YEAR_RE.search(text):
            continue
        for match in _ISO_MOMENT_RE.finditer(text):
            moment = parse_date(match.group(0)) if match.group(1) in days else None
            if moment is not None and (offset := moment.utcoffset()) is not None:
                offsets[offset] = offsets.get(offset, 0) + 1
    if not offsets:
        return
    offset = max(offsets, key=lambda o: offsets[o])
    if offset:
        dates.published = value.replace(tzinfo=timezone(offset))


#: a script longer than this is not searched for a publication date or the site's offset
_SCRIPT_READ_MAX = 2_000_000


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
    for which, values in zip(("published", "modified"), _machine_dates(tree)):
        for value in values[:10]:
            dates.offer(which, value, "time")
    if dates.published is None:
        _from_text(dates, tree)
    if dates.published is None:
        _from_header(dates, tree)
    else:
        _shown_offset(dates, tree)
    _from_scripts(dates, tree)
    _site_offset(dates, tree)
    return dates
