"""Options shared by several commands, and the checks of their values."""

from __future__ import annotations

import argparse
import logging
import re
from collections.abc import Callable

#: reST roles and literals of the module docstrings the sub-commands' help is made from
_ROLE_RE = re.compile(r":(?:mod|class|func|meth|data|attr|exc|ref):`~?([^`]*)`")


def help_text(doc: str | None) -> str:
    """A module docstring as ``--help`` shows it: without reST markup.

    >>> help_text("Runs ``aggregator crawl``; see :mod:`aggregator.schedule`.")
    'Runs aggregator crawl; see aggregator.schedule.'
    """
    return _ROLE_RE.sub(r"\1", doc or "").replace("``", "")


def whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse ``type``: a whole number in [minimum, maximum]; a bad value is a usage
    error naming the option and the value (exit status 2), not a traceback later."""
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
        if number < minimum or (maximum is not None and number > maximum):
            bounds = f"from {minimum} to {maximum}" if maximum is not None else f">= {minimum}"
            raise argparse.ArgumentTypeError(f"expected a whole number {bounds}, got {value!r}")
        return number
    parse.__name__ = "whole number"
    return parse


def add_dirs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", default="data",
                        help="folder of the SQLite store (default: ./data)")
    parser.add_argument("--feeds-dir", default="feeds",
                        help="folder the feeds are written to (default: ./feeds)")


def add_verbosity(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log Scrapy's progress, and tracebacks")


def scrapy_log_overrides(args: argparse.Namespace) -> dict[str, object]:
    level = "INFO" if getattr(args, "verbose", False) else "WARNING"
    logging.getLogger().setLevel(level)
    return {"LOG_LEVEL": level}
