"""Where normalisation's milliseconds go: every per-article step and the story grouping,
timed on the demo sites' article pages (extracted first, not timed).

    .venv/bin/python benchmarks/normalize.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timezone

from aggregator.demo import site_root
from aggregator.extraction import extract
from aggregator.items import Article
from aggregator.normalize import STEPS, NormalizeOptions, dedup


def demo_articles() -> list[Article]:
    articles = []
    for page in sorted(site_root().glob("*/**/*.htm*")):
        host = page.relative_to(site_root()).parts[0]
        path = "/".join(page.relative_to(site_root() / host).parts)
        url = f"http://{host}/{path.removesuffix('index.html')}"
        result = extract(page.read_bytes(), url)
        if isinstance(result, Article):
            result.fetched_at = datetime.now(timezone.utc)
            articles.append(result)
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    import copy
    articles = demo_articles()
    options = NormalizeOptions(timezone="Asia/Hong_Kong")
    totals = {name: 0.0 for name, _ in STEPS}
    totals["stories"] = 0.0
    runs = 0
    for _ in range(args.repeat):
        index = dedup.StoryIndex()
        for original in articles:
            article = copy.deepcopy(original)
            for name, step in STEPS:
                started = time.perf_counter()
                step(article, options)
                totals[name] += time.perf_counter() - started
            started = time.perf_counter()
            sig = dedup.signature(article.body_text)
            if sig is not None:
                index.best_match(sig)
                index.add(article.canonical_url, sig)
            totals["stories"] += time.perf_counter() - started
            runs += 1
    print(f"{len(articles)} demo articles x {args.repeat}: ms per article")
    for name, seconds in totals.items():
        print(f"  {name:<8} {seconds / runs * 1000:7.3f}")
    print(f"  {'total':<8} {sum(totals.values()) / runs * 1000:7.3f}")


if __name__ == "__main__":
    main()
