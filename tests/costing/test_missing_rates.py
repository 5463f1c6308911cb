"""Missing rates degrade, never blank (issue 11): one A 9 gD position, which the 2010 table does not
rate, leaves every other figure of the start page, the tree, the lists, the Excel export and the
JSON export intact, counts its Stellen, marks the totals "unvollständig" and lists it."""

import json
from datetime import date
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from costing import selectors
from costing.engine import MissingRateError, cost_year, totals_by_unit, year_summary
from costing.excel import SHEET_MISSING
from costing.models import CostTable
from departments.models import OrgUnit
from stellenplan.models import PayGrade, Position
from tests.factories import CostRateFactory, CostTableFactory, PositionFactory

D = Decimal
TITLE = "Sachbearbeitung ohne Kostensatz"
TABLE = "Rundschreiben Nr. 03/2010"

pytestmark = pytest.mark.usefixtures("seed")


@pytest.fixture
def unrated(seed) -> Position:
    """One A 9 gD position (1,0 Stellen) in 10-1.2 from 2012: the 2010 table has no A 9 gD."""
    return PositionFactory(
        org_unit=OrgUnit.objects.get(code="10-1.2"),
        pay_grade=PayGrade.objects.get(code="A 9 gD"),
        fte=D("1.00"),
        title=TITLE,
        start_date=date(2012, 1, 1),
    )


@pytest.fixture
def reader(client):
    user = User.objects.create_user("leser")
    user.groups.add(Group.objects.get(name="Sitzungsdienst"))
    client.force_login(user)
    return client


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --- engine and selectors --------------------------------------------------------------------


def test_the_summary_keeps_the_reference_figures_counts_the_position_and_lists_it(unrated):
    for _ in range(2):  # computed, then from the cache
        summary = year_summary(2012)
        assert summary.incomplete
        assert summary.total.fte == D("14.50")  # 13,5 + the new 1,0
        assert summary.total.positions == 19
        assert summary.total.annual_cost == D("1128560.00")
        assert summary.total.reimbursement == D("405768.00")
        [line] = summary.missing
        assert (line.position_id, line.org_unit_code, line.title, line.pay_grade_code) == (
            unrated.pk,
            "10-1.2",
            TITLE,
            "A 9 gD",
        )
        assert line.table_name.startswith(TABLE)
        assert line.annual_cost is None and line.cost_in_year is None  # never 0
        departments = {unit.code: total for unit, total in summary.by_department}
        assert (departments["10"].fte, departments["10"].annual_cost) == (D("2.5"), D("117210"))
        assert departments["10"].incomplete and departments["10"].missing == [line]
        assert (departments["29"].fte, departments["29"].annual_cost) == (D("5.5"), D("478500"))
        assert not departments["29"].incomplete
    # line by line the same figures
    costing = cost_year(2012, strict=False)
    assert costing.total == summary.total
    assert totals_by_unit(costing) == summary.by_unit
    # the Beschlussvorlagen (strict) still refuse, naming grade, table and the position
    with pytest.raises(MissingRateError, match=TITLE):
        cost_year(2012)


def test_the_year_before_the_position_is_complete(unrated):
    summary = year_summary(2011)
    assert not summary.incomplete
    assert summary.total.fte == D("2.0")
    assert summary.total.cost_in_year == D("42350")


def test_list_sums_row_costs_and_position_costs_mark_the_missing_rate(unrated):
    sums = selectors.list_sums(Position.objects.all(), 2012)
    assert sums.incomplete
    assert sums.annual_cost == D("1128560.00")
    assert sums.active_fte == D("14.50")
    assert [m.position_id for m in sums.missing] == [unrated.pk]
    assert selectors.row_costs([unrated], 2012)[unrated.pk].missing_rate
    [(year, line)] = selectors.position_costs(unrated, [2012])
    assert year == 2012 and line is not None and line.incomplete and line.annual_cost is None


def test_missing_rate_tables_names_the_tables_of_the_active_years(unrated):
    table = CostTable.objects.get()
    assert selectors.missing_rate_tables(unrated) == [table]
    rated = Position.objects.exclude(pk=unrated.pk).first()
    assert selectors.missing_rate_tables(rated) == []
    # a later table with the rate: only the old one lacks it
    later = CostTableFactory(name="2014", valid_from=date(2014, 1, 1))
    CostRateFactory(table=later, pay_grade=unrated.pay_grade)
    assert selectors.missing_rate_tables(unrated) == [table]
    # a position that ends before 2014 is costed with the old table only
    unrated.end_date = date(2012, 12, 31)
    assert selectors.missing_rate_tables(unrated) == [table]
    # one that starts in 2014 only with the new one, which rates it
    unrated.start_date, unrated.end_date = date(2014, 3, 1), None
    assert selectors.missing_rate_tables(unrated) == []


def test_grades_without_rate_counts_the_positions_of_the_tables_years(unrated):
    table = CostTable.objects.get()
    PositionFactory(pay_grade=unrated.pay_grade, start_date=date(2013, 1, 1))
    result = selectors.grades_without_rate(table)
    assert [(g.pay_grade.code, g.positions) for g in result] == [("A 9 gD", 2)]


def test_the_json_export_lists_the_position_and_marks_the_year_incomplete(unrated):
    out = StringIO()
    call_command("export_costs", "--year", "2012", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["incomplete"] is True
    assert data["total"]["fte"] == "14.50"
    assert data["total"]["annual_cost"] == "1128560.00"
    assert data["total"]["incomplete"] is True
    assert [(m["id"], m["org_unit"], m["pay_grade"]) for m in data["missing_rates"]] == [
        (unrated.pk, "10-1.2", "A 9 gD")
    ]
    assert unrated.pk not in {p["id"] for p in data["positions"]}


# --- pages -----------------------------------------------------------------------------------


def test_the_start_page_keeps_every_figure_and_lists_the_position(unrated, reader):
    html = text(reader.get(reverse("costs:overview"), {"year": 2012}))
    assert "Kosten nicht berechenbar" not in html
    assert "14,5" in html  # Stellen, counted with the new position
    assert "1.128.560" in html  # the reference cost, marked
    assert "405.768" in html
    assert "478.500" in html  # Amt 29 untouched
    assert "unvollständig" in html
    assert "Summen unvollständig: 1 Stelle ohne Kostensatz" in html
    assert TITLE in html and "A 9 gD" in html and TABLE in html
    assert "117.210\xa0€<br><small" in html  # Amt 10's cost, marked


def test_the_tree_counts_the_position_and_marks_the_totals(unrated, reader):
    html = text(reader.get(reverse("orgunits:tree"), {"year": 2012}))
    assert "Kosten nicht berechenbar" not in html
    assert '<td class="num">2,5</td>' in html  # Amt 10: 1,5 + 1,0
    assert '<td class="num">14,5</td>' in html  # the sum row
    assert '<td class="num">5,5</td>' in html  # Amt 29 untouched
    assert "117.210" in html and "unvollständig" in html
    assert TITLE in html
    # 10-1.2 has only... its reference line has a rate: a sum, marked, not "fehlt"
    assert html.count(">fehlt<") == 0


def test_a_unit_whose_only_position_lacks_a_rate_shows_fehlt_not_zero(unrated, reader):
    unit = OrgUnit.objects.create(code="10-1.9", name="Neu", kind="sachgebiet", parent_id=7)
    Position.objects.filter(pk=unrated.pk).update(org_unit=unit)
    html = text(reader.get(reverse("orgunits:detail", args=[unit.pk]), {"year": 2012}))
    assert "fehlen" in html and ">0\xa0€<" not in html
    tree = text(reader.get(reverse("orgunits:tree"), {"year": 2012}))
    assert ">fehlt<" in tree


def test_the_org_unit_page_marks_its_total(unrated, reader):
    amt = OrgUnit.objects.get(code="10")
    html = text(reader.get(reverse("orgunits:detail", args=[amt.pk]), {"year": 2012}))
    assert "2,5" in html and "117.210" in html and "unvollständig" in html
    assert TITLE in html and "A 9 gD" in html


def test_the_position_list_keeps_its_sums_and_marks_the_row(unrated, reader):
    html = text(reader.get(reverse("positions:list"), {"year": 2012}))
    assert "Kosten nicht berechenbar" not in html
    assert "14,5 Stellen" in html
    assert "1.128.560" in html and "unvollständig" in html
    assert ">fehlt<" in html  # the row's cost
    assert TITLE in html


def test_the_position_page_shows_the_missing_rate(unrated, reader):
    html = text(reader.get(reverse("positions:detail", args=[unrated.pk]), {"year": 2012}))
    assert "Kosten nicht berechenbar" not in html
    assert ">fehlt<" in html
    assert "keinen Kostensatz für „A 9 gD“" in html


def test_the_cost_rates_page_lists_the_grade_in_use_without_a_rate(unrated, reader):
    html = text(reader.get(reverse("costs:costtable_list")))
    section = html.split('id="fehlende"', 1)[1]
    assert "<td>A 9 gD</td>" in section
    assert '<td class="num">1</td>' in section


# --- Excel -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["Personalamt", "Kämmerei", "Sitzungsdienst", None])
def test_the_excel_export_answers_200_for_every_role_and_lists_the_position(unrated, client, role):
    user = User.objects.create_user(f"nutzer-{role}", is_superuser=role is None)
    if role:
        user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    response = client.get(reverse("excel:export"), {"year": 2012})
    assert response.status_code == 200
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    overview = list(book["Übersicht"].iter_rows(values_only=True))
    amt10 = next(row for row in overview if row[0] == "10")
    assert amt10[1].endswith("(unvollständig)")
    assert (amt10[2], amt10[3]) == (D("2.5"), D("117210"))
    amt29 = next(row for row in overview if row[0] == "29")
    assert (amt29[2], amt29[3]) == (D("5.5"), D("478500"))
    assert any(row[1] == "Gesamt (unvollständig)" for row in overview)
    assert any(
        isinstance(row[1], str) and row[1].startswith("2012 unvollständig") for row in overview
    )
    missing = [r for r in book[SHEET_MISSING].iter_rows(min_row=5, values_only=True) if r[0]]
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in missing] == [
        (2012, unrated.pk, "10-1.2", TITLE, "A 9 gD"),
        (2013, unrated.pk, "10-1.2", TITLE, "A 9 gD"),
        (2014, unrated.pk, "10-1.2", TITLE, "A 9 gD"),
    ]
    row = next(r for r in book["Stellen"].iter_rows(min_row=5, values_only=True) if r[7] == TITLE)
    assert row[15] == "fehlt" and row[17] == "fehlt"  # annual cost and cost 2012, never 0
    assert row[8] == 1  # the Stellen are there


def test_an_export_without_missing_rates_has_no_note_sheet(reader):
    response = reader.get(reverse("excel:export"), {"year": 2012})
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert SHEET_MISSING not in book.sheetnames


# --- saving a position -----------------------------------------------------------------------


def position_data(**changes) -> dict:
    data = {
        "org_unit": OrgUnit.objects.get(code="10-1.2").pk,
        "pay_grade": PayGrade.objects.get(code="A 9 gD").pk,
        "fte": "1,0",
        "title": TITLE,
        "task_heading": "",
        "note": "",
        "note_date": "",
        "start_date": "01.01.2012",
        "end_date": "",
        "tasks": "",
        "justification": "",
    }
    data.update(changes)
    return data


def warnings_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]


@pytest.mark.parametrize("username", ["personalamt", "admin"])
def test_saving_a_position_without_a_rate_warns_and_saves(client, role_users, username):
    client.force_login(role_users[username])
    response = client.post(reverse("positions:create"), position_data())
    assert response.status_code == 302
    position = Position.objects.get(title=TITLE)  # saved all the same
    [warning] = warnings_of(response)
    assert "„A 9 gD“" in warning and TABLE in warning
    link = f"{reverse('costs:costtable_list')}?tabelle={CostTable.objects.get().pk}"
    assert (link in warning) is (username == "admin")  # only for who may edit rates
    page = client.get(response["Location"]).content.decode()
    assert "„A 9 gD“" in page  # shown on the next page, the link as a link
    assert (f'<a href="{link}#fehlende">Kostensätze ergänzen</a>' in page) is (username == "admin")
    # editing it warns again; a grade with a rate does not
    data = position_data(version=position.version)
    response = client.post(reverse("positions:update", args=[position.pk]), data)
    assert response.status_code == 302 and warnings_of(response)
    client.get(response["Location"])  # shows (and so consumes) the messages
    position.refresh_from_db()
    data = position_data(version=position.version, pay_grade=PayGrade.objects.get(code="A 12").pk)
    response = client.post(reverse("positions:update", args=[position.pk]), data)
    assert response.status_code == 302 and warnings_of(response) == []


# --- Beschlussvorlagen -----------------------------------------------------------------------


def test_a_decision_with_a_linked_position_without_a_rate_names_it_instead_of_failing(reader):
    """A Beschlussvorlage prints its figures as final: it costs strictly and shows, in place
    of the figures, which position lacks which rate (no 500, also in print and PDF)."""
    from decisions.models import Decision, DecisionPosition

    decision = Decision.objects.get()
    link = DecisionPosition.objects.filter(decision=decision).select_related("position").first()
    Position.objects.filter(pk=link.position_id).update(
        pay_grade=PayGrade.objects.get(code="A 9 gD")
    )
    for name in ("detail", "print"):
        html = text(reader.get(reverse(f"decisions:{name}", args=[decision.pk])))
        assert "„A 9 gD“" in html and TABLE in html
        assert f"„{link.position.title}“" in html
    response = reader.get(reverse("decisions:pdf", args=[decision.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.libreoffice
def test_libreoffice_totals_skip_the_missing_cost_and_count_its_stellen(unrated, tmp_path):
    """The "fehlt" cells are text: LibreOffice's SUM/SUBTOTAL give the engine's totals of the
    costed lines, and the Stellen include the position."""
    from costing.excel import write_workbook
    from tests.costing.test_excel_libreoffice import by_label, cents, recalculate

    source = tmp_path / "kosten.xlsx"
    with source.open("wb") as handle:
        write_workbook(handle, [2012])
    values = load_workbook(recalculate(source, tmp_path), data_only=True)
    sheet = values["Übersicht"]
    row = by_label(sheet, 1, "Gesamt (unvollständig)")
    got = [cents(sheet.cell(row, column).value) for column in range(3, 8)]
    assert got == [D("14.50"), D("1128560"), D("1128560"), D("405768"), D("722792")]
    stellen = values["Stellen"]
    assert cents(stellen.cell(3, 9).value) == D("14.50")  # SUBTOTAL of the Stellen
    assert cents(stellen.cell(3, 16).value) == D("1128560")  # of the annual cost 2012
