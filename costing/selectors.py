"""Reads of cost figures for the pages: every figure from the costing engine, no cost
arithmetic here (see costing.engine for the rules).

Year-wide figures (start page, org tree, org-unit page) come from ``year_summary``, which is
cached by the data version; a filtered list costs one grouped query; one page of rows and one
position's years need no run over the whole year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When

from costing.engine import (
    CostLine,
    GroupTotal,
    YearRates,
    YearSummary,
    annual_cost_of_groups,
    current_org_tree,
    is_active_in_year,
    position_cost_by_year,
    year_rates,
    year_summary,
)
from departments.selectors import OrgTree, UnitInfo
from stellenplan.models import Position

DETAIL_YEARS = 5


def summary(year: int) -> YearSummary:
    """All figures of a year without lines (start page, org tree). Raises CostingError."""
    return year_summary(year)


def department_totals(year: int) -> list[tuple[UnitInfo, GroupTotal]]:
    """Per Amt/Referat (sorted by code), as YearCosting.by_department."""
    return year_summary(year).by_department


def unit_totals(year: int) -> dict[int, GroupTotal]:
    """Every org unit's figures with its sub-units rolled up (as engine.totals_by_unit)."""
    return year_summary(year).by_unit


def unit_total(year: int, unit_id: int) -> GroupTotal | None:
    """One org unit with its sub-units (None if none of its positions is active)."""
    return year_summary(year).by_unit.get(unit_id)


def org_tree() -> OrgTree:
    """The org unit tree, cached by the data version (read it, never change it)."""
    return current_org_tree()


def _active(year: int) -> Q:
    """stellenplan.selectors.active_in_year as a condition (tests check they agree)."""
    return Q(start_date__lte=date(year, 12, 1)) & (
        Q(end_date__isnull=True) | Q(end_date__gte=date(year, 1, 1))
    )


@dataclass(frozen=True)
class ListSums:
    """The sum row of a list of positions: all its lines and Stellen, and the annual cost in
    `year` of those active then (with their Stellen and lines)."""

    year: int
    lines: int
    fte: Decimal
    annual_cost: Decimal
    active_fte: Decimal
    active_lines: int
    rates: YearRates


def list_sums(positions: QuerySet[Position], year: int) -> ListSums:
    """One grouped query over the filtered positions, each (grade, FTE) group priced once.

    Raises CostingError (no table) or MissingRateError (an active line's grade has no rate).
    """
    rates = year_rates(year)
    groups = list(
        positions.order_by()
        .annotate(
            active=Case(
                When(_active(year), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .values_list("pay_grade_id", "fte", "active")
        .annotate(count=Count("id"))
    )
    active = annual_cost_of_groups(rates, ((g, f, n) for g, f, a, n in groups if a))
    fte = sum((f * n for _, f, _, n in groups), Decimal(0))
    return ListSums(
        year=year,
        lines=sum(n for _, _, _, n in groups),
        fte=fte.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        annual_cost=active.annual_cost,
        active_fte=active.fte,
        active_lines=active.lines,
        rates=rates,
    )


@dataclass(frozen=True)
class RowCost:
    """A row of a positions table in `year`: active or not, and its annual cost (None when
    not active or its grade has no rate)."""

    in_year: bool
    annual_cost: Decimal | None


def row_costs(positions: Iterable[Position], year: int) -> dict[int, RowCost]:
    """The rows of one page (objects with pay_grade_id, fte, start_date, end_date), by pk.

    No query beyond the cached rates of the year. Raises CostingError without a table.
    """
    rates = year_rates(year)
    result: dict[int, RowCost] = {}
    for position in positions:
        active = is_active_in_year(position.start_date, position.end_date, year)
        result[position.pk] = RowCost(
            active, rates.annual_cost_of(position.pay_grade_id, position.fte) if active else None
        )
    return result


def position_costs(position: Position, years: Iterable[int]) -> list[tuple[int, CostLine | None]]:
    """A position's line in each of `years` (None where not active): a constant number of
    queries, not one engine run per year."""
    return position_cost_by_year(position, years)


def first_costed_year(position: Position, this_year: int, window: int = DETAIL_YEARS) -> int:
    """The first year of a position's cost window when none is asked for: this year, moved
    into the position's active years so that a past or future position shows them."""
    first = max(this_year, position.start_date.year)
    if position.end_date is None:
        return first
    return min(first, max(position.start_date.year, position.end_date.year - window + 1))
