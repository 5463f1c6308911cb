"""The figures of the Beschlussvorlage of 19.09.2011, computed from the reference data."""

from decimal import Decimal

import pytest

from costing.engine import cost_year, totals_by_unit

D = Decimal

pytestmark = pytest.mark.usefixtures("seed")

DEPARTMENTS_2012 = {
    # code: (Stellen, €/year)
    "10": (D("1.5"), D("117210")),
    "29": (D("5.5"), D("478500")),
    "14": (D("1.0"), D("110400")),
    "20": (D("4.5"), D("304950")),
    "WFB": (D("1.0"), D("117500")),
}

# Every line of the Anlage: (org unit, grade, FTE, € per year)
ANLAGE_LINES = [
    ("10-1.2", "EG 9", "0.50", "31500"),
    ("10-3.3", "A 12", "0.30", "29790"),
    ("10-5.1", "A 12", "0.30", "29790"),
    ("10-5.1", "EG 6", "0.10", "5040"),
    ("10-5.3", "A 8", "0.30", "21090"),
    ("29AL", "A 13 hD", "1.00", "110400"),
    ("29AL", "EG 11", "1.00", "74300"),
    ("29AL", "EG 11", "1.00", "74300"),
    ("29-1", "A 12", "1.00", "99300"),
    ("29-1", "EG 9", "0.50", "31500"),
    ("29-3", "A 11", "1.00", "88700"),
    ("14-2", "A 13 hD", "1.00", "110400"),
    ("20-2", "A 12", "0.50", "49650"),
    ("20-4", "A 10", "1.00", "80700"),
    ("20-4", "A 8", "1.00", "70300"),
    ("20-4", "EG 6", "1.00", "50400"),
    ("20-5", "EG 8", "1.00", "53900"),
    ("WFB", "A 14", "1.00", "117500"),
]


def test_it_reproduces_each_department_of_the_anlage():
    costing = cost_year(2012)
    found = {unit.code: (total.fte, total.annual_cost) for unit, total in costing.by_department}
    assert found == DEPARTMENTS_2012


def test_it_reproduces_every_anlage_line():
    costing = cost_year(2012)
    lines = sorted(
        (line.org_unit_code, line.pay_grade_code, str(line.fte), line.annual_cost)
        for line in costing.lines
    )
    expected = sorted((u, g, f, D(c)) for u, g, f, c in ANLAGE_LINES)
    assert lines == expected


def test_it_totals_13_5_positions_and_1_128_560_euro_in_2012():
    total = cost_year(2012).total
    assert total.fte == D("13.50")
    assert total.positions == 18
    assert total.annual_cost == D("1128560.00")
    assert total.cost_in_year == D("1128560.00")


def test_it_computes_the_federal_reimbursement_of_the_jobcenter():
    costing = cost_year(2012)
    assert costing.total.reimbursement == D("405768.00")  # 84,8 % of 478.500
    assert costing.total.municipal_share == D("722792.00")
    jobcenter = {u.code: t for u, t in costing.by_department}["29"]
    assert jobcenter.reimbursement == D("405768.00")


def test_it_gives_the_2011_figure_of_the_beschlussantrag():
    """2,0 Stellen hired "ab sofort" (01.10.2011): 3 months each, 42.350 € überplanmäßig."""
    costing = cost_year(2011)
    assert costing.total.fte == D("2.00")
    assert costing.total.cost_in_year == D("42350.00")
    assert sorted((line.org_unit_code, line.cost_in_year) for line in costing.lines) == [
        ("20-4", D("20175.00")),
        ("29-3", D("22175.00")),
    ]
    assert costing.total.reimbursement == D("0.00")  # the rule starts 01.01.2012


def test_it_groups_by_teilhaushalt():
    costing = cost_year(2012)
    found = {s.number: t.cost_in_year for s, t in costing.by_budget_section}
    assert found == {
        "100": D("117210.00"),
        "140": D("110400.00"),
        "200": D("304950.00"),
        "290": D("478500.00"),
        "810": D("117500.00"),
    }


def test_it_rolls_sub_units_up_the_tree():
    from departments.models import OrgUnit

    costing = cost_year(2012)
    totals = totals_by_unit(costing)
    unit = {u.code: u.id for u in OrgUnit.objects.all()}
    assert totals[unit["10-5"]].fte == D("0.70")
    assert totals[unit["10-5"]].annual_cost == D("55920.00")
    assert totals[unit["10"]].annual_cost == D("117210.00")
    assert totals[unit["29"]].reimbursement == D("405768.00")
