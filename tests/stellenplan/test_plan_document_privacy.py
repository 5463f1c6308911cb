"""Datenschutz of "besetzt am 30.06." (issue 21): no sum of a group below 3 positions, no
sum that reveals a hidden one (secondary suppression), on the page, in the PDF, in Excel and in
the frozen record; old records without the flag still read."""

import json
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from stellenplan.models import Occupation
from stellenplan.plan_adoption import adopt_for_bench
from stellenplan.plan_document import (
    HIDDEN_MARK,
    PLAN_RECORD,
    Occupied,
    build_full_document,
    build_plan_document,
    document_for_output,
    hide_unprotected_occupation,
    occupation_shown,
    secondary_suppression,
)
from stellenplan.plan_excel import write_plan_workbook
from stellenplan.plan_pdf import render_plan_pdf
from tests.factories import OrgUnitFactory, PayGradeFactory, PositionFactory
from tests.stellenplan.plan_fixtures import REFERENCE_BY_GRADE, reference_plan

ZERO = Decimal("0")
SINGLE = Decimal("0.4137")  # the one employee's share that must never appear
SINGLE_TEXT = "0,4137"
NOTE = "weniger als 3 Stellen: nicht ausgewiesen (Datenschutz)"


# --- the rules, by hand -----------------------------------------------------------------------


def test_a_group_needs_three_positions_and_none_or_three_occupied():
    assert not occupation_shown(Occupied(SINGLE, positions=1, occupied_positions=1))
    assert not occupation_shown(Occupied(ZERO, positions=2))
    assert not occupation_shown(Occupied(Decimal("1"), positions=5, occupied_positions=1))
    assert not occupation_shown(Occupied(Decimal("1.5"), positions=5, occupied_positions=2))
    assert occupation_shown(Occupied(Decimal("2.3"), positions=3, occupied_positions=3))
    assert occupation_shown(Occupied(ZERO, positions=4, occupied_positions=0))
    assert occupation_shown(Occupied(ZERO))  # no positions: 0 is no one's share


def test_one_hidden_part_hides_the_smallest_visible_part_too():
    # total 3.0 = a 0.41 (hidden) + b 1.0 + c 1.59: b is hidden as well, the total stays
    values = [Decimal("3.0"), Decimal("0.41"), Decimal("1.0"), Decimal("1.59")]
    hidden = secondary_suppression(values, [False, True, False, False], [(0, [1, 2, 3])])
    assert hidden == [False, True, True, False]


def test_a_sum_with_its_only_part_hidden_is_hidden():
    hidden = secondary_suppression([Decimal("0.41"), Decimal("0.41")], [False, True], [(0, [1])])
    assert hidden == [True, True]


def test_a_hidden_total_hides_a_part_and_the_rule_carries_through_the_levels():
    # grand(0) = sub1(1) + sub2(2); sub1 = a(3) + b(4); sub2 = c(5) + d(6); a is hidden
    values = [Decimal(v) for v in ("10", "4", "6", "1", "3", "2", "4")]
    sums = [(0, [1, 2]), (1, [3, 4]), (2, [5, 6])]
    primary = [False, False, False, True, False, False, False]
    hidden = secondary_suppression(values, primary, sums)
    assert hidden[3] and hidden[4]  # b goes with a
    assert primary == [False, False, False, True, False, False, False]  # argument unchanged
    for total, parts in sums:
        assert sum(hidden[m] for m in [total, *parts]) != 1
    # a hidden total whose parts are all visible: the smallest part is hidden
    hidden = secondary_suppression(values[:3], [True, False, False], [(0, [1, 2])])
    assert hidden == [True, True, False]


# --- the document and its outputs -------------------------------------------------------------


def _occupy(unit, grade, shares):
    for share in shares:
        position = PositionFactory(org_unit=unit, pay_grade=grade, start_date=date(2012, 1, 1))
        Occupation.objects.create(position=position, fte=share, start_date=date(2012, 1, 1))


@pytest.fixture
def small_groups(seed):
    """Amt "PA1": a grade with one position (occupied 0,4137) and one with three; Amt "PA2": a
    grade with three occupied positions. The plan year 2013 shows 30.06.2012."""
    plan = reference_plan()
    single, three, other = (PayGradeFactory(code=c) for c in ("EG X1", "EG X2", "EG X3"))
    amt1 = OrgUnitFactory(code="PA1", name="Amt mit einer Stelle")
    amt2 = OrgUnitFactory(code="PA2", name="Amt mit drei Stellen")
    _occupy(amt1, single, [SINGLE])
    _occupy(amt1, three, [Decimal("1"), Decimal("0.8"), Decimal("0.5")])
    _occupy(amt2, other, [Decimal("1"), Decimal("0.9"), Decimal("0.7")])
    return plan


def _unit(doc, code):
    return next(u for u in doc.units if u.code == code)


def _row(rows, label):
    return next(r for r in rows if r.label == label)


def _sums(doc):
    """Every sum the document shows, as (total row, part rows)."""
    result = []
    for part in doc.parts:
        group, subtotals, grades = [], [], []
        for row in part.rows:
            if row.kind == "grade":
                group.append(row)
                grades.append(row)
            elif row.kind == "subtotal":
                result.append((row, group))
                subtotals.append(row)
                group = []
            else:
                result.append((row, subtotals or grades))
    result.append((doc.grand_total, [p.total for p in doc.parts]))
    result.append((doc.grand_total, [u.total for u in doc.units]))
    for unit in doc.units:
        result.append((unit.total, unit.rows[:-1]))
    for part in doc.parts:
        for row in part.rows:
            if row.kind == "grade":
                cells = [r for u in doc.units for r in u.rows[:-1] if r.grade_id == row.grade_id]
                result.append((row, cells))
    return result


def test_a_group_with_one_position_shows_no_sum_and_no_total_reveals_it(small_groups):
    doc = build_plan_document(small_groups, 2013)
    amt1 = _unit(doc, "PA1")
    single = _row(amt1.rows, "EG X1")
    assert single.fte == Decimal("1") and single.occupied_hidden and single.occupied == 0
    # the Amt total: never exactly one hidden cell under it
    hidden_grades = [r for r in amt1.rows[:-1] if r.occupied_hidden]
    assert amt1.total.occupied_hidden or len(hidden_grades) >= 2
    assert _row(doc.parts[1].rows, "EG X1").occupied_hidden  # the whole plan's group too
    for total, parts in _sums(doc):
        cells = [total, *parts]
        assert sum(c.occupied_hidden for c in cells) != 1, total.label
        shown = [c.occupied for c in parts if not c.occupied_hidden]
        if not total.occupied_hidden:
            assert total.occupied - sum(shown, Decimal(0)) != SINGLE, total.label
    # a group of three occupied positions shows its sum
    other = _row(_unit(doc, "PA2").rows, "EG X3")
    assert not other.occupied_hidden and other.occupied == Decimal("2.6")
    assert doc.occupation_note.startswith(f"{HIDDEN_MARK} {NOTE}")


def test_the_reference_plan_keeps_its_stellen(small_groups):
    doc = build_plan_document(small_groups, 2012)
    grades = {r.label: r.fte for p in doc.parts for r in p.rows if r.kind == "grade"}
    assert {k: grades[k] for k in REFERENCE_BY_GRADE} == REFERENCE_BY_GRADE
    assert doc.grand_total.fte == Decimal("13.5") + Decimal("7")
    assert not doc.grand_total.occupied_hidden  # no position on 30.06.2011: nothing to hide
    assert doc.occupation_note == ""


def test_page_pdf_and_excel_show_no_sum_of_the_single_position(small_groups, client, role_users):
    client.force_login(role_users["kaemmerei"])
    page = client.get(reverse("plandoc:detail", args=[small_groups.pk]), {"year": 2013})
    text = page.content.decode()
    assert page.status_code == 200
    assert SINGLE_TEXT not in text
    assert 'title="nicht ausgewiesen (Datenschutz)">•</span>' in text
    assert NOTE in text and "2,6" in text

    document = build_full_document(small_groups)
    reader = PdfReader(BytesIO(render_plan_pdf(document)))
    pdf = "\n".join(page.extract_text() for page in reader.pages)
    assert SINGLE_TEXT not in pdf and NOTE in pdf and HIDDEN_MARK in pdf

    stream = BytesIO()
    write_plan_workbook(stream, document)
    book = load_workbook(BytesIO(stream.getvalue()))
    values = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]
    assert not [v for v in values if isinstance(v, float) and abs(v - float(SINGLE)) < 1e-9]
    assert not [v for v in values if isinstance(v, str) and "0.4137" in v]
    sheet = book["Teilstellenpläne 2013"]
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] and "PA1" in str(r[0]))
    single = next(r for r in rows[start:] if r[0] == "EG X1")
    assert single[6] == HIDDEN_MARK
    occupied_cells = [r[6] for r in rows if isinstance(r[6], str)]
    assert not [c for c in occupied_cells if c.startswith("=")]  # totals are values
    assert any(r[0] == "EG X3" and r[6] == pytest.approx(2.6) for r in rows)
    assert any(isinstance(v, str) and NOTE in v for v in values)


def test_the_record_stores_only_the_shown_figures_and_old_records_hide_all(small_groups):
    record = adopt_for_bench(small_groups)
    stored = json.dumps(record.document)
    assert "0.4137" not in stored and '"occupied_hidden": true' in stored
    read = document_for_output(small_groups).year(2013)
    assert _row(_unit(read, "PA1").rows, "EG X1").occupied_hidden
    assert _row(_unit(read, "PA2").rows, "EG X3").occupied == Decimal("2.6")

    # a record written before issue 21: no flags; page and Excel show none of its sums
    old = PLAN_RECORD.write(build_full_document(small_groups))
    for year in old["years"]:
        del year["occupation_protected"]
        for row in [*year["units"][0]["rows"], year["grand_total"]]:
            del row["occupied_hidden"]
    legacy = PLAN_RECORD.read(old)
    assert not legacy.years[1].occupation_protected
    shown = hide_unprotected_occupation(legacy).year(2013)
    rows = [r for p in shown.parts for r in p.rows] + [r for u in shown.units for r in u.rows]
    assert rows and all(r.occupied_hidden and r.occupied == 0 for r in rows)
    assert "vor der Datenschutzregel" in shown.occupation_note
