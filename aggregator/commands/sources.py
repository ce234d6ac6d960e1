"""``aggregator sources``: list the sources of a config with their discovery settings."""

from __future__ import annotations

import argparse
import sys

from aggregator.commands.common import help_text
from aggregator.config import Config, ConfigError, Source, load_config


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sources", help="list the sources of a config",
                                   description=help_text(__doc__))
    parser.add_argument("--config", default="",
                        help="sources config (TOML, or 'demo'); default: the bundled real sites")
    parser.set_defaults(func=run)


def describe(src: Source) -> list[str]:
    """The lines ``aggregator sources`` prints for one source."""
    refresh = ("setting AGGREGATOR_REFRESH_AGE" if src.refresh_hours is None
               else f"{src.refresh_hours:g} h")
    lines = [
        f"{src.name}  {src.title or src.name}  {src.home}",
        f"  timezone         {src.timezone}",
        f"  allowed domains  {', '.join(src.allowed_domains)}",
    ]
    for key, urls in (("feeds", src.feeds), ("sitemaps", src.sitemaps), ("sections", src.sections)):
        shown = ", ".join(urls) if urls else "-"
        if key == "sitemaps" and not urls and src.sitemaps_from_robots:
            shown = "from robots.txt"
        lines.append(f"  {key:<16} {shown}")
    lines += [
        f"  section pages    {src.max_section_pages} per section (rel=next)",
        f"  follow related   {src.follow_related} hop(s)",
        f"  max pages        {src.max_pages or 'no bound'}",
        f"  max age          {str(src.max_age_days) + ' days' if src.max_age_days else 'any'}",
        f"  refresh age      {refresh}",
        f"  site rules       {', '.join(sorted(src.rules)) if src.rules else '-'}",
        f"  settings         {', '.join(f'{k}={v}' for k, v in sorted(src.settings.items())) or '-'}",
    ]
    if src.render:
        lines.append("  render           " + ("every page, in headless Chromium" if src.render is True
                                           else "auto: app shells and empty related modules,"
                                                " in headless Chromium"))
    return lines


def format_sources(config: Config) -> str:
    out = [f"{config.path}: {len(config.sources)} sources"]
    for src in config.sources:
        out.extend(describe(src))
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config or None)
    except ConfigError as exc:
        print(f"aggregator sources: {exc}", file=sys.stderr)
        return 2
    print(format_sources(config))
    return 0
