"""The ``aggregator`` command line."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from aggregator.config import ConfigError
from aggregator.logsetup import setup_logging
from aggregator.store import DB_FILENAME
from aggregator.store.sqlite import EXIT_BAD_STORE, READ_ERRORS, StoreError, unreadable
from aggregator.version import version

#: sub-command modules, in the order ``--help`` lists them
COMMANDS = ["demo", "crawl", "worker", "extract", "feeds", "serve", "export", "schedule", "status", "sources"]
#: exit status of a bad option or config, as argparse's own
EXIT_USAGE = 2


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of the one ``argv`` names: a command's module is
    imported only when it is run or listed (``status`` does not load Scrapy)."""
    parser = argparse.ArgumentParser(
        prog="aggregator", description="Crawl tech-news sites into full-text feeds and datasets.")
    parser.add_argument("--version", action="version", version=f"aggregator {version()}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    named = next((arg for arg in argv or () if not arg.startswith("-")), None)
    for name in [named] if named in COMMANDS else COMMANDS:
        importlib.import_module(f"aggregator.commands.{name}").add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    setup_logging(verbose=getattr(args, "verbose", False))
    if not hasattr(args, "func"):
        parser.print_help()
        return EXIT_USAGE
    command = argv[0] if argv else ""
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:  # a config error a command did not catch: still one line
        print(f"aggregator {command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except READ_ERRORS as exc:  # a corrupt, truncated or too old store: one line, no traceback
        message = str(exc) if isinstance(exc, StoreError) else unreadable(
            Path(getattr(args, "data_dir", ".")) / DB_FILENAME, exc)
        print(f"aggregator {command}: {message}", file=sys.stderr)
        return EXIT_BAD_STORE


if __name__ == "__main__":
    sys.exit(main())
