"""Topic feeds: ``[[topics]]`` tables of the config select articles by keywords or
regular expressions, like RSSHub's ``filter`` / ``filterout`` parameters.

>>> from aggregator.config import parse_config
>>> cfg = parse_config(r'''
... [[topics]]
... name = "chips"
... include = ['semiconductor', '\\bchips?\\b']
... exclude = ["potato"]
... ''', "inline.toml")
>>> topic = parse_topics(cfg)[0]
>>> from aggregator.items import Article
>>> topic.matches(Article(url="https://x.example/a", title="New chip fabs"))
True
>>> topic.matches(Article(url="https://x.example/b", title="Potato chips"))
False
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Any

from aggregator.config import Config, ConfigError
from aggregator.items import Article

#: the parts of an article a pattern is matched against
FIELDS = ("title", "summary", "body", "tags", "authors")
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_KNOWN_KEYS = {"name", "title", "description", "include", "exclude", "fields", "sources",
               "limit", "since", "case_sensitive"}
#: feed names that are not topics
RESERVED = {"all", "feeds"}


@dataclass
class Topic:
    """One topic feed: an article belongs when any ``include`` pattern matches one of
    its ``fields`` (or there are none) and no ``exclude`` pattern does."""

    name: str
    title: str
    description: str = ""
    include: list[re.Pattern[str]] = field(default_factory=list)
    exclude: list[re.Pattern[str]] = field(default_factory=list)
    fields: tuple[str, ...] = FIELDS
    sources: list[str] = field(default_factory=list)
    limit: int | None = None
    since: datetime | None = None

    def texts(self, article: Article) -> list[str]:
        values = {
            "title": [article.title], "summary": [article.summary], "body": [article.body_text],
            "tags": article.tags, "authors": article.authors,
        }
        return [text for name in self.fields for text in values[name] if text]

    def matches(self, article: Article) -> bool:
        if self.sources and article.source not in self.sources:
            return False
        texts = self.texts(article)
        if self.include and not any(p.search(t) for p in self.include for t in texts):
            return False
        return not any(p.search(t) for p in self.exclude for t in texts)


def parse_topics(config: Config) -> list[Topic]:
    """Validate the ``[[topics]]`` tables of ``config``; errors name file, topic and key,
    e.g. ``demo.toml: topic 'ai': key 'include': bad regular expression '(': ...``."""
    topics: list[Topic] = []
    seen = {src.name for src in config.sources}
    for index, raw in enumerate(config.topics):
        topic = _parse_topic(raw, index, config)
        if topic.name in seen or topic.name in RESERVED:
            raise ConfigError(f"{config.path}: topic {topic.name!r}: key 'name': already the name"
                              " of a source or another feed")
        seen.add(topic.name)
        topics.append(topic)
    return topics


def _parse_topic(raw: Any, index: int, config: Config) -> Topic:
    path = config.path
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: topics[{index}]: expected a table, got {type(raw).__name__}")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ConfigError(f"{path}: topics[{index}]: key 'name': expected lower-case letters,"
                          f" digits, '-' or '_', got {name!r}")
    where = f"{path}: topic {name!r}"
    unknown = sorted(set(raw) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KNOWN_KEYS))})")
    for key in ("title", "description"):
        if not isinstance(raw.get(key, ""), str):
            raise ConfigError(f"{where}: key {key!r}: expected a string, got {raw[key]!r}")
    case_sensitive = raw.get("case_sensitive", False)
    if not isinstance(case_sensitive, bool):
        raise ConfigError(f"{where}: key 'case_sensitive': expected true or false")
    flags = 0 if case_sensitive else re.IGNORECASE
    patterns = {key: _patterns(raw.get(key, []), key, where, flags) for key in ("include", "exclude")}
    fields = _strings(raw.get("fields", list(FIELDS)), "fields", where)
    bad = [f for f in fields if f not in FIELDS]
    if bad or not fields:
        raise ConfigError(f"{where}: key 'fields': expected some of {', '.join(FIELDS)},"
                          f" got {bad[0] if bad else 'none'!r}")
    sources = _strings(raw.get("sources", []), "sources", where)
    known = {src.name for src in config.sources}
    unknown_sources = [s for s in sources if s not in known]
    if unknown_sources:
        raise ConfigError(f"{where}: key 'sources': no source named {unknown_sources[0]!r}"
                          f" (known: {', '.join(sorted(known)) or 'none'})")
    limit = raw.get("limit")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise ConfigError(f"{where}: key 'limit': expected a whole number >= 1, got {limit!r}")
    return Topic(name=name, title=raw.get("title") or name, description=raw.get("description", ""),
                 include=patterns["include"], exclude=patterns["exclude"], fields=tuple(fields),
                 sources=sources, limit=limit, since=_since(raw.get("since"), where))


def _strings(value: Any, key: str, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: key {key!r}: expected a list of strings, got {value!r}")
    return list(value)


def _patterns(value: Any, key: str, where: str, flags: int) -> list[re.Pattern[str]]:
    out = []
    for text in _strings(value, key, where):
        try:
            out.append(re.compile(text, flags))
        except re.error as exc:
            raise ConfigError(f"{where}: key {key!r}: bad regular expression {text!r}: {exc}"
                              " (escape special characters with a backslash)") from None
    return out


def _since(value: Any, where: str) -> datetime | None:
    """A TOML date or datetime, or ISO 8601 text; naive means UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"{where}: key 'since': expected a date like 2024-01-31,"
                              f" got {value!r}") from None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=timezone.utc)
    raise ConfigError(f"{where}: key 'since': expected a date like 2024-01-31, got {value!r}")
