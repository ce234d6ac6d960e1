"""Real feed readers from Debian, run the way a user runs them: newsboat (its cache is
read back from SQLite) and sfeed (its TSV output)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

NEWSBOAT = shutil.which("newsboat") or "/usr/bin/newsboat"
SFEED = shutil.which("sfeed") or "/usr/bin/sfeed"
#: sfeed's TSV fields, in order (sfeed(5))
SFEED_FIELDS = ("timestamp", "title", "link", "content", "content_type", "id", "author",
                "enclosure", "category")


def newsboat(home: Path, *args: str) -> subprocess.CompletedProcess:
    """``newsboat -C home/config ARGS`` with ``home`` as HOME and working folder."""
    (home / "config").touch()
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TERM": "dumb"}
    return subprocess.run([NEWSBOAT, "-C", str(home / "config"), *args], cwd=home, env=env,
                          capture_output=True, text=True, timeout=60)


def newsboat_reload(home: Path, urls: list[str]) -> list[dict[str, str]]:
    """Subscribe a fresh newsboat to ``urls``, reload, and return its cached items
    (``feedurl``, ``guid``, ``title``, ``author``, ``url``)."""
    (home / "urls").write_text("".join(url + "\n" for url in urls))
    result = newsboat(home, "-u", "urls", "-c", "cache.db", "-x", "reload")
    assert result.returncode == 0, result.stderr
    return newsboat_items(home / "cache.db")


def newsboat_items(db: Path) -> list[dict[str, str]]:
    conn = sqlite3.connect(db)
    try:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT feedurl, guid, title, author, url FROM rss_item").fetchall()
    finally:
        conn.close()
    return [dict(row) for row in rows]


def sfeed_items(feed: Path) -> list[dict[str, str]]:
    """What ``sfeed`` reads from the feed file: one dict of :data:`SFEED_FIELDS` per item."""
    with feed.open("rb") as data:
        out = subprocess.run([SFEED], stdin=data, capture_output=True, check=True,
                             timeout=30).stdout.decode("utf-8")
    return [dict(zip(SFEED_FIELDS, line.split("\t"))) for line in out.splitlines() if line]
