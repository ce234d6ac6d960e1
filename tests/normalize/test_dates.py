"""Dates: UTC with the source offset kept; naive dates in the source's zone; implausible
dates flagged and not trusted (never replaced with "now")."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from aggregator.items import Article
from aggregator.normalize import normalize_article
from aggregator.normalize.dates import normalize_dates, parse_date

FETCHED = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
HK = timezone(timedelta(hours=8))

PARSE = [
    # (value, zone, expected UTC ISO, expected offset)
    ("2023-04-12T09:30:00+08:00", "UTC", "2023-04-12T01:30:00+00:00", "+08:00"),
    ("2023-04-12T09:30:00Z", "Asia/Hong_Kong", "2023-04-12T09:30:00+00:00", "+00:00"),
    ("2023-04-12 09:30", "Asia/Hong_Kong", "2023-04-12T01:30:00+00:00", "+08:00"),
    ("2023-04-12", "Europe/London", "2023-04-11T23:00:00+00:00", "+01:00"),  # BST
    ("2023-01-12", "Europe/London", "2023-01-12T00:00:00+00:00", "+00:00"),  # GMT
    ("Wed, 12 Apr 2023 09:30:00 -0400", "UTC", "2023-04-12T13:30:00+00:00", "-04:00"),
    ("April 12, 2023 9:30 am", "America/New_York", "2023-04-12T13:30:00+00:00", "-04:00"),
    ("2023-04-12T09:30:00+05:45", "UTC", "2023-04-12T03:45:00+00:00", "+05:45"),
    (datetime(2023, 4, 12, 9, 30), "Asia/Hong_Kong", "2023-04-12T01:30:00+00:00", "+08:00"),
    (datetime(2023, 4, 12, 9, 30, tzinfo=HK), "Europe/London", "2023-04-12T01:30:00+00:00",
     "+08:00"),
]


@pytest.mark.parametrize(("value", "zone", "utc", "offset"), PARSE)
def test_naive_and_offset_dates(value: object, zone: str, utc: str, offset: str) -> None:
    result = normalize_dates(value, None, zone=zone, now=FETCHED)  # type: ignore[arg-type]
    assert result.published is not None
    assert result.published.isoformat() == utc
    assert result.source_offset == offset
    assert result.flags == []


GARBAGE = ["", "   ", "not a date", "yesterday", "TBA", "12:30", "N/A", "2023-13-45", "99999999999"]


@pytest.mark.parametrize("value", GARBAGE)
def test_garbage_dates_are_none_never_now(value: str) -> None:
    assert parse_date(value) is None
    result = normalize_dates(value, None, now=FETCHED)
    assert result.published is None and result.source_offset is None


IMPLAUSIBLE = [
    (FETCHED + timedelta(days=2), "published_in_future"),
    (FETCHED + timedelta(hours=1), "published_in_future"),
    (datetime(1989, 12, 31, 23, 0, tzinfo=timezone.utc), "published_too_old"),
    (datetime(1970, 1, 1, tzinfo=timezone.utc), "published_too_old"),
]


@pytest.mark.parametrize(("value", "flag"), IMPLAUSIBLE)
def test_implausible_dates_flagged_and_dropped(value: datetime, flag: str) -> None:
    article = Article(url="https://ex.com/a", title="t", body_text="b", published=value,
                      fetched_at=FETCHED, date_sources={"published": "jsonld"})
    out = normalize_article(article)
    assert out.published is None
    assert out.flags == [flag]
    assert out.date_sources == {"published_distrusted": "jsonld"}


def test_small_clock_skew_is_tolerated() -> None:
    value = FETCHED + timedelta(minutes=5)
    out = normalize_article(Article(url="https://ex.com/a", published=value, fetched_at=FETCHED))
    assert out.published == value and out.flags == []
    strict = normalize_article(Article(url="https://ex.com/a", published=value,
                                       fetched_at=FETCHED), future_tolerance=timedelta(0))
    assert strict.published is None and strict.flags == ["published_in_future"]


def test_future_modified_flagged_published_kept() -> None:
    out = normalize_article(Article(url="https://ex.com/a", published=datetime(2024, 4, 1),
                                    modified=FETCHED + timedelta(days=30), fetched_at=FETCHED),
                            timezone="Asia/Hong_Kong")
    assert out.published == datetime(2024, 3, 31, 16, 0, tzinfo=timezone.utc)
    assert out.modified is None
    assert out.flags == ["modified_in_future"]
    assert out.source_offset == "+08:00"


def test_every_stored_date_is_utc() -> None:
    out = normalize_article(Article(url="https://ex.com/a",
                                    published=datetime(2023, 4, 12, 9, 30, tzinfo=HK),
                                    modified=datetime(2023, 4, 13, 9, 30), fetched_at=FETCHED),
                            timezone="America/New_York")
    assert out.published is not None and out.modified is not None
    assert out.published.utcoffset() == timedelta(0) and out.modified.utcoffset() == timedelta(0)
    assert out.modified.isoformat() == "2023-04-13T13:30:00+00:00"
    assert out.source_offset == "+08:00"  # the offset of the published date as written
