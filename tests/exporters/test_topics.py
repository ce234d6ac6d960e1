"""Topic feeds: keyword / regex filters on chosen fields, sources, since, limit; and
config errors that name the file, the topic and the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aggregator.config import ConfigError
from aggregator.exporters.publish import publish_feeds
from aggregator.exporters.topics import parse_topics
from aggregator.store.sqlite import SQLiteStore
from tests.exporters.synthetic import config, make_article


@pytest.fixture
def store(tmp_path: Path):
    store = SQLiteStore(tmp_path / "aggregator.sqlite3")
    store.save_article(make_article(1, "alpha", title="Nvidia ships a new AI accelerator"))
    store.save_article(make_article(2, "alpha", title="Potato chips shortage",
                                    tags=["Food"], summary="Snacks."))
    store.save_article(make_article(3, "beta", title="Quarterly results",
                                    body_text="Machine learning revenue doubled."))
    store.save_article(make_article(4, "beta", title="Retail update", authors=["Ada Lovelace"],
                                    tags=["Retail"]))
    store.save_article(make_article(5, "beta", title="AIRLINE news is not AI",
                                    tags=["Travel"]))
    yield store
    store.close()


def topic_ids(store: SQLiteStore, tmp_path: Path, toml: str) -> list[str]:
    publish_feeds(store, config(toml), tmp_path / "feeds")
    items = json.loads((tmp_path / "feeds" / "t.json").read_text())["items"]
    return [item["id"].split("/")[-1][:5] for item in items]


def test_include_regex_and_keywords_match_any_field(store, tmp_path: Path) -> None:
    toml = '[[topics]]\nname = "t"\ninclude = ["\\\\bAI\\\\b", "machine learning"]\n'
    assert topic_ids(store, tmp_path, toml) == ["00005", "00003", "00001"]


def test_exclude_wins_and_case_sensitivity(store, tmp_path: Path) -> None:
    toml = ('[[topics]]\nname = "t"\ninclude = ["\\\\bAI\\\\b"]\nexclude = ["airline"]\n')
    assert topic_ids(store, tmp_path, toml) == ["00001"]
    toml = '[[topics]]\nname = "t"\ninclude = ["airline"]\ncase_sensitive = true\n'
    assert topic_ids(store, tmp_path, toml) == []


def test_fields_restrict_where_patterns_look(store, tmp_path: Path) -> None:
    toml = '[[topics]]\nname = "t"\ninclude = ["machine learning"]\nfields = ["title"]\n'
    assert topic_ids(store, tmp_path, toml) == []
    toml = '[[topics]]\nname = "t"\ninclude = ["lovelace"]\nfields = ["authors"]\n'
    assert topic_ids(store, tmp_path, toml) == ["00004"]
    toml = '[[topics]]\nname = "t"\ninclude = ["^food$"]\nfields = ["tags"]\n'
    assert topic_ids(store, tmp_path, toml) == ["00002"]


def test_sources_since_and_limit(store, tmp_path: Path) -> None:
    toml = '[[topics]]\nname = "t"\nsources = ["beta"]\n'
    assert topic_ids(store, tmp_path, toml) == ["00005", "00004", "00003"]
    toml = '[[topics]]\nname = "t"\nsources = ["beta"]\nlimit = 2\n'
    assert topic_ids(store, tmp_path, toml) == ["00005", "00004"]
    # BASE is 2024-03-01T08:00Z and article i is published i hours later
    toml = '[[topics]]\nname = "t"\nsince = 2024-03-01T11:30:00Z\n'
    assert topic_ids(store, tmp_path, toml) == ["00005", "00004"]
    toml = '[[topics]]\nname = "t"\nsince = "2024-03-02"\n'
    assert topic_ids(store, tmp_path, toml) == []


def test_topic_feeds_are_listed_in_opml(store, tmp_path: Path) -> None:
    toml = '[[topics]]\nname = "t"\ntitle = "Tea"\ninclude = ["x"]\n'
    result = publish_feeds(store, config(toml), tmp_path / "feeds")
    assert {p.name for p in result} >= {"t.rss", "t.atom", "t.json"}
    assert 'text="Tea"' in (tmp_path / "feeds" / "feeds.opml").read_text()


@pytest.mark.parametrize("toml, message", [
    ('[[topics]]\nname = "t"\ninclude = ["(unclosed"]\n',
     "my.toml: topic 't': key 'include': bad regular expression '(unclosed'"),
    ('[[topics]]\nname = "t"\nexclude = "x"\nsources = ["gamma"]\n',
     "my.toml: topic 't': key 'sources': no source named 'gamma'"),
    ('[[topics]]\nname = "t"\nfields = ["headline"]\n', "my.toml: topic 't': key 'fields'"),
    ('[[topics]]\nname = "t"\nlimit = 0\n', "my.toml: topic 't': key 'limit'"),
    ('[[topics]]\nname = "t"\nsince = "last week"\n', "my.toml: topic 't': key 'since'"),
    ('[[topics]]\nname = "t"\ninclde = ["x"]\n', "my.toml: topic 't': unknown key 'inclde'"),
    ('[[topics]]\nname = "alpha"\n', "my.toml: topic 'alpha': key 'name'"),
    ('[[topics]]\nname = "Bad Name"\n', "my.toml: topics[0]: key 'name'"),
    ('[[topics]]\nname = "t"\ninclude = [1]\n', "my.toml: topic 't': key 'include'"),
])
def test_bad_topics_are_named(toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_topics(config(toml, path="my.toml"))
    assert message in str(info.value)


def test_bundled_demo_topics_are_valid() -> None:
    from aggregator.config import load_demo_config

    topics = parse_topics(load_demo_config())
    assert [t.name for t in topics] == ["ai"]
