from decimal import Decimal

import pytest
from django import forms

from core.forms import GermanDateField, MoneyField, ShareField, german_decimal


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


def test_it_reads_money_with_cents_rounded_half_up_rejected_beyond():
    assert MoneyField().clean("63.000 €") == Decimal("63000.00")
    assert MoneyField().clean("1.234,5") == Decimal("1234.50")
    with pytest.raises(forms.ValidationError, match="mehr als zwei Nachkommastellen"):
        MoneyField().clean("1,234")
    with pytest.raises(forms.ValidationError, match="zu groß"):
        MoneyField().clean("99.999.999.999")


def test_it_reads_shares_as_percent_or_fraction():
    assert ShareField().clean("84,8 %") == Decimal("0.8480")
    assert ShareField().clean("0,848") == Decimal("0.8480")
    assert ShareField().prepare_value(Decimal("0.8480")) == "84,8 %"
    with pytest.raises(forms.ValidationError, match="zu genau"):
        ShareField().clean("84,8475 %")


def test_it_names_a_bad_date():
    with pytest.raises(forms.ValidationError) as error:
        GermanDateField().clean("31.02.2012")
    assert error.value.messages == [
        "„31.02.2012“ ist kein gültiges Datum. Bitte im Format TT.MM.JJJJ eingeben, z. B. 01.10.2011."
    ]
