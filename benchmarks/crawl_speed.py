"""Crawl speed: our spider (canonical link filtering, incremental state, extraction) against
a baseline spider that follows every link unfiltered (Scrapy's duplicate filter only, no
extraction), and the same bare spider running trafilatura on every page ("+ trafilatura":
what a bare Scrapy + trafilatura scraper does), on the same generated local site, in the
same run.

Run by hand (never a timed test)::

    .venv/bin/python benchmarks/crawl_speed.py [--articles 2000] [--timeout 300] [--workers 1 2]

The site (tests/crawl/sitegen.py) has N article pages, each with three "Suggested
Articles" links carrying tracking parameters (``utm_*``), paginated sections, a feed
and a sitemap; the demo server serves it from a tmp folder in a subprocess. Both crawls
run in their own subprocess with the same concurrency and no delays. Printed per crawl:
pages fetched, seconds, pages/s, distinct articles fetched and distinct articles/s, the
ratio of the two crawls, and our re-crawl of the unchanged site. ``--workers N ...`` adds
a first crawl (into an empty store) per N with ``AGGREGATOR_EXTRACT_WORKERS = N`` and
prints its pages/s against the in-process crawl's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.conftest import start_server, stop_server  # noqa: E402
from tests.crawl.sitegen import SiteSpec, config_text, write_site  # noqa: E402

SPEED = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 16,
         "CONCURRENT_REQUESTS_PER_DOMAIN": 16}

BASELINE = r'''
import json, sys
from scrapy import Spider
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor

class FollowEverything(Spider):
    name = "baseline"
    def __init__(self, home, extract=False, **kw):
        super().__init__(**kw)
        self.start_urls = [home]
        self.links = LinkExtractor(canonicalize=False)
        self.extract = extract
    def parse(self, response):
        if self.extract:  # what a bare Scrapy + trafilatura scraper does with each page
            import trafilatura
            doc = trafilatura.bare_extraction(response.text, url=response.url, with_metadata=True)
            if doc is not None and doc.text:
                yield {"url": response.url, "title": doc.title, "text": doc.text}
        for link in self.links.extract_links(response):
            yield response.follow(link.url, self.parse)

settings = json.loads(sys.argv[1])
process = CrawlerProcess(settings)
crawler = process.create_crawler(FollowEverything)
process.crawl(crawler, home=sys.argv[2], extract=sys.argv[3] == "trafilatura")
process.start()
print(json.dumps({k: v for k, v in crawler.stats.get_stats().items()
                  if isinstance(v, (int, float))}))
'''


def _articles_fetched(log: Path, start: int) -> tuple[int, int]:
    lines = log.read_text().splitlines()[start:]
    rows = [json.loads(line) for line in lines]
    pages = [r for r in rows if r["method"] == "GET" and r["path"] != "/robots.txt"]
    distinct = {r["path"] for r in pages if r["path"].startswith("/story/")}
    return len(pages), len(distinct)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--timeout", type=int, default=300, help="cap per crawl, seconds")
    parser.add_argument("--workers", type=int, nargs="*", default=[], metavar="N",
                        help="also crawl with AGGREGATOR_EXTRACT_WORKERS = N (each N)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="crawl-speed-"))
    spec = SiteSpec(articles=args.articles, per_page=20, feed_items=20)
    write_site(tmp / "site", spec)
    server = start_server(tmp / "site", tmp / "requests.log")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    results = {}
    try:
        settings = {**SPEED, "CLOSESPIDER_TIMEOUT": args.timeout}
        config = tmp / "sources.toml"
        config.write_text(config_text(spec, name="bench", follow_related=1,
                                      max_section_pages=1000, settings=settings))
        crawl = [sys.executable, "-m", "aggregator.cli", "crawl", "--config", str(config),
                 "--route", f"{spec.host}={server.hostport}", "--data-dir", str(tmp / "data"),
                 "--feeds-dir", str(tmp / "feeds")]
        runs = [("ours", crawl), ("ours, re-crawl", crawl)]
        for workers in args.workers:
            name = f"ours, {workers} worker{'s' if workers != 1 else ''}"
            workers_config = tmp / f"sources-{workers}.toml"
            workers_config.write_text(config_text(
                spec, name="bench", follow_related=1, max_section_pages=1000,
                settings={**settings, "AGGREGATOR_EXTRACT_WORKERS": workers}))
            # a first crawl into an empty store, like "ours"
            runs.append((name, [*crawl[:5], str(workers_config), *crawl[6:8],
                                "--data-dir", str(tmp / f"data-{workers}"),
                                "--feeds-dir", str(tmp / f"feeds-{workers}")]))
        for name, command in runs:
            mark = len((tmp / "requests.log").read_text().splitlines())
            started = time.perf_counter()
            done = subprocess.run(command, cwd=tmp, env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            if done.returncode != 0:
                print(done.stdout, done.stderr, file=sys.stderr)
                return 1
            pages, distinct = _articles_fetched(tmp / "requests.log", mark)
            results[name] = (pages, distinct, seconds)

        base_settings = {**settings, "ROBOTSTXT_OBEY": True, "LOG_LEVEL": "WARNING",
                         "TELNETCONSOLE_ENABLED": False,
                         "AGGREGATOR_HOST_ROUTES": {spec.host: server.hostport},
                         "DOWNLOADER_MIDDLEWARES": {
                             "aggregator.middlewares.HostRoutingMiddleware": 740},
                         "DEPTH_LIMIT": 0}
        script = tmp / "baseline.py"  # a file: Scrapy reads the callbacks' source
        script.write_text(BASELINE)
        for name, mode in (("baseline", "links"), ("+ trafilatura", "trafilatura")):
            mark = len((tmp / "requests.log").read_text().splitlines())
            started = time.perf_counter()
            done = subprocess.run([sys.executable, str(script), json.dumps(base_settings),
                                   f"http://{spec.host}/", mode], cwd=tmp, env=env,
                                  capture_output=True, text=True)
            seconds = time.perf_counter() - started
            if done.returncode != 0:
                print(done.stdout, done.stderr, file=sys.stderr)
                return 1
            pages, distinct = _articles_fetched(tmp / "requests.log", mark)
            results[name] = (pages, distinct, seconds)
    finally:
        stop_server(server)

    print(f"site: {args.articles} articles, 3 suggested links each with tracking params; "
          f"wall time per crawl includes process start-up")
    print(f"{'crawl':<16} {'pages':>7} {'seconds':>8} {'pages/s':>8} {'articles':>9} "
          f"{'articles/s':>11}")
    for name, (pages, distinct, seconds) in results.items():
        print(f"{name:<16} {pages:>7} {seconds:>8.1f} {pages / seconds:>8.1f} {distinct:>9} "
              f"{distinct / seconds:>11.1f}")
    ours = results["ours"]
    for name in ("baseline", "+ trafilatura"):
        base = results[name]
        print(f"ratio ours/{name}: pages/s {(ours[0] / ours[2]) / (base[0] / base[2]):.2f}, "
              f"distinct articles/s {(ours[1] / ours[2]) / max(base[1] / base[2], 1e-9):.2f}, "
              f"pages fetched {ours[0] / base[0]:.2f}")
    for name, (pages, _, seconds) in results.items():
        if "worker" in name:
            print(f"ratio {name}/in-process: pages/s "
                  f"{(pages / seconds) / (ours[0] / ours[2]):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
