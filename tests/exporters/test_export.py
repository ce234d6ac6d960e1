"""``aggregator export``: JSONL round-trips to the store, every record fits the shipped
JSON Schema, CSV has a links file, filters select what they say."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jsonschema
import pytest

from aggregator.exporters.data import article_record, load_schema, record_article
from tests.conftest import run_aggregator
from tests.exporters.synthetic import filled_store, make_article


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("export")
    store = filled_store(tmp, 6)
    # one with no image, no date, no links and odd text; one updated to version 2
    store.save_article(make_article(20, "beta", image=None, published=None, related=[],
                                    title='Quote " comma, newline\nand ünïcode'))
    store.save_article(make_article(2, "alpha", content_hash="v2", body_text="New body."))
    store.close()
    return tmp


def export(data_dir: Path, tmp: Path, *args: str) -> str:
    result = run_aggregator("export", "--data-dir", str(data_dir), *args, cwd=tmp)
    assert result.returncode == 0, result.stderr
    assert "exported" in result.stderr
    return result.stdout


def test_jsonl_round_trips_to_the_store(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "articles.jsonl"
    assert export(data_dir, tmp_path, "--output", str(out)) == ""
    lines = out.read_text("utf-8").splitlines()
    from aggregator.store.sqlite import SQLiteStore

    store = SQLiteStore(data_dir / "aggregator.sqlite3")
    try:
        stored = {s.article.canonical_url: s for s in store.iter_stored()}
        assert len(lines) == len(stored) == 7
        for line in lines:
            record = json.loads(line)
            original = stored[record["canonical_url"]]
            assert record == article_record(original)
            assert record_article(record) == original.article
        assert json.loads(lines[-1])["title"].startswith("Quote")  # oldest first; undated last
    finally:
        store.close()


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_every_record_is_valid_against_the_schema(data_dir: Path, tmp_path: Path,
                                                  fmt: str) -> None:
    text = export(data_dir, tmp_path, "--format", fmt)
    items = json.loads(text) if fmt == "json" else [json.loads(x) for x in text.splitlines()]
    assert len(items) == 7
    validator = jsonschema.Draft202012Validator(load_schema())
    for item in items:
        validator.validate(item)
    versions = {i["canonical_url"].split("/")[-1]: i["version"] for i in items}
    assert versions["00002-story"] == 2
    nested = [i for i in items if i["related"]]
    assert nested and nested[0]["related"][0]["position"] == 1


def test_schema_rejects_a_broken_record(data_dir: Path, tmp_path: Path) -> None:
    record = json.loads(export(data_dir, tmp_path).splitlines()[0])
    validator = jsonschema.Draft202012Validator(load_schema())
    for broken in ({**record, "published": "yesterday"}, {**record, "extra": 1},
                   {k: v for k, v in record.items() if k != "title"}):
        assert not validator.is_valid(broken)


def test_csv_writes_articles_and_link_edges(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "articles.csv"
    export(data_dir, tmp_path, "--format", "csv", "--output", str(out))
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 7
    odd = [r for r in rows if r["title"].startswith("Quote")][0]
    assert odd["title"] == 'Quote " comma, newline\nand ünïcode'
    assert odd["image_url"] == "" and odd["published"] == ""
    with Path(f"{out}.links.csv").open(newline="", encoding="utf-8") as fh:
        links = list(csv.DictReader(fh))
    assert len(links) == sum(int(r["related_count"]) for r in rows) == 12
    first = [link for link in links if link["article_url"].endswith("00000-story")]
    assert [(link["position"], link["url"].split("/")[-1]) for link in first] == [
        ("1", "00001-story"), ("2", "00002-story")]


def test_filters_by_source_and_dates(data_dir: Path, tmp_path: Path) -> None:
    def ids(*args: str) -> list[str]:
        return [json.loads(x)["canonical_url"].split("/")[-1][:5]
                for x in export(data_dir, tmp_path, *args).splitlines()]

    assert ids("--source", "alpha") == ["00000", "00002", "00004"]
    # article i is published 2024-03-01T08:00Z + i hours
    assert ids("--since", "2024-03-01T10:00:00Z", "--until", "2024-03-01T12:00:00+00:00") == [
        "00002", "00003"]
    assert ids("--until", "2024-03-01") == []


def test_bad_date_and_missing_store_are_clear_errors(tmp_path: Path) -> None:
    bad = run_aggregator("export", "--since", "last week", cwd=tmp_path)
    assert bad.returncode == 2 and "not an ISO 8601 date" in bad.stderr
    missing = run_aggregator("export", "--data-dir", str(tmp_path / "nothing"), cwd=tmp_path)
    assert missing.returncode == 2 and "no store at" in missing.stderr
    assert not (tmp_path / "nothing").exists()
