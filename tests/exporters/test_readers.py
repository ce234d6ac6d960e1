"""What real readers (Debian's newsboat and sfeed) show of the published feed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.exporters.publish import publish_feeds
from tests.exporters.synthetic import config, filled_store, make_article
from tests.helpers.readers import newsboat_reload, sfeed_items

CO_AUTHORED = "https://alpha.example/news/00010-story"


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("readers")
    store = filled_store(tmp, 2)
    store.save_article(make_article(10, "alpha", authors=["Ann Lee", "Bob Roe", "Cy Doe"]))
    publish_feeds(store, config(), tmp / "feeds")
    store.close()
    return tmp / "feeds"


@pytest.mark.parametrize("name", ["alpha.rss", "alpha.atom"])
def test_newsboat_shows_every_co_author(feeds: Path, tmp_path: Path, name: str) -> None:
    items = newsboat_reload(tmp_path, [(feeds / name).as_uri()])
    authors = {item["guid"]: item["author"] for item in items}
    assert authors[CO_AUTHORED] == "Ann Lee, Bob Roe, Cy Doe"
    assert authors["https://alpha.example/news/00000-story"] == "Writer 0"


@pytest.mark.parametrize("name", ["alpha.rss", "alpha.atom"])
def test_sfeed_shows_every_co_author(feeds: Path, name: str) -> None:
    authors = {item["link"]: item["author"] for item in sfeed_items(feeds / name)}
    assert authors[CO_AUTHORED] == "Ann Lee, Bob Roe, Cy Doe"
    assert authors["https://alpha.example/news/00000-story"] == "Writer 0"
