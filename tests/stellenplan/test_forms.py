from datetime import date
from decimal import Decimal

import pytest
from django import forms

from front.forms.positions import FteField, PositionForm
from tests.factories import OrgUnitFactory, PayGradeFactory


@pytest.mark.parametrize(
    ("entered", "expected"),
    [
        ("0,5", "0.50"),
        ("0.5", "0.50"),
        (" 0,25 ", "0.25"),
        ("1", "1.00"),
        ("1,0", "1.00"),
        (",5", "0.50"),
        ("50 %", "0.50"),
        ("0,01", "0.01"),
    ],
)
def test_it_reads_german_and_english_decimal_shares(entered, expected):
    assert FteField().clean(entered) == Decimal(expected)


@pytest.mark.parametrize(
    ("entered", "message"),
    [
        ("halbe", "„halbe“ ist keine Zahl"),
        ("1e-1", "ist keine Zahl"),
        ("", "Bitte die Anzahl der Stellen angeben"),
    ],
)
def test_it_rejects_what_is_no_share(entered, message):
    with pytest.raises(forms.ValidationError) as error:
        FteField().clean(entered)
    assert message in " ".join(error.value.messages)


@pytest.mark.parametrize("entered", ["0.500", "1,5", "0", "-0,5", "0,125"])
def test_the_field_only_reads_the_range_is_the_models_rule(entered):
    assert FteField().clean(entered) == FteField.read(entered)


@pytest.mark.parametrize(
    ("entered", "message"),
    [
        (
            "0.500",
            "„0.500“ wurde als 500 gelesen (der Punkt gilt im Deutschen als Tausendertrennzeichen)",
        ),
        ("1,5", "„1,5“ wurde als 1,5 gelesen. Die Anzahl der Stellen darf höchstens 1,0 sein"),
        ("1.000", "wurde als 1.000 gelesen"),
        ("0", "muss größer als 0 sein"),
        ("-0,5", "muss größer als 0 sein"),
        ("0,125", "mehr als zwei Nachkommastellen"),
    ],
)
def test_it_rejects_unclear_shares_saying_what_it_understood(form_data, entered, message):
    form = PositionForm({**form_data, "fte": entered})
    assert not form.is_valid()
    assert len(form.errors["fte"]) == 1
    assert message in form.errors["fte"][0]
    assert not form.non_field_errors()


def test_it_shows_a_share_the_german_way():
    assert FteField().prepare_value(Decimal("0.50")) == "0,5"
    assert FteField().prepare_value(Decimal("1.00")) == "1,0"


@pytest.fixture
def form_data(db):
    return {
        "org_unit": OrgUnitFactory().pk,
        "pay_grade": PayGradeFactory().pk,
        "fte": "0,5",
        "title": "Sachbearbeitung Finanzen",
        "start_date": "01.10.2011",
        "end_date": "",
        "note": "",
        "note_date": "",
    }


def test_it_accepts_german_dates_and_shares(form_data):
    form = PositionForm(form_data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["start_date"] == date(2011, 10, 1)
    assert form.cleaned_data["fte"] == Decimal("0.50")


def test_it_puts_errors_next_to_the_field_in_german(form_data):
    form = PositionForm(
        {**form_data, "fte": "0.500", "start_date": "32.13.2011", "end_date": "", "title": ""}
    )
    assert not form.is_valid()
    assert "wurde als 500 gelesen" in form.errors["fte"][0]
    assert form.errors["start_date"] == [
        "„32.13.2011“ ist kein gültiges Datum. Bitte im Format TT.MM.JJJJ eingeben, z. B. 01.10.2011."
    ]
    assert form.errors["title"] == ["Dieses Feld ist zwingend erforderlich."]
    assert not form.non_field_errors()


def test_it_reports_an_end_before_the_start_at_the_end_field(form_data):
    form = PositionForm({**form_data, "start_date": "01.10.2011", "end_date": "30.09.2011"})
    assert not form.is_valid()
    assert form.errors["end_date"] == [
        "Das Ende (30.09.2011) darf nicht vor dem Beginn (01.10.2011) liegen."
    ]
    assert not form.non_field_errors()


def test_it_reports_a_note_date_without_note_at_the_note_date_field(form_data):
    form = PositionForm({**form_data, "note_date": "01.01.2015"})
    assert not form.is_valid()
    assert "setzt einen Stellenvermerk" in form.errors["note_date"][0]
    assert not form.non_field_errors()


def test_it_refuses_an_implausible_year(form_data):
    form = PositionForm({**form_data, "start_date": "01.10.0011"})
    assert not form.is_valid()
    assert "nicht plausibel" in form.errors["start_date"][0]
