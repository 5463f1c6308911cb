from decimal import Decimal

import pytest
from django import forms

from core.forms import GermanDateField, MoneyField, ShareField, german_decimal
from front.forms.costs import CostRateForm, ReimbursementRuleForm
from tests.factories import CostRateFactory, OrgUnitFactory


@pytest.mark.parametrize(
    ("text", "value"),
    [("0,5", "0.5"), ("0.5", "0.5"), ("63.000", "63000"), ("63.000,50", "63000.50"), ("-3", "-3")],
)
def test_it_reads_numbers_as_typed_here(text, value):
    assert german_decimal(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "1.2.3", "63,000.50", "1e5", "NaN"])
def test_it_refuses_what_is_not_clearly_a_number(text):
    with pytest.raises(forms.ValidationError):
        german_decimal(text)


def test_it_reads_money_and_leaves_the_rules_to_the_model(db):
    assert MoneyField().clean("63.000 €") == Decimal("63000.00")
    assert MoneyField().clean("1.234,5") == Decimal("1234.50")
    assert MoneyField().clean("1,234") == Decimal("1.234")  # read; the model refuses it
    rate = CostRateFactory()
    form = CostRateForm({"annual_cost": "1,234"}, instance=rate)
    assert not form.is_valid()
    assert "mehr als zwei Nachkommastellen" in form.errors["annual_cost"][0]
    form = CostRateForm({"annual_cost": "99.999.999.999"}, instance=rate)
    assert not form.is_valid()
    assert "zu groß" in form.errors["annual_cost"][0]
    form = CostRateForm({"annual_cost": "63.000", "material_cost": "-1"}, instance=rate)
    assert not form.is_valid()
    assert form.errors["material_cost"] == ["Die Sachkosten dürfen nicht negativ sein."]


def test_it_reads_shares_as_percent_or_fraction(db):
    assert ShareField().clean("84,8 %") == Decimal("0.8480")
    assert ShareField().clean("0,848") == Decimal("0.8480")
    assert ShareField().prepare_value(Decimal("0.8480")) == "84,8 %"
    unit = OrgUnitFactory()
    data = {"name": "Zuschuss", "org_units": [unit.pk], "valid_from": "01.01.2012"}
    form = ReimbursementRuleForm({**data, "rate": "84,8475 %"})
    assert not form.is_valid()
    assert form.errors["rate"] == [
        "„84,8475 %“ wurde als 84,8475 % gelesen. Der Erstattungssatz ist zu genau: höchstens "
        "vier Nachkommastellen als Anteil zwischen 0 und 1 (z. B. 0,8475 oder 84,75 %)."
    ]
    form = ReimbursementRuleForm({**data, "rate": "848"})
    assert not form.is_valid()
    assert form.errors["rate"] == [
        "„848“ wurde als 84.800 % gelesen. Der Erstattungssatz muss zwischen 0 und 1 (100 %) "
        "liegen."
    ]


def test_it_names_a_bad_date():
    with pytest.raises(forms.ValidationError) as error:
        GermanDateField().clean("31.02.2012")
    assert error.value.messages == [
        "„31.02.2012“ ist kein gültiges Datum. Bitte im Format TT.MM.JJJJ eingeben, z. B. 01.10.2011."
    ]


@pytest.mark.parametrize("entered", ["0,5", "0.5", " 0,5 ", "+0,5"])
def test_the_one_decimal_field_reads_german_and_english_decimals(entered):
    from core.forms import GermanDecimalField

    assert GermanDecimalField(label="Anteil").clean(entered) == Decimal("0.5")


def test_the_one_decimal_field_names_the_field_and_the_input():
    from core.forms import GermanDecimalField

    with pytest.raises(forms.ValidationError) as error:
        GermanDecimalField(label="Wochenarbeitszeit (Stunden)", example="39,5").clean("viel")
    assert error.value.messages == [
        "Wochenarbeitszeit (Stunden): „viel“ ist keine Zahl. Bitte z. B. 39,5 eingeben."
    ]


def test_the_decision_financial_item_reads_a_german_amount():
    from front.forms.decisions import FinancialItemForm

    field = FinancialItemForm.base_fields["annual_amount"]
    assert isinstance(field, MoneyField)
    assert field.clean("0.5") == Decimal("0.5")
    assert field.clean("480.000") == Decimal("480000")
