"""``aggregator feeds``: rebuild every feed from the store, without crawling: one per
source, ``all``, one per ``[[topics]]`` table, as RSS, Atom and JSON Feed, and
``feeds.opml``. Without --config, the feeds are those of the config the store was last
crawled with (the bundled config for a store that never recorded one). Exit status 1 when a
feed failed its check (the last good one is kept); 2 for a bad config or option, or when
there is no store (nothing is created)."""

from __future__ import annotations

import argparse
import sys

from aggregator.commands.common import add_dirs, add_store, help_text, store_url, whole_number
from aggregator.config import ConfigError, crawled_config, load_config
from aggregator.exporters.publish import publish_feeds
from aggregator.exporters.topics import parse_topics
from aggregator.store import open_store, sqlite_file

EXIT_USAGE = 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("feeds", help="rebuild the feeds from the store",
                                   description=help_text(__doc__))
    parser.add_argument("--config", default="",
                        help="sources config (TOML); 'demo' for the demo; default: the config"
                             " of the store's last crawl")
    parser.add_argument("--limit", type=whole_number(1), default=None, metavar="N",
                        help="items per feed (default: the config's feed_limit, else 50)")
    add_dirs(parser)
    add_store(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:  # the config's [aggregator] store, when --config names one
        url = store_url(args, load_config(args.config) if args.config else None)
    except ConfigError as exc:
        print(f"aggregator feeds: {exc}", file=sys.stderr)
        return EXIT_USAGE
    db = sqlite_file(args.data_dir, url)
    if db is not None and not db.exists():
        print(f"aggregator feeds: no store at {db} (crawl first, or pass --data-dir)",
              file=sys.stderr)
        return EXIT_USAGE
    store = open_store(args.data_dir, read_only=True, url=url)
    try:
        try:
            config = load_config(args.config) if args.config else crawled_config(store)
            parse_topics(config)
        except ConfigError as exc:
            print(f"aggregator feeds: {exc}", file=sys.stderr)
            return EXIT_USAGE
        result = publish_feeds(store, config, args.feeds_dir, limit=args.limit)
    finally:
        store.close()
    for path in result:
        print(path)
    for dropped in result.dropped:
        print(f"dropped from {dropped.feed}: {dropped.id}: {dropped.reason}", file=sys.stderr)
    for failed in result.failed:
        print(f"not published (last good kept): {failed.path}: {'; '.join(failed.problems[:3])}",
              file=sys.stderr)
    print(result.summary(), file=sys.stderr)
    return 1 if result.failed else 0
