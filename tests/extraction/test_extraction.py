"""Every stored extraction fixture against its expected JSON, plus generated bad inputs.

A case is ``tests/fixtures/extraction/<case>.html`` with ``<case>.json``::

    {"url": "...", "rules": {...}?, "encoding": "..."?,
     "expect": {"title": "...", ..., "dropped": "tag"?,
                "body_text_contains": [...]?, "body_text_excludes": [...]?,
                "body_html_contains": [...]?}}

Fields under ``expect`` must match exactly (datetimes as ISO 8601, the image and related links
as objects); ``dropped`` expects a :class:`PageInfo` of that kind.
"""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from aggregator.extraction import SiteRules, extract
from aggregator.items import Article, PageInfo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "extraction"
CASES = sorted(p.stem for p in FIXTURES.glob("*.json"))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def run_case(case: str) -> tuple[Article | PageInfo, dict[str, Any]]:
    spec = json.loads((FIXTURES / f"{case}.json").read_text("utf-8"))
    rules = SiteRules.from_mapping(spec["rules"], f"{case}.json") if "rules" in spec else None
    body = (FIXTURES / f"{case}.html").read_bytes()
    return extract(body, spec["url"], rules=rules, encoding=spec.get("encoding")), spec


@pytest.mark.parametrize("case", CASES)
def test_fixture(case: str) -> None:
    result, spec = run_case(case)
    expect = dict(spec["expect"])
    dropped = expect.pop("dropped", None)
    if dropped:
        assert isinstance(result, PageInfo), f"{case}: expected a {dropped} page, got an article"
        assert result.kind == dropped
        assert spec["url"] in result.reason
        return
    assert isinstance(result, Article), f"{case}: dropped: {result}"
    for text in expect.pop("body_text_contains", []):
        assert text in result.body_text
    for text in expect.pop("body_html_contains", []):
        assert text in result.body_html
    for text in expect.pop("body_text_excludes", []):
        assert text not in result.body_text
        assert text not in result.body_html
    got = _jsonable(result)
    for key, want in expect.items():
        value = got[key]
        if isinstance(want, list) and want and isinstance(want[0], dict):
            # related links: compare the keys the fixture names (url, title, position)
            value = [{k: item.get(k) for k in want[0]} for item in value]
        assert value == want, f"{case}: field {key!r}"
    assert len(result.content_hash) == 64


def test_every_fixture_has_expectations() -> None:
    htmls = {p.stem for p in FIXTURES.glob("*.html")}
    assert htmls == set(CASES)


# --- bad input generated here rather than stored (megabytes, 10,000 levels) -------------------

def test_five_megabyte_page() -> None:
    para = "<p>" + "Chip makers expanded capacity again this quarter, analysts said. " * 20 + "</p>\n"
    page = ("<html><head><meta property='og:type' content='article'><title>Big</title></head>"
            "<body><article><h1>Big</h1>" + para * (5_000_000 // len(para)) + "</article></body></html>")
    start = time.monotonic()
    result = extract(page.encode(), "https://ex.example/big")
    assert time.monotonic() - start < 15
    assert isinstance(result, (Article, PageInfo))


def test_ten_thousand_levels_deep() -> None:
    page = "<html><body>" + "<div>" * 10_000 + "<p>deep</p>" + "</div>" * 10_000 + "</body></html>"
    result = extract(page.encode(), "https://ex.example/deep")
    assert isinstance(result, (Article, PageInfo))
    if isinstance(result, PageInfo):
        assert "https://ex.example/deep" in result.reason


@pytest.mark.parametrize("body", [b"", b"   \n", "", b"\x00\x01\x02binary" * 50, b"\xff\xfe\xfa" * 100,
                                  b"<", b"<html>", "<p>short</p>"])
def test_garbage_never_crashes(body: bytes | str) -> None:
    result = extract(body, "https://ex.example/garbage")
    assert isinstance(result, (Article, PageInfo))


def test_rules_errors_name_where_and_key() -> None:
    with pytest.raises(ValueError, match=r"sources.toml: source 'x': rules: field 'title'.*'h1\[\['"):
        SiteRules.from_mapping({"title": "h1[["}, "sources.toml: source 'x'")
    with pytest.raises(ValueError, match=r"source 'x': rules: field 'body'.*xpath://p\["):
        SiteRules.from_mapping({"body": "xpath://p["}, "sources.toml: source 'x'")
    with pytest.raises(ValueError, match=r"source 'x': rules: unknown field 'headline'"):
        SiteRules.from_mapping({"headline": "h1"}, "sources.toml: source 'x'")


def test_sibling_chunks_complete_a_split_body() -> None:
    """The text of same-class sibling containers after the extracted one joins the body."""
    from lxml import html

    from aggregator.extraction import body
    from aggregator.extraction.dom import parse_html

    page = (FIXTURES / "split_body_chunks.html").read_text("utf-8")
    tree = parse_html(page)
    first = tree.xpath("//div[@class='story-text']")[0]
    root = html.fromstring("<div>" + "".join(html.tostring(p, encoding="unicode")
                                             for p in first) + "</div>")
    text = body.htmlout.to_text(root)
    assert body._continue_chunks(body._prose(tree), root, text) == 2
    assert "protected cycle lanes" in body.htmlout.to_text(root)
    assert "Advertisement" not in body.htmlout.to_text(root)


def test_sibling_chunks_leave_an_aside_out() -> None:
    """A related-articles ``<aside>`` inside a later chunk of a split body is page furniture:
    it is gone before the chunks are continued, so its headlines never join the body."""
    from lxml import html

    from aggregator.extraction import body
    from aggregator.extraction.dom import parse_html

    page = (FIXTURES / "split_body_chunks.html").read_text("utf-8").replace(
        '<div class="rail"></div></div>\n</div></article>',
        '<div class="rail"></div><aside><ul><li><a href="/a">Bridge repairs close the ring road'
        ' for a month</a></li><li><a href="/b">Market square to be pedestrianised by the end'
        ' of next year</a></li></ul></aside></div>\n</div></article>')
    tree = parse_html(page)
    body._drop_furniture(tree)
    first = tree.xpath("//div[@class='story-text']")[0]
    root = html.fromstring("<div>" + "".join(html.tostring(p, encoding="unicode")
                                             for p in first) + "</div>")
    assert body._continue_chunks(body._prose(tree), root, body.htmlout.to_text(root)) == 2
    assert "protected cycle lanes" in body.htmlout.to_text(root)
    assert "Bridge repairs" not in body.htmlout.to_text(root)
