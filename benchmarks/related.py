"""Suggested-link quality on the two hand-labelled dev sets, split by site into two halves.

Run by hand (never a timed test)::

    .venv/bin/python benchmarks/related.py [--shared DIR] [--half A|B|all] [--verbose]

Each page goes through :func:`aggregator.extraction.extract` and the normalisation the crawl
applies (exactly what ``aggregator extract`` prints); the predicted ``related`` links are then
scored by each dataset's own ``related_score.py`` against its ``related.json``. Pages are split
into halves by *site* (the page URL's host for article-extraction-dev, the publisher for
fundus-dev) with a stable hash, so that no site is in both halves: the weights of
:func:`aggregator.extraction.related.link_score` were set looking at half A only; half B is
the check.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from aggregator.commands.extract import to_json
from aggregator.extraction import extract
from aggregator.items import Article
from aggregator.normalize import normalize_article

HERE = Path(__file__).resolve().parent
DEFAULT_SHARED = HERE.parent.parent / "shared"
DATASETS = ("article-extraction-dev", "fundus-dev")


@dataclass(frozen=True)
class Page:
    """One labelled dev page."""

    dataset: str
    id: str
    url: str
    site: str
    path: Path


def site_half(site: str) -> str:
    """"A" or "B": a stable split of sites into two halves."""
    return "AB"[hashlib.sha256(site.encode()).digest()[0] % 2]


def load_pages(dataset: str, folder: Path) -> list[Page]:
    """The pages of one dev dataset, with their site (host, or publisher for fundus-dev)."""
    pages = []
    if dataset == "fundus-dev":
        for pid, record in sorted(json.loads((folder / "expected.json").read_text()).items()):
            publisher = pid.rsplit("_", 3)[0]
            pages.append(Page(dataset, pid, record["url"], publisher,
                              folder / "html" / f"{pid}.html.gz"))
    else:
        truth = json.loads((folder / "ground-truth.json").read_text())
        for pid in (folder / "dev_ids.txt").read_text().split():
            url = truth[pid]["url"]
            host = (urlsplit(url).hostname or "").removeprefix("www.")
            pages.append(Page(dataset, pid, url, host, folder / "html" / f"{pid}.html.gz"))
    return pages


def predict(pages: list[Page]) -> tuple[list[dict], float]:
    """One prediction line a page, and the CPU seconds extraction took."""
    lines = []
    started = time.process_time()
    for page in pages:
        result = extract(gzip.decompress(page.path.read_bytes()), page.url)
        if isinstance(result, Article):
            result = normalize_article(result)
        record = to_json(result)
        lines.append({"id": page.id, "url": page.url,
                      "canonical_url": record.get("canonical_url"),
                      "related": record.get("related") or []})
    return lines, time.process_time() - started


def score(scorer: Path, truth: Path, lines: list[dict], verbose: bool) -> str:
    """The scorer's report, and the most links invented on one page without related links."""
    with tempfile.TemporaryDirectory() as tmp:
        pred, per_page = Path(tmp) / "pred.jsonl", Path(tmp) / "pages.json"
        pred.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
        cmd = [sys.executable, str(scorer), str(pred), "--gt", str(truth), "--only-predicted",
               "--json", str(per_page)]
        if verbose:
            cmd.append("--verbose")
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        pages = json.loads(per_page.read_text())["pages"] if per_page.exists() else []
    invented = [page["pred"] for page in pages if page.get("outcome") in ("invented", "clean")]
    return (done.stdout + done.stderr
            + f"most links invented on a page without related links: {max(invented, default=0)}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--half", choices=("A", "B", "all"), default="all")
    parser.add_argument("--dataset", choices=sorted(DATASETS), action="append")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args()
    scorer = args.shared / "datasets" / "article-extraction-dev" / "related_score.py"
    halves = ("A", "B") if args.half == "all" else (args.half,)
    for name in args.dataset or sorted(DATASETS):
        folder = args.shared / "datasets" / name
        pages = load_pages(name, folder)
        for half in halves:
            chosen = [p for p in pages if site_half(p.site) == half]
            lines, seconds = predict(chosen)
            print(f"== {name} half {half}: {len(chosen)} pages of "
                  f"{len({p.site for p in chosen})} sites, "
                  f"{len(chosen) / seconds:.1f} pages/s (CPU, extract + normalise)")
            print(score(scorer, folder / "related.json", lines, args.verbose))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
