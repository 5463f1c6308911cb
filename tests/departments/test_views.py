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


@pytest.mark.parametrize(("existing", "entered"), [("29", "29"), ("WFB", "wfb"), ("wfb", "WfB")])
def test_it_refuses_a_duplicate_code_next_to_the_field(hr_client, existing, entered):
    unit = OrgUnitFactory(code=existing, name="Jobcenter")
    response = hr_client.post(
        reverse("orgunits:create"), {"code": entered, "name": "x", "kind": "amt"}
    )
    html = response.content.decode()
    assert (
        f'id="id_code_error"><li>Das Kürzel „{entered}“ ist schon vergeben ({unit}); Groß- und '
        "Kleinschreibung zählen dabei nicht." in html
    )
    assert OrgUnit.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "parent", "message"),
    [
        (
            "abteilung",
            False,
            "Eine Einheit der Art „Abteilung“ liegt unterhalb eines Amtes: bitte die "
            "übergeordnete Einheit angeben.",
        ),
        (
            "sachgebiet",
            False,
            "Eine Einheit der Art „Sachgebiet“ liegt unterhalb eines Amtes: bitte die "
            "übergeordnete Einheit angeben.",
        ),
        (
            "referat",
            True,
            "Ein Referat ist eine oberste Einheit: die übergeordnete Einheit muss leer bleiben.",
        ),
    ],
)
def test_it_names_the_parent_rule_of_the_kind_at_the_parent_field(hr_client, kind, parent, message):
    amt = OrgUnitFactory(code="29")
    data = {"code": "29-9", "name": "Neu", "kind": kind}
    if parent:
        data["parent"] = amt.pk
    response = hr_client.post(reverse("orgunits:create"), data)
    assert response.status_code == 200
    assert f'id="id_parent_error"><li>{message}</li>' in response.content.decode()
    assert not OrgUnit.objects.filter(code="29-9").exists()


def test_it_refuses_to_make_an_abteilung_top_level_on_edit(hr_client):
    amt = OrgUnitFactory(code="29")
    abteilung = OrgUnitFactory(code="29-2", kind="abteilung", parent=amt, budget_section=None)
    response = hr_client.post(
        reverse("orgunits:update", args=[abteilung.pk]),
        {"code": "29-2", "name": "Abteilung 2", "kind": "abteilung", "parent": "", "version": 1},
    )
    assert response.status_code == 200
    assert "liegt unterhalb eines Amtes" in response.content.decode()
    abteilung.refresh_from_db()
    assert abteilung.parent == amt


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


def test_it_checks_a_move_through_the_page_for_a_cycle(hr_client, monkeypatch):
    """Two moves at once, 7 under 9 and 9 under 7: both forms were checked against the tree
    before either was saved. The page hands the service the unit as loaded (not the form's
    changed copy), so the service sees the move, checks it under its tree lock and refuses
    the cycle with a German message at the field."""
    from departments import services
    from departments.selectors import org_tree
    from departments.services import orgunit_update

    amt = OrgUnitFactory(code="29")
    seven = OrgUnitFactory(code="29-7", kind="abteilung", parent=amt, budget_section=None)
    nine = OrgUnitFactory(code="29-9", kind="abteilung", parent=amt, budget_section=None)
    tree_when_opened = org_tree()  # the tree both forms were checked against
    monkeypatch.setattr("front.forms.orgunits.org_tree", lambda: tree_when_opened)
    orgunit_update(
        acting_user=None, unit=nine, expected_version=1, data={"parent": seven}
    )  # the other move, saved first: 9 under 7
    seen = []
    check_parent = services._check_parent
    monkeypatch.setattr(
        services,
        "_check_parent",
        lambda unit, parent: seen.append((unit.parent_id, parent.pk)) or check_parent(unit, parent),
    )
    response = hr_client.post(
        reverse("orgunits:update", args=[seven.pk]),
        {"code": "29-7", "name": seven.name, "kind": "abteilung", "parent": nine.pk, "version": 1},
    )
    assert seen == [(amt.pk, nine.pk)]  # the service saw the move from 29 to 29-9
    assert response.status_code == 200
    assert (
        f"„{nine}“ liegt unterhalb von „29-7“ und kann ihr daher nicht übergeordnet werden "
        "(der Baum darf keinen Kreis bilden)." in response.content.decode()
    )
    seven.refresh_from_db()
    assert (seven.parent, seven.version) == (amt, 1)


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


def test_it_asks_again_for_a_delete_confirmation_without_its_version(hr_client):
    unit = OrgUnitFactory()
    url = reverse("orgunits:delete", args=[unit.pk])
    response = hr_client.post(url, {}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert (
        "Die Organisationseinheit wurde nicht gelöscht: die Bestätigung war unvollständig. "
        "Bitte erneut bestätigen." in response.content.decode()
    )
    assert OrgUnit.objects.filter(pk=unit.pk).exists()
