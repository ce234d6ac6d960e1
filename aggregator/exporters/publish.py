"""Rebuild every feed from the store: one per source and one combined (``all``)."""

from __future__ import annotations

from pathlib import Path

from aggregator.config import Config
from aggregator.exporters.feeds import FeedSpec, write_feed
from aggregator.store import Store


def publish_feeds(store: Store, config: Config, feeds_dir: str | Path,
                  limit: int | None = None) -> list[Path]:
    """Write all feeds of ``config`` from ``store`` into ``feeds_dir``; return the paths."""
    feeds_dir = Path(feeds_dir)
    limit = limit or int(config.options.get("feed_limit", 50))
    specs = [FeedSpec(
        name="all", title="All articles", link=config.sources[0].home if config.sources else "",
        description="Every source, newest first",
        articles=list(store.iter_articles(limit=limit)))]
    for src in config.sources:
        specs.append(FeedSpec(
            name=src.name, title=src.title or src.name, link=src.home,
            description=f"Full-text articles of {src.title or src.name}",
            articles=list(store.iter_articles(source=src.name, limit=limit))))
    paths: list[Path] = []
    for spec in specs:
        paths.extend(write_feed(spec, feeds_dir))
    return paths
