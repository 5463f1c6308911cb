import re
from decimal import Decimal

import pytest
from django.urls import reverse

from stellenplan.models import Position
from stellenplan.services import position_update
from tests.factories import OrgUnitFactory, PayGradeFactory, PositionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_client(client, role_users):
    client.force_login(role_users["personalamt"])
    return client


def form_data(position=None, **changes) -> dict:
    position = position or PositionFactory.build(
        org_unit=OrgUnitFactory(), pay_grade=PayGradeFactory()
    )
    data = {
        "org_unit": position.org_unit_id or position.org_unit.pk,
        "pay_grade": position.pay_grade_id or position.pay_grade.pk,
        "fte": "1,0",
        "title": position.title,
        "task_heading": "",
        "note": "",
        "note_date": "",
        "start_date": "01.01.2012",
        "end_date": "",
        "tasks": "",
        "justification": "",
    }
    data.update(changes)
    return data


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def test_it_creates_a_position_with_a_german_share(hr_client, role_users):
    data = form_data(fte="0,5", title="Sachbearbeitung Finanzen", start_date="01.10.2011")
    response = hr_client.post(reverse("positions:create"), data)
    position = Position.objects.get(title="Sachbearbeitung Finanzen")
    assert response.status_code == 302
    assert response["Location"] == reverse("positions:detail", args=[position.pk])
    assert position.fte == Decimal("0.50")
    assert position.start_date.isoformat() == "2011-10-01"
    assert position.history.get().history_user == role_users["personalamt"]


def test_it_shows_errors_next_to_the_fields(hr_client):
    response = hr_client.post(
        reverse("positions:create"), form_data(fte="0.500", start_date="1.13.2011")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<ul class="errorlist" id="id_fte_error"><li>„0.500“ wurde als 500 gelesen' in html
    assert 'aria-invalid="true"' in html
    assert "„1.13.2011“ ist kein gültiges Datum" in html
    assert not Position.objects.exists()


def test_it_prefills_the_org_unit_from_the_unit_page(hr_client):
    unit = OrgUnitFactory(code="29-1")
    response = hr_client.get(reverse("positions:create"), {"org_unit": unit.pk})
    assert f'<option value="{unit.pk}" selected>' in response.content.decode()


def test_it_forbids_creating_positions_to_the_kaemmerei(client, role_users):
    client.force_login(role_users["kaemmerei"])
    assert client.get(reverse("positions:create")).status_code == 403
    response = client.post(reverse("positions:create"), form_data(fte="0,5"))
    assert response.status_code == 403
    assert "Ihre Rolle darf Stellen nicht anlegen." in response.content.decode()
    assert not Position.objects.exists()


def test_it_saves_an_edit_and_shows_it_in_the_history(hr_client):
    position = PositionFactory(title="Sachbearbeitung", fte=Decimal("1.00"))
    url = reverse("positions:update", args=[position.pk])
    page = hr_client.get(url).content.decode()
    data = form_data(
        position, fte="0,75", version=hidden(page, "version"), opened=hidden(page, "opened")
    )
    response = hr_client.post(url, data)
    assert response.status_code == 302
    position.refresh_from_db()
    assert (position.fte, position.version) == (Decimal("0.75"), 2)
    detail = hr_client.get(reverse("positions:detail", args=[position.pk])).content.decode()
    assert "personalamt" in detail
    assert (
        'Anzahl der Stellen: <span class="old">1,0</span> → <span class="new">0,75</span>' in detail
    )


def input_tag(html: str, element_id: str) -> str:
    """The <input …> tag with this id."""
    before, after = html.split(f'id="{element_id}"', 1)
    return before.rsplit("<input", 1)[1] + after.split(">", 1)[0]


def test_it_refuses_a_stale_edit_and_shows_what_changed(hr_client, role_users):
    position = PositionFactory(title="Sachbearbeitung", fte=Decimal("1.00"))
    url = reverse("positions:update", args=[position.pk])
    page = hr_client.get(url).content.decode()
    opened = {"version": hidden(page, "version"), "opened": hidden(page, "opened")}
    # meanwhile the admin halves the position
    position_update(
        acting_user=role_users["admin"],
        position=Position.objects.get(pk=position.pk),
        expected_version=1,
        data={"fte": Decimal("0.5")},
    )
    mine = form_data(position, title="Sachbearbeitung (neu)", fte="1,0", **opened)
    response = hr_client.post(url, mine)
    html = response.content.decode()
    assert response.status_code == 409
    assert "wurde inzwischen von admin am" in html
    assert (
        '<th scope="row"><a href="#id_fte">Anzahl der Stellen</a></th><td>1,0</td><td>0,5</td>'
        in html
    )
    # the changed field is marked at the field; the title is not shown as if saved
    assert "Inzwischen geändert: gespeichert ist jetzt „0,5“." in html
    assert 'aria-invalid="true"' in input_tag(html, "id_fte")
    assert 'aria-invalid="true"' not in input_tag(html, "id_title")
    breadcrumbs = html.split('class="breadcrumbs"', 1)[1].split("</ul>", 1)[0]
    assert "Sachbearbeitung (neu)" not in breadcrumbs
    assert "Sachbearbeitung</a>" in breadcrumbs
    position.refresh_from_db()
    assert (position.title, position.fte) == ("Sachbearbeitung", Decimal("0.50"))
    # the form now carries the saved version: saving again overwrites knowingly
    again = form_data(
        position,
        title="Sachbearbeitung (neu)",
        fte="1,0",
        version=hidden(html, "version"),
        opened=hidden(html, "opened"),
    )
    assert hidden(html, "version") == "2"
    assert hr_client.post(url, again).status_code == 302
    position.refresh_from_db()
    assert (position.title, position.fte, position.version) == (
        "Sachbearbeitung (neu)",
        Decimal("1.00"),
        3,
    )


def test_it_deletes_a_position_which_stays_in_the_history(hr_client):
    position = PositionFactory(title="Kurzzeitstelle")
    pk = position.pk
    confirm = hr_client.get(reverse("positions:delete", args=[pk]))
    assert "Endgültig löschen" in confirm.content.decode()
    response = hr_client.post(reverse("positions:delete", args=[pk]), {"version": 1})
    assert response.status_code == 302
    assert not Position.objects.filter(pk=pk).exists()
    listing = hr_client.get(reverse("positions:deleted_list")).content.decode()
    assert "Kurzzeitstelle" in listing
    history = hr_client.get(reverse("positions:deleted_detail", args=[pk]))
    html = history.content.decode()
    assert "wurde am" in html and "von personalamt gelöscht" in html
    assert "gelöscht" in html and "angelegt" in html
    # the old detail URL leads to the history
    old = hr_client.get(reverse("positions:detail", args=[pk]))
    assert old.status_code == 302
    assert old["Location"] == reverse("positions:deleted_detail", args=[pk])


def test_it_refuses_a_delete_of_a_position_changed_meanwhile(hr_client):
    position = PositionFactory()
    Position.objects.filter(pk=position.pk).update(version=5)
    response = hr_client.post(
        reverse("positions:delete", args=[position.pk]), {"version": 1}, follow=True
    )
    assert "wurde inzwischen" in response.content.decode()
    assert Position.objects.filter(pk=position.pk).exists()


def test_it_answers_404_for_an_unknown_position(hr_client):
    assert hr_client.get(reverse("positions:update", args=[999])).status_code == 404
    assert hr_client.get(reverse("positions:detail", args=[999])).status_code == 404
    assert hr_client.get(reverse("positions:deleted_detail", args=[999])).status_code == 404
