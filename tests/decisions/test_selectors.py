"""Finanzielle Auswirkungen and Anlage, generated from the linked positions by the engine."""

from datetime import date
from decimal import Decimal

import pytest

from costing.engine import CostingError
from decisions.models import Decision, DecisionPosition, FinancialItem
from decisions.selectors import decision_document, decision_finance, decision_years
from tests.factories import (
    CostRateFactory,
    OrgUnitFactory,
    PayGradeFactory,
    PositionFactory,
)

D = Decimal


def rows(finance_year):
    return {
        row.section.number: (row.fte, row.personnel_cost, row.other_cost, row.reimbursement)
        for row in finance_year.rows
    }


def test_it_computes_2011_from_the_two_positions_hired_at_once(reference):
    finance = decision_finance(reference)
    assert [y.year for y in finance.years] == [2011, 2012]
    y2011 = finance.year(2011)
    assert y2011.label == "2011"
    assert rows(y2011) == {
        "200": (D("1.00"), D("20175.00"), D("0.00"), D("0.00")),
        "290": (D("1.00"), D("22175.00"), D("0.00"), D("0.00")),
    }
    assert y2011.total.personnel_cost == D("42350.00")
    assert y2011.new_fte == D("2.00")


def test_it_computes_2012_per_teilhaushalt_with_kdrs_and_reimbursement(reference):
    y2012 = decision_finance(reference).year(2012)
    assert y2012.label == "ab 2012"
    assert rows(y2012) == {
        "100": (D("1.50"), D("117210.00"), D("480000.00"), D("0.00")),
        "140": (D("1.00"), D("110400.00"), D("0.00"), D("0.00")),
        "200": (D("4.50"), D("304950.00"), D("0.00"), D("0.00")),
        "290": (D("5.50"), D("478500.00"), D("0.00"), D("405768.00")),
        "810": (D("1.00"), D("117500.00"), D("0.00"), D("0.00")),
    }
    total = y2012.total
    assert (total.fte, total.personnel_cost, total.other_cost) == (
        D("13.50"),
        D("1128560.00"),
        D("480000.00"),
    )
    assert (total.total_cost, total.reimbursement, total.municipal_share) == (
        D("1608560.00"),
        D("405768.00"),
        D("1202792.00"),
    )
    assert y2012.new_fte == D("11.50")
    assert y2012.rules == [("Bundesbeteiligung Verwaltungskosten SGB II", "84,8 %")]


def test_it_orders_the_annex_by_the_first_position_of_each_department(reference):
    annex = decision_finance(reference).annex
    assert [(d.number, d.heading) for d in annex] == [
        (1, "Haupt- und Personalamt"),
        (2, "Jobcenter"),
        (3, "Rechnungsprüfungsamt"),
        (4, "Stadtkämmerei"),
        (5, "Referat WFB"),
    ]
    totals = [(d.total.fte, d.total.annual_cost, d.has_total_row) for d in annex]
    assert totals == [
        (D("1.50"), D("117210.00"), True),
        (D("5.50"), D("478500.00"), True),
        (D("1.00"), D("110400.00"), False),
        (D("4.50"), D("304950.00"), True),
        (D("1.00"), D("117500.00"), False),
    ]


def test_it_gives_each_annex_line_its_annual_cost_and_heading(reference):
    finance = decision_finance(reference)
    kaemmerei = finance.annex[3]
    lines = [
        (ln.line.org_unit_code, ln.line.pay_grade_code, ln.line.annual_cost)
        for ln in kaemmerei.lines
    ]
    assert lines == [
        ("20-2", "A 12", D("49650.00")),
        ("20-4", "A 10", D("80700.00")),
        ("20-4", "A 8", D("70300.00")),
        ("20-4", "EG 6", D("50400.00")),
        ("20-5", "EG 8", D("53900.00")),
    ]
    # The Stv. Teamleitung starts 01.10.2011 but the annex shows its full-year cost.
    assert kaemmerei.lines[1].heading == (
        "20-4: 1,0 Stelle in A 10 für die Sachbearbeitung und stellvertretende Teamleitung"
    )
    assert finance.annex[0].lines[0].heading.startswith("10-1.2: 0,5 Stellen in EG 9 für eine/n")
    assert finance.annex_total.annual_cost == D("1128560.00")


def test_it_follows_the_link_order_when_reordered(reference):
    wfb = DecisionPosition.objects.get(decision=reference, position_id=18)
    wfb.order = 0
    wfb.save()
    annex = decision_finance(reference).annex
    assert [d.heading for d in annex][:2] == ["Referat WFB", "Haupt- und Personalamt"]


@pytest.mark.django_db
def test_it_limits_the_years_to_the_decision_year_and_five_years():
    decision = Decision.objects.create(date=date(2011, 3, 1), title="Test")
    old = PositionFactory.build(start_date=date(1995, 1, 1))
    late = PositionFactory.build(start_date=date(2020, 1, 1))
    december = PositionFactory.build(start_date=date(2013, 12, 15))  # first costed in 2014
    assert decision_years(decision, [old, december], []) == [2011, 2012, 2013, 2014]
    assert decision_years(decision, [old, late], []) == [2011, 2012, 2013, 2014, 2015]
    item = FinancialItem(start_year=2012, annual_amount=D("1"))
    assert decision_years(decision, [], [item]) == [2012]
    assert decision_years(decision, [], []) == []


@pytest.mark.django_db
def test_it_reports_a_missing_rate_instead_of_a_silent_zero():
    grade = PayGradeFactory(code="EG 99")
    CostRateFactory(pay_grade=PayGradeFactory(code="EG 1"))  # a table without EG 99
    position = PositionFactory(pay_grade=grade, org_unit=OrgUnitFactory())
    decision = Decision.objects.create(date=date(2011, 9, 19), title="Test")
    DecisionPosition.objects.create(decision=decision, position=position, order=1)
    with pytest.raises(CostingError):
        decision_finance(decision)
    doc = decision_document(decision)
    assert doc.finance is None
    assert "EG 99" in doc.costing_error
