"""Mistakes on the command line are one line naming the input, never a traceback (issue 14,
point 5), and the command line's basics (point 10): --version, help text without reST markup,
export's format from the file name, output permissions, warnings for an unknown source."""

from __future__ import annotations

import csv
import json
import os
import stat
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from aggregator.cli import COMMANDS
from aggregator.items import Article
from aggregator.runlock import crawl_lock
from aggregator.store import open_store
from tests.conftest import REPO, run_aggregator

BAD_SELECTOR = """
[[sources]]
name = "x"
home = "http://127.0.0.1:9/"
[sources.rules]
title = "h1[[["
"""


def _one_clear_line(done: subprocess.CompletedProcess, code: int, *needles: str) -> str:
    assert done.returncode == code, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines, done.stdout
    for needle in needles:
        assert needle in done.stderr, done.stderr
    return lines[-1]


def _store(data: Path, sources: tuple[str, ...] = ("s",)) -> None:
    store = open_store(data)
    for source in sources:
        for i in range(3):
            url = f"https://{source}.example/{i}"
            store.save_article(Article(
                url=url, canonical_url=url, title=f"Story {i}", source=source,
                body_text="Body text. " * 50, content_hash=f"{source}{i}",
                fetched_at=datetime(2024, 5, 1, tzinfo=timezone.utc)))
        store.save_source(source, source, f"https://{source}.example/")
        store.finish_run(store.start_run(source), {"aggregator/store/new": 3}, True)
    store.close()


# --- point 5: messages, not tracebacks ------------------------------------------------

@pytest.mark.parametrize("command", [["sources"], ["crawl", "--data-dir", "d", "--feeds-dir", "f"],
                                     ["feeds", "--data-dir", "d", "--feeds-dir", "f"],
                                     ["status", "--data-dir", "d"]], ids=lambda c: c[0])
def test_an_invalid_selector_in_the_rules_is_a_config_error(tmp_path: Path,
                                                             command: list[str]) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(BAD_SELECTOR, "utf-8")
    _store(tmp_path / "d")
    done = run_aggregator(*command, "--config", str(config), cwd=tmp_path)
    line = _one_clear_line(done, 2, "bad.toml: source 'x'", "'title'", "h1[[[")
    assert line.startswith(f"aggregator {command[0]}: ")


def test_demo_while_a_crawl_holds_the_lock_says_so(tmp_path: Path) -> None:
    with crawl_lock(tmp_path / "data"):
        done = run_aggregator("demo", "--data-dir", str(tmp_path / "data"),
                              "--feeds-dir", str(tmp_path / "feeds"), cwd=tmp_path)
    _one_clear_line(done, 3, "another crawl is running", "crawl.lock")
    assert not (tmp_path / "feeds").exists()


@pytest.mark.parametrize("args, needle", [
    (["feeds", "--limit", "-1"], "--limit"),
    (["feeds", "--limit", "0"], "--limit"),
    (["serve", "--port", "99999"], "--port"),
    (["serve", "--port", "-1"], "--port"),
    (["serve", "--max-age", "-5"], "--max-age"),
    (["schedule", "--every", "1h", "--max-runs", "-2"], "--max-runs"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_an_out_of_range_option_names_the_option(tmp_path: Path, args: list[str],
                                                 needle: str) -> None:
    _store(tmp_path / "data")
    done = run_aggregator(*args, "--data-dir", str(tmp_path / "data"), cwd=tmp_path)
    line = _one_clear_line(done, 2, needle)
    assert "feed_limit" not in done.stderr  # a config key the user never set
    assert args[-1] in line


def test_scrapy_crawl_of_an_unknown_source_is_a_usage_error(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-m", "scrapy.cmdline", "crawl", "news", "-a", "source=UNKNOWN",
         "-s", f"AGGREGATOR_DATA_DIR={tmp_path / 'data'}",
         "-s", f"AGGREGATOR_FEEDS_DIR={tmp_path / 'feeds'}"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "no source named 'UNKNOWN'" in done.stderr and "arstechnica" in done.stderr
    assert not (tmp_path / "data").exists()


def test_scrapy_crawl_of_a_missing_config_is_a_usage_error(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-m", "scrapy.cmdline", "crawl", "news", "-a", "source=a",
         "-a", f"config={tmp_path / 'nope.toml'}"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "nope.toml" in done.stderr


# --- point 10: the basics -----------------------------------------------------------

def test_version() -> None:
    done = run_aggregator("--version", cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("aggregator ") and done.stdout.split()[1][0].isdigit()


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_no_rest_markup(command: str) -> None:
    done = run_aggregator(command, "--help", cwd=REPO)
    assert done.returncode == 0, done.stderr
    for markup in ("``", ":mod:", ":class:", ":func:", ":data:"):
        assert markup not in done.stdout, (markup, done.stdout)


@pytest.mark.parametrize("name, kind", [("x.json", "json"), ("x.csv", "csv"),
                                        ("x.jsonl", "jsonl"), ("x.ndjson", "jsonl")])
def test_export_takes_the_format_from_the_file_name(tmp_path: Path, name: str,
                                                    kind: str) -> None:
    _store(tmp_path / "data")
    done = run_aggregator("export", "-o", name, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / name).read_text("utf-8")
    if kind == "json":
        assert len(json.loads(text)) == 3
    elif kind == "jsonl":
        assert [json.loads(line)["title"] for line in text.splitlines()] == [
            "Story 0", "Story 1", "Story 2"]
    else:
        assert len(list(csv.DictReader(text.splitlines()))) == 3
        assert (tmp_path / f"{name}.links.csv").is_file()


def test_export_an_explicit_format_wins_over_the_file_name(tmp_path: Path) -> None:
    _store(tmp_path / "data")
    done = run_aggregator("export", "--format", "jsonl", "-o", "x.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len((tmp_path / "x.json").read_text("utf-8").splitlines()) == 3


def test_export_files_get_normal_permissions(tmp_path: Path) -> None:
    _store(tmp_path / "data")
    done = run_aggregator("export", "--format", "csv", "-o", "out/x.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    umask = os.umask(0)
    os.umask(umask)
    for path in (tmp_path / "out/x.csv", tmp_path / "out/x.csv.links.csv"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path


def test_export_of_an_unknown_source_warns(tmp_path: Path) -> None:
    _store(tmp_path / "data", ("alpha", "beta"))
    done = run_aggregator("export", "--source", "nosuch", "-o", "x.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "warning" in done.stderr and "'nosuch'" in done.stderr
    assert "alpha" in done.stderr and "beta" in done.stderr
    known = run_aggregator("export", "--source", "alpha", "-o", "y.jsonl", cwd=tmp_path)
    assert "warning" not in known.stderr
    assert len((tmp_path / "y.jsonl").read_text().splitlines()) == 3


def test_csv_to_standard_output_says_where_the_links_went(tmp_path: Path) -> None:
    _store(tmp_path / "data")
    done = run_aggregator("export", "--format", "csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(list(csv.DictReader(done.stdout.splitlines()))) == 3
    assert "links" in done.stderr and "--output" in done.stderr


def test_scrapy_list_names_the_news_spider() -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-m", "scrapy.cmdline", "list"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["news"]
