"""``aggregator demo``: serve the bundled demo sites on 127.0.0.1 and crawl them
with the real spiders and pipelines, offline."""

from __future__ import annotations

import argparse
import sys

from aggregator.commands.common import (add_dirs, add_store, add_verbosity, help_text,
                                        scrapy_log_overrides, store_override)
from aggregator.config import load_demo_config
from aggregator.demo import served_demo_sites
from aggregator.runlock import EXIT_LOCKED, CrawlLocked, crawl_lock
from aggregator.runner import format_report, run_crawl


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="crawl the bundled offline demo site",
                                   description=help_text(__doc__))
    add_dirs(parser)
    add_store(parser)
    add_verbosity(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:  # before the server starts: a crawl holding the data folder is one line, exit 3
        with crawl_lock(args.data_dir):
            pass
    except CrawlLocked as exc:
        print(f"aggregator demo: {exc}; not starting a second one", file=sys.stderr)
        return EXIT_LOCKED
    try:
        with served_demo_sites() as (routes, url):
            print(f"demo sites {', '.join(routes)} served at {url}")
            report = run_crawl(load_demo_config(), data_dir=args.data_dir,
                               feeds_dir=args.feeds_dir, config_value="demo", routes=routes,
                               overrides={**scrapy_log_overrides(args),
                                          **store_override(args)})
    except CrawlLocked as exc:  # taken between the check and the crawl
        print(f"aggregator demo: {exc}; not starting a second one", file=sys.stderr)
        return EXIT_LOCKED
    print(format_report(report))
    return 0 if report.ok else 1
