"""A hostile site for the crawl tests: a few good articles (from :mod:`tests.crawl.sitegen`)
among pages that break naive crawlers, laid out for :mod:`aggregator.demo.server` (its
``_redirects`` and ``_headers`` rule files give the error statuses, redirects, wrong
content types and the endless generated URL space).

Every hostile page is listed by the feed and the sitemap (the traps are reached as a
section and from the home page), so a crawl meets each one on its first run.
"""

from __future__ import annotations

import html
import json
import random
from pathlib import Path

from tests.crawl.sitegen import SiteSpec, _article_html, _page, article_path

HOST = "hostile.example"
#: where the redirect, the ``<base href>`` and some links point: must never be requested
OFFSITE = "elsewhere.example"
GOOD = 4
#: rel=next chain of the pagination trap
TRAP_PAGES = 500
#: links to new generated URLs on each page of the calendar trap
CALENDAR_LINKS = 6
#: over Scrapy's default DOWNLOAD_WARNSIZE (5 MiB), under the config's DOWNLOAD_MAXSIZE
HUGE_SIZE = 5_300_000
#: the config's lowered DOWNLOAD_MAXSIZE, and the page over it
MAX_SIZE = 6_000_000
TOO_BIG_SIZE = 6_500_000


def url(path: str) -> str:
    return f"http://{HOST}{path}"


def _article(path: str, heading: str, body: str, head: str = "") -> str:
    """A plain article page: a title, an ``<h1>`` and paragraphs."""
    paragraphs = "".join(
        f"<p>{body} Paragraph {p}: the hostile test site writes enough plain sentences here "
        "for the body extractor to see a real article with several paragraphs of text.</p>"
        for p in range(1, 6))
    return _page(f"<title>{heading}</title>{head}",
                 f"<main><article><h1>{heading}</h1>{paragraphs}</article></main>")


#: path -> what the page is; the pages a crawl must store as articles are in ARTICLES
PAGES = {
    "/bad/binary/": "binary bytes served as text/html",
    "/bad/empty/": "an empty 200 body",
    "/bad/huge/": "an article of 5.3 MB (inline script), over DOWNLOAD_WARNSIZE",
    "/bad/too-big/": "6.5 MB, over the config's DOWNLOAD_MAXSIZE",
    "/bad/deep/": "an article inside a 10,000-level deep DOM",
    "/bad/jsonld/": "an article with malformed JSON-LD",
    "/bad/charset/": "windows-1252 bytes declared as UTF-8 (invalid UTF-8)",
    "/bad/error/": "HTTP 500",
    "/bad/missing/": "HTTP 404",
    "/bad/offsite/": f"a redirect to http://{OFFSITE}/",
    "/bad/loop/": "a redirect loop",
    "/bad/control-title/": "a title of control characters only",
    "/bad/links/": "javascript: and data: links, <base href> off-site",
    "/calendar/": "a calendar trap: every page links to new generated URLs",
    "/bad/ipv6/": "links, canonical, image and <base> with IPv6 literals and malformed authorities",
    "/bad/markup/": "markup and entities in every text field of every layer (JSON-LD, meta, "
                    "<title>, <h1>, byline, caption, related-link titles), a 100 KB title",
}
#: hostile pages that still carry an article
HOSTILE_ARTICLES = ("/bad/huge/", "/bad/deep/", "/bad/jsonld/", "/bad/charset/", "/bad/links/",
                    "/bad/ipv6/", "/bad/markup/")
#: markup a page may write as text, in every field (issue 13, defect 3); none may reach a feed
XSS = "<img src=x onerror=alert(1)>"
#: authorities a page may write that are IPv6 literals or malformed (issue 13, defect 1)
ODD_AUTHORITIES = ("http://[::1]:8080/x", "http://[::1/x", "http://[fe80::1%25eth0]/a",
                   "http://user@[::1]/b", "http://[v1.fe]/c", "http://[::ffff:127.0.0.1]/e",
                   "http://exa mple.com/f", "//[::1]/g", "http://[]/h", "https://[2001:db8::1]:99999/i")


def good_paths() -> list[str]:
    return [article_path(i) for i in range(GOOD)]


def expected_articles() -> set[str]:
    return {url(p) for p in [*good_paths(), *HOSTILE_ARTICLES]}


def _feed() -> str:
    links = [url(p) for p in good_paths()[:2]]
    links.append(good_paths()[2])  # relative: resolved against the feed's URL
    links.append("javascript:alert(document.cookie)")
    links += [url(p) for p in PAGES]
    items = "".join(f"<item><title>Item {n}</title><link>{html.escape(link)}</link>"
                    f"<pubDate>Fri, 01 Mar 2024 {n % 24:02d}:00:00 +0000</pubDate></item>"
                    for n, link in enumerate(links))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>Hostile</title><link>http://{HOST}/</link><description>x</description>"
            f"{items}</channel></rss>\n")


def _broken_feed() -> str:
    """Truncated in the middle of its second item: the first one is still readable."""
    whole = ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
             f"<title>Broken</title><item><title>Last good</title>"
             f"<link>{url(good_paths()[3])}</link></item>"
             f"<item><title>Cut off</title><link>{url('/bad/cut')}")
    return whole


def _sitemap() -> str:
    locs = [*good_paths(), *PAGES]
    urls = "".join(f"<url><loc>{url(p)}</loc></url>" for p in locs)
    return ('<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns='
            f'"http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n')


def _deep() -> str:
    depth = 10_000
    text = ("The deep page still tells a story: a newsroom nested its article in ten "
            "thousand wrappers, and the crawler must not fall over. ") * 6
    return _page("<title>Deep nesting survives</title>",
                 "<main><article><h1>Deep nesting survives</h1>" + "<div>" * depth
                 + f"<p>{text}</p><p>{text}</p>" + "</div>" * depth + "</article></main>")


def _huge() -> str:
    blob = "var x = '" + "A" * HUGE_SIZE + "';"
    return _article("/bad/huge/", "A huge page is still an article",
                    "Bloated pages carry megabytes of inline script.",
                    head=f"<script>{blob}</script>")


def build_files() -> dict[str, bytes]:
    """Site path -> file content."""
    spec = SiteSpec(host=HOST, articles=GOOD, suggested=2)
    files: dict[str, bytes] = {}
    for i in range(GOOD):
        files[article_path(i).strip("/") + "/index.html"] = _article_html(spec, i).encode()
    home_links = "".join(f'<li><a href="{p}">Story</a></li>' for p in good_paths())
    files["index.html"] = _page("<title>Hostile home</title>",
                                f'<main><ul>{home_links}</ul><a href="/calendar/">Calendar'
                                "</a></main>").encode()
    files["robots.txt"] = b"User-agent: *\nDisallow: /private/\n"
    files["feed.xml"] = _feed().encode()
    files["broken-feed.xml"] = _broken_feed().encode()
    files["sitemap.xml"] = _sitemap().encode()
    files["sitemap-html.xml"] = _page("<title>Not a sitemap</title>",
                                      "<p>Sitemap moved. <a href='/'>Home</a></p>").encode()
    files["bad/binary/index.html"] = random.Random(7).randbytes(30_000)
    files["bad/empty/index.html"] = b""
    files["bad/huge/index.html"] = _huge().encode()
    files["bad/too-big/index.html"] = ("<html><body>" + "<p>x</p>" * (TOO_BIG_SIZE // 8)
                                       + "</body></html>").encode()
    files["bad/deep/index.html"] = _deep().encode()
    broken_ld = ('<script type="application/ld+json">{"@context": "https://schema.org", '
                 '"@type": "NewsArticle", "headline": "Broken JSON-LD", "author": [{"name": '
                 '</script>')
    files["bad/jsonld/index.html"] = _article("/bad/jsonld/", "Broken JSON-LD does not stop us",
                                              "Structured data can be malformed.",
                                              head=broken_ld).encode()
    files["bad/charset/index.html"] = _article(
        "/bad/charset/", "Café naïve résumé – encoding mix-up",
        "Déjà vu: the café’s naïve encoding “declared” UTF-8 but wrote Windows-1252.",
    ).encode("cp1252")
    files["bad/error.html"] = b"<html><body>Internal error</body></html>"
    files["bad/control-title/index.html"] = _article(
        "/bad/control-title/", "\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f",
        "This page has a body but its title is control characters only.").encode()
    links = ('<p><a href="javascript:alert(1)">Click</a> '
             '<a href="data:text/html;base64,PGgxPkhpPC9oMT4=">Data</a> '
             '<a href="story/relative-but-offsite/">Relative, resolved off-site</a> '
             f'<a href="{url("/private/drafts/")}">Draft</a></p>')
    files["bad/links/index.html"] = _article(
        "/bad/links/", "Links that go nowhere", "Links of every hostile kind are here.",
        head=f'<base href="http://{OFFSITE}/">').replace("</article>", links + "</article>"
                                                          ).encode()
    odd = "".join(f'<li><a href="{u}">Another story about chips, number {i}</a></li>'
                  for i, u in enumerate(ODD_AUTHORITIES))
    files["bad/ipv6/index.html"] = _article(
        "/bad/ipv6/", "Links to IPv6 hosts", "Every link of this page has an odd authority.",
        head='<base href="http://[::1/base/"><link rel="canonical" href="http://[::1/c">'
             '<meta property="og:image" content="http://[::1/i.jpg">'
    ).replace("</article>", f'<p>See <a href="{ODD_AUTHORITIES[1]}">this</a>.</p></article>'
              f'<section class="related"><h3>Related</h3><ul>{odd}</ul></section>').encode()
    esc = XSS.replace("<", "&lt;").replace(">", "&gt;")
    ld = ('{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Markup '
          + esc + ' everywhere", "author": {"@type": "Person", "name": "Ann &lt;script&gt;x&lt;/script&gt; Lee"},'
          ' "keywords": "&lt;b&gt;chips&lt;/b&gt;, ' + esc + '", "description": "' + esc + '"}')
    files["bad/markup/index.html"] = _article(
        "/bad/markup/", f"Markup {esc} everywhere {'very long title ' * 6000}",
        f"A paragraph that mentions {esc} as text.",
        head=(f'<meta property="og:title" content="Markup {esc} everywhere">'
              f'<meta property="og:description" content="{esc}">'
              f'<meta property="article:tag" content="&lt;script&gt;alert(3)&lt;/script&gt;">'
              f'<script type="application/ld+json">{ld}</script>')
    ).replace("<h1>", f'<p class="byline">By Ann Lee {esc}</p><figure><img src="/m.jpg">'
              f"<figcaption>Caption {esc}</figcaption></figure><h1>"
    ).replace("</article>", '</article><section class="related"><h3>Related</h3><ul>'
              + "".join(f'<li><a href="{path}">{esc}Another story number {i}</a></li>'
                        for i, path in enumerate(good_paths()[:3])) + "</ul></section>").encode()
    day_links = "".join(f'<li><a href="day-{d}/">Day {d}</a></li>'
                        for d in range(1, CALENDAR_LINKS + 1))
    files["calendar/index.html"] = _page("<title>Calendar</title>",
                                         f"<main><h1>Calendar</h1><ul>{day_links}</ul></main>"
                                         ).encode()
    for n in range(1, TRAP_PAGES + 1):
        base = "trap/" + (f"page/{n}/" if n > 1 else "")
        nxt = f"/trap/page/{n + 1}/" if n < TRAP_PAGES else None
        head = f"<title>Trap page {n}</title>" + (f'<link rel="next" href="{nxt}">' if nxt else "")
        more = f'<a rel="next" href="{nxt}">Older</a>' if nxt else ""
        files[base + "index.html"] = _page(
            head, f"<main><h1>Trap page {n}</h1><ul><li><a href=\"{good_paths()[0]}\">Story"
                  f"</a></li></ul>{more}</main>").encode()
    files["_redirects"] = (
        "/bad/error/       /bad/error.html  500\n"
        f"/bad/offsite/     http://{OFFSITE}/landing/  302\n"
        "/bad/loop/        /bad/loop/again/  302\n"
        "/bad/loop/again/  /bad/loop/  302\n"
        "/calendar/*       /calendar/index.html  200  # every URL below it exists\n").encode()
    files["_headers"] = b"/sitemap-html.xml\n  Content-Type: text/html; charset=utf-8\n"
    return files


def write_site(root: Path) -> None:
    for rel, data in build_files().items():
        path = root / HOST / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    # the off-site host exists too (routed to the same server): a request for it would be
    # logged, never sent anywhere else
    landing = root / OFFSITE / "landing" / "index.html"
    landing.parent.mkdir(parents=True, exist_ok=True)
    landing.write_text(_article("/landing/", "Off-site landing", "Never to be crawled."))


def config_text(dead_port: int) -> str:
    """The hostile source and a source whose host nothing listens on."""
    settings = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "DOWNLOAD_MAXSIZE": MAX_SIZE}
    inline = "{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in settings.items()) + " }"
    dead = f"http://127.0.0.1:{dead_port}"
    return (f'[[sources]]\nname = "hostile"\nhome = "http://{HOST}/"\n'
            f'feeds = ["{url("/feed.xml")}", "{url("/broken-feed.xml")}"]\n'
            f'sitemaps = ["{url("/sitemap.xml")}", "{url("/sitemap-html.xml")}"]\n'
            f'sections = ["{url("/trap/")}"]\nmax_section_pages = 5\nfollow_related = 1\n'
            f"settings = {inline}\n\n"
            f'[[sources]]\nname = "unreachable"\nhome = "{dead}/"\n'
            f'feeds = ["{dead}/feed.xml"]\nsettings = {inline}\n')
