"""core.records: the one writer and reader of frozen documents (no database)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from core.records import RecordFormat, RecordFormatError


@dataclass
class Line:
    grade: str
    fte: Decimal
    until: date | None = None


@dataclass
class Sheet:
    title: str
    lines: list[Line]
    adopted_on: date
    total: Decimal = Decimal("0")
    notes: list[str] = field(default_factory=list)


SHEET = RecordFormat(Sheet, version=1, label="Das Testblatt")
EXAMPLE = Sheet(
    title="Stellenplan",
    lines=[Line("A 13 hD", Decimal("2.0")), Line("EG 6", Decimal("1.10"), date(2013, 6, 30))],
    adopted_on=date(2011, 12, 15),
    total=Decimal("3.10"),
)


def stored(value: Sheet) -> dict[str, Any]:
    """As the JSON column gives it back."""
    return json.loads(json.dumps(SHEET.write(value)))


def test_it_round_trips_decimals_and_dates_with_the_version():
    data = stored(EXAMPLE)
    assert data["format"] == 1
    assert data["lines"][1] == {"grade": "EG 6", "fte": "1.10", "until": "2013-06-30"}
    assert data["adopted_on"] == "2011-12-15"
    again = SHEET.read(data)
    assert again == EXAMPLE
    assert isinstance(again.lines[1].fte, Decimal) and again.lines[1].fte == Decimal("1.10")


def test_a_record_without_a_version_reads_as_version_1_with_defaults_and_extra_keys():
    data = stored(EXAMPLE)
    del data["format"], data["total"], data["notes"]
    data["lines"][0]["removed_column"] = "x"  # a key this release no longer knows
    again = SHEET.read(data)
    assert again.total == Decimal("0") and again.notes == []
    assert again.lines[0] == Line("A 13 hD", Decimal("2.0"))


def test_upgrade_steps_run_in_order_from_the_stored_version():
    calls: list[int] = []

    def step(version: int, rename: tuple[str, str] | None = None):
        def upgrade(data: dict[str, Any]) -> dict[str, Any]:
            calls.append(version)
            if rename:
                data = dict(data)
                data[rename[1]] = data.pop(rename[0])
            return data

        return upgrade

    v3 = RecordFormat(
        Sheet,
        version=3,
        label="Das Testblatt",
        upgrades={1: step(1, ("name", "title")), 2: step(2)},
    )
    old = stored(EXAMPLE)
    old["name"] = old.pop("title")
    del old["format"]
    assert v3.read(old).title == "Stellenplan"
    assert calls == [1, 2]
    calls.clear()
    assert v3.read({**stored(EXAMPLE), "format": 2}).title == "Stellenplan"
    assert calls == [2]


def test_an_upgrade_step_outside_the_versions_is_a_programming_error():
    with pytest.raises(ValueError, match="Upgrade steps"):
        RecordFormat(Sheet, version=2, label="x", upgrades={2: lambda data: data})


def test_a_newer_version_is_refused_in_german():
    with pytest.raises(RecordFormatError) as error:
        SHEET.read({**stored(EXAMPLE), "format": 2})
    assert error.value.messages == [
        "Das Testblatt wurde mit Format 2 gespeichert; diese Programmversion kennt nur die "
        "Formate 1 bis 1. Bitte die Anwendung aktualisieren; das gespeicherte Dokument bleibt "
        "unverändert."
    ]


@pytest.mark.parametrize("version", ["2", 0, True, None])
def test_an_invalid_version_is_refused_in_german(version):
    with pytest.raises(RecordFormatError, match="ungültige Formatversion"):
        SHEET.read({**stored(EXAMPLE), "format": version})


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("adopted_on"), "Feld „adopted_on“"),
        (lambda d: d["lines"][1].update(fte="1,1x"), "„1,1x“ ist keine Zahl (Feld „lines[1].fte“)"),
        (lambda d: d.update(adopted_on="15.12.2011"), "„15.12.2011“ ist kein Datum"),
        (lambda d: d.update(lines={}), "eine Liste erwartet (Feld „lines“)"),
    ],
)
def test_a_damaged_record_names_the_field_in_german(change, expected):
    data = stored(EXAMPLE)
    change(data)
    with pytest.raises(RecordFormatError) as error:
        SHEET.read(data)
    message = error.value.messages[0]
    assert message.startswith("Das Testblatt: ") and expected in message
