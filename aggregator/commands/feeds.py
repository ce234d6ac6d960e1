"""``aggregator feeds``: rebuild every feed from the store, without crawling."""

from __future__ import annotations

import argparse
import sys

from aggregator.commands.common import add_dirs
from aggregator.config import ConfigError, load_config
from aggregator.exporters.publish import publish_feeds
from aggregator.store import open_store


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("feeds", help="rebuild the feeds from the store",
                                   description=__doc__)
    parser.add_argument("--config", default="",
                        help="sources config (TOML); 'demo' for the demo; default: bundled")
    add_dirs(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config or None)
    except ConfigError as exc:
        print(f"aggregator feeds: {exc}", file=sys.stderr)
        return 2
    store = open_store(args.data_dir)
    try:
        paths = publish_feeds(store, config, args.feeds_dir)
    finally:
        store.close()
    for path in paths:
        print(path)
    return 0
