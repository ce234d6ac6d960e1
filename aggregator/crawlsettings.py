"""A crawl's Scrapy settings, built in one place: the project's, then the sources config's
``[aggregator]`` options (:func:`apply_config`), then the environment, then the command line.
``aggregator crawl`` builds them with :func:`build_settings`; under ``scrapy crawl`` the spider
applies the config it loaded with :func:`apply_config`. Either way the news spider then applies
its source with :func:`apply_source`, which the other components read back with
:func:`crawl_source`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings, Settings

from aggregator.config import (CONFIG_PRIORITY, Config, ConfigError, Source, crawl_settings,
                               load_config)

#: settings an environment variable of the same name overrides (read here, at the top)
ENV_SETTINGS = ("AGGREGATOR_CONTACT_URL", "AGGREGATOR_REFRESH_AGE", "AGGREGATOR_STORE")


def user_agent(contact_url: str) -> str:
    """``aggregator/0.1 (+https://...)``: names the project and how to reach the operator."""
    try:
        version = metadata.version("aggregator")
    except metadata.PackageNotFoundError:  # run from a checkout, not installed
        version = "0.1"
    return f"aggregator/{version} (+{contact_url})"


def build_settings(*, data_dir: str | Path, feeds_dir: str | Path, config_value: str = "",
                   routes: dict[str, str] | None = None,
                   overrides: dict[str, Any] | None = None,
                   config: Config | None = None,
                   environ: Mapping[str, str] | None = None) -> Settings:
    """The project settings, then the config's ``[aggregator]`` options
    (:func:`aggregator.config.crawl_settings`), then the environment (:data:`ENV_SETTINGS`),
    then the command line's values on top."""
    settings = Settings()
    settings.setmodule("aggregator.settings", priority="project")
    if config is not None:
        apply_config(settings, config)
    env = os.environ if environ is None else environ
    for key in ENV_SETTINGS:
        if env.get(key):
            settings.set(key, env[key], priority="cmdline")
    settings.set("USER_AGENT", user_agent(settings.get("AGGREGATOR_CONTACT_URL")),
                 priority="project")
    settings.set("AGGREGATOR_DATA_DIR", str(data_dir), priority="cmdline")
    settings.set("AGGREGATOR_FEEDS_DIR", str(feeds_dir), priority="cmdline")
    settings.set("AGGREGATOR_CONFIG", config_value, priority="cmdline")
    if routes:
        settings.set("AGGREGATOR_HOST_ROUTES", routes, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def apply_config(settings: BaseSettings, config: Config) -> None:
    """Push the config into a crawler's settings, at :data:`CONFIG_PRIORITY`: its checked
    ``[aggregator]`` options and the parsed config itself (``AGGREGATOR_LOADED_CONFIG``)."""
    values = crawl_settings(config, settings.getlist("AGGREGATOR_TRACKING_PARAMS"))
    values["AGGREGATOR_LOADED_CONFIG"] = config
    if "AGGREGATOR_CONTACT_URL" in values:
        values["USER_AGENT"] = user_agent(values["AGGREGATOR_CONTACT_URL"])
    settings.setdict(values, priority=CONFIG_PRIORITY)




#: ``AGGREGATOR_SOURCE`` is set above every other priority (cmdline is 40)
SOURCE_PRIORITY = 50


def apply_source(settings: BaseSettings, name: str | None,
                 config_path: str | None = None) -> Source:
    """The source ``name`` of the config the crawl runs with (``AGGREGATOR_LOADED_CONFIG``, set
    by ``aggregator crawl``; else the file ``config_path`` -- ``-a config=`` -- or
    ``AGGREGATOR_CONFIG``), its own Scrapy settings applied to the crawler's ``settings`` at the
    priority Scrapy gives a spider's ``custom_settings``, and its name as ``AGGREGATOR_SOURCE``
    -- the same whoever started the crawl."""
    if not name:
        raise ConfigError("the news spider needs a source: scrapy crawl news -a source=NAME")
    config = settings.get("AGGREGATOR_LOADED_CONFIG")
    if config is None or config_path:
        config = load_config(config_path or settings.get("AGGREGATOR_CONFIG") or None)
        apply_config(settings, config)
    src: Source = config.source(name)
    settings.setdict(with_components(settings, src.settings), priority="spider")
    if src.max_pages:
        settings.set("CLOSESPIDER_PAGECOUNT", src.max_pages, priority="spider")
    # above the command line: the source of a crawler is its spider's argument
    settings.set("AGGREGATOR_SOURCE", src.name, priority=SOURCE_PRIORITY)
    return src


#: settings that list components by priority: a source's own add to the project's
COMPONENT_SETTINGS = ("ITEM_PIPELINES", "SPIDER_MIDDLEWARES", "DOWNLOADER_MIDDLEWARES",
                      "EXTENSIONS", "ADDONS")


def with_components(settings: BaseSettings, own: Mapping[str, Any]) -> dict[str, Any]:
    """A source's ``own`` settings with its component dicts laid over the crawler's, so a
    source adds a pipeline or middleware (or switches one off with None) without dropping
    the project's -- incremental crawling, the store -- as a bare Scrapy setting would.

    >>> project = Settings({"ITEM_PIPELINES": {"a.Store": 900}})
    >>> with_components(project, {"ITEM_PIPELINES": {"b.Mine": 100}, "DOWNLOAD_DELAY": 1})
    {'ITEM_PIPELINES': {'a.Store': 900, 'b.Mine': 100}, 'DOWNLOAD_DELAY': 1}
    """
    values = dict(own)
    for key in COMPONENT_SETTINGS:
        if isinstance(values.get(key), Mapping):
            values[key] = {**settings.getdict(key), **values[key]}
    return values


def crawl_source(settings: BaseSettings) -> Source | None:
    """The source the crawler crawls (:func:`apply_source`), or None (not a crawl of a source)."""
    name = settings.get("AGGREGATOR_SOURCE")
    config = settings.get("AGGREGATOR_LOADED_CONFIG")
    if not name or config is None:
        return None
    src: Source = config.source(name)
    return src
