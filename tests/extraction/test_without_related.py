"""``benchmarks/related.py --without-related``: a page's labelled related blocks are taken out
of its HTML, and nothing else of the article."""

from __future__ import annotations

import importlib.util
import sys

from lxml import html

from tests.conftest import REPO

_spec = importlib.util.spec_from_file_location("bench_related", REPO / "benchmarks" / "related.py")
bench = sys.modules["bench_related"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

TEXT = "The new chip is fast and it is cheap. " * 12
PAGE = f"""<html><body><article>
<p>{TEXT}</p>
<p><b>Read more:</b> <a href="/2024/05/callout">Chip makers race to cut prices again</a></p>
<p>{TEXT} See <a href="/2024/05/inline">our earlier test of it</a> for more.</p>
<section><h3>Related</h3><ul>
<li><a href="/2024/05/one">Chip prices fall for a third month</a> <a href="/tech">Tech</a></li>
<li><a href="/2024/05/two">Why new fabs take years to build</a></li></ul></section>
<section><h3>Most read</h3><ul>
<li><a href="/2024/05/popular">A storm closes the city's schools</a></li>
<li><a href="/2024/05/two">Why new fabs take years to build</a></li></ul></section>
</article></body></html>"""


def test_the_labelled_blocks_go_and_the_article_stays() -> None:
    labelled = {f"https://ex.com/2024/05/{name}" for name in ("callout", "inline", "one", "two")}
    out, missing = bench.without_related(PAGE, "https://ex.com/2024/05/x", labelled, str)
    tree = html.fromstring(out)
    hrefs = [a.get("href") for a in tree.iter("a")]
    assert missing == 0
    # the related list goes with its heading and its card's section link, the callout line
    # with its label; the site-wide list stays but for the labelled link in it
    assert hrefs == ["/2024/05/popular"]
    text = " ".join(tree.text_content().split())
    assert "Related" not in text and "Read more" not in text and "Most read" in text
    # a link in the running text is unwrapped: its words are the article's
    assert "See our earlier test of it for more." in text
    assert text.count("The new chip is fast") == 24


def test_labelled_links_absent_from_the_page_are_counted() -> None:
    _, missing = bench.without_related(PAGE, "https://ex.com/2024/05/x",
                                       {"https://ex.com/elsewhere"}, str)
    assert missing == 1
