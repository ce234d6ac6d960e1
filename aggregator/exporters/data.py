"""Article records for analysts: one JSON-able dict per article (the shape of
``aggregator/schema/article.schema.json``), streamed from the store as JSON Lines, a
JSON array or CSV (plus a CSV of suggested-link edges), in constant memory.

>>> from aggregator.items import Article
>>> from aggregator.store import StoredArticle
>>> from datetime import datetime, timezone
>>> t = datetime(2024, 1, 2, tzinfo=timezone.utc)
>>> record = article_record(StoredArticle(Article(url="https://x.example/a", title="A",
...     canonical_url="https://x.example/a"), first_seen=t, updated_at=t, version=1))
>>> record["first_seen"], record["related"]
('2024-01-02T00:00:00Z', [])
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from importlib import resources
from typing import IO, Any

from aggregator.items import Article, LeadImage, RelatedLink
from aggregator.store import StoredArticle

SCHEMA_RESOURCE = "schema/article.schema.json"
FORMATS = ("jsonl", "json", "csv")

#: the CSV columns of the articles file; lists are joined with LIST_SEPARATOR
CSV_COLUMNS = [
    "canonical_url", "url", "source", "title", "summary", "authors", "published", "modified",
    "source_offset", "language", "tags", "image_url", "image_caption", "image_credit",
    "body_text", "content_hash", "flags", "fetched_at", "first_seen", "updated_at", "version",
    "related_count",
]
#: the CSV columns of the links file: one suggested-link edge per row; ``target_url`` is the
#: canonical URL of the stored article the link points at (empty when not stored)
LINK_COLUMNS = ["article_url", "position", "url", "title", "internal", "target_url"]
LIST_SEPARATOR = "; "


def load_schema() -> dict[str, Any]:
    """The JSON Schema of one exported article record (shipped with the package)."""
    text = resources.files("aggregator").joinpath(SCHEMA_RESOURCE).read_text("utf-8")
    return json.loads(text)


def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def article_record(stored: StoredArticle) -> dict[str, Any]:
    a = stored.article
    return {
        "canonical_url": a.canonical_url or a.url,
        "url": a.url,
        "source": a.source,
        "title": a.title,
        "summary": a.summary,
        "authors": list(a.authors),
        "published": _time(a.published),
        "modified": _time(a.modified),
        "date_sources": dict(a.date_sources),
        "source_offset": a.source_offset,
        "language": a.language,
        "tags": list(a.tags),
        "image": None if a.image is None else {
            "url": a.image.url, "caption": a.image.caption, "credit": a.image.credit},
        "body_text": a.body_text,
        "body_html": a.body_html,
        "content_hash": a.content_hash,
        "flags": list(a.flags),
        "fetched_at": _time(a.fetched_at),
        "first_seen": _time(stored.first_seen),
        "updated_at": _time(stored.updated_at),
        "version": stored.version,
        "related": [{"position": link.position or i, "url": link.url, "title": link.title,
                     "internal": link.internal, "article_url": link.article_url}
                    for i, link in enumerate(a.related, start=1)],
    }


def record_article(record: dict[str, Any]) -> Article:
    """The :class:`Article` of an exported record (the inverse of :func:`article_record`)."""
    image = record.get("image")
    return Article(
        url=record["url"], canonical_url=record["canonical_url"], source=record["source"],
        title=record["title"], summary=record["summary"], authors=list(record["authors"]),
        published=_parse_time(record["published"]), modified=_parse_time(record["modified"]),
        date_sources=dict(record["date_sources"]), source_offset=record["source_offset"],
        language=record["language"], tags=list(record["tags"]),
        image=LeadImage(**image) if image else None, body_text=record["body_text"],
        body_html=record["body_html"], content_hash=record["content_hash"],
        flags=list(record["flags"]), fetched_at=_parse_time(record["fetched_at"]),
        related=[RelatedLink(url=r["url"], title=r["title"], position=r["position"],
                             internal=r["internal"], article_url=r["article_url"])
                 for r in record["related"]],
    )


def records(stored: Iterable[StoredArticle]) -> Iterator[dict[str, Any]]:
    return (article_record(s) for s in stored)


def write_jsonl(items: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """One record per line; returns how many."""
    count = 0
    for record in items:
        out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def write_json(items: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """A JSON array, written one record at a time (never held whole in memory)."""
    count = 0
    out.write("[")
    for record in items:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    image = record["image"] or {}
    row = {key: record.get(key) for key in CSV_COLUMNS if key in record}
    for key in ("authors", "tags", "flags"):
        row[key] = LIST_SEPARATOR.join(record[key])
    row.update(image_url=image.get("url", ""), image_caption=image.get("caption", ""),
               image_credit=image.get("credit", ""), related_count=len(record["related"]))
    return row


def write_csv(items: Iterable[dict[str, Any]], out: IO[str], links: IO[str] | None = None) -> int:
    """Articles as CSV rows (body text, no HTML); their suggested links as rows of ``links``."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    link_writer = None
    if links is not None:
        link_writer = csv.DictWriter(links, fieldnames=LINK_COLUMNS)
        link_writer.writeheader()
    count = 0
    for record in items:
        writer.writerow(csv_row(record))
        if link_writer is not None:
            for link in record["related"]:
                link_writer.writerow({
                    "article_url": record["canonical_url"], "position": link["position"],
                    "url": link["url"], "title": link["title"], "internal": int(link["internal"]),
                    "target_url": link["article_url"] or ""})
        count += 1
    return count
