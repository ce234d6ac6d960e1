"""The full path against a generic crawler-extractor, on a generated site served by nginx.

Run by hand (never a timed test; needs ``nginx`` on the PATH, e.g. Debian's nginx-light)::

    .venv/bin/python benchmarks/crawl_vs_trafilatura.py [--articles 10000] [--rounds 3] [--also 100000]

The site (tests/crawl/sitegen.py: N articles, paginated sections, a feed, a sitemap, three
suggested links per article with tracking parameters) is served by nginx on 127.0.0.1 (a
free port, a temp folder, stopped by PID). Two crawls of it, one after the other, each in its
own process on one core's worth of Scrapy (same concurrency, no delays):

- **ours**: ``aggregator crawl`` -- crawl, extract, normalise, store (SQLite), feeds;
- **baseline**: a Scrapy spider following every link through a seen-set, with
  ``trafilatura.extract(with_metadata=True, output_format="json")`` on every page -- the cost
  of a generic crawler-extractor.

Printed per crawl: pages served (nginx's log), wall seconds, pages/s, CPU ms per page and per
article (the child's own rusage), and its peak RSS (``wait4``); then the ratios ours/baseline.
``--rounds N`` runs both crawls N times, in alternating order, and prints each round's ratios
(pages/s, articles/s, CPU per page, peak RSS) and the median pages/s ratio: on a machine that
other work shares, a single pair moves by up to 10%. ``--also N`` crawls a second, larger site
with ours only and prints how its peak RSS compares to the first (memory must not grow with
the site).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.crawl.sitegen import SiteSpec, config_text, write_site  # noqa: E402

SPEED = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 16,
         "CONCURRENT_REQUESTS_PER_DOMAIN": 16}

NGINX_CONF = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format bench '$request_method $uri $status $body_bytes_sent';
    access_log {tmp}/access.log bench;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    types {{ text/html html; application/rss+xml xml; text/plain txt; }}
    server {{
        listen 127.0.0.1:{port};
        root {root}/$host;
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
}}
"""

BASELINE = r'''
import json, sys
import trafilatura
from scrapy import Spider
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor

class GenericCrawler(Spider):
    """Follow every link once (a seen-set), extract every page with trafilatura."""
    name = "generic"
    def __init__(self, home, **kw):
        super().__init__(**kw)
        self.start_urls = [home]
        self.links = LinkExtractor()
        self.seen = {home}
        self.extracted = 0
    def parse(self, response):
        doc = trafilatura.extract(response.text, url=response.url, with_metadata=True,
                                  output_format="json")
        if doc:
            self.extracted += 1
            yield json.loads(doc)
        for link in self.links.extract_links(response):
            if link.url not in self.seen:
                self.seen.add(link.url)
                yield response.follow(link.url, self.parse)

process = CrawlerProcess(json.loads(sys.argv[1]))
process.crawl(GenericCrawler, home=sys.argv[2])
process.start()
'''


@dataclass
class Run:
    name: str
    pages: int
    articles: int
    seconds: float
    cpu: float
    rss_mb: float

    def line(self) -> str:
        return (f"{self.name:<22} {self.pages:>7} {self.seconds:>8.1f} {self.pages / self.seconds:>8.1f}"
                f" {1000 * self.cpu / self.pages:>9.1f} {1000 * self.cpu / max(self.articles, 1):>12.1f}"
                f" {self.rss_mb:>8.0f}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_nginx(tmp: Path, root: Path) -> tuple[subprocess.Popen, int]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = _free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, root=root))
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"],
                            stderr=subprocess.PIPE)
    for _ in range(500):  # ready when it accepts a connection
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc, port
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"nginx did not start: {proc.stderr.read().decode()}")
            time.sleep(0.01)
    raise RuntimeError("nginx did not accept connections")


def _measured(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed: {proc.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _served(log: Path, start: int) -> tuple[int, int]:
    """(pages served with 200, distinct article pages) since line ``start`` of the log."""
    rows = [line.split() for line in log.read_text().splitlines()[start:]]
    ok = [r for r in rows if len(r) >= 3 and r[0] == "GET" and r[2] == "200"
          and r[1] != "/robots.txt"]
    return len(ok), len({r[1] for r in ok if r[1].startswith("/story/")})


def _ours(tmp: Path, name: str, spec: SiteSpec, port: int, log: Path, env: dict[str, str]) -> Run:
    config = tmp / f"{name}.toml"
    config.write_text(config_text(spec, name="bench", follow_related=1, max_section_pages=100000,
                                  settings=SPEED))
    mark = len(log.read_text().splitlines()) if log.exists() else 0
    seconds, cpu, rss = _measured(
        [sys.executable, "-m", "aggregator.cli", "crawl", "--config", str(config),
         "--route", f"{spec.host}=127.0.0.1:{port}", "--data-dir", str(tmp / f"{name}-data"),
         "--feeds-dir", str(tmp / f"{name}-feeds")], tmp, env)
    pages, articles = _served(log, mark)
    return Run(name, pages, articles, seconds, cpu, rss)


def _baseline(tmp: Path, spec: SiteSpec, port: int, log: Path, env: dict[str, str]) -> Run:
    settings = {**SPEED, "ROBOTSTXT_OBEY": True, "LOG_LEVEL": "WARNING", "DEPTH_LIMIT": 0,
                "TELNETCONSOLE_ENABLED": False,
                "AGGREGATOR_HOST_ROUTES": {spec.host: f"127.0.0.1:{port}"},
                "DOWNLOADER_MIDDLEWARES": {"aggregator.middlewares.HostRoutingMiddleware": 740}}
    script = tmp / "baseline.py"  # a file: Scrapy reads the callbacks' source
    script.write_text(BASELINE)
    mark = len(log.read_text().splitlines()) if log.exists() else 0
    seconds, cpu, rss = _measured([sys.executable, str(script), json.dumps(settings),
                                   f"http://{spec.host}/"], tmp, env)
    pages, articles = _served(log, mark)
    return Run("baseline (trafilatura)", pages, articles, seconds, cpu, rss)


def _write_site_apart(root: Path, spec: SiteSpec) -> None:
    """``write_site`` in a process of its own. A crawl's peak RSS is its ``ru_maxrss``, and
    Linux starts that at the RSS of the process that forked it: written here, a 100,000-
    article site left this process at 385 MB, which every later crawl "peaked" at."""
    writer = multiprocessing.get_context("spawn").Process(target=write_site, args=(root, spec))
    writer.start()
    writer.join()
    if writer.exitcode != 0:
        raise RuntimeError(f"writing the site {spec.host} failed ({writer.exitcode})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--ours-only", action="store_true", help="skip the baseline crawl")
    parser.add_argument("--rounds", type=int, default=1, metavar="N",
                        help="N rounds of both crawls, in alternating order; the ratios of each"
                             " round and their median (a busy machine moves single runs)")
    parser.add_argument("--also", type=int, default=0, metavar="N",
                        help="also crawl an N-article site with ours, for peak RSS growth")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="crawl-vs-trafilatura-"))
    tmp.chmod(0o755)  # nginx's worker runs as another user when started by root
    env = dict(os.environ, PYTHONPATH=str(REPO))
    spec = SiteSpec(host="bench.example", articles=args.articles, per_page=20, feed_items=20)
    _write_site_apart(tmp / "site", spec)
    nginx, port = _start_nginx(tmp, tmp / "site")
    log = tmp / "access.log"
    runs: list[Run] = []
    pairs: list[tuple[Run, Run]] = []
    try:
        for round_ in range(max(args.rounds, 1)):
            # each crawl of ours in a fresh data folder: a second one would be incremental
            name = f"ours-{round_ + 1}"
            if args.ours_only:
                runs.append(_ours(tmp, name, spec, port, log, env))
                continue
            if round_ % 2 == 0:
                first = _ours(tmp, name, spec, port, log, env)
                pair = first, _baseline(tmp, spec, port, log, env)
            else:
                base = _baseline(tmp, spec, port, log, env)
                pair = _ours(tmp, name, spec, port, log, env), base
            runs.extend(pair)
            pairs.append(pair)
        if args.also:
            big = SiteSpec(host="big.example", articles=args.also, per_page=20, feed_items=20)
            _write_site_apart(tmp / "site", big)
            runs.append(_ours(tmp, f"ours, {args.also} articles", big, port, log, env))
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=30)
    print(f"site: {args.articles} articles served by nginx; one process per crawl")
    print(f"{'crawl':<22} {'pages':>7} {'seconds':>8} {'pages/s':>8} {'ms CPU/pg':>9}"
          f" {'ms CPU/art':>12} {'peak MB':>8}")
    for run in runs:
        print(run.line())
    ratios = []
    for n, (ours_run, base) in enumerate(pairs, start=1):
        ratio = (ours_run.pages / ours_run.seconds) / (base.pages / base.seconds)
        ratios.append(ratio)
        print(f"round {n}: ours/baseline: pages/s {ratio:.2f}, articles/s"
              f" {(ours_run.articles / ours_run.seconds) / (base.articles / base.seconds):.2f},"
              f" CPU per page {(base.cpu / base.pages) / (ours_run.cpu / ours_run.pages):.2f},"
              f" peak RSS {ours_run.rss_mb / base.rss_mb:.2f}")
    if len(ratios) > 1:
        print(f"median of {len(ratios)} rounds: pages/s {statistics.median(ratios):.2f}")
    if args.also:
        print(f"peak RSS at {args.also} / at {args.articles} articles: "
              f"{runs[-1].rss_mb / runs[0].rss_mb:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
