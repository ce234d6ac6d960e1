"""Rendering cost: the same local pages crawled plain (``render = false``), rendered
(``render = true``) and with ``render = "auto"``, in the same run, each crawl in its own
``aggregator crawl`` subprocess.

Run by hand (never a timed test)::

    .venv/bin/python benchmarks/render.py [--articles 40] [--max-rss-mb 1024]

The sites are tests/crawl/rendersite.py's: ``shell.example`` (every article an app shell
filled by a script) and ``fetchy.example`` (articles with their text, a related module filled
after a fetch, and one with its related links in the HTML), ``--articles`` each. Printed per
crawl: HTML pages fetched, seconds, pages/s and the ratio to the plain crawl; the peak memory
of the crawl's process tree (the crawl, Playwright's driver, Chromium; sampled every 0.1 s as
the sum of the processes' PSS) and of Chromium alone (the crawl's own watch); browser
launches and restarts; articles stored and with related links; and how ``auto`` decided.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.conftest import start_server, stop_server  # noqa: E402
from tests.crawl.rendersite import FETCHY, SHELL, config_text, write_sites  # noqa: E402

SPEED = ("CONCURRENT_REQUESTS = 16, CONCURRENT_REQUESTS_PER_DOMAIN = 16, "
         "AGGREGATOR_TEMPLATE_LEARNING = false")


def tree_memory(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_full_info().pss
        except psutil.Error:
            continue
    return total


def crawl(tmp: Path, hostport: str, render: str, max_rss_mb: int) -> dict:
    work = tmp / render.strip('"')
    work.mkdir()
    config = work / "sources.toml"
    config.write_text(config_text(render, f"{SPEED}, AGGREGATOR_RENDER_MAX_RSS_MB = {max_rss_mb}"))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    args = [sys.executable, "-m", "aggregator.cli", "crawl", "--config", str(config),
            "--route", f"{SHELL}={hostport}", "--route", f"{FETCHY}={hostport}",
            "--data-dir", str(work / "data"), "--feeds-dir", str(work / "feeds")]
    started = time.monotonic()
    proc = subprocess.Popen(args, cwd=work, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        watched = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                peak = max(peak, tree_memory(watched))
            except psutil.Error:
                return
            done.wait(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.monotonic() - started
    done.set()
    sampler.join()
    if proc.returncode != 0:
        sys.exit(f"crawl {render} failed ({proc.returncode}):\n{out}\n{err[-3000:]}")
    with sqlite3.connect(work / "data" / "aggregator.sqlite3") as conn:
        stats = [json.loads(s) for (s,) in conn.execute("SELECT stats FROM runs")]
        articles = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        with_related = conn.execute(
            "SELECT COUNT(DISTINCT article_id) FROM links").fetchone()[0]
    total: dict[str, int] = {}
    for source_stats in stats:
        for key, value in source_stats.items():
            if key.startswith("aggregator/render/") or key in ("aggregator/pages/article",):
                if key.endswith("peak_mb") or key.endswith("launches"):
                    total[key] = max(total.get(key, 0), int(value))
                else:
                    total[key] = total.get(key, 0) + int(value)
    return {"render": render, "seconds": seconds, "peak_mb": peak >> 20, "stats": total,
            "articles": articles, "with_related": with_related}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--max-rss-mb", type=int, default=1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        write_sites(tmp / "site", args.articles)
        server = start_server(tmp / "site", tmp / "requests.log")
        try:
            runs = [crawl(tmp, server.hostport, r, args.max_rss_mb)
                    for r in ("false", "true", '"auto"')]
            requests = server.requests()
        finally:
            stop_server(server)
    html_pages = sum(1 for r in requests if r["path"].endswith("/"))
    print(f"{args.articles} script-filled articles per site; HTML pages requested by the "
          f"three crawls: {html_pages}")
    print(f"{'render':<8} {'pages':>5} {'seconds':>8} {'pages/s':>8} {'ratio':>6} "
          f"{'peak MiB':>9} {'chromium MiB':>13} {'launches':>8} {'restarts':>8} "
          f"{'articles':>8} {'w/ related':>10}")
    pages = 2 * args.articles + 3  # articles, fetchy's plain one, both home pages
    base = pages / runs[0]["seconds"]
    for run in runs:
        s = run["stats"]
        rate = pages / run["seconds"]
        print(f"{run['render']:<8} {pages:>5} {run['seconds']:>8.1f} {rate:>8.1f} "
              f"{rate / base:>6.2f} {run['peak_mb']:>9} "
              f"{s.get('aggregator/render/browser_rss_peak_mb', 0):>13} "
              f"{s.get('aggregator/render/browser_launches', 0):>8} "
              f"{s.get('aggregator/render/browser_restarts', 0):>8} "
              f"{run['articles']:>8} {run['with_related']:>10}")
    auto = runs[2]["stats"]
    decisions = {k.removeprefix("aggregator/render/auto/"): v for k, v in sorted(auto.items())
                 if k.startswith("aggregator/render/auto/")}
    print(f"auto decided: {decisions}; rendered {auto.get('aggregator/render/pages', 0)},"
          f" failed {auto.get('aggregator/render/failed', 0)}")


if __name__ == "__main__":
    main()
