"""Deleting an org unit with positions or a pay grade in use is refused, never a cascade.

Through the services (what the HR pages call), the models (PROTECT) and the admin, whose delete
page and bulk action must show Django's "cannot delete" page, not a 500.
"""

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from core.concurrency import DeleteRefusedError
from costing.models import CostRate
from departments.models import BudgetSection, OrgUnit
from departments.services import orgunit_delete
from stellenplan.models import PayGrade, Position
from stellenplan.services import paygrade_delete
from tests.factories import OrgUnitFactory, PayGradeFactory


def counts() -> dict[str, int]:
    return {
        "units": OrgUnit.objects.count(),
        "positions": Position.objects.count(),
        "grades": PayGrade.objects.count(),
        "rates": CostRate.objects.count(),
        "sections": BudgetSection.objects.count(),
    }


def unit_with_positions() -> OrgUnit:
    return OrgUnit.objects.filter(positions__isnull=False, children__isnull=True).first()


def grade_with_positions() -> PayGrade:
    return PayGrade.objects.filter(positions__isnull=False).first()


@pytest.mark.django_db
def test_it_refuses_to_delete_a_unit_with_positions(seed, admin_user):
    unit = unit_with_positions()
    before = counts()
    with pytest.raises(DeleteRefusedError) as refused:
        orgunit_delete(acting_user=admin_user, unit=unit, expected_version=unit.version)
    message = str(refused.value)
    assert f"„{unit.code} {unit.name}“ kann nicht gelöscht werden" in message
    assert f"{unit.positions.count()} Stelle" in message
    assert counts() == before
    unit.refresh_from_db()
    assert unit.version == 1  # not even the version moved


@pytest.mark.django_db
def test_it_refuses_to_delete_a_unit_with_sub_units(seed, admin_user):
    unit = OrgUnit.objects.filter(children__isnull=False).distinct().first()
    before = counts()
    with pytest.raises(DeleteRefusedError, match="Untereinheit"):
        orgunit_delete(acting_user=admin_user, unit=unit, expected_version=unit.version)
    assert counts() == before


@pytest.mark.django_db
def test_it_deletes_an_unused_unit_and_keeps_it_in_the_history(seed, admin_user):
    unit = OrgUnitFactory(code="LEER", parent=None)
    orgunit_delete(acting_user=admin_user, unit=unit, expected_version=unit.version)
    assert not OrgUnit.objects.filter(code="LEER").exists()
    assert OrgUnit.history.filter(code="LEER", history_type="-").count() == 1


@pytest.mark.django_db
def test_it_refuses_to_delete_a_pay_grade_used_by_positions(seed, admin_user):
    grade = grade_with_positions()
    before = counts()
    with pytest.raises(DeleteRefusedError) as refused:
        paygrade_delete(acting_user=admin_user, grade=grade)
    message = str(refused.value)
    assert f"Der Stellenwert „{grade.code}“ kann nicht gelöscht werden" in message
    assert "Stelle" in message
    assert counts() == before


@pytest.mark.django_db
def test_it_deletes_an_unused_pay_grade(seed, admin_user):
    grade = PayGradeFactory(code="EG 99")
    paygrade_delete(acting_user=admin_user, grade=grade)
    assert not PayGrade.objects.filter(code="EG 99").exists()


@pytest.mark.django_db
def test_the_models_protect_instead_of_cascading(seed):
    before = counts()
    with pytest.raises(ProtectedError):
        unit_with_positions().delete()
    with pytest.raises(ProtectedError):
        grade_with_positions().delete()
    with pytest.raises(ProtectedError):
        BudgetSection.objects.filter(org_units__isnull=False).first().delete()
    assert counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "pick"),
    [
        (OrgUnit, unit_with_positions),
        (PayGrade, grade_with_positions),
        (BudgetSection, lambda: BudgetSection.objects.filter(org_units__isnull=False).first()),
    ],
)
def test_the_admin_shows_cannot_delete_instead_of_a_500(seed, admin_client, model, pick):
    obj = pick()
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
    before = counts()

    page = admin_client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "würde ein Löschen der folgenden geschützten verwandten Objekte erfordern" in text

    posted = admin_client.post(url, {"post": "yes"})
    assert posted.status_code == 200
    assert "geschützten verwandten Objekte" in posted.content.decode()
    assert model.objects.filter(pk=obj.pk).exists()
    assert counts() == before


@pytest.mark.django_db
def test_the_admin_bulk_delete_refuses_too(seed, admin_client):
    url = reverse("admin:departments_orgunit_changelist")
    before = counts()
    ids = list(OrgUnit.objects.values_list("pk", flat=True))
    response = admin_client.post(
        url, {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert response.status_code == 200
    assert "geschützten verwandten Objekte" in response.content.decode()
    assert counts() == before


@pytest.mark.django_db
def test_the_delete_pages_refuse_with_a_german_message(seed, admin_client):
    unit = unit_with_positions()
    grade = grade_with_positions()
    before = counts()

    response = admin_client.post(
        reverse("orgunits:delete", args=[unit.pk]),
        {"version": unit.version},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("kann nicht gelöscht werden" in m and "Stelle" in m for m in shown), shown

    response = admin_client.post(
        reverse("paygrades:delete", args=[grade.pk]), {"version": 1}, follow=True
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any(f"„{grade.code}“ kann nicht gelöscht werden" in m for m in shown), shown
    assert counts() == before
