"""Hostile HTML in, safe self-contained HTML out (nh3 allow-list, absolute URLs)."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from aggregator.normalize.html import absolute_srcset, sanitize_html

PAGE = "https://news.example/2024/05/story/"

HOSTILE = [
    '<p>ok</p><script>alert(1)</script>',
    '<p>ok</p><script type="module">import("x")</script>',
    '<img src="/a.jpg" onerror="alert(1)"><p onclick="x()" onmouseover="y()">ok</p>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<img srcset="javascript:alert(1) 1x, data:image/png;base64,AAAA 2x">',
    '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<style>body{display:none}</style><p style="background:url(javascript:x)">ok</p>',
    '<iframe src="https://evil.example/"></iframe><p>ok</p>',
    '<svg><script>alert(1)</script><circle onload="x()"/></svg><p>ok</p>',
    '<math><mtext><script>alert(1)</script></mtext></math>',
    '<object data="x.swf"></object><embed src="x.swf"><p>ok</p>',
    '<form action="https://evil.example/"><input name="q"><button>go</button></form>',
    '<link rel="stylesheet" href="x.css"><meta http-equiv="refresh" content="0;url=x">',
    '<p>ok<!-- <script>alert(1)</script> --></p>',
    '<noscript><img src="x" onerror="alert(1)"></noscript>',
    '<template><script>alert(1)</script></template>',
    '<div><img src=x onerror=alert(1)//',
]

FORBIDDEN = ("<script", "javascript:", "vbscript:", "onerror", "onclick", "onload", "onmouseover",
             "<style", "style=", "<iframe", "<svg", "<math", "<object", "<embed", "<form",
             "<input", "<link", "<meta", "data:", "<!--", "<noscript", "<template", "alert(1)")


@pytest.mark.parametrize("fragment", HOSTILE)
def test_hostile_html_is_neutralised(fragment: str) -> None:
    out = sanitize_html(fragment, PAGE)
    low = out.lower()
    for bad in FORBIDDEN:
        assert bad not in low, (bad, out)
    # what is left parses, and every URL left is absolute http(s)
    if out:
        root = lxml_html.fragment_fromstring(out, create_parent="div")
        for el in root.iter():
            for attr in ("href", "src"):
                if el.get(attr):
                    assert el.get(attr).startswith(("http://", "https://")), out


URLS = [
    ('<a href="/a?b=1">a</a>', '<a href="https://news.example/a?b=1" rel="noopener noreferrer">a</a>'),
    ('<a href="../other/">a</a>',
     '<a href="https://news.example/2024/05/other/" rel="noopener noreferrer">a</a>'),
    ('<a href="//cdn.example/x">a</a>', '<a href="https://cdn.example/x" rel="noopener noreferrer">a</a>'),
    ('<a href="mailto:desk@news.example">a</a>',
     '<a href="mailto:desk@news.example" rel="noopener noreferrer">a</a>'),
    ('<img src="i.jpg" alt="A">', '<img src="https://news.example/2024/05/story/i.jpg" alt="A"'
     ' referrerpolicy="no-referrer">'),
    # <base href> wins over the page URL
    ('<base href="https://static.news.example/assets/"><img src="i.jpg">',
     '<img src="https://static.news.example/assets/i.jpg" referrerpolicy="no-referrer">'),
    ('<base href="/b/"><a href="x">x</a>',
     '<a href="https://news.example/b/x" rel="noopener noreferrer">x</a>'),
    # lazy images: data-src / data-lazy-src over a placeholder, data-srcset
    ('<img src="/placeholder.png" data-src="/real.jpg">',
     '<img src="https://news.example/real.jpg" referrerpolicy="no-referrer">'),
    ('<img data-lazy-src="real.jpg">',
     '<img src="https://news.example/2024/05/story/real.jpg" referrerpolicy="no-referrer">'),
    ('<img src="data:image/gif;base64,R0lGOD" data-original="/o.jpg">',
     '<img src="https://news.example/o.jpg" referrerpolicy="no-referrer">'),
    ('<img src="/a.jpg" data-src="/b.jpg">',  # a real src is not replaced
     '<img src="https://news.example/a.jpg" referrerpolicy="no-referrer">'),
    ('<img data-srcset="/s.jpg 320w, /m.jpg 640w">',
     '<img srcset="https://news.example/s.jpg 320w, https://news.example/m.jpg 640w"'
     ' src="https://news.example/s.jpg" referrerpolicy="no-referrer">'),
    ('<picture><source srcset="a.webp 1x, b.webp 2x" type="image/webp"><img src="c.jpg"></picture>',
     '<picture><source srcset="https://news.example/2024/05/story/a.webp 1x, '
     'https://news.example/2024/05/story/b.webp 2x" type="image/webp"><img '
     'src="https://news.example/2024/05/story/c.jpg" referrerpolicy="no-referrer"></picture>'),
]


@pytest.mark.parametrize(("fragment", "expected"), URLS)
def test_urls_made_absolute(fragment: str, expected: str) -> None:
    assert sanitize_html(fragment, PAGE) == expected


def test_structure_and_text_kept() -> None:
    fragment = ('<h2>Sub</h2><p>“Quote” &amp; <em>it</em></p><ul><li>a</li></ul>'
                '<blockquote><p>q</p></blockquote><table><tr><td colspan="2">c</td></tr></table>'
                '<figure><img src="/f.jpg"><figcaption>Cap</figcaption></figure>')
    out = sanitize_html(fragment, PAGE)
    for kept in ("<h2>Sub</h2>", "<p>“Quote” &amp; <em>it</em></p>", "<ul><li>a</li></ul>",
                 "<blockquote><p>q</p></blockquote>", '<td colspan="2">c</td>',
                 "<figcaption>Cap</figcaption>"):
        assert kept in out, (kept, out)


def test_entities_not_double_encoded() -> None:
    assert sanitize_html("<p>AT&amp;T &lt;tag&gt; &amp;amp;</p>", PAGE) == \
        "<p>AT&amp;T &lt;tag&gt; &amp;amp;</p>"


def test_empty_and_junk() -> None:
    assert sanitize_html("", PAGE) == ""
    assert sanitize_html(None, PAGE) == ""
    assert sanitize_html("<p>a\x00b\u200bc</p>", PAGE) == "<p>abc</p>"


def test_absolute_srcset_drops_unsafe_candidates() -> None:
    assert absolute_srcset("javascript:x 1x, /a.jpg 2x, data:x 3x", PAGE) == \
        "https://news.example/a.jpg 2x"
    assert absolute_srcset("", PAGE) == ""
