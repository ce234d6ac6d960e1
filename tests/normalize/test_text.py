"""Text clean-up: NFC, junk characters, entities decoded once, typography kept."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.items import Article
from aggregator.normalize import normalize_article
from aggregator.normalize.text import (clean_body_text, clean_text, decode_entities, fix_mojibake,
                                       has_text, remove_forbidden)
from tests.conftest import FIXTURES

CLEAN = [
    ("  Hello \n\t world  ", "Hello world"),
    ("no\u00a0break\u202fspaces", "no break spaces"),
    ("line\u2028sep\u2029para\x85nel", "line sep para nel"),
    ("zero\u200bwidth\u200c\u200d\u2060\ufeffjoin", "zerowidthjoin"),
    ("soft\u00adhyphen", "softhyphen"),
    ("ctrl\x00\x01\x08\x0b\x0c\x1f\x7fchars", "ctrlchars"),
    ("c1\x80\x9fcontrols", "c1controls"),
    ("nonchar\ufffe\uffff", "nonchar"),
    ("lone surrogate \ud800 here", "lone surrogate here"),
    # NFC: e + combining acute becomes one character
    ("Cafe\u0301", "Caf\u00e9"),
    ("\uff21\uff22", "\uff21\uff22"),  # NFC, not NFKC: full-width letters are kept
    # typography is the writer's: curly, unbalanced quotes and dashes come through as is
    ("“Quoted” – ‘single’ — unbalanced”", "“Quoted” – ‘single’ — unbalanced”"),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "expected"), CLEAN)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


ENTITIES = [
    ("AT&amp;T", "AT&T"),
    ("It&#8217;s &#x2019;here&#x2019;", "It’s ’here’"),
    ("&lt;b&gt;bold&lt;/b&gt;", "bold"),  # decoded, then the markup it spells is stripped
    ("&amp;amp;", "&amp;"),           # decoded once, never twice
    ("&amp;lt;", "&lt;"),
    ("AT&T R&D Q&A", "AT&T R&D Q&A"),  # no entity: nothing to decode
    ("&copy 2023", "&copy 2023"),     # no semicolon: not an entity reference
    ("&nbsp;a&nbsp;", "a"),            # decoded, then collapsed as whitespace
    ("x&#1;&#x0B;y", "xy"),            # references to forbidden characters give nothing
]


@pytest.mark.parametrize(("raw", "expected"), ENTITIES)
def test_entities_decoded_once_in_metadata(raw: str, expected: str) -> None:
    assert clean_text(raw, decode_entities=True) == expected


def test_body_text_entities_are_not_decoded_again() -> None:
    # the parser already decoded the page: a literal "&amp;" is what the reader saw
    assert clean_body_text("Write &amp; for &") == "Write &amp; for &"
    assert decode_entities("&amp;amp;") == "&amp;"


MOJIBAKE = [
    ("donâ€™t", "don’t"),
    ("cafÃ© crÃ¨me", "café crème"),
    ("â€œquotedâ€\x9d", "“quoted”"),
    ("plain ascii", "plain ascii"),
    ("already “fine” café", "already “fine” café"),
    ("Ã but also ’", "Ã but also ’"),  # does not round-trip: left alone
]


@pytest.mark.parametrize(("raw", "expected"), MOJIBAKE)
def test_fix_mojibake(raw: str, expected: str) -> None:
    assert fix_mojibake(raw) == expected


def test_body_paragraphs_kept_and_collapsed() -> None:
    raw = "  One\u00a0 two \n\n\n Three\u200b\nfour \r\n\r\nFive  "
    assert clean_body_text(raw) == "One two\n\nThree four\n\nFive"
    assert remove_forbidden("a\x00b\tc\nd") == "ab\tc\nd"


def test_seed_article_text_is_byte_exact() -> None:
    """The seed's curly and unbalanced quotes come through normalisation unchanged."""
    text = (FIXTURES / "seed" / "cuhk-sensetime-article.txt").read_text("utf-8")
    article_text = text.split("\nSuggested Articles\n")[0]
    blocks = [b.strip() for b in article_text.split("\n\n") if b.strip()]
    body = "\n\n".join(blocks[2:])
    assert "strong belief we share with SenseTime,” CUHK" in body  # unbalanced closing quote
    article = Article(url="http://bytewire.example/seed/", title=blocks[0], body_text=body)
    normalised = normalize_article(article)
    assert normalised.body_text.encode("utf-8") == body.encode("utf-8")
    assert normalised.title.encode("utf-8") == blocks[0].encode("utf-8")


def test_text_fields_of_an_article() -> None:
    from aggregator.items import LeadImage
    article = Article(url="https://ex.com/a", title=" Chips&#8217; \u200bcomeback ",
                      summary="A&amp;B\n\nsummary", body_text="Body\x00 text",
                      tags=["AI", " ai ", "Chips&amp;Co", ""],
                      image=LeadImage(url="/img/a.jpg", caption=" Cap\u00a0tion ",
                                      credit="(Image&nbsp;X)"))
    out = normalize_article(article)
    assert out.title == "Chips’ comeback"
    assert out.summary == "A&B summary"
    assert out.body_text == "Body text"
    assert out.tags == ["AI", "Chips&Co"]
    assert out.image is not None and out.image.url == "https://ex.com/img/a.jpg"
    assert (out.image.caption, out.image.credit) == ("Cap tion", "(Image X)")
    # the input is not changed: normalize_article works on a copy
    assert article.title == " Chips&#8217; \u200bcomeback "


#: the pieces cleaning treats specially: markup openers and closers, comments, zero-width and
#: control characters, combining marks, mojibake sequences, spaces, letters
_PIECES = st.sampled_from(["<", ">", "<!--", "-->", "<b", "</", "a", "Z", "7", "é", " ", "\n",
                           "\u200b", "\x00", "\u0301", "\u0338", "â€", "™", "Ã©", "&amp;", "x>"])


@settings(max_examples=500, derandomize=True, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join) | st.text(max_size=60))
def test_has_text_says_whether_clean_text_leaves_anything(value: str) -> None:
    assert has_text(value) == bool(clean_text(value))


@pytest.mark.parametrize("value, expected", [
    ("A long body <b>with markup</b> later", True), ("\u200b<!-- all a comment", False),
    ("<img src=x onerror=alert(1)>", False), ("\u00ad \u2060", False), ("中文", True), ("", False),
])
def test_has_text_on_bodies(value: str, expected: bool) -> None:
    assert has_text(value) is expected is bool(clean_text(value))
