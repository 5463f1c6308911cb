"""Reads of cost figures for the pages: every figure from the costing engine, no cost
arithmetic here (see costing.engine for the rules).

Year-wide figures (start page, org tree, org-unit page) come from ``year_summary``, which is
cached by the data version; a filtered list costs one grouped query; one page of rows and one
position's years need no run over the whole year.

Lines whose grade has no rate in the cost table of the year never raise: they count in Stellen
and lines, have no cost (None), and make the figures that contain them ``incomplete`` with the
lines listed (``missing``). ``missing_rate_tables`` and ``grades_without_rate`` say beforehand
which rates are missing (the warning after saving a position, the Kostensätze page).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from core.dataversion import VersionedCache
from costing.engine import (
    CostingError,
    CostLine,
    GroupTotal,
    MissingLine,
    RateAmounts,
    YearRates,
    YearSummary,
    annual_cost_of_groups,
    change_percent,
    current_org_tree,
    is_active_in_year,
    missing_lines_of,
    position_cost_by_year,
    raise_amounts,
    year_rates,
    year_summary,
)
from costing.models import CostRate, CostTable
from costing.projection import PlannedTable, ProjectionDrop, planned_table_drop
from departments.selectors import OrgTree, UnitInfo
from stellenplan.models import PayGrade, Position
from stellenplan.selectors import (
    RANK_TEXT,
    RANK_UNIT,
    line_sums,
    matching_unit_roots,
    positions_for_list,
    search_positions,
)

DETAIL_YEARS = 5


def summary(year: int) -> YearSummary:
    """All figures of a year without lines (start page, org tree); `incomplete` with the
    lines without a rate listed. Raises CostingError only without a cost table."""
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
    `year` of those active then (with their Stellen and lines). `missing`: the active lines
    without a rate, not in `annual_cost` (which is then `incomplete`)."""

    year: int
    lines: int
    fte: Decimal
    annual_cost: Decimal
    active_fte: Decimal
    active_lines: int
    rates: YearRates
    missing: list[MissingLine] = field(default_factory=list)

    @property
    def incomplete(self) -> bool:
        return bool(self.missing)


#: Sums of the lists asked for recently, by (filter, year) and data version: paging through a
#: list, or coming back to it, costs one query for the data version instead of a run over
#: every filtered line. A changed filter or any write computes anew.
LIST_SUMS_CACHE_SIZE = 64
_LIST_SUMS_CACHE: VersionedCache[tuple[Hashable, int], ListSums] = VersionedCache(
    maxsize=LIST_SUMS_CACHE_SIZE
)


def list_sums(positions: QuerySet[Position], year: int, *, key: Hashable = None) -> ListSums:
    """The sum row of `positions` in `year`: one grouped query over the filtered positions,
    each (grade, FTE) group priced once; one more for the lines without a rate when there
    are any.

    `key` names the filter that made `positions` (hashable, equal for equal filters, e.g.
    ``front.filters.PositionFilter.cache_key``): with it the sums are kept per process by
    (key, year, data version) and read again without touching the lines. Treat them as
    read-only. Raises CostingError (no table).
    """
    if key is None:
        return _list_sums(positions, year)
    return _LIST_SUMS_CACHE.get((key, year), lambda: _list_sums(positions, year))


def _list_sums(positions: QuerySet[Position], year: int) -> ListSums:
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
        missing=missing_lines_of(rates, positions, active.missing_grade_ids),
    )


#: Name of the annotation ``with_annual_cost`` adds.
ANNUAL_COST = "annual_cost_in_year"


def with_annual_cost(positions: QuerySet[Position], rates: YearRates) -> QuerySet[Position]:
    """`positions` annotated with ``annual_cost_in_year``: FTE × the rate of the grade in the
    table of the year of `rates`, for the lines active in that year; NULL where a line is not
    active or its grade has no rate. The database twin of ``YearRates.annual_cost_of`` for
    sorting a list by cost (the figures shown stay the engine's, rounded half-up per line;
    rounding keeps the order, so the sort agrees with them)."""
    rate = CostRate.objects.filter(table_id=rates.table.pk, pay_grade_id=OuterRef("pay_grade_id"))
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=4)
    cost = ExpressionWrapper(
        F("fte") * Subquery(rate.values("annual_cost")[:1], output_field=money),
        output_field=money,
    )
    return positions.annotate(
        **{
            ANNUAL_COST: Case(
                When(_active(rates.year), then=cost), default=None, output_field=money
            )
        }
    )


@dataclass(frozen=True)
class RowCost:
    """A row of a positions table in `year`: active or not, and its annual cost (None when
    not active or its grade has no rate: then `missing_rate`)."""

    in_year: bool
    annual_cost: Decimal | None

    @property
    def missing_rate(self) -> bool:
        return self.in_year and self.annual_cost is None


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


def position_costs(
    position: Position, years: Iterable[int]
) -> list[tuple[int, CostLine | MissingLine | None]]:
    """A position's line in each of `years` (None where not active, a MissingLine where its
    grade has no rate): a constant number of queries, not one engine run per year."""
    return position_cost_by_year(position, years)


def first_costed_year(position: Position, this_year: int, window: int = DETAIL_YEARS) -> int:
    """The first year of a position's cost window when none is asked for: this year, moved
    into the position's active years so that a past or future position shows them."""
    first = max(this_year, position.start_date.year)
    if position.end_date is None:
        return first
    return min(first, max(position.start_date.year, position.end_date.year - window + 1))


# --- rates that are missing -----------------------------------------------------------------


def _first_year(valid_from: date) -> int:
    """The first year a table with this valid-from applies to (valid on 1 January)."""
    return valid_from.year if (valid_from.month, valid_from.day) == (1, 1) else valid_from.year + 1


def table_years(tables: list[CostTable]) -> dict[int, tuple[int, int | None]]:
    """Per table (by pk) the first and last year it is the table of (last None: open); a table
    superseded before it applied gets first > last."""
    ordered = sorted(tables, key=lambda t: t.valid_from)
    result: dict[int, tuple[int, int | None]] = {}
    for index, table in enumerate(ordered):
        later = ordered[index + 1] if index + 1 < len(ordered) else None
        result[table.pk] = (
            _first_year(table.valid_from),
            _first_year(later.valid_from) - 1 if later else None,
        )
    return result


def _active_years(start: date, end: date | None) -> tuple[int, int | None]:
    """First and last year a line is active in (see is_active_in_year)."""
    first = start.year if start <= date(start.year, 12, 1) else start.year + 1
    return first, (end.year if end is not None else None)


def _tables_used(
    tables: list[CostTable], years: dict[int, tuple[int, int | None]], start: date, end: date | None
) -> list[CostTable]:
    """The tables (of `tables`, with their ``table_years``) a line from `start` to `end` is
    costed with: the table of any of its active years."""
    first, last = _active_years(start, end)
    if last is not None and last < first:
        return []
    used = []
    for table in tables:
        since, until = years[table.pk]
        if until is not None and until < since:
            continue
        if (last is None or since <= last) and (until is None or until >= first):
            used.append(table)
    return used


def grade_spans_without_rate(
    spans: Iterable[tuple[int, date, date | None]],
) -> dict[tuple[int, date, date | None], list[CostTable]]:
    """For each (grade id, start, end) of lines not saved yet (an import's preview) the cost
    tables they would be costed with that have no rate for the grade, oldest first; spans
    without a missing rate are left out. Two queries."""
    tables = list(CostTable.objects.order_by("valid_from"))
    years = table_years(tables)
    rated = set(CostRate.objects.values_list("table_id", "pay_grade_id"))
    result = {}
    for span in spans:
        grade_id, start, end = span
        missing = [
            t for t in _tables_used(tables, years, start, end) if (t.pk, grade_id) not in rated
        ]
        if missing:
            result[span] = missing
    return result


def missing_rate_tables(position: Position) -> list[CostTable]:
    """The cost tables the position will be costed with (the table of any of its active years)
    that have no rate for its grade, oldest first. Two queries."""
    tables = list(CostTable.objects.order_by("valid_from"))
    used = _tables_used(tables, table_years(tables), position.start_date, position.end_date)
    if not used:
        return []
    rated = set(
        CostRate.objects.filter(
            table__in=[t.pk for t in used], pay_grade_id=position.pay_grade_id
        ).values_list("table_id", flat=True)
    )
    return [t for t in used if t.pk not in rated]


@dataclass(frozen=True)
class GradeWithoutRate:
    """A grade of positions active while a table applies, without a rate in that table."""

    pay_grade: PayGrade
    positions: int


def grades_without_rate(table: CostTable) -> list[GradeWithoutRate]:
    """The grades in use by positions active in a year of `table` (see table_years) that have
    no rate in it, with the number of those positions. Three queries."""
    tables = list(CostTable.objects.order_by("valid_from"))
    since, until = table_years(tables).get(table.pk, (_first_year(table.valid_from), None))
    return _unrated_grades(
        since, until, CostRate.objects.filter(table=table).values("pay_grade_id")
    )


def grades_without_planned_rate(valid_from: date, rated: Iterable[int]) -> list[GradeWithoutRate]:
    """As ``grades_without_rate`` for a table not saved yet (an import's preview): valid from
    `valid_from`, with rates for the grade ids `rated`. Three queries."""
    tables = [t for t in CostTable.objects.order_by("valid_from") if t.valid_from != valid_from]
    later = next((t for t in tables if t.valid_from > valid_from), None)
    until = _first_year(later.valid_from) - 1 if later else None
    return _unrated_grades(_first_year(valid_from), until, list(rated))


def _unrated_grades(
    since: int, until: int | None, rated: Iterable[int] | QuerySet
) -> list[GradeWithoutRate]:
    if until is not None and until < since:
        return []
    active = Q(end_date__isnull=True) | Q(end_date__gte=date(since, 1, 1))
    if until is not None:
        active &= Q(start_date__lte=date(until, 12, 1))
    counts = dict(
        Position.objects.filter(active)
        .exclude(pay_grade_id__in=rated)
        .order_by()
        .values_list("pay_grade_id")
        .annotate(count=Count("id"))
        .values_list("pay_grade_id", "count")
    )
    grades = PayGrade.objects.filter(pk__in=counts).order_by("sort_order", "code")
    return [GradeWithoutRate(grade, counts[grade.pk]) for grade in grades]


# --- cost tables: the current one, and comparisons ------------------------------------------


def current_table(today: date) -> CostTable | None:
    """The table valid `today` (the latest "gültig ab" on or before it), else the newest."""
    return (
        CostTable.objects.filter(valid_from__lte=today).order_by("-valid_from").first()
        or CostTable.objects.order_by("-valid_from").first()
    )


def predecessor_of(table: CostTable) -> CostTable | None:
    """The table valid before `table` (the latest earlier "gültig ab")."""
    return CostTable.objects.filter(valid_from__lt=table.valid_from).order_by("-valid_from").first()


@dataclass(frozen=True)
class RateComparison:
    """One grade in two tables: the old and the new full-time rate (None where a table has
    none) and the change in percent."""

    pay_grade: PayGrade
    old: Decimal | None
    new: Decimal | None

    @property
    def percent(self) -> Decimal | None:
        return change_percent(self.old, self.new)


def _rates_by_grade(table: CostTable | None) -> dict[int, CostRate]:
    if table is None:
        return {}
    return {
        rate.pay_grade_id: rate
        for rate in CostRate.objects.filter(table=table).select_related("pay_grade")
    }


def _compare(old: dict[int, CostRate], new: dict[int, Decimal]) -> list[RateComparison]:
    grades = {rate.pay_grade_id: rate.pay_grade for rate in old.values()}
    missing = set(new) - set(grades)
    if missing:
        grades.update(PayGrade.objects.in_bulk(missing))
    ordered = sorted(grades.values(), key=lambda g: (g.sort_order, g.code))
    return [
        RateComparison(
            grade,
            old[grade.pk].annual_cost if grade.pk in old else None,
            new.get(grade.pk),
        )
        for grade in ordered
    ]


def table_comparison(table: CostTable, other: CostTable | None) -> list[RateComparison]:
    """`table`'s rates against those of `other` (old), per grade in either table."""
    new = {grade_id: rate.annual_cost for grade_id, rate in _rates_by_grade(table).items()}
    return _compare(_rates_by_grade(other), new)


def _copied(old: dict[int, CostRate], percent: Decimal, rounding: str) -> dict[int, RateAmounts]:
    return {
        grade_id: raise_amounts(
            RateAmounts(rate.annual_cost, rate.personnel_cost, rate.material_cost, rate.it_cost),
            percent,
            rounding,
        )
        for grade_id, rate in old.items()
    }


def copy_preview(source: CostTable, percent: Decimal, rounding: str) -> list[RateComparison]:
    """What copying `source` raised by `percent` with `rounding` would give, per grade (the
    same arithmetic as ``reference_services.costtable_create``)."""
    old = _rates_by_grade(source)
    new = {
        grade_id: amounts.annual_cost
        for grade_id, amounts in _copied(old, percent, rounding).items()
    }
    return _compare(old, new)


def new_table_drop(
    *, name: str, valid_from: date, source: CostTable | None, percent: Decimal, rounding: str
) -> ProjectionDrop | None:
    """Whether a new cost table (empty, or `source` raised by `percent` with `rounding`)
    would make the Finanzplanung fall in its first year (``costing.projection``)."""
    copied = _copied(_rates_by_grade(source), percent, rounding)
    return planned_table_drop(
        PlannedTable(
            name=name,
            valid_from=valid_from,
            rates={
                grade_id: (amounts.annual_cost, amounts.personnel_cost)
                for grade_id, amounts in copied.items()
            },
        )
    )


# --- the search page: positions grouped, each group with its own sums ---------------------


@dataclass
class PositionGroup:
    """Positions found by a search, with their own figures: the lines, Stellen and (where the
    year can be costed) the engine's annual cost in the year. `unit` is the org unit whose
    name matched (the group holds its positions and those of the units below it); None for
    the positions found by their own text."""

    unit: UnitInfo | None
    positions: QuerySet[Position]
    lines: int
    fte: Decimal
    costs: ListSums | None


@dataclass
class PositionSearch:
    """The positions a search finds: first per org unit whose code or name (or that of a unit
    above it) matches every word, then those found by their own text (title, number, tasks,
    grade) in other units. No position is in two groups."""

    year: int
    unit_groups: list[PositionGroup]
    text_group: PositionGroup | None
    #: matching units beyond ``max_unit_groups`` (not shown as groups)
    more_units: int = 0
    costing_error: str | None = None


def _position_group(
    unit: UnitInfo | None, positions: QuerySet[Position], year: int
) -> tuple[PositionGroup, str | None]:
    try:
        costs = list_sums(positions, year)
    except CostingError as error:
        counted = line_sums(positions)
        return PositionGroup(unit, positions, counted["lines"], counted["fte"], None), str(error)
    return PositionGroup(unit, positions, costs.lines, costs.fte, costs), None


def search_position_groups(
    text: str, year: int, *, max_unit_groups: int = 10, tree: OrgTree | None = None
) -> PositionSearch:
    """The positions matching every word of `text` (``stellenplan.selectors.search_positions``)
    in groups with their own sums (one grouped query per group, ``list_sums``): one group per
    topmost matching org unit (at most `max_unit_groups`, the rest counted in ``more_units``),
    then the text matches. Groups without positions are left out."""
    tree = tree if tree is not None else current_org_tree()
    found = search_positions(positions_for_list(), text, tree)
    roots = matching_unit_roots(text, tree)
    groups: list[PositionGroup] = []
    error: str | None = None
    for root in roots[:max_unit_groups]:
        members = found.filter(org_unit_id__in=tree.descendants_or_self([root]))
        group, error = _position_group(tree.units[root], members, year)
        if group.lines:
            groups.append(group)
    text_group, text_error = _position_group(None, found.filter(Q(search_rank=RANK_TEXT)), year)
    return PositionSearch(
        year=year,
        unit_groups=groups,
        text_group=text_group if text_group.lines else None,
        more_units=max(len(roots) - max_unit_groups, 0),
        costing_error=error or text_error,
    )


def search_rank_sums(
    positions: QuerySet[Position], year: int, *, key: Hashable = None
) -> tuple[ListSums, ListSums]:
    """The sums of a searched list (annotated by ``search_positions``) in two parts: the
    positions of matching org units and those found by their own text (``list_sums`` each,
    cached under `key` like it). Raises CostingError (no table)."""
    parts = []
    for rank in (RANK_UNIT, RANK_TEXT):
        part_key = None if key is None else (key, "search_rank", rank)
        parts.append(list_sums(positions.filter(Q(search_rank=rank)), year, key=part_key))
    return parts[0], parts[1]
