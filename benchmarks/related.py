"""Suggested-link quality on the two hand-labelled dev sets, split by site into two halves.

Run by hand (never a timed test)::

    .venv/bin/python benchmarks/related.py [--shared DIR] [--half A|B|all] [--verbose]
    .venv/bin/python benchmarks/related.py --loso   # the threshold, one site left out at a time
    .venv/bin/python benchmarks/related.py --half A --without-related [--verbose]

Each page goes through :func:`aggregator.extraction.extract` and the normalisation the crawl
applies (exactly what ``aggregator extract`` prints); the predicted ``related`` links are then
scored by each dataset's own ``related_score.py`` against its ``related.json``. Pages are split
into halves by *site* (the page URL's host for article-extraction-dev, the publisher for
fundus-dev) with a stable hash, so that no site is in both halves: the weights of
:func:`aggregator.extraction.related.link_score` were set looking at half A only; half B is
the check.

``--without-related`` measures links *invented* on pages without a related block, on far more
pages than the few of each half that have none: every page with labelled related links is
scored again with those links' blocks taken out of its HTML (:func:`without_related`), and
each link still predicted there is invented. A labelled link's block is the largest element
around it whose links are mostly labelled ones and whose other text is short next to theirs
(a list and its heading, a callout line, an embedded card; never the running text, where a
labelled link is unwrapped and its words kept), with a heading just before it. It prints
the pages with an invented link, the most on one page and the total (``--verbose``: which).
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

from lxml import etree, html

from aggregator.commands.extract import to_json
from aggregator.extraction import extract
from aggregator.extraction.decode import decode_body
from aggregator.extraction.dom import parse_html
from aggregator.extraction.linkblocks import absolute_url
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


def predict(pages: list[Page], bodies: dict[str, str] | None = None) -> tuple[list[dict], float]:
    """One prediction line a page, and the CPU seconds extraction took (``bodies``: a page's
    HTML by id, instead of its file)."""
    lines = []
    started = time.process_time()
    for page in pages:
        body = bodies[page.id] if bodies is not None and page.id in bodies \
            else gzip.decompress(page.path.read_bytes())
        result = extract(body, page.url)
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


def _scorer_module(scorer: Path):
    """The dataset's scorer as a module (for its URL normalisation)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("related_score", scorer)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_UNSEEN = ("script", "style", "noscript", "template")
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


def _word_count(el: etree._Element) -> int:
    """Visible words of ``el`` (scripts and styles left out)."""
    count = 0
    for node in el.iter():
        if node is not el and node.tag in _UNSEEN:
            continue
        if node.text and (node is el or node.getparent().tag not in _UNSEEN) \
                and node.tag not in _UNSEEN:
            count += len(node.text.split())
        if node is not el and node.tail:
            count += len(node.tail.split())
    return count


def without_related(text: str, url: str, labelled: set[str], norm) -> tuple[str, int]:
    """``text`` without the blocks of its labelled related links, and how many of ``labelled``
    (normalised URLs) have no link in it.

    From each link to a labelled URL, the block climbs to its parent while the parent's links
    are mostly labelled ones (other links' words at most a quarter of the labelled links') and its text
    besides links is at most 20 words more than three times theirs or 40 a labelled URL: a list
    with its heading and its cards' summaries, a callout line, an embedded card, but never the
    article's text. A heading
    just before the block goes with it. A link that could not climb (in running text) is
    unwrapped: its words stay.
    """
    tree = parse_html(text)
    if tree is None:
        return text, len(labelled)
    base_el = tree.find(".//base[@href]")
    base = absolute_url(url, base_el.get("href").strip()) if base_el is not None else url
    anchors: dict[etree._Element, bool] = {}  # an <a> -> whether it goes to a labelled URL
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:", "mailto:", "tel:")):
            anchors[a] = norm(absolute_url(base, href) or href) in labelled
    found = {norm(absolute_url(base, a.get("href").strip())) for a, ok in anchors.items() if ok}

    def counts(el: etree._Element) -> tuple[int, int, int, int]:
        """Words of its labelled links, of its other links, of the rest; labelled URLs."""
        mine = other = 0
        urls = set()
        for a in el.iter("a"):
            if a in anchors:
                words = max(_word_count(a), 1)
                if anchors[a]:
                    mine += words
                    urls.add(a.get("href"))
                else:
                    other += words
        return mine, other, _word_count(el) - mine - other, len(urls)

    tops: list[etree._Element] = []
    for a, ok in anchors.items():
        if not ok:
            continue
        el = a
        while True:
            parent = el.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            mine, other, rest, urls = counts(parent)
            if other > 0.25 * mine or rest > min(3 * mine, 40 * urls) + 20:
                break
            el = parent
        tops.append(el)
    known = set(tops)
    for el in dict.fromkeys(tops):
        if any(anc in known for anc in el.iterancestors()):
            continue
        if el.tag == "a" and (el.getparent() is not None and _word_count(el.getparent())
                              > 3 * max(_word_count(el), 1) + 20):
            el.drop_tag()  # a link in running text: its words are the article's
            continue
        before = el.getprevious()
        if before is not None and not isinstance(before, etree._Comment) and (
                before.tag in _HEADINGS or (
                    _word_count(before) <= 8 and before.find(".//a") is None
                    and any(h.tag in _HEADINGS for h in before.iter()))):
            before.drop_tree()
        el.drop_tree()
    return html.tostring(tree, encoding="unicode"), len(labelled - found)


def invented_without_related(scorer: Path, truth_path: Path, pages: list[Page],
                             verbose: bool) -> str:
    """Links predicted on the pages with labelled related links once those links' blocks are
    taken out of them (every one is invented): the pages with any, the most on one page."""
    norm = _scorer_module(scorer).norm_url
    truth = json.loads(truth_path.read_text())
    bodies: dict[str, str] = {}
    missing = labelled_count = 0
    for page in pages:
        entry = truth.get(page.id) or {}
        labelled = {norm(item["url"]) for item in entry.get("related", []) + entry.get("inline", [])}
        labelled.discard(norm(page.url))
        if not labelled:
            continue
        text = decode_body(gzip.decompress(page.path.read_bytes())).text
        bodies[page.id], lost = without_related(text, page.url, labelled, norm)
        missing += lost
        labelled_count += len(labelled)
    chosen = [page for page in pages if page.id in bodies]
    lines, seconds = predict(chosen, bodies)
    invented = []
    for page, line in zip(chosen, lines):
        links = {norm(link["url"]): link for link in line["related"]}
        links.pop(norm(page.url), None)
        if links:
            invented.append((page, list(links.values())))
    out = [f"{len(chosen)} pages with related links ({labelled_count} links, {missing} not "
           f"found in the HTML), their blocks taken out: links invented on {len(invented)} "
           f"pages, most on one page {max((len(x[1]) for x in invented), default=0)}, "
           f"{sum(len(x[1]) for x in invented)} in all"]
    if verbose:
        for page, links in invented:
            out.append(f"  {page.id} {page.url}")
            out.extend(f"     + {link['url']}  {link.get('title', '')!r}" for link in links)
    return "\n".join(out) + "\n"


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
    parser.add_argument("--without-related", action="store_true",
                        help="links invented once the labelled related blocks are taken out")
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
            if args.without_related:
                print(f"== {name} half {half}, related blocks taken out:")
                print(invented_without_related(scorer, folder / "related.json", chosen,
                                               args.verbose))
                continue
            lines, seconds = predict(chosen)
            print(f"== {name} half {half}: {len(chosen)} pages of "
                  f"{len({p.site for p in chosen})} sites, "
                  f"{len(chosen) / seconds:.1f} pages/s (CPU, extract + normalise)")
            print(score(scorer, folder / "related.json", lines, args.verbose))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
