import pytest
from django.urls import reverse

from costing.models import CostTable

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("costs:overview")


@pytest.fixture
def reader(client, role_users):
    client.force_login(role_users["sitzungsdienst"])
    return client


def test_it_sends_anonymous_visitors_to_the_login(client):
    response = client.get(OVERVIEW)
    assert response.status_code == 302
    assert response["Location"].startswith("/anmelden/?next=")


def test_it_starts_at_the_overview(reader):
    response = reader.get("/")
    assert response.status_code == 302
    assert response["Location"] == OVERVIEW


def test_it_shows_the_reference_year_per_department(seed, reader):
    html = reader.get(OVERVIEW, {"year": 2012}).content.decode()
    assert "Stellenplan 2012 – Übersicht" in html
    # the totals of the 19.09.2011 decision: 13,5 Stellen, 1.128.560 €, 84,8 % of the Jobcenter
    assert '<span class="value">13,5</span>' in html
    assert '<span class="value">1.128.560\xa0€</span>' in html
    assert '<span class="value">405.768\xa0€</span>' in html
    assert '<span class="value">722.792\xa0€</span>' in html
    jobcenter = html.split('">29</a></td><td>Jobcenter</td>', 1)[1].split("</tr>", 1)[0]
    assert [cell.split("</td>")[0] for cell in jobcenter.split('<td class="num">')[1:]] == [
        "5,5",
        "478.500\xa0€",
        "478.500\xa0€",
        "405.768\xa0€",
        "72.732\xa0€",
    ]
    assert "THH 290 Jobcenter" in html
    assert "84,8\xa0%" in html


def test_it_draws_a_bar_per_department(seed, reader):
    html = reader.get(OVERVIEW, {"year": 2012}).content.decode()
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert svg.count('class="bar-own"') == 5
    assert 'role="img"' in html
    # the Jobcenter has the largest cost: its bar fills the chart width (470 units)
    jobcenter = svg.split(">29<", 1)[1].split("</g>", 1)[0]
    own = float(jobcenter.split('class="bar-own"', 1)[1].split('width="', 1)[1].split('"')[0])
    refund = float(jobcenter.split('class="bar-refund"', 1)[1].split('width="', 1)[1].split('"')[0])
    assert own + refund == pytest.approx(470, abs=0.2)
    assert refund / (own + refund) == pytest.approx(405768 / 478500, abs=0.001)


def test_it_explains_an_unusable_year(seed, reader):
    response = reader.get(OVERVIEW, {"year": "zweitausend"})
    assert response.status_code == 200
    assert "„zweitausend“ ist kein gültiges Jahr" in response.content.decode()


def test_it_shows_a_costing_error_instead_of_failing(seed, reader):
    response = reader.get(OVERVIEW, {"year": 1990})
    assert response.status_code == 200
    assert "Für das Jahr 1990 gibt es keine gültige Kostentabelle." in response.content.decode()


def test_it_works_without_any_cost_table(db, reader):
    CostTable.objects.all().delete()
    response = reader.get(OVERVIEW)
    assert response.status_code == 200
    assert "keine gültige Kostentabelle" in response.content.decode()


def test_it_shows_each_role_its_tasks_in_the_navigation(seed, client, role_users):
    client.force_login(role_users["personalamt"])
    html = client.get(OVERVIEW).content.decode()
    # the role's tasks stand under "Mehr" as a group of their own (front/menu.py)
    assert '<p class="nav-more-heading" id="menue-2">Aufgaben</p>' in html
    assert "Neue Stelle" in html and "Neue Org.einheit" in html
    assert (
        'personalamt <span class="role"><span class="visually-hidden">(</span>Personalamt' in html
    )
    client.force_login(role_users["kaemmerei"])
    html = client.get(OVERVIEW).content.decode()
    assert "Neue Stelle" not in html and "Neue Org.einheit" not in html
    assert (
        '<span class="visually-hidden">(</span>Kämmerei<span class="visually-hidden">)</span>'
        in html
    )
    client.force_login(role_users["admin"])
    assert 'href="/admin/"' in client.get(OVERVIEW).content.decode()


def test_it_lists_cost_tables_and_rules(seed, reader):
    html = reader.get(reverse("costs:costtable_list")).content.decode()
    assert "Rundschreiben Nr. 03/2010" in html
    assert "Bundesbeteiligung Verwaltungskosten SGB II" in html
    assert "84,8\xa0%" in html
    assert "110.400\xa0€" in html  # A 13 hD
