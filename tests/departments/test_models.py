"""The org unit rules the database holds: parents by kind, codes unique ignoring case."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from departments.models import OrgUnit
from tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db

NEEDS_PARENT = (
    "Eine Einheit der Art „{kind}“ liegt unterhalb eines Amtes: bitte die übergeordnete "
    "Einheit angeben."
)
REFERAT_TOP = "Ein Referat ist eine oberste Einheit: die übergeordnete Einheit muss leer bleiben."


@pytest.mark.parametrize(
    ("kind", "label"), [("abteilung", "Abteilung"), ("sachgebiet", "Sachgebiet")]
)
def test_a_unit_below_amt_level_needs_a_parent(kind, label):
    unit = OrgUnit(kind=kind, code="29-2", name="Abteilung 2")
    with pytest.raises(ValidationError) as raised:
        unit.full_clean()
    assert raised.value.message_dict == {"parent": [NEEDS_PARENT.format(kind=label)]}
    with pytest.raises(IntegrityError), transaction.atomic():
        OrgUnit.objects.create(kind=kind, code="29-2", name="Abteilung 2")  # the database too


def test_a_referat_is_top_level_only():
    amt = OrgUnitFactory(code="10")
    referat = OrgUnit(kind="referat", code="WFB", name="Referat", parent=amt)
    with pytest.raises(ValidationError) as raised:
        referat.full_clean()
    assert raised.value.message_dict == {"parent": [REFERAT_TOP]}
    with pytest.raises(IntegrityError), transaction.atomic():
        OrgUnit.objects.create(kind="referat", code="WFB", name="Referat", parent=amt)


@pytest.mark.parametrize("kind", ["referat", "amt"])
def test_a_referat_or_an_amt_may_be_top_level(kind):
    OrgUnit(kind=kind, code="WFB", name="oben").full_clean()


def test_an_amt_may_be_below_a_referat_and_an_abteilung_below_an_amt():
    referat = OrgUnitFactory(kind="referat", code="WFB")
    amt = OrgUnitFactory(kind="amt", code="20", parent=referat)
    OrgUnit(kind="abteilung", code="20-1", name="Abteilung", parent=amt).full_clean()


@pytest.mark.parametrize(
    ("existing", "entered"), [("WFB", "wfb"), ("wfb", "WFB"), ("29al", "29AL")]
)
def test_codes_are_unique_ignoring_case(existing, entered):
    OrgUnitFactory(code=existing)
    unit = OrgUnit(kind="amt", code=entered, name="Zweite")
    with pytest.raises(ValidationError) as raised:
        unit.full_clean()
    assert raised.value.message_dict == {
        "code": [
            f"Das Kürzel „{entered}“ ist schon vergeben (Groß- und Kleinschreibung zählen "
            "dabei nicht)."
        ]
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        OrgUnit.objects.create(kind="amt", code=entered, name="Zweite")


def test_a_unit_keeps_its_own_code_in_another_case():
    unit = OrgUnitFactory(code="wfb")
    unit.code = "WFB"
    unit.full_clean()  # itself is no clash
    unit.save()
    assert OrgUnit.objects.get().code == "WFB"


def test_the_reference_data_keeps_the_rules(seed):
    units = list(OrgUnit.objects.all())
    assert len(units) == 19
    for unit in units:
        unit.full_clean()
    assert {u.code for u in units if u.parent_id is None} == {"WFB", "10", "14", "20", "29"}
