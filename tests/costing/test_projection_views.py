"""The Finanzplanung page, its Excel export and the Kämmerei's pay adjustment pages."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from costing.models import PayAdjustment
from stellenplan.models import PayGrade, Position

pytestmark = pytest.mark.usefixtures("seed")


@pytest.fixture
def treasury(client, role_users):
    client.force_login(role_users["kaemmerei"])
    return client


@pytest.fixture
def reader(client, role_users):
    client.force_login(role_users["sitzungsdienst"])
    return client


def test_every_reader_sees_the_projection_with_sources_and_assumptions(reader):
    html = reader.get(reverse("costs:projection"), {"year": 2025}).content.decode()
    assert "Finanzplanung 2024–2028 (Planjahr 2025)" in html
    assert "Summe THH 290 Jobcenter" in html or "Summe THH 290" in html
    assert "Rundschreiben Nr. 03/2010" in html
    assert "TVöD-VKA 2024: Sockel, 5,5 %, mindestens 340 €" in html
    assert "Sockel 200\xa0€ je Monat, dann +5,5 %, mindestens +340\xa0€ je Monat" in html
    assert "Annahme" in html  # the Besoldung BW rounds
    assert "ganzen Arbeitsplatzkostensatz" in html  # the seed table has no components
    assert "Gesamtsumme" in html


def test_a_bad_year_is_a_german_message_not_an_error(reader):
    response = reader.get(reverse("costs:projection"), {"year": "zwanzig"})
    assert response.status_code == 200
    assert "„zwanzig“ ist kein gültiges Jahr" in response.content.decode()


def test_a_year_without_a_cost_table_says_so(reader):
    response = reader.get(reverse("costs:projection"), {"year": 2010})
    assert response.status_code == 200
    assert "keine gültige Kostentabelle" in response.content.decode()
    response = reader.get(reverse("costs:projection_export"), {"year": 2010})
    assert response.status_code == 400


def test_a_dated_kw_appears_in_the_sources(reader):
    position = Position.objects.order_by("pk").first()
    Position.objects.filter(pk=position.pk).update(note="KW", note_date=date(2014, 7, 1))
    html = reader.get(reverse("costs:projection"), {"year": 2013}).content.decode()
    assert "ab 01.07.2014: 1 Stelle" in html


def test_the_excel_export_holds_the_years_and_the_sources(reader):
    response = reader.get(reverse("costs:projection_export"), {"year": 2025})
    assert response.status_code == 200
    assert "Stellenplan_Finanzplanung_2024-2028.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Finanzplanung", "Quellen und Annahmen"]
    sheet = workbook["Finanzplanung"]
    header = [c.value for c in sheet[4]]
    assert header[:5] == [
        "Teilhaushalt",
        "Amt",
        "Brutto 2024",
        "Erstattung 2024",
        "städtischer Anteil 2024",
    ]
    assert header[-1] == "städtischer Anteil 2028"
    assert sheet.print_title_rows == "$4:$4"
    assert sheet.page_setup.orientation == "landscape"
    sources = [row[1] for row in workbook["Quellen und Annahmen"].iter_rows(values_only=True)]
    assert "TVöD-VKA 2025: 3,0 %, mindestens 110 €" in sources


def test_the_kaemmerei_creates_edits_and_deletes_an_adjustment(treasury):
    response = treasury.post(
        reverse("costs:adjustment_create"),
        {
            "name": "Annahme TVöD 2027",
            "status_group": "tarif",
            "effective_date": "01.04.2027",
            "base_amount": "",
            "percent": "2,5 %",
            "minimum_amount": "",
            "status": "annahme",
            "source": "Haushaltserlass der Kämmerei",
            "note": "",
        },
    )
    assert response.status_code == 302
    adjustment = PayAdjustment.objects.get(name="Annahme TVöD 2027")
    assert adjustment.percent == Decimal("2.5")
    assert adjustment.base_amount == Decimal("0") and adjustment.minimum_amount == Decimal("0")
    assert adjustment.history.first().history_user.username == "kaemmerei"
    url = reverse("costs:adjustment_update", args=[adjustment.pk])
    assert 'value="2,5"' in treasury.get(url).content.decode()
    data = {
        "name": "Annahme TVöD 2027",
        "status_group": "tarif",
        "effective_date": "01.04.2027",
        "base_amount": "0",
        "percent": "3",
        "minimum_amount": "0",
        "status": "annahme",
        "source": "Haushaltserlass",
        "note": "",
        "version": adjustment.version,
    }
    assert treasury.post(url, data).status_code == 302
    adjustment.refresh_from_db()
    assert adjustment.percent == Decimal("3") and adjustment.version == 2
    # a stale version is refused with a conflict, nothing changes
    stale = treasury.post(url, {**data, "percent": "9", "version": 1})
    assert stale.status_code == 409
    adjustment.refresh_from_db()
    assert adjustment.percent == Decimal("3")
    html = treasury.get(reverse("costs:adjustment_list")).content.decode()
    assert "Annahme TVöD 2027" in html and "+3 %" in html
    delete = reverse("costs:adjustment_delete", args=[adjustment.pk])
    assert treasury.post(delete, {"version": adjustment.version}).status_code == 302
    assert not PayAdjustment.objects.filter(pk=adjustment.pk).exists()


def test_bad_input_names_field_and_value_and_saves_nothing(treasury):
    before = PayAdjustment.objects.count()
    response = treasury.post(
        reverse("costs:adjustment_create"),
        {
            "name": "Kaputt",
            "status_group": "tarif",
            "effective_date": "01.04.2027",
            "base_amount": "viel",
            "percent": "-2",
            "minimum_amount": "",
            "status": "annahme",
            "source": "x",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "„viel“ ist keine Zahl" in html
    assert PayAdjustment.objects.count() == before
    response = treasury.post(
        reverse("costs:adjustment_create"),
        {
            "name": "Negativ",
            "status_group": "tarif",
            "effective_date": "01.04.2027",
            "percent": "-2",
            "status": "annahme",
            "source": "x",
        },
    )
    assert "Die Erhöhung in % (-2" in response.content.decode()
    assert PayAdjustment.objects.count() == before


def test_a_new_adjustment_changes_the_projection(treasury):
    """The data version changes with a pay adjustment (trigger), so nothing stale is shown."""
    from core.dataversion import current_token

    before = current_token()
    PayAdjustment.objects.create(
        name="x",
        status_group=PayGrade.StatusGroup.TARIF,
        effective_date=date(2027, 1, 1),
        percent=Decimal("1"),
        status="annahme",
        source="x",
    )
    assert current_token() != before
