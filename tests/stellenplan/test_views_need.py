"""Pages of the Personalbedarfsberechnung: list, detail, edit with optimistic locking, Excel."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from stellenplan.models import NeedCalculation, NeedLine, WorkingTime
from stellenplan.need_services import workingtime_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr_client(client, role_users, seed):
    client.force_login(role_users["personalamt"])
    client.user = role_users["personalamt"]
    return client


@pytest.fixture
def reader(client, role_users, seed):
    client.force_login(role_users["sitzungsdienst"])
    return client


def test_the_list_shows_calculated_next_to_requested(reader):
    page = reader.get(reverse("need:list")).content.decode()
    assert "0,42–0,83" in page and "1,00" in page
    assert "3,08" in page and "3,00" in page
    assert "Neue Bedarfsberechnung" not in page  # Sitzungsdienst only reads


def test_the_detail_page_shows_the_table_and_the_working_time(reader):
    page = reader.get(reverse("need:detail", args=[1])).content.decode()
    assert "662 Fälle × 60–120 min ÷ 95.400 min" in page
    assert "1.590 h = 95.400 min" in page
    assert "Verteilzeit als Zuschlag auf die Bearbeitungszeit" in page


def test_the_personalamt_creates_a_calculation_with_a_ratio_line(hr_client):
    response = hr_client.post(
        reverse("need:create"),
        {"title": "Jobcenter Fallmanagement U25", "positions": ["11"], "status_group": ""},
    )
    calculation = NeedCalculation.objects.get(title="Jobcenter Fallmanagement U25")
    assert response.status_code == 302
    response = hr_client.post(
        reverse("need:line_create", args=[calculation.pk]),
        {
            "order": "1",
            "task": "Fallmanagement unter 25",
            "method": "schluessel",
            "cases": "1.500",
            "ratio": "75",
            "source": "§ 44c Abs. 4 SGB II",
        },
    )
    assert response.status_code == 302
    page = hr_client.get(reverse("need:detail", args=[calculation.pk])).content.decode()
    assert "1.500 Fälle ÷ Schlüssel 1 : 75" in page and "20,00" in page
    assert NeedLine.objects.get(calculation=calculation).history.first().history_user == (
        hr_client.user
    )


def test_bad_input_is_a_german_message_not_a_500(hr_client):
    response = hr_client.post(
        reverse("need:line_create", args=[1]),
        {"order": "2", "task": "x", "method": "analytisch", "cases": "zehn", "minutes_min": "0"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "„zehn“ ist keine Zahl" in page
    response = hr_client.post(
        reverse("need:line_create", args=[1]),
        {"order": "2", "task": "x", "method": "analytisch", "cases": "10", "minutes_min": "0"},
    )
    assert "mittlere Bearbeitungszeit größer als 0 Minuten" in response.content.decode()
    response = hr_client.post(
        reverse("need:workingtime_create"),
        {
            "status_group": "tarif",
            "weekly_hours": "39",
            "valid_from": "01.01.2026",
            "annual_hours": "0",
            "distribution_percent": "10",
            "source": "Test",
        },
    )
    assert "Die Jahresarbeitszeit (0,0 Stunden) muss größer als 0 sein." in (
        response.content.decode()
    )
    response = hr_client.post(reverse("need:create"), {"title": "ohne Stelle"})
    assert response.status_code == 200 and "Stellen" in response.content.decode()
    assert not NeedCalculation.objects.filter(title="ohne Stelle").exists()


def test_editing_a_working_time_is_locked_and_recorded(hr_client):
    parameter = WorkingTime.objects.get(status_group="beamte", weekly_hours=39)
    url = reverse("need:workingtime_update", args=[parameter.pk])
    form = hr_client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["annual_hours"] = "1.600"
    # someone else saves first
    workingtime_update(
        acting_user=None,
        parameter=parameter,
        expected_version=parameter.version,
        data={"annual_hours": Decimal(1620)},
    )
    response = hr_client.post(url, data)
    assert response.status_code == 409
    assert "Jahresarbeitszeit" in response.content.decode()
    data["version"] = str(WorkingTime.objects.get(pk=parameter.pk).version)
    data["opened"] = response.context["form"]["opened"].value()
    assert hr_client.post(url, data).status_code == 302
    parameter.refresh_from_db()
    assert parameter.annual_hours == Decimal(1600)
    page = hr_client.get(url).content.decode()
    assert "Historie" in page and "1.620" in page


def test_the_sitzungsdienst_may_not_edit(reader):
    assert reader.get(reverse("need:update", args=[1])).status_code == 403
    assert reader.post(reverse("need:workingtime_create"), {}).status_code == 403


def test_the_excel_sheet_holds_lines_and_results(reader):
    response = reader.get(reverse("need:export"))
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook["Personalbedarfsberechnung"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Bedarfsberechnung", "Stellen", "Aufgabe")
    kasse = [r for r in rows if r[0] and r[0].startswith("Stadtkasse")]
    assert kasse[0][4] == "3,5 Stellen × 22.000 ÷ 25.000 Fälle"
    assert kasse[0][5] == pytest.approx(3.08)
    assert [r[2] for r in kasse] == [
        "Stammdatensätze WAUS (neue Bedarfsgemeinschaften)",
        "Berechneter Bedarf",
        "Beantragte Stellen",
    ]
    rpa = [r for r in rows if r[0] and r[0].startswith("Rechnungsprüfungsamt")]
    assert (rpa[1][5], rpa[1][6]) == (pytest.approx(0.42), pytest.approx(0.83))


def test_the_position_page_links_its_calculation_and_offers_a_new_one(hr_client):
    page = hr_client.get(reverse("positions:detail", args=[12])).content.decode()
    assert reverse("need:detail", args=[1]) in page
    assert f"{reverse('need:create')}?stelle=12" in page
    form = hr_client.get(reverse("need:create") + "?stelle=12").context["form"]
    assert form.initial["positions"] == [12]


def test_the_excel_sheet_keeps_formula_like_text_as_text(reader):
    NeedCalculation.objects.filter(title__startswith="Stadtkasse").update(title="=1+1 Kasse")
    response = reader.get(reverse("need:export"))
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["Personalbedarfsberechnung"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2) if row[0].value == "=1+1 Kasse"]
    assert cells, "the title is shown as typed, without an apostrophe"
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_a_negative_distribution_percent_is_a_german_message_not_a_500(hr_client):
    """Red team (issue 21): the message's bare "%" raised a TypeError."""
    parameter = WorkingTime.objects.get(status_group="beamte", weekly_hours=39)
    url = reverse("need:workingtime_update", args=[parameter.pk])
    form = hr_client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["distribution_percent"] = "-5"
    response = hr_client.post(url, data)
    assert response.status_code == 200
    assert "Verteilzeitzuschlag (-5,0 %) muss mindestens 0" in response.content.decode()
    assert WorkingTime.objects.get(pk=parameter.pk).version == parameter.version
