from decimal import Decimal

import pytest
from django.urls import reverse

from stellenplan.models import Position
from stellenplan.services import position_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def position(seed):
    return Position.objects.get(title="SB Aus- / Fort- / Weiterbildung")  # 29-1, EG 9, 0,5


def test_it_shows_all_fields_and_the_costs_of_the_next_years(position, client, role_users):
    client.force_login(role_users["kaemmerei"])
    html = client.get(
        reverse("positions:detail", args=[position.pk]), {"year": 2011}
    ).content.decode()
    assert "<dd>0,5</dd>" in html
    assert "29 Jobcenter" in html
    assert "THH 290 Jobcenter" in html
    assert "EG 9 (Tarifbeschäftigte)" in html
    assert "<dd>01.01.2012</dd>" in html
    assert "in 2011 nicht aktiv" in html
    row_2012 = html.split('<th scope="row">2012</th>', 1)[1].split("</tr>", 1)[0]
    assert "63.000\xa0€" in row_2012 and "31.500\xa0€" in row_2012
    assert '<th scope="row">2015</th>' in html
    # no edit buttons for the Kämmerei
    assert "Bearbeiten" not in html
    assert "Löschen" not in html


def test_it_shows_edit_buttons_to_the_personalamt(position, client, role_users):
    client.force_login(role_users["personalamt"])
    html = client.get(reverse("positions:detail", args=[position.pk])).content.decode()
    assert reverse("positions:update", args=[position.pk]) in html
    assert reverse("positions:delete", args=[position.pk]) in html


def test_it_shows_who_changed_what_when(position, client, role_users):
    position_update(
        acting_user=role_users["personalamt"],
        position=position,
        expected_version=position.version,
        data={"fte": Decimal("1.0"), "title": "SB Fortbildung"},
    )
    client.force_login(role_users["kaemmerei"])
    html = client.get(reverse("positions:detail", args=[position.pk])).content.decode()
    history = html.split('id="historie"', 1)[1]
    assert "personalamt" in history
    assert (
        'Anzahl der Stellen: <span class="old">0,5</span> → <span class="new">1,0</span>' in history
    )
    assert (
        'Funktionsbezeichnung: <span class="old">SB Aus- / Fort- / Weiterbildung</span>' in history
    )
    # the state before the first change (from the reference data) is recorded as well
    assert "Stand vor der ersten Änderung im Programm" in history


def test_it_shows_a_costing_error_instead_of_failing(position, client, role_users):
    client.force_login(role_users["kaemmerei"])
    response = client.get(reverse("positions:detail", args=[position.pk]), {"year": 1990})
    assert response.status_code == 200
    assert "keine gültige Kostentabelle" in response.content.decode()


@pytest.mark.parametrize(
    ("start", "end", "this_year", "first"),
    [
        ((2012, 1, 1), None, 2026, 2026),  # active now: from this year
        ((2030, 1, 1), None, 2026, 2030),  # starts later: from its start
        ((2011, 10, 1), (2014, 12, 31), 2026, 2011),  # ended: its active years
        ((2005, 1, 1), (2016, 6, 30), 2026, 2012),  # ended: its last five years
        ((2020, 1, 1), (2040, 1, 1), 2026, 2026),
    ],
)
def test_it_opens_the_cost_window_on_the_positions_active_years(start, end, this_year, first):
    from datetime import date

    from costing.selectors import first_costed_year

    position = Position(start_date=date(*start), end_date=date(*end) if end else None)
    assert first_costed_year(position, this_year) == first


def test_it_shows_an_ended_position_its_own_years_by_default(position, client, role_users):
    position.end_date = position.start_date.replace(year=2013, month=12, day=31)
    position.save()
    client.force_login(role_users["kaemmerei"])
    html = client.get(reverse("positions:detail", args=[position.pk])).content.decode()
    assert '<th scope="row">2012</th>' in html
    assert "in 2012 nicht aktiv" not in html


def test_its_tasks_are_a_list_one_task_per_line(position, client, role_users):
    Position.objects.filter(pk=position.pk).update(
        tasks="Fortbildungsplanung\nAbrechnung der Kurse\n<script>x</script>"
    )
    client.force_login(role_users["kaemmerei"])
    html = client.get(reverse("positions:detail", args=[position.pk])).content.decode()
    tasks = html.split("<dt>Aufgaben</dt>", 1)[1].split("</dd>", 1)[0]
    assert tasks.count("<li>") == 3
    assert "<li>Fortbildungsplanung</li>" in tasks
    assert "<script>" not in tasks  # sanitised as every Markdown text
