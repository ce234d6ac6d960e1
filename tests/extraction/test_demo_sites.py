"""The generic path (no site rules) on every page of the bundled demo sites.

Article pages must come out as articles with a body; home, section, tag, topic, author and
pagination pages as :class:`PageInfo`. The seed article's exact fields are checked by its
stored fixture (``seed_cuhk_sensetime``) in ``test_extraction.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aggregator.extraction import extract
from aggregator.items import Article, PageInfo

SITE = Path(__file__).resolve().parents[2] / "aggregator" / "demo" / "site"
PAGES = sorted(SITE.rglob("*.html")) if SITE.is_dir() else []
#: URL shapes of the demo sites' article pages: /YYYY/MM/DD/slug/ and /news/slug.html
_ARTICLE_PATH = re.compile(r"^/(?:\d{4}/\d\d/\d\d/[^/]+/(?:index\.html)?|news/[^/]+\.html)$")
_INFO_PATH = re.compile(r"^/(?:index\.html|section/.*|tag/.*|topics/.*|author/.*|authors/.*|page/.*)$")


def _url(path: Path) -> str:
    rel = path.relative_to(SITE)
    host, rest = rel.parts[0], "/".join(rel.parts[1:])
    if rest.endswith("index.html"):
        rest = rest[: -len("index.html")]
    return f"http://{host}/{rest}"


def _expected(path: Path) -> str | None:
    rel = "/" + "/".join(path.relative_to(SITE).parts[1:])
    if _ARTICLE_PATH.match(rel):
        return "article"
    if _INFO_PATH.match(rel):
        return "info"
    return None  # about/privacy/drafts: either answer is acceptable


@pytest.mark.skipif(not PAGES, reason="the demo site is not built")
@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(SITE)))
def test_demo_page(path: Path) -> None:
    url = _url(path)
    result = extract(path.read_bytes(), url)
    expected = _expected(path)
    if expected == "article":
        assert isinstance(result, Article), f"{url}: {result}"
        assert result.title and len(result.body_text) > 200
        for link in result.related:
            assert link.url not in (url,) and link.title
            assert link.title not in result.body_text
    elif expected == "info":
        assert isinstance(result, PageInfo), f"{url}: extracted as an article: {result.title!r}"
        assert url in result.reason
