"""``aggregator extract``: run the extractor on saved pages or URLs, print JSON Lines.

One JSON object per page: the article the crawl would store, or
``{"url": ..., "dropped": kind, "reason": ...}`` for a page that is not an article. Exit code
0 when every input gave an article or a clear drop, 1 when an input could not be read.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import logging
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from aggregator.config import ConfigError, load_config, load_demo_config
from aggregator.extraction import extract
from aggregator.extraction.decode import decode_body
from aggregator.extraction.dom import parse_html
from aggregator.extraction.structured import read_structured
from aggregator.extraction.rules import SiteRules
from aggregator.items import Article, PageInfo

logger = logging.getLogger(__name__)

_USER_AGENT = "aggregator-extract/0.1 (+https://github.com/)"
_TIMEOUT = 30


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``extract`` on the CLI's sub-command parsers."""
    parser = subparsers.add_parser(
        "extract", help="extract articles from saved pages or URLs (JSON Lines)",
        description=__doc__)
    parser.add_argument("inputs", nargs="+", metavar="PATH_OR_URL",
                        help="an .html / .html.gz file, a folder of them, or an http(s) URL")
    parser.add_argument("--url", default="",
                        help="the page's URL, for files (default: its rel=canonical or og:url)")
    parser.add_argument("--rules-from", default="", metavar="SOURCE_NAME",
                        help="use the site rules of this source of the config")
    parser.add_argument("--config", default="",
                        help="sources config (TOML) for --rules-from; 'demo' for the demo; "
                             "default: bundled")
    parser.set_defaults(func=run)


def _load_rules(args: argparse.Namespace) -> SiteRules | None:
    if not args.rules_from:
        return None
    config = load_demo_config() if args.config == "demo" else load_config(args.config or None)
    source = config.source(args.rules_from)
    return SiteRules.from_mapping(source.rules, f"{config.path}: source {source.name!r}")


def _expand(inputs: list[str]) -> Iterator[str]:
    for item in inputs:
        path = Path(item)
        if not item.startswith(("http://", "https://")) and path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.name.endswith((".html", ".html.gz")))
            if not found:
                logger.warning("no .html or .html.gz files in %s", item)
            yield from (str(p) for p in found)
        else:
            yield item


def _read(item: str) -> tuple[bytes, str | None, str]:
    """(body, charset from the HTTP header or None, URL) of one input; raises OSError."""
    if item.startswith(("http://", "https://")):
        request = urllib.request.Request(item, headers={"User-Agent": _USER_AGENT})
        with urllib.request.urlopen(request, timeout=_TIMEOUT) as response:  # noqa: S310
            return response.read(), response.headers.get_content_charset(), response.geturl()
    path = Path(item)
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return data, None, path.resolve().as_uri()


def _declared_url(body: bytes, file_url: str) -> str:
    """A saved page's own URL (rel=canonical or og:url) when it gives an absolute http(s) one.

    The URL's shape (``/tag/x/``, the site root) is one of the signals of a listing page, so a
    saved page is read as the crawl would read it.
    """
    tree = parse_html(decode_body(body).text)
    if tree is None:
        return file_url
    data = read_structured(tree, file_url)
    for value in (data.links.get("canonical", [""])[0], data.first("og:url")):
        if value.startswith(("http://", "https://")):
            return value
    return file_url


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def to_json(result: Article | PageInfo, source: str = "") -> dict[str, Any]:
    """The JSON object printed for one page."""
    if isinstance(result, PageInfo):
        return {"url": result.url, "dropped": result.kind, "reason": result.reason}
    record = _jsonable(dataclasses.asdict(result))
    if source:
        record["source"] = source
    return record


def run(args: argparse.Namespace) -> int:
    """Extract every input and print one JSON object per page."""
    try:
        rules = _load_rules(args)
    except (ConfigError, ValueError) as exc:
        print(f"aggregator extract: {exc}", file=sys.stderr)
        return 2
    status = 0
    for item in _expand(args.inputs):
        try:
            body, charset, fetched_url = _read(item)
        except (OSError, urllib.error.URLError, EOFError, gzip.BadGzipFile) as exc:
            print(f"aggregator extract: {item}: can't read: {exc}", file=sys.stderr)
            status = 1
            continue
        url = args.url or fetched_url
        if not args.url and fetched_url.startswith("file:"):
            url = _declared_url(body, fetched_url)
        result = extract(body, url, rules=rules, encoding=charset)
        print(json.dumps(to_json(result, args.rules_from), ensure_ascii=False), flush=True)
    return status
