"""The one canonical-URL policy: used for dedup, feed GUIDs, related links and for
filtering links before Requests are made.

>>> canonical_url("HTTP://Example.COM:80/a/b?utm_source=x&id=3&fbclid=y#top")
'http://example.com/a/b?id=3'
>>> same_site("https://www.example.com/x", "https://example.com/y")
True
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from collections.abc import Iterable
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

#: query parameters that only track the reader; never part of an article's identity
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "twclid", "igshid", "mc_cid",
    "mc_eid", "ref", "ref_src", "ref_url", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id",
    "oly_enc_id", "vero_id", "wickedid", "cmpid", "ncid", "ocid", "sr_share", "spm", "share",
    "utm", "at_medium", "at_campaign", "s_kwcid", "trk", "trkcampaign", "__twitter_impression",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "at_", "itm_")

_DEFAULT_PORTS = {"http": 80, "https": 443}
#: a leading "www." (or "www2.") of a host name
WWW_PREFIX_RE = re.compile(r"^www\d*\.")


_NOTHING = SplitResult("", "", "", "", "")


def split(url: str) -> SplitResult:
    """``urlsplit`` that never raises on a URL from a page: a malformed one (an unclosed
    IPv6 bracket, ...) splits into nothing. Every URL read from a page goes through this or
    :func:`join`.

    >>> split("http://[::1]:8080/x").hostname, split("http://[::1/x").netloc
    ('::1', '')
    """
    try:
        return urlsplit(url)
    except ValueError:
        return _NOTHING


def join(base: str, href: str) -> str:
    """``urljoin`` that never raises: "" when ``base`` or ``href`` is malformed.

    >>> join("http://ex.com/a/b", "../c"), join("http://ex.com/", "http://[::1/x")
    ('http://ex.com/c', '')
    """
    try:
        return urljoin(base, href)
    except ValueError:
        return ""


def document_base(page_url: str, base_href: str | None) -> str:
    """The URL a page's relative links resolve against: its ``<base href>`` (itself resolved
    against the page URL) when that is a usable http(s) URL, else the page URL.

    >>> document_base("http://ex.com/news/a", "/media/based/")
    'http://ex.com/media/based/'
    >>> document_base("http://ex.com/news/a", "http://[::1/x"), document_base("http://ex.com/a", "javascript:x")
    ('http://ex.com/news/a', 'http://ex.com/a')
    """
    if not base_href or not base_href.strip():
        return page_url
    base = join(page_url, base_href.strip())
    return base if split(base).scheme in ("http", "https") and host_of(base) else page_url


def host_of(url: str) -> str:
    """The lower-cased host name of ``url`` ("" for none or a malformed URL)."""
    return (split(url).hostname or "").lower()


def is_tracking_param(name: str, extra: Iterable[str] = ()) -> bool:
    key = name.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES) or key in extra


def strip_tracking(url: str, extra: Iterable[str] = ()) -> str:
    """Drop tracking query parameters and keep every other one, in order."""
    parts = split(url)
    if not parts.query:
        return url
    extra = frozenset(e.lower() for e in extra)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not is_tracking_param(k, extra)]
    return urlunsplit(parts._replace(query=urlencode(kept, doseq=True)))


def canonical_url(url: str, extra_params: Iterable[str] = ()) -> str:
    """The canonical form of ``url``: tracking parameters and fragment dropped, host
    lower-cased, default port removed, query sorted and escaping normalised (w3lib). Never
    raises on a URL from a page: one it cannot parse comes back as it was.

    >>> canonical_url("http://[::1]:8080/x?utm_source=a"), canonical_url("HTTP://[2001:DB8::1]/")
    ('http://[::1]:8080/x', 'http://[2001:db8::1]/')
    >>> canonical_url("http://[::1/x"), canonical_url("http://ex.com:99999/a")
    ('http://[::1/x', 'http://ex.com/a')
    """
    return _canonical_url(url.strip(), tuple(extra_params))


@lru_cache(maxsize=16384)
def _canonical_url(url: str, extra_params: tuple[str, ...]) -> str:
    """:func:`canonical_url`, remembered: a site's menu links, and an article's URL found in
    its sitemap, its section pages and its neighbours' related links, are canonicalised
    again and again (w3lib's canonicalisation is a tenth of a millisecond each)."""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # a malformed authority ("http://[::1/x"): left as it is
        return url
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not hostname:
        return url
    host = hostname.lower().rstrip(".")
    if ":" in host:  # an IPv6 literal: hostname drops its brackets
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path or "/"
    url = urlunsplit((scheme, netloc, path, parts.query, ""))
    try:
        return canonicalize_url(strip_tracking(url, extra_params), keep_fragments=False)
    except ValueError:
        return url


@lru_cache(maxsize=1)
def _public_suffixes() -> Any:
    """tldextract's reader of the bundled Public Suffix List, loaded on first use (with
    ``requests``, a tenth of a second the commands that never ask do not pay)."""
    from tldextract import TLDExtract
    return TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


@lru_cache(maxsize=1024)
def site_domain(host: str) -> str:
    """The domain a publisher registered, one label under the public suffix (the bundled
    Public Suffix List, private suffixes such as ``github.io`` included, never fetched):
    its sub-domains are the same site. A host without a known suffix (an IP address,
    ``localhost``, a ``.example`` test host) is its own site.

    >>> site_domain("go.theregister.com"), site_domain("news.bbc.co.uk")
    ('theregister.com', 'bbc.co.uk')
    >>> site_domain("alice.github.io"), site_domain("WWW.Example.COM.")
    ('alice.github.io', 'example.com')
    >>> site_domain("127.0.0.1"), site_domain("demo.example"), site_domain("[::1]")
    ('127.0.0.1', 'demo.example', '[::1]')
    """
    host = host.lower().rstrip(".")
    parts = _public_suffixes()(host)
    return parts.top_domain_under_public_suffix or host


@lru_cache(maxsize=8192)
def registrable_host(url: str) -> str:
    """The host without a leading ``www.``; enough to compare sites of one publisher."""
    return WWW_PREFIX_RE.sub("", host_of(url))


def same_site(a: str, b: str) -> bool:
    """Whether two URLs are on the same site (ignoring ``www.``)."""
    ha, hb = registrable_host(a), registrable_host(b)
    return bool(ha) and (ha == hb or ha.endswith("." + hb) or hb.endswith("." + ha))


def choose_canonical(page_url: str, declared: str | None, extra_params: Iterable[str] = ()) -> str:
    """The article's canonical URL: the declared one (rel=canonical / og:url, resolved
    against the page URL when relative) when it is same-site and sane, else the page's own
    URL; canonicalised either way.

    Sane: http(s), not the site's home page (a common template bug), no whitespace or
    control characters inside, at most 2,000 characters.

    >>> choose_canonical("https://ex.com/news/a.html?utm_source=x", "/news/a.html")
    'https://ex.com/news/a.html'
    >>> choose_canonical("https://ex.com/news/a.html", "https://ex.com/")
    'https://ex.com/news/a.html'
    """
    if declared and is_sane_canonical(page_url, declared):
        return canonical_url(join(page_url, declared.strip()), extra_params)
    return canonical_url(page_url, extra_params)


def is_sane_canonical(page_url: str, declared: str) -> bool:
    """Whether a declared canonical URL may stand for the page at ``page_url``."""
    value = declared.strip()
    if not value or len(value) > 2000 or any(c.isspace() or ord(c) < 32 for c in value):
        return False
    try:
        absolute = join(page_url, value)
        cand = split(absolute)
    except ValueError:
        return False
    return (cand.scheme in ("http", "https") and bool(cand.hostname)
            and same_site(absolute, page_url) and cand.path not in ("", "/"))


def in_domains(url: str, domains: Iterable[str]) -> bool:
    """Whether ``url``'s host is one of ``domains`` or a subdomain of one."""
    host = host_of(url)
    return any(host == d or host.endswith("." + d) for d in (d.lower() for d in domains))
