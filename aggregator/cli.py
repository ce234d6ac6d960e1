"""The ``aggregator`` command line."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from pathlib import Path

from aggregator.store import DB_FILENAME
from aggregator.store.sqlite import EXIT_BAD_STORE, READ_ERRORS, StoreError, unreadable

#: sub-command modules, in the order ``--help`` lists them
COMMANDS = ["demo", "crawl", "extract", "feeds", "serve", "export", "schedule", "status", "sources"]


#: libraries whose warnings are about page content, not about the run
QUIET_LOGGERS = ("trafilatura", "htmldate", "courlan", "readability", "extruct")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aggregator", description="Crawl tech-news sites into full-text feeds and datasets.")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"aggregator.commands.{name}").add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "verbose", False):
        # what the extraction libraries say about a page ("discarding data") is counted
        # in our own stats; on the console it is noise unless asked for with -v
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except READ_ERRORS as exc:  # a corrupt, truncated or too old store: one line, no traceback
        message = str(exc) if isinstance(exc, StoreError) else unreadable(
            Path(getattr(args, "data_dir", ".")) / DB_FILENAME, exc)
        command = argv[0] if argv else (sys.argv[1] if len(sys.argv) > 1 else "")
        print(f"aggregator {command}: {message}", file=sys.stderr)
        return EXIT_BAD_STORE


if __name__ == "__main__":
    sys.exit(main())
