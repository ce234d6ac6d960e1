"""Dates to UTC, the source's offset kept, implausible dates flagged instead of trusted.

A naive date is local time of the source's configured time zone (``Source.timezone``). A
date more than ``future_tolerance`` after the moment the page was fetched, or before
:data:`EARLIEST`, is not trusted: the field is set to ``None`` and a flag says why -- never
replaced with "now".

>>> from datetime import datetime
>>> d = parse_date("2023-04-12 09:30", "Asia/Hong_Kong")
>>> d.isoformat(), offset_of(d)
('2023-04-12T09:30:00+08:00', '+08:00')
>>> to_utc(d).isoformat()
'2023-04-12T01:30:00+00:00'
>>> parse_date("not a date") is None
True
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as date_parser

logger = logging.getLogger(__name__)

#: nothing the aggregator reads was published before the web had news sites
EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)
#: how far after the fetch a date may be (clock skew, time zone slips) before it is distrusted
DEFAULT_FUTURE_TOLERANCE = timedelta(minutes=15)

FLAG_FUTURE = "published_in_future"
FLAG_TOO_OLD = "published_too_old"


def zone_of(name: str | None) -> ZoneInfo:
    """The time zone called ``name``; UTC for an empty or unknown name (logged)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("Unknown time zone %r; reading naive dates as UTC", name)
        return ZoneInfo("UTC")


def localize(value: datetime, zone: str | None = "UTC") -> datetime:
    """``value`` with a time zone: a naive one is taken to be local time in ``zone``."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=zone_of(zone))
    return value


def to_utc(value: datetime, zone: str | None = "UTC") -> datetime:
    """``value`` in UTC; a naive ``value`` is local time in ``zone``."""
    return localize(value, zone).astimezone(timezone.utc)


def offset_of(value: datetime, zone: str | None = "UTC") -> str:
    """The UTC offset ``value`` was written in, as ``+08:00``."""
    offset = localize(value, zone).utcoffset() or timedelta(0)
    total = int(offset.total_seconds()) // 60
    sign = "-" if total < 0 else "+"
    return f"{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"


def parse_date(value: str | datetime | None, zone: str | None = "UTC") -> datetime | None:
    """An aware datetime from a datetime or a date string (ISO 8601, RFC 2822, common
    English forms); ``None`` for garbage, never "now"."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return localize(value, zone)
    text = str(value).strip()
    if not text or not any(c.isdigit() for c in text):
        return None
    try:
        parsed = date_parser.parse(text, default=datetime(1, 1, 1))
    except (ValueError, OverflowError) as exc:
        logger.debug("Not a date: %r (%s)", text, exc)
        return None
    if parsed.year == 1:  # no year in the text: a time of day or a bare number
        return None
    return localize(parsed, zone)


@dataclass
class DateResult:
    """What :func:`normalize_dates` decided."""

    published: datetime | None
    modified: datetime | None
    source_offset: str | None
    flags: list[str] = field(default_factory=list)
    #: per field, why a date was dropped: {"published": "in_future"}
    distrusted: dict[str, str] = field(default_factory=dict)


def _check(value: datetime | None, name: str, now: datetime, tolerance: timedelta,
           result: DateResult) -> datetime | None:
    if value is None:
        return None
    if value > now + tolerance:
        result.flags.append(f"{name}_in_future")
        result.distrusted[name] = "in_future"
        return None
    if value < EARLIEST:
        result.flags.append(f"{name}_too_old")
        result.distrusted[name] = "too_old"
        return None
    return value


def normalize_dates(published: str | datetime | None, modified: str | datetime | None, *,
                    zone: str | None = "UTC", now: datetime | None = None,
                    future_tolerance: timedelta = DEFAULT_FUTURE_TOLERANCE) -> DateResult:
    """Published and modified dates in UTC, with the offset the source wrote them in.

    ``now`` is the moment the page was fetched (default: the current time).
    """
    now = to_utc(now) if now is not None else datetime.now(timezone.utc)
    pub = parse_date(published, zone)
    mod = parse_date(modified, zone)
    offset = offset_of(pub) if pub is not None else (offset_of(mod) if mod is not None else None)
    result = DateResult(None, None, offset)
    result.published = _check(to_utc(pub) if pub else None, "published", now, future_tolerance,
                              result)
    result.modified = _check(to_utc(mod) if mod else None, "modified", now, future_tolerance,
                             result)
    return result
