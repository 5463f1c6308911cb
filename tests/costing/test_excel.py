"""The cost workbook: sheets, layout, formats, formulas, formula injection, the command."""

import json
from datetime import date
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.xlsx import DATE_FORMAT, FTE_FORMAT, MONEY_FORMAT, safe_text
from costing.engine import CostingError, cost_year
from costing.excel import (
    ExportError,
    build_workbook,
    selected_years,
    write_workbook,
)
from departments.models import OrgUnit
from stellenplan.models import PayGrade, Position
from tests.factories import OrgUnitFactory, PositionFactory

pytestmark = pytest.mark.usefixtures("seed")

D = Decimal
TODAY = date(2012, 3, 15)


def workbook(years=(2012, 2013, 2014), positions=None, **kwargs):
    buffer = BytesIO()
    write_workbook(buffer, list(years), positions, today=TODAY, **kwargs)
    buffer.seek(0)
    return load_workbook(buffer)


def rows(sheet, first=1):
    return [list(r) for r in sheet.iter_rows(min_row=first, values_only=True)]


def test_it_writes_overview_one_sheet_per_department_rates_and_positions():
    book = workbook()
    assert book.sheetnames == [
        "Übersicht",
        "10 Haupt- und Personalamt",
        "14 Rechnungsprüfungsamt",
        "20 Stadtkämmerei",
        "29 Jobcenter",
        "WFB Referat Wirtschaft",  # at most 31 characters, cut at a word boundary
        "Kostensätze",
        "Stellen",
    ]


def test_it_writes_in_constant_memory_mode():
    book = build_workbook([2012])
    assert book.workbook.constant_memory is True
    book.save(BytesIO())


def test_every_sheet_has_title_stand_frozen_header_autofilter_and_widths():
    book = workbook()
    for sheet in book.worksheets:
        assert sheet["A1"].value and sheet["A1"].font.b, sheet.title
        assert sheet["A2"].value.startswith("Stand: 15.03.2012"), sheet.title
        assert sheet.freeze_panes in {"A5", "C5"}, sheet.title
        assert sheet.auto_filter.ref.startswith("A4:"), sheet.title
        assert all(sheet.cell(4, c).font.b for c in range(1, 4)), sheet.title
        assert sheet.column_dimensions["A"].width >= 8, sheet.title
    assert book["Übersicht"]["A1"].value == "Stellenplan – Kostenübersicht 2012–2014"


def test_the_overview_has_numbers_with_german_formats_and_sum_totals():
    sheet = workbook()["Übersicht"]
    assert rows(sheet, 4)[0] == [
        "Amt/Referat",
        "Bezeichnung",
        "Stellen 2012",
        "Jahreskosten 2012",
        "Kosten 2012",
        "Erstattung 2012",
        "Städtischer Anteil 2012",
        "Kosten 2013",
        "Erstattung 2013",
        "Städtischer Anteil 2013",
        "Kosten 2014",
        "Erstattung 2014",
        "Städtischer Anteil 2014",
    ]
    jobcenter = next(r for r in sheet.iter_rows(min_row=5) if r[0].value == "29")
    assert [c.value for c in jobcenter[:7]] == [
        "29",
        "Jobcenter",
        5.5,
        478500,
        478500,
        405768,
        72732,
    ]
    assert jobcenter[2].number_format == FTE_FORMAT
    assert all(c.number_format == MONEY_FORMAT for c in jobcenter[3:])
    assert all(isinstance(c.value, int | float) for c in jobcenter[2:])
    total = [c.value for c in sheet[10]]
    assert total[:5] == [None, "Gesamt", "=SUM(C5:C9)", "=SUM(D5:D9)", "=SUM(E5:E9)"]
    assert sheet["M10"].value == "=SUM(M5:M9)"
    assert sheet["E10"].number_format == MONEY_FORMAT
    assert sheet.auto_filter.ref == "A4:M9"  # the total row is not sorted with the data


def test_the_overview_has_a_teilhaushalt_table_with_totals():
    sheet = workbook()["Übersicht"]
    table = rows(sheet, 12)
    assert table[0][0] == "Teilhaushalte"
    assert table[1][:2] == ["Teilhaushalt", "Bezeichnung"]
    assert [r[:2] for r in table[2:7]] == [
        ["100", "Haupt- und Personalamt"],
        ["140", "Rechnungsprüfungsamt"],
        ["200", "Stadtkämmerei"],
        ["290", "Jobcenter"],
        ["810", "Bürgermeisteramt"],
    ]
    assert table[7][1:4] == ["Gesamt", "=SUM(C14:C18)", "=SUM(D14:D18)"]
    assert any(
        "Erstattung: Bundesbeteiligung Verwaltungskosten SGB II 84,8 %" in (r[1] or "")
        for r in table
    )


def test_a_department_sheet_has_the_layout_of_the_anlage():
    sheet = workbook()["20 Stadtkämmerei"]
    assert sheet["A1"].value == "20 Stadtkämmerei – Stellen 2012"
    assert rows(sheet, 4) == [
        [
            "Org.einheit (aut. Stpl.)",
            "Stellenwert Haushalt",
            "Funktionsbezeichnung",
            "Anzahl der Stellen",
            "Stellenvermerk",
            "Durchschnittl. jährl. kostenwirksamer Aufwand EUR",
        ],
        ["20-2", "A 12", "SB/-in Haushalt", 0.5, None, 49650],
        ["20-4", "A 10", "SB/Stv. Teamleitung", 1, None, 80700],
        ["20-4", "A 8", "SB/-in Buchhaltung", 1, None, 70300],
        ["20-4", "EG 6", "SB/-in Buchhaltung", 1, None, 50400],
        ["20-5", "EG 8", "SB/-in Beitreibung, Vollstreckung", 1, None, 53900],
        [None, None, "Gesamt:", "=SUM(D5:D9)", None, "=SUM(F5:F9)"],
    ]
    assert sheet["D5"].number_format == FTE_FORMAT
    assert sheet["F9"].number_format == MONEY_FORMAT
    assert sheet["F10"].font.b


def test_a_department_sheet_shows_the_stellenvermerk():
    Position.objects.filter(title="SB/-in Haushalt").update(note="KW")
    sheet = workbook()["20 Stadtkämmerei"]
    assert sheet["E5"].value == "KW"


def test_the_rates_sheet_lists_the_cost_table_used():
    sheet = workbook()["Kostensätze"]
    header, *data = rows(sheet, 4)
    assert header == [
        "Kostentabelle",
        "gültig ab",
        "verwendet für",
        "Stellenwert",
        "Statusgruppe",
        "Jahreskosten",
        "Personalkosten",
        "Sachkosten",
        "IT-Kosten",
    ]
    assert len(data) == 10
    assert data[0][2:6] == ["2012, 2013, 2014", "A 8", "Beamte", 70300]
    assert sheet["B5"].number_format == DATE_FORMAT
    assert sheet["F5"].number_format == MONEY_FORMAT


def test_the_positions_sheet_has_every_field_and_the_cost_per_year():
    sheet = workbook((2011, 2012))["Stellen"]
    header = rows(sheet, 4)[0]
    assert header[:15] == [
        "ID",
        "Org.einheit",
        "Bezeichnung der Org.einheit",
        "Amt/Referat",
        "Teilhaushalt",
        "Stellenwert",
        "Statusgruppe",
        "Funktionsbezeichnung",
        "Anzahl der Stellen",
        "Stellenvermerk",
        "Datum des Vermerks",
        "Beginn",
        "Ende",
        "befristet",
        "Überschrift der Aufgabenbeschreibung",
    ]
    assert header[15:] == [
        "Jahreskosten 2011",
        "Monate 2011",
        "Kosten 2011",
        "Jahreskosten 2012",
        "Monate 2012",
        "Kosten 2012",
        "Aufgaben",
        "Begründung",
        "Stellennummer",
    ]
    data = rows(sheet, 5)
    assert len(data) == 18
    teamleitung = next(r for r in data if r[7] == "SB/Stv. Teamleitung")
    assert teamleitung[1:9] == [
        "20-4",
        "Abteilung Stadtkasse",
        "20",
        "200",
        "A 10",
        "Beamte",
        "SB/Stv. Teamleitung",
        1,
    ]
    assert teamleitung[11].date() == date(2011, 10, 1)
    assert teamleitung[15:21] == [80700, 3, 20175, 80700, 12, 80700]
    einkauf = next(r for r in data if r[1] == "10-1.2")
    assert einkauf[15:18] == [None, 0, None]  # not active in 2011
    assert sheet["L5"].number_format == DATE_FORMAT
    assert sheet["I5"].number_format == FTE_FORMAT
    assert sheet["U5"].number_format == MONEY_FORMAT
    assert sheet["H3"].value == "Summe der angezeigten Zeilen:"
    assert sheet["I3"].value == "=SUBTOTAL(9,I5:I22)"
    assert sheet["U3"].value == "=SUBTOTAL(9,U5:U22)"
    assert sheet.auto_filter.ref == "A4:X22"  # up to the Stellennummer column


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+49 711", "-Leitung", "@SUM(A1)", "\tTab"]
)
def test_it_neutralises_text_that_a_spreadsheet_would_run_as_a_formula(text):
    unit = OrgUnit.objects.get(code="20-4")
    PositionFactory(org_unit=unit, pay_grade=PayGrade.objects.get(code="A 8"), title=text)
    book = workbook((2012,))
    # The text as it is (no visible apostrophe), an explicit string with quotePrefix.
    cells = [c for row in book["Stellen"].iter_rows(min_row=5) for c in row if c.value == text]
    assert len(cells) == 1
    assert cells[0].data_type == "s"
    assert cells[0].quotePrefix is True
    anlage = [c for row in book["20 Stadtkämmerei"].iter_rows() for c in row if c.value == text]
    assert anlage and anlage[0].data_type == "s" and anlage[0].quotePrefix is True
    assert not [
        c
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("'")
    ]


def test_it_writes_a_carriage_return_as_a_line_break_never_as_a_formula():
    unit = OrgUnit.objects.get(code="20-4")
    PositionFactory(org_unit=unit, pay_grade=PayGrade.objects.get(code="A 8"), title="\rCR")
    book = workbook((2012,))
    cells = [c for row in book["Stellen"].iter_rows(min_row=5) for c in row if c.value == "\nCR"]
    assert len(cells) == 1 and cells[0].data_type == "s"


def test_safe_text_keeps_ordinary_text_and_drops_characters_xml_cannot_hold():
    assert safe_text("SB/-in Buchhaltung") == "SB/-in Buchhaltung"
    assert safe_text("=1+1") == "'=1+1"
    assert safe_text("a\x00b\x07c") == "abc"
    assert safe_text("a\ufffeb\uffffc\ud800") == "abc"
    assert len(safe_text("x" * 40000)) == 32767


def test_it_exports_a_title_with_characters_xml_cannot_hold(client, django_user_model):
    unit = OrgUnit.objects.get(code="20-4")
    PositionFactory(
        org_unit=unit, pay_grade=PayGrade.objects.get(code="A 8"), title="SB\ufffe Kasse\uffff"
    )
    client.force_login(django_user_model.objects.create_user("leser"))
    response = client.get(reverse("excel:export_positions"), {"year": 2012})
    assert response.status_code == 200
    book = load_workbook(
        BytesIO(b"".join(response.streaming_content))
        if response.streaming
        else BytesIO(response.content)
    )
    rows = list(book["Stellen"].iter_rows(min_row=4, values_only=True))
    column = rows[0].index("Funktionsbezeichnung")
    assert "SB Kasse" in [row[column] for row in rows[1:]]


def test_it_makes_sheet_names_valid_and_unique():
    OrgUnitFactory(code="A/B", name="Amt für [Sonder]aufgaben: Plan? *", kind="amt")
    OrgUnitFactory(code="A-B", name="Amt für -Sonder-aufgaben- Plan- -", kind="amt")
    for unit in OrgUnit.objects.filter(code__in=["A/B", "A-B"]):
        PositionFactory(org_unit=unit, pay_grade=PayGrade.objects.get(code="A 8"))
    names = workbook((2012,)).sheetnames
    # Forbidden characters replaced, cut at a word boundary, unique.
    assert "A-B Amt für -Sonder-aufgaben" in names
    assert "A-B Amt für (2)" in names
    assert all(len(n) <= 31 for n in names)


def test_it_costs_only_the_given_positions():
    positions = Position.objects.filter(org_unit__code__startswith="20")
    book = workbook((2012,), positions, scope="Auswahl")
    assert book.sheetnames == ["Übersicht", "20 Stadtkämmerei", "Kostensätze", "Stellen"]
    assert book["Übersicht"]["A2"].value == "Stand: 15.03.2012 · Auswahl"
    assert len(rows(book["Stellen"], 5)) == 5


def test_it_needs_a_cost_table_for_every_year():
    with pytest.raises(CostingError, match="keine gültige Kostentabelle"):
        build_workbook([2009, 2012])


def test_selected_years_default_to_the_year_and_the_two_following():
    assert selected_years(2012) == [2012, 2013, 2014]
    assert selected_years(2012, [2015, 2013]) == [2012, 2013, 2015]
    assert selected_years(None, [2013]) == [2013]
    assert selected_years()[0] == timezone.localdate().year
    with pytest.raises(ExportError, match="Ungültiges Jahr 12"):
        selected_years(12)
    with pytest.raises(ExportError, match="höchstens 10 Jahre"):
        selected_years(None, range(2000, 2011))


def test_the_command_writes_the_workbook(tmp_path):
    target = tmp_path / "kosten.xlsx"
    out = StringIO()
    call_command(
        "export_costs", "--year", "2012", "--format", "xlsx", "-o", str(target), stdout=out
    )
    assert "Excel-Arbeitsmappe für 2012, 2013, 2014 geschrieben" in out.getvalue()
    book = load_workbook(target)
    assert book["Übersicht"]["E4"].value == "Kosten 2012"
    assert book["Übersicht"]["K4"].value == "Kosten 2014"


def test_the_command_takes_a_list_of_years(tmp_path):
    target = tmp_path / "kosten.xlsx"
    call_command(
        "export_costs",
        "--years",
        "2011,2012",
        "--format",
        "xlsx",
        "-o",
        str(target),
        stdout=StringIO(),
    )
    header = rows(load_workbook(target)["Übersicht"], 4)[0]
    assert header[4::3] == ["Kosten 2011", "Kosten 2012"]


def test_the_command_needs_an_output_file_for_xlsx():
    with pytest.raises(CommandError, match="-o DATEI.xlsx"):
        call_command("export_costs", "--year", "2012", "--format", "xlsx")


def test_the_command_reports_a_year_without_cost_table(tmp_path):
    with pytest.raises(CommandError, match="Für das Jahr 2009 gibt es keine gültige Kostentabelle"):
        call_command(
            "export_costs",
            "--years",
            "2009",
            "2012",
            "--format",
            "xlsx",
            "-o",
            str(tmp_path / "x.xlsx"),
        )


def test_the_command_exports_json_of_several_years_as_a_list():
    out = StringIO()
    call_command("export_costs", "--years", "2011", "2012", stdout=out)
    data = json.loads(out.getvalue())
    assert [d["year"] for d in data] == [2011, 2012]
    assert data[1]["total"]["annual_cost"] == "1128560.00"


def test_the_figures_are_the_engines():
    """No arithmetic of its own: a changed engine result shows in the workbook."""
    book = workbook((2012,))
    wfb = cost_year(2012).by_department[-1]
    assert book["Übersicht"]["A9"].value == wfb[0].code
    assert D(str(book["Übersicht"]["E9"].value)) == wfb[1].cost_in_year
