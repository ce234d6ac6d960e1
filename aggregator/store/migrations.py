"""Schema migrations of the SQLite store, applied in order; ``PRAGMA user_version``
holds the number of the last one applied. Never edit a released migration: add one.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: articles, their versions, suggested-link edges, sources, crawl runs
    """
    CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        home TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        canonical_url TEXT NOT NULL UNIQUE,
        url TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL,
        summary TEXT NOT NULL DEFAULT '',
        authors TEXT NOT NULL DEFAULT '[]',
        published TEXT,
        modified TEXT,
        date_sources TEXT NOT NULL DEFAULT '{}',
        source_offset TEXT,
        body_text TEXT NOT NULL DEFAULT '',
        body_html TEXT NOT NULL DEFAULT '',
        image_url TEXT,
        image_caption TEXT NOT NULL DEFAULT '',
        image_credit TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        language TEXT,
        flags TEXT NOT NULL DEFAULT '[]',
        content_hash TEXT NOT NULL DEFAULT '',
        fetched_at TEXT,
        first_seen TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX articles_source_published ON articles (source, published);
    CREATE INDEX articles_published ON articles (published);
    CREATE TABLE article_versions (
        article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        title TEXT NOT NULL,
        body_text TEXT NOT NULL,
        fetched_at TEXT,
        PRIMARY KEY (article_id, version)
    );
    CREATE TABLE links (
        article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        url TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        internal INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (article_id, position)
    );
    CREATE INDEX links_url ON links (url);
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        started TEXT NOT NULL,
        finished TEXT,
        ok INTEGER,
        error TEXT NOT NULL DEFAULT '',
        stats TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX runs_source ON runs (source, started);
    """,
    # incremental crawling: every URL a crawl fetched, with what a conditional request and
    # a re-crawl need (validators, body hash, the links it led to)
    """
    CREATE TABLE url_state (
        url TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        kind TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        body_hash TEXT NOT NULL DEFAULT '',
        published TEXT,
        links TEXT NOT NULL DEFAULT '[]',
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        last_changed TEXT NOT NULL
    );
    CREATE INDEX url_state_source ON url_state (source, kind);
    """,
    # stories: copies of one story across sources (MinHash signature of each body, grouped
    # by aggregator.normalize.dedup); minhash_seq orders signature changes so every process
    # can bring its in-memory LSH index up to date incrementally
    """
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    ALTER TABLE articles ADD COLUMN story_id INTEGER REFERENCES stories (id) ON DELETE SET NULL;
    ALTER TABLE articles ADD COLUMN minhash BLOB;
    ALTER TABLE articles ADD COLUMN minhash_seq INTEGER;
    CREATE INDEX articles_story ON articles (story_id);
    CREATE INDEX articles_minhash_seq ON articles (minhash_seq);
    """,
    # incremental crawling: the date each feed / sitemap last listed a URL with
    # ({listing URL: ISO date}), so a listed date that changed -- even to one before our
    # last fetch (clock skew, back-dated edits) -- brings the URL back
    """
    ALTER TABLE url_state ADD COLUMN listed TEXT NOT NULL DEFAULT '{}';
    """,
    # each source's template statistics (aggregator.template): which link URLs and block
    # signatures recur on its pages, as one bounded JSON document per source
    """
    CREATE TABLE source_templates (
        source TEXT PRIMARY KEY,
        stats TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    """,
    # URLs whose fetch failed (aggregator.incremental): how often in a row, when last, how,
    # and how large the answer was, so a failing URL is retried with exponential back-off
    """
    CREATE TABLE url_failures (
        url TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        failures INTEGER NOT NULL,
        failed_at TEXT NOT NULL,
        kind TEXT NOT NULL,
        size INTEGER NOT NULL DEFAULT 0
    );
    """,
    # the paragraph keys of each article's body (aggregator.normalize.dedup.paragraph_keys):
    # a paragraph a source repeats on other articles is boilerplate, left out when two
    # articles' own texts are compared for a story
    """
    CREATE TABLE paragraphs (
        key INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE
    );
    CREATE INDEX paragraphs_key ON paragraphs (key, article_id);
    CREATE INDEX paragraphs_article ON paragraphs (article_id);
    """,
]
