import pytest
from django.urls import reverse

from departments.models import OrgUnit
from tests.factories import BudgetSectionFactory, OrgUnitFactory, PositionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_client(client, role_users):
    client.force_login(role_users["personalamt"])
    return client


def test_it_creates_a_sub_unit(hr_client):
    amt = OrgUnitFactory(code="29")
    page = hr_client.get(reverse("orgunits:create"), {"parent": amt.pk})
    assert f'<option value="{amt.pk}" selected>' in page.content.decode()
    response = hr_client.post(
        reverse("orgunits:create"),
        {"code": "29-4", "name": "Abteilung 4", "kind": "abteilung", "parent": amt.pk},
    )
    unit = OrgUnit.objects.get(code="29-4")
    assert response.status_code == 302
    assert response["Location"] == reverse("orgunits:detail", args=[unit.pk])
    assert unit.parent == amt


def test_it_refuses_a_duplicate_code_next_to_the_field(hr_client):
    OrgUnitFactory(code="29", name="Jobcenter")
    response = hr_client.post(
        reverse("orgunits:create"), {"code": "29", "name": "x", "kind": "amt"}
    )
    html = response.content.decode()
    assert 'id="id_code_error"><li>Das Kürzel „29“ ist schon vergeben (29 Jobcenter).' in html


def test_it_offers_no_parent_below_the_unit(hr_client):
    amt = OrgUnitFactory(code="29")
    child = OrgUnitFactory(code="29-1", parent=amt)
    html = hr_client.get(reverse("orgunits:update", args=[amt.pk])).content.decode()
    assert f'<option value="{child.pk}">{child}</option>' not in html
    assert "29-1" not in html
    response = hr_client.post(
        reverse("orgunits:update", args=[amt.pk]),
        {"code": "29", "name": "Jobcenter", "kind": "amt", "parent": child.pk, "version": 1},
    )
    assert "Diese Einheit kann nicht übergeordnet werden" in response.content.decode()


def test_it_edits_a_unit(hr_client):
    section = BudgetSectionFactory(number="290")
    unit = OrgUnitFactory(code="29", name="Jobcenter", budget_section=None)
    response = hr_client.post(
        reverse("orgunits:update", args=[unit.pk]),
        {
            "code": "29",
            "name": "Jobcenter Stuttgart",
            "kind": "amt",
            "budget_section": section.pk,
            "version": 1,
        },
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.name, unit.budget_section, unit.version) == ("Jobcenter Stuttgart", section, 2)


def test_it_refuses_to_delete_a_unit_with_positions(hr_client):
    unit = OrgUnitFactory()
    PositionFactory(org_unit=unit)
    page = hr_client.get(reverse("orgunits:delete", args=[unit.pk])).content.decode()
    assert "ihr sind noch 1 Stelle zugeordnet" in page
    assert "Endgültig löschen" not in page
    response = hr_client.post(
        reverse("orgunits:delete", args=[unit.pk]), {"version": 1}, follow=True
    )
    assert "kann nicht gelöscht werden: ihr sind noch 1 Stelle zugeordnet" in (
        response.content.decode()
    )
    assert OrgUnit.objects.filter(pk=unit.pk).exists()


def test_it_deletes_an_empty_unit(hr_client):
    unit = OrgUnitFactory()
    response = hr_client.post(reverse("orgunits:delete", args=[unit.pk]), {"version": 1})
    assert response.status_code == 302
    assert response["Location"] == reverse("orgunits:tree")
    assert not OrgUnit.objects.filter(pk=unit.pk).exists()


def test_it_forbids_unit_changes_to_the_kaemmerei(client, role_users):
    unit = OrgUnitFactory()
    client.force_login(role_users["kaemmerei"])
    assert client.get(reverse("orgunits:update", args=[unit.pk])).status_code == 403
    response = client.post(reverse("orgunits:delete", args=[unit.pk]), {"version": 1})
    assert response.status_code == 403
    assert OrgUnit.objects.filter(pk=unit.pk).exists()
