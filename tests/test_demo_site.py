"""The bundled demo site is whole: every page parses, every internal link resolves,
and the seed article is byte-exact (aggregator/demo/build_site.py --check)."""

from __future__ import annotations

from scripts import build_demo_site as build_site


def test_demo_site_checks_clean(capsys) -> None:  # noqa: ANN001
    assert build_site.main(["--check"]) == 0, capsys.readouterr().out
