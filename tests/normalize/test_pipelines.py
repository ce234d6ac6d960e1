"""The pipelines as Scrapy runs them: built by from_crawler, items through process_item,
events counted in the crawl stats, drops with a reason."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from aggregator.config import ConfigError, load_config, parse_config
from aggregator.items import Article, PageInfo
from aggregator.pipelines.normalize import (AuthorsPipeline, DatesPipeline, HtmlPipeline,
                                            TextPipeline, tracking_params)
from aggregator.pipelines.urls import CanonicalUrlPipeline
from aggregator.pipelines.validate import ValidatePipeline
from aggregator.crawlsettings import apply_config, build_settings

FETCHED = datetime(2024, 5, 1, tzinfo=timezone.utc)


def make(cls: type, settings: dict | None = None, tz: str = "UTC"):  # noqa: ANN201
    """A pipeline of a crawler of one source (in ``tz``), as the news spider sets it up."""
    config = parse_config(f'[[sources]]\nname = "src"\nhome = "https://ex.com/"\n'
                          f'timezone = "{tz}"\n', "test.toml")
    crawler = get_crawler(settings_dict={**(settings or {}), "AGGREGATOR_LOADED_CONFIG": config,
                                         "AGGREGATOR_SOURCE": "src"})
    crawler.stats.open_spider()
    return cls.from_crawler(crawler), crawler.stats


def good(**kw: object) -> Article:
    values: dict = {"url": "https://ex.com/a", "title": "T", "body_text": "Body",
                    "fetched_at": FETCHED}
    values.update(kw)
    return Article(**values)


DROPS = [
    (good(url=""), "no_url"),
    (good(url="ftp://ex.com/a"), "bad_url"),
    (good(url="https:///nohost"), "bad_url"),
    (good(title=""), "no_title"),
    (good(title=" \u200b\u00a0 "), "no_title"),
    (good(body_text="\n\n \x00 "), "no_body"),
]


@pytest.mark.parametrize(("article", "reason"), DROPS)
def test_validate_drops_with_reason(article: Article, reason: str) -> None:
    pipeline, stats = make(ValidatePipeline)
    with pytest.raises(DropItem, match=reason):
        pipeline.process_item(article)
    assert stats.get_value(f"aggregator/dropped/{reason}") == 1


def test_validate_keeps_everything_else() -> None:
    pipeline, stats = make(ValidatePipeline)
    article = good(authors=[], published=None, body_html="", related=[])
    assert pipeline.process_item(article) is article
    assert stats.get_value("aggregator/validate/valid") == 1
    info = PageInfo("https://ex.com/", "index")
    assert pipeline.process_item(info) is info  # not an article: passed on untouched


def test_tracking_params_from_setting_and_config(tmp_path: Path) -> None:
    """The config's tracking_params reach the pipelines through the settings the crawl is
    given (aggregator.runner.apply_config), added to AGGREGATOR_TRACKING_PARAMS."""
    config = tmp_path / "sources.toml"
    config.write_text('[aggregator]\ntracking_params = ["src", "Campaign"]\n\n[[sources]]\n'
                      'name = "x"\nhome = "https://ex.com/"\n', "utf-8")
    settings = Settings({"AGGREGATOR_TRACKING_PARAMS": ["sid"]})
    apply_config(settings, load_config(config))
    assert tracking_params(settings) == ("sid", "src", "campaign")
    pipeline, stats = make(CanonicalUrlPipeline, {"AGGREGATOR_TRACKING_PARAMS":
                                                  list(tracking_params(settings))})
    article = pipeline.process_item(good(url="https://ex.com/a?sid=1&src=2&campaign=3&id=4"))
    assert article.canonical_url == "https://ex.com/a?id=4"
    assert stats.get_value("aggregator/urls/own") == 1


def test_bad_config_tracking_params_are_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[aggregator]\ntracking_params = "src"\n', "utf-8")
    with pytest.raises(ConfigError, match="bad.toml: key 'aggregator.tracking_params'"):
        build_settings(data_dir=tmp_path, feeds_dir=tmp_path, config=load_config(config))


def test_dates_pipeline_uses_source_zone_and_counts_distrust() -> None:
    pipeline, stats = make(DatesPipeline, tz="Asia/Hong_Kong")
    a = pipeline.process_item(good(published=datetime(2023, 4, 12, 9, 30)))
    assert a.published == datetime(2023, 4, 12, 1, 30, tzinfo=timezone.utc)
    assert a.source_offset == "+08:00"
    b = pipeline.process_item(good(published=FETCHED + timedelta(days=3)))
    assert b.published is None and b.flags == ["published_in_future"]
    assert stats.get_value("aggregator/dates/published") == 1
    assert stats.get_value("aggregator/dates/published_distrusted_in_future") == 1


def test_future_tolerance_setting() -> None:
    pipeline, _ = make(DatesPipeline, {"AGGREGATOR_FUTURE_DATE_TOLERANCE": 7200})
    article = pipeline.process_item(good(published=FETCHED + timedelta(hours=1)))
    assert article.published == FETCHED + timedelta(hours=1) and article.flags == []


def test_text_authors_html_pipelines_count() -> None:
    text, text_stats = make(TextPipeline)
    authors, author_stats = make(AuthorsPipeline)
    html, html_stats = make(HtmlPipeline)
    article = good(title=" T\u200b ", authors=["By A. Lee and B. Chan"],
                   body_html='<p onclick="x">B</p><script>x</script>')
    for pipeline in (text, authors, html):
        article = pipeline.process_item(article)
    assert (article.title, article.authors, article.body_html) == \
        ("T", ["A. Lee", "B. Chan"], "<p>B</p>")
    assert text_stats.get_value("aggregator/text/title_changed") == 1
    assert author_stats.get_value("aggregator/authors/changed") == 1
    assert html_stats.get_value("aggregator/html/sanitised") == 1


def test_a_failing_step_is_counted_not_fatal() -> None:
    pipeline, stats = make(HtmlPipeline)
    article = good(body_html=b"<p>bytes, not text</p>")  # a broken extractor's output
    assert pipeline.process_item(article) is article
    assert stats.get_value("aggregator/html/error") == 1


def test_garbage_date_objects_are_dropped_not_fatal() -> None:
    pipeline, stats = make(DatesPipeline)
    article = pipeline.process_item(good(published="soon", modified=object()))
    assert article.published is None and article.modified is None
    assert stats.get_value("aggregator/dates/published_unparseable") == 1
