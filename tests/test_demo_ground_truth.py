"""Every article of the demo sites, crawled for real, against the generator's own data
(aggregator/demo/build_site.py): title, authors, date, lead image, canonical URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from scripts import build_demo_site as build_site
from aggregator.store.sqlite import SQLiteStore
from tests.conftest import DemoCrawl

ARTICLES = [(build_site.BW, a) for a in build_site.BW_ARTICLES] + \
           [(build_site.CD, a) for a in build_site.CD_ARTICLES]


@pytest.fixture(scope="module")
def store(demo_crawl: DemoCrawl) -> Iterator[SQLiteStore]:
    assert demo_crawl.result.returncode == 0, demo_crawl.result.stdout + demo_crawl.result.stderr
    db = SQLiteStore(demo_crawl.data_dir / "aggregator.sqlite3")
    yield db
    db.close()


def _credit(raw: str) -> str:
    """"(Image CUHK)" -> "CUHK": the credit without its label and brackets."""
    return re.sub(r"^(?:image|photo|credit|source)\s*:?\s*", "", raw.strip("() "), flags=re.I)


@pytest.mark.parametrize(("host", "spec"), ARTICLES, ids=[a["key"] for _, a in ARTICLES])
def test_article_matches_the_page(store: SQLiteStore, host: str, spec: dict) -> None:
    url = f"http://{host}{spec['path']}"
    article = store.get_article(url)
    assert article is not None, f"{url} not stored"
    assert article.title == spec["title"]
    assert article.authors == spec["authors"]
    assert article.canonical_url == url
    expected = spec["published"]
    if expected is None:
        assert article.published is None, "a date was made up"
    else:
        want = datetime.fromisoformat(expected.replace("Z", "+00:00"))
        assert article.published is not None, f"no date found (page shows {spec['date_kind']})"
        assert article.published.utcoffset() == timedelta(0)
        if want.time() == datetime.min.time():  # the page shows a calendar date only
            local = article.published.astimezone(want.tzinfo)
            assert abs((local.date() - want.date()).days) <= 1
        else:
            assert article.published == want.astimezone(timezone.utc)
    image = spec.get("image")
    if image:
        assert article.image is not None, "lead image missing"
        assert article.image.url.startswith(f"http://{host}/")
        assert article.image.caption == image["caption"]
        assert article.image.credit == _credit(image["credit"])
    assert article.body_text and "Advertisement" not in article.body_text
    assert "Share on" not in article.body_text and "Suggested Articles" not in article.body_text


def test_no_other_page_became_an_article(store: SQLiteStore) -> None:
    expected = {f"http://{host}{spec['path']}" for host, spec in ARTICLES}
    stored = {a.canonical_url for a in store.iter_articles()}
    assert stored == expected, sorted(stored ^ expected)
