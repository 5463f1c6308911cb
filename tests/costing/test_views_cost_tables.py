"""The Kämmerei's cost-table pages: new table with comparison, rates, re-date, delete, and
"Neuer Satz ab …" of a reimbursement rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from costing.models import CostRate, CostTable, ReimbursementRule
from costing.reference_services import costtable_create
from stellenplan.models import PayGrade

pytestmark = pytest.mark.django_db


@pytest.fixture
def treasury(client, role_users):
    client.force_login(role_users["kaemmerei"])
    return client


def copy_data(**extra) -> dict:
    return {
        "name": "RS 2013",
        "valid_from": "01.01.2013",
        "remark": "",
        "source": str(CostTable.objects.order_by("valid_from").first().pk),
        "increase": "3,5",
        "rounding": "euro",
        **extra,
    }


def test_it_shows_the_comparison_before_saving_a_copied_table(seed, treasury):
    url = reverse("costs:costtable_create")
    response = treasury.post(url, copy_data())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Noch nicht gespeichert" in html
    assert "63.000\xa0€" in html and "65.205\xa0€" in html and "+3,5\xa0%" in html
    assert CostTable.objects.count() == 1  # nothing saved yet
    response = treasury.post(url, copy_data(bestaetigt="1"))
    table = CostTable.objects.get(name="RS 2013")
    assert response.status_code == 302 and response.url.endswith(f"?tabelle={table.pk}")
    assert table.rates.get(pay_grade__code="EG 9").annual_cost == Decimal("65205.00")
    # "3.5" reads as 3,5 too; "3.500" is refused, saying how it was read
    assert "65.205\xa0€" in treasury.post(url, copy_data(name="x", increase="3.5")).content.decode()
    html = treasury.post(url, copy_data(increase="3.500")).content.decode()
    assert "„3.500“ wurde als 3.500 % gelesen" in html


def test_it_creates_an_empty_table_and_refuses_a_taken_date(seed, treasury):
    url = reverse("costs:costtable_create")
    data = {"name": "Leer", "valid_from": "01.01.2010", "rounding": "euro", "bestaetigt": "1"}
    html = treasury.post(url, data).content.decode()
    assert "Ab dem 01.01.2010 gilt schon die Kostentabelle" in html
    response = treasury.post(url, {**data, "valid_from": "01.01.2014"})
    assert response.status_code == 302
    assert CostTable.objects.get(name="Leer").rates.count() == 0
    html = treasury.post(url, {**data, "increase": "2", "name": "B"}).content.decode()
    assert "Eine Erhöhung wirkt nur auf übernommene Kostensätze" in html


def test_the_page_opens_on_the_current_table(seed, treasury, role_users):
    old = CostTable.objects.get()
    costtable_create(
        acting_user=role_users["kaemmerei"], name="RS 2020", valid_from=date(2020, 1, 1)
    )
    costtable_create(
        acting_user=role_users["kaemmerei"], name="RS 2099", valid_from=date(2099, 1, 1)
    )
    response = treasury.get(reverse("costs:costtable_list"))
    assert response.context["selected"].name == "RS 2020"  # valid today (2026), not 2010/2099
    html = response.content.decode()
    assert "(gilt heute)" in html
    assert "31.12.2019" in html  # the 2010 table applies until the day before 2020
    selected = treasury.get(reverse("costs:costtable_list"), {"tabelle": old.pk}).context
    assert selected["selected"] == old


def test_it_compares_a_table_with_its_predecessor(seed, treasury, role_users):
    source = CostTable.objects.get()
    table = costtable_create(
        acting_user=role_users["kaemmerei"],
        name="RS 2013",
        valid_from=date(2013, 1, 1),
        source=source,
        increase_percent=Decimal("-2"),
        rounding="hundert",
    )
    html = treasury.get(reverse("costs:costtable_compare", args=[table.pk])).content.decode()
    assert "Rundschreiben Nr. 03/2010" in html
    assert "50.400\xa0€" in html and "49.400\xa0€" in html and "−1,98\xa0%" in html
    html = treasury.get(reverse("costs:costtable_compare", args=[source.pk])).content.decode()
    assert "keine vorherige zum Vergleich" in html


def test_it_adds_changes_and_deletes_a_rate(seed, treasury):
    table = CostTable.objects.get()
    url = reverse("costs:costtable_rate_create", args=[table.pk])
    grade = PayGrade.objects.get(code="EG 10")
    form = treasury.get(url, {"stellenwert": grade.pk}).context["form"]
    offered = set(form.fields["pay_grade"].queryset.values_list("code", flat=True))
    assert "EG 10" in offered and "EG 9" not in offered  # only grades without a rate
    html = treasury.post(
        url,
        {
            "pay_grade": grade.pk,
            "annual_cost": "74.000",
            "personnel_cost": "60.000",
            "material_cost": "9.000",
            "it_cost": "3.000",
        },
    ).content.decode()
    assert "Die Komponenten ergeben 72.000 €" in html and "sind aber 74.000 €" in html
    assert not CostRate.objects.filter(pay_grade=grade).exists()
    response = treasury.post(
        url,
        {
            "pay_grade": grade.pk,
            "annual_cost": "72.000",
            "personnel_cost": "60.000",
            "material_cost": "9.000",
            "it_cost": "3.000",
        },
    )
    assert response.status_code == 302
    rate = CostRate.objects.get(pay_grade=grade)
    assert rate.annual_cost == Decimal(72000) and rate.it_cost == Decimal(3000)
    # editing checks the components too
    edit = reverse("costs:costrate_update", args=[rate.pk])
    html = treasury.post(
        edit,
        {
            "annual_cost": "74.000",
            "personnel_cost": "60.000",
            "material_cost": "9.000",
            "it_cost": "3.000",
            "version": rate.version,
        },
    ).content.decode()
    assert "Die Komponenten ergeben 72.000 €" in html
    rate.refresh_from_db()
    assert rate.annual_cost == Decimal(72000)
    response = treasury.post(reverse("costs:costrate_delete", args=[rate.pk]), {"version": 1})
    assert response.status_code == 302
    assert not CostRate.objects.filter(pk=rate.pk).exists()


def test_it_re_dates_and_deletes_a_table(seed, treasury, role_users):
    table = costtable_create(
        acting_user=role_users["kaemmerei"], name="Versehen", valid_from=date(2013, 1, 1)
    )
    url = reverse("costs:costtable_update", args=[table.pk])
    data = {"name": "Versehen", "valid_from": "01.01.2010", "remark": "", "version": 1}
    html = treasury.post(url, data).content.decode()
    assert "Ab dem 01.01.2010 gilt schon die Kostentabelle" in html
    assert treasury.post(url, {**data, "valid_from": "01.07.2013"}).status_code == 302
    table.refresh_from_db()
    assert table.valid_from == date(2013, 7, 1)
    delete = reverse("costs:costtable_delete", args=[table.pk])
    assert "Endgültig löschen" in treasury.get(delete).content.decode()
    response = treasury.post(delete, {"version": 1})  # stale: re-dated since
    assert response.status_code == 302
    assert CostTable.objects.filter(pk=table.pk).exists()
    response = treasury.post(delete, {"version": 2})
    assert response.status_code == 302
    assert not CostTable.objects.filter(pk=table.pk).exists()


def test_it_sets_a_new_reimbursement_rate_from_a_date(seed, treasury):
    rule = ReimbursementRule.objects.get()
    url = reverse("costs:rule_new_rate", args=[rule.pk])
    html = treasury.post(
        url, {"valid_from": "01.01.2011", "rate": "85 %", "version": rule.version}
    ).content.decode()
    assert "Der neue Satz muss nach dem Beginn der bisherigen Regel (01.01.2012)" in html
    response = treasury.post(
        url, {"valid_from": "01.01.2013", "rate": "85 %", "version": rule.version}
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.valid_to == date(2012, 12, 31)
    new = ReimbursementRule.objects.exclude(pk=rule.pk).get()
    assert (new.rate, new.valid_from) == (Decimal("0.85"), date(2013, 1, 1))
    overview = treasury.get(reverse("costs:overview"), {"year": 2013}).content.decode()
    assert "(85\xa0% der Kosten)" in overview and "84,8\xa0%" not in overview
    overview = treasury.get(reverse("costs:overview"), {"year": 2012}).content.decode()
    assert "(84,8\xa0% der Kosten)" in overview and "(85\xa0% der Kosten)" not in overview


def test_other_roles_may_read_but_not_write(seed, client, role_users):
    client.force_login(role_users["personalamt"])
    table = CostTable.objects.get()
    assert client.get(reverse("costs:costtable_compare", args=[table.pk])).status_code == 200
    html = client.get(reverse("costs:costtable_list")).content.decode()
    assert "Neue Kostentabelle" not in html and "Neuer Satz ab" not in html
    assert (
        client.post(reverse("costs:costtable_create"), copy_data(bestaetigt="1")).status_code == 403
    )
    assert CostTable.objects.count() == 1
