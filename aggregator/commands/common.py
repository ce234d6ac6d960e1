"""Options shared by several commands."""

from __future__ import annotations

import argparse
import logging


def add_dirs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", default="data",
                        help="folder of the SQLite store (default: ./data)")
    parser.add_argument("--feeds-dir", default="feeds",
                        help="folder the feeds are written to (default: ./feeds)")


def add_verbosity(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-v", "--verbose", action="store_true", help="log Scrapy's progress")


def scrapy_log_overrides(args: argparse.Namespace) -> dict[str, object]:
    level = "INFO" if getattr(args, "verbose", False) else "WARNING"
    logging.getLogger().setLevel(level)
    return {"LOG_LEVEL": level}
