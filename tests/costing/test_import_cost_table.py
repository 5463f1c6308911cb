"""Excel import of cost tables: rates, errors, new grades, all or nothing, command, round trip."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.xlsx import ImportFailed
from costing.engine import cost_year
from costing.excel import write_workbook
from costing.imports import import_cost_table, status_group_of
from costing.models import CostRate, CostTable
from stellenplan.models import PayGrade
from tests.costing.excel_files import RATE_HEADER, xlsx_file

pytestmark = pytest.mark.usefixtures("seed")

D = Decimal
NEW = {"name": "Rundschreiben Nr. 01/2013", "valid_from": date(2013, 1, 1)}


def issues_of(path: str, **kwargs) -> list:
    with pytest.raises(ImportFailed) as failed:
        import_cost_table(path, **(NEW | kwargs))
    return failed.value.issues


def only_issue(path: str, **kwargs):
    issues = issues_of(path, **kwargs)
    assert len(issues) == 1, [str(i) for i in issues]
    return issues[0]


def test_it_imports_rates_with_components_from_numbers_and_german_text(tmp_path):
    path = xlsx_file(
        tmp_path,
        [
            RATE_HEADER,
            ["A 8", 72000, 60000, 9000, 3000],
            ["EG 6", "51.600", "43.000,50", "6.099,50", "2500"],
            ["A 13 hD", "113.000,00 €", None, None, None],
        ],
    )
    result = import_cost_table(path, **NEW, remark="Test")
    assert (result.rates, result.created_grades, result.sheet) == (3, [], "Tabelle1")
    table = CostTable.objects.get(valid_from=date(2013, 1, 1))
    assert (table.name, table.remark) == ("Rundschreiben Nr. 01/2013", "Test")
    rates = {
        r.pay_grade.code: (r.annual_cost, r.personnel_cost, r.material_cost, r.it_cost)
        for r in table.rates.select_related("pay_grade")
    }
    assert rates == {
        "A 8": (D("72000.00"), D("60000.00"), D("9000.00"), D("3000.00")),
        "EG 6": (D("51600.00"), D("43000.50"), D("6099.50"), D("2500.00")),
        "A 13 hD": (D("113000.00"), None, None, None),
    }


def test_the_new_table_costs_the_years_from_its_valid_from(tmp_path):
    rows = [RATE_HEADER] + [
        [r.pay_grade.code, r.annual_cost * 2, None, None, None]
        for r in CostRate.objects.select_related("pay_grade")
    ]
    import_cost_table(xlsx_file(tmp_path, rows), **NEW)
    assert cost_year(2012).total.annual_cost == D("1128560.00")
    assert cost_year(2013).total.annual_cost == D("2257120.00")


def test_it_rejects_unknown_grades_without_create_grades(tmp_path):
    issue = only_issue(xlsx_file(tmp_path, [RATE_HEADER, ["A 17", 130000]]))
    assert (issue.row, issue.column, issue.letter, issue.value) == (2, "Stellenwert", "A", "A 17")
    assert "--create-grades" in issue.message
    assert not CostTable.objects.filter(valid_from=NEW["valid_from"]).exists()


def test_it_creates_unknown_grades_with_their_status_group_on_request(tmp_path):
    path = xlsx_file(tmp_path, [RATE_HEADER, ["A 17 hD", 130000], ["EG 16", 95000], ["A 8", 70000]])
    result = import_cost_table(path, **NEW, create_grades=True)
    assert result.created_grades == ["A 17 hD", "EG 16"]
    a17 = PayGrade.objects.get(code="A 17 hD")
    assert (a17.status_group, a17.career_group) == ("beamte", "hD")
    assert PayGrade.objects.get(code="EG 16").status_group == "tarif"
    assert a17.sort_order > PayGrade.objects.get(code="EG 15").sort_order
    assert result.table.rates.count() == 3


def test_it_derives_the_status_group_from_the_code():
    assert status_group_of("A 9 gD") == "beamte"
    assert status_group_of("EG 9a") == "tarif"
    assert status_group_of("S 12") is None


def test_it_refuses_to_create_a_grade_whose_status_group_is_unclear(tmp_path):
    issue = only_issue(xlsx_file(tmp_path, [RATE_HEADER, ["S 12", 60000]]), create_grades=True)
    assert "Statusgruppe nicht erkennbar" in issue.message
    assert not PayGrade.objects.filter(code="S 12").exists()


def test_it_rejects_a_valid_from_that_already_has_a_table(tmp_path):
    path = xlsx_file(tmp_path, [RATE_HEADER, ["A 8", 70000]])
    issue = only_issue(path, valid_from=date(2010, 1, 1))
    assert "bereits eine Kostentabelle gültig ab 01.01.2010" in issue.message
    assert CostTable.objects.count() == 1


def test_it_rejects_a_grade_listed_twice(tmp_path):
    issue = only_issue(xlsx_file(tmp_path, [RATE_HEADER, ["A 8", 70000], ["a 8", 71000]]))
    assert (issue.row, issue.value) == (3, "a 8")
    assert "schon in Zeile 2" in issue.message


@pytest.mark.parametrize(
    ("annual", "expected"),
    [
        (None, "Pflichtfeld"),
        (0, "größer als 0"),
        ("-5,00", "größer als 0"),
        ("viel", "erwartet einen Betrag in Euro"),
        ("70000,005", "höchstens zwei Nachkommastellen"),
        (10**10, "zu groß"),
    ],
)
def test_it_rejects_bad_annual_costs(tmp_path, annual, expected):
    issue = only_issue(xlsx_file(tmp_path, [RATE_HEADER, ["A 8", annual]]))
    assert issue.column == "Jahreskosten"
    assert expected in issue.message


def test_it_rejects_negative_components(tmp_path):
    issue = only_issue(xlsx_file(tmp_path, [RATE_HEADER, ["A 8", 70000, 60000, -1, 0]]))
    assert (issue.column, issue.letter) == ("Sachkosten", "D")
    assert "nicht negativ" in issue.message


def test_it_lists_every_error_and_creates_nothing_not_even_grades(tmp_path):
    path = xlsx_file(
        tmp_path, [RATE_HEADER, ["A 17", 130000], ["EG 6", "teuer"], ["", 5], ["X 1", 1]]
    )
    issues = issues_of(path, create_grades=True, name="  ")
    assert [(i.row, i.column) for i in issues] == [
        (None, ""),  # the name
        (3, "Jahreskosten"),
        (4, "Stellenwert"),
        (5, "Stellenwert"),
    ]
    assert "Bezeichnung" in issues[0].message
    assert not PayGrade.objects.filter(code="A 17").exists()
    assert CostTable.objects.count() == 1


def test_the_command_imports_and_reports(tmp_path):
    path = xlsx_file(tmp_path, [RATE_HEADER, ["A 8", 72000], ["A 17", 130000]])
    out = StringIO()
    call_command(
        "import_cost_table",
        path,
        "--name",
        "RS 2013",
        "--valid-from",
        "2013-01-01",
        "--create-grades",
        stdout=out,
    )
    assert (
        "Kostentabelle „RS 2013“ gültig ab 01.01.2013 mit 2 Kostensätzen aus Blatt „Tabelle1“ "
        "importiert. Neue Stellenwerte: A 17." in out.getvalue()
    )


def test_the_command_lists_every_error_and_fails(tmp_path):
    path = xlsx_file(tmp_path, [RATE_HEADER, ["A 17", 130000]])
    err = StringIO()
    with pytest.raises(CommandError, match="2 Fehler gefunden"):
        call_command(
            "import_cost_table", path, "--name", "X", "--valid-from", "2010-01-01", stderr=err
        )
    assert "bereits eine Kostentabelle" in err.getvalue()
    assert "Zeile 2, Spalte „Stellenwert“ (A): Wert „A 17“" in err.getvalue()


def test_the_command_rejects_a_bad_date(tmp_path):
    path = xlsx_file(tmp_path, [RATE_HEADER, ["A 8", 1]])
    with pytest.raises(CommandError, match="Ungültiges Datum „1.1.2013“"):
        call_command("import_cost_table", path, "--name", "X", "--valid-from", "1.1.2013")


def test_it_round_trips_the_kostensaetze_sheet_of_an_export(tmp_path):
    path = tmp_path / "export.xlsx"
    with path.open("wb") as handle:
        write_workbook(handle, [2012])
    result = import_cost_table(str(path), **NEW)
    assert result.sheet == "Kostensätze"

    def rates(table):
        return sorted(
            (r.pay_grade.code, r.annual_cost, r.personnel_cost, r.material_cost, r.it_cost)
            for r in table.rates.select_related("pay_grade")
        )

    assert rates(result.table) == rates(CostTable.objects.get(valid_from=date(2010, 1, 1)))
    assert cost_year(2013).total.annual_cost == cost_year(2012).total.annual_cost
