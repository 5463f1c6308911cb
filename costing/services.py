"""The costing engine: plain functions, Decimal end to end.

Rules (issue 2):
- annual cost of a line = FTE × full-time rate of its grade in the cost table valid for the year
  (the table with the latest valid-from on or before 1 January of that year);
- cost in a calendar year = FTE × rate × months / 12, where a month counts when the position
  is active on its first day (start ≤ 1st ≤ end);
- each line is rounded half-up to cents, every total is the sum of its rounded lines;
- reimbursement = rate × the covered lines' cost in the year, rounded half-up to cents, per
  group shown (department, Teilhaushalt); the overall figure is the sum over departments;
- a rule or table applies to a year when it is valid on 1 January of that year;
- a grade without a rate raises MissingRateError naming grade and table: never a silent zero.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from itertools import chain

from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.sql.constants import MULTI

from costing.models import CostRate, CostTable, ReimbursementRule
from departments.selectors import OrgTree, UnitInfo, org_tree
from stellenplan.models import PayGrade, Position
from stellenplan.selectors import active_in_year

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
TWELVE = Decimal(12)


class CostingError(Exception):
    """A figure cannot be computed; the message is German and names what is missing."""


class MissingRateError(CostingError):
    def __init__(self, grades: Iterable[str], table: CostTable) -> None:
        self.grades = sorted(set(grades))
        self.table = table
        names = ", ".join(f"„{g}“" for g in self.grades)
        word = "den Stellenwert" if len(self.grades) == 1 else "die Stellenwerte"
        super().__init__(
            f"Für {word} {names} enthält die Kostentabelle „{table.name}“ "
            f"(gültig ab {table.valid_from:%d.%m.%Y}) keinen Kostensatz."
        )


def round_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def months_active(start: date, end: date | None, year: int) -> int:
    """Months of `year` whose first day lies within [start, end].

    Counted from the first and the last such month, without building the twelve dates.
    """
    if start.year < year:
        first = 1
    elif start.year == year:
        first = start.month if start.day == 1 else start.month + 1
    else:
        return 0
    if end is None or end.year > year:
        last = 12
    elif end.year == year:
        last = end.month  # the first of end's month lies on or before end
    else:
        return 0
    return max(0, last - first + 1)


@lru_cache(maxsize=65536)
def annual_cost(fte: Decimal, rate: Decimal) -> Decimal:
    """Annual cost of a line: FTE × full-time rate, rounded half-up to cents."""
    return round_cents(fte * rate)


@lru_cache(maxsize=65536)
def cost_in_year(fte: Decimal, rate: Decimal, months: int) -> Decimal:
    """Cost of a line in a calendar year with `months` active months, rounded once."""
    return round_cents(fte * rate * Decimal(months) / TWELVE)


def cost_table_for_year(year: int) -> CostTable:
    table = (
        CostTable.objects.filter(valid_from__lte=date(year, 1, 1)).order_by("-valid_from").first()
    )
    if table is None:
        raise CostingError(f"Für das Jahr {year} gibt es keine gültige Kostentabelle.")
    return table


def rates_of(table: CostTable) -> dict[int, Decimal]:
    return dict(CostRate.objects.filter(table=table).values_list("pay_grade_id", "annual_cost"))


@dataclass(frozen=True)
class Coverage:
    """Which org units a reimbursement rule covers in a year, with its rate."""

    rule_id: int
    name: str
    rate: Decimal
    unit_ids: frozenset[int]


def reimbursement_coverage(year: int, tree: OrgTree) -> list[Coverage]:
    jan1 = date(year, 1, 1)
    rules = (
        ReimbursementRule.objects.filter(valid_from__lte=jan1)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=jan1))
        .prefetch_related("org_units")
        .order_by("-valid_from", "id")
    )
    return [
        Coverage(
            rule.id,
            rule.name,
            rule.rate,
            frozenset(tree.descendants_or_self(u.id for u in rule.org_units.all())),
        )
        for rule in rules
    ]


@dataclass(frozen=True, slots=True)
class CostLine:
    position_id: int
    org_unit_id: int
    org_unit_code: str
    department_id: int
    budget_section_id: int | None
    pay_grade_code: str
    title: str
    fte: Decimal
    start_date: date
    end_date: date | None
    rate: Decimal
    annual_cost: Decimal
    months: int
    cost_in_year: Decimal
    rule_id: int | None


@dataclass
class Total:
    """Sums of rounded lines; reimbursement per rule on the covered sum, rounded."""

    fte: Decimal = ZERO
    positions: int = 0
    annual_cost: Decimal = ZERO
    cost_in_year: Decimal = ZERO
    covered: dict[int, Decimal] = field(default_factory=dict)

    def add(self, line: CostLine) -> None:
        self.fte += line.fte
        self.positions += 1
        self.annual_cost += line.annual_cost
        self.cost_in_year += line.cost_in_year
        if line.rule_id is not None:
            self.covered[line.rule_id] = self.covered.get(line.rule_id, ZERO) + line.cost_in_year


@dataclass
class GroupTotal:
    fte: Decimal
    positions: int
    annual_cost: Decimal
    cost_in_year: Decimal
    reimbursement: Decimal

    @property
    def municipal_share(self) -> Decimal:
        return self.cost_in_year - self.reimbursement


@dataclass
class YearCosting:
    year: int
    table: CostTable
    tree: OrgTree
    lines: list[CostLine]
    coverage: list[Coverage]
    by_department: list[tuple[UnitInfo, GroupTotal]]
    by_budget_section: list[tuple[object, GroupTotal]]
    total: GroupTotal

    def lines_of_department(self, department_id: int) -> list[CostLine]:
        return [line for line in self.lines if line.department_id == department_id]


class _Converted(dict):
    """Raw database value -> the value Django's converters make of it, each computed once."""

    def __init__(self, converters: list, expression, connection) -> None:
        super().__init__()
        self.converters = converters
        self.expression = expression
        self.connection = connection

    def __missing__(self, raw):
        value = raw
        for convert in self.converters:
            value = convert(value, self.expression, self.connection)
        self[raw] = value
        return value


def _raw_rows(
    queryset: QuerySet, converted_columns: tuple[int, ...]
) -> tuple[Iterable[Iterable[Sequence]], list[_Converted]]:
    """The rows of a values_list() queryset as the database returns them, in chunks, and for
    each of `converted_columns` a memo that converts a raw value as Django would.

    Iterating the queryset runs Django's converters (on SQLite: decimals, dates) on every cell
    and copies every row twice; a city's lines share few distinct FTEs and dates, so the
    memos give the same values in about half the time. Where another column would need a
    converter, Django converts every cell as usual and the memos pass values through.
    """
    connection = connections[queryset.db]
    compiler = queryset.query.get_compiler(connection=connection)
    chunks = compiler.execute_sql(
        MULTI,
        chunked_fetch=not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"),
        chunk_size=5000,
    )
    fields = [column[0] for column in compiler.select[: compiler.col_count]]
    converters = compiler.get_converters(fields)
    if set(converters) - set(converted_columns):
        converted = compiler.apply_converters(chain.from_iterable(chunks), converters)
        return [converted], [_Converted([], None, connection) for _ in converted_columns]
    memos = [_Converted(*converters.get(pos, ([], None)), connection) for pos in converted_columns]
    return chunks, memos


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the lines are built.

    Every line allocates objects that all live on; the collector would scan them again and
    again (a sixth of cost_year's time at 20,000 lines) without ever finding garbage.
    Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _UnitSums:
    """What the lines of one org unit share, their lines, and the sums of their figures."""

    __slots__ = (
        "code",
        "department_id",
        "budget_section_id",
        "rule_id",
        "lines",
        "fte",
        "annual_cost",
        "cost_in_year",
    )

    def __init__(
        self, code: str, department_id: int, budget_section_id: int | None, rule_id: int | None
    ) -> None:
        self.code = code
        self.department_id = department_id
        self.budget_section_id = budget_section_id
        self.rule_id = rule_id
        self.lines: list[CostLine] = []
        self.fte = ZERO
        self.annual_cost = ZERO
        self.cost_in_year = ZERO


# CostLine is a frozen dataclass with slots (150 bytes a line instead of 200 with a __dict__).
# Its generated __init__ sets each of the 15 fields through object.__setattr__, which costs
# more than all the arithmetic of a line; cost_year sets the slots through their descriptors
# instead: the same object, built in half the time.
_new_line = object.__new__


def _close(total: Total, rates: dict[int, Decimal]) -> GroupTotal:
    reimbursement = sum(
        (round_cents(rates[rule_id] * amount) for rule_id, amount in total.covered.items()), ZERO
    )
    return GroupTotal(
        total.fte, total.positions, total.annual_cost, total.cost_in_year, reimbursement
    )


def cost_year(year: int, positions: QuerySet[Position] | None = None) -> YearCosting:
    """Cost every position active in `year` (all, or those of `positions`) and total them.

    A constant number of queries, whatever the number of positions.
    """
    table = cost_table_for_year(year)
    rates = rates_of(table)
    tree = org_tree()
    grades = dict(PayGrade.objects.values_list("id", "code"))
    coverage = reimbursement_coverage(year, tree)
    rule_of_unit: dict[int, int] = {}
    for cover in reversed(coverage):  # the newest rule wins where two cover a unit
        rule_of_unit.update(dict.fromkeys(cover.unit_ids, cover.rule_id))

    queryset = positions if positions is not None else Position.objects.all()
    # Ordered by id only: SQLite then reads the table in order instead of sorting a join.
    # The lines are collected per org unit and put in (code, id) order at the end.
    rows = (
        active_in_year(queryset, year)
        .order_by("id")
        .values_list("id", "org_unit_id", "pay_grade_id", "fte", "start_date", "end_date", "title")
    )
    # One pass over the rows. Everything a line shares with others is looked up once and
    # kept in a dict: a unit's code, department, Teilhaushalt and rule; the months of a
    # (start, end) pair; the rate and rounded costs of a (grade, FTE, months) triple. The
    # totals are summed per org unit and rolled up afterwards (sums of rounded lines are
    # exact, so the order of addition does not change them).
    missing: set[str] = set()
    units: dict[int, _UnitSums] = {}
    months_of: dict[tuple[date, date | None], int] = {}
    cost_of: dict[tuple[int, Decimal, int], tuple[str, Decimal, Decimal, Decimal] | None] = {}
    chunks, (fte_of, start_of, end_of) = _raw_rows(rows, converted_columns=(3, 4, 5))
    # The slots' descriptors, by name (see _new_line).
    set_position_id = CostLine.position_id.__set__  # type: ignore[attr-defined]
    set_org_unit_id = CostLine.org_unit_id.__set__  # type: ignore[attr-defined]
    set_org_unit_code = CostLine.org_unit_code.__set__  # type: ignore[attr-defined]
    set_department_id = CostLine.department_id.__set__  # type: ignore[attr-defined]
    set_budget_section_id = CostLine.budget_section_id.__set__  # type: ignore[attr-defined]
    set_pay_grade_code = CostLine.pay_grade_code.__set__  # type: ignore[attr-defined]
    set_title = CostLine.title.__set__  # type: ignore[attr-defined]
    set_fte = CostLine.fte.__set__  # type: ignore[attr-defined]
    set_start_date = CostLine.start_date.__set__  # type: ignore[attr-defined]
    set_end_date = CostLine.end_date.__set__  # type: ignore[attr-defined]
    set_rate = CostLine.rate.__set__  # type: ignore[attr-defined]
    set_annual_cost = CostLine.annual_cost.__set__  # type: ignore[attr-defined]
    set_months = CostLine.months.__set__  # type: ignore[attr-defined]
    set_cost_in_year = CostLine.cost_in_year.__set__  # type: ignore[attr-defined]
    set_rule_id = CostLine.rule_id.__set__  # type: ignore[attr-defined]
    with _gc_paused():
        for chunk in chunks:
            for pid, unit_id, grade_id, raw_fte, raw_start, raw_end, title in chunk:
                fte = fte_of[raw_fte]
                start = start_of[raw_start]
                end = end_of[raw_end]
                months = months_of.get((start, end))
                if months is None:
                    months = months_of[(start, end)] = months_active(start, end, year)
                key = (grade_id, fte, months)
                costs = cost_of.get(key, False)
                if costs is False:
                    rate = rates.get(grade_id)
                    costs = cost_of[key] = (
                        None
                        if rate is None
                        else (
                            grades[grade_id],
                            rate,
                            annual_cost(fte, rate),
                            cost_in_year(fte, rate, months),
                        )
                    )
                if costs is None:
                    missing.add(grades[grade_id])
                    continue
                grade_code, rate, annual, in_year = costs
                unit = units.get(unit_id)
                if unit is None:
                    unit = units[unit_id] = _UnitSums(
                        tree.units[unit_id].code,
                        tree.department_of(unit_id),
                        tree.budget_section_of(unit_id),
                        rule_of_unit.get(unit_id),
                    )
                line = _new_line(CostLine)
                set_position_id(line, pid)
                set_org_unit_id(line, unit_id)
                set_org_unit_code(line, unit.code)
                set_department_id(line, unit.department_id)
                set_budget_section_id(line, unit.budget_section_id)
                set_pay_grade_code(line, grade_code)
                set_title(line, title)
                set_fte(line, fte)
                set_start_date(line, start)
                set_end_date(line, end)
                set_rate(line, rate)
                set_annual_cost(line, annual)
                set_months(line, months)
                set_cost_in_year(line, in_year)
                set_rule_id(line, unit.rule_id)
                unit.lines.append(line)
                unit.fte += fte
                unit.annual_cost += annual
                unit.cost_in_year += in_year
    if missing:
        raise MissingRateError(missing, table)

    lines: list[CostLine] = []
    for unit in sorted(units.values(), key=lambda u: u.code):
        lines.extend(unit.lines)

    rule_rates = {c.rule_id: c.rate for c in coverage}
    by_department: dict[int, Total] = {}
    by_section: dict[int | None, Total] = {}
    overall = Total()
    for unit in units.values():
        for total in (
            by_department.setdefault(unit.department_id, Total()),
            by_section.setdefault(unit.budget_section_id, Total()),
            overall,
        ):
            total.fte += unit.fte
            total.positions += len(unit.lines)
            total.annual_cost += unit.annual_cost
            total.cost_in_year += unit.cost_in_year
            if unit.rule_id is not None:
                total.covered[unit.rule_id] = (
                    total.covered.get(unit.rule_id, ZERO) + unit.cost_in_year
                )

    departments = [
        (tree.units[dep_id], _close(t, rule_rates)) for dep_id, t in by_department.items()
    ]
    departments.sort(key=lambda item: item[0].code)
    sections = [
        (tree.budget_sections.get(sec_id) if sec_id else None, _close(t, rule_rates))
        for sec_id, t in by_section.items()
    ]
    sections.sort(key=lambda item: item[0].number if item[0] else "~")
    total = _close(overall, rule_rates)
    # The overall reimbursement is the sum of the departments' rounded figures.
    total.reimbursement = sum((g.reimbursement for _, g in departments), ZERO)
    return YearCosting(
        year=year,
        table=table,
        tree=tree,
        lines=lines,
        coverage=coverage,
        by_department=departments,
        by_budget_section=sections,
        total=total,
    )


def totals_by_unit(costing: YearCosting) -> dict[int, GroupTotal]:
    """Each org unit's figures with all its sub-units rolled up into it."""
    rule_rates = {c.rule_id: c.rate for c in costing.coverage}
    totals: dict[int, Total] = {}
    for line in costing.lines:
        for unit_id in costing.tree.ancestors_or_self(line.org_unit_id):
            totals.setdefault(unit_id, Total()).add(line)
    return {unit_id: _close(t, rule_rates) for unit_id, t in totals.items()}


def position_cost_by_year(
    position: Position, years: Iterable[int]
) -> list[tuple[int, CostLine | None]]:
    """A single position's cost in each of `years` (None where it is not active)."""
    result: list[tuple[int, CostLine | None]] = []
    for year in years:
        costing = cost_year(year, Position.objects.filter(pk=position.pk))
        result.append((year, costing.lines[0] if costing.lines else None))
    return result


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def costing_as_dict(costing: YearCosting) -> dict:
    """The JSON export of a year (issue 2): decimals as strings with two places."""

    def group(total: GroupTotal) -> dict:
        return {
            "fte": _money(total.fte),
            "positions": total.positions,
            "annual_cost": _money(total.annual_cost),
            "cost_in_year": _money(total.cost_in_year),
            "federal_reimbursement": _money(total.reimbursement),
            "municipal_share": _money(total.municipal_share),
        }

    return {
        "year": costing.year,
        "cost_table": costing.table.name,
        "cost_table_valid_from": costing.table.valid_from.isoformat(),
        "positions": [
            {
                "id": line.position_id,
                "org_unit": line.org_unit_code,
                "department": costing.tree.units[line.department_id].code,
                "pay_grade": line.pay_grade_code,
                "title": line.title,
                "fte": _money(line.fte),
                "start_date": line.start_date.isoformat(),
                "end_date": line.end_date.isoformat() if line.end_date else None,
                "rate": _money(line.rate),
                "annual_cost": _money(line.annual_cost),
                "months": line.months,
                "cost_in_year": _money(line.cost_in_year),
            }
            for line in costing.lines
        ],
        "by_department": [
            {"code": unit.code, "name": unit.name, **group(total)}
            for unit, total in costing.by_department
        ],
        "by_budget_section": [
            {
                "number": section.number if section else None,
                "name": section.name if section else "ohne Teilhaushalt",
                **group(total),
            }
            for section, total in costing.by_budget_section
        ],
        "reimbursement_rules": [
            {"name": c.name, "rate": str(c.rate.normalize())} for c in costing.coverage
        ],
        "total": group(costing.total),
    }
