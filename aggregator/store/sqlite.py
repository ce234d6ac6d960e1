"""The SQLite store: one file under the data folder, no server needed."""

from __future__ import annotations

import json
import os
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aggregator.items import Article, LeadImage, RelatedLink, StoryPlace
from aggregator.state import UrlState
from aggregator.store import SaveResult, Store, StoredArticle, StoryCopy
from aggregator.store.migrations import MIGRATIONS

logger = logging.getLogger(__name__)


def to_db_time(value: datetime | None) -> str | None:
    """A datetime as sortable ISO 8601 text in UTC (a naive one is taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")


def from_db_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class StoreError(RuntimeError):
    """The database can't be opened, read or upgraded; the message names the file and what
    to do. Commands print it as one line and exit with :data:`EXIT_BAD_STORE`."""


#: exit status of a command whose store can't be opened or read
EXIT_BAD_STORE = 4
#: what a command may meet while it reads the store: a store it could not open, or one
#: found broken half-way (a truncated file reads fine until its missing pages)
READ_ERRORS: tuple[type[Exception], ...] = (StoreError, sqlite3.DatabaseError)


def unreadable(path: Path, exc: Exception) -> str:
    """The one-line message for a store SQLite can't read (corrupt, truncated, not one)."""
    return (f"{path}: can't read the store ({exc}); nothing was changed: restore it from a "
            f"backup, or move it away to start a new one")


class SQLiteStore:
    """:class:`aggregator.store.Store` on one SQLite file."""

    def __init__(self, path: str | Path, read_only: bool = False, cache_mb: int = 0) -> None:
        """``cache_mb``: the connection's page cache (SQLite's ``cache_size``); 0 keeps
        SQLite's 2 MB."""
        self.path = Path(path)
        self.read_only = read_only
        #: the file as every connection of this process names it (see :data:`_GROUPING`)
        self._file = os.path.realpath(self.path)
        #: commit grouped transactions this often (seconds); 0: each one commits
        self._group_seconds = 0.0
        #: when the open group began (time.monotonic()), None when no group is open
        self._group_began: float | None = None
        #: groups opened so far (see :meth:`lock_token`)
        self._groups = 0
        try:
            if read_only:
                # never writes, never upgrades: works on a read-only folder or file
                self._db = self._open_read_only()
                version = self.schema_version
                if version < len(MIGRATIONS):
                    raise StoreError(
                        f"{self.path}: the store has schema {version}, this version reads "
                        f"{len(MIGRATIONS)}: run `aggregator crawl` once to upgrade it")
                self._conn.execute("SELECT COUNT(*) FROM articles").fetchone()
            else:
                self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                self._db.row_factory = sqlite3.Row
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA foreign_keys=ON")
                self._conn.execute("PRAGMA synchronous=NORMAL")
                if cache_mb > 0:
                    self._conn.execute(f"PRAGMA cache_size = -{int(cache_mb) * 1024}")
                self.migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(unreadable(self.path, exc)) from exc

    def _open_read_only(self) -> sqlite3.Connection:
        """A read-only connection: ``mode=ro``; on a folder nobody may write to (where SQLite
        can't make the WAL index), ``immutable=1`` -- no crawl can be writing there anyway."""
        if not self.path.is_file():
            raise sqlite3.DatabaseError("no such file")
        uri = self.path.resolve().as_uri()
        for query in ("?mode=ro", "?mode=ro&immutable=1"):
            conn = sqlite3.connect(uri + query, uri=True, timeout=30, isolation_level=None)
            conn.row_factory = sqlite3.Row
            try:
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.OperationalError:
                conn.close()
                if "immutable" in query:
                    raise
        raise AssertionError("unreachable")

    # --- schema ---------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Apply the migrations this database has not had yet, each in a transaction."""
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: schema version {current} is newer than this program "
                f"knows ({len(MIGRATIONS)}); upgrade aggregator"
            )
        for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
            logger.info("Upgrading %s to schema version %d", self.path, number)
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _split_sql(script):
                    self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {number}")
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    @property
    def _conn(self) -> sqlite3.Connection:
        """The connection, once another connection of this process to the same file has
        committed its open group: what it wrote is then seen here, and this connection's
        writes don't wait (in the same thread) on a lock that connection holds."""
        holder = _GROUPING.get(self._file)
        if holder is not None and holder is not self:
            holder.flush()
        return self._db

    def transaction(self) -> "_Transaction":
        return _Transaction(self)

    def group_commits(self, seconds: float) -> None:
        """Let the write transactions of up to ``seconds`` share one commit (0: each commits
        on its own, the default). Each stays atomic (a savepoint in the open group), and
        the group commits once ``seconds`` have passed since it began, on :meth:`flush`,
        on :meth:`close`, and before another connection of this process uses the file. A
        crash loses at most the last ``seconds`` of writes, whole: an article and its crawl
        state are committed together or not at all. For a process that is the file's only
        writer: another process waits for the lock as long as a group is open."""
        if seconds < 0:
            raise ValueError(f"group_commits: seconds must be 0 or more, got {seconds}")
        self.flush()
        self._group_seconds = float(seconds)

    def lock_token(self) -> int | None:
        """The open group's number while it holds the file's write lock, else None: two
        equal tokens mean no other writer can have written in between."""
        return self._groups if self._group_began is not None else None

    def flush(self) -> None:
        """Commit the open group of transactions, if any (see :meth:`group_commits`)."""
        if self._group_began is None:
            return
        self._group_ended()
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            if self._db.in_transaction:  # nothing half-committed stays open behind it
                self._db.execute("ROLLBACK")
            raise StoreError(f"{self.path}: the last grouped writes could not be committed "
                             f"({exc}); they are lost and will be crawled again") from exc

    def _group_ended(self) -> None:
        """Forget the open group (committed, or ended by SQLite on an error)."""
        self._group_began = None
        if _GROUPING.get(self._file) is self:
            del _GROUPING[self._file]

    # --- articles ---------------------------------------------------------------
    def save_article(self, article: Article, story: StoryPlace | None = None) -> SaveResult:
        key = article.canonical_url or article.url
        fetched = to_db_time(article.fetched_at or _now())
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT id, content_hash, title, version, story_id FROM articles"
                " WHERE canonical_url = ?", (key,),
            ).fetchone()
            values = _article_values(article)
            if row is None:
                # a new article's row is written once, its story with it: an UPDATE after
                # the INSERT rewrote the whole row, body and HTML (2% of a crawl's CPU)
                seq = ""
                if story is not None:
                    values.update(story_columns(story, self._story_id(conn, None, story)))
                    seq = f", {NEXT_MINHASH_SEQ}"
                cur = conn.execute(
                    f"INSERT INTO articles (canonical_url, {', '.join(values)}, first_seen,"
                    f" updated_at, version{', minhash_seq' if seq else ''}) VALUES"
                    f" (?, {', '.join('?' * len(values))}, ?, ?, 1{seq})",
                    (key, *values.values(), fetched, fetched),
                )
                article_id = int(cur.lastrowid or 0)
                self._add_version(conn, article_id, 1, article, fetched)
                self._replace_links(conn, article_id, article.related)
                if story is not None:
                    self._put_story_keys(conn, article_id, story, article.source)
                return "new"
            article_id = int(row["id"])
            changed = row["content_hash"] != article.content_hash or row["title"] != article.title
            if changed:
                version = int(row["version"]) + 1
                conn.execute(
                    f"UPDATE articles SET {', '.join(f'{c} = ?' for c in values)}, updated_at = ?,"
                    " version = ? WHERE id = ?",
                    (*values.values(), fetched, version, article_id),
                )
                self._add_version(conn, article_id, version, article, fetched)
            else:
                conn.execute("UPDATE articles SET fetched_at = ? WHERE id = ?", (fetched, article_id))
            self._replace_links(conn, article_id, article.related)
            if story is not None:
                self._place_story(conn, article_id, row["story_id"], story)
            return "updated" if changed else "unchanged"

    @staticmethod
    def _place_story(conn: sqlite3.Connection, article_id: int | None, old: int | None,
                     place: StoryPlace) -> int:
        """Put the article in ``place.story_id`` (else its ``old`` story, else a new one)
        with its signature, bands and paragraph keys (left alone when there are none and no
        signature: a bare :meth:`set_story`); returns the story id."""
        story_id = SQLiteStore._story_id(conn, old, place)
        if article_id is not None:
            columns = story_columns(place, story_id)
            conn.execute(f"UPDATE articles SET {', '.join(f'{c} = ?' for c in columns)},"
                         f" minhash_seq = {NEXT_MINHASH_SEQ} WHERE id = ?",
                         (*columns.values(), article_id))
            SQLiteStore._put_story_keys(conn, article_id, place)
        if old is not None and old != story_id:
            # a story left without copies (its article joined another one) goes
            conn.execute("DELETE FROM stories WHERE id = ? AND NOT EXISTS"
                         " (SELECT 1 FROM articles WHERE story_id = ?)", (old, old))
        return story_id

    @staticmethod
    def _story_id(conn: sqlite3.Connection, old: int | None, place: StoryPlace) -> int:
        """The story the article goes in: ``place.story_id``, else its ``old`` story (either
        marked updated), else a new one."""
        now = to_db_time(_now())
        story_id = place.story_id if place.story_id is not None else old
        if story_id is None:
            return int(conn.execute("INSERT INTO stories (created, updated) VALUES (?, ?)",
                                    (now, now)).lastrowid or 0)
        conn.execute("UPDATE stories SET updated = ? WHERE id = ?", (now, story_id))
        return story_id

    @staticmethod
    def _put_story_keys(conn: sqlite3.Connection, article_id: int, place: StoryPlace,
                        source: str | None = None) -> None:
        """The article's LSH bands (none without a signature) and paragraph keys."""
        SQLiteStore._put_bands(conn, article_id,
                               place.bands if place.signature is not None else (), source)
        if place.paragraphs:
            SQLiteStore._put_paragraphs(conn, article_id, place.paragraphs)

    @staticmethod
    def _put_paragraphs(conn: sqlite3.Connection, article_id: int, keys: Sequence[int]) -> None:
        conn.execute("DELETE FROM paragraphs WHERE article_id = ?", (article_id,))
        conn.executemany("INSERT INTO paragraphs (key, article_id) VALUES (?, ?)",
                         [(key, article_id) for key in keys])

    @staticmethod
    def _add_version(conn: sqlite3.Connection, article_id: int, version: int, article: Article,
                     fetched: str | None) -> None:
        conn.execute(
            "INSERT INTO article_versions (article_id, version, content_hash, title, body_text,"
            " fetched_at) VALUES (?, ?, ?, ?, ?, ?)",
            (article_id, version, article.content_hash, article.title, article.body_text, fetched),
        )

    @staticmethod
    def _replace_links(conn: sqlite3.Connection, article_id: int, links: list[RelatedLink]) -> None:
        conn.execute("DELETE FROM links WHERE article_id = ?", (article_id,))
        conn.executemany(
            "INSERT INTO links (article_id, position, url, title, internal) VALUES (?, ?, ?, ?, ?)",
            [(article_id, link.position or i, link.url, link.title, int(link.internal))
             for i, link in enumerate(links, start=1)],
        )

    def get_article(self, canonical_url: str) -> Article | None:
        row = self._conn.execute(
            "SELECT * FROM articles WHERE canonical_url = ?", (canonical_url,)
        ).fetchone()
        return self._to_article(row) if row is not None else None

    def iter_articles(self, *, source: str | None = None, since: datetime | None = None,
                      until: datetime | None = None, newest_first: bool = True,
                      limit: int | None = None) -> Iterator[Article]:
        for stored in self.iter_stored(source=source, since=since, until=until,
                                       newest_first=newest_first, limit=limit):
            yield stored.article

    def iter_stored(self, *, source: str | None = None, since: datetime | None = None,
                    until: datetime | None = None, newest_first: bool = True,
                    limit: int | None = None) -> Iterator[StoredArticle]:
        where, params = [], []  # type: list[str], list[Any]
        if source:
            where.append("source = ?")
            params.append(source)
        sort_key = "COALESCE(published, first_seen)"
        if since:
            where.append(f"{sort_key} >= ?")
            params.append(to_db_time(since))
        if until:
            where.append(f"{sort_key} < ?")
            params.append(to_db_time(until))
        sql = "SELECT * FROM articles"
        if where:
            sql += " WHERE " + " AND ".join(where)
        order = "DESC" if newest_first else "ASC"
        sql += f" ORDER BY {sort_key} {order}, canonical_url {order}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        # a second connection-level cursor streams rows: constant memory
        for row in self._conn.execute(sql, params):
            yield StoredArticle(article=self._to_article(row),
                                first_seen=from_db_time(row["first_seen"]) or EPOCH,
                                updated_at=from_db_time(row["updated_at"]) or EPOCH,
                                version=int(row["version"]),
                                story_id=row["story_id"])

    def count_articles(self, source: str | None = None) -> int:
        if source:
            return int(self._conn.execute(
                "SELECT COUNT(*) FROM articles WHERE source = ?", (source,)).fetchone()[0])
        return int(self._conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def known_urls(self, urls: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(urls), 500):
            chunk = urls[start:start + 500]
            rows = self._conn.execute(
                f"SELECT canonical_url FROM articles WHERE canonical_url IN"
                f" ({', '.join('?' * len(chunk))})", chunk)
            found.update(r[0] for r in rows)
        return found

    def _links_of(self, article_id: int) -> list[RelatedLink]:
        rows = self._conn.execute(
            "SELECT l.position, l.url, l.title, l.internal, a.canonical_url AS article_url"
            " FROM links l LEFT JOIN articles a ON a.canonical_url = l.url"
            " WHERE l.article_id = ? ORDER BY l.position",
            (article_id,),
        ).fetchall()
        return [RelatedLink(url=r["url"], title=r["title"], position=r["position"],
                            internal=bool(r["internal"]), article_url=r["article_url"])
                for r in rows]

    def _to_article(self, row: sqlite3.Row) -> Article:
        image = None
        if row["image_url"]:
            image = LeadImage(url=row["image_url"], caption=row["image_caption"],
                              credit=row["image_credit"])
        return Article(
            url=row["url"], canonical_url=row["canonical_url"], source=row["source"],
            title=row["title"], summary=row["summary"], authors=json.loads(row["authors"]),
            published=from_db_time(row["published"]), modified=from_db_time(row["modified"]),
            date_sources=json.loads(row["date_sources"]), source_offset=row["source_offset"],
            body_text=row["body_text"], body_html=row["body_html"], image=image,
            tags=json.loads(row["tags"]), language=row["language"],
            related=self._links_of(int(row["id"])), fetched_at=from_db_time(row["fetched_at"]),
            content_hash=row["content_hash"], flags=json.loads(row["flags"]),
        )

    def article_meta(self, canonical_url: str) -> dict[str, Any] | None:
        """Store-side facts of an article: first_seen, updated_at, version."""
        row = self._conn.execute(
            "SELECT first_seen, updated_at, version FROM articles WHERE canonical_url = ?",
            (canonical_url,),
        ).fetchone()
        return dict(row) if row is not None else None

    # --- suggested-link edges -----------------------------------------------------
    def iter_links(self, *, source: str | None = None) -> Iterator[tuple[str, int, str, str, bool,
                                                                        str | None]]:
        """Every suggested-link edge: ``(from_url, position, to_url, title, internal,
        to_article_url)``; ``to_article_url`` is the canonical URL of the stored article the
        link points at, or None. Ordered by source article, then position; streamed."""
        sql = ("SELECT f.canonical_url AS from_url, l.position, l.url, l.title, l.internal,"
               " t.canonical_url AS to_article_url FROM links l"
               " JOIN articles f ON f.id = l.article_id"
               " LEFT JOIN articles t ON t.canonical_url = l.url")
        params: list[Any] = []
        if source:
            sql += " WHERE f.source = ?"
            params.append(source)
        for row in self._conn.execute(sql + " ORDER BY f.canonical_url, l.position", params):
            yield (row["from_url"], int(row["position"]), row["url"], row["title"],
                   bool(row["internal"]), row["to_article_url"])

    # --- stories (near-duplicate copies across sources) ---------------------------
    def story_of(self, canonical_url: str) -> int | None:
        """The story the article belongs to, or None (unknown article or not grouped yet)."""
        row = self._conn.execute("SELECT story_id FROM articles WHERE canonical_url = ?",
                                 (canonical_url,)).fetchone()
        return int(row[0]) if row is not None and row[0] is not None else None

    def story_members(self, story_id: int) -> list[str]:
        """Canonical URLs of the story's copies, first published (or first seen) first."""
        rows = self._conn.execute(
            "SELECT canonical_url FROM articles WHERE story_id = ?"
            " ORDER BY COALESCE(published, first_seen), id", (story_id,))
        return [r[0] for r in rows]

    def story_copies(self, story_id: int) -> list[StoryCopy]:
        """The copies of a story with their source and title, first published first."""
        rows = self._conn.execute(
            "SELECT a.canonical_url, COALESCE(NULLIF(s.title, ''), a.source) AS source, a.title"
            " FROM articles a LEFT JOIN sources s ON s.name = a.source WHERE a.story_id = ?"
            " ORDER BY COALESCE(a.published, a.first_seen), a.id", (story_id,))
        return [StoryCopy(r[0], r[1], r[2]) for r in rows]

    def also_covered_by(self, canonical_url: str) -> list[str]:
        """The other copies of the article's story (empty when it has none)."""
        story = self.story_of(canonical_url)
        if story is None:
            return []
        return [u for u in self.story_members(story) if u != canonical_url]

    def story_state(self, canonical_url: str) -> tuple[int | None, bytes | None] | None:
        """``(story_id, minhash blob)`` of a stored article, or None if it is not stored."""
        row = self._conn.execute("SELECT story_id, minhash FROM articles WHERE canonical_url = ?",
                                 (canonical_url,)).fetchone()
        if row is None:
            return None
        return (int(row[0]) if row[0] is not None else None,
                bytes(row[1]) if row[1] is not None else None)

    def story_candidates(self, bands: list[int], source: str, exclude: str,
                         limit: int) -> list[tuple[str, int | None, bytes]]:
        if not bands:
            return []
        keys = ",".join("?" * len(bands))
        # "source < ? ... source > ?", not "!=": two index ranges that skip the source's own
        # articles, where != reads them all (a band shared by 50,000 templated bodies)
        rows = self._conn.execute(
            "SELECT canonical_url, story_id, minhash FROM articles WHERE id IN"
            f" (SELECT article_id FROM story_bands WHERE key IN ({keys}) AND source < ?"
            f" UNION ALL SELECT article_id FROM story_bands WHERE key IN ({keys}) AND source > ?)"
            " AND canonical_url != ? AND minhash IS NOT NULL ORDER BY id LIMIT ?",
            (*bands, source, *bands, source, exclude, limit))
        return [(r[0], int(r[1]) if r[1] is not None else None, bytes(r[2])) for r in rows]

    def set_story(self, canonical_url: str, story_id: int | None, signature: bytes | None,
                  bands: Sequence[int] = ()) -> int:
        with self.transaction() as conn:
            row = conn.execute("SELECT id, story_id FROM articles WHERE canonical_url = ?",
                               (canonical_url,)).fetchone()
            if story_id is None and row is not None:
                # None here means a story of its own (a new one), not the one it has
                story_id = int(conn.execute(
                    "INSERT INTO stories (created, updated) VALUES (?, ?)",
                    (to_db_time(_now()), to_db_time(_now()))).lastrowid or 0)
            return self._place_story(conn, row[0] if row is not None else None,
                                     row[1] if row is not None else None,
                                     StoryPlace(story_id, signature, tuple(bands)))

    def unbanded_signatures(self, limit: int) -> list[tuple[str, bytes]]:
        rows = self._conn.execute("SELECT canonical_url, minhash FROM articles"
                                  " WHERE minhash IS NOT NULL AND banded = 0 ORDER BY id LIMIT ?",
                                  (limit,))
        return [(r[0], bytes(r[1])) for r in rows]

    def set_bands(self, canonical_url: str, bands: Sequence[int]) -> None:
        with self.transaction() as conn:
            row = conn.execute("SELECT id FROM articles WHERE canonical_url = ?"
                               " AND minhash IS NOT NULL", (canonical_url,)).fetchone()
            if row is not None:
                conn.execute("UPDATE articles SET banded = 1 WHERE id = ?", (row[0],))
                self._put_bands(conn, row[0], bands)

    @staticmethod
    def _put_bands(conn: sqlite3.Connection, article_id: int, bands: Sequence[int],
                   source: str | None = None) -> None:
        """Replace the article's band rows (with its ``source``, read from its row when the
        caller does not know it)."""
        conn.execute("DELETE FROM story_bands WHERE article_id = ?", (article_id,))
        if not bands:
            return
        if source is None:
            row = conn.execute("SELECT source FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is None:
                return
            source = row[0]
        # the source read once, not once per band (25 of them)
        conn.executemany("INSERT INTO story_bands (key, source, article_id) VALUES (?, ?, ?)",
                         [(key, source, article_id) for key in dict.fromkeys(bands)])

    def set_paragraphs(self, canonical_url: str, keys: list[int]) -> None:
        with self.transaction() as conn:
            row = conn.execute("SELECT id FROM articles WHERE canonical_url = ?",
                               (canonical_url,)).fetchone()
            if row is not None:
                self._put_paragraphs(conn, row[0], keys)

    def stories_sharing(self, keys: list[int], exclude: str) -> list[int]:
        found: set[int] = set()
        for start in range(0, len(keys), 400):
            chunk = keys[start:start + 400]
            rows = self._conn.execute(
                "SELECT DISTINCT a.story_id FROM paragraphs p JOIN articles a ON a.id ="
                f" p.article_id WHERE p.key IN ({','.join('?' * len(chunk))})"
                " AND a.story_id IS NOT NULL AND a.canonical_url != ?"
                " AND a.story_id IS NOT (SELECT story_id FROM articles WHERE canonical_url = ?)"
                " AND (SELECT COUNT(*) FROM articles b WHERE b.story_id = a.story_id) > 1",
                [*chunk, exclude, exclude])
            found.update(int(r[0]) for r in rows)
        return sorted(found)

    def paragraphs_elsewhere(self, keys: list[int], exclude: list[str]) -> set[int]:
        if not keys:
            return set()
        found: set[int] = set()
        # (NOT IN (NULL) would be true of no row: no exclusion is no clause)
        skip = f" AND a.canonical_url NOT IN ({','.join('?' * len(exclude))})" if exclude else ""
        for start in range(0, len(keys), 400):  # under SQLite's bound-parameter limit
            chunk = keys[start:start + 400]
            rows = self._conn.execute(
                f"SELECT DISTINCT p.key FROM paragraphs p JOIN articles a ON a.id = p.article_id"
                f" WHERE p.key IN ({','.join('?' * len(chunk))}){skip}", [*chunk, *exclude])
            found.update(int(r[0]) for r in rows)
        return found

    # --- sources and runs -------------------------------------------------------
    def save_source(self, name: str, title: str, home: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO sources (name, title, home) VALUES (?, ?, ?) ON CONFLICT (name)"
                " DO UPDATE SET title = excluded.title, home = excluded.home",
                (name, title, home),
            )

    def start_run(self, source: str) -> int:
        with self.transaction() as conn:
            cur = conn.execute("INSERT INTO runs (source, started) VALUES (?, ?)",
                               (source, to_db_time(_now())))
            return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, stats: dict[str, Any], ok: bool, error: str = "") -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE runs SET finished = ?, ok = ?, error = ?, stats = ? WHERE id = ?",
                (to_db_time(_now()), int(ok), error, json.dumps(stats, default=str, sort_keys=True),
                 run_id),
            )

    def runs(self, source: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        sql = "SELECT * FROM runs"
        params: list[Any] = []
        if source:
            sql += " WHERE source = ?"
            params.append(source)
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        out = []
        for row in self._conn.execute(sql, params):
            record = dict(row)
            record["stats"] = json.loads(record["stats"])
            out.append(record)
        return out

    # --- crawl state (aggregator.state) -------------------------------------------
    def url_state(self, url: str) -> UrlState | None:
        """What the last crawls learnt of ``url``, or None if it was never fetched."""
        row = self._conn.execute("SELECT * FROM url_state WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        return UrlState(
            url=row["url"], source=row["source"], kind=row["kind"], etag=row["etag"],
            last_modified=row["last_modified"], body_hash=row["body_hash"],
            published=from_db_time(row["published"]), links=json.loads(row["links"]),
            first_seen=from_db_time(row["first_seen"]), last_seen=from_db_time(row["last_seen"]),
            last_changed=from_db_time(row["last_changed"]), listed=json.loads(row["listed"]))

    def save_url_state(self, state: UrlState, changed: bool = True) -> None:
        """Insert or replace a URL's state; ``first_seen`` is kept, ``last_changed`` moves
        only when ``changed``."""
        now = to_db_time(state.last_seen or _now())
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO url_state (url, source, kind, etag, last_modified, body_hash,"
                " published, links, first_seen, last_seen, last_changed, listed)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET"
                " source = excluded.source, kind = excluded.kind, etag = excluded.etag,"
                " last_modified = excluded.last_modified, body_hash = excluded.body_hash,"
                " published = COALESCE(excluded.published, url_state.published),"
                " links = excluded.links, last_seen = excluded.last_seen,"
                # merged: another crawler may have saved a listing's date for this URL
                " listed = json_patch(url_state.listed, excluded.listed),"
                " last_changed = CASE WHEN ? THEN excluded.last_changed"
                " ELSE url_state.last_changed END",
                (state.url, state.source, state.kind, state.etag, state.last_modified,
                 state.body_hash, to_db_time(state.published), json.dumps(state.links),
                 now, now, now, json.dumps(state.listed, sort_keys=True), int(changed)),
            )

    def failure_of(self, url: str) -> tuple[int, datetime] | None:
        """``(failures in a row, when the last one was)`` of a URL whose fetch failed."""
        row = self._conn.execute("SELECT failures, failed_at FROM url_failures WHERE url = ?",
                                 (url,)).fetchone()
        if row is None:
            return None
        return int(row[0]), from_db_time(row[1]) or EPOCH

    def note_failure(self, url: str, source: str, kind: str, size: int = 0) -> int:
        """Count one more failed fetch of ``url``; returns how many in a row."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO url_failures (url, source, failures, failed_at, kind, size)"
                " VALUES (?, ?, 1, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET"
                " failures = url_failures.failures + 1, failed_at = excluded.failed_at,"
                " kind = excluded.kind, size = excluded.size",
                (url, source, to_db_time(_now()), kind, size))
            row = conn.execute("SELECT failures FROM url_failures WHERE url = ?", (url,)).fetchone()
        return int(row[0])

    def clear_failure(self, url: str) -> None:
        """``url`` was fetched: its failures are forgotten. Most URLs never failed: they
        are looked up, not written (a write transaction per fetched page costs a lock)."""
        known = self._conn.execute("SELECT 1 FROM url_failures WHERE url = ?", (url,))
        if known.fetchone() is None:
            return
        with self.transaction() as conn:
            conn.execute("DELETE FROM url_failures WHERE url = ?", (url,))

    def touch_url_state(self, url: str, when: datetime | None = None,
                        listed: dict[str, str] | None = None) -> None:
        """Record that the server confirmed ``url`` unchanged (a 304 or the same body);
        ``listed`` (if given) is added to the dates its feeds / sitemaps listed it with
        (a listing's new date replaces its old one)."""
        with self.transaction() as conn:
            if listed is None:
                conn.execute("UPDATE url_state SET last_seen = ? WHERE url = ?",
                             (to_db_time(when or _now()), url))
            else:
                conn.execute("UPDATE url_state SET last_seen = ?, listed = json_patch(listed, ?)"
                             " WHERE url = ?",
                             (to_db_time(when or _now()), json.dumps(listed, sort_keys=True), url))

    def save_listed(self, listed: dict[str, dict[str, str]]) -> None:
        """Add the listed dates (``{url: {listing URL: ISO date}}``) to those of known URLs
        (a listing's new date replaces its old one), in one transaction."""
        with self.transaction() as conn:
            conn.executemany("UPDATE url_state SET listed = json_patch(listed, ?) WHERE url = ?",
                             [(json.dumps(d, sort_keys=True), u) for u, d in listed.items()])

    def load_template(self, source: str) -> str | None:
        """The template statistics of ``source`` as saved (JSON), or None."""
        row = self._conn.execute("SELECT stats FROM source_templates WHERE source = ?",
                                 (source,)).fetchone()
        return row[0] if row else None

    def save_template(self, source: str, stats: str) -> None:
        """Replace the template statistics (JSON) of ``source``."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO source_templates (source, stats, updated) VALUES (?, ?, ?) "
                "ON CONFLICT (source) DO UPDATE SET stats = excluded.stats, "
                "updated = excluded.updated", (source, stats, to_db_time(_now())))

    def update_template(self, source: str, update: Callable[[str | None], str]) -> None:
        with self.transaction() as conn:  # BEGIN IMMEDIATE: one writer at a time
            row = conn.execute("SELECT stats FROM source_templates WHERE source = ?",
                               (source,)).fetchone()
            conn.execute(
                "INSERT INTO source_templates (source, stats, updated) VALUES (?, ?, ?) "
                "ON CONFLICT (source) DO UPDATE SET stats = excluded.stats, "
                "updated = excluded.updated",
                (source, update(row[0] if row else None), to_db_time(_now())))

    def change_stamp(self) -> str:
        # the file and its write-ahead log: any committed write changes one of them
        parts = []
        for file in (self.path, Path(f"{self.path}-wal")):
            try:
                st = os.stat(file)
            except FileNotFoundError:
                continue
            parts.append(f"{st.st_size}:{st.st_mtime_ns}")
        return "/".join(parts)

    def run_sources(self) -> list[str]:
        """Names of the sources that have recorded runs, sorted."""
        return [r[0] for r in self._conn.execute("SELECT DISTINCT source FROM runs ORDER BY source")]

    def count_url_states(self, source: str | None = None) -> dict[str, int]:
        """How many URLs of each kind the crawl state holds."""
        sql = "SELECT kind, COUNT(*) FROM url_state"
        params: list[Any] = []
        if source:
            sql += " WHERE source = ?"
            params.append(source)
        return {kind: int(n) for kind, n in self._conn.execute(sql + " GROUP BY kind", params)}

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self._db.close()


#: the next value of ``articles.minhash_seq`` (one ordered counter of signature changes), as
#: SQL both stores write in the statement that sets an article's story
NEXT_MINHASH_SEQ = "(SELECT COALESCE(MAX(minhash_seq), 0) + 1 FROM articles)"


def story_columns(place: StoryPlace, story_id: int) -> dict[str, Any]:
    """An article row's story columns (with ``minhash_seq``: :data:`NEXT_MINHASH_SEQ`) for
    ``place`` in the story ``story_id``."""
    return {"story_id": story_id, "minhash": place.signature,
            "banded": int(place.signature is not None)}


def _article_values(article: Article) -> dict[str, Any]:
    image = article.image
    return {
        "url": article.url,
        "source": article.source,
        "title": article.title,
        "summary": article.summary,
        "authors": json.dumps(article.authors, ensure_ascii=False),
        "published": to_db_time(article.published),
        "modified": to_db_time(article.modified),
        "date_sources": json.dumps(article.date_sources, sort_keys=True),
        "source_offset": article.source_offset,
        "body_text": article.body_text,
        "body_html": article.body_html,
        "image_url": image.url if image else None,
        "image_caption": image.caption if image else "",
        "image_credit": image.credit if image else "",
        "tags": json.dumps(article.tags, ensure_ascii=False),
        "language": article.language,
        "flags": json.dumps(article.flags),
        "content_hash": article.content_hash,
        "fetched_at": to_db_time(article.fetched_at),
    }


#: the store of this process whose group of transactions is open, by file (at most one:
#: SQLite has one writer per file)
_GROUPING: dict[str, SQLiteStore] = {}


class _Transaction:
    """``with store.transaction() as conn:`` — BEGIN IMMEDIATE ... COMMIT, or ROLLBACK; with
    :meth:`SQLiteStore.group_commits`, a savepoint in the store's open group instead."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self.conn = store._conn  # another connection's open group is committed first

    def __enter__(self) -> sqlite3.Connection:
        store = self.store
        if not store._group_seconds:
            self.conn.execute("BEGIN IMMEDIATE")
            return self.conn
        if store._group_began is None:
            self.conn.execute("BEGIN IMMEDIATE")
            store._group_began = time.monotonic()
            store._groups += 1
            _GROUPING[store._file] = store
        self.conn.execute("SAVEPOINT grouped")
        return self.conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        store = self.store
        if not store._group_seconds:
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
            return
        if not self.conn.in_transaction:  # SQLite ended the group on an error
            store._group_ended()
            return
        if exc_type:
            self.conn.execute("ROLLBACK TO grouped")
        self.conn.execute("RELEASE grouped")
        began = store._group_began
        if began is not None and time.monotonic() - began >= store._group_seconds:
            store.flush()


def _split_sql(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


if TYPE_CHECKING:  # the type checker holds the SQLite store to the whole protocol
    _IS_A_STORE: type[Store] = SQLiteStore
