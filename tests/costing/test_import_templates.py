"""The import templates (issue 23): downloaded, filled with nothing but their example row and
uploaded again, they give a preview without errors."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from costing.excel import SHEET_RATES
from stellenplan.imports import POSITION_FIELDS, SHEET_POSITIONS
from stellenplan.models import ImportBatch
from tests.costing.test_import_views import login, upload

pytestmark = pytest.mark.usefixtures("seed")


def download(client, name: str) -> tuple[bytes, object]:
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(response.streaming_content)
    return content, load_workbook(BytesIO(content))


def test_the_positions_template_has_header_example_notes_and_choice_lists(client):
    login(client, "Personalamt")
    content, workbook = download(client, "excel:import_positions_template")
    assert workbook.sheetnames == [SHEET_POSITIONS, "Hinweise", "Auswahllisten"]
    sheet = workbook[SHEET_POSITIONS]
    header = [cell.value for cell in sheet[1]]
    assert set(POSITION_FIELDS.values()) <= set(header) and header[0] == "ID"
    example = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert example["Stellenwert"] == "EG 9" and example["Anzahl der Stellen"] == 0.5
    assert sheet.max_row == 2  # one example row
    notes = {row[0]: row for row in workbook["Hinweise"].iter_rows(values_only=True) if row[0]}
    assert notes["Anzahl der Stellen"][1] == "ja" and "0,5" in notes["Anzahl der Stellen"][2]
    assert "KW" in notes["Stellenvermerk"][2]
    validations = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert validations["B2:B2001"].startswith("'Auswahllisten'!$A$2:$A$")
    assert validations["C2:C2001"].startswith("'Auswahllisten'!$C$2:$C$")
    codes = [row[0] for row in workbook["Auswahllisten"].iter_rows(min_row=2, values_only=True)]
    assert "29AL" in codes and "20-4" in codes

    response = client.post(
        reverse("excel:import_positions"),
        {"file": upload(content, "Vorlage_Stellenimport.xlsx"), "default_start": "01.01.2013"},
    )
    assert response.status_code == 302  # no refused row: a pending batch
    batch = ImportBatch.objects.get(status="pending")
    assert batch.preview["counts"] == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "refused": 0,
        "warnings": 0,
    }
    page = client.get(response["Location"]).content.decode()
    assert "Bestätigen und speichern" in page and "Kostensätze fehlen" not in page


def test_the_cost_table_template_reimports_as_a_preview_without_errors(client):
    login(client, "Kämmerei")
    content, workbook = download(client, "excel:import_cost_table_template")
    assert workbook.sheetnames == [SHEET_RATES, "Hinweise", "Auswahllisten"]
    sheet = workbook[SHEET_RATES]
    assert [c.value for c in sheet[1]] == [
        "Stellenwert",
        "Jahreskosten",
        "Personalkosten",
        "Sachkosten",
        "IT-Kosten",
    ]
    assert [c.value for c in sheet[2]][:2] == ["EG 9", 63000]
    response = client.post(
        reverse("excel:import_cost_table"),
        {"file": upload(content), "name": "Vorlage", "valid_from": "01.01.2014"},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Bestätigen und speichern" in page


def test_only_the_importing_role_downloads_a_template(client):
    login(client, "Sitzungsdienst")
    assert client.get(reverse("excel:import_positions_template")).status_code == 403
    assert client.get(reverse("excel:import_cost_table_template")).status_code == 403
