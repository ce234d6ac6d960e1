"""Suggested-link quality on the two hand-labelled dev sets, split by site into two halves.

Run by hand (never a timed test)::

    .venv/bin/python benchmarks/related.py [--shared DIR] [--half A|B|all] [--verbose]
    .venv/bin/python benchmarks/related.py --loso   # the threshold, one site left out at a time

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


def page_results(scorer: Path, truth: Path, lines: list[dict]) -> list[dict]:
    """The scorer's per-page results (``tp``, ``fp`` and ``fn`` of each page, and its URL)."""
    with tempfile.TemporaryDirectory() as tmp:
        pred, per_page = Path(tmp) / "pred.jsonl", Path(tmp) / "pages.json"
        pred.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
        subprocess.run([sys.executable, str(scorer), str(pred), "--gt", str(truth),
                        "--only-predicted", "--json", str(per_page)],
                       capture_output=True, text=True, check=False)
        return json.loads(per_page.read_text())["pages"] if per_page.exists() else []


#: the thresholds of :func:`leave_one_site_out`
LOSO_GRID = (-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0)


def leave_one_site_out(shared: Path) -> None:
    """Leave-one-site-out cross validation of the score threshold over every site of both dev
    sets: for each site, the threshold with the best micro F1 on all the other sites, scored
    on that site; the sums over sites are the estimate for a site never seen."""
    from aggregator.extraction import related

    scorer = shared / "datasets" / "article-extraction-dev" / "related_score.py"
    counts: dict[float, dict[str, list[int]]] = {}
    default = related.THRESHOLD
    try:
        for threshold in LOSO_GRID:
            related.THRESHOLD = threshold
            per_site = counts[threshold] = {}
            for name in DATASETS:
                folder = shared / "datasets" / name
                pages = load_pages(name, folder)
                lines, _ = predict(pages)
                site_of = {page.url: f"{name}|{page.site}" for page in pages}
                for row, line in zip(page_results(scorer, folder / "related.json", lines), lines):
                    site = site_of.get(row.get("url"), site_of.get(line["url"], name))
                    total = per_site.setdefault(site, [0, 0, 0])
                    total[0] += row["tp"]
                    total[1] += len(row["fp"])
                    total[2] += len(row["fn"])
    finally:
        related.THRESHOLD = default

    def f1(tp: int, fp: int, fn: int) -> float:
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    sites = sorted(counts[LOSO_GRID[0]])
    chosen: dict[float, int] = {}
    held = [0, 0, 0]
    for site in sites:
        def rest(threshold: float, site: str = site) -> float:
            sums = [sum(c[i] for s, c in counts[threshold].items() if s != site)
                    for i in range(3)]
            return f1(*sums)
        best = max(LOSO_GRID, key=lambda t: (rest(t), -abs(t - default)))
        chosen[best] = chosen.get(best, 0) + 1
        held = [h + c for h, c in zip(held, counts[best][site])]
    tp, fp, fn = held
    print(f"leave-one-site-out over {len(sites)} sites: threshold chosen "
          f"{dict(sorted(chosen.items()))}; held-out P {tp / max(tp + fp, 1):.3f} "
          f"R {tp / max(tp + fn, 1):.3f} F1 {f1(*held):.3f}")
    for threshold in LOSO_GRID:
        tp, fp, fn = (sum(c[i] for c in counts[threshold].values()) for i in range(3))
        print(f"  all sites at {threshold:+.1f}: P {tp / max(tp + fp, 1):.3f} "
              f"R {tp / max(tp + fn, 1):.3f} F1 {f1(tp, fp, fn):.3f}"
              + ("  (current)" if threshold == default else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--half", choices=("A", "B", "all"), default="all")
    parser.add_argument("--dataset", choices=sorted(DATASETS), action="append")
    parser.add_argument("--verbose", "-v", action="store_true")
    parser.add_argument("--loso", action="store_true",
                        help="leave-one-site-out cross validation of the score threshold")
    args = parser.parse_args()
    if args.loso:
        leave_one_site_out(args.shared)
        return 0
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
