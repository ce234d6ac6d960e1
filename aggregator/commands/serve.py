"""``aggregator serve``: serve the feeds folder over HTTP (read-only, with ETags,
Last-Modified, 304s and gzip), optionally crawling on a timer in the background."""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import sys
import threading
from pathlib import Path
from types import FrameType

from aggregator import settings
from aggregator.commands.common import (add_dirs, add_store, add_verbosity, help_text, store_url,
                                        whole_number)
from aggregator.config import ConfigError, load_config
from aggregator.exporters.publish import check_feed_config
from aggregator.serve.query import QueryFeeds
from aggregator.serve.crawl_timer import CrawlTimer, crawl_command, parse_duration
from aggregator.serve.server import FeedServer

logger = logging.getLogger(__name__)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="serve the feeds over HTTP",
                                   description=help_text(__doc__))
    add_dirs(parser)
    add_store(parser)
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=whole_number(0, 65535), default=8080,
                        help="port to listen on; 0 picks a free one (default: 8080)")
    parser.add_argument("--max-age", type=whole_number(0),
                        default=settings.AGGREGATOR_SERVE_MAX_AGE,
                        help="Cache-Control max-age in seconds (default: %(default)s)")
    parser.add_argument("--crawl-every", default="", metavar="DURATION",
                        help="also crawl in the background every DURATION (e.g. 30m, 2h); "
                             "off by default")
    parser.add_argument("--config", default="",
                        help="sources config (TOML, or 'demo'): the feeds that query "
                             "parameters compute (?limit=, ?filter=, ...; default: the config "
                             "of the store's last crawl) and what --crawl-every crawls")
    parser.add_argument("--route", action="append", default=[], metavar="HOST=ADDR",
                        help="passed to the background crawl (see aggregator crawl)")
    add_verbosity(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.verbose:
        logging.getLogger().setLevel(logging.INFO)
    feeds_dir = Path(args.feeds_dir)
    timer = None
    if args.crawl_every:
        try:
            interval = parse_duration(args.crawl_every)
        except ValueError as exc:
            print(f"aggregator serve: --crawl-every {exc}", file=sys.stderr)
            return 2
        timer = CrawlTimer(crawl_command(args.config, args.data_dir, str(feeds_dir), args.route,
                                         args.store),
                           interval)
    elif args.route:
        print("aggregator serve: --route only applies with --crawl-every", file=sys.stderr)
        return 2
    try:
        # without --config, query feeds use the config of the store's last crawl
        config = load_config(args.config) if args.config else None
        if config is not None:
            check_feed_config(config)
        queries = QueryFeeds(Path(args.data_dir), config, store_url(args, config))
    except ConfigError as exc:
        print(f"aggregator serve: {exc}", file=sys.stderr)
        return 2
    feeds_dir.mkdir(parents=True, exist_ok=True)
    FeedServer.address_family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    try:
        server = FeedServer(feeds_dir, (args.host, args.port), max_age=args.max_age,
                            queries=queries)
    except OSError as exc:
        print(f"aggregator serve: cannot listen on {args.host}:{args.port}: {exc}",
              file=sys.stderr)
        return 1

    def shutdown(signum: int, frame: FrameType | None) -> None:
        # serve_forever() runs in this (main) thread: shutdown() must come from another
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, shutdown)
    signal.signal(signal.SIGTERM, shutdown)
    print(f"serving {feeds_dir.resolve()} at {server.url}", flush=True)
    if timer is not None:
        timer.start()
    try:
        server.serve_forever(poll_interval=0.1)  # how soon a signal takes effect
    finally:
        if timer is not None:
            timer.stop()
        server.server_close()
    print("stopped", flush=True)
    return 0
