"""Generate a made-up news site on disk, laid out for :mod:`aggregator.demo.server`
(``<root>/<host>/<path>``): home page, paginated sections, an RSS feed, a sitemap index
with ``lastmod``, robots.txt with a disallowed folder, and article pages with JSON-LD, a
byline, a lead image and a "Suggested Articles" block whose links carry tracking
parameters.

Files are written only when their content changes, so the server's ETag and
Last-Modified of an untouched page stay the same from one generation to the next: a
re-generated, unchanged site is an unchanged site to a crawler.

The crawl tests edit a site by generating it again with other :class:`SiteSpec` values;
``benchmarks/crawl_speed.py`` generates a large one.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

BASE_TIME = datetime(2024, 3, 1, 8, 0, tzinfo=timezone.utc)
WORDS = ("chip", "model", "cloud", "browser", "kernel", "battery", "robot", "network",
         "startup", "quantum", "sensor", "compiler", "display", "modem", "storage", "vision")
AUTHORS = ("Ann Lee", "Bo Chan", "Cara Diaz", "Dev Patel", "Eli Novak")


@dataclass
class SiteSpec:
    """What to generate."""

    host: str = "gen.example"
    articles: int = 24
    sections: tuple[str, ...] = ("ai", "chips", "security")
    per_page: int = 5
    feed_items: int = 10
    #: "full": dated, bylined articles; "plain": no dates or authors anywhere (a redesign
    #: that lost them); "teasers": article URLs now serve link lists (articles not found)
    layout: str = "full"
    #: article number -> when it was revised: changes its text and its sitemap lastmod
    revisions: dict[int, datetime] = field(default_factory=dict)
    #: tracking query string added to suggested links
    tracking: str = "utm_source=suggested&utm_medium=web"
    suggested: int = 3
    #: a template as a real site's: a menu and a footer of links, a site-wide "staff
    #: selection" box on every article, and the suggested links under a heading and class
    #: that name nothing ("Keep exploring", "box"), so a page alone does not tell them apart
    busy: bool = False


#: the site-wide box of a busy site: these articles, on every article page
STAFF_PICKS = (0, 1, 2, 3, 4)


#: article URLs per sitemap file
SITEMAP_URLS = 10_000


def slug(i: int) -> str:
    return f"{WORDS[i % len(WORDS)]}-{WORDS[(i * 7 + 3) % len(WORDS)]}-report-{i}"


def article_path(i: int) -> str:
    return f"/story/{slug(i)}/"


def published(i: int) -> datetime:
    return BASE_TIME + timedelta(hours=i)


def lastmod(spec: SiteSpec, i: int) -> datetime:
    return spec.revisions.get(i) or published(i)


def title(i: int) -> str:
    return f"{WORDS[i % len(WORDS)].title()} makers report record {WORDS[(i * 7 + 3) % len(WORDS)]} demand in study {i}"


def _section_of(spec: SiteSpec, i: int) -> str:
    return spec.sections[i % len(spec.sections)]


def _page(head: str, body: str) -> str:
    return (f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">{head}</head>\n"
            f"<body><header><nav><a href=\"/\">Home</a></nav></header>\n{body}\n"
            "<footer><p>Copyright Generated News</p></footer></body></html>\n")


def _article_html(spec: SiteSpec, i: int) -> str:
    url = f"http://{spec.host}{article_path(i)}"
    rev = spec.revisions.get(i)
    author = AUTHORS[i % len(AUTHORS)]
    paragraphs = [
        f"Paragraph {p} of story {i}: makers of {WORDS[(i + p) % len(WORDS)]} hardware said on "
        f"Tuesday that demand kept rising through the quarter, and analysts expect the trend "
        f"to continue as buyers replace older equipment across offices and data centres."
        for p in range(1, 7)
    ]
    if rev:
        paragraphs.append(f"Update of {rev:%Y-%m-%d %H:%M:%S}: the company later revised its "
                          f"figures for story {i}.")
    head = [f"<title>{html.escape(title(i))} | Generated News</title>",
            f'<link rel="canonical" href="{url}">',
            f'<meta property="og:title" content="{html.escape(title(i))}">',
            '<meta property="og:type" content="article">',
            f'<meta property="og:image" content="http://{spec.host}/img/{i}.jpg">']
    byline = ""
    if spec.layout == "full":
        data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title(i),
                "datePublished": published(i).isoformat(), "dateModified": lastmod(spec, i).isoformat(),
                "author": {"@type": "Person", "name": author},
                "image": f"http://{spec.host}/img/{i}.jpg"}
        head.append(f'<script type="application/ld+json">{json.dumps(data)}</script>')
        head.append(f'<meta property="article:published_time" content="{published(i).isoformat()}">')
        byline = (f'<p class="byline">By <a rel="author" href="/author/{author.lower().replace(" ", "-")}/">'
                  f'{author}</a> <time datetime="{published(i).isoformat()}">'
                  f'{published(i):%B %d, %Y}</time></p>')
    links = []
    for k, j in enumerate(suggested_of(spec, i), start=1):
        links.append(f'<li><a href="{article_path(j)}?{spec.tracking}&amp;utm_content=pos{k}">'
                     f"{html.escape(title(j))}</a></li>")
    if spec.busy:
        suggested = ('<section class="box"><h3>Keep exploring</h3><ul>' + "".join(links)
                     + "</ul></section>" + _staff_box(i))
    else:
        suggested = ('<aside class="related"><h3>Suggested Articles</h3><ul>' + "".join(links)
                     + "</ul></aside>")
    body = (f"<main><article><h1>{html.escape(title(i))}</h1>{byline}"
            f'<figure><img src="/img/{i}.jpg" alt="Photo {i}"><figcaption>Photo for story {i}'
            "</figcaption></figure>"
            + "".join(f"<p>{p}</p>" for p in paragraphs)
            + "</article>" + suggested + "</main>")
    page = _page("".join(head), body)
    if spec.busy:
        menu = "".join(f'<a href="/section/{s}/">{s.upper()}</a>' for s in spec.sections)
        page = page.replace('<nav><a href="/">Home</a></nav>',
                            f'<nav><a href="/">Home</a>{menu}</nav>').replace(
            "<footer><p>Copyright Generated News</p></footer>",
            '<footer><a href="/about/">About us</a> <a href="/contact/">Contact</a> '
            "<p>Copyright Generated News</p></footer>")
    return page


def _staff_box(i: int) -> str:
    """The same five headlines on every article page (but the picked article's own)."""
    items = "".join(f'<li><a href="{article_path(j)}">{html.escape(title(j))}</a></li>'
                    for j in STAFF_PICKS if j != i)
    return f'<section class="box"><h3>Staff selection</h3><ul>{items}</ul></section>'


def suggested_of(spec: SiteSpec, i: int) -> list[int]:
    """The articles article ``i`` suggests (in its own block)."""
    return [(i + k) % spec.articles for k in range(1, spec.suggested + 1)]


def _teaser_list(spec: SiteSpec, ids: list[int]) -> str:
    return "<ul>" + "".join(
        f'<li><a href="{article_path(j)}">{html.escape(title(j))}</a></li>' for j in ids) + "</ul>"


def _listing_html(spec: SiteSpec, heading: str, ids: list[int], next_url: str | None,
                  extra: str = "") -> str:
    nxt = f'<a rel="next" href="{next_url}">Older stories</a>' if next_url else ""
    head = f"<title>{html.escape(heading)} | Generated News</title>"
    if next_url:
        head += f'<link rel="next" href="{next_url}">'
    return _page(head, f"<main><h1>{html.escape(heading)}</h1>{_teaser_list(spec, ids)}"
                       f"{nxt}{extra}</main>")


def build_files(spec: SiteSpec) -> dict[str, str]:
    """Site path -> file content."""
    files: dict[str, str] = {}
    newest_first = list(range(spec.articles - 1, -1, -1))
    for i in range(spec.articles):
        path = article_path(i).strip("/") + "/index.html"
        if spec.layout == "teasers":
            files[path] = _listing_html(spec, f"Story {i}", newest_first[:12], None)
        else:
            files[path] = _article_html(spec, i)
    sections = "".join(f'<li><a href="/section/{s}/">{s.upper()}</a></li>' for s in spec.sections)
    files["index.html"] = _listing_html(
        spec, "Generated News", newest_first[:spec.per_page], None,
        extra=f"<ul class=\"sections\">{sections}</ul>"
              '<p><a href="/private/drafts/">Drafts</a></p>')
    for name in spec.sections:
        ids = [i for i in newest_first if _section_of(spec, i) == name]
        pages = [ids[k:k + spec.per_page] for k in range(0, len(ids), spec.per_page)] or [[]]
        for n, chunk in enumerate(pages, start=1):
            base = f"section/{name}/" + (f"page/{n}/" if n > 1 else "")
            nxt = f"/section/{name}/page/{n + 1}/" if n < len(pages) else None
            files[base + "index.html"] = _listing_html(spec, f"{name.upper()} page {n}", chunk, nxt)
    files["private/drafts/index.html"] = _article_html(spec, 0).replace("<h1>", "<h1>Draft: ")
    files["robots.txt"] = "User-agent: *\nDisallow: /private/\n"
    items = "".join(
        f"<item><title>{html.escape(title(i))}</title>"
        f"<link>http://{spec.host}{article_path(i)}?utm_source=rss</link>"
        f"<pubDate>{published(i):%a, %d %b %Y %H:%M:%S} +0000</pubDate></item>"
        for i in newest_first[:spec.feed_items])
    files["feed.xml"] = ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
                         f"<title>Generated News</title><link>http://{spec.host}/</link>"
                         f"<description>made up</description>{items}</channel></rss>\n")
    # the sitemaps protocol allows 50,000 URLs per file; a site splits its list well before
    names = []
    for start in range(0, max(len(newest_first), 1), SITEMAP_URLS):
        urls = "".join(f"<url><loc>http://{spec.host}{article_path(i)}</loc>"
                       f"<lastmod>{lastmod(spec, i).isoformat()}</lastmod></url>"
                       for i in newest_first[start:start + SITEMAP_URLS])
        name = "sitemap-articles.xml" if not start else \
            f"sitemap-articles-{start // SITEMAP_URLS + 1}.xml"
        names.append(name)
        files[name] = ('<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns='
                       f'"http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n')
    newest = max((lastmod(spec, i) for i in range(spec.articles)), default=BASE_TIME)
    entries = "".join(f"<sitemap><loc>http://{spec.host}/{name}</loc>"
                      f"<lastmod>{newest.isoformat()}</lastmod></sitemap>" for name in names)
    files["sitemap.xml"] = ('<?xml version="1.0" encoding="utf-8"?>\n<sitemapindex xmlns='
                            f'"http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
                            "</sitemapindex>\n")
    return files


def write_site(root: Path, spec: SiteSpec) -> list[str]:
    """Write the site under ``root/<host>``; only changed files are rewritten. Returns the
    paths written."""
    base = Path(root) / spec.host
    written = []
    for rel, text in build_files(spec).items():
        path = base / rel
        data = text.encode("utf-8")
        if path.exists() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(rel)
    return written


def config_text(spec: SiteSpec, name: str = "gen", **options: object) -> str:
    """A sources config for the generated site; ``options`` go into the source's table."""
    lines = [
        "[[sources]]", f'name = "{name}"', f'home = "http://{spec.host}/"',
        f'feeds = ["http://{spec.host}/feed.xml"]',
        f'sitemaps = ["http://{spec.host}/sitemap.xml"]',
        "sections = [" + ", ".join(f'"http://{spec.host}/section/{s}/"' for s in spec.sections) + "]",
    ]
    options = {"max_section_pages": 20, **options}
    settings = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False}
    for key, value in options.items():
        if key == "settings" and isinstance(value, dict):
            settings.update(value)
            continue
        lines.append(f"{key} = {json.dumps(value)}")
    lines.append("settings = { " + ", ".join(
        f"{k} = {json.dumps(v)}" for k, v in settings.items()) + " }")
    return "\n".join(lines) + "\n"
