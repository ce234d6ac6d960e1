"""Bylines into person names, every format."""

from __future__ import annotations

import pytest

from aggregator.normalize.authors import fix_case, split_authors

CASES = [
    (["By Jane Doe"], ["Jane Doe"]),
    (["by jane doe"], ["Jane Doe"]),
    (["BY JANE DOE"], ["Jane Doe"]),
    (["By Alice Chan and Bob Lee"], ["Alice Chan", "Bob Lee"]),
    (["Alice Chan, Bob Lee & Carol Ng"], ["Alice Chan", "Bob Lee", "Carol Ng"]),
    (["Alice Chan; Bob Lee | Carol Ng"], ["Alice Chan", "Bob Lee", "Carol Ng"]),
    (["jdoe@bytewire.example (Jane Doe)"], ["Jane Doe"]),
    (["Jane Doe <jdoe@x.com>"], ["Jane Doe"]),
    (["mailto:jdoe@x.com (Jane Doe)"], ["Jane Doe"]),
    (["jdoe@x.com"], []),
    (["By Jane Doe, Senior Editor"], ["Jane Doe"]),
    (["Jane Doe, Technology Correspondent"], ["Jane Doe"]),
    (["By Jane Doe, Staff Reporter and Bob Lee"], ["Jane Doe", "Bob Lee"]),
    (["Staff"], ["Staff"]),
    (["Staff Reporter"], ["Staff Reporter"]),
    (["By Staff Reporter"], ["Staff Reporter"]),
    (["By Circuit Daily Staff"], ["Circuit Daily Staff"]),
    (["Staff Reporter", "Jane Doe"], ["Jane Doe"]),  # a person named: the desk goes
    (["By Jane Doe, dpa"], ["Jane Doe", "dpa"]),  # ...but an agency is credited beside her,
    # spelled as the agency spells itself
    (["sportschau.de"], ["sportschau.de"]),  # a publication named by its domain, as written
    (["SID"], ["SID"]),  # a one-word acronym, as written
    (["reuters"], ["Reuters"]),
    (["Reuters", "Jane Doe"], ["Reuters", "Jane Doe"]),
    (["and"], []),
    (["By"], []),
    (["Jane Doe", "jane doe", "JANE DOE", "Jane  Doe"], ["Jane Doe"]),
    (["JANE DOE", "John O'BRIEN", "MARY-ANN SMITH-JONES"],
     ["Jane Doe", "John O'Brien", "Mary-Ann Smith-Jones"]),
    (["DJ Lee"], ["DJ Lee"]),  # a short capitalised word in a mixed-case name is kept
    (["John Smith, Jr."], ["John Smith Jr."]),
    (["Reporting by Ann Lee; Editing by Bo Chan"], ["Ann Lee", "Bo Chan"]),
    (["Written by: Ann Lee"], ["Ann Lee"]),
    (["https://ex.com/author/jane", "@janedoe", "Jane Doe"], ["Jane Doe"]),
    (["Jos\u00e9 Garc\u00eda &amp; Zo\u00eb L\u00f3pez"], ["José García", "Zoë López"]),
    (["  By\u00a0Jane\u200b Doe  "], ["Jane Doe"]),
    ([""], []),
    ([], []),
]


@pytest.mark.parametrize(("bylines", "expected"), CASES)
def test_split_authors(bylines: list[str], expected: list[str]) -> None:
    assert split_authors(bylines) == expected


def test_non_strings_are_ignored() -> None:
    assert split_authors([None, 3, "Ann Lee"]) == ["Ann Lee"]  # type: ignore[list-item]


def test_fix_case() -> None:
    assert fix_case("ANN LEE") == "Ann Lee"
    assert fix_case("ann lee") == "Ann Lee"
    assert fix_case("Ann McLee") == "Ann McLee"
    assert fix_case("A. B. LEE") == "A. B. Lee"
    assert fix_case("ntv.com.tr") == "ntv.com.tr" and fix_case("NTV") == "NTV"
