"""Pieces the HTML pages of the feeds folder share (:mod:`.index_page`, :mod:`.feed_page`):
one date format, escaped links, subscribe buttons and autodiscovery tags. Every text is
escaped here; titles and names come from the web.

>>> from datetime import datetime, timezone
>>> date_html(datetime(2024, 3, 1, 8, 5, tzinfo=timezone.utc))
'<time datetime="2024-03-01T08:05:00Z">2024-03-01 08:05 UTC</time>'
>>> safe_url("javascript:alert(1)") is None
True
>>> subscribe_links({"rss": "a b.rss"})
'<a class="fmt fmt-rss" href="a%20b.rss" type="application/rss+xml">RSS</a>'
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from urllib.parse import quote

from aggregator.exporters.model import FORMATS

CSS = "style.css"


def href(name: str) -> str:
    """A file name of the feeds folder as an escaped relative link."""
    return escape(quote(name), quote=True)


def date_html(when: datetime | None) -> str:
    """The one way the pages show a date: ``2024-03-01 08:05 UTC`` in a ``<time>``."""
    if when is None:
        return ""
    when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    utc = when.astimezone(timezone.utc)
    return (f'<time datetime="{utc.isoformat().replace("+00:00", "Z")}">'
            f'{utc.strftime("%Y-%m-%d %H:%M")} UTC</time>')


def safe_url(url: str) -> str | None:
    """Only http(s) links: a hostile ``javascript:`` URL must not become a link."""
    return url if url.lower().startswith(("http://", "https://")) else None


def subscribe_links(formats: dict[str, str]) -> str:
    """One button per feed file (format extension -> file name), in :data:`FORMATS` order."""
    return "".join(
        f'<a class="fmt fmt-{escape(ext)}" href="{href(formats[ext])}"'
        f' type="{FORMATS[ext].media_type}">{FORMATS[ext].label}</a>'
        for ext in FORMATS if ext in formats)


def alternate_links(title: str, formats: dict[str, str]) -> str:
    """``<link rel="alternate">`` autodiscovery tags, one per feed file."""
    return "".join(
        f'<link rel="alternate" type="{FORMATS[ext].media_type}" href="{href(formats[ext])}"'
        f' title="{escape(title, quote=True)} ({FORMATS[ext].label})">\n'
        for ext in FORMATS if ext in formats)


def page(title: str, head: str, body: str) -> str:
    """A whole page: no script, only our stylesheet, no referrer sent to image hosts."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{escape(title)}</title>
<link rel="stylesheet" href="{CSS}">
{head}</head>
<body>
{body}
</body>
</html>
"""
