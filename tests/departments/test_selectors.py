"""The org tree in memory (departments.selectors)."""

import pytest

from departments.models import OrgUnit
from departments.selectors import org_tree
from tests.factories import OrgUnitFactory


@pytest.mark.django_db
def test_it_offers_every_unit_by_code_with_its_str_as_label():
    amt = OrgUnitFactory(code="51", name="Jugendamt")
    OrgUnitFactory(code="51-2", name="Kitas", parent=amt, kind=OrgUnit.Kind.ABTEILUNG)
    OrgUnitFactory(code="10", name="Haupt- und Personalamt")
    expected = [(unit.pk, str(unit)) for unit in OrgUnit.objects.order_by("code")]
    assert org_tree().choices() == expected
    assert [label for _, label in expected] == [
        "10 Haupt- und Personalamt",
        "51 Jugendamt",
        "51-2 Kitas",
    ]
