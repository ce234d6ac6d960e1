"""`aggregator status`'s exit status and --json (issue 14, points 7 and 10): non-zero when
the last run was interrupted, when a source never succeeded or never ran, when feed entries
were rejected, and when there is no store; a run still going (the crawl lock held) is not
an interruption."""

from __future__ import annotations

import json
from pathlib import Path

from aggregator.runlock import crawl_lock
from aggregator.store import open_store
from tests.conftest import run_aggregator

OK_STATS = {"response_received_count": 5, "aggregator/store/new": 2,
            "aggregator/incremental/leaf_not_modified": 3, "finish_reason": "finished"}


def _runs(data: Path, *runs: tuple[str, bool | None, dict]) -> None:
    """Record runs: (source, ok or None for a run that never finished, stats)."""
    store = open_store(data)
    for source, ok, stats in runs:
        store.save_source(source, source, f"https://{source}.example/")
        run_id = store.start_run(source)
        if ok is not None:
            store.finish_run(run_id, stats, ok, "" if ok else "http://x/: HTTP 503")
    store.close()


def _status(tmp_path: Path, *args: str) -> tuple[int, str, dict]:
    text = run_aggregator("status", "--data-dir", "data", *args, cwd=tmp_path)
    as_json = run_aggregator("status", "--data-dir", "data", "--json", *args, cwd=tmp_path)
    assert "Traceback" not in text.stderr + as_json.stderr
    assert text.returncode == as_json.returncode, (text.stdout, as_json.stdout)
    return text.returncode, text.stdout + text.stderr, json.loads(as_json.stdout or "null")


def test_healthy_sources_exit_0_and_json_counts_unchanged_like_the_text(tmp_path: Path) -> None:
    _runs(tmp_path / "data", ("a", True, OK_STATS), ("b", True, OK_STATS))
    code, text, data = _status(tmp_path)
    assert code == 0, text
    assert "unchanged 3 (not re-parsed 3)" in text
    assert data["healthy"] is True and [s["name"] for s in data["sources"]] == ["a", "b"]
    first = data["sources"][0]
    assert first["state"] == "ok" and first["warnings"] == []
    assert first["last_run"]["new"] == 2 and first["last_run"]["unchanged"] == 3
    assert first["last_run"]["not_reparsed"] == 3 and first["last_success"] is not None


def test_an_interrupted_last_run_exits_1(tmp_path: Path) -> None:
    _runs(tmp_path / "data", ("a", True, OK_STATS), ("a", None, {}))
    code, text, data = _status(tmp_path)
    assert code == 1, text
    assert "INTERRUPTED" in text
    assert data["sources"][0]["state"] == "interrupted" and data["healthy"] is False


def test_a_run_still_going_is_not_an_interruption(tmp_path: Path) -> None:
    _runs(tmp_path / "data", ("a", True, OK_STATS), ("a", None, {}))
    with crawl_lock(tmp_path / "data"):
        code, text, data = _status(tmp_path)
    assert code == 0, text
    assert "RUNNING" in text and data["sources"][0]["state"] == "running"
    assert isinstance(data["crawl_running"], int)


def test_a_source_that_never_succeeded_exits_1(tmp_path: Path) -> None:
    _runs(tmp_path / "data", ("a", True, OK_STATS), ("b", None, {}), ("b", False, {}))
    code, text, data = _status(tmp_path)
    assert code == 1, text
    assert "never crawled successfully" in text
    b = data["sources"][1]
    assert b["state"] == "failed" and "never crawled successfully" in b["warnings"]


def test_a_source_of_the_config_that_never_ran_exits_1(tmp_path: Path) -> None:
    _runs(tmp_path / "data", ("bytewire", True, OK_STATS), ("circuitdaily", True, OK_STATS))
    assert _status(tmp_path, "--config", "demo")[0] == 0
    config = tmp_path / "more.toml"
    config.write_text('[[sources]]\nname = "bytewire"\nhome = "https://bytewire.example/"\n'
                      '[[sources]]\nname = "newcomer"\nhome = "https://newcomer.example/"\n')
    code, text, data = _status(tmp_path, "--config", str(config))
    assert code == 1, text
    assert "newcomer: never crawled" in text
    assert {s["name"]: s["state"] for s in data["sources"]}["newcomer"] == "never crawled"


def test_rejected_feed_entries_are_a_warning(tmp_path: Path) -> None:
    stats = {**OK_STATS, "aggregator/feeds/rejected_count": 1,
             "aggregator/feeds/rejected": ["https://a.example/x: title: control character"
                                           " '\\x01' (feeds: a.rss, all.rss)"]}
    _runs(tmp_path / "data", ("a", True, stats))
    code, text, data = _status(tmp_path)
    assert code == 1, text
    assert "1 entries rejected" in text and "https://a.example/x: title" in text
    assert data["feeds"]["rejected"] == 1 and len(data["feeds"]["entries"]) == 1


def test_a_missing_store_exits_2_and_creates_nothing(tmp_path: Path) -> None:
    code, text, data = _status(tmp_path)
    assert code == 2 and "no store at data/aggregator.sqlite3" in text
    assert data is None and not (tmp_path / "data").exists()
