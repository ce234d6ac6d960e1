"""The article store. Only this package knows SQL; everything else talks to a
:class:`Store`: the embedded SQLite store (:mod:`aggregator.store.sqlite`, the default) or
a PostgreSQL database several crawlers share (:mod:`aggregator.store.postgres`), chosen by
a URL (:func:`open_store`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from aggregator.items import Article, StoryPlace
from aggregator.state import UrlState

SaveResult = Literal["new", "updated", "unchanged"]

DB_FILENAME = "aggregator.sqlite3"


@dataclass
class StoredArticle:
    """An article with the store's own facts about it: when it was first seen, when
    its content last really changed (``updated_at``; a re-fetch of the same content
    leaves it alone) and how many versions it has had."""

    article: Article
    first_seen: datetime
    updated_at: datetime
    version: int
    #: the story (group of near-duplicate copies across sources) it belongs to, if any
    story_id: int | None = None


@dataclass
class StoryCopy:
    """One copy of a story, as "also covered by" lists it."""

    canonical_url: str
    source: str
    title: str


class ArticleStore(Protocol):
    """Articles, their suggested links and their stories: what pipelines, exporters and
    commands read and write."""

    def save_article(self, article: Article, story: StoryPlace | None = None) -> SaveResult:
        """Insert or update one article (by canonical URL) in one transaction, with its
        ``story`` placement (story, signature, bands, paragraph keys) when given."""

    def get_article(self, canonical_url: str) -> Article | None: ...

    def article_meta(self, canonical_url: str) -> dict[str, Any] | None: ...

    def iter_articles(self, *, source: str | None = None, since: datetime | None = None,
                      until: datetime | None = None, newest_first: bool = True,
                      limit: int | None = None) -> Iterator[Article]: ...

    def iter_stored(self, *, source: str | None = None, since: datetime | None = None,
                    until: datetime | None = None, newest_first: bool = True,
                    limit: int | None = None) -> Iterator[StoredArticle]:
        """Like :meth:`iter_articles`, with first_seen / updated_at / version; streamed."""

    def count_articles(self, source: str | None = None) -> int: ...

    def known_urls(self, urls: list[str]) -> set[str]:
        """Which of these canonical URLs are articles of the store."""

    def iter_links(self, *, source: str | None = None) -> Iterator[tuple[str, int, str, str, bool,
                                                                        str | None]]:
        """Suggested-link edges ``(from_url, position, to_url, title, internal,
        to_article_url)``."""

    def story_copies(self, story_id: int) -> list[StoryCopy]:
        """The copies of a story, first published (or first seen) first."""

    def story_of(self, canonical_url: str) -> int | None: ...

    def story_members(self, story_id: int) -> list[str]:
        """Canonical URLs of a story's copies, first published first."""

    def also_covered_by(self, canonical_url: str) -> list[str]: ...

    def story_state(self, canonical_url: str) -> tuple[int | None, bytes | None] | None: ...

    def story_candidates(self, bands: list[int], source: str, exclude: str,
                         limit: int) -> list[tuple[str, int | None, bytes]]:
        """``(canonical_url, story_id, minhash blob)`` of up to ``limit`` articles of sources
        other than ``source``, ``exclude`` left out, sharing one of the LSH ``bands``."""

    def set_story(self, canonical_url: str, story_id: int | None, signature: bytes | None,
                  bands: Sequence[int] = ()) -> int:
        """Put the article in ``story_id`` (a new story when None) with its body's MinHash
        ``signature`` and that signature's LSH ``bands``; returns the story id."""

    def unbanded_signatures(self, limit: int) -> list[tuple[str, bytes]]:
        """``(canonical_url, minhash blob)`` of up to ``limit`` articles whose signature has
        no LSH bands yet (stored before the store kept them)."""

    def set_bands(self, canonical_url: str, bands: Sequence[int]) -> None:
        """Give the article's stored signature its LSH ``bands``."""

    def set_paragraphs(self, canonical_url: str, keys: list[int]) -> None:
        """Remember the keys of the article's body paragraphs (replacing earlier ones)."""

    def stories_sharing(self, keys: list[int], exclude: str) -> list[int]:
        """Stories of two or more articles, other than ``exclude``'s, where an article has
        one of the paragraph ``keys``."""

    def paragraphs_elsewhere(self, keys: list[int], exclude: list[str]) -> set[int]:
        """Those of ``keys`` that some article not in ``exclude`` (canonical URLs) has."""


class CrawlStateStore(Protocol):
    """What incremental crawling remembers of every URL it fetched."""

    def url_state(self, url: str) -> UrlState | None: ...

    def save_url_state(self, state: UrlState, changed: bool = True) -> None: ...

    def touch_url_state(self, url: str, when: datetime | None = None,
                        listed: dict[str, str] | None = None) -> None: ...

    def save_listed(self, listed: dict[str, dict[str, str]]) -> None: ...

    def count_url_states(self, source: str | None = None) -> dict[str, int]: ...

    def failure_of(self, url: str) -> tuple[int, datetime] | None: ...

    def note_failure(self, url: str, source: str, kind: str, size: int = 0) -> int: ...

    def clear_failure(self, url: str) -> None: ...


class RunLog(Protocol):
    """The sources and the record of every run of each."""

    def save_source(self, name: str, title: str, home: str) -> None: ...

    def start_run(self, source: str) -> int: ...

    def finish_run(self, run_id: int, stats: dict[str, Any], ok: bool, error: str = "") -> None: ...

    def runs(self, source: str | None = None, limit: int = 20) -> list[dict[str, Any]]: ...

    def run_sources(self) -> list[str]: ...


class TemplateStore(Protocol):
    """What template learning keeps per source (:mod:`aggregator.template`)."""

    def load_template(self, source: str) -> str | None: ...

    def save_template(self, source: str, stats: str) -> None: ...

    def update_template(self, source: str, update: Callable[[str | None], str]) -> None:
        """Replace the statistics of ``source`` by ``update(saved)`` in one transaction that
        no other writer interleaves with: crawlers of one source on several machines add
        their observations to each other's instead of the last save winning."""


class Store(ArticleStore, CrawlStateStore, RunLog, TemplateStore, Protocol):
    """The whole store, as one connection serves it; each caller needs only its part."""

    def change_stamp(self) -> str:
        """A cheap value that changes whenever the store's articles or runs do (asked per
        served query: ``aggregator serve`` caches computed feeds until it changes)."""

    def group_commits(self, seconds: float) -> None:
        """Let the write transactions of up to ``seconds`` share one commit, each still
        atomic (0: each commits on its own). A store that can't group ignores it."""

    def lock_token(self) -> int | None:
        """A number that stays the same while this connection holds the store's write lock
        without a break (an SQLite group of transactions), None when it does not hold it:
        two equal tokens mean no other writer wrote in between."""

    def flush(self) -> None:
        """Commit the open group of transactions, if any."""

    def close(self) -> None:
        """Commit what is grouped, then close the connection."""


def open_store(data_dir: str | Path, read_only: bool = False,
               url: str | None = None, cache_mb: int = 0) -> "Store":
    """Open (creating or upgrading) the store: the one ``url`` names, else the SQLite store
    in ``data_dir``; ``read_only`` opens an existing one without ever writing (``status``,
    ``export``, ``feeds``).

    ``url`` is ``postgresql://user:password@host:port/database`` (also ``postgres://``) for
    PostgreSQL, ``sqlite:///relative/file.sqlite3`` or ``sqlite:////absolute/file.sqlite3``
    for an SQLite file elsewhere than ``data_dir``; None or ``""`` is the embedded default.
    ``cache_mb`` sizes an SQLite connection's page cache (0: SQLite's 2 MB).
    Raises :class:`aggregator.store.sqlite.StoreError` naming a URL it can't use."""
    from aggregator.store.sqlite import SQLiteStore, StoreError

    if url:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme in ("postgresql", "postgres"):
            from aggregator.store.postgres import PostgresStore

            return PostgresStore(url, read_only=read_only)
        if scheme == "sqlite" and is_store_url(url):
            file = Path(url[len("sqlite:///"):])  # sqlite:///relative, sqlite:////absolute
            if not read_only:
                file.parent.mkdir(parents=True, exist_ok=True)
            return SQLiteStore(file, read_only=read_only, cache_mb=cache_mb)
        raise StoreError(f"{store_label(url)}: not a store URL: use postgresql://user@host/"
                         f"database or sqlite:///path/to/file (or leave it out for the "
                         f"SQLite store in the data folder)")
    path = Path(data_dir)
    if not read_only:
        path.mkdir(parents=True, exist_ok=True)
    return SQLiteStore(path / DB_FILENAME, read_only=read_only, cache_mb=cache_mb)


def store_label(url: str | None, data_dir: str | Path = ".") -> str:
    """What to call the store in messages: its URL without a password, or its file.

    >>> store_label("postgresql://ann:secret@db.example/news")
    'postgresql://ann:***@db.example/news'
    >>> store_label(None, "data")
    'data/aggregator.sqlite3'
    """
    if not url:
        return str(Path(data_dir) / DB_FILENAME)
    from aggregator.store.postgres import redacted

    return redacted(url)


def is_store_url(url: str) -> bool:
    """Whether :func:`open_store` takes ``url``.

    >>> is_store_url("postgres://db.example/news"), is_store_url("sqlite:///data/a.sqlite3")
    (True, True)
    >>> is_store_url("data/aggregator.sqlite3")
    False
    """
    return is_server_store(url) or (url.startswith("sqlite:///") and len(url) > len("sqlite:///"))


def sqlite_file(data_dir: str | Path, url: str | None = None) -> Path | None:
    """The SQLite file the store is (``url``'s, else the one in ``data_dir``); None for a
    store on a database server, or a URL that names none (:func:`open_store` says so)."""
    if not url:
        return Path(data_dir) / DB_FILENAME
    if url.startswith("sqlite:///") and is_store_url(url):
        return Path(url[len("sqlite:///"):])
    return None


def is_server_store(url: str | None) -> bool:
    """Whether ``url`` names a store on a database server (not an SQLite file).

    >>> is_server_store("postgresql://db.example/news"), is_server_store(None)
    (True, False)
    """
    return bool(url) and str(url).split(":", 1)[0].lower() in ("postgresql", "postgres")


#: SQLite errors that mean the file is gone or unreadable, not a bad statement
_SQLITE_GONE = ("disk i/o error", "unable to open database", "database disk image is malformed",
                "no such table")


def store_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says the store's server or file is unreachable (not a bad item).

    >>> store_unreachable(ConnectionRefusedError("refused"))
    True
    >>> store_unreachable(ValueError("bad date"))
    False
    """
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        psycopg = None  # type: ignore[assignment]
    if psycopg is not None and isinstance(exc, (psycopg.OperationalError,
                                                psycopg.InterfaceError)):
        return True
    if isinstance(exc, sqlite3.OperationalError):
        return any(s in str(exc).lower() for s in _SQLITE_GONE)
    return False
