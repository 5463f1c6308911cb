"""Excel import of positions: every error class, all or nothing, the command, the round trip."""

import subprocess
import sys
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from core.xlsx import ImportFailed
from costing.engine import cost_year
from costing.excel import write_workbook
from stellenplan.imports import default_start_date, import_positions
from stellenplan.models import ImportBatch, Position
from tests.costing.excel_files import POSITION_HEADER, xlsx_file

pytestmark = pytest.mark.usefixtures("seed")

D = Decimal
FULL_HEADER = [*POSITION_HEADER, "Stellenvermerk", "Beginn", "Ende"]


def empty_the_plan() -> None:
    """Delete every position, and first whatever refers to one (e.g. lines of decisions)."""
    for model in apps.get_models():
        if model is not Position and any(
            f.many_to_one and f.concrete and f.related_model is Position
            for f in model._meta.get_fields()
        ):
            model.objects.all().delete()
    Position.objects.all().delete()


def clear_ids(path) -> None:
    """Empty the ID column of an export's "Stellen" sheet (rows become new positions)."""
    workbook = load_workbook(path)
    sheet = workbook["Stellen"]
    header = next(r for r in sheet.iter_rows() if r[0].value == "ID")
    for row in sheet.iter_rows(min_row=header[0].row + 1):
        row[0].value = None
    workbook.save(path)


def issues_of(path: str, **kwargs) -> list:
    with pytest.raises(ImportFailed) as failed:
        import_positions(path, **kwargs)
    return failed.value.issues


def only_issue(path: str):
    issues = issues_of(path)
    assert len(issues) == 1, [str(i) for i in issues]
    return issues[0]


def test_it_imports_numbers_text_numbers_excel_dates_and_text_dates(tmp_path):
    before = Position.objects.count()
    path = xlsx_file(
        tmp_path,
        [
            FULL_HEADER,
            ["20-4", "A 8", "SB/-in Buchhaltung", 1, None, date(2013, 1, 1), None],
            ["20-4", "EG 6", "SB/-in Kasse", "0,5", "KW", "01.04.2013", "31.12.2015"],
            ["29AL", "a 13 hd", "Referent/-in", 0.25, "", "2013-07-01", date(2014, 6, 30)],
        ],
    )
    result = import_positions(path)
    assert (result.created, result.fte, result.sheet) == (3, D("1.75"), "Tabelle1")
    assert Position.objects.count() == before + 3
    kasse = Position.objects.get(title="SB/-in Kasse")
    assert (kasse.org_unit.code, kasse.pay_grade.code, kasse.fte, kasse.note) == (
        "20-4",
        "EG 6",
        D("0.50"),
        "KW",
    )
    assert (kasse.start_date, kasse.end_date, kasse.fixed_term) == (
        date(2013, 4, 1),
        date(2015, 12, 31),
        True,
    )
    referent = Position.objects.get(title="Referent/-in")
    assert referent.pay_grade.code == "A 13 hD"  # case and spaces of the grade are forgiven
    assert referent.end_date == date(2014, 6, 30)
    batch = ImportBatch.objects.get()
    assert referent.history.get().history_change_reason == f"Excel-Import {batch.pk} (datei.xlsx)"


def test_it_starts_rows_without_beginn_on_the_given_date(tmp_path):
    path = xlsx_file(tmp_path, [POSITION_HEADER, ["WFB", "A 14", "Controlling", 1]])
    import_positions(path, default_start=date(2014, 3, 1))
    assert Position.objects.get(title="Controlling").start_date == date(2014, 3, 1)


def test_it_starts_rows_without_beginn_on_1_january_of_the_next_year_by_default(tmp_path):
    assert default_start_date(date(2025, 6, 15)) == date(2026, 1, 1)
    path = xlsx_file(tmp_path, [POSITION_HEADER, ["WFB", "A 14", "Controlling", 1]])
    import_positions(path)
    assert Position.objects.get(title="Controlling").start_date == default_start_date()


def test_it_names_sheet_row_column_value_and_expectation_of_an_unknown_org_unit(tmp_path):
    path = xlsx_file(
        tmp_path,
        [
            ["Stellenplan 2013"],
            [],
            POSITION_HEADER,
            ["20-4", "A 8", "SB", 1],
            ["99-9", "A 8", "SB", 1],
        ],
        sheet="Neu",
    )
    issue = only_issue(path)
    assert (issue.sheet, issue.row, issue.column, issue.letter, issue.value) == (
        "Neu",
        5,
        "Org.einheit",
        "A",
        "99-9",
    )
    assert "unbekannte Org.einheit" in issue.message
    assert str(issue).startswith("Blatt „Neu“, Zeile 5, Spalte „Org.einheit“ (A): Wert „99-9“:")


def test_it_explains_an_org_unit_that_excel_turned_into_a_date(tmp_path):
    path = xlsx_file(tmp_path, [POSITION_HEADER, [date(2025, 2, 14), "A 13 hD", "Prüfer", 1]])
    issue = only_issue(path)
    assert issue.value == "14.02.2025"
    assert "als Datum gelesen" in issue.message


def test_it_reads_numeric_org_unit_codes(tmp_path):
    path = xlsx_file(tmp_path, [POSITION_HEADER, [10, "EG 9", "Amtsleitung Assistenz", 1]])
    import_positions(path)
    assert Position.objects.get(title="Amtsleitung Assistenz").org_unit.code == "10"


def test_it_reports_an_unknown_grade(tmp_path):
    issue = only_issue(xlsx_file(tmp_path, [POSITION_HEADER, ["20-4", "B 3", "SB", 1]]))
    assert (issue.column, issue.value) == ("Stellenwert", "B 3")
    assert "unbekannter Stellenwert" in issue.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("eins", "erwartet eine Zahl größer als 0 und höchstens 1,0"),
        ("1,5", "verstanden als 1,5"),
        (0, "verstanden als 0"),
        ("-0,5", "verstanden als -0,5"),
        ("0.500", "verstanden als 500"),  # a German thousands separator, as Django reads it
        (0.333, "höchstens zwei Nachkommastellen"),
        (True, "erwartet eine Zahl"),
    ],
)
def test_it_rejects_bad_numbers_and_fte_out_of_range(tmp_path, value, expected):
    issue = only_issue(xlsx_file(tmp_path, [POSITION_HEADER, ["20-4", "A 8", "SB", value]]))
    assert issue.column == "Anzahl der Stellen"
    assert expected in issue.message


def test_it_rejects_an_end_before_the_start(tmp_path):
    path = xlsx_file(
        tmp_path, [FULL_HEADER, ["20-4", "A 8", "SB", 1, None, "01.07.2013", "30.06.2013"]]
    )
    issue = only_issue(path)
    assert (issue.column, issue.letter, issue.value) == ("Ende", "G", "30.06.2013")
    assert "vor dem Beginn (01.07.2013)" in issue.message


@pytest.mark.parametrize("value", ["31.02.2013", "2013", 2013, "morgen"])
def test_it_rejects_what_is_not_a_date(tmp_path, value):
    path = xlsx_file(tmp_path, [FULL_HEADER, ["20-4", "A 8", "SB", 1, None, value, None]])
    issue = only_issue(path)
    assert issue.column == "Beginn"
    assert "TT.MM.JJJJ" in issue.message


def test_it_rejects_duplicate_header_names(tmp_path):
    header = [*POSITION_HEADER, "Beginn", "beginn "]
    issue = only_issue(xlsx_file(tmp_path, [header, ["20-4", "A 8", "SB", 1, None, None]]))
    assert (issue.row, issue.letter) == (1, "F")
    assert "doppelt" in issue.message
    assert "Spalte E" in issue.message


def test_it_names_a_missing_required_column(tmp_path):
    path = xlsx_file(
        tmp_path, [["Org.einheit", "Stellenwert", "Anzahl der Stellen"], ["20-4", "A 8", 1]]
    )
    issue = only_issue(path)
    assert "Die Spalte „Funktionsbezeichnung“ fehlt" in issue.message


def test_it_reports_a_file_without_a_header_row(tmp_path):
    issue = only_issue(xlsx_file(tmp_path, [["Name", "Wert"], ["x", 1]]))
    assert "Keine Kopfzeile gefunden" in issue.message


def test_it_reports_a_header_without_data_rows(tmp_path):
    issue = only_issue(xlsx_file(tmp_path, [POSITION_HEADER, [None, None, " ", None]]))
    assert "keine Datenzeilen" in issue.message


def test_it_rejects_an_empty_title_and_a_too_long_one_with_the_models_message(tmp_path):
    path = xlsx_file(
        tmp_path, [POSITION_HEADER, ["20-4", "A 8", "  ", 1], ["20-4", "A 8", "x" * 201, 1]]
    )
    first, second = issues_of(path)
    assert (first.row, first.column, first.value) == (2, "Funktionsbezeichnung", "  ")
    assert "Pflichtfeld" in first.message
    assert (second.row, second.column) == (3, "Funktionsbezeichnung")
    assert "200" in second.message  # Django's max_length message


def test_it_rejects_an_unknown_note(tmp_path):
    path = xlsx_file(tmp_path, [FULL_HEADER, ["20-4", "A 8", "SB", 1, "KX", None, None]])
    issue = only_issue(path)
    assert (issue.column, issue.value) == ("Stellenvermerk", "KX")
    assert "KW, KU" in issue.message


def test_it_lists_every_error_of_every_row_and_saves_nothing(tmp_path):
    before = Position.objects.count()
    path = xlsx_file(
        tmp_path,
        [
            FULL_HEADER,
            ["20-4", "A 8", "gut", 1, None, None, None],
            ["XX", "A 99", "schlecht", "viel", None, "gestern", None],
            [],
            ["20-4", "A 8", "auch gut", "0,5", None, None, None],
            ["20-4", "A 8", "Ende zu früh", 1, None, "01.01.2013", "01.01.2012"],
        ],
    )
    issues = issues_of(path)
    assert [(i.row, i.column) for i in issues] == [
        (3, "Org.einheit"),
        (3, "Stellenwert"),
        (3, "Anzahl der Stellen"),
        (3, "Beginn"),
        (6, "Ende"),
    ]
    assert Position.objects.count() == before


def test_it_prefers_the_stellen_sheet_and_strips_the_export_apostrophe(tmp_path):
    path = xlsx_file(
        tmp_path,
        [["nur eine Notiz"]],
        sheet="Hinweise",
        Stellen=[POSITION_HEADER, ["20-4", "A 8", "'=Formel? nein, Text", 1]],
    )
    result = import_positions(path)
    assert result.sheet == "Stellen"
    assert Position.objects.filter(title="=Formel? nein, Text").exists()


def test_it_reads_the_anlage_layout_of_a_beschlussvorlage(tmp_path):
    header = [
        "Org.einheit (aut. Stpl.)",
        "Stellenwert Haushalt",
        "Funktionsbezeichnung",
        "Anzahl der Stellen",
        "Stellen- vermerk",
        "Durchschnittl. jährl. kosten-wirksamer Aufwand EUR",
    ]
    path = xlsx_file(tmp_path, [header, ["14-2", "A 13 hD", "Prüfer/-in", "1,0", "-", 110400]])
    assert import_positions(path, default_start=date(2012, 1, 1)).created == 1


def test_it_validates_without_saving_in_a_dry_run(tmp_path):
    before = Position.objects.count()
    path = xlsx_file(tmp_path, [POSITION_HEADER, ["20-4", "A 8", "SB", 1]])
    assert import_positions(path, dry_run=True).created == 1
    assert Position.objects.count() == before


def test_it_round_trips_the_stellen_sheet_of_an_export_into_an_empty_plan(tmp_path):
    years = [2011, 2012, 2013]
    before = [cost_year(y) for y in years]
    texts = ("title", "task_heading", "tasks", "justification", "note", "fixed_term")
    texts_before = sorted(Position.objects.values_list(*texts))
    path = tmp_path / "export.xlsx"
    with path.open("wb") as handle:
        write_workbook(handle, years)
    empty_the_plan()
    assert cost_year(2012).total.positions == 0
    # The IDs of the export name positions that are gone: refused, one issue per row.
    issues = issues_of(str(path))
    assert len(issues) == 18
    assert {(i.column, i.letter) for i in issues} == {("ID", "A")}
    assert "Eine Stelle mit dieser ID gibt es nicht (mehr)" in issues[0].message
    clear_ids(path)

    result = import_positions(str(path))

    assert result.created == 18
    for old, year in zip(before, years, strict=True):
        new = cost_year(year)
        assert new.total == old.total
        assert [(u.code, t) for u, t in new.by_department] == [
            (u.code, t) for u, t in old.by_department
        ]
        keep = ("org_unit_code", "pay_grade_code", "title", "fte", "start_date", "end_date")
        assert sorted(tuple(getattr(x, k) for k in keep) for x in new.lines) == sorted(
            tuple(getattr(x, k) for k in keep) for x in old.lines
        )
    assert sorted(Position.objects.values_list(*texts)) == texts_before


def test_the_command_imports_and_reports(tmp_path):
    path = xlsx_file(tmp_path, [POSITION_HEADER, ["20-4", "A 8", "SB", "0,5"]])
    out = StringIO()
    call_command("import_positions", path, "--default-start", "2013-01-01", stdout=out)
    assert (
        "1 Stellen (0,50 Stellenanteile) aus Blatt „Tabelle1“ importiert; 0 geändert, "
        f"0 unverändert. Import {ImportBatch.objects.get().pk}." in out.getvalue()
    )
    assert Position.objects.get(title="SB", fte=D("0.5")).start_date == date(2013, 1, 1)


def test_the_command_lists_every_error_and_fails(tmp_path):
    path = xlsx_file(tmp_path, [POSITION_HEADER, ["XX", "A 8", "SB", 1], ["20-4", "A 8", "SB", 2]])
    err = StringIO()
    with pytest.raises(CommandError, match="2 Fehler gefunden – es wurde nichts gespeichert"):
        call_command("import_positions", path, stderr=err)
    lines = err.getvalue().strip().splitlines()
    assert lines[0].startswith("Blatt „Tabelle1“, Zeile 2, Spalte „Org.einheit“ (A): Wert „XX“")
    assert lines[1].startswith("Blatt „Tabelle1“, Zeile 3, Spalte „Anzahl der Stellen“ (D)")


def test_the_command_exits_non_zero_on_a_bad_file(tmp_path):
    bad = tmp_path / "kaputt.xlsx"
    bad.write_text("kein Excel")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "manage.py", "import_positions", str(bad)],
        cwd=root,
        env={"DJANGO_DEBUG": "1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "keine gültige Excel-Arbeitsmappe" in done.stderr


@pytest.mark.parametrize("dry_run", [False, True])
def test_it_reports_a_broken_model_rule_at_the_column_of_its_field(tmp_path, dry_run):
    """The rule is the model's constraint (checked by the service), the cell is the importer's."""
    header = [*POSITION_HEADER, "Stellenvermerk", "Datum des Vermerks"]
    path = xlsx_file(tmp_path, [header, ["20-4", "A 8", "SB", 1, "", "01.01.2013"]])
    with pytest.raises(ImportFailed) as failed:
        import_positions(path, dry_run=dry_run)
    (issue,) = failed.value.issues
    assert (issue.row, issue.column, issue.letter, issue.value) == (
        2,
        "Datum des Vermerks",
        "F",
        "01.01.2013",
    )
    assert issue.message == (
        "Ein Datum des Vermerks setzt einen Stellenvermerk (KW oder KU) voraus."
    )


def test_an_end_date_makes_an_imported_position_befristet_even_if_the_file_says_nein(tmp_path):
    header = [*FULL_HEADER, "befristet"]
    row = ["20-4", "A 8", "SB befristet", 1, None, date(2013, 1, 1), date(2014, 12, 31), "nein"]
    assert import_positions(xlsx_file(tmp_path, [header, row])).created == 1
    position = Position.objects.get(title="SB befristet")
    assert position.fixed_term is True

    # The same row again with the position's ID: nothing to change (not "ja → nein").
    again = xlsx_file(tmp_path, [["ID", *header], [position.pk, *row]])
    result = import_positions(again)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    position.refresh_from_db()
    assert (position.fixed_term, position.version) == (True, 1)
