"""The sources config: a TOML file that lists the sites to crawl.

Every error names the file, the source and the key, e.g.
``sources.toml: source 'bytewire': key 'feeds': expected a list of URLs``.

>>> cfg = parse_config('''
... [[sources]]
... name = "example"
... home = "https://example.com/"
... ''', "inline.toml")
>>> cfg.sources[0].allowed_domains
['example.com']
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aggregator.urls import site_domain

if TYPE_CHECKING:
    from aggregator.store import Store

DEFAULT_CONFIG = "sources.toml"
DEMO_CONFIG = "demo.toml"

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class ConfigError(ValueError):
    """A sources config that can't be used; the message names file, source and key."""


@dataclass
class Source:
    """One site to crawl and how to discover its articles."""

    name: str
    home: str
    title: str = ""
    timezone: str = "UTC"
    allowed_domains: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    #: with no ``sitemaps`` listed, use the ``Sitemap:`` lines of the home's robots.txt
    sitemaps_from_robots: bool = True
    sections: list[str] = field(default_factory=list)
    #: how many hops of suggested links to follow from an article (0: none)
    follow_related: int = 1
    #: pages of a section listing to follow (rel=next), per section
    max_section_pages: int = 5
    #: upper bound on pages fetched from this source in one run (0: no bound)
    max_pages: int = 0
    #: skip sitemap/feed entries older than this many days (0: keep all)
    max_age_days: int = 0
    #: render pages in headless Chromium: False never, True every page, "auto" only an app
    #: shell or an article whose related module is empty (aggregator.rendering)
    render: bool | str = False
    #: re-check articles published less than this many hours ago for updates
    #: (None: the AGGREGATOR_REFRESH_AGE setting; 0: never)
    refresh_hours: float | None = None
    #: site rules: field -> CSS or "xpath:..." selector (see aggregator.extraction.rules)
    rules: dict[str, Any] = field(default_factory=dict)
    #: extra Scrapy settings for this source's crawl, e.g. {"DOWNLOAD_DELAY": 2}
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class Config:
    """A parsed sources config."""

    path: str
    sources: list[Source]
    #: the [aggregator] table: global options such as feed_limit, tracking_params
    options: dict[str, Any] = field(default_factory=dict)
    #: the [[topics]] tables, validated by the feeds module
    topics: list[dict[str, Any]] = field(default_factory=list)

    def source(self, name: str) -> Source:
        for src in self.sources:
            if src.name == name:
                return src
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"{self.path}: no source named {name!r} (known: {known})")


#: the priority the config's ``[aggregator]`` options take in a crawler's settings: above the
#: project's defaults (set earlier at the same priority), below the command line
CONFIG_PRIORITY = "project"


def crawl_settings(config: Config, base_tracking: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
    """The ``[aggregator]`` options a crawl uses, checked, as Scrapy settings: the one place
    they turn into settings (``aggregator crawl`` and the spider under ``scrapy crawl`` both
    push them at :data:`CONFIG_PRIORITY`). ``tracking_params`` is added to ``base_tracking``
    (``AGGREGATOR_TRACKING_PARAMS``), so discovery and the pipelines strip the same ones.

    >>> cfg = Config("s.toml", [], {"tracking_params": ["SID"], "feed_limit": 20})
    >>> crawl_settings(cfg, ["ref"])
    {'AGGREGATOR_TRACKING_PARAMS': ['ref', 'sid'], 'AGGREGATOR_FEED_LIMIT': 20}
    >>> crawl_settings(Config("s.toml", [], {"tracking_params": "sid"}))
    Traceback (most recent call last):
    ...
    aggregator.config.ConfigError: s.toml: key 'aggregator.tracking_params': expected a list of strings, got 'sid'
    """
    options = config.options
    out: dict[str, Any] = {}
    tracking = options.get("tracking_params", [])
    if not isinstance(tracking, list) or not all(isinstance(v, str) for v in tracking):
        raise ConfigError(f"{config.path}: key 'aggregator.tracking_params': expected a list of "
                          f"strings, got {tracking!r}")
    names = [n.strip().lower() for n in [*base_tracking, *tracking] if n.strip()]
    out["AGGREGATOR_TRACKING_PARAMS"] = list(dict.fromkeys(names))
    if "feed_limit" in options:
        limit = options["feed_limit"]
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ConfigError(f"{config.path}: key 'aggregator.feed_limit': expected a whole "
                              f"number >= 1, got {limit!r}")
        out["AGGREGATOR_FEED_LIMIT"] = limit
    contact = options.get("contact_url")
    if contact is not None and not isinstance(contact, str):
        raise ConfigError(f"{config.path}: key 'aggregator.contact_url': expected a URL string,"
                          f" got {contact!r}")
    if contact:
        out["AGGREGATOR_CONTACT_URL"] = contact
    store = config_store(config)
    if store:
        out["AGGREGATOR_STORE"] = store
    return out


def config_store(config: Config) -> str | None:
    """The ``[aggregator] store`` URL of the config, checked; None when it has none.

    >>> config_store(Config("s.toml", [], {"store": "postgresql://db.example/news"}))
    'postgresql://db.example/news'
    >>> config_store(Config("s.toml", [], {"store": "mysql://db.example/news"}))
    Traceback (most recent call last):
    ...
    aggregator.config.ConfigError: s.toml: key 'aggregator.store': expected a store URL (postgresql://user@host/database or sqlite:///file), got 'mysql://db.example/news'
    """
    from aggregator.store import is_store_url, store_label

    store = config.options.get("store")
    if store is None or store == "":
        return None
    if not isinstance(store, str) or not is_store_url(store):
        shown = store_label(store) if isinstance(store, str) and "@" in store else store
        raise ConfigError(f"{config.path}: key 'aggregator.store': expected a store URL "
                          f"(postgresql://user@host/database or sqlite:///file), got {shown!r}")
    return store


_LIST_KEYS = ("allowed_domains", "feeds", "sitemaps", "sections")
_INT_KEYS = ("follow_related", "max_section_pages", "max_pages", "max_age_days")
_KNOWN_KEYS = {
    "name", "home", "title", "timezone", "render", "rules", "settings", "refresh_hours",
    "sitemaps_from_robots",
    *_LIST_KEYS, *_INT_KEYS,
}


def _is_http_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _parse_source(raw: Any, index: int, path: str) -> Source:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: sources[{index}]: expected a table, got {type(raw).__name__}")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ConfigError(
            f"{path}: sources[{index}]: key 'name': expected lower-case letters, digits, '-' or '_',"
            f" got {name!r}"
        )
    where = f"{path}: source {name!r}"
    unknown = sorted(set(raw) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}")
    home = raw.get("home")
    if not _is_http_url(home):
        raise ConfigError(f"{where}: key 'home': expected an http(s) URL, got {home!r}")
    values: dict[str, Any] = {"name": name, "home": home}
    for key in _LIST_KEYS:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: key {key!r}: expected a list of strings, got {value!r}")
        if key != "allowed_domains":
            bad = [v for v in value if not _is_http_url(v)]
            if bad:
                raise ConfigError(f"{where}: key {key!r}: not an http(s) URL: {bad[0]!r}")
        values[key] = list(value)
    for key in _INT_KEYS:
        if key in raw:
            value = raw[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"{where}: key {key!r}: expected a whole number >= 0, got {value!r}")
            values[key] = value
    if "render" in raw:
        if not (isinstance(raw["render"], bool) or raw["render"] == "auto"):
            raise ConfigError(f"{where}: key 'render': expected true, false or \"auto\","
                              f" got {raw['render']!r}")
        values["render"] = raw["render"]
    for key, kind in (("title", str), ("timezone", str), ("rules", dict),
                      ("settings", dict), ("sitemaps_from_robots", bool)):
        if key in raw:
            if not isinstance(raw[key], kind):
                raise ConfigError(
                    f"{where}: key {key!r}: expected {kind.__name__}, got {type(raw[key]).__name__}"
                )
            values[key] = raw[key]
    if "refresh_hours" in raw:
        value = raw["refresh_hours"]
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{where}: key 'refresh_hours': expected a number of hours >= 0,"
                              f" got {value!r}")
        values["refresh_hours"] = float(value)
    try:
        ZoneInfo(values.get("timezone", "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: key 'timezone': unknown time zone {values['timezone']!r}") from None
    if values.get("rules"):
        # a bad selector fails when the config is read (`aggregator sources` too), not when
        # the source's crawler starts. Imported here: the extraction package (trafilatura,
        # extruct) is not loaded by the commands that only read the store
        from aggregator.extraction.rules import SiteRules
        try:
            SiteRules.from_mapping(values["rules"], where)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    if not values["allowed_domains"]:
        # the home page's registered domain: go.example.com redirecting to
        # www.example.com is the source's own host
        values["allowed_domains"] = [site_domain(urlsplit(home).hostname or "")]
    return Source(**values)


def parse_config(text: str, path: str) -> Config:
    """Parse and validate the TOML text of a sources config read from ``path``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list):
        raise ConfigError(f"{path}: key 'sources': expected an array of tables ([[sources]])")
    sources = [_parse_source(raw, i, path) for i, raw in enumerate(raw_sources)]
    seen: set[str] = set()
    for src in sources:
        if src.name in seen:
            raise ConfigError(f"{path}: source {src.name!r}: key 'name': defined twice")
        seen.add(src.name)
    options = data.get("aggregator", {})
    if not isinstance(options, dict):
        raise ConfigError(f"{path}: key 'aggregator': expected a table")
    topics = data.get("topics", [])
    if not isinstance(topics, list):
        raise ConfigError(f"{path}: key 'topics': expected an array of tables ([[topics]])")
    return Config(path=path, sources=sources, options=options, topics=topics)


def load_config(path: str | Path | None = None) -> Config:
    """Load the config at ``path``; ``None`` or "" loads the bundled default config,
    ``"demo"`` the bundled demo config."""
    if path == "demo":
        return load_demo_config()
    if not path:
        text = resources.files("aggregator").joinpath(DEFAULT_CONFIG).read_text("utf-8")
        return parse_config(text, f"<bundled {DEFAULT_CONFIG}>")
    p = Path(path)
    try:
        text = p.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"{p}: can't read the config: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{p}: the config is not UTF-8 text") from None
    return parse_config(text, str(p))


#: the stat the run log (aggregator.runlog) records :func:`config_ref` under
CONFIG_KEY = "aggregator/config"


def config_ref(config: Config) -> str:
    """What :func:`load_config` loads ``config`` back from, wherever the caller runs: ``""``
    for the bundled config, ``"demo"``, else the file's absolute path. A crawl records it,
    for ``aggregator feeds`` without ``--config``.

    >>> config_ref(load_demo_config()), config_ref(load_config())
    ('demo', '')
    """
    if config.path == f"<bundled {DEMO_CONFIG}>":
        return "demo"
    if config.path == f"<bundled {DEFAULT_CONFIG}>":
        return ""
    return str(Path(config.path).resolve())


def crawled_config(store: Store) -> Config:
    """The config the store's last crawl ran with (it records it: aggregator.runlog), else
    the bundled one; a config none of whose sources the store has crawled is refused, rather
    than publishing a feed per source that stays empty."""
    # the newest run that got as far as recording it (a killed run may not have)
    refs = (r["stats"][CONFIG_KEY] for r in store.runs(limit=20) if CONFIG_KEY in r["stats"])
    ref = next(refs, None)
    try:
        config = load_config(ref or None)
    except ConfigError as exc:
        raise ConfigError(f"{exc} (the config of the last crawl; pass --config)") from None
    crawled = store.run_sources()
    if crawled and not {s.name for s in config.sources} & set(crawled):
        raise ConfigError(f"{config.path}: none of its sources is in the store (it holds:"
                          f" {', '.join(crawled)}); pass --config")
    return config


def load_demo_config() -> Config:
    """The config of the bundled offline demo sites."""
    text = resources.files("aggregator").joinpath(DEMO_CONFIG).read_text("utf-8")
    return parse_config(text, f"<bundled {DEMO_CONFIG}>")
