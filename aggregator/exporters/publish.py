"""Rebuild every feed from the store: one combined (``all``), one per source, one per
topic of the config, each as RSS, Atom and JSON Feed, and an OPML list of them per format
(``feeds.opml``, ``feeds-atom.opml``, ``feeds-json.opml``), an HTML page per feed and
``index.html``. Files of feeds that are gone (a source or topic taken out of the config)
are removed, when the publisher wrote them and nobody changed them (:mod:`.manifest`).

Each file is checked before it replaces the last good one; an entry that can't go
into a feed is dropped and reported, never the whole feed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from aggregator.config import Config, ConfigError
from aggregator.exporters.atomic import write_atomic
from aggregator.exporters.feeds import render
from aggregator.exporters.model import FORMATS, FeedEntry, FeedSpec, feed_filename, page_filename
from aggregator.exporters.feed_page import write_feed_page
from aggregator.exporters.index_page import STATIC_FILES, INDEX_FILE, feed_infos, write_index
from aggregator.exporters.manifest import (file_digests, read_manifest, remove_stale,
                                           write_manifest)
from aggregator.exporters.opml import (LOCAL_NOTE, OpmlFeed, feeds_folder_url, opml_filename,
                                       render_opml)
from aggregator.exporters.topics import Topic, parse_topics
from aggregator.exporters.validate import check_feed, entry_problem
from aggregator.store import StoredArticle, Store, StoryCopy

logger = logging.getLogger(__name__)

DEFAULT_FEED_LIMIT = 50


@dataclass
class DroppedEntry:
    feed: str
    id: str
    reason: str


@dataclass
class FailedFeed:
    path: Path
    problems: list[str]


class PublishResult(list[Path]):
    """The paths of the feed files (a list, as before), plus what happened to them:
    ``written`` (changed on disk), ``unchanged``, ``failed`` (check failed: the last good
    file was kept) and ``dropped`` entries."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[Path] = []
        self.unchanged: list[Path] = []
        self.failed: list[FailedFeed] = []
        self.dropped: list[DroppedEntry] = []
        #: files of feeds that are gone, removed from the folder
        self.removed: list[Path] = []

    @property
    def dropped_ids(self) -> set[str]:
        return {d.id for d in self.dropped}

    def summary(self) -> str:
        return (f"{len(self)} feed files: {len(self.written)} written, {len(self.unchanged)}"
                f" unchanged, {len(self.failed)} failed; {len(self.dropped_ids)} entries dropped")


def feeds_base_url(config: Config) -> str:
    """``[aggregator] feeds_url``: where the feeds folder is served, if it is."""
    base = config.options.get("feeds_url", "")
    if not isinstance(base, str):
        raise ConfigError(f"{config.path}: key 'aggregator.feeds_url': expected a URL string")
    if base and not base.startswith(("http://", "https://")):
        raise ConfigError(f"{config.path}: key 'aggregator.feeds_url': expected an http(s) URL,"
                          f" got {base!r}")
    return base if not base or base.endswith("/") else base + "/"


def check_feed_config(config: Config) -> None:
    """Raise :class:`ConfigError` now for any feed option of ``config`` that publishing
    would reject later (topics, feed_limit, feeds_url, group_stories)."""
    parse_topics(config)
    _feed_limit(config, None)
    feeds_base_url(config)
    group_stories(config)


def feed_limit(config: Config) -> int:
    """``[aggregator] feed_limit``: entries per feed (default 50)."""
    return _feed_limit(config, None)


def _feed_limit(config: Config, limit: int | None) -> int:
    value = limit or config.options.get("feed_limit", DEFAULT_FEED_LIMIT)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"{config.path}: key 'aggregator.feed_limit': expected a whole number"
                          f" >= 1, got {value!r}")
    return value


#: an entry lists at most this many other copies of its story ("Also covered by")
MAX_OTHER_COPIES = 10


class Stories:
    """The copies of each story, asked of the store once per publish."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._copies: dict[int, list[StoryCopy]] = {}

    def copies(self, story_id: int | None) -> list[StoryCopy]:
        if story_id is None:
            return []
        if story_id not in self._copies:
            self._copies[story_id] = self.store.story_copies(story_id)
        return self._copies[story_id]

    def others(self, item: StoredArticle) -> list[StoryCopy]:
        """The other copies of ``item``'s story, the first :data:`MAX_OTHER_COPIES` of them
        (a feed entry lists them; a story never makes an entry unbounded)."""
        url = item.article.canonical_url
        return [c for c in self.copies(item.story_id) if c.canonical_url != url][
            :MAX_OTHER_COPIES]

    def is_first_copy(self, item: StoredArticle) -> bool:
        """Whether ``item`` is its story's first-published copy (or has no story)."""
        copies = self.copies(item.story_id)
        return not copies or copies[0].canonical_url == item.article.canonical_url


def _take(stored: Iterable[StoredArticle], limit: int, feed: str, result: PublishResult,
          stories: Stories, keep: Callable[[FeedEntry], bool] = lambda e: True,
          one_copy_per_story: bool = False) -> list[FeedEntry]:
    """The first ``limit`` clean entries of ``stored`` that ``keep`` accepts; a feed that
    mixes sources carries one story once (its first-published copy)."""
    entries: list[FeedEntry] = []
    for item in stored:
        if one_copy_per_story and not stories.is_first_copy(item):
            continue
        entry = FeedEntry.from_stored(item)
        if not keep(entry):
            continue
        entry.also_covered_by = stories.others(item)
        problem = entry_problem(entry)
        if problem:
            if entry.id not in result.dropped_ids:
                logger.warning("Feed entry %s dropped: %s", entry.id, problem)
            result.dropped.append(DroppedEntry(feed=feed, id=entry.id, reason=problem))
            continue
        entries.append(entry)
        if len(entries) >= limit:
            break
    return entries


def _topic_entries(store: Store, topic: Topic, limit: int, result: PublishResult,
                   stories: Stories, group: bool,
                   keep: Callable[[FeedEntry], bool] = lambda e: True) -> list[FeedEntry]:
    source = topic.sources[0] if len(topic.sources) == 1 else None
    stored = store.iter_stored(source=source, since=topic.since)
    return _take(stored, topic.limit or limit, topic.name, result, stories,
                 keep=lambda e: topic.matches(e.article) and keep(e),
                 one_copy_per_story=group and source is None)


def group_stories(config: Config) -> bool:
    """``[aggregator] group_stories`` (default true): a feed that mixes sources carries
    one entry per story, its other copies listed under it as "Also covered by"."""
    value = config.options.get("group_stories", True)
    if not isinstance(value, bool):
        raise ConfigError(f"{config.path}: key 'aggregator.group_stories': expected true or"
                          f" false, got {value!r}")
    return value


def feed_names(config: Config) -> list[str]:
    """The names of the feeds of ``config``: ``all``, each source, each topic."""
    return ["all", *(src.name for src in config.sources),
            *(topic.name for topic in parse_topics(config))]


def store_as_of(store: Store) -> datetime | None:
    """When the store last changed: the end (else the start) of its last crawl run."""
    runs = store.runs(limit=1)
    if not runs:
        return None
    value = runs[0].get("finished") or runs[0].get("started")
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def build_spec(store: Store, config: Config, name: str, limit: int, result: PublishResult,
               keep: Callable[[FeedEntry], bool] = lambda e: True,
               stories: Stories | None = None, as_of: datetime | None = None
               ) -> FeedSpec | None:
    """The feed ``name`` of ``config`` (see :func:`feed_names`) filled from ``store``, with
    the first ``limit`` entries that ``keep`` accepts; None for an unknown name. ``as_of``
    dates a feed without entries (default: :func:`store_as_of`)."""
    spec = _build_spec(store, config, name, limit, result, keep, stories)
    if spec is not None:
        spec.as_of = as_of or store_as_of(store)
    return spec


def _build_spec(store: Store, config: Config, name: str, limit: int, result: PublishResult,
                keep: Callable[[FeedEntry], bool],
                stories: Stories | None) -> FeedSpec | None:
    base = feeds_base_url(config)
    home = config.options.get("home") or (config.sources[0].home if config.sources else "")
    urls = {fmt: base + feed_filename(name, fmt) for fmt in FORMATS} if base else {}
    stories = stories or Stories(store)
    group = group_stories(config)
    if name == "all":
        return FeedSpec(name="all", title=config.options.get("title", "All articles"), link=home,
                        description="Every source, newest first", feed_urls=urls,
                        entries=_take(store.iter_stored(), limit, "all", result, stories,
                                      keep=keep, one_copy_per_story=group))
    for src in config.sources:
        if src.name == name:
            title = src.title or src.name
            return FeedSpec(
                name=src.name, title=title, link=src.home, feed_urls=urls,
                description=f"Full-text articles of {title}",
                entries=_take(store.iter_stored(source=src.name), limit, src.name, result,
                              stories, keep=keep))
    for topic in parse_topics(config):
        if topic.name == name:
            return FeedSpec(
                name=topic.name, title=topic.title, link=home, feed_urls=urls,
                description=topic.description or f"Articles about {topic.title}",
                entries=_topic_entries(store, topic, limit, result, stories, group, keep))
    return None


def build_specs(store: Store, config: Config, limit: int,
                result: PublishResult) -> list[FeedSpec]:
    """Every feed of ``config``, filled from ``store``."""
    stories = Stories(store)
    as_of = store_as_of(store)
    specs = [build_spec(store, config, name, limit, result, stories=stories, as_of=as_of)
             for name in feed_names(config)]
    return [spec for spec in specs if spec is not None]


def _publish_file(path: Path, data: bytes, problems: list[str], result: PublishResult) -> None:
    result.append(path)
    if problems:
        logger.error("Feed %s not published (the last good one is kept): %s", path,
                     "; ".join(problems[:5]))
        result.failed.append(FailedFeed(path=path, problems=problems))
    elif write_atomic(path, data):
        logger.info("Wrote %s", path)
        result.written.append(path)
    else:
        result.unchanged.append(path)


def _publish_opml(specs: list[FeedSpec], config: Config, feeds_dir: Path,
                  result: PublishResult) -> None:
    """One OPML list per format. Its links are absolute: ``feeds_url``, else ``file://``
    URLs of ``feeds_dir`` with a note saying so (a relative link imports as a name a
    reader can't fetch)."""
    base = feeds_base_url(config)
    note = "" if base else LOCAL_NOTE
    base = base or feeds_folder_url(feeds_dir)
    title = config.options.get("title", "aggregator feeds")
    for fmt in FORMATS:
        opml = render_opml(f"{title} ({FORMATS[fmt].label})" if fmt != "rss" else title, [
            OpmlFeed(title=spec.title, html_url=spec.link,
                     xml_url=spec.feed_urls.get(fmt) or base + quote(feed_filename(spec.name, fmt)))
            for spec in specs], note=note)
        _publish_file(feeds_dir / opml_filename(fmt), opml, check_feed(opml, "opml"), result)


def publish_feeds(store: Store, config: Config, feeds_dir: str | Path,
                  limit: int | None = None) -> PublishResult:
    """Write all feeds of ``config`` from ``store`` into ``feeds_dir``; return the paths
    (a :class:`PublishResult`, which also tells what was written, kept, dropped or removed)."""
    feeds_dir = Path(feeds_dir)
    result = PublishResult()
    previous = read_manifest(feeds_dir)
    specs = build_specs(store, config, _feed_limit(config, limit), result)
    for spec in specs:
        for fmt in FORMATS:
            path = feeds_dir / feed_filename(spec.name, fmt)
            try:
                data = render(spec, fmt)
            except ValueError as exc:  # lxml refuses text it can't write
                _publish_file(path, b"", [f"can't render: {exc}"], result)
                continue
            _publish_file(path, data, check_feed(data, fmt), result)
    _publish_opml(specs, config, feeds_dir, result)
    infos = feed_infos(specs, feeds_dir, config)
    titles = {src.name: src.title or src.name for src in config.sources}
    for spec, info in zip(specs, infos):
        write_feed_page(feeds_dir, spec, info.formats, titles)
    write_index(feeds_dir, feed_infos(specs, feeds_dir, config),
                local_links=not feeds_base_url(config))
    ours = [p.name for p in result] + [page_filename(s.name) for s in specs] + [
        INDEX_FILE, *STATIC_FILES]
    result.removed = remove_stale(feeds_dir, previous, ours)
    # a feed that failed keeps its last good file: the one recorded when it was written
    failed = {f.path.name for f in result.failed}
    files = file_digests(feeds_dir, [name for name in ours if name not in failed])
    files.update({name: previous[name] for name in failed if name in previous})
    write_manifest(feeds_dir, files)
    logger.info("Feeds in %s: %s", feeds_dir, result.summary())
    return result
