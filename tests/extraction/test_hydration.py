"""The hydration-JSON layer on hostile and misleading blobs (whole pages: fixtures hydration_*)."""

from __future__ import annotations

import json

from aggregator.extraction import extract
from aggregator.extraction.dom import parse_html
from aggregator.extraction.hydration import MAX_SCRIPT_CHARS, find_hydrated

TEXT = "The chip market recovered this quarter, analysts said, as orders returned. " * 6


def _page(script: str, title: str = "Chips are back") -> str:
    return f"<html><head><title>{title}</title></head><body><div id='app'></div>{script}</body></html>"


def _next_data(doc: object) -> str:
    return f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(doc)}</script>'


def test_nesting_bombs_broken_json_and_huge_blobs_are_skipped_quietly():
    deep = '<script type="application/json">' + "[" * 100_000 + "]" * 100_000 + "</script>"
    broken = '<script type="application/json">{"title": "Chips are back", "body": "' + TEXT
    huge = _next_data({"title": "Chips are back", "body": "x" * MAX_SCRIPT_CHARS})
    for script in (deep, broken, huge):
        assert find_hydrated(parse_html(_page(script)), "Chips are back") is None


def test_many_nodes_stop_at_the_bound_and_the_page_still_extracts():
    wide = _next_data({"items": [{"k": i} for i in range(300_000)],
                       "story": {"title": "Chips are back", "body": TEXT}})
    article = extract(_page(wide), "https://ex.com/chips-are-back")
    assert article.url == "https://ex.com/chips-are-back"  # never raises, bounded work


def test_another_storys_object_is_not_the_article():
    other = _next_data({"teaser": {"title": "Rates are rising again in the autumn", "body": TEXT}})
    result = extract(_page(other), "https://ex.com/chips-are-back")
    assert getattr(result, "body_text", "") == ""


def test_the_object_whose_title_is_the_pages_wins_over_a_longer_one():
    doc = {"related": [{"title": "Rates are rising again", "body": TEXT * 3}],
           "story": {"headline": "Chips are back", "body": TEXT}}
    found = find_hydrated(parse_html(_page(_next_data(doc))), "Chips are back | Wire")
    assert found is not None and found.title == "Chips are back"
