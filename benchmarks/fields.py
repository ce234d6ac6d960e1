"""Article fields on fundus-dev against trafilatura, split by publisher into two halves.

Run by hand (never a timed test)::

    .venv/bin/python benchmarks/fields.py [--shared DIR] [--half A|B|all] [--worst FIELD N]
                                          [--keep DIR] [--strip-metadata] [--rounds N]

Each page goes through :func:`aggregator.extraction.extract` and the normalisation the crawl
applies (what ``aggregator extract`` prints), and through trafilatura's ``bare_extraction`` with
metadata and a date format that keeps the time, one after the other in this process. Both
predictions are scored by the dataset's own ``score.py`` (one column each). Pages are split by
publisher with the same stable hash as ``benchmarks/related.py``: fixes were made looking at
half A; half B is the check. Speed is pages per CPU second of each tool over the same pages in
the same run, reading and decompressing the file excluded, and their ratio. One pass moves by
10% or more on a shared machine; ``--rounds N`` times N - 1 more passes of both tools over the
same pages, in alternating order, and prints each round's ratio; the half's line then gives
the round with the median ratio.

``--strip-metadata`` first removes what a page declares about itself -- JSON-LD scripts, every
``<meta>`` but the charset, and the ``itemprop``/``itemscope``/``itemtype``/``property``
attributes -- so that the fallback layers (visible headline, byline, dateline, page kind) are
scored on their own, for both tools (the pages are re-serialised as UTF-8 text).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import trafilatura

from aggregator.commands.extract import to_json
from aggregator.extraction import extract
from aggregator.items import Article
from aggregator.normalize import normalize_article

sys.path.insert(0, str(Path(__file__).resolve().parent))
from related import DEFAULT_SHARED, Page, load_pages, site_half  # noqa: E402


def strip_metadata(html: bytes) -> bytes:
    """The page without its JSON-LD, meta tags (but the charset) and microdata/RDFa
    attributes, as UTF-8."""
    from lxml import etree, html as lxml_html

    from aggregator.extraction.decode import decode_body

    tree = lxml_html.fromstring(decode_body(html, None).text)
    for el in list(tree.iter("script", "meta")):
        if el.tag == "script" and (el.get("type") or "").lower() != "application/ld+json":
            continue
        if el.tag == "meta" and el.get("charset") is not None:
            continue
        if el.getparent() is not None:
            el.drop_tree()
    for el in tree.iter(etree.Element):
        for name in ("itemprop", "itemscope", "itemtype", "property"):
            el.attrib.pop(name, None)
    return b'<meta charset="utf-8">' + lxml_html.tostring(tree, encoding="utf-8")


def ours(html: bytes, page: Page) -> dict:
    """What ``aggregator extract`` prints for the page, as a ``score.py`` line."""
    result = extract(html, page.url)
    if isinstance(result, Article):
        result = normalize_article(result)
    record = to_json(result)
    record["id"] = page.id
    return record


def theirs(html: bytes, page: Page) -> dict:
    """trafilatura 2.x with metadata, as a ``score.py`` line."""
    doc = trafilatura.bare_extraction(html, url=page.url,
                                      with_metadata=True, date_extraction_params={
                                          "extensive_search": True, "original_date": True,
                                          "outputformat": "%Y-%m-%dT%H:%M:%S%z"})
    if doc is None:
        return {"id": page.id, "dropped": True}
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    authors = [a.strip() for a in (data.get("author") or "").split(";") if a.strip()]
    return {"id": page.id, "title": data.get("title"), "authors": authors,
            "published": data.get("date"), "body_text": data.get("text"),
            "tags": list(data.get("tags") or [])}


def run(tool, pages: list[Page], htmls: dict[str, bytes]) -> tuple[list[dict], float]:
    """One line a page and the CPU seconds the tool took over all of them."""
    lines, spent = [], 0.0
    for page in pages:
        started = time.process_time()
        try:
            line = tool(htmls[page.id], page)
        except Exception as error:  # noqa: BLE001 - a crash is a figure, not a stop
            line = {"id": page.id, "dropped": f"{type(error).__name__}: {error}"}
        spent += time.process_time() - started
        lines.append(line)
    return lines, spent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--half", choices=("A", "B", "all"), default="all")
    parser.add_argument("--worst", nargs=2, metavar=("FIELD", "N"))
    parser.add_argument("--keep", type=Path, help="write the prediction files here")
    parser.add_argument("--strip-metadata", action="store_true",
                        help="remove JSON-LD, meta tags and microdata first (fallback layers)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="time both tools this many times, in alternating order")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    folder = args.shared / "datasets" / "fundus-dev"
    pages = load_pages("fundus-dev", folder)
    htmls = {page.id: gzip.decompress(page.path.read_bytes()) for page in pages}
    if args.strip_metadata:
        htmls = {key: strip_metadata(html) for key, html in htmls.items()}
    for page in pages[:3]:  # warm both tools (imports, compiled patterns)
        ours(htmls[page.id], page), theirs(htmls[page.id], page)
    halves = ("A", "B") if args.half == "all" else (args.half,)
    totals = [0, 0.0, 0.0]  # pages, our CPU seconds, theirs
    for half in halves:
        chosen = [p for p in pages if site_half(p.site) == half]
        our_lines, our_cpu = run(ours, chosen, htmls)
        their_lines, their_cpu = run(theirs, chosen, htmls)
        rounds = [(our_cpu, their_cpu)]
        for turn in range(1, args.rounds):  # timing only: the predictions are the same
            if turn % 2:
                their_cpu, our_cpu = run(theirs, chosen, htmls)[1], run(ours, chosen, htmls)[1]
            else:
                our_cpu, their_cpu = run(ours, chosen, htmls)[1], run(theirs, chosen, htmls)[1]
            rounds.append((our_cpu, their_cpu))
        if len(rounds) > 1:
            print(f"   speed ratio (trafilatura CPU / ours) in {len(rounds)} rounds: "
                  + ", ".join(f"{theirs_ / ours_:.2f}" for ours_, theirs_ in rounds)
                  + " (the median round below)")
            # the round with the median ratio (the lower of the middle two, for an even count)
            our_cpu, their_cpu = sorted(rounds, key=lambda r: r[1] / r[0])[(len(rounds) - 1) // 2]
        totals[0] += len(chosen)
        totals[1] += our_cpu
        totals[2] += their_cpu
        print(f"== fundus-dev half {half}: {len(chosen)} pages of {len({p.site for p in chosen})}"
              f" publishers; aggregator {len(chosen) / our_cpu:.1f} pages/s CPU, trafilatura "
              f"{len(chosen) / their_cpu:.1f} pages/s ({their_cpu / our_cpu:.2f}x)")
        with tempfile.TemporaryDirectory() as tmp:
            out = args.keep or Path(tmp)
            out.mkdir(parents=True, exist_ok=True)
            files = []
            for name, lines in (("aggregator", our_lines), ("trafilatura", their_lines)):
                path = out / f"{name}-{half}.jsonl"
                path.write_text("".join(json.dumps(line, ensure_ascii=False, default=str) + "\n"
                                        for line in lines))
                files.append(str(path))
            expected = json.loads((folder / "expected.json").read_text())
            subset = out / f"expected-{half}.json"
            subset.write_text(json.dumps({p.id: expected[p.id] for p in chosen}))
            cmd = [sys.executable, str(folder / "score.py"), "--expected", str(subset), *files]
            if args.worst:
                cmd[-1:] = ["--worst", *args.worst]
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            print(done.stdout + done.stderr)
    if len(halves) > 1:
        print(f"== all {totals[0]} pages: aggregator {totals[0] / totals[1]:.1f} pages/s CPU, "
              f"trafilatura {totals[0] / totals[2]:.1f} pages/s ({totals[2] / totals[1]:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
