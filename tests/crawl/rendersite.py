"""Two made-up sites whose pages are finished by scripts, for the rendering tests and
``benchmarks/render.py``, laid out for :mod:`aggregator.demo.server`.

* ``shell.example``: article pages are app shells (``<div id="root">`` and a script); the
  script inserts the headline, the body and a "Related" block.
* ``fetchy.example``: article pages carry their text, and an empty Jetpack-style
  ``#jp-relatedposts`` block that a script fills after fetching ``/related/N.json`` from the
  same server; one more page (:data:`PLAIN`) has its related block in the HTML already.

Both have an RSS feed and a sitemap listing the articles.
"""

from __future__ import annotations

import json
from pathlib import Path

SHELL, FETCHY = "shell.example", "fetchy.example"
#: the number of script-filled articles of each site written by default
COUNT = 3
WORDS = ("compiler", "battery", "kernel", "display", "network", "sensor", "robot", "modem")


def headline(host: str, n: int) -> str:
    return f"{host.split('.')[0].title()} story {n}: {WORDS[n % len(WORDS)]} makers rethink"


def paragraphs(n: int) -> list[str]:
    word = WORDS[n % len(WORDS)]
    return [f"The {word} industry changed its plans this week, paragraph {p} of story {n} says,"
            f" after engineers measured what the new {word} parts can do in the field."
            for p in range(6)]


def _write(root: Path, host: str, rel: str, text: str) -> None:
    path = root / host / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def _feed(host: str, paths: list[str]) -> str:
    items = "".join(f"<item><title>{headline(host, i)}</title><link>http://{host}{p}</link>"
                    f"<pubDate>Fri, 01 Mar 2024 0{i % 9}:00:00 +0000</pubDate></item>"
                    for i, p in enumerate(paths))
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{host}</title><link>http://{host}/</link><description>d</description>"
            f"{items}</channel></rss>")


def _sitemap(host: str, paths: list[str]) -> str:
    urls = "".join(f"<url><loc>http://{host}{p}</loc><lastmod>2024-03-01</lastmod></url>"
                   for p in paths)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')


def _head(title: str) -> str:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            "<meta name='author' content='Ann Lee'></head>")


#: the app of shell.example: the article and its related links, by path
_SHELL_APP = """
const STORIES = %s;
const story = STORIES[location.pathname];
const root = document.getElementById("root");
if (story) {
  const article = document.createElement("article");
  const h1 = document.createElement("h1");
  h1.textContent = story.title;
  article.appendChild(h1);
  const time = document.createElement("time");
  time.setAttribute("datetime", "2024-03-01T08:00:00Z");
  time.textContent = "1 March 2024";
  article.appendChild(time);
  for (const text of story.paragraphs) {
    const p = document.createElement("p");
    p.textContent = text;
    article.appendChild(p);
  }
  root.appendChild(article);
  const aside = document.createElement("aside");
  aside.className = "related-stories";
  aside.innerHTML = "<h2>Related stories</h2><ul>" + story.related.map(
    (r) => `<li><a href="${r.url}">${r.title}</a></li>`).join("") + "</ul>";
  root.appendChild(aside);
  const img = document.createElement("img");  // never fetched: images are blocked
  img.src = "/assets/lead.jpg";
  root.appendChild(img);
}
"""

#: fetchy.example's related module: filled after a fetch from the same server
_FETCHY_MODULE = """
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("jp-relatedposts");
  fetch(box.dataset.src).then((r) => r.json()).then((links) => {
    box.innerHTML = "<h3>Related</h3><ul>" + links.map(
      (l) => `<li><a href="${l.url}">${l.title}</a></li>`).join("") + "</ul>";
  });
});
"""


def shell_paths(count: int) -> list[str]:
    return [f"/story/{n}/" for n in range(count)]


def fetchy_paths(count: int) -> list[str]:
    return [f"/news/{n}/" for n in range(count + 1)]  # the last one is PLAIN


def related_of(host: str, paths: list[str], n: int) -> list[dict[str, str]]:
    """Two other articles of the site, as the scripts insert them."""
    others = [paths[(n + k) % len(paths)] for k in (1, 2)]
    return [{"url": f"http://{host}{p}", "title": headline(host, paths.index(p))}
            for p in others]


def plain_path(count: int = COUNT) -> str:
    """fetchy.example's article whose related block is in the served HTML."""
    return fetchy_paths(count)[-1]


def write_sites(root: Path, count: int = COUNT) -> None:
    """Write both sites under ``root``: ``count`` script-filled articles each."""
    paths = shell_paths(count)
    stories = {p: {"title": headline(SHELL, n), "paragraphs": paragraphs(n),
                   "related": related_of(SHELL, paths, n)} for n, p in enumerate(paths)}
    _write(root, SHELL, "assets/app.js", _SHELL_APP % json.dumps(stories))
    for p in paths:
        _write(root, SHELL, p.strip("/") + "/index.html",
               _head("Shell News") + "<body><div id='root'></div><noscript>You need to enable"
               " JavaScript to run this app.</noscript><script src='/assets/app.js'></script>"
               "</body></html>")
    _write(root, SHELL, "feed.xml", _feed(SHELL, paths))
    _write(root, SHELL, "sitemap.xml", _sitemap(SHELL, paths))
    _write(root, SHELL, "index.html", _head("Shell News") + "<body><div id='root'></div>"
           "<script src='/assets/app.js'></script></body></html>")

    paths = fetchy_paths(count)
    _write(root, FETCHY, "assets/related.js", _FETCHY_MODULE)
    for n, p in enumerate(paths):
        text = "".join(f"<p>{t}</p>" for t in paragraphs(n))
        if p == plain_path(count):
            block = ("<aside class='related'><h3>Related</h3><ul>" + "".join(
                f"<li><a href='{r['url']}'>{r['title']}</a></li>"
                for r in related_of(FETCHY, paths, n)) + "</ul></aside>")
        else:
            block = (f"<div id='jp-relatedposts' class='jp-relatedposts'"
                     f" data-src='/related/{n}.json'></div>")
            _write(root, FETCHY, f"related/{n}.json", json.dumps(related_of(FETCHY, paths, n)))
        _write(root, FETCHY, p.strip("/") + "/index.html",
               _head(headline(FETCHY, n)) + f"<body><main><article><h1>{headline(FETCHY, n)}</h1>"
               "<p class='byline'>By Ann Lee</p><time datetime='2024-03-01T08:00:00Z'>1 March"
               f" 2024</time>{text}</article>{block}</main>"
               "<script src='/assets/related.js'></script></body></html>")
    _write(root, FETCHY, "feed.xml", _feed(FETCHY, paths))
    _write(root, FETCHY, "sitemap.xml", _sitemap(FETCHY, paths))
    _write(root, FETCHY, "index.html", _head("Fetchy") + "<body><h1>Fetchy</h1></body></html>")


def config_text(render: str, settings: str = "") -> str:
    """Both sources, with ``render = <render>`` (a TOML value: ``false``, ``true``,
    ``"auto"``); ``settings`` a TOML inline table's inside."""
    out = []
    for name, host in (("shellnews", SHELL), ("fetchy", FETCHY)):
        out.append(f'[[sources]]\nname = "{name}"\nhome = "http://{host}/"\n'
                   f'feeds = ["http://{host}/feed.xml"]\nsitemaps = ["http://{host}/sitemap.xml"]\n'
                   f"follow_related = 0\nrender = {render}\n"
                   f"settings = {{ DOWNLOAD_DELAY = 0, AUTOTHROTTLE_ENABLED = false"
                   f"{', ' + settings if settings else ''} }}\n")
    return "\n".join(out)
