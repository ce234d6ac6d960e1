"""Synthetic articles and configs for unit tests of the store, feeds and exports."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from aggregator.config import Config, parse_config
from aggregator.items import Article, LeadImage, RelatedLink
from aggregator.store.sqlite import SQLiteStore

BASE = datetime(2024, 3, 1, 8, 0, tzinfo=timezone.utc)

CONFIG = '''
[aggregator]
feed_limit = 20

[[sources]]
name = "alpha"
title = "Alpha News"
home = "https://alpha.example/"

[[sources]]
name = "beta"
title = "Beta Daily"
home = "https://beta.example/"
'''


def make_article(i: int, source: str = "alpha", **changes: object) -> Article:
    """Article number ``i``: published ``i`` hours after BASE, with an image, two tags,
    an author and two suggested links to its neighbours."""
    host = f"https://{source}.example"
    url = f"{host}/news/{i:05d}-story"
    values: dict[str, object] = dict(
        url=url, canonical_url=url, source=source, title=f"Story {i} about chips",
        summary=f"Summary of story {i}.", authors=[f"Writer {i % 3}"],
        published=BASE + timedelta(hours=i), body_text=f"First paragraph {i}.\n\nSecond {i}.",
        body_html=f"<p>First paragraph {i}.</p><p>Second {i}.</p>",
        image=LeadImage(url=f"{host}/img/{i}.png", caption=f"Picture {i}", credit="Agency"),
        tags=["Chips", f"tag{i % 2}"], language="en",
        related=[RelatedLink(url=f"{host}/news/{i + 1:05d}-story", title=f"Story {i + 1}",
                             position=1),
                 RelatedLink(url=f"{host}/news/{i + 2:05d}-story", title=f"Story {i + 2}",
                             position=2)],
        fetched_at=BASE + timedelta(days=30), content_hash=f"hash-{i}",
    )
    values.update(changes)
    return Article(**values)  # type: ignore[arg-type]


def config(extra: str = "", path: str = "test.toml") -> Config:
    return parse_config(CONFIG + extra, path)


def filled_store(tmp: Path, count: int = 6) -> SQLiteStore:
    store = SQLiteStore(tmp / "aggregator.sqlite3")
    for i in range(count):
        store.save_article(make_article(i, "alpha" if i % 2 == 0 else "beta"))
    return store
