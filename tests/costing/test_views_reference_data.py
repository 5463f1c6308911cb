from decimal import Decimal

import pytest
from django.urls import reverse

from costing.models import CostRate, ReimbursementRule
from departments.models import OrgUnit
from stellenplan.models import PayGrade

pytestmark = pytest.mark.django_db


@pytest.fixture
def treasury(client, role_users):
    client.force_login(role_users["kaemmerei"])
    return client


def test_it_lets_the_kaemmerei_change_a_rate_in_german(seed, treasury):
    rate = CostRate.objects.get(pay_grade=PayGrade.objects.get(code="EG 9"))
    url = reverse("costs:costrate_update", args=[rate.pk])
    assert 'value="63.000"' in treasury.get(url).content.decode()
    response = treasury.post(
        url, {"annual_cost": "64.250,50", "personnel_cost": "", "version": rate.version}
    )
    assert response.status_code == 302
    rate.refresh_from_db()
    assert rate.annual_cost == Decimal("64250.50")
    html = treasury.get(reverse("positions:list"), {"year": 2012, "q": "EG 9"}).content
    assert "32.125,25\xa0€" in html.decode()  # 0,5 × 64.250,50 through the engine


def test_it_refuses_a_rate_that_is_not_a_positive_amount(seed, treasury):
    rate = CostRate.objects.first()
    before = rate.annual_cost
    url = reverse("costs:costrate_update", args=[rate.pk])
    html = treasury.post(url, {"annual_cost": "zehn"}).content.decode()
    assert "„zehn“ ist keine Zahl. Bitte z. B. 63.000 oder 63.000,50 eingeben." in html
    html = treasury.post(url, {"annual_cost": "0"}).content.decode()
    assert "der Betrag muss mindestens 0,01 € sein" in html
    rate.refresh_from_db()
    assert rate.annual_cost == before


def test_it_lets_the_kaemmerei_create_change_and_delete_a_rule(seed, treasury):
    unit = OrgUnit.objects.get(code="20")
    response = treasury.post(
        reverse("costs:rule_create"),
        {
            "name": "Landeszuschuss",
            "rate": "25 %",
            "org_units": [unit.pk],
            "valid_from": "01.01.2012",
        },
    )
    assert response.status_code == 302
    rule = ReimbursementRule.objects.get(name="Landeszuschuss")
    assert rule.rate == Decimal("0.2500")
    assert list(rule.org_units.all()) == [unit]
    overview = treasury.get(reverse("costs:overview"), {"year": 2012}).content.decode()
    # 25 % of the Stadtkämmerei's 304.950 € = 76.237,50 €, shown in whole euros (issue 23)
    assert "76.238\xa0€" in overview
    response = treasury.post(
        reverse("costs:rule_update", args=[rule.pk]),
        {
            "name": "Landeszuschuss",
            "rate": "0,2",
            "org_units": [unit.pk],
            "valid_from": "01.01.2012",
            "valid_to": "31.12.2011",
            "version": rule.version,
        },
    )
    assert "darf nicht vor „gültig ab“ (01.01.2012) liegen" in response.content.decode()
    response = treasury.post(reverse("costs:rule_delete", args=[rule.pk]), {"version": 1})
    assert response.status_code == 302
    assert not ReimbursementRule.objects.filter(pk=rule.pk).exists()


def test_it_refuses_a_rate_above_100_percent(seed, treasury):
    rule = ReimbursementRule.objects.get()
    response = treasury.post(
        reverse("costs:rule_update", args=[rule.pk]),
        {
            "name": rule.name,
            "rate": "848",
            "org_units": [5],
            "valid_from": "01.01.2012",
            "version": rule.version,
        },
    )
    assert "„848“ wurde als 84.800 % gelesen" in response.content.decode()
    rule.refresh_from_db()
    assert rule.rate == Decimal("0.8480")


def test_it_shows_the_edit_links_only_to_the_kaemmerei(seed, client, role_users):
    client.force_login(role_users["personalamt"])
    html = client.get(reverse("costs:costtable_list")).content.decode()
    assert "Neue Erstattungsregel" not in html and "Bearbeiten" not in html
    assert client.get(reverse("costs:rule_create")).status_code == 403
    client.force_login(role_users["kaemmerei"])
    html = client.get(reverse("costs:costtable_list")).content.decode()
    assert "Neue Erstattungsregel" in html and "Erstattungsregeln pflegen" in html
