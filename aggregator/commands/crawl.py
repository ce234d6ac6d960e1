"""``aggregator crawl``: crawl the sources of a config into the store, rebuild the feeds."""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack

from aggregator.commands.common import (add_dirs, add_redis, add_store, add_verbosity,
                                        help_text, scrapy_log_overrides, store_override)
from aggregator.config import ConfigError, crawl_settings, load_config
from aggregator.demo import served_demo_sites
from aggregator.exporters.publish import check_feed_config
from aggregator.frontier import FrontierError
from aggregator.runlock import EXIT_LOCKED, CrawlLocked
from aggregator.runner import format_report, run_crawl


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("crawl", help="crawl the sources of a config",
                                   description=help_text(__doc__))
    parser.add_argument("--config", default="",
                        help="sources config (TOML); default: the bundled real sites")
    parser.add_argument("--source", action="append", default=None,
                        help="crawl only this source (repeatable)")
    parser.add_argument("--route", action="append", default=[], metavar="HOST=ADDR",
                        help="send requests for HOST to ADDR (host:port), e.g. a local mirror")
    add_dirs(parser)
    add_store(parser)
    add_redis(parser, "coordinate a run of `aggregator worker` processes")
    add_verbosity(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config or None)
        if args.source:
            for name in args.source:
                config.source(name)
        check_feed_config(config)  # a bad [[topics]] table fails now, not after the crawl
        crawl_settings(config)  # and a bad [aggregator] option
        routes = parse_routes(args.route)
    except ConfigError as exc:
        print(f"aggregator crawl: {exc}", file=sys.stderr)
        return 2
    try:
        with ExitStack() as stack:
            if args.config == "demo" and not routes:
                # the demo's hosts exist nowhere else: serve them for this crawl, as
                # `aggregator demo` does (--route given: the caller serves them)
                routes, url = stack.enter_context(served_demo_sites())
                print(f"demo sites {', '.join(routes)} served at {url}")
            overrides = {**scrapy_log_overrides(args), **store_override(args)}
            if args.redis:  # the coordinator of a run on the shared frontier (docs/scaling.md)
                from aggregator.frontier.roles import coordinate

                report, stopped = coordinate(
                    config, redis_url=args.redis, data_dir=args.data_dir,
                    feeds_dir=args.feeds_dir, config_value=args.config, only=args.source,
                    routes=routes, overrides=overrides)
            else:
                report, stopped = run_crawl(
                    config, data_dir=args.data_dir, feeds_dir=args.feeds_dir,
                    config_value=args.config, only=args.source, routes=routes,
                    overrides=overrides), ""
    except CrawlLocked as exc:
        print(f"aggregator crawl: {exc}; not starting a second one", file=sys.stderr)
        return EXIT_LOCKED
    except FrontierError as exc:
        print(f"aggregator crawl: {exc}", file=sys.stderr)
        return 1
    if stopped:
        print(f"aggregator crawl: the run stopped early: {stopped}", file=sys.stderr)
    print(format_report(report))
    # an article lost to an exception in our code fails the run like an unreachable
    # source: cron / systemd should tell the operator (docs/crawling.md, "Exit status")
    return 0 if report.ok and not report.lost and not stopped else 1


def parse_routes(values: list[str]) -> dict[str, str]:
    """``["a.example=127.0.0.1:8000"]`` -> ``{"a.example": "127.0.0.1:8000"}``."""
    routes = {}
    for value in values:
        host, sep, addr = value.partition("=")
        if not sep or not host or ":" not in addr:
            raise ConfigError(f"--route {value!r}: expected HOST=ADDRESS:PORT")
        routes[host.strip().lower()] = addr.strip()
    return routes
