"""Suggestions for a misspelt code (core.suggest), with the grade key of the importers."""

import pytest

from core.suggest import closest_codes, did_you_mean
from stellenplan.imports import grade_key

GRADES = ["A 12", "A 13 gD", "A 13 hD", "A 7", "EG 9", "EG 10", "EG 19"]
UNITS = ["10", "10-5.1", "10-5.3", "20-4", "29AL", "WFB"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("E 9", ["EG 9"]),
        ("EG9", ["EG 9"]),
        ("Eg 9", ["EG 9"]),
        ("Entgeltgruppe 9", ["EG 9"]),
        ("A13gD", ["A 13 gD"]),
        ("A 13", ["A 13 gD", "A 13 hD"]),  # ambiguous: both named
        ("A 17", []),  # another number is never a typo worth suggesting
        ("B 3", []),
    ],
)
def test_it_suggests_the_grade_a_cell_most_likely_means(text, expected):
    assert closest_codes(text, GRADES, grade_key) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10 5.1", ["10-5.1"]), ("29 al", ["29AL"]), ("29AK", ["29AL"]), ("10-5.2", []), ("", [])],
)
def test_it_suggests_org_units(text, expected):
    assert closest_codes(text, UNITS) == expected


def test_the_message_names_one_or_more_codes():
    assert did_you_mean(["EG 9"]) == " Meinten Sie „EG 9“?"
    assert did_you_mean(["A 13 gD", "A 13 hD"]) == " Meinten Sie „A 13 gD“ oder „A 13 hD“?"
    assert did_you_mean([]) == ""
