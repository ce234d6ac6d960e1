"""Every project setting is documented in the README's table and read by some code."""

from __future__ import annotations

import re
from pathlib import Path

import aggregator.settings

REPO = Path(__file__).resolve().parent.parent
CODE = [p for p in [*(REPO / "aggregator").rglob("*.py"), *(REPO / "spiders").rglob("*.py")]
        if p.name != "settings.py" and "demo" not in p.parts]


def _ours() -> list[str]:
    return sorted(name for name in vars(aggregator.settings) if name.startswith("AGGREGATOR_"))


def test_every_aggregator_setting_is_in_the_readme_table():
    readme = (REPO / "README.md").read_text("utf-8")
    documented = set(re.findall(r"^\| `(AGGREGATOR_[A-Z_]+)` \|", readme, re.MULTILINE))
    assert documented, "the README has no settings table"
    assert set(_ours()) - documented == set()
    assert documented - set(_ours()) == set()  # nor a documented one that does not exist


def test_every_aggregator_setting_is_read_by_some_code():
    code = "\n".join(p.read_text("utf-8") for p in CODE)
    # read as a setting ("NAME") or as the module's default (settings.NAME)
    unread = [name for name in _ours() if f'"{name}"' not in code and f".{name}" not in code]
    assert unread == []
