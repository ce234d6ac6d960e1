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

from tests.crawl.sitegen import WORDS, SiteSpec, _article_html, _page, article_path, slug

HOST = "hostile.example"
#: a second source of the same "network": it prints the hostile site's shared boilerplate
#: under its own distinct articles, and carries one real copy of a hostile article
SIBLING = "sibling.example"
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


def url(path: str, host: str = HOST) -> str:
    return f"http://{host}{path}"


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
    "/bad/base-relative/": "a relative <base href> its related links resolve against",
    "/bad/base-twice/": "two <base href>: the first one counts",
    "/bad/base-js/": "a javascript: <base href>: ignored, links resolve against the page",
    "/bad/base-target/": "a <base> with a target and no href",
    "/bad/variants/": "related links to one article written eight ways (case, port, dot "
                      "segments, tracking query, fragment, trailing slash)",
    **{f"/shared/{i}/": "one of several distinct articles under the same long boilerplate"
       for i in range(6)},
}
#: related links of the <base> pages: (page, href written) -> each must resolve to the good
#: article it names, never to a path under the page or under another base
BASE_PAGES = {
    "/bad/base-relative/": ('<base href="/story/">', lambda i: f"{slug(i)}/"),
    "/bad/base-twice/": ('<base href="/story/"><base href="/nowhere/">', lambda i: f"{slug(i)}/"),
    "/bad/base-js/": ('<base href="javascript:alert(1)//">', lambda i: f"../..{article_path(i)}"),
    "/bad/base-target/": ('<base target="_blank">', lambda i: f"../..{article_path(i)}"),
}
#: eight spellings of the first good article's URL (and one link to the second)
VARIANTS = (
    "{p}", "{p_no_slash}", "http://HOSTILE.EXAMPLE{p}", "http://hostile.example:80{p}",
    "{p}?utm_source=feed&utm_medium=rss", "{p}#comments", "/story/./{s}/", "/story/x/../{s}/")
#: the network's shared paragraphs, and how many distinct articles each source prints it under
SHARED_ARTICLES = 6
SIBLING_ARTICLES = 3
#: the hostile article the sibling source copies (with a one-word edit)
COPIED = 1
#: hostile pages that still carry an article
HOSTILE_ARTICLES = ("/bad/huge/", "/bad/deep/", "/bad/jsonld/", "/bad/charset/", "/bad/links/",
                    "/bad/ipv6/", "/bad/markup/", *BASE_PAGES, "/bad/variants/",
                    *(f"/shared/{i}/" for i in range(SHARED_ARTICLES)))
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


def sibling_articles() -> set[str]:
    return {url(p, SIBLING) for p in [*(f"/shared/{i}/" for i in range(SIBLING_ARTICLES)),
                                      "/copy/"]}


def _words(seed: int, count: int) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(count))


def _network_notice() -> list[str]:
    """The long boilerplate both sources print under every article (six paragraphs)."""
    return [f"Network notice: {_words(1000 + n, 45)}." for n in range(6)]


def _own_paragraphs(seed: int) -> list[str]:
    return [f"{_words(seed * 10 + n, 35).capitalize()}." for n in range(2)]


def _shared_article(heading: str, own: list[str]) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in [*own, *_network_notice()])
    return _page(f"<title>{heading}</title>",
                 f"<main><article><h1>{heading}</h1>{paragraphs}</article></main>")


def _related(hrefs: list[str]) -> str:
    items = "".join(f'<li><a href="{html.escape(h)}">Another story about chips, number {i}</a>'
                    "</li>" for i, h in enumerate(hrefs))
    return f'<section class="related"><h3>Related</h3><ul>{items}</ul></section>'


def variant_hrefs() -> list[str]:
    p = article_path(0)
    return [v.format(p=p, p_no_slash=p.rstrip("/"), s=slug(0)) for v in VARIANTS] + [
        article_path(1)]


def sibling_files() -> dict[str, bytes]:
    """The sibling source: its feed, its distinct articles and its copy."""
    files: dict[str, bytes] = {}
    for i in range(SIBLING_ARTICLES):
        files[f"shared/{i}/index.html"] = _shared_article(
            f"Sibling story {i}", _own_paragraphs(100 + i)).encode()
    own = _own_paragraphs(COPIED)
    own[0] = own[0].replace(" ", " indeed ", 1)
    files["copy/index.html"] = _shared_article(f"Shared story {COPIED}, as syndicated", own
                                               ).encode()
    items = "".join(f"<item><title>Item</title><link>{link}</link></item>"
                    for link in sorted(sibling_articles()))
    files["feed.xml"] = ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
                         f"<title>Sibling</title><link>http://{SIBLING}/</link><description>x"
                         f"</description>{items}</channel></rss>\n").encode()
    return files


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
    for path, (base, href) in BASE_PAGES.items():
        files[path.strip("/") + "/index.html"] = _article(
            path, f"Links under {path.strip('/').split('/')[-1]}",
            "Its related links resolve against the base the HTML standard picks.", head=base,
        ).replace("</article>", "</article>" + _related([href(i) for i in range(3)])).encode()
    files["bad/variants/index.html"] = _article(
        "/bad/variants/", "One link written many ways", "Its related links name two articles.",
    ).replace("</article>", "</article>" + _related(variant_hrefs())).encode()
    for i in range(SHARED_ARTICLES):
        files[f"shared/{i}/index.html"] = _shared_article(f"Shared story {i}",
                                                          _own_paragraphs(i)).encode()
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
    for rel, data in sibling_files().items():
        path = root / SIBLING / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
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
            f'[[sources]]\nname = "sibling"\nhome = "http://{SIBLING}/"\n'
            f'feeds = ["{url("/feed.xml", SIBLING)}"]\nsettings = {inline}\n\n'
            f'[[sources]]\nname = "unreachable"\nhome = "{dead}/"\n'
            f'feeds = ["{dead}/feed.xml"]\nsettings = {inline}\n')
