"""The PostgreSQL store (psycopg 3): one database that several crawler processes, on several
machines, write at once.

The same protocol and the same answers as :class:`aggregator.store.sqlite.SQLiteStore`
(feeds published from either are byte for byte the same); what differs is how concurrent
writers are kept apart, where SQLite simply lets one writer in at a time:

* every insert of a row with a natural key is an upsert (``INSERT ... ON CONFLICT``);
  counters move in SQL (``failures = url_failures.failures + 1 ... RETURNING``);
* an article is saved in one transaction that holds its row (``FOR UPDATE``) from reading
  its version to writing the next, so two crawlers saving one article make one version each,
  never the same one twice;
* story membership and MinHash sequence numbers change under one transaction-level advisory
  lock (:data:`STORY_LOCK`), so a story is never removed while a copy joins it and the
  sequence (part of :meth:`PostgresStore.change_stamp`) never goes back;
* migrations run under their own advisory lock, so workers starting together upgrade once.

Times are ``TIMESTAMPTZ`` (UTC, whole seconds, as SQLite's text); text is ordered bytewise
(``COLLATE "C"``), as SQLite orders it, whatever the database's locale.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from aggregator.items import Article, LeadImage, RelatedLink, StoryPlace
from aggregator.state import UrlState
from aggregator.store import SaveResult, Store, StoredArticle, StoryCopy
from aggregator.store.migrations import POSTGRES_MIGRATIONS
from aggregator.store.sqlite import (EPOCH, NEXT_MINHASH_SEQ, StoreError, story_columns,
                                     to_db_time)

try:
    import psycopg
    from psycopg.rows import dict_row
except ImportError:  # pragma: no cover - the message below says what to install
    psycopg = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

#: advisory lock keys (arbitrary, fixed): schema upgrades, story membership
MIGRATION_LOCK = 7_301_015_001
STORY_LOCK = 7_301_015_002

#: URL schemes that name a PostgreSQL store
SCHEMES = ("postgresql", "postgres")

def redacted(url: str) -> str:
    """``url`` without its password, for messages and logs.

    >>> redacted("postgresql://ann:secret@db.example:5432/news")
    'postgresql://ann:***@db.example:5432/news'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def to_pg_time(value: datetime | None) -> datetime | None:
    """A datetime as the store keeps it: UTC, whole seconds (a naive one is taken as UTC),
    as :func:`aggregator.store.sqlite.to_db_time` writes it."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).replace(microsecond=0)


def from_pg_time(value: datetime | None) -> datetime | None:
    return value.astimezone(timezone.utc) if value is not None else None


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


class PostgresStore:
    """:class:`aggregator.store.Store` on one PostgreSQL database, named by ``url``
    (``postgresql://user:password@host:port/database``, any libpq connection string)."""

    def __init__(self, url: str, read_only: bool = False) -> None:
        if psycopg is None:
            raise StoreError(f"{redacted(url)}: a PostgreSQL store needs psycopg 3: "
                             f"pip install 'aggregator[postgresql]'")
        self.url = url
        self.read_only = read_only
        self._cursor_names = (f"aggregator_cursor_{n}" for n in itertools.count(1))
        try:
            self._conn = psycopg.connect(url, autocommit=True, row_factory=dict_row,
                                         connect_timeout=30)
        except psycopg.Error as exc:
            raise StoreError(f"{redacted(url)}: can't connect to the store ({_first_line(exc)});"
                             f" check the URL and that the server is running") from exc
        try:
            self._conn.execute("SET TIME ZONE 'UTC'")
            if read_only:
                self._conn.execute("SET default_transaction_read_only = on")
                version = self.schema_version
                if version < len(POSTGRES_MIGRATIONS):
                    raise StoreError(
                        f"{redacted(url)}: the store has schema {version}, this version reads "
                        f"{len(POSTGRES_MIGRATIONS)}: run `aggregator crawl` once to "
                        f"{'create' if version == 0 else 'upgrade'} it")
            else:
                self.migrate()
        except BaseException as exc:
            self._conn.close()
            if isinstance(exc, psycopg.Error):
                raise StoreError(f"{redacted(url)}: can't use the store ({_first_line(exc)})"
                                 ) from exc
            raise

    def __repr__(self) -> str:
        return f"PostgresStore({redacted(self.url)!r})"

    # --- schema ---------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        """The number of migrations applied; 0 for a database that is no store yet."""
        row = self._conn.execute("SELECT to_regclass('aggregator_schema') AS t").fetchone()
        if row is None or row["t"] is None:
            return 0
        row = self._conn.execute("SELECT version FROM aggregator_schema").fetchone()
        return int(row["version"]) if row is not None else 0

    def migrate(self) -> None:
        """Apply the migrations this database has not had yet, each in a transaction, under
        an advisory lock: of several processes starting at once, one upgrades, the others
        wait and find it done."""
        while True:
            with self._conn.transaction():
                self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                self._conn.execute(
                    "CREATE TABLE IF NOT EXISTS aggregator_schema (version INTEGER NOT NULL)")
                current = self.schema_version
                if current > len(POSTGRES_MIGRATIONS):
                    raise StoreError(
                        f"{redacted(self.url)}: schema version {current} is newer than this "
                        f"program knows ({len(POSTGRES_MIGRATIONS)}); upgrade aggregator")
                if current == len(POSTGRES_MIGRATIONS):
                    return
                number = current + 1
                logger.info("Upgrading %s to schema version %d", redacted(self.url), number)
                for statement in _split_sql(POSTGRES_MIGRATIONS[current]):
                    self._conn.execute(statement)
                self._conn.execute("DELETE FROM aggregator_schema")
                self._conn.execute("INSERT INTO aggregator_schema (version) VALUES (%s)",
                                   (number,))

    # --- articles ---------------------------------------------------------------
    def save_article(self, article: Article, story: StoryPlace | None = None) -> SaveResult:
        key = article.canonical_url or article.url
        fetched = to_pg_time(article.fetched_at or _now())
        values = _article_values(article)
        conn = self._conn
        with conn.transaction():
            if story is not None:  # stories change one at a time (see set_story)
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (STORY_LOCK,))
            # a new article's row is written once, its story with it (not updated after)
            seq, made = "", None
            if story is not None:
                made = self._story_id(None, story)
                values.update(story_columns(story, made))
                seq = f", {NEXT_MINHASH_SEQ}"
            row = conn.execute(
                f"INSERT INTO articles (canonical_url, {', '.join(values)}, first_seen,"
                f" updated_at, version{', minhash_seq' if seq else ''}) VALUES"
                f" (%s, {', '.join(['%s'] * len(values))}, %s, %s, 1{seq})"
                " ON CONFLICT (canonical_url) DO NOTHING RETURNING id",
                (key, *values.values(), fetched, fetched),
            ).fetchone()
            if row is not None:
                article_id = int(row["id"])
                self._add_version(article_id, 1, article, fetched)
                self._replace_links(article_id, article.related)
                if story is not None:
                    self._put_story_keys(article_id, story)
                return "new"
            if story is not None and story.story_id is None:  # the new story goes unused
                conn.execute("DELETE FROM stories WHERE id = %s", (made,))
            # stored already (perhaps a moment ago, by another crawler): hold the row from
            # reading its version to writing the next
            row = conn.execute(
                "SELECT id, content_hash, title, version, story_id FROM articles"
                " WHERE canonical_url = %s FOR UPDATE", (key,)).fetchone()
            if row is None:  # deleted in between; nothing deletes articles today
                raise StoreError(f"{key}: article vanished while being saved")
            article_id = int(row["id"])
            changed = row["content_hash"] != article.content_hash or row["title"] != article.title
            if changed:
                version = int(row["version"]) + 1
                conn.execute(
                    f"UPDATE articles SET {', '.join(f'{c} = %s' for c in values)},"
                    " updated_at = %s, version = %s WHERE id = %s",
                    (*values.values(), fetched, version, article_id))
                self._add_version(article_id, version, article, fetched)
            else:
                conn.execute("UPDATE articles SET fetched_at = %s WHERE id = %s",
                             (fetched, article_id))
            self._replace_links(article_id, article.related)
            if story is not None:
                self._place_story(article_id, row["story_id"], story)
            return "updated" if changed else "unchanged"

    def _place_story(self, article_id: int | None, old: int | None, place: StoryPlace) -> int:
        """Put the article in ``place.story_id`` (else its ``old`` story, else a new one)
        with its signature, bands and paragraph keys; returns the story id. Inside the
        caller's transaction, which holds :data:`STORY_LOCK`."""
        conn = self._conn
        story_id = self._story_id(old, place)
        if article_id is not None:
            columns = story_columns(place, story_id)
            conn.execute(f"UPDATE articles SET {', '.join(f'{c} = %s' for c in columns)},"
                         f" minhash_seq = {NEXT_MINHASH_SEQ} WHERE id = %s",
                         (*columns.values(), article_id))
            self._put_story_keys(article_id, place)
        if old is not None and old != story_id:
            conn.execute("DELETE FROM stories WHERE id = %s AND NOT EXISTS"
                         " (SELECT 1 FROM articles WHERE story_id = %s)", (old, old))
        return story_id

    def _story_id(self, old: int | None, place: StoryPlace) -> int:
        """The story the article goes in: ``place.story_id``, else its ``old`` story (either
        marked updated), else a new one."""
        now = _now()
        story_id = place.story_id if place.story_id is not None else old
        if story_id is None:
            created = self._conn.execute(
                "INSERT INTO stories (created, updated) VALUES (%s, %s) RETURNING id",
                (now, now)).fetchone()
            assert created is not None
            return int(created["id"])
        self._conn.execute("UPDATE stories SET updated = %s WHERE id = %s", (now, story_id))
        return story_id

    def _put_story_keys(self, article_id: int, place: StoryPlace) -> None:
        """The article's LSH bands (none without a signature) and paragraph keys."""
        self._put_bands(article_id, place.bands if place.signature is not None else ())
        if place.paragraphs:
            self._put_paragraphs(article_id, place.paragraphs)

    def _put_paragraphs(self, article_id: int, keys: Sequence[int]) -> None:
        self._conn.execute("DELETE FROM paragraphs WHERE article_id = %s", (article_id,))
        if keys:
            self._conn.execute(
                "INSERT INTO paragraphs (key, article_id)"
                " SELECT k, %s FROM unnest(%s::bigint[]) AS k", (article_id, list(keys)))

    def _add_version(self, article_id: int, version: int, article: Article,
                     fetched: datetime | None) -> None:
        self._conn.execute(
            "INSERT INTO article_versions (article_id, version, content_hash, title, body_text,"
            " fetched_at) VALUES (%s, %s, %s, %s, %s, %s)",
            (article_id, version, article.content_hash, article.title, article.body_text,
             fetched))

    def _replace_links(self, article_id: int, links: list[RelatedLink]) -> None:
        self._conn.execute("DELETE FROM links WHERE article_id = %s", (article_id,))
        if links:
            with self._conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO links (article_id, position, url, title, internal)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    [(article_id, link.position or i, link.url, link.title, int(link.internal))
                     for i, link in enumerate(links, start=1)])

    def get_article(self, canonical_url: str) -> Article | None:
        row = self._conn.execute("SELECT * FROM articles WHERE canonical_url = %s",
                                 (canonical_url,)).fetchone()
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
            where.append("source = %s")
            params.append(source)
        sort_key = "COALESCE(published, first_seen)"
        if since:
            where.append(f"{sort_key} >= %s")
            params.append(to_pg_time(since))
        if until:
            where.append(f"{sort_key} < %s")
            params.append(to_pg_time(until))
        sql = "SELECT * FROM articles"
        if where:
            sql += " WHERE " + " AND ".join(where)
        order = "DESC" if newest_first else "ASC"
        sql += f' ORDER BY {sort_key} {order}, canonical_url COLLATE "C" {order}'
        if limit is not None:
            sql += " LIMIT %s"
            params.append(int(limit))
        # a server-side cursor streams rows (constant memory here); WITH HOLD lets it live
        # outside a transaction while the caller runs other queries between rows
        with self._conn.cursor(name=next(self._cursor_names), withhold=True) as cur:
            cur.itersize = 200
            cur.execute(sql, params)
            for row in cur:
                yield StoredArticle(article=self._to_article(row),
                                    first_seen=from_pg_time(row["first_seen"]) or EPOCH,
                                    updated_at=from_pg_time(row["updated_at"]) or EPOCH,
                                    version=int(row["version"]),
                                    story_id=row["story_id"])

    def count_articles(self, source: str | None = None) -> int:
        if source:
            row = self._conn.execute("SELECT COUNT(*) AS n FROM articles WHERE source = %s",
                                     (source,)).fetchone()
        else:
            row = self._conn.execute("SELECT COUNT(*) AS n FROM articles").fetchone()
        return int(row["n"]) if row is not None else 0

    def known_urls(self, urls: list[str]) -> set[str]:
        rows = self._conn.execute(
            "SELECT canonical_url FROM articles WHERE canonical_url = ANY(%s::text[])",
            (list(urls),))
        return {r["canonical_url"] for r in rows}

    def _links_of(self, article_id: int) -> list[RelatedLink]:
        rows = self._conn.execute(
            "SELECT l.position, l.url, l.title, l.internal, a.canonical_url AS article_url"
            " FROM links l LEFT JOIN articles a ON a.canonical_url = l.url"
            " WHERE l.article_id = %s ORDER BY l.position", (article_id,)).fetchall()
        return [RelatedLink(url=r["url"], title=r["title"], position=int(r["position"]),
                            internal=bool(r["internal"]), article_url=r["article_url"])
                for r in rows]

    def _to_article(self, row: dict[str, Any]) -> Article:
        image = None
        if row["image_url"]:
            image = LeadImage(url=row["image_url"], caption=row["image_caption"],
                              credit=row["image_credit"])
        return Article(
            url=row["url"], canonical_url=row["canonical_url"], source=row["source"],
            title=row["title"], summary=row["summary"], authors=json.loads(row["authors"]),
            published=from_pg_time(row["published"]), modified=from_pg_time(row["modified"]),
            date_sources=json.loads(row["date_sources"]), source_offset=row["source_offset"],
            body_text=row["body_text"], body_html=row["body_html"], image=image,
            tags=json.loads(row["tags"]), language=row["language"],
            related=self._links_of(int(row["id"])), fetched_at=from_pg_time(row["fetched_at"]),
            content_hash=row["content_hash"], flags=json.loads(row["flags"]),
        )

    def article_meta(self, canonical_url: str) -> dict[str, Any] | None:
        """Store-side facts of an article: first_seen, updated_at (ISO text, as SQLite's),
        version."""
        row = self._conn.execute(
            "SELECT first_seen, updated_at, version FROM articles WHERE canonical_url = %s",
            (canonical_url,)).fetchone()
        if row is None:
            return None
        return {"first_seen": to_db_time(row["first_seen"]),
                "updated_at": to_db_time(row["updated_at"]), "version": int(row["version"])}

    # --- suggested-link edges -----------------------------------------------------
    def iter_links(self, *, source: str | None = None) -> Iterator[tuple[str, int, str, str, bool,
                                                                        str | None]]:
        """Every suggested-link edge, as :meth:`SQLiteStore.iter_links`; streamed."""
        sql = ("SELECT f.canonical_url AS from_url, l.position, l.url, l.title, l.internal,"
               " t.canonical_url AS to_article_url FROM links l"
               " JOIN articles f ON f.id = l.article_id"
               " LEFT JOIN articles t ON t.canonical_url = l.url")
        params: list[Any] = []
        if source:
            sql += " WHERE f.source = %s"
            params.append(source)
        sql += ' ORDER BY f.canonical_url COLLATE "C", l.position'
        with self._conn.cursor(name=next(self._cursor_names), withhold=True) as cur:
            cur.itersize = 1000
            cur.execute(sql, params)
            for row in cur:
                yield (row["from_url"], int(row["position"]), row["url"], row["title"],
                       bool(row["internal"]), row["to_article_url"])

    # --- stories (near-duplicate copies across sources) ---------------------------
    def story_of(self, canonical_url: str) -> int | None:
        row = self._conn.execute("SELECT story_id FROM articles WHERE canonical_url = %s",
                                 (canonical_url,)).fetchone()
        return int(row["story_id"]) if row is not None and row["story_id"] is not None else None

    def story_members(self, story_id: int) -> list[str]:
        rows = self._conn.execute(
            "SELECT canonical_url FROM articles WHERE story_id = %s"
            " ORDER BY COALESCE(published, first_seen), id", (story_id,))
        return [r["canonical_url"] for r in rows]

    def story_copies(self, story_id: int) -> list[StoryCopy]:
        rows = self._conn.execute(
            "SELECT a.canonical_url, COALESCE(NULLIF(s.title, ''), a.source) AS source, a.title"
            " FROM articles a LEFT JOIN sources s ON s.name = a.source WHERE a.story_id = %s"
            " ORDER BY COALESCE(a.published, a.first_seen), a.id", (story_id,))
        return [StoryCopy(r["canonical_url"], r["source"], r["title"]) for r in rows]

    def also_covered_by(self, canonical_url: str) -> list[str]:
        story = self.story_of(canonical_url)
        if story is None:
            return []
        return [u for u in self.story_members(story) if u != canonical_url]

    def story_state(self, canonical_url: str) -> tuple[int | None, bytes | None] | None:
        row = self._conn.execute(
            "SELECT story_id, minhash FROM articles WHERE canonical_url = %s",
            (canonical_url,)).fetchone()
        if row is None:
            return None
        return (int(row["story_id"]) if row["story_id"] is not None else None,
                bytes(row["minhash"]) if row["minhash"] is not None else None)

    def story_candidates(self, bands: list[int], source: str, exclude: str,
                         limit: int) -> list[tuple[str, int | None, bytes]]:
        if not bands:
            return []
        rows = self._conn.execute(
            "SELECT canonical_url, story_id, minhash FROM articles WHERE id IN"
            " (SELECT article_id FROM story_bands WHERE key = ANY(%s::bigint[]) AND source < %s"
            " UNION ALL SELECT article_id FROM story_bands WHERE key = ANY(%s::bigint[])"
            " AND source > %s)"  # two index ranges: != would read the source's own articles
            " AND canonical_url != %s AND minhash IS NOT NULL"
            " ORDER BY id LIMIT %s", (list(bands), source, list(bands), source, exclude, limit))
        return [(r["canonical_url"], int(r["story_id"]) if r["story_id"] is not None else None,
                 bytes(r["minhash"])) for r in rows]

    def set_story(self, canonical_url: str, story_id: int | None, signature: bytes | None,
                  bands: Sequence[int] = ()) -> int:
        """Serialised with every other crawler's (:data:`STORY_LOCK`): a story is removed
        only when no copy is joining it at that moment."""
        conn = self._conn
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (STORY_LOCK,))
            row = conn.execute("SELECT id, story_id FROM articles WHERE canonical_url = %s",
                               (canonical_url,)).fetchone()
            if story_id is None and row is not None:
                # None here means a story of its own (a new one), not the one it has
                created = conn.execute(
                    "INSERT INTO stories (created, updated) VALUES (%s, %s) RETURNING id",
                    (_now(), _now())).fetchone()
                assert created is not None
                story_id = int(created["id"])
            return self._place_story(row["id"] if row is not None else None,
                                     row["story_id"] if row is not None else None,
                                     StoryPlace(story_id, signature, tuple(bands)))

    def unbanded_signatures(self, limit: int) -> list[tuple[str, bytes]]:
        rows = self._conn.execute("SELECT canonical_url, minhash FROM articles"
                                  " WHERE minhash IS NOT NULL AND banded = 0 ORDER BY id"
                                  " LIMIT %s", (limit,))
        return [(r["canonical_url"], bytes(r["minhash"])) for r in rows]

    def set_bands(self, canonical_url: str, bands: Sequence[int]) -> None:
        with self._conn.transaction():
            row = self._conn.execute("SELECT id FROM articles WHERE canonical_url = %s"
                                     " AND minhash IS NOT NULL FOR UPDATE",
                                     (canonical_url,)).fetchone()
            if row is not None:
                self._conn.execute("UPDATE articles SET banded = 1 WHERE id = %s", (row["id"],))
                self._put_bands(row["id"], bands)

    def _put_bands(self, article_id: int, bands: Sequence[int]) -> None:
        self._conn.execute("DELETE FROM story_bands WHERE article_id = %s", (article_id,))
        if bands:
            self._conn.execute(
                "INSERT INTO story_bands (key, source, article_id)"
                " SELECT DISTINCT k, a.source, a.id FROM unnest(%s::bigint[]) AS k, articles a"
                " WHERE a.id = %s", (list(bands), article_id))

    def set_paragraphs(self, canonical_url: str, keys: list[int]) -> None:
        conn = self._conn
        with conn.transaction():
            row = conn.execute("SELECT id FROM articles WHERE canonical_url = %s FOR UPDATE",
                               (canonical_url,)).fetchone()
            if row is not None:
                self._put_paragraphs(row["id"], keys)

    def stories_sharing(self, keys: list[int], exclude: str) -> list[int]:
        if not keys:
            return []
        rows = self._conn.execute(
            "SELECT DISTINCT a.story_id FROM paragraphs p JOIN articles a ON a.id ="
            " p.article_id WHERE p.key = ANY(%s::bigint[])"
            " AND a.story_id IS NOT NULL AND a.canonical_url != %s"
            " AND a.story_id IS DISTINCT FROM"
            " (SELECT story_id FROM articles WHERE canonical_url = %s)"
            " AND (SELECT COUNT(*) FROM articles b WHERE b.story_id = a.story_id) > 1",
            (list(keys), exclude, exclude))
        return sorted(int(r["story_id"]) for r in rows)

    def paragraphs_elsewhere(self, keys: list[int], exclude: list[str]) -> set[int]:
        if not keys:
            return set()
        rows = self._conn.execute(
            "SELECT DISTINCT p.key FROM paragraphs p JOIN articles a ON a.id = p.article_id"
            " WHERE p.key = ANY(%s::bigint[]) AND NOT a.canonical_url = ANY(%s::text[])",
            (list(keys), list(exclude)))
        return {int(r["key"]) for r in rows}

    # --- sources and runs -------------------------------------------------------
    def save_source(self, name: str, title: str, home: str) -> None:
        self._conn.execute(
            "INSERT INTO sources (name, title, home) VALUES (%s, %s, %s) ON CONFLICT (name)"
            " DO UPDATE SET title = excluded.title, home = excluded.home", (name, title, home))

    def start_run(self, source: str) -> int:
        row = self._conn.execute("INSERT INTO runs (source, started) VALUES (%s, %s) RETURNING id",
                                 (source, _now())).fetchone()
        assert row is not None
        return int(row["id"])

    def finish_run(self, run_id: int, stats: dict[str, Any], ok: bool, error: str = "") -> None:
        self._conn.execute(
            "UPDATE runs SET finished = %s, ok = %s, error = %s, stats = %s WHERE id = %s",
            (_now(), int(ok), error, json.dumps(stats, default=str, sort_keys=True), run_id))

    def runs(self, source: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """The newest runs first, as SQLite's: times as ISO text, ``ok`` 0 / 1 / None."""
        sql = "SELECT * FROM runs"
        params: list[Any] = []
        if source:
            sql += " WHERE source = %s"
            params.append(source)
        sql += " ORDER BY id DESC LIMIT %s"
        params.append(limit)
        out = []
        for row in self._conn.execute(sql, params):
            record = dict(row)
            record["started"] = to_db_time(record["started"])
            record["finished"] = to_db_time(record["finished"])
            record["stats"] = json.loads(record["stats"])
            out.append(record)
        return out

    def change_stamp(self) -> str:
        # every write of a crawl moves one of these: a new article (id), a new body or
        # story (minhash_seq, from one ordered counter), a run begun or finished
        row = self._conn.execute(
            "SELECT (SELECT MAX(id) FROM articles) AS a, (SELECT MAX(minhash_seq) FROM"
            " articles) AS m, (SELECT MAX(id) FROM runs) AS r, (SELECT COUNT(finished) FROM"
            " runs) AS f").fetchone()
        assert row is not None  # a SELECT without FROM always gives its one row
        return f"{row['a']}-{row['m']}-{row['r']}-{row['f']}"

    def run_sources(self) -> list[str]:
        rows = self._conn.execute('SELECT source FROM runs GROUP BY source ORDER BY source COLLATE "C"')
        return [r["source"] for r in rows]

    # --- crawl state (aggregator.state) -------------------------------------------
    def url_state(self, url: str) -> UrlState | None:
        row = self._conn.execute("SELECT * FROM url_state WHERE url = %s", (url,)).fetchone()
        if row is None:
            return None
        return UrlState(
            url=row["url"], source=row["source"], kind=row["kind"], etag=row["etag"],
            last_modified=row["last_modified"], body_hash=row["body_hash"],
            published=from_pg_time(row["published"]), links=json.loads(row["links"]),
            first_seen=from_pg_time(row["first_seen"]), last_seen=from_pg_time(row["last_seen"]),
            last_changed=from_pg_time(row["last_changed"]), listed=json.loads(row["listed"]))

    def save_url_state(self, state: UrlState, changed: bool = True) -> None:
        """Insert or update a URL's state in one statement; ``first_seen`` is kept,
        ``last_changed`` moves only when ``changed``."""
        now = to_pg_time(state.last_seen or _now())
        self._conn.execute(
            "INSERT INTO url_state (url, source, kind, etag, last_modified, body_hash,"
            " published, links, first_seen, last_seen, last_changed, listed)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (url) DO UPDATE"
            " SET source = excluded.source, kind = excluded.kind, etag = excluded.etag,"
            " last_modified = excluded.last_modified, body_hash = excluded.body_hash,"
            " published = COALESCE(excluded.published, url_state.published),"
            " links = excluded.links, last_seen = excluded.last_seen,"
            # merged: another crawler may have saved a listing's date for this URL
            " listed = (url_state.listed::jsonb || excluded.listed::jsonb)::text,"
            " last_changed = CASE WHEN %s THEN excluded.last_changed"
            " ELSE url_state.last_changed END",
            (state.url, state.source, state.kind, state.etag, state.last_modified,
             state.body_hash, to_pg_time(state.published), json.dumps(state.links),
             now, now, now, json.dumps(state.listed, sort_keys=True), bool(changed)))

    def failure_of(self, url: str) -> tuple[int, datetime] | None:
        row = self._conn.execute("SELECT failures, failed_at FROM url_failures WHERE url = %s",
                                 (url,)).fetchone()
        if row is None:
            return None
        return int(row["failures"]), from_pg_time(row["failed_at"]) or EPOCH

    def note_failure(self, url: str, source: str, kind: str, size: int = 0) -> int:
        """Count one more failed fetch of ``url`` (in SQL: no count is lost to another
        crawler's); returns how many in a row."""
        row = self._conn.execute(
            "INSERT INTO url_failures (url, source, failures, failed_at, kind, size)"
            " VALUES (%s, %s, 1, %s, %s, %s) ON CONFLICT (url) DO UPDATE SET"
            " failures = url_failures.failures + 1, failed_at = excluded.failed_at,"
            " kind = excluded.kind, size = excluded.size RETURNING failures",
            (url, source, _now(), kind, size)).fetchone()
        assert row is not None
        return int(row["failures"])

    def clear_failure(self, url: str) -> None:
        self._conn.execute("DELETE FROM url_failures WHERE url = %s", (url,))

    def touch_url_state(self, url: str, when: datetime | None = None,
                        listed: dict[str, str] | None = None) -> None:
        when = to_pg_time(when or _now())
        if listed is None:
            self._conn.execute("UPDATE url_state SET last_seen = %s WHERE url = %s", (when, url))
        else:
            self._conn.execute("UPDATE url_state SET last_seen = %s, listed ="
                               " (listed::jsonb || %s::jsonb)::text WHERE url = %s",
                               (when, json.dumps(listed, sort_keys=True), url))

    def save_listed(self, listed: dict[str, dict[str, str]]) -> None:
        with self._conn.transaction(), self._conn.cursor() as cur:
            cur.executemany("UPDATE url_state SET listed = (listed::jsonb || %s::jsonb)::text"
                            " WHERE url = %s",
                            [(json.dumps(d, sort_keys=True), u) for u, d in listed.items()])

    def count_url_states(self, source: str | None = None) -> dict[str, int]:
        sql = "SELECT kind, COUNT(*) AS n FROM url_state"
        params: list[Any] = []
        if source:
            sql += " WHERE source = %s"
            params.append(source)
        rows = self._conn.execute(sql + " GROUP BY kind", params)
        return {r["kind"]: int(r["n"]) for r in rows}

    # --- template statistics --------------------------------------------------------
    def load_template(self, source: str) -> str | None:
        row = self._conn.execute("SELECT stats FROM source_templates WHERE source = %s",
                                 (source,)).fetchone()
        return row["stats"] if row else None

    def save_template(self, source: str, stats: str) -> None:
        self._conn.execute(
            "INSERT INTO source_templates (source, stats, updated) VALUES (%s, %s, %s)"
            " ON CONFLICT (source) DO UPDATE SET stats = excluded.stats,"
            " updated = excluded.updated", (source, stats, _now()))

    def update_template(self, source: str, update: Callable[[str | None], str]) -> None:
        with self._conn.transaction():
            # the row exists, then is locked: a second writer waits for this one's commit
            self._conn.execute(
                "INSERT INTO source_templates (source, stats, updated) VALUES (%s, '', %s)"
                " ON CONFLICT (source) DO NOTHING", (source, _now()))
            row = self._conn.execute("SELECT stats FROM source_templates WHERE source = %s"
                                     " FOR UPDATE", (source,)).fetchone()
            saved = row["stats"] if row and row["stats"] else None
            self._conn.execute("UPDATE source_templates SET stats = %s, updated = %s"
                               " WHERE source = %s", (update(saved), _now(), source))

    def group_commits(self, seconds: float) -> None:
        """Ignored: on a server several crawlers write at once, and a transaction held open
        for ``seconds`` would hold its row locks against them. Each commits on its own."""

    def lock_token(self) -> int | None:
        """None: other crawlers may write between any two statements."""
        return None

    def flush(self) -> None:
        """Nothing is ever left uncommitted (see :meth:`group_commits`)."""

    def close(self) -> None:
        self._conn.close()


def _article_values(article: Article) -> dict[str, Any]:
    image = article.image
    return {
        "url": article.url,
        "source": article.source,
        "title": article.title,
        "summary": article.summary,
        "authors": json.dumps(article.authors, ensure_ascii=False),
        "published": to_pg_time(article.published),
        "modified": to_pg_time(article.modified),
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
        "fetched_at": to_pg_time(article.fetched_at),
    }


def _split_sql(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


if TYPE_CHECKING:  # the type checker holds the PostgreSQL store to the whole protocol
    _IS_A_STORE: type[Store] = PostgresStore
