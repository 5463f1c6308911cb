"""The warning on "Neue Kostentabelle" when the new table would make the Finanzplanung fall:
the pay rounds before a table's "gültig ab" count as contained in its rates (issue 23)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from costing.models import CostTable
from costing.projection import PlannedTable, planned_table_drop

pytestmark = pytest.mark.usefixtures("seed")

HEADING = "mit dieser Tabelle fällt die Finanzplanung"


@pytest.fixture
def treasury(client, role_users):
    client.force_login(role_users["kaemmerei"])
    return client


def preview(client, **extra) -> str:
    data = {
        "name": "RS 2027",
        "valid_from": "01.01.2027",
        "remark": "",
        "source": str(CostTable.objects.get(valid_from=date(2010, 1, 1)).pk),
        "increase": "3,5",
        "rounding": "euro",
        **extra,
    }
    response = client.post(reverse("costs:costtable_create"), data)
    assert response.status_code == 200
    return response.content.decode()


def test_it_warns_that_the_2010_table_plus_3_5_percent_from_2027_lowers_2027(treasury):
    html = preview(treasury)
    assert f"Achtung: {HEADING} 2027" in html
    # the figures: 1,24 Mio € in 2026, 1,17 Mio € in 2027, 1,25 Mio € without the new table
    assert (
        "sinken von 1.242.116,23\xa0€ (2026) auf 1.168.064,30\xa0€ (2027), "
        "um 74.051,93\xa0€ (−5,96\xa0%)"
    ) in html
    assert "Ohne die neue Tabelle wären es 2027 1.245.495,36\xa0€" in html
    # the rounds the new table treats as included, with date, name and increase
    section = html.split("finanzplanung-faellt", 1)[1].split("</section>", 1)[0]
    for day in ("01.03.2024", "01.11.2024", "01.02.2025", "01.04.2025", "01.05.2026"):
        assert day in section
    assert "Sockel 200\xa0€ je Monat, dann +5,5 %, mindestens +340\xa0€ je Monat" in section
    assert "+2,8 %" in section
    assert "Tarif- und Besoldungsanpassungen" in section  # the hint links the rounds
    assert CostTable.objects.count() == 1  # still nothing saved


def test_it_does_not_warn_when_the_copy_contains_the_rounds(treasury):
    html = preview(treasury, increase="20")
    assert "Noch nicht gespeichert" in html
    assert HEADING not in html


def test_it_does_not_warn_for_a_table_without_rounds_before_it(treasury):
    html = preview(treasury, valid_from="01.01.2014")
    assert HEADING not in html


def test_the_drop_names_the_figures_before_and_after():
    source = CostTable.objects.get(valid_from=date(2010, 1, 1))
    rates = {
        rate.pay_grade_id: (rate.annual_cost, rate.personnel_cost) for rate in source.rates.all()
    }
    drop = planned_table_drop(PlannedTable("gleich", date(2027, 1, 1), rates))
    assert drop is not None and drop.year == 2027
    assert drop.decrease == drop.previous_total - drop.total > 0
    assert drop.percent is not None and drop.percent < 0
    # without the new table 2027 keeps every round: higher than with it
    assert drop.total_without > drop.previous_total > drop.total
    assert [a.effective_date.year for a, _ in drop.included] == [2024, 2024, 2025, 2025, 2026]
    # an empty table is filled afterwards: no warning
    assert planned_table_drop(PlannedTable("leer", date(2027, 1, 1), {})) is None
