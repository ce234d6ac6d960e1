"""``aggregator export``: the stored articles as JSON Lines, JSON or CSV for analysts,
streamed from the store (constant memory whatever its size)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import IO

from aggregator.commands.common import add_store, help_text, store_url
from aggregator.exporters.data import FORMATS, records, write_csv, write_json, write_jsonl
from aggregator.store import Store, open_store, sqlite_file, store_label


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("export", help="export the stored articles (jsonl, json, csv)",
                                   description=help_text(__doc__))
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="jsonl: one article per line; json: one array; csv: one row per"
                             " article, links in <output>.links.csv (default: from the"
                             " --output file's extension, else jsonl)")
    parser.add_argument("--since", type=parse_date, default=None, metavar="DATE",
                        help="only articles published (or first seen) at or after DATE"
                             " (ISO 8601: 2024-01-31 or 2024-01-31T08:00:00+08:00)")
    parser.add_argument("--until", type=parse_date, default=None, metavar="DATE",
                        help="only articles published before DATE")
    parser.add_argument("--source", default=None, help="only this source's articles")
    parser.add_argument("--output", "-o", default="", metavar="PATH",
                        help="file to write (default: standard output)")
    parser.add_argument("--data-dir", default="data",
                        help="folder of the SQLite store (default: ./data)")
    add_store(parser)
    parser.set_defaults(func=run)


def parse_date(value: str) -> datetime:
    """An ISO 8601 date or datetime; a date is its midnight UTC, a naive time is UTC."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO 8601 date (e.g. 2024-01-31)") from None
    if isinstance(parsed, datetime) and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    if not isinstance(parsed, datetime) and isinstance(parsed, date):
        parsed = datetime.combine(parsed, time(), tzinfo=timezone.utc)
    return parsed


#: the format an --output file's extension stands for
EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv"}


def output_format(fmt: str | None, output: str) -> str:
    """The --format given, else the one the output file's extension names, else jsonl.

    >>> output_format(None, "out/x.JSON"), output_format("csv", "x.json"), output_format(None, "")
    ('json', 'csv', 'jsonl')
    """
    return fmt or EXTENSIONS.get(Path(output).suffix.lower(), "jsonl")


def _file_mode() -> int:
    """Mode of a new file as ``open()`` would create it (0666 less the umask), for the temp
    files renamed into place: mkstemp makes them 0600."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def output_file(path: str) -> Iterator[IO[str]]:
    """Standard output for "", else a temp file renamed to ``path`` once complete."""
    if not path:
        yield sys.stdout
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
        os.chmod(tmp, _file_mode())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def run(args: argparse.Namespace) -> int:
    url = store_url(args)
    db = sqlite_file(args.data_dir, url)
    if db is not None and not db.exists():
        print(f"aggregator export: no store at {db} (crawl first, or pass --data-dir)",
              file=sys.stderr)
        return 2
    args.format = output_format(args.format, args.output)
    store = open_store(args.data_dir, read_only=True, url=url)
    if args.source and not store.count_articles(args.source):
        known = ", ".join(store.run_sources()) or "none"
        print(f"aggregator export: warning: no articles of source {args.source!r} in"
              f" {db or store_label(url)}"
              f" (sources crawled: {known})", file=sys.stderr)
    try:
        count = _export(store, args)
    except BrokenPipeError:  # e.g. `aggregator export | head`: the reader has had enough
        sys.stdout = open(os.devnull, "w")
        return 1
    finally:
        store.close()
    where = args.output or "standard output"
    extra = ""
    if args.format == "csv":
        extra = (f" (links: {args.output}.links.csv)" if args.output else
                 " (links not exported: CSV keeps them in a second file; use --output FILE"
                 " for FILE.links.csv)")
    print(f"exported {count} articles to {where}{extra}", file=sys.stderr)
    return 0


def _export(store: Store, args: argparse.Namespace) -> int:
    """Write the selected articles, oldest first; return how many."""
    stored = store.iter_stored(source=args.source, since=args.since, until=args.until,
                               newest_first=False)
    with output_file(args.output) as out:
        if args.format == "jsonl":
            return write_jsonl(records(stored), out)
        if args.format == "json":
            return write_json(records(stored), out)
        if not args.output:
            return write_csv(records(stored), out)
        with output_file(f"{args.output}.links.csv") as links:
            return write_csv(records(stored), out, links)
