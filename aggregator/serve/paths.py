"""Map a request target to a file inside the served folder, or refuse it.

Nothing outside the folder is reachable: the target is percent-decoded exactly once
and refused when it still holds ``%`` (double encoding), a backslash, a NUL or a
control character, a ``.``/``..`` or empty segment, or a hidden (dot) name; the
joined path is then resolved (following symlinks) and must stay inside the
resolved root.

>>> safe_relative_path("/feeds/all.rss?x=1")
'feeds/all.rss'
>>> safe_relative_path("/%2e%2e/etc/passwd") is None
True
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

INDEX = "index.html"


class NotFound(Exception):
    """The target names nothing that may be served."""


class AddSlash(Exception):
    """The target names a folder (with an index) without its trailing slash."""


def query_of(target: str) -> str:
    """The query string of a request target (``""`` when it has none).

    >>> query_of("/all.rss?limit=5#x"), query_of("http://h/all.rss?format=json"), query_of("/a")
    ('limit=5', 'format=json', '')
    """
    return urlsplit(target).query


def safe_relative_path(target: str) -> str | None:
    """The folder-relative path named by a request target (``/a/b.rss``), or None when
    the target is unsafe. A trailing slash is kept (``"a/"``); the root is ``""``."""
    if not target:
        return None
    if target.startswith(("http://", "https://")):  # absolute-form, RFC 9112 3.2.2
        target = urlsplit(target).path or "/"
    path = target.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or "\\" in path:
        return None
    try:
        decoded = unquote(path, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return None
    if any(ch in decoded for ch in "%\\") or any(ord(ch) < 32 or ord(ch) == 127 for ch in decoded):
        return None
    rel = decoded[1:]
    trailing = rel.endswith("/")
    segments = rel[:-1].split("/") if trailing else rel.split("/")
    if rel == "":
        return ""
    for segment in segments:
        if segment in ("", ".", "..") or segment.startswith("."):
            return None
    return "/".join(segments) + ("/" if trailing else "")


def resolve_file(root: Path, relative: str) -> Path:
    """The regular file that ``relative`` (from :func:`safe_relative_path`) names under
    ``root``: a folder gives its ``index.html`` (:class:`AddSlash` when the target lacks the
    trailing slash, so that relative links resolve); anything missing, not a regular file,
    or resolving outside ``root`` (a symlink escape) raises :class:`NotFound`."""
    base = root.resolve(strict=True)
    candidate = base.joinpath(*[s for s in relative.split("/") if s])
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # missing, or a symlink loop
        raise NotFound(relative) from exc
    if not resolved.is_relative_to(base):
        raise NotFound(relative)
    if resolved.is_dir():
        if relative and not relative.endswith("/"):
            if (resolved / INDEX).is_file():
                raise AddSlash(relative)
            raise NotFound(relative)
        resolved = (resolved / INDEX).resolve()
        if not resolved.is_relative_to(base):
            raise NotFound(relative)
    if not resolved.is_file():
        raise NotFound(relative)
    return resolved
