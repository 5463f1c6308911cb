from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError

from costing.engine import (
    CostingError,
    MissingRateError,
    annual_cost,
    cost_in_year,
    cost_table_for_year,
    cost_year,
    months_active,
    round_cents,
    totals_by_unit,
)
from costing.models import CostTable
from tests.factories import (
    CostRateFactory,
    CostTableFactory,
    OrgUnitFactory,
    PayGradeFactory,
    PositionFactory,
    ReimbursementRuleFactory,
)

D = Decimal


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2012, 1, 1), None, 12),
        (date(2012, 10, 1), None, 3),
        (date(2012, 3, 15), None, 9),  # a start on the 15th: March does not count
        (date(2012, 1, 1), date(2012, 6, 30), 6),
        (date(2012, 1, 1), date(2012, 6, 1), 6),  # active on 1 June
        (date(2012, 2, 2), date(2012, 2, 28), 0),
        (date(2013, 1, 1), None, 0),
        (date(2010, 5, 1), date(2011, 12, 31), 0),
    ],
)
def test_it_counts_months_active_on_their_first_day(start, end, months):
    assert months_active(start, end, 2012) == months


def test_it_rounds_half_up_to_cents():
    assert round_cents(D("0.005")) == D("0.01")
    assert round_cents(D("2.675")) == D("2.68")  # half-even would give 2.67... as Decimal too
    assert annual_cost(D("0.33"), D("50400.50")) == D("16632.17")  # 16632.165 → up
    assert cost_in_year(D("1.00"), D("80700"), 3) == D("20175.00")
    assert cost_in_year(D("0.10"), D("50400"), 7) == D("2940.00")
    assert cost_in_year(D("0.30"), D("99300.01"), 5) == D("12412.50")  # 12412.50125


@pytest.mark.django_db
def test_it_picks_the_latest_table_valid_on_1_january():
    CostTableFactory(name="alt", valid_from=date(2010, 1, 1))
    CostTableFactory(name="neu", valid_from=date(2012, 1, 1))
    CostTableFactory(name="Jahresmitte", valid_from=date(2013, 7, 1))
    assert cost_table_for_year(2011).name == "alt"
    assert cost_table_for_year(2012).name == "neu"
    assert cost_table_for_year(2013).name == "neu"
    with pytest.raises(CostingError, match="2009"):
        cost_table_for_year(2009)


@pytest.mark.django_db
def test_it_costs_partial_years_and_sums_rounded_lines():
    rate = CostRateFactory(annual_cost=D("70000.00"))
    unit = OrgUnitFactory()
    PositionFactory(
        org_unit=unit, pay_grade=rate.pay_grade, fte=D("0.33"), start_date=date(2012, 3, 15)
    )
    PositionFactory(
        org_unit=unit,
        pay_grade=rate.pay_grade,
        fte=D("0.50"),
        start_date=date(2011, 1, 1),
        end_date=date(2012, 4, 30),
    )
    PositionFactory(org_unit=unit, pay_grade=rate.pay_grade, start_date=date(2013, 1, 1))
    costing = cost_year(2012)
    assert [(line.months, line.cost_in_year) for line in costing.lines] == [
        (9, D("17325.00")),  # 0.33 × 70000 × 9/12
        (4, D("11666.67")),  # 0.5 × 70000 × 4/12 = 11666.666…
    ]
    assert costing.total.cost_in_year == D("28991.67")
    assert costing.total.annual_cost == D("23100.00") + D("35000.00")


@pytest.mark.django_db
def test_it_names_grade_and_table_when_a_rate_is_missing():
    table = CostTableFactory(name="Rundschreiben 99/2011")
    grade = PayGradeFactory(code="A 9 gD")
    position = PositionFactory(pay_grade=grade)
    with pytest.raises(MissingRateError) as raised:
        cost_year(2012)
    message = str(raised.value)
    assert "A 9 gD" in message
    assert "Rundschreiben 99/2011" in message
    assert raised.value.table == table
    # strict (the Beschlussvorlagen) names the position too
    assert raised.value.lines[0].position_id == position.pk
    assert f"„{position.title}“" in message


@pytest.mark.django_db
def test_it_covers_sub_units_with_the_reimbursement_rule():
    rate = CostRateFactory(annual_cost=D("10000.00"))
    amt = OrgUnitFactory(code="29")
    sub = OrgUnitFactory(code="29-1", parent=amt, kind="abteilung", budget_section=None)
    other = OrgUnitFactory(code="20")
    rule = ReimbursementRuleFactory(rate=D("0.8480"), valid_from=date(2012, 1, 1))
    rule.org_units.add(amt)
    PositionFactory(org_unit=sub, pay_grade=rate.pay_grade, fte=D("0.33"))
    PositionFactory(org_unit=other, pay_grade=rate.pay_grade)
    costing = cost_year(2012)
    assert costing.total.reimbursement == D("2798.40")  # 0.848 × 3300
    assert costing.total.municipal_share == D("13300.00") - D("2798.40")
    by_dep = {unit.code: total for unit, total in costing.by_department}
    assert set(by_dep) == {"29", "20"}
    assert by_dep["20"].reimbursement == D("0.00")
    rule.valid_to = date(2012, 12, 31)
    rule.save()
    assert cost_year(2013).total.reimbursement == D("0.00")


@pytest.mark.django_db
@pytest.mark.parametrize("fte", [D("0"), D("-0.5"), D("1.01")])
def test_the_database_rejects_fte_out_of_range(fte):
    with pytest.raises(IntegrityError):
        PositionFactory(fte=fte)


@pytest.mark.django_db
def test_the_database_rejects_an_end_before_the_start():
    with pytest.raises(IntegrityError):
        PositionFactory(start_date=date(2012, 5, 1), end_date=date(2012, 4, 30))


@pytest.mark.django_db
def test_the_database_keeps_one_rate_per_grade_and_table():
    rate = CostRateFactory()
    with pytest.raises(IntegrityError):
        CostRateFactory(table=rate.table, pay_grade=rate.pay_grade)


@pytest.mark.django_db
def test_it_queries_a_constant_number_of_times(django_assert_max_num_queries):
    rate = CostRateFactory()
    unit = OrgUnitFactory()
    PositionFactory.create_batch(30, org_unit=unit, pay_grade=rate.pay_grade)
    assert CostTable.objects.count() == 1
    with django_assert_max_num_queries(8):
        costing = cost_year(2012)
    assert costing.total.positions == 30


def _random_city(seed: int, lines: int = 400):
    """Units in a tree with a reimbursement rule, grades, two tables, lines with start and
    end dates on many days (1st of a month and not) around the years costed."""
    import random

    rng = random.Random(seed)
    old = CostTableFactory(valid_from=date(2010, 1, 1))
    new = CostTableFactory(valid_from=date(2012, 1, 1))
    grades = [PayGradeFactory() for _ in range(5)]
    for grade in grades:
        CostRateFactory(
            table=old, pay_grade=grade, annual_cost=D(rng.randint(3000000, 9000000)) / 100
        )
        CostRateFactory(
            table=new, pay_grade=grade, annual_cost=D(rng.randint(3000000, 9000000)) / 100
        )
    amt = OrgUnitFactory(code="50")
    other = OrgUnitFactory(code="20")
    subs = [
        OrgUnitFactory(code=f"50-{n}", parent=amt, kind="abteilung", budget_section=None)
        for n in range(3)
    ] + [OrgUnitFactory(code=f"20-{n}", parent=other, kind="abteilung") for n in range(2)]
    rule = ReimbursementRuleFactory(rate=D("0.8480"), valid_from=date(2011, 1, 1))
    rule.org_units.add(subs[0])
    units = [amt, other, *subs]
    for _ in range(lines):
        start = date(rng.randint(2009, 2014), rng.randint(1, 12), rng.choice([1, 1, 2, 15, 28]))
        end = None
        if rng.random() < 0.6:
            end = start.replace(year=start.year + rng.randint(0, 3), day=rng.choice([1, 28]))
            end = max(end, start)
        PositionFactory(
            org_unit=rng.choice(units),
            pay_grade=rng.choice(grades),
            fte=D(rng.choice(["1.00", "0.50", "0.33", "0.75", "0.01"])),
            start_date=start,
            end_date=end,
        )
    return amt


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
def test_the_grouped_summary_equals_the_line_by_line_engine(seed):
    from costing.engine import summarize, totals_by_unit, year_summary

    amt = _random_city(seed)
    for year in (2011, 2012, 2013, 2014):
        costing = cost_year(year)
        summary = summarize(year)
        assert summary.total == costing.total, year
        assert summary.by_department == costing.by_department
        assert summary.by_budget_section == costing.by_budget_section
        assert summary.by_unit == totals_by_unit(costing)
        assert year_summary(year).total == costing.total
        own = {}
        for line in costing.lines:
            own[line.org_unit_id] = own.get(line.org_unit_id, 0) + line.cost_in_year
        assert {u: t.cost_in_year for u, t in summary.by_unit_own.items()} == own
    assert summary.total.positions > 50
    assert summary.total.reimbursement > 0
    # a filtered set: the same figures as the engine on that set
    from stellenplan.models import Position

    subset = Position.objects.filter(org_unit__parent=amt)
    assert summarize(2013, subset).total == cost_year(2013, subset).total


@pytest.mark.django_db
def test_the_summary_counts_months_in_the_database_as_months_active_does():
    from costing.engine import months_expression
    from stellenplan.models import Position
    from stellenplan.selectors import active_in_year

    _random_city(3, lines=300)
    for year in (2011, 2012, 2013):
        rows = (
            active_in_year(Position.objects.all(), year)
            .annotate(months=months_expression(year))
            .values_list("start_date", "end_date", "months")
        )
        for start, end, months in rows:
            assert months == months_active(start, end, year), (start, end, year)


@pytest.mark.django_db
def test_year_summary_is_cached_until_the_data_changes(django_assert_max_num_queries):
    from costing.engine import year_summary

    rate = CostRateFactory(annual_cost=D("12000.00"))
    unit = OrgUnitFactory()
    PositionFactory(org_unit=unit, pay_grade=rate.pay_grade)
    first = year_summary(2012)
    assert first.total.cost_in_year == D("12000.00")
    with django_assert_max_num_queries(1):
        assert year_summary(2012) is first
    PositionFactory(org_unit=unit, pay_grade=rate.pay_grade, fte=D("0.50"))
    assert year_summary(2012).total.cost_in_year == D("18000.00")


@pytest.mark.django_db
def test_year_summary_is_incomplete_for_a_grade_without_a_rate_and_counts_it():
    from costing.engine import year_summary

    table = CostTableFactory(name="ohne")
    rated = CostRateFactory(table=table, annual_cost=D("12000.00"))
    costed = PositionFactory(pay_grade=rated.pay_grade, fte=D("1.00"))
    missing = PositionFactory(pay_grade=PayGradeFactory(code="A 7"), fte=D("0.50"), title="X")
    for _ in range(2):  # also when the summary comes from the cache
        summary = year_summary(2012)
        assert summary.incomplete
        assert summary.missing_grades == ["A 7"]
        assert [
            (m.position_id, m.pay_grade_code, m.table_name, m.title) for m in summary.missing
        ] == [(missing.pk, "A 7", "ohne", "X")]
        assert summary.missing[0].annual_cost is None
        assert summary.total.fte == D("1.50")
        assert summary.total.positions == 2
        assert summary.total.costed_positions == 1
        assert summary.total.annual_cost == D("12000.00")
        assert summary.total.missing == summary.missing
        assert summary.by_unit[missing.org_unit_id].incomplete
        assert not summary.by_unit[costed.org_unit_id].incomplete
    # cost_year, not strict, gives the same figures line by line
    costing = cost_year(2012, strict=False)
    assert costing.total == summary.total
    assert costing.missing == summary.missing
    assert totals_by_unit(costing) == summary.by_unit


@pytest.mark.django_db
def test_position_cost_by_year_equals_the_engine_in_a_constant_number_of_queries(
    django_assert_max_num_queries,
):
    from costing.engine import position_cost_by_year
    from stellenplan.models import Position

    _random_city(4, lines=40)
    years = list(range(2010, 2016))
    for position in Position.objects.all():
        with django_assert_max_num_queries(8):
            rows = position_cost_by_year(position, years)
        expected = []
        for year in years:
            lines = cost_year(year, Position.objects.filter(pk=position.pk)).lines
            expected.append((year, lines[0] if lines else None))
        assert rows == expected
