"""Every docstring example in the project's modules holds (they are documentation:
a wrong one misleads)."""

from __future__ import annotations

import doctest
import importlib

import pytest

from tests.conftest import REPO

MODULES = sorted(
    ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
    for top in ("aggregator", "spiders") for path in (REPO / top).rglob("*.py")
    if ">>> " in path.read_text("utf-8"))


def test_examples_are_found() -> None:
    assert "aggregator.urls" in MODULES and len(MODULES) >= 20


@pytest.mark.parametrize("name", MODULES)
def test_module_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
