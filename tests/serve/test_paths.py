"""Path safety: what a request target may name inside the feeds folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aggregator.serve.paths import AddSlash, NotFound, resolve_file, safe_relative_path


@pytest.mark.parametrize("target, expected", [
    ("/", ""),
    ("/all.rss", "all.rss"),
    ("/all.rss?since=1#x", "all.rss"),
    ("/topics/ai.rss", "topics/ai.rss"),
    ("/topics/", "topics/"),
    ("/caf%C3%A9.rss", "café.rss"),
    ("http://example.org/all.rss", "all.rss"),
])
def test_safe_targets(target: str, expected: str) -> None:
    assert safe_relative_path(target) == expected


@pytest.mark.parametrize("target", [
    "/../etc/passwd", "/a/../../etc/passwd", "/..", "/.",
    "/%2e%2e/etc/passwd", "/%2E%2E%2Fetc%2Fpasswd", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/%252e%252e/etc/passwd", "/%252e%252e%252fetc%252fpasswd",
    "/..\\..\\etc\\passwd", "/%5c..%5cetc%5cpasswd", "/a\\b",
    "/all.rss%00.html", "/all.rss\x00", "/%0a",
    "//etc/passwd", "etc/passwd", "", "*",
    "/.hidden", "/.all.rss.abc.tmp", "/%ff%fe",
    "http://example.org/../etc/passwd",
])
def test_unsafe_targets(target: str) -> None:
    assert safe_relative_path(target) is None


def test_resolve_file_inside_and_outside(tmp_path: Path) -> None:
    root = tmp_path / "feeds"
    (root / "sub").mkdir(parents=True)
    (root / "all.rss").write_text("<rss/>")
    (root / "sub" / "index.html").write_text("<p>sub</p>")
    (root / "empty").mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", root / "leak.txt")
    os.symlink(tmp_path, root / "up")
    os.symlink(root / "all.rss", root / "alias.rss")

    assert resolve_file(root, "all.rss") == (root / "all.rss").resolve()
    assert resolve_file(root, "alias.rss") == (root / "all.rss").resolve()
    assert resolve_file(root, "sub/") == (root / "sub" / "index.html").resolve()
    with pytest.raises(AddSlash):
        resolve_file(root, "sub")
    for name in ("leak.txt", "up/secret.txt", "up/", "empty/", "empty", "missing.rss", ""):
        with pytest.raises(NotFound):
            resolve_file(root, name)
