"""Options shared by several commands, and the checks of their values."""

from __future__ import annotations

import argparse
import logging
import os
import re
from collections.abc import Callable, Mapping

from aggregator.config import Config, config_store

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


def add_store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", default=None, metavar="URL",
                        help="the store: postgresql://user:password@host/database, shared by "
                             "crawlers on several machines (default: $AGGREGATOR_STORE, else "
                             "the config's [aggregator] store, else the SQLite store in "
                             "--data-dir)")


def store_url(args: argparse.Namespace, config: Config | None = None,
              environ: Mapping[str, str] | None = None) -> str | None:
    """The store a command opens: ``--store``, else ``AGGREGATOR_STORE`` in the environment,
    else the config's ``[aggregator] store``; None for the SQLite store in ``--data-dir``.

    >>> store_url(argparse.Namespace(store="postgresql://db/news"), environ={})
    'postgresql://db/news'
    >>> store_url(argparse.Namespace(store=None), environ={}) is None
    True
    """
    given = getattr(args, "store", None)
    if given:
        return str(given)
    env = os.environ if environ is None else environ
    if env.get("AGGREGATOR_STORE"):
        return env["AGGREGATOR_STORE"]
    return config_store(config) if config is not None else None


def store_override(args: argparse.Namespace) -> dict[str, object]:
    """The crawl setting ``--store`` gives (it wins over the environment and the config)."""
    return {"AGGREGATOR_STORE": args.store} if getattr(args, "store", None) else {}


def add_redis(parser: argparse.ArgumentParser, required_for: str) -> None:
    parser.add_argument("--redis", default=os.environ.get("AGGREGATOR_REDIS_URL", ""),
                        metavar="URL",
                        help=f"Redis of the shared frontier, redis://HOST:PORT/DB ({required_for};"
                             " default: $AGGREGATOR_REDIS_URL)")
