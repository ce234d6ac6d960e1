"""Validators and conditional-request rules, without a server."""

from __future__ import annotations

import gzip
import os
from email.utils import formatdate
from pathlib import Path

import pytest

from aggregator.serve.caching import FileCache, accepts_gzip, not_modified


@pytest.mark.parametrize("header, expected", [
    (None, False), ("", False), ("gzip", True), ("gzip, deflate, br", True),
    ("br;q=1.0, gzip;q=0.8", True), ("gzip;q=0", False), ("GZIP", True), ("x-gzip", True),
    ("*", True), ("*;q=0", False), ("identity", False), ("*, gzip;q=0", False),
    ("deflate", False),
])
def test_accepts_gzip(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected


def test_if_none_match_takes_precedence_over_if_modified_since() -> None:
    mtime = 1_700_000_000.0
    later = formatdate(mtime + 60, usegmt=True)
    earlier = formatdate(mtime - 60, usegmt=True)
    assert not_modified('"a"', mtime, '"a"', None)
    assert not_modified('"a"', mtime, '"x", W/"a"', None)
    assert not_modified('"a"', mtime, "*", None)
    assert not not_modified('"a"', mtime, '"b"', later)  # INM present: IMS ignored
    assert not_modified('"a"', mtime, None, later)
    assert not_modified('"a"', mtime, None, formatdate(mtime, usegmt=True))
    assert not not_modified('"a"', mtime, None, earlier)
    assert not not_modified('"a"', mtime, None, "not a date")
    assert not not_modified('"a"', mtime, None, None)


def test_file_cache_follows_replacement(tmp_path: Path) -> None:
    path = tmp_path / "all.rss"
    path.write_bytes(b"<rss>one</rss>" * 50)
    cache = FileCache()
    first = cache.get(path)
    assert cache.get(path) is first  # same version: memoised
    assert gzip.decompress(first.gzipped()) == first.body
    assert first.gzip_etag != first.etag and first.etag.startswith('"')
    tmp = tmp_path / "new"
    tmp.write_bytes(b"<rss>two</rss>" * 50)
    os.replace(tmp, path)  # how feeds are written: a new file renamed over the old one
    second = cache.get(path)
    assert second.body.startswith(b"<rss>two") and second.etag != first.etag
