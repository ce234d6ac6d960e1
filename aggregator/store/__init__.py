"""The article store. Only this package knows SQL; everything else talks to a
:class:`Store`, so another backend (PostgreSQL) can be added without touching the
pipelines or exporters.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from aggregator.items import Article
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

    def save_article(self, article: Article) -> SaveResult:
        """Insert or update one article (by canonical URL) in one transaction."""

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

    def signatures_since(self, seq: int) -> list[tuple[int, str, int | None, bytes, str]]:
        """``(seq, canonical_url, story_id, minhash blob, source)`` stored after ``seq``."""

    def set_story(self, canonical_url: str, story_id: int | None,
                  signature: bytes | None) -> int: ...

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


class Store(ArticleStore, CrawlStateStore, RunLog, TemplateStore, Protocol):
    """The whole store, as one connection serves it; each caller needs only its part."""

    def close(self) -> None: ...


def open_store(data_dir: str | Path, read_only: bool = False) -> "Store":
    """Open (creating or upgrading) the SQLite store in ``data_dir``; ``read_only`` opens an
    existing one without ever writing (``status``, ``export``, ``feeds``)."""
    from aggregator.store.sqlite import SQLiteStore

    path = Path(data_dir)
    if not read_only:
        path.mkdir(parents=True, exist_ok=True)
    return SQLiteStore(path / DB_FILENAME, read_only=read_only)
