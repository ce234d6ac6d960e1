"""Scrapy's log formatter for our crawls (``LOG_FORMATTER``), apart from
:mod:`aggregator.logsetup` so that the commands which only read the store do not load Scrapy."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult

from aggregator.store import store_unreachable


class ConciseLogFormatter(LogFormatter):
    """Scrapy's log messages, with an item that failed in a pipeline named by its URL
    instead of its whole repr (an article's repr is its full text), and the errors of an
    unreachable store at INFO: :class:`aggregator.storehealth.StoreHealth` says it once
    and stops the crawl; the items and pages in flight then are not one line each."""

    def item_error(self, item: Any, exception: BaseException, response: Any,
                   spider: Any) -> LogFormatterResult:
        result = super().item_error(item, exception, response, spider)
        url = getattr(item, "url", None)
        if url:
            result["args"] = {**dict(result.get("args") or {}), "item": f"<article {url}>"}
        if store_unreachable(exception):
            result["level"] = logging.INFO
        return result

    def spider_error(self, failure: Any, request: Any, response: Any,
                     spider: Any) -> LogFormatterResult:
        result = super().spider_error(failure, request, response, spider)
        if store_unreachable(getattr(failure, "value", failure)):
            result["level"] = logging.INFO
        return result
