"""Logging of the ``aggregator`` command line: what a cron job's log carries.

At the default verbosity a problem is one line, e.g. ``WARNING aggregator.crawlerrors: gone:
http://gone.example/feed.xml: DNSLookupError: ...``; tracebacks, Scrapy's progress and the
extraction libraries' remarks about pages belong to ``-v``. A failed request is reported once,
by :mod:`aggregator.crawlerrors` (with its source); Scrapy's own lines about the same failure
are left to ``-v`` through Scrapy's settings (``RETRY_GIVE_UP_LOG_LEVEL``) or, where Scrapy has
none, a filter on the console handler (:data:`REPEATING_LOGGERS`).

>>> import logging
>>> try:
...     raise ValueError("bad\\nvalue")
... except ValueError:
...     record = logging.LogRecord("x", logging.ERROR, __file__, 1, "Spider error processing %s",
...                                ("<GET http://a/>",), sys.exc_info())
>>> OneLineFormatter(FORMAT).format(record)
'ERROR x: Spider error processing <GET http://a/> (ValueError: bad value; traceback with -v)'
"""

from __future__ import annotations

import logging
import sys

FORMAT = "%(levelname)s %(name)s: %(message)s"

#: libraries whose warnings are about page content, not about the run: counted in our own
#: stats ("discarding data"), on the console only with -v
QUIET_LOGGERS = ("trafilatura", "htmldate", "courlan", "readability", "extruct")

#: Scrapy loggers whose warnings and errors repeat a failure that aggregator.crawlerrors
#: reports: robots.txt's "Error downloading <the page's URL>" (with a traceback) comes before
#: the page's own failure, and a robots.txt that cannot be fetched allows everything anyway
REPEATING_LOGGERS = ("scrapy.downloadermiddlewares.robotstxt",)


class OneLineFormatter(logging.Formatter):
    """Every record on one line; an exception is its type and message, not a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            line = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        exc = saved[0][1] if saved[0] else None
        if exc is not None:
            line += f" ({type(exc).__name__}: {exc}; traceback with -v)"
        return " ".join(part.strip() for part in line.splitlines() if part.strip())


class RepeatFilter(logging.Filter):
    """Drops the records of :data:`REPEATING_LOGGERS`."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith(REPEATING_LOGGERS)


def setup_logging(verbose: bool) -> None:
    """The command line's one console handler (on stderr), at WARNING; the commands that
    crawl raise it to INFO with ``-v`` (:func:`aggregator.commands.common.scrapy_log_overrides`)."""
    handler = logging.StreamHandler(sys.stderr)
    if verbose:
        handler.setFormatter(logging.Formatter(FORMAT))
    else:
        handler.setFormatter(OneLineFormatter(FORMAT))
        handler.addFilter(RepeatFilter())
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.ERROR)
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
