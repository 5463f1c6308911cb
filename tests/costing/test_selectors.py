"""The page reads give the engine's figures (costing.selectors)."""

from datetime import date
from decimal import Decimal

import pytest

from costing import selectors
from costing.engine import CostingError, cost_year, totals_by_unit
from departments.models import OrgUnit
from stellenplan.models import Position
from stellenplan.selectors import active_in_year
from tests.costing.test_engine import _random_city
from tests.factories import CostTableFactory, PayGradeFactory, PositionFactory

D = Decimal


@pytest.mark.django_db
def test_year_figures_are_the_engines(seed):
    costing = cost_year(2012)
    assert selectors.department_totals(2012) == costing.by_department
    assert selectors.unit_totals(2012) == totals_by_unit(costing)
    assert selectors.summary(2012).total == costing.total
    amt = OrgUnit.objects.get(code="29")
    assert selectors.unit_total(2012, amt.pk) == totals_by_unit(costing)[amt.pk]


@pytest.mark.django_db
def test_the_active_condition_agrees_with_active_in_year():
    _random_city(5, lines=200)
    for year in (2010, 2012, 2014):
        assert set(
            Position.objects.filter(selectors._active(year)).values_list("id", flat=True)
        ) == set(active_in_year(Position.objects.all(), year).values_list("id", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2011, 2013])
def test_list_sums_are_the_engines_for_all_and_for_a_filter(year, django_assert_max_num_queries):
    amt = _random_city(6)
    for queryset in (
        Position.objects.all(),
        Position.objects.filter(org_unit__parent=amt),
        Position.objects.filter(fte=D("0.50")),
    ):
        costing = cost_year(year, queryset)
        with django_assert_max_num_queries(4):
            sums = selectors.list_sums(queryset, year)
        assert sums.annual_cost == costing.total.annual_cost
        assert sums.active_fte == costing.total.fte
        assert sums.active_lines == costing.total.positions
        assert sums.lines == queryset.count()
        assert sums.fte == sum((p.fte for p in queryset), D(0))
        assert sums.lines > sums.active_lines > 0


@pytest.mark.django_db
def test_list_sums_count_and_list_an_active_line_without_a_rate():
    CostTableFactory(name="T")
    position = PositionFactory(
        pay_grade=PayGradeFactory(code="A 8"), start_date=date(2012, 1, 1), fte=D("0.50")
    )
    sums = selectors.list_sums(Position.objects.all(), 2012)
    assert sums.incomplete
    assert [(m.position_id, m.pay_grade_code, m.table_name) for m in sums.missing] == [
        (position.pk, "A 8", "T")
    ]
    assert (sums.lines, sums.active_lines, sums.active_fte) == (1, 1, D("0.50"))
    assert sums.annual_cost == D("0.00")
    assert selectors.row_costs([position], 2012)[position.pk].missing_rate
    # a year before every table
    with pytest.raises(CostingError, match="2009"):
        selectors.list_sums(Position.objects.all(), 2009)


@pytest.mark.django_db
def test_row_costs_are_the_engines_line_costs_without_a_query_per_row(
    django_assert_max_num_queries,
):
    _random_city(7, lines=60)
    rows = list(Position.objects.all())
    selectors.row_costs(rows, 2012)  # rates of the year now cached
    with django_assert_max_num_queries(1):
        costs = selectors.row_costs(rows, 2012)
    lines = {line.position_id: line for line in cost_year(2012).lines}
    for position in rows:
        cost = costs[position.pk]
        assert cost.in_year == (position.pk in lines)
        assert cost.annual_cost == (lines[position.pk].annual_cost if cost.in_year else None)


@pytest.mark.django_db
def test_position_costs_and_first_costed_year(seed):
    position = Position.objects.order_by("id").first()
    years = [2011, 2012, 2013]
    rows = selectors.position_costs(position, years)
    for year, line in rows:
        expected = cost_year(year, Position.objects.filter(pk=position.pk)).lines
        assert line == (expected[0] if expected else None)
    ended = PositionFactory(start_date=date(2005, 1, 1), end_date=date(2008, 6, 30))
    assert selectors.first_costed_year(ended, 2026) == 2005
    future = PositionFactory(start_date=date(2030, 3, 1))
    assert selectors.first_costed_year(future, 2026) == 2030
    assert selectors.first_costed_year(position, 2026) == 2026


@pytest.mark.django_db
def test_list_sums_with_a_key_are_read_again_until_a_write(django_assert_num_queries):
    amt = _random_city(4, lines=60)
    queryset = Position.objects.filter(org_unit__parent=amt)
    first = selectors.list_sums(queryset, 2012, key=("test", amt.pk))
    with django_assert_num_queries(1):  # the data version only
        again = selectors.list_sums(queryset, 2012, key=("test", amt.pk))
    assert again is first
    assert again == selectors.list_sums(queryset, 2012)  # the same as uncached
    position = queryset.filter(end_date__isnull=True, fte__gt=D("0.10")).first()
    before, position.fte = position.fte, D("0.10")
    position.save()
    changed = selectors.list_sums(queryset, 2012, key=("test", amt.pk))
    assert changed.fte == first.fte - before + D("0.10")
    assert changed == selectors.list_sums(queryset, 2012)
