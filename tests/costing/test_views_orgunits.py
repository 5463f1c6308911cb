import pytest
from django.urls import reverse

from departments.models import OrgUnit
from departments.services import orgunit_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client, role_users):
    client.force_login(role_users["kaemmerei"])
    return client


def test_it_shows_the_tree_with_rolled_up_figures(seed, reader):
    html = reader.get(reverse("orgunits:tree"), {"year": 2012}).content.decode()
    jobcenter = html.split('<tr class="depth-0">', 5)
    assert len(jobcenter) == 6  # five top-level units
    row = html.split(">29</a></td>", 1)[1].split("</tr>", 1)[0]
    assert "5,5" in row and "478.500\xa0€" in row and "405.768\xa0€" in row
    sub = html.split(">10-5</a></td>", 1)[1].split("</tr>", 1)[0]
    assert "0,7" in sub and "55.920\xa0€" in sub  # 10-5.1 and 10-5.3 rolled up
    assert html.index(">10-5<") < html.index(">10-5.1<") < html.index(">14<")
    assert '<tr class="depth-2">' in html
    assert "Neue Org.einheit" not in html


def test_it_shows_a_unit_with_sub_units_positions_and_history(seed, client, role_users):
    unit = OrgUnit.objects.get(code="29")
    orgunit_update(
        acting_user=role_users["personalamt"],
        unit=unit,
        expected_version=unit.version,
        data={"name": "Jobcenter Stuttgart"},
    )
    client.force_login(role_users["personalamt"])
    html = client.get(reverse("orgunits:detail", args=[unit.pk]), {"year": 2012}).content.decode()
    assert "29 Jobcenter Stuttgart" in html
    assert '<span class="value">478.500\xa0€</span>' in html
    children = html.split('id="untereinheiten"', 1)[1].split("</table>", 1)[0]
    assert ">29-1<" in children and ">29-3<" in children and ">29AL<" in children
    positions = html.split('id="stellen"', 1)[1].split('id="historie"', 1)[0]
    assert positions.count("<tr ") == 6 + 0  # six positions of the Jobcenter and its sub-units
    assert "Summe (6 Zeilen)" in positions
    assert (
        'Bezeichnung: <span class="old">Jobcenter</span> → <span class="new">Jobcenter Stuttgart</span>'
        in html
    )
    assert reverse("orgunits:update", args=[unit.pk]) in html
    assert f"{reverse('positions:create')}?org_unit={unit.pk}" in html


def test_it_hides_the_edit_buttons_from_other_roles(seed, reader):
    unit = OrgUnit.objects.get(code="29")
    html = reader.get(reverse("orgunits:detail", args=[unit.pk])).content.decode()
    assert reverse("orgunits:update", args=[unit.pk]) not in html
    assert "Neue Stelle hier" not in html


def test_it_answers_404_for_an_unknown_unit(db, reader):
    assert reader.get(reverse("orgunits:detail", args=[999])).status_code == 404
