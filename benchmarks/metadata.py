"""Metadata quality on real pages: what a crawl would store for each page, field by field.

Run by hand (never a timed test)::

    .venv/bin/python benchmarks/metadata.py [DATASET_DIR] [--only ID...] [--no-table]

Each page goes through :func:`aggregator.extraction.extract` and
:func:`aggregator.normalize.normalize_article` (the path a crawl stores), at the URL given in the
dataset's ``ground-truth.json``. Printed: a per-page table (title, authors, published date,
lead image URL, language, tag count, summary length, related-link count, page kind), the
coverage of each field (share of pages with a value), and, for the pages in the hand-checked
truth file (``benchmarks/metadata_truth.json``), the accuracy of each field:

- ``title``: equal after whitespace and case folding;
- ``authors``: the same list of names (order ignored, case folded); the publication when the
  page declares it as the author and names no person (as Fundus does); ``[]`` when none is named;
- ``published``: the same calendar date, read in the offset the page wrote it in (``null``
  when the page shows no date);
- ``image``: a lead image present or not, as the truth says;
- ``language``: the same primary language subtag ("en" for "en-GB").
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from aggregator.extraction import extract
from aggregator.items import Article, PageInfo
from aggregator.normalize import normalize_article

DEFAULT_DATASET = Path("/work/shared/datasets/article-extraction-dev")
DEFAULT_TRUTH = Path(__file__).resolve().parent / "metadata_truth.json"
FIELDS = ("title", "authors", "published", "image", "language")


def load(dataset: Path, only: list[str]) -> dict[str, tuple[str, bytes]]:
    """``{id: (url, page bytes)}`` of the dataset's pages, sorted by id."""
    truth = json.loads((dataset / "ground-truth.json").read_text("utf-8"))
    pages = {}
    for pid, entry in sorted(truth.items()):
        if only and not any(pid.startswith(o) for o in only):
            continue
        pages[pid] = (entry["url"], gzip.decompress((dataset / "html" / f"{pid}.html.gz").read_bytes()))
    return pages


def local_date(article: Article) -> str | None:
    """The published calendar date in the offset the page wrote it in, as YYYY-MM-DD."""
    if article.published is None:
        return None
    offset = article.source_offset or "+00:00"
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = (int(x) for x in offset[1:].split(":"))
    zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
    return article.published.astimezone(zone).date().isoformat()


def stored(html: bytes, url: str) -> Article | PageInfo:
    """What a crawl would store for this page."""
    result = extract(html, url)
    if isinstance(result, PageInfo):
        return result
    return normalize_article(result, timezone="UTC", now=datetime.now(timezone.utc))


def got_fields(result: Article | PageInfo) -> dict[str, Any]:
    """The five judged fields of a result (an unextracted page has none)."""
    if isinstance(result, PageInfo):
        return {"title": "", "authors": [], "published": None, "image": False, "language": None}
    return {"title": result.title, "authors": result.authors, "published": local_date(result),
            "image": result.image is not None, "language": result.language}


def _norm(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def field_ok(name: str, got: Any, want: Any) -> bool:
    """Whether ``got`` is right for field ``name`` by the rules in the module docstring."""
    if name == "title":
        return _norm(got) == _norm(want)
    if name == "authors":
        return sorted(_norm(a) for a in got) == sorted(_norm(a) for a in want)
    if name == "language":
        return (got or "").split("-")[0].lower() == (want or "").split("-")[0].lower()
    return got == want


def _cut(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", nargs="?", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--truth", type=Path, default=DEFAULT_TRUTH)
    parser.add_argument("--only", nargs="*", default=[], help="page id prefixes")
    parser.add_argument("--no-table", action="store_true", help="figures only")
    parser.add_argument("--wrong", action="store_true", help="list every field judged wrong")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    pages = load(args.dataset, args.only)
    results = {pid: stored(html, url) for pid, (url, html) in pages.items()}
    print(f"{len(pages)} pages from {args.dataset}")

    if not args.no_table:
        print(f"\n{'id':<8} {'kind':<7} {'lang':<6} {'published':<10} tags sum rel"
              f"  title | authors | image")
        for pid, res in results.items():
            if isinstance(res, PageInfo):
                print(f"{pid[:8]} {res.kind:<7} {_cut(res.reason, 100)}")
                continue
            print(f"{pid[:8]} {'article':<7} {res.language or '-':<6} {local_date(res) or '-':<10}"
                  f" {len(res.tags):>4} {len(res.summary):>3} {len(res.related):>3}"
                  f"  {_cut(res.title, 70)} | {'; '.join(res.authors) or '-'}"
                  f" | {_cut(res.image.url, 70) if res.image else '-'}")

    articles = [r for r in results.values() if isinstance(r, Article)]
    n = len(pages)
    coverage = {
        "article": len(articles),
        "title": sum(bool(a.title) for a in articles),
        "authors": sum(bool(a.authors) for a in articles),
        "published": sum(a.published is not None for a in articles),
        "image": sum(a.image is not None for a in articles),
        "language": sum(bool(a.language) for a in articles),
        "tags": sum(bool(a.tags) for a in articles),
        "summary": sum(bool(a.summary) for a in articles),
        "related": sum(bool(a.related) for a in articles),
    }
    print("\ncoverage (share of pages with a value):")
    print("  " + "  ".join(f"{k}={v / n:.2f}" for k, v in coverage.items()))

    if args.truth.exists():
        truth = json.loads(args.truth.read_text("utf-8"))
        judged = [pid for pid in results if pid in truth]
        right = dict.fromkeys(FIELDS, 0)
        wrong: list[str] = []
        for pid in judged:
            got = got_fields(results[pid])
            for name in FIELDS:
                if field_ok(name, got[name], truth[pid][name]):
                    right[name] += 1
                else:
                    wrong.append(f"{pid[:8]} {name}: got {got[name]!r}, want {truth[pid][name]!r}")
        print(f"\naccuracy against {args.truth.name} ({len(judged)} hand-checked pages):")
        print("  " + "  ".join(f"{k}={right[k] / len(judged):.3f}" for k in FIELDS)
              if judged else "  (no page of the truth file in this run)")
        if args.wrong:
            print("\n".join(wrong))
    return 0


if __name__ == "__main__":
    sys.exit(main())
