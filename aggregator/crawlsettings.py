"""A crawl's Scrapy settings, built in one place: the project's, then the sources config's
``[aggregator]`` options (:func:`apply_config`), then the environment, then the command line.
``aggregator crawl`` builds them with :func:`build_settings`; under ``scrapy crawl`` the spider
applies the config it loaded with :func:`apply_config`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings, Settings

from aggregator.config import CONFIG_PRIORITY, Config, crawl_settings

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


