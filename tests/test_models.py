"""Model validation gives German messages naming the field (the database constraints back it)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from stellenplan.models import Position
from tests.factories import OrgUnitFactory, PayGradeFactory

pytestmark = pytest.mark.django_db


def make(**overrides) -> Position:
    fields = {
        "org_unit": OrgUnitFactory(),
        "pay_grade": PayGradeFactory(),
        "fte": Decimal("0.50"),
        "title": "SB Test",
        "start_date": date(2012, 1, 1),
    }
    fields.update(overrides)
    return Position(**fields)


@pytest.mark.parametrize("fte", [Decimal("0"), Decimal("-0.5"), Decimal("1.5"), Decimal("500")])
def test_it_rejects_fte_out_of_range_with_a_german_message(fte):
    with pytest.raises(ValidationError) as raised:
        make(fte=fte).full_clean()
    errors = raised.value.message_dict
    assert list(errors) == ["fte"]
    assert (
        "Stelle" in errors["fte"][0]
        or "kleiner" in errors["fte"][0]
        or "größer" in errors["fte"][0]
    )


def test_it_accepts_a_valid_position():
    make(fte=Decimal("0.10")).full_clean()


def test_it_rejects_an_end_before_the_start_in_german():
    position = make(start_date=date(2012, 5, 1), end_date=date(2012, 4, 1))
    with pytest.raises(ValidationError) as raised:
        position.full_clean()
    assert raised.value.message_dict == {
        "end_date": ["Das Ende (01.04.2012) darf nicht vor dem Beginn (01.05.2012) liegen."]
    }
