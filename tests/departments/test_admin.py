"""The admin cannot move an org unit past the cycle check of the services."""

import pytest
from django.urls import reverse

from departments.models import OrgUnit
from tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db


def test_it_shows_the_parent_read_only_on_change_and_keeps_it(admin_client):
    amt = OrgUnitFactory(code="29", name="Jobcenter")
    child = OrgUnitFactory(code="29-1", kind="abteilung", parent=amt, budget_section=None)
    url = reverse("admin:departments_orgunit_change", args=[amt.pk])
    assert 'name="parent"' not in admin_client.get(url).content.decode()
    response = admin_client.post(
        url,
        {
            "kind": "amt",
            "code": "29",
            "name": "Jobcenter neu",
            "parent": child.pk,
            "opened_version": amt.version,
        },
    )
    assert response.status_code == 302
    amt.refresh_from_db()
    assert (amt.name, amt.parent) == ("Jobcenter neu", None)  # no cycle 29 → 29-1 → 29


def test_it_offers_the_parent_when_adding(admin_client):
    amt = OrgUnitFactory(code="29")
    page = admin_client.get(reverse("admin:departments_orgunit_add")).content.decode()
    assert 'name="parent"' in page
    response = admin_client.post(
        reverse("admin:departments_orgunit_add"),
        {"kind": "abteilung", "code": "29-2", "name": "Abteilung 2", "parent": amt.pk},
    )
    assert response.status_code == 302
    assert OrgUnit.objects.get(code="29-2").parent == amt
