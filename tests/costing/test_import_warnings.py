"""The import previews warn before saving (issue 23): a grade without a cost rate (costed 0 €),
an unknown grade or org unit with the code the cell most likely means, a cost table that
lacks rates of grades in use or would make the Finanzplanung fall."""

import pytest
from django.urls import reverse

from costing.models import CostRate, CostTable
from stellenplan.models import ImportBatch, PayGrade
from tests.costing.excel_files import POSITION_HEADER, RATE_HEADER, xlsx_bytes
from tests.costing.test_import_views import login, upload

pytestmark = pytest.mark.usefixtures("seed")

POSITIONS = reverse("excel:import_positions")
COST_TABLE = reverse("excel:import_cost_table")


def upload_positions(client, rows):
    data = xlsx_bytes([POSITION_HEADER, *rows])
    return client.post(POSITIONS, {"file": upload(data), "default_start": "01.01.2013"})


def test_a_grade_without_a_cost_rate_is_a_warning_and_the_import_stays_possible(client):
    login(client, "Personalamt")
    PayGrade.objects.create(code="EG 16", status_group="tarif", sort_order=999)
    response = upload_positions(
        client,
        [["20-4", "EG 16", "SB Sonder", 1], ["20-4", "A 8", "SB", 1], ["WFB", "EG 16", "X", 1]],
    )
    assert response.status_code == 302  # a pending batch: no error
    page = client.get(response["Location"]).content.decode()
    assert "Warnungen: Kostensätze fehlen" in page
    assert (
        "Kein Kostensatz für „EG 16“ in der Kostentabelle „Rundschreiben Nr. 03/2010 – Kosten "
        "eines Arbeitsplatzes“ (gültig ab 01.01.2010): die Stelle wird dort mit 0\xa0€ gerechnet"
    ) in page.replace(" €", "\xa0€")
    assert "<td>2, 4</td>" in page  # the rows (data rows start at 2)
    assert "Bestätigen und speichern" in page


def test_grades_with_rates_give_no_rate_warning(client):
    login(client, "Personalamt")
    response = upload_positions(client, [["20-4", "A 8", "SB", 1]])
    assert "Kostensätze fehlen" not in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("grade", "suggestion"),
    [("E 9", "„EG 9“"), ("EG9", "„EG 9“"), ("E9", "„EG 9“"), ("A13gD", "„A 13 gD“")],
)
def test_an_unknown_grade_is_refused_with_a_suggestion(client, grade, suggestion):
    login(client, "Personalamt")
    response = upload_positions(client, [["20-4", grade, "SB", 1]])
    assert response.status_code == 400
    page = response.content.decode()
    assert "unbekannter Stellenwert" in page
    assert f"Meinten Sie {suggestion}?" in page
    assert not ImportBatch.objects.filter(status="pending").exists()


def test_an_unknown_org_unit_is_refused_with_a_suggestion(client):
    login(client, "Personalamt")
    response = upload_positions(client, [["20 4", "A 8", "SB", 1], ["29 al", "A 8", "SB", 1]])
    page = response.content.decode()
    assert response.status_code == 400
    assert "unbekannte Org.einheit" in page
    assert "Meinten Sie „20-4“?" in page and "Meinten Sie „29AL“?" in page


def upload_table(client, rows, valid_from="01.01.2027", **extra):
    data = xlsx_bytes([RATE_HEADER, *rows])
    return client.post(
        COST_TABLE,
        {"file": upload(data), "name": "RS 2027", "valid_from": valid_from, **extra},
    )


def test_a_cost_table_grade_is_suggested_and_never_created_in_another_spelling(client):
    login(client, "Kämmerei")
    response = upload_table(client, [["E 9", 70000, None, None, None]], create_grades="on")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Meinten Sie „EG 9“?" in page and "nur eine andere Schreibweise" in page
    assert not PayGrade.objects.filter(code="E 9").exists()


def test_a_cost_table_without_rates_of_grades_in_use_and_lower_rates_warns(client):
    login(client, "Kämmerei")
    old = CostTable.objects.get()
    # every rate of the 2010 table but EG 9, unchanged: the rounds since 2024 count as included
    rows = [
        [rate.pay_grade.code, rate.annual_cost, None, None, None]
        for rate in CostRate.objects.filter(table=old).select_related("pay_grade")
        if rate.pay_grade.code != "EG 9"
    ]
    response = upload_table(client, rows)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Kein Kostensatz für „EG 9“ in der Datei:" in page
    assert "mit dieser Tabelle fällt die Finanzplanung 2027" in page
    assert "01.05.2026" in page  # a round the file's rates count as containing
    assert "die Sätze der Datei um sie erhöhen" in page
    assert "Bestätigen und speichern" in page


def test_a_cost_table_that_keeps_the_level_gives_no_warning(client):
    login(client, "Kämmerei")
    rows = [
        [rate.pay_grade.code, rate.annual_cost * 2, None, None, None]
        for rate in CostRate.objects.select_related("pay_grade")
    ]
    page = client.get(upload_table(client, rows)["Location"]).content.decode()
    assert "Kostensätze fehlen" not in page and "fällt die Finanzplanung" not in page
