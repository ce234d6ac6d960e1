"""RSSHub-style query parameters on served feeds: ``/all.rss?limit=10&filter=AI|chips``.

A feed URL with a query is computed from the store, not read from the folder: the feed of
that name (``all``, a source, a topic), its entries filtered and limited, in the format the
extension or ``format`` names. The parameters are checked and bounded; anything else is a
:class:`QueryError` naming the parameter (the server answers 400 with it).

- ``limit``: at most this many entries (1 to :data:`MAX_LIMIT`).
- ``filter``: keep the entries whose title, summary, authors or tags contain one of the
  ``|``-separated terms (case-insensitive, plain text: no regular expressions, so no
  request can make the server backtrack for long).
- ``filterout``: drop the entries that contain one of its terms.
- ``format``: ``rss``, ``atom`` or ``json``, whatever the extension.

>>> q = parse_query("limit=5&filter=AI|Chips&filterout=sponsored")
>>> q.limit, q.include, q.exclude, q.format
(5, ('ai', 'chips'), ('sponsored',), None)
>>> parse_query("") is None
True
>>> parse_query("limit=0")
Traceback (most recent call last):
...
aggregator.serve.query.QueryError: limit: expected a whole number from 1 to 500, got '0'
>>> parse_query("sort=asc")
Traceback (most recent call last):
...
aggregator.serve.query.QueryError: sort: unknown parameter (known: limit, filter, filterout, format)

Results are cached per feed, format and parameters until the store changes
(:meth:`Store.change_stamp`: the SQLite file, or PostgreSQL's newest article, body and run);
each has a strong ETag (a hash of its bytes), so a reader polling the same URL gets 304s.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

from aggregator.config import Config, crawled_config
from aggregator.exporters.feeds import render
from aggregator.exporters.model import FORMATS, FeedEntry
from aggregator.exporters.publish import PublishResult, build_spec, feed_limit
from aggregator.serve.caching import Representation
from aggregator.store import DB_FILENAME, Store, open_store

logger = logging.getLogger(__name__)

PARAMS = ("limit", "filter", "filterout", "format")
MAX_LIMIT = 500
#: bounds of a filter: its length and its number of terms
MAX_FILTER_CHARS = 200
MAX_TERMS = 20
#: computed feeds kept in memory
CACHE_ENTRIES = 64


class QueryError(ValueError):
    """A query parameter that is unknown, repeated, or out of bounds."""


class StoreMissing(LookupError):
    """No store to compute a feed from."""


@dataclass(frozen=True)
class FeedQuery:
    limit: int | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    format: str | None = None

    def accepts(self, entry: FeedEntry) -> bool:
        """Whether ``entry`` passes ``filter`` and ``filterout``.

        >>> from aggregator.items import Article
        >>> from datetime import datetime, timezone
        >>> now = datetime(2024, 1, 1, tzinfo=timezone.utc)
        >>> e = FeedEntry(Article(url="u", title="New AI chip", tags=["Hardware"]), now, now)
        >>> FeedQuery(include=("hardware",)).accepts(e), FeedQuery(exclude=("ai",)).accepts(e)
        (True, False)
        """
        if not self.include and not self.exclude:
            return True
        article = entry.article
        text = "\n".join([article.title or "", article.summary or "", *article.authors,
                          *article.tags]).casefold()
        if self.include and not any(term in text for term in self.include):
            return False
        return not any(term in text for term in self.exclude)


def _terms(name: str, value: str) -> tuple[str, ...]:
    if len(value) > MAX_FILTER_CHARS:
        raise QueryError(f"{name}: at most {MAX_FILTER_CHARS} characters, got {len(value)}")
    terms = tuple(dict.fromkeys(t.strip().casefold() for t in value.split("|") if t.strip()))
    if not terms:
        raise QueryError(f"{name}: expected terms separated by '|', got {value!r}")
    if len(terms) > MAX_TERMS:
        raise QueryError(f"{name}: at most {MAX_TERMS} terms, got {len(terms)}")
    return terms


def parse_query(query: str) -> FeedQuery | None:
    """The parameters of a request's query string; None when there are none."""
    if not query:
        return None
    try:
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=len(PARAMS))
    except ValueError:
        raise QueryError(f"at most {len(PARAMS)} parameters ({', '.join(PARAMS)})") from None
    seen: dict[str, str] = {}
    for name, value in pairs:
        if name not in PARAMS:
            raise QueryError(f"{name[:40]}: unknown parameter (known: {', '.join(PARAMS)})")
        if name in seen:
            raise QueryError(f"{name}: given twice")
        seen[name] = value
    limit = None
    if "limit" in seen:
        raw = seen["limit"]
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
            raise QueryError(f"limit: expected a whole number from 1 to {MAX_LIMIT},"
                             f" got {raw[:40]!r}")
        limit = int(raw)
    fmt = seen.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise QueryError(f"format: expected one of {', '.join(FORMATS)}, got {fmt[:40]!r}")
    return FeedQuery(
        limit=limit,
        include=_terms("filter", seen["filter"]) if "filter" in seen else (),
        exclude=_terms("filterout", seen["filterout"]) if "filterout" in seen else (),
        format=fmt)


class QueryFeeds:
    """Feeds computed for the feeds of ``config`` from the store: ``store_url`` (PostgreSQL,
    shared with the crawlers) or else the SQLite store in ``data_dir``. Without a config,
    the one the store's last crawl ran with (as ``aggregator feeds``), looked up again
    whenever the store changes."""

    def __init__(self, data_dir: Path, config: Config | None,
                 store_url: str | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.config = config
        self.store_url = store_url
        self._cache: OrderedDict[tuple[object, ...], Representation] = OrderedDict()
        self._lock = threading.Lock()
        self._config_of: tuple[str, Config] | None = None

    def _open(self) -> Store:
        if not self.store_url and not (self.data_dir / DB_FILENAME).exists():
            raise StoreMissing(f"no store in {self.data_dir}: run `aggregator crawl`")
        return open_store(self.data_dir, read_only=True, url=self.store_url)

    def _crawled_config(self, store: Store, stamp: str) -> Config:
        """The config of the store's last crawl, read again when the store has changed."""
        known = self._config_of
        if known is not None and known[0] == stamp:
            return known[1]
        config = crawled_config(store)
        self._config_of = (stamp, config)
        return config

    def get(self, name: str, fmt: str, query: FeedQuery) -> Representation | None:
        """The feed ``name`` in ``fmt`` (``query.format`` wins) with ``query`` applied; None
        when the config has no feed of that name."""
        fmt = query.format or fmt
        store = self._open()
        try:
            stamp = store.change_stamp()
            key = (name, fmt, query, stamp)
            with self._lock:
                hit = self._cache.get(key)
                if hit is not None:
                    self._cache.move_to_end(key)
                    return hit
            config = self.config or self._crawled_config(store, stamp)
            limit = query.limit or feed_limit(config)
            spec = build_spec(store, config, name, limit, PublishResult(), keep=query.accepts)
        finally:
            store.close()
        if spec is None:
            return None
        spec.entries = spec.entries[:limit]
        body = render(spec, fmt)
        digest = hashlib.blake2b(body, digest_size=12).hexdigest()
        mtime = spec.updated.timestamp()  # Last-Modified: the feed's newest change
        rep = Representation(body=body, etag=f'"q{digest}"', mtime=mtime)
        with self._lock:
            self._cache[key] = rep
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return rep
