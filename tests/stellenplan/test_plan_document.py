"""The Stellenplan document of the reference case (plan-semantics.md): figures by grade, legal
row order, kw/ku, Vorjahr, 30 June, Veränderungsnachweis, JSON round trip, queries."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stellenplan.models import (
    Occupation,
    PayGrade,
    PlanExplanation,
    Position,
    PositionChange,
    StaffingPlan,
)
from stellenplan.plan_document import PLAN_RECORD, build_full_document, build_plan_document
from tests.factories import PositionFactory
from tests.stellenplan.plan_fixtures import REFERENCE_BY_GRADE, reference_plan

pytestmark = pytest.mark.usefixtures("seed")


def grade_rows(doc):
    return {r.label: r for part in doc.parts for r in part.rows if r.kind == "grade"}


def test_it_shows_the_reference_positions_by_grade():
    doc = build_plan_document(reference_plan(), 2012)
    rows = grade_rows(doc)
    assert {label: row.fte for label, row in rows.items()} == REFERENCE_BY_GRADE
    assert doc.grand_total.fte == Decimal("13.5")
    assert doc.parts[0].total.fte == Decimal("8.4")
    assert doc.parts[1].total.fte == Decimal("5.1")
    # Vorjahreszahlen 2011 of the seed: 0 in every group, plus the two Schaffungen im Vorgriff
    # from 01.10.2011 (A 10 and A 11) in Stellen 2011
    previous = {label: row.previous for label, row in rows.items() if row.previous}
    assert previous == {"A 11": Decimal("1.00"), "A 10": Decimal("1.00")}
    assert all(row.occupied == 0 for row in rows.values())
    assert doc.grand_total.change == Decimal("11.5")
    assert doc.notes[0].startswith("Stellen 2011 und besetzt am 30.06.2011: Vorjahreszahlen")
    assert "2,0 Stellen, die 2011 im Vorgriff" in doc.notes[1]


def test_it_lists_the_18_schaffungen_two_in_advance():
    doc = build_plan_document(reference_plan(), 2012)
    assert len(doc.changes) == 18
    (group,) = doc.change_groups
    assert (group.kind_label, group.authority, group.count, group.in_advance, group.fte) == (
        "Schaffung",
        "GRDrs 647/2011",
        18,
        2,
        Decimal("13.5"),
    )
    advance = [c for c in doc.changes if c.in_advance]
    assert [c.effective_date for c in advance] == [date(2011, 10, 1)] * 2
    # the second year of the plan has no changes and takes 2012 of the same plan as Vorjahr
    second = build_plan_document(reference_plan(), 2013)
    assert second.changes == [] and second.notes == []
    assert second.grand_total.previous == Decimal("13.5")
    assert second.grand_total.change == 0


def test_it_orders_rows_by_the_legal_order():
    PositionFactory(pay_grade=PayGrade.objects.get(code="A 5"), start_date=date(2012, 1, 1))
    s_grade = PayGrade.objects.create(code="S 8b", status_group="tarif", sort_order=225)
    PositionFactory(pay_grade=s_grade, start_date=date(2012, 1, 1))
    doc = build_plan_document(reference_plan(), 2012)
    assert [r.label for r in doc.parts[0].rows] == [
        "A 14",
        "A 13 hD",
        "Summe höherer Dienst",
        "A 12",
        "A 11",
        "A 10",
        "Summe gehobener Dienst",
        "A 8",
        "A 5",
        "Summe mittlerer Dienst",
        "Summe Teil A",
    ]
    # two kinds of table in Teil B: a subtotal each (EG first: its highest grade is higher)
    assert [r.label for r in doc.parts[1].rows] == [
        "EG 11",
        "EG 9",
        "EG 8",
        "EG 6",
        "Summe EG",
        "S 8b",
        "Summe S",
        "Summe Teil B",
    ]
    assert doc.grand_total.fte == Decimal("15.5")


def test_it_counts_kw_and_ku_with_the_target_grade():
    a12 = Position.objects.filter(pay_grade__code="A 12").order_by("pk")
    Position.objects.filter(pk=a12[0].pk).update(note="KW")
    Position.objects.filter(pk=a12[1].pk).update(
        note="KU", ku_target_grade=PayGrade.objects.get(code="A 9 gD")
    )
    row = grade_rows(build_plan_document(reference_plan(), 2012))["A 12"]
    assert (row.kw, row.ku) == (a12[0].fte, a12[1].fte)
    assert row.ku_target_text == "→ A 9 gD"


def test_it_sums_occupation_on_30_june_of_the_previous_year_per_grade():
    plan = reference_plan()
    eg11 = list(Position.objects.filter(pay_grade__code="EG 11"))
    Occupation.objects.create(position=eg11[0], fte=Decimal("1"), start_date=date(2012, 1, 1))
    Occupation.objects.create(
        position=eg11[1],
        fte=Decimal("0.5"),
        start_date=date(2012, 3, 1),
        end_date=date(2012, 6, 30),
    )
    Occupation.objects.create(  # ended the day before: not counted
        position=eg11[1],
        fte=Decimal("0.5"),
        start_date=date(2012, 1, 1),
        end_date=date(2012, 6, 29),
    )
    # a third EG 11 position: the group has the 3 positions it needs to show its sum (issue 21)
    third = PositionFactory(pay_grade=PayGrade.objects.get(code="EG 11"))
    Occupation.objects.create(position=third, fte=Decimal("0.25"), start_date=date(2012, 1, 1))
    row = grade_rows(build_plan_document(plan, 2013))["EG 11"]
    assert row.occupied == Decimal("1.75") and not row.occupied_hidden
    assert grade_rows(build_plan_document(plan, 2012))["EG 11"].occupied == 0


def test_it_counts_a_position_active_on_any_day_of_the_year():
    PositionFactory(
        pay_grade=PayGrade.objects.get(code="EG 9"),
        start_date=date(2012, 12, 31),
        fte=Decimal("0.5"),
    )
    PositionFactory(
        pay_grade=PayGrade.objects.get(code="EG 9"),
        start_date=date(2010, 1, 1),
        end_date=date(2011, 12, 31),
    )
    assert grade_rows(build_plan_document(reference_plan(), 2012))["EG 9"].fte == Decimal("1.5")


def test_it_lists_the_teilstellenplaene_per_teilhaushalt_and_amt():
    doc = build_plan_document(reference_plan(), 2012)
    totals = {(u.section, u.code): u.total.fte for u in doc.units}
    assert totals == {
        ("100", "10"): Decimal("1.5"),
        ("140", "14"): Decimal("1.0"),
        ("200", "20"): Decimal("4.5"),
        ("290", "29"): Decimal("5.5"),
        ("810", "WFB"): Decimal("1.0"),
    }
    assert sum(totals.values()) == doc.grand_total.fte


def test_it_marks_changes_above_the_threshold_without_an_explanation():
    plan = reference_plan()
    doc = build_plan_document(plan, 2012)
    assert doc.missing_explanations == [
        "2012, A 13 hD: Veränderung 2,0 Stellen (mehr als 1,0)",
        "2012, A 12: Veränderung 2,1 Stellen (mehr als 1,0)",
        "2012, A 8: Veränderung 1,3 Stellen (mehr als 1,0)",
        "2012, EG 11: Veränderung 2,0 Stellen (mehr als 1,0)",
        "2012, EG 6: Veränderung 1,1 Stellen (mehr als 1,0)",
    ]
    PlanExplanation.objects.create(
        plan=plan, year=2012, pay_grade=PayGrade.objects.get(code="A 12"), text="Jobcenter"
    )
    doc = build_plan_document(plan, 2012)
    assert grade_rows(doc)["A 12"].explanation == "Jobcenter"
    assert not grade_rows(doc)["A 12"].explanation_missing
    assert len(doc.missing_explanations) == 4


def test_it_round_trips_through_json():
    plan = reference_plan()
    Position.objects.filter(pay_grade__code="A 12").update(
        note="KU", ku_target_grade=PayGrade.objects.get(code="A 9 gD")
    )
    document = build_full_document(plan)
    data = PLAN_RECORD.write(document)
    again = PLAN_RECORD.read(json.loads(json.dumps(data)))
    assert again == document
    assert isinstance(again.years[0].grand_total.fte, Decimal)
    assert data["years"][0]["grand_total"]["fte"] == "13.5000"  # Decimals as strings
    assert data["format"] == 1


def test_it_takes_the_previous_year_from_another_plan():
    reference_plan()
    later = StaffingPlan.objects.create(first_year=2014, last_year=2014)
    doc = build_plan_document(later, 2014)
    assert doc.grand_total.previous == Decimal("13.5")  # the draft 2012/2013, live
    assert doc.notes == []


def test_it_needs_the_same_number_of_queries_for_more_positions():
    plan = reference_plan()
    with CaptureQueriesContext(connection) as small:
        build_plan_document(plan, 2012)
    for _ in range(30):
        PositionFactory(pay_grade=PayGrade.objects.get(code="EG 8"))
    with CaptureQueriesContext(connection) as large:
        build_plan_document(plan, 2012)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_year_outside_the_plan_is_refused():
    with pytest.raises(ValueError, match="2015"):
        build_plan_document(reference_plan(), 2015)


def test_changes_outside_the_year_are_not_listed():
    plan = reference_plan()
    position = Position.objects.first()
    PositionChange.objects.create(
        kind="hebung", effective_date=date(2013, 4, 1), position=position, grdrs="100/2013"
    )
    assert len(build_plan_document(plan, 2012).changes) == 18
    assert [c.grdrs for c in build_plan_document(plan, 2013).changes] == ["100/2013"]
