"""The per-source template statistics (aggregator.template): shares, bounds, decay, and the
round trip through the store."""

from __future__ import annotations

from pathlib import Path

from aggregator import template
from aggregator.store import open_store
from aggregator.template import TemplateStats


def test_shares_count_pages_not_occurrences() -> None:
    stats = TemplateStats()
    stats.observe(["https://ex.com/a", "https://ex.com/a"], ["nav"])
    stats.observe(["https://ex.com/b"], ["nav"])
    assert stats.pages == 2
    assert stats.link_share("https://ex.com/a") == 0.5
    assert stats.block_share("nav") == 1.0
    assert TemplateStats().link_share("https://ex.com/a") == 0.0


def test_statistics_stay_bounded_and_keep_the_common_keys(monkeypatch) -> None:
    monkeypatch.setattr(template, "MAX_LINKS", 100)
    stats = TemplateStats()
    for i in range(1000):
        stats.observe(["https://ex.com/menu", f"https://ex.com/story-{i}"], [])
    assert len(stats.links) <= 100
    assert stats.link_share("https://ex.com/menu") == 1.0


def test_old_pages_weigh_less_after_a_redesign(monkeypatch) -> None:
    monkeypatch.setattr(template, "WINDOW", 10)
    stats = TemplateStats()
    for _ in range(40):
        stats.observe(["https://ex.com/old-menu"], [])
    for _ in range(40):
        stats.observe(["https://ex.com/new-menu"], [])
    # counts halve every 10 pages: the old menu is all but forgotten after 40 new pages
    assert stats.link_share("https://ex.com/new-menu") > 0.9
    assert stats.link_share("https://ex.com/old-menu") < 0.1
    assert stats.pages < 20


def test_round_trip_through_the_store(tmp_path: Path) -> None:
    stats = TemplateStats()
    stats.observe(["https://ex.com/a"], ["section.box/main"])
    store = open_store(tmp_path)
    try:
        assert store.load_template("src") is None
        store.save_template("src", stats.to_json())
        store.save_template("src", stats.to_json())  # replaces, no second row
        again = TemplateStats.from_json(store.load_template("src") or "")
    finally:
        store.close()
    assert again == stats
