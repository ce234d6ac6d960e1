"""Learning a source's template while crawling it (aggregator.template), against a generated
"busy" site: a menu and a footer of links and a site-wide "Staff selection" box repeat on every
article page, while each article has its own block of suggested links under a heading and a
class that name nothing. A page alone cannot tell the two boxes apart; a crawl that has seen
the other pages can."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_aggregator
from tests.crawl.conftest import GenSite, close_site, make_site
from tests.crawl.sitegen import SiteSpec, article_path, suggested_of, write_site

#: a real crawl in a subprocess or a browser: left out of the fast subset (-m "not slow")
pytestmark = pytest.mark.slow

ARTICLES = 24
SPEC = dict(articles=ARTICLES, busy=True, tracking="utm_source=x")


def _precision_recall(site: GenSite) -> tuple[float, float, int]:
    """Of the stored related links against each article's own suggested block."""
    host = site.spec.host
    ids = {f"http://{host}{article_path(i)}": i for i in range(ARTICLES)}
    rows = site.query("SELECT a.canonical_url, l.url FROM links l JOIN articles a "
                      "ON a.id = l.article_id")
    got: dict[str, set[str]] = {url: set() for url in ids}
    for article, link in rows:
        got.setdefault(article, set()).add(link)
    tp = fp = fn = 0
    for url, i in ids.items():
        want = {f"http://{host}{article_path(j)}" for j in suggested_of(site.spec, i)}
        tp += len(got[url] & want)
        fp += len(got[url] - want)
        fn += len(want - got[url])
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), len(rows)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, GenSite]]:
    """The same busy site crawled by a crawler that learns (twice: the second crawl
    re-extracts every page with what the first learned; a run judges its pages with what
    runs before it learned) and by one that does not."""
    learning = make_site(tmp_path_factory.mktemp("learning"), SiteSpec(**SPEC))
    alone = make_site(tmp_path_factory.mktemp("alone"), SiteSpec(**SPEC),
                      settings={"AGGREGATOR_TEMPLATE_LEARNING": False})
    try:
        for site in (learning, alone):
            result = site.crawl()
            assert result.returncode == 0, result.stdout + result.stderr
        learning.write_config(settings={"AGGREGATOR_INCREMENTAL": False})
        result = learning.crawl()
        assert result.returncode == 0, result.stdout + result.stderr
        yield {"learning": learning, "alone": alone}
    finally:
        close_site(learning)
        close_site(alone)


def test_pages_alone_take_the_site_wide_box_for_related_links(sites: dict) -> None:
    precision, recall, _ = _precision_recall(sites["alone"])
    assert recall == 1.0
    assert precision < 0.6, precision  # the staff box, on every page, is taken too
    assert not sites["alone"].query("SELECT * FROM source_templates")


def test_learned_template_keeps_only_each_articles_own_block(sites: dict) -> None:
    precision, recall, stored = _precision_recall(sites["learning"])
    alone_precision, _, _ = _precision_recall(sites["alone"])
    assert (precision, recall) == (1.0, 1.0), (precision, recall, alone_precision)
    assert stored == ARTICLES * SiteSpec(**SPEC).suggested


def test_statistics_are_stored_per_source_and_bounded(sites: dict) -> None:
    site = sites["learning"]
    (source, stats), = site.query("SELECT source, stats FROM source_templates")
    data = json.loads(stats)
    assert source == "gen"
    # two crawls of the 24 articles (and the draft the first one finds)
    assert ARTICLES * 2 <= data["pages"] <= ARTICLES * 2 + 2
    staff = f"http://{site.spec.host}{article_path(3)}"
    (count,) = [n for key, n in data["links"].items() if key.endswith(" " + staff)
                and "box" in key]
    assert count / data["pages"] > 0.9
    assert len(data["links"]) < 200 and len(data["blocks"]) < 20
    assert site.last_stats()["aggregator/template/pages"] >= ARTICLES


def test_a_crawl_that_does_not_learn_counts_no_pages(sites: dict) -> None:
    assert "aggregator/template/pages" not in sites["alone"].last_stats()


def test_a_first_run_judges_its_pages_alone(tmp_path: Path) -> None:
    """What a run stores does not depend on the order its pages arrive in: the statistics it
    judges pages with are those of earlier runs (none here), whatever it learns meanwhile."""
    site = make_site(tmp_path, SiteSpec(**SPEC))
    try:
        result = site.crawl()
        assert result.returncode == 0, result.stdout + result.stderr
        first = _precision_recall(site)
    finally:
        close_site(site)
    assert first[0] < 0.6 and first[1] == 1.0
    assert site.query("SELECT COUNT(*) FROM source_templates") == [(1,)]


def test_extraction_workers_judge_with_the_learned_template(tmp_path: Path) -> None:
    """The statistics travel to the extraction worker processes with each page."""
    site = make_site(tmp_path, SiteSpec(**SPEC))
    try:
        result = site.crawl()
        assert result.returncode == 0, result.stdout + result.stderr
        site.write_config(settings={"AGGREGATOR_INCREMENTAL": False,
                                    "AGGREGATOR_EXTRACT_WORKERS": 2})
        result = site.crawl()
        assert result.returncode == 0, result.stdout + result.stderr
        stats = site.last_stats()
        precision, recall, _ = _precision_recall(site)
    finally:
        close_site(site)
    assert stats.get("aggregator/extract_workers/pages", 0) >= ARTICLES
    assert (precision, recall) == (1.0, 1.0)


def test_extract_learns_the_template_of_the_pages_given(tmp_path: Path) -> None:
    """`aggregator extract --learn-template` over a site's saved pages judges each page as a
    crawl that has seen them all; without it each page is judged alone."""
    spec = SiteSpec(**SPEC)
    write_site(tmp_path / "site", spec)
    folder = tmp_path / "site" / spec.host / "story"
    host = f"http://{spec.host}"

    def precision(*extra: str) -> float:
        result = run_aggregator("extract", str(folder), "--base-url", f"{host}/story/", *extra,
                                cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        tp = fp = 0
        for line in result.stdout.splitlines():
            record = json.loads(line)
            i = next(i for i in range(ARTICLES) if record["url"] == host + article_path(i))
            want = {host + article_path(j) for j in suggested_of(spec, i)}
            got = {link["url"] for link in record["related"]}
            tp, fp = tp + len(got & want), fp + len(got - want)
        return tp / (tp + fp)

    assert precision() < 0.6
    assert precision("--learn-template") == 1.0
