"""``scrapy crawl``, with the news spider's arguments checked first: an unknown source or a
bad config is Scrapy's usage error (one line, exit status 2) instead of a traceback from
inside the reactor, as ``aggregator crawl`` reports it.

    $ scrapy crawl news -a source=nosuch
    ...
    crawl: error: <bundled sources.toml>: no source named 'nosuch' (known: arstechnica, ...)
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from aggregator.config import ConfigError, crawl_settings, load_config

#: the spider whose arguments name a source of a config
NEWS_SPIDER = "news"


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args and args[0] == NEWS_SPIDER:
            check_news_arguments(opts.spargs, self.settings.get("AGGREGATOR_CONFIG") or "")
        super().run(args, opts)


def check_news_arguments(spargs: dict[str, str], config_setting: str) -> None:
    """Raise :class:`UsageError` naming the problem when ``-a source=`` (and ``-a config=``,
    else the ``AGGREGATOR_CONFIG`` setting) do not name a source of a valid config."""
    source = spargs.get("source")
    if not source:
        raise UsageError("the news spider needs a source: scrapy crawl news -a source=NAME",
                         print_help=False)
    try:
        config = load_config(spargs.get("config") or config_setting or None)
        config.source(source)
        crawl_settings(config)
    except ConfigError as exc:
        raise UsageError(str(exc), print_help=False) from None
