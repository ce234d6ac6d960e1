"""A corrupt, truncated or read-only store (issue 13, defect 8): `status`, `export` and
`feeds` read it without writing; a broken one is one line naming the file and what to do,
exit status 4, and the file is never touched."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from aggregator.items import Article
from aggregator.store import DB_FILENAME, open_store
from tests.conftest import run_aggregator

COMMANDS = [["status"], ["export", "--output", "out.jsonl"],
            ["feeds", "--config", "demo", "--feeds-dir", "feeds"],
            ["crawl", "--config", "demo", "--feeds-dir", "feeds", "--source", "bytewire"]]


def _store(data: Path) -> Path:
    store = open_store(data)
    for i in range(30):
        url = f"https://ex.com/{i}"
        store.save_article(Article(url=url, canonical_url=url, title=f"Story {i}", source="s",
                                   body_text="Body text. " * 200, content_hash=str(i),
                                   fetched_at=datetime(2024, 5, 1, tzinfo=timezone.utc)))
    store.close()
    return data / DB_FILENAME


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_broken_store_is_one_clear_line_and_is_never_touched(
        tmp_path: Path, damage: str, command: list[str]) -> None:
    db = _store(tmp_path / "data")
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3] if damage == "truncated" else b"not a database")
    before = db.read_bytes()
    done = run_aggregator(*command, "--data-dir", str(tmp_path / "data"), cwd=tmp_path)
    assert done.returncode == 4, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and str(db.relative_to(tmp_path)) in lines[0] or str(db) in lines[0]
    assert "Traceback" not in done.stderr and "restore it from a backup" in lines[0]
    assert db.read_bytes() == before


def test_status_export_and_feeds_read_a_store_without_writing_it(tmp_path: Path) -> None:
    db = _store(tmp_path / "data")
    before = db.read_bytes()
    for command in COMMANDS[:3]:
        done = run_aggregator(*command, "--data-dir", str(tmp_path / "data"), cwd=tmp_path)
        assert done.returncode in (0, 1), done.stdout + done.stderr  # status: 1 = unhealthy
        assert "Traceback" not in done.stderr
    assert db.read_bytes() == before  # not a byte written (SQLite's WAL index aside)
    wal = db.with_name(db.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert db.exists() and (tmp_path / "out.jsonl").read_text().count("\n") == 30
