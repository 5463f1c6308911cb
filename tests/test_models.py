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


def test_a_rule_of_two_dates_is_reported_at_its_field_with_both_dates():
    from costing.models import ReimbursementRule

    rule = ReimbursementRule(
        name="Zuschuss",
        rate=Decimal("0.5"),
        valid_from=date(2012, 1, 1),
        valid_to=date(2011, 12, 31),
    )
    with pytest.raises(ValidationError) as raised:
        rule.full_clean()
    assert raised.value.message_dict == {
        "valid_to": ["„gültig bis“ (31.12.2011) darf nicht vor „gültig ab“ (01.01.2012) liegen."]
    }


def test_an_org_unit_cannot_be_its_own_parent_at_the_parent_field():
    unit = OrgUnitFactory()
    unit.parent_id = unit.pk
    with pytest.raises(ValidationError) as raised:
        unit.full_clean()
    assert list(raised.value.message_dict) == ["parent"]
    assert "nicht sich selbst übergeordnet" in raised.value.message_dict["parent"][0]


def test_a_field_constraint_survives_the_migration_round_trip():
    from core.constraints import FieldCheckConstraint

    constraint = next(
        c for c in Position._meta.constraints if c.name == "position_start_before_end"
    )
    path, args, kwargs = constraint.deconstruct()
    assert path == "core.constraints.FieldCheckConstraint"
    assert FieldCheckConstraint(*args, **kwargs) == constraint
    assert constraint.fields == {"start_date", "end_date"}


# --- befristet: an end date makes a position befristet (Position.clean) -----------------------


def test_an_end_date_makes_the_position_befristet():
    position = make(end_date=date(2014, 12, 31), fixed_term=False)
    position.full_clean()
    assert position.fixed_term is True


@pytest.mark.parametrize("fixed_term", [False, True])
def test_without_an_end_date_befristet_stays_as_given(fixed_term):
    position = make(fixed_term=fixed_term)
    position.full_clean()
    assert position.fixed_term is fixed_term
    assert Position.fixed_term_for(None, fixed_term) is fixed_term
    assert Position.fixed_term_for(date(2014, 12, 31), fixed_term) is True


def test_a_service_saves_a_position_with_an_end_as_befristet():
    from stellenplan.services import position_create, position_update

    position = position_create(
        acting_user=None,
        org_unit=OrgUnitFactory(),
        pay_grade=PayGradeFactory(),
        fte=Decimal("1.00"),
        title="SB",
        start_date=date(2012, 1, 1),
        end_date=date(2014, 12, 31),
        fixed_term=False,
    )
    position.refresh_from_db()
    assert position.fixed_term is True
    unended = position_create(
        acting_user=None,
        org_unit=position.org_unit,
        pay_grade=position.pay_grade,
        fte=Decimal("1.00"),
        title="SB 2",
        start_date=date(2012, 1, 1),
    )
    assert unended.fixed_term is False
    position_update(
        acting_user=None,
        position=unended,
        expected_version=unended.version,
        data={"end_date": date(2013, 6, 30)},
    )
    unended.refresh_from_db()
    assert unended.fixed_term is True


def _constraints_with_messages():
    from django.apps import apps

    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.violation_error_message is not None:
                yield pytest.param(model, constraint, id=constraint.name)


class _AnyValue(dict):
    def __missing__(self, key):
        return f"<{key}>"


@pytest.mark.parametrize(("model", "constraint"), list(_constraints_with_messages()))
def test_every_constraint_message_formats_with_its_values(model, constraint):
    """Red team (issue 21): a bare "%" in a message ("kleiner als 100 % sein") made the
    violation a 500 instead of the German message."""
    message = str(constraint.violation_error_message) % _AnyValue()
    assert "%(" not in message
    assert message.endswith((".", "?", "!"))


def test_a_negative_distribution_percent_is_a_german_message():
    from stellenplan.models import WorkingTime

    working_time = WorkingTime(
        status_group=WorkingTime._meta.get_field("status_group").choices[0][0],
        weekly_hours=Decimal("39"),
        annual_hours=Decimal("1600"),
        distribution_percent=Decimal("-5"),
        valid_from=date(2012, 1, 1),
        source="KGSt",
    )
    with pytest.raises(ValidationError) as raised:
        working_time.full_clean()
    message = raised.value.message_dict["distribution_percent"][0]
    assert message == (
        "Der Verteilzeitzuschlag (-5,0 %) muss mindestens 0 und kleiner als 100 % sein."
    )
