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
from urllib.parse import quote, urljoin

from aggregator.commands.common import help_text
from aggregator.config import ConfigError, load_config, load_demo_config
from aggregator.extraction import extract
from aggregator.extraction.decode import decode_body
from aggregator.extraction.dom import parse_html
from aggregator.extraction.structured import read_structured
from aggregator.extraction.rules import SiteRules
from aggregator.items import Article, PageInfo
from aggregator.normalize import normalize_article
from aggregator.template import TemplateStats
from aggregator.urls import registrable_host

logger = logging.getLogger(__name__)

_USER_AGENT = "aggregator-extract/0.1 (+https://github.com/)"
_TIMEOUT = 30


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``extract`` on the CLI's sub-command parsers."""
    parser = subparsers.add_parser(
        "extract", help="extract articles from saved pages or URLs (JSON Lines)",
        description=help_text(__doc__))
    parser.add_argument("inputs", nargs="+", metavar="PATH_OR_URL",
                        help="an .html / .html.gz file, a folder of them, or an http(s) URL")
    parser.add_argument("--url", default="",
                        help="the page's URL, for files (default: its rel=canonical or og:url)")
    parser.add_argument("--base-url", default="",
                        help="files are a saved mirror of this site: a file's URL is BASE_URL "
                             "plus its path inside the folder given (index.html: its folder)")
    parser.add_argument("--rules-from", default="", metavar="SOURCE_NAME",
                        help="use the site rules of this source of the config")
    parser.add_argument("--config", default="",
                        help="sources config (TOML) for --rules-from; 'demo' for the demo; "
                             "default: bundled")
    parser.add_argument("--learn-template", action="store_true",
                        help="judge each page's related links with what all the pages given "
                             "of its site show of the site's template, as a crawl does (two "
                             "passes over the inputs; URLs are fetched twice)")
    parser.set_defaults(func=run)


@dataclasses.dataclass
class _Context:
    """What the crawl would know of the page's source: its rules and time zone, and
    the tracking parameters to strip."""

    rules: SiteRules | None = None
    source: str = ""
    timezone: str = "UTC"
    tracking_params: tuple[str, ...] = ()


def _load_context(args: argparse.Namespace) -> _Context:
    if not args.rules_from:
        return _Context()
    config = load_demo_config() if args.config == "demo" else load_config(args.config or None)
    source = config.source(args.rules_from)
    extra = config.options.get("tracking_params", [])
    return _Context(
        rules=SiteRules.from_mapping(source.rules, f"{config.path}: source {source.name!r}")
        if source.rules else None,
        source=source.name, timezone=source.timezone,
        tracking_params=tuple(extra) if isinstance(extra, list) else ())


def _expand(inputs: list[str]) -> Iterator[tuple[str, Path | None]]:
    """Each input page, with the folder it was found in (None for a file or URL given)."""
    for item in inputs:
        path = Path(item)
        if not item.startswith(("http://", "https://")) and path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.name.endswith((".html", ".html.gz")))
            if not found:
                logger.warning("no .html or .html.gz files in %s", item)
            yield from ((str(p), path) for p in found)
        else:
            yield item, None


def mirror_url(base_url: str, folder: Path | None, file: str) -> str:
    """The URL of a page saved in a mirror of a site: ``base_url`` plus the file's path
    inside ``folder`` (or its name when given alone), ``index.html`` standing for its folder.

    >>> mirror_url("https://ex.com/", Path("site"), "site/2024/a/index.html")
    'https://ex.com/2024/a/'
    >>> mirror_url("https://ex.com/news", None, "saved/b.html.gz")
    'https://ex.com/news/b.html'
    """
    path = Path(file)
    relative = path.relative_to(folder) if folder is not None else Path(path.name)
    parts = list(relative.parts)
    parts[-1] = parts[-1].removesuffix(".gz")
    if parts[-1] == "index.html":
        parts[-1] = ""
    return urljoin(base_url.rstrip("/") + "/", "/".join(quote(p) for p in parts))


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
    record.pop("page_links", None)  # the crawl's, not the article's
    if source:
        record["source"] = source
    return record


_READ_ERRORS = (OSError, urllib.error.URLError, EOFError, gzip.BadGzipFile)


def _pages(args: argparse.Namespace) -> Iterator[tuple[str, bytes, str | None, str] | str]:
    """Each input as (item, body, charset, page URL), or as its error message."""
    for item, folder in _expand(args.inputs):
        try:
            body, charset, fetched_url = _read(item)
        except _READ_ERRORS as exc:
            yield f"aggregator extract: {item}: can't read: {exc}"
            continue
        url = args.url or fetched_url
        if not args.url and fetched_url.startswith("file:"):
            url = (mirror_url(args.base_url, folder, item) if args.base_url
                   else _declared_url(body, fetched_url))
        yield item, body, charset, url


def _learn_templates(args: argparse.Namespace, context: _Context) -> dict[str, TemplateStats]:
    """What the given pages show of their sites' templates, by site (as a crawl learns it)."""
    learned: dict[str, TemplateStats] = {}
    for page in _pages(args):
        if isinstance(page, str):
            continue  # reported by the second pass
        _, body, charset, url = page
        result = extract(body, url, rules=context.rules, encoding=charset,
                         template=TemplateStats())
        if isinstance(result, Article) and result.page_links is not None:
            learned.setdefault(registrable_host(url), TemplateStats()).observe(
                result.page_links.links, result.page_links.blocks)
    return learned


def run(args: argparse.Namespace) -> int:
    """Extract every input and print one JSON object per page."""
    try:
        context = _load_context(args)
    except (ConfigError, ValueError) as exc:
        print(f"aggregator extract: {exc}", file=sys.stderr)
        return 2
    learned = _learn_templates(args, context) if args.learn_template else {}
    status = 0
    for page in _pages(args):
        if isinstance(page, str):
            print(page, file=sys.stderr)
            status = 1
            continue
        _, body, charset, url = page
        result = extract(body, url, rules=context.rules, encoding=charset,
                         template=learned.get(registrable_host(url)))
        if isinstance(result, Article):
            # the steps the crawl's pipelines apply before storing (not dedup / store)
            result.source = context.source
            result = normalize_article(result, timezone=context.timezone,
                                       tracking_params=context.tracking_params)
        print(json.dumps(to_json(result, args.rules_from), ensure_ascii=False), flush=True)
    return status
