"""Would a model trained on the dev labels beat the hand-weighted related-link score?

The issue allows either a hand-weighted score or a small model trained on the labels. This
compares the two the way the dev sets must be used: every candidate link of every page
(:func:`aggregator.extraction.linkblocks.link_candidates`, the features the hand score reads,
and the hand score itself as one more feature) is labelled from ``related.json`` (related and
inline links are true; popular and the rest false); a model is trained on the candidates of
one half of the sites and judged on the other half's pages, beside the hand score on the same
pages. Both ways round: A -> B and B -> A. Micro precision and recall are over the distinct
predicted URLs of each page, compared as ``related_score.py`` compares them (so they differ a
little from ``benchmarks/related.py``, which scores the whole extraction).

Needs scikit-learn (``pip install -e '.[bench]'``); the product does not.

    .venv/bin/python benchmarks/related_model.py
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from related import DATASETS, DEFAULT_SHARED, load_pages, site_half  # noqa: E402

from aggregator.extraction import extract, related  # noqa: E402

#: one candidate link: its URL, its features, its hand score, whether it is a true link
Candidate = tuple[str, dict[str, float], float, bool]


def candidates(shared: Path) -> list[tuple[str, str, list[Candidate], set[str]]]:
    """(dataset, half, candidates, true URLs) for every labelled page of both dev sets."""
    spec = importlib.util.spec_from_file_location(
        "related_score", shared / "datasets" / "article-extraction-dev" / "related_score.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    seen: list = []
    original = related.link_candidates

    def capturing(tree, url):
        found = original(tree, url)
        seen.append(found)
        return found

    related.link_candidates = capturing
    pages_out = []
    try:
        for name in DATASETS:
            folder = shared / "datasets" / name
            truth = json.loads((folder / "related.json").read_text())
            for page in load_pages(name, folder):
                labels = truth.get(page.id) or truth.get(page.url)
                if labels is None:
                    continue
                true = {scorer.norm_url(x["url"] if isinstance(x, dict) else x)
                        for x in (labels.get("related") or []) + (labels.get("inline") or [])}
                seen.clear()
                extract(gzip.decompress(page.path.read_bytes()), page.url)
                rows = [(c.url, c.features, related.link_score(c.features),
                         scorer.norm_url(c.url) in true) for c in (seen[-1] if seen else [])]
                pages_out.append((name, site_half(page.site),
                                  [(scorer.norm_url(u), f, s, y) for u, f, s, y in rows], true))
    finally:
        related.link_candidates = original
    return pages_out


def judge(pages, keep) -> dict[str, tuple[int, int, int]]:
    """(true positives, false positives, false negatives) per dataset: a page's predicted set
    is the distinct URLs of the candidates ``keep`` accepts."""
    totals: dict[str, list[int]] = {}
    for name, _, cands, true in pages:
        predicted = {url for url, f, s, _ in cands if keep(f, s)}
        total = totals.setdefault(name, [0, 0, 0])
        total[0] += len(predicted & true)
        total[1] += len(predicted - true)
        total[2] += len(true - predicted)
    return {name: tuple(t) for name, t in totals.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = parser.parse_args()
    try:
        import numpy as np
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        print("benchmarks/related_model.py needs scikit-learn: pip install -e '.[bench]'",
              file=sys.stderr)
        return 2
    logging.disable(logging.WARNING)
    pages = candidates(args.shared)
    keys = sorted({k for _, _, cands, _ in pages for _, f, _, _ in cands for k in f})

    def vector(f: dict[str, float], hand: float) -> list[float]:
        return [min(float(f.get(k, 0.0)), 30.0) for k in keys] + [hand]

    def line(label: str, counts: dict[str, tuple[int, int, int]]) -> None:
        parts = []
        for name in DATASETS:
            tp, fp, fn = counts.get(name, (0, 0, 0))
            parts.append(f"{name} P {tp / max(tp + fp, 1):.3f} R {tp / max(tp + fn, 1):.3f}")
        print(f"  {label:42s} " + "   ".join(parts))

    for train, test in (("A", "B"), ("B", "A")):
        fit = [p for p in pages if p[1] == train]
        held = [p for p in pages if p[1] == test]
        x = np.array([vector(f, s) for *_, cands, _ in fit for _, f, s, _ in cands])
        y = np.array([label for *_, cands, _ in fit for *_, label in cands])
        models = {
            "logistic regression (C=0.1)": LogisticRegression(C=0.1, max_iter=3000),
            "gradient-boosted trees": HistGradientBoostingClassifier(
                max_iter=200, max_leaf_nodes=15, random_state=0),
        }
        print(f"trained on half {train} ({len(y)} candidates, {int(y.sum())} true), "
              f"judged on half {test}:")
        line(f"hand score >= {related.THRESHOLD}", judge(held, lambda f, s: s >= related.THRESHOLD))
        for label, model in models.items():
            model.fit(x, y)
            proba = {id(f): p for (*_, f, s, _), p in zip(
                (c for *_, cands, _ in held for c in cands),
                model.predict_proba(np.array(
                    [vector(f, s) for *_, cands, _ in held for _, f, s, _ in cands]))[:, 1])}
            line(f"{label}, p >= 0.5", judge(held, lambda f, s: proba[id(f)] >= 0.5))
            line(f"hand and {label.split(' (')[0]} p >= 0.2",
                 judge(held, lambda f, s: s >= related.THRESHOLD and proba[id(f)] >= 0.2))
            line(f"hand or {label.split(' (')[0]} p >= 0.9",
                 judge(held, lambda f, s: s >= related.THRESHOLD or proba[id(f)] >= 0.9))
    return 0


if __name__ == "__main__":
    sys.exit(main())
