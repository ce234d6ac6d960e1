"""``aggregator worker``: one worker of a run on the shared frontier (docs/scaling.md).

Waits for a coordinator (``aggregator crawl --redis URL``) to announce a run, takes the
run's requests from the shared queues in Redis, fetches, extracts and writes to the store
the coordinator uses, and exits once the run is over. Start any number, on any machine that
reaches Redis and the store. Exit status 0 when the run finished; 1 when it stopped early
(Redis or the store unreachable, the coordinator gone); 2 for a bad config or option; 4 when no run was
announced within --wait seconds.
"""

from __future__ import annotations

import argparse
import sys

from aggregator.commands.common import (add_dirs, add_store, add_verbosity, help_text,
                                        scrapy_log_overrides, store_override, whole_number)
from aggregator.commands.common import add_redis
from aggregator.commands.crawl import parse_routes
from aggregator.config import ConfigError, load_config
from aggregator.frontier import FrontierError

#: exit status when no run was announced in time
EXIT_NO_RUN = 4


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("worker", help="crawl a run's shared queue (with crawl --redis)",
                                   description=help_text(__doc__))
    parser.add_argument("--config", default="",
                        help="sources config (TOML): the coordinator's sources must be in it")
    parser.add_argument("--route", action="append", default=[], metavar="HOST=ADDR",
                        help="send requests for HOST to ADDR (host:port), e.g. a local mirror")
    parser.add_argument("--wait", type=whole_number(0), default=60, metavar="SECONDS",
                        help="how long to wait for a coordinator to announce a run (default 60)")
    add_redis(parser, "required")
    add_dirs(parser)
    add_store(parser)
    add_verbosity(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aggregator.frontier.roles import work

    if not args.redis:
        print("aggregator worker: --redis URL (or AGGREGATOR_REDIS_URL) is required",
              file=sys.stderr)
        return 2
    try:
        config = load_config(args.config or None)
        routes = parse_routes(args.route)
        report, error = work(config, redis_url=args.redis, data_dir=args.data_dir,
                             feeds_dir=args.feeds_dir, config_value=args.config, routes=routes,
                             wait=args.wait,
                             overrides={**scrapy_log_overrides(args), **store_override(args)})
    except ConfigError as exc:
        print(f"aggregator worker: {exc}", file=sys.stderr)
        return 2
    except FrontierError as exc:
        print(f"aggregator worker: {exc}", file=sys.stderr)
        return 1
    if report is None:
        print(f"aggregator worker: no run announced within {args.wait}s", file=sys.stderr)
        return EXIT_NO_RUN
    pages = sum(s.pages for s in report.sources)
    print(f"worker done: {pages} pages, articles new"
          f" {sum(s.new for s in report.sources)}")
    lost = next((s.error for s in report.sources if s.store_lost), "")
    if error or lost:
        print(f"aggregator worker: stopped early: {error or lost}", file=sys.stderr)
        return 1
    return 0
