import pytest
from django.core.exceptions import ValidationError

from core.concurrency import ConcurrentEditError, DeleteRefusedError
from core.formatting import format_decimal
from departments.models import OrgUnit
from departments.services import hold_orgunits, orgunit_create, orgunit_delete, orgunit_update
from stellenplan.services import PositionsRefused, positions_import
from tests.factories import OrgUnitFactory, PositionFactory, ReimbursementRuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(role_users):
    return role_users["personalamt"]


def test_it_creates_a_unit_under_a_parent(hr):
    amt = OrgUnitFactory(code="29")
    unit = orgunit_create(
        acting_user=hr, kind="abteilung", code="29-4", name="Abteilung 4", parent=amt
    )
    assert unit.parent == amt
    assert unit.history.get().history_user == hr


def test_it_refuses_a_parent_below_the_unit(hr):
    amt = OrgUnitFactory(code="29")
    abteilung = OrgUnitFactory(code="29-1", parent=amt)
    sachgebiet = OrgUnitFactory(code="29-1.1", parent=abteilung)
    with pytest.raises(ValidationError) as error:
        orgunit_update(acting_user=hr, unit=amt, expected_version=1, data={"parent": sachgebiet})
    assert "liegt unterhalb von „29“" in str(error.value)
    amt.refresh_from_db()
    assert amt.parent is None


def test_it_refuses_a_stale_edit(hr):
    unit = OrgUnitFactory(name="alt")
    OrgUnit.objects.filter(pk=unit.pk).update(version=2, name="neu von anderen")
    with pytest.raises(ConcurrentEditError) as error:
        orgunit_update(acting_user=hr, unit=unit, expected_version=1, data={"name": "meins"})
    assert "Bezeichnung: Ihre Eingabe „meins“, gespeichert ist „neu von anderen“" in str(
        error.value
    )


@pytest.mark.parametrize(
    ("setup", "named"),
    [
        (lambda unit: PositionFactory(org_unit=unit), "1 Stelle"),
        (lambda unit: [PositionFactory(org_unit=unit) for _ in range(2)], "2 Stellen"),
        (lambda unit: OrgUnitFactory(parent=unit), "1 Untereinheit"),
        (
            lambda unit: ReimbursementRuleFactory().org_units.add(unit),
            "1 Erstattungsregel",
        ),
    ],
)
def test_it_refuses_to_delete_a_unit_in_use_and_says_why(hr, setup, named):
    unit = OrgUnitFactory(code="10-1", name="Allgemeiner Service")
    setup(unit)
    with pytest.raises(DeleteRefusedError) as error:
        orgunit_delete(acting_user=hr, unit=unit, expected_version=1)
    assert str(error.value) == (
        f"Die Organisationseinheit „10-1 Allgemeiner Service“ kann nicht gelöscht werden: ihr "
        f"sind noch {named} zugeordnet. Ordnen Sie diese zuerst einer anderen Einheit zu."
    )
    assert OrgUnit.objects.filter(pk=unit.pk).exists()


def test_it_names_everything_in_the_way(hr):
    unit = OrgUnitFactory()
    PositionFactory(org_unit=unit)
    OrgUnitFactory(parent=unit)
    OrgUnitFactory(parent=unit)
    with pytest.raises(DeleteRefusedError) as error:
        orgunit_delete(acting_user=hr, unit=unit, expected_version=1)
    assert "2 Untereinheiten und 1 Stelle" in str(error.value) or (
        "1 Stelle und 2 Untereinheiten" in str(error.value)
    )


def test_it_deletes_an_unused_unit_keeping_its_history(hr):
    unit = OrgUnitFactory(code="X1")
    pk = unit.pk
    orgunit_delete(acting_user=hr, unit=unit, expected_version=1)
    assert not OrgUnit.objects.filter(pk=pk).exists()
    assert OrgUnit.history.filter(id=pk, history_type="-").get().history_user == hr


@pytest.mark.parametrize(
    ("value", "text"),
    [("0.50", "0,5"), ("1.00", "1,0"), ("0.25", "0,25"), ("1234.5", "1.234,5"), ("-3", "-3,0")],
)
def test_it_formats_decimals_the_german_way(value, text):
    from decimal import Decimal

    assert format_decimal(Decimal(value)) == text


def test_it_refuses_a_move_that_closes_a_cycle_with_a_sibling(hr):
    a = OrgUnitFactory(code="A")
    b = OrgUnitFactory(code="B")
    orgunit_update(acting_user=hr, unit=a, expected_version=1, data={"parent": b})
    with pytest.raises(ValidationError) as error:
        orgunit_update(acting_user=hr, unit=b, expected_version=1, data={"parent": a})
    assert error.value.message_dict["parent"] == [
        f"„{a}“ liegt unterhalb von „B“ und kann ihr daher nicht übergeordnet werden (der Baum "
        "darf keinen Kreis bilden)."
    ]
    b.refresh_from_db()
    assert b.parent is None
    assert b.version == 1


def test_it_moves_a_unit_and_keeps_a_rename_without_move_unlocked(hr):
    amt = OrgUnitFactory(code="29")
    other = OrgUnitFactory(code="30")
    unit = OrgUnitFactory(code="29-1", parent=amt, kind="abteilung")
    orgunit_update(acting_user=hr, unit=unit, expected_version=1, data={"parent": other})
    unit.refresh_from_db()
    assert (unit.parent, unit.version) == (other, 2)
    orgunit_update(
        acting_user=hr, unit=unit, expected_version=2, data={"parent": other, "name": "neu"}
    )
    unit.refresh_from_db()
    assert (unit.name, unit.version) == ("neu", 3)


def test_it_refuses_a_parent_deleted_meanwhile_in_german(hr):
    amt = OrgUnitFactory(code="29", name="Jobcenter")
    unit = OrgUnitFactory(code="30")
    OrgUnit.objects.filter(pk=amt.pk).delete()  # after the form offered it
    with pytest.raises(ValidationError) as error:
        orgunit_create(acting_user=hr, kind="abteilung", code="29-4", name="A4", parent=amt)
    assert error.value.message_dict == {
        "parent": [
            "Die Organisationseinheit „29 Jobcenter“ wurde inzwischen gelöscht. Bitte wählen "
            "Sie eine andere Einheit."
        ]
    }
    with pytest.raises(ValidationError) as error:
        orgunit_update(acting_user=hr, unit=unit, expected_version=1, data={"parent": amt})
    assert "wurde inzwischen gelöscht" in error.value.message_dict["parent"][0]
    assert not OrgUnit.objects.filter(code="29-4").exists()
    unit.refresh_from_db()
    assert (unit.parent, unit.version) == (None, 1)


def test_it_refuses_a_unit_without_the_parent_its_kind_needs(hr):
    with pytest.raises(ValidationError) as error:
        orgunit_create(acting_user=hr, kind="abteilung", code="29-2", name="Abteilung 2")
    assert "liegt unterhalb eines Amtes" in error.value.message_dict["parent"][0]
    assert not OrgUnit.objects.exists()


def test_it_refuses_a_code_taken_in_another_case(hr):
    OrgUnitFactory(code="WFB")
    with pytest.raises(ValidationError) as error:
        orgunit_create(acting_user=hr, kind="referat", code="wfb", name="Referat")
    assert error.value.message_dict == {
        "code": [
            "Das Kürzel „wfb“ ist schon vergeben (Groß- und Kleinschreibung zählen dabei nicht)."
        ]
    }
    assert OrgUnit.objects.count() == 1


def test_it_holds_the_units_an_import_points_at_and_names_the_ones_gone():
    kept = OrgUnitFactory(code="29")
    gone = OrgUnitFactory(code="30")
    gone_id = gone.pk
    gone.delete()
    assert hold_orgunits([kept.pk, gone_id, kept.pk]) == {kept.pk}
    assert hold_orgunits([]) == set()


def test_an_import_into_a_unit_deleted_meanwhile_is_refused_not_a_failed_commit(hr):
    unit = OrgUnitFactory(code="29")
    row = PositionFactory.build(org_unit=unit)
    row.pay_grade.save()
    unit.delete()
    with pytest.raises(PositionsRefused) as refused:
        positions_import(acting_user=hr, positions=[row])
    assert "org_unit" in refused.value.errors[0].message_dict
