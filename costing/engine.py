"""The costing engine: plain functions, Decimal end to end, public Django APIs only.

Rules (issue 2):
- annual cost of a line = FTE × full-time rate of its grade in the cost table valid for the year
  (the table with the latest valid-from on or before 1 January of that year);
- cost in a calendar year = FTE × rate × months / 12, where a month counts when the position
  is active on its first day (start ≤ 1st ≤ end);
- each line is rounded half-up to cents, every total is the sum of its rounded lines;
- reimbursement = rate × the covered lines' cost in the year, rounded half-up to cents, per
  group shown (department, Teilhaushalt, org unit); the overall figure is the sum over
  departments;
- a rule or table applies to a year when it is valid on 1 January of that year;
- a line whose grade has no rate in the table of the year gets no cost (None, never 0): it is a
  MissingLine (position, org unit, title, grade, table); it still counts in every FTE and
  position count, every summary that contains one is ``incomplete`` and carries its missing
  lines, and its money figures are the sums of the lines that could be costed (the pages, Excel
  and JSON mark them "unvollständig" and list the missing lines). Only ``cost_year(...,
  strict=True)`` (the Beschlussvorlagen, which print figures as final) raises MissingRateError,
  naming grade, table and positions.

Two ways to the same figures:
- ``cost_year`` builds one CostLine per active position (the pages of single lines, the JSON
  export, the decisions);
- ``summarize`` / ``year_summary`` need no line at all: the database groups the active positions
  by (org unit, grade, FTE, months active in the year) and counts them; each group is priced
  once. A line's rounded cost depends on nothing else, so a group's cost × its count equals the
  sum of its rounded lines, and every total is exactly the line-by-line total
  (tests/costing/test_engine.py checks this on generated data).

``year_summary`` and ``current_org_tree`` are cached per process, keyed by the data version
(core.dataversion): one query on a hit, and any write to the data anywhere (any app server, any
write path) makes the next read recompute.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)

from core.dataversion import VersionedCache
from costing.models import CostRate, CostTable, ReimbursementRule
from departments.models import BudgetSection
from departments.selectors import OrgTree, UnitInfo, org_tree
from stellenplan.models import PayGrade, Position
from stellenplan.selectors import active_in_year

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
TWELVE = Decimal(12)
CHUNK_SIZE = 5000


class CostingError(Exception):
    """A figure cannot be computed; the message is German and names what is missing."""


MISSING_NAMED = 5  # positions named in a MissingRateError message


class MissingRateError(CostingError):
    def __init__(
        self,
        grades: Iterable[str],
        table: CostTable,
        lines: Iterable[MissingLine] = (),
    ) -> None:
        self.grades = sorted(set(grades))
        self.table = table
        self.lines = list(lines)
        names = ", ".join(f"„{g}“" for g in self.grades)
        word = "den Stellenwert" if len(self.grades) == 1 else "die Stellenwerte"
        message = (
            f"Für {word} {names} enthält die Kostentabelle „{table.name}“ "
            f"(gültig ab {table.valid_from:%d.%m.%Y}) keinen Kostensatz."
        )
        if self.lines:
            named = "; ".join(line.label for line in self.lines[:MISSING_NAMED])
            more = len(self.lines) - MISSING_NAMED
            message += f" Betroffen: {named}" + (f" und {more} weitere." if more > 0 else ".")
        super().__init__(message)


def round_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- a cost table raised by a percentage (a new table copied from another) ------------------

#: The rounding steps of a raised rate, in euros (half-up, as everywhere).
RATE_ROUNDING: dict[str, tuple[Decimal, str]] = {
    "cent": (CENT, "auf Cent"),
    "euro": (Decimal(1), "auf volle Euro"),
    "zehn": (Decimal(10), "auf volle 10 €"),
    "hundert": (Decimal(100), "auf volle 100 €"),
}


@dataclass(frozen=True)
class RateAmounts:
    """The amounts of a cost rate: the total and its optional components."""

    annual_cost: Decimal
    personnel_cost: Decimal | None = None
    material_cost: Decimal | None = None
    it_cost: Decimal | None = None


def raise_amount(amount: Decimal, percent: Decimal, rounding: str) -> Decimal:
    """`amount` raised by `percent` (3.5 for +3,5 %), rounded half-up to the step of
    `rounding` (a key of RATE_ROUNDING)."""
    step = RATE_ROUNDING[rounding][0]
    raised = amount * (Decimal(100) + percent) / Decimal(100)
    return ((raised / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step).quantize(CENT)


def raise_amounts(amounts: RateAmounts, percent: Decimal, rounding: str) -> RateAmounts:
    """A rate raised by `percent`: each amount rounded on its own; with components the
    total is their sum, so that they keep adding up to it."""
    components = [amounts.personnel_cost, amounts.material_cost, amounts.it_cost]
    raised = [None if c is None else raise_amount(c, percent, rounding) for c in components]
    given = [c for c in raised if c is not None]
    total = sum(given, ZERO) if given else raise_amount(amounts.annual_cost, percent, rounding)
    return RateAmounts(total, *raised)


def change_percent(old: Decimal | None, new: Decimal | None) -> Decimal | None:
    """The change from `old` to `new` in percent, half-up to two decimals (None without
    both or from 0)."""
    if old is None or new is None or old == 0:
        return None
    return ((new - old) * Decimal(100) / old).quantize(CENT, rounding=ROUND_HALF_UP)


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


def is_active_in_year(start: date, end: date | None, year: int) -> bool:
    """The rule of stellenplan.selectors.active_in_year for one line: a line of the year
    (counted, possibly with 0 months) when it starts by 1 December and ends on or after
    1 January."""
    return start <= date(year, 12, 1) and (end is None or end >= date(year, 1, 1))


def months_expression(year: int) -> Case:
    """months_active() as a database expression for positions active in `year` (see
    active_in_year): the last month whose first day is on or before the end, minus the first
    month whose first day is on or after the start, plus one. Plain date comparisons, the
    same on SQLite and PostgreSQL (no date functions, which SQLite would call back into
    Python for on every row)."""
    firsts = [date(year, month, 1) for month in range(1, 13)]
    first = Case(
        *(When(start_date__lte=day, then=Value(month)) for month, day in enumerate(firsts, 1)),
        default=Value(13),
        output_field=IntegerField(),
    )
    last = Case(
        When(end_date__isnull=True, then=Value(12)),
        *(
            When(end_date__gte=day, then=Value(month))
            for month, day in reversed(list(enumerate(firsts, 1)))
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    # start ≤ end, so last ≥ first − 1: the difference is never below 0 for an active line.
    return Case(
        When(start_date__gt=firsts[-1], then=Value(0)),
        default=last - first + Value(1),
        output_field=IntegerField(),
    )


def annual_cost(fte: Decimal, rate: Decimal) -> Decimal:
    """Annual cost of a line: FTE × full-time rate, rounded half-up to cents."""
    return round_cents(fte * rate)


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
    # Newest first: a unit covered by a newer rule is that rule's; a rule whose units are all
    # covered by newer ones does not apply (and is named in no footnote).
    coverage: list[Coverage] = []
    taken: set[int] = set()
    for rule in rules:
        units = frozenset(tree.descendants_or_self(u.id for u in rule.org_units.all()))
        if units and units <= taken:
            continue
        taken |= units
        coverage.append(Coverage(rule.id, rule.name, rule.rate, units))
    return coverage


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

    @property
    def incomplete(self) -> bool:
        return False


@dataclass(frozen=True, slots=True)
class MissingLine:
    """An active line whose grade has no rate in the cost table of the year: no cost (None,
    never 0); it counts in the Stellen of every total that contains it."""

    position_id: int
    org_unit_id: int
    org_unit_code: str
    title: str
    pay_grade_code: str
    table_id: int
    table_name: str
    table_valid_from: date
    fte: Decimal
    months: int

    @property
    def rate(self) -> None:
        return None

    @property
    def annual_cost(self) -> None:
        return None

    @property
    def cost_in_year(self) -> None:
        return None

    @property
    def incomplete(self) -> bool:
        return True

    @property
    def label(self) -> str:
        """German: unit, title, grade and table, e.g. for a message."""
        return (
            f"{self.org_unit_code} „{self.title}“ ({self.pay_grade_code}, "
            f"Kostentabelle „{self.table_name}“)"
        )


def missing_sort_key(line: MissingLine) -> tuple[str, int]:
    return (line.org_unit_code, line.position_id)


@dataclass
class Total:
    """Sums of rounded lines; reimbursement per rule on the covered sum, rounded."""

    fte: Decimal = ZERO
    positions: int = 0
    annual_cost: Decimal = ZERO
    cost_in_year: Decimal = ZERO
    covered: dict[int, Decimal] = field(default_factory=dict)
    missing: list[MissingLine] = field(default_factory=list)

    def add(self, line: CostLine | MissingLine) -> None:
        if isinstance(line, MissingLine):
            self.add_missing(line)
        else:
            self.add_group(line.fte, 1, line.annual_cost, line.cost_in_year, line.rule_id)

    def add_missing(self, line: MissingLine) -> None:
        """A line without a rate: counted in Stellen and positions, no cost."""
        self.fte += line.fte
        self.positions += 1
        self.missing.append(line)

    def add_uncosted(self, fte: Decimal, count: int) -> None:
        """`count` lines without a rate (their MissingLines are added separately)."""
        self.fte += fte * count
        self.positions += count

    def add_group(
        self,
        fte: Decimal,
        count: int,
        annual: Decimal,
        in_year: Decimal,
        rule_id: int | None,
    ) -> None:
        """`count` equal lines: FTE, annual cost and cost in the year of one line."""
        self.fte += fte * count
        self.positions += count
        self.annual_cost += annual * count
        self.cost_in_year += in_year * count
        if rule_id is not None:
            self.covered[rule_id] = self.covered.get(rule_id, ZERO) + in_year * count

    def merge(self, other: Total) -> None:
        self.fte += other.fte
        self.positions += other.positions
        self.annual_cost += other.annual_cost
        self.cost_in_year += other.cost_in_year
        for rule_id, amount in other.covered.items():
            self.covered[rule_id] = self.covered.get(rule_id, ZERO) + amount
        self.missing.extend(other.missing)


@dataclass
class GroupTotal:
    """Stellen and positions of every active line; money of the lines that have a rate. With
    `missing` lines the money figures are incomplete (shown "unvollständig", never as final)."""

    fte: Decimal
    positions: int
    annual_cost: Decimal
    cost_in_year: Decimal
    reimbursement: Decimal
    missing: list[MissingLine] = field(default_factory=list)

    @property
    def municipal_share(self) -> Decimal:
        return self.cost_in_year - self.reimbursement

    @property
    def incomplete(self) -> bool:
        return bool(self.missing)

    @property
    def costed_positions(self) -> int:
        """Positions with a cost (0: no money figure at all, shown as "fehlt")."""
        return self.positions - len(self.missing)


@dataclass
class YearCosting:
    year: int
    table: CostTable
    tree: OrgTree
    lines: list[CostLine]
    coverage: list[Coverage]
    by_department: list[tuple[UnitInfo, GroupTotal]]
    by_budget_section: list[tuple[BudgetSection | None, GroupTotal]]
    total: GroupTotal
    missing: list[MissingLine] = field(default_factory=list)

    @property
    def incomplete(self) -> bool:
        return bool(self.missing)

    def lines_of_department(self, department_id: int) -> list[CostLine]:
        return [line for line in self.lines if line.department_id == department_id]


# --- pricing: what every line of a year needs, looked up once --------------------------------

_TREE_CACHE: VersionedCache[str, OrgTree] = VersionedCache(maxsize=4)


def current_org_tree() -> OrgTree:
    """The org unit tree, cached per process by the data version (one query on a hit).

    Shared by every caller: read it, never change it.
    """
    return _TREE_CACHE.get("tree", org_tree)


@dataclass(frozen=True)
class UnitFacts:
    """What every line of an org unit shares in a year."""

    code: str
    department_id: int
    budget_section_id: int | None
    rule_id: int | None


class YearPricing:
    """The cost table of a year, its rates, the reimbursement coverage and the tree, with the
    prices of (grade, FTE, months) and the facts of each unit memoised: each is computed
    once however many lines share it."""

    def __init__(self, year: int, tree: OrgTree | None = None) -> None:
        self.year = year
        self.tree = tree if tree is not None else current_org_tree()
        self.table = cost_table_for_year(year)
        self.rates: dict[int, Decimal] = {}
        self.grade_codes: dict[int, str] = {}
        for grade_id, rate, code in CostRate.objects.filter(table=self.table).values_list(
            "pay_grade_id", "annual_cost", "pay_grade__code"
        ):
            self.rates[grade_id] = rate
            self.grade_codes[grade_id] = code
        self.coverage = reimbursement_coverage(year, self.tree)
        self.rule_rates = {c.rule_id: c.rate for c in self.coverage}
        self.rule_of_unit: dict[int, int] = {}
        for cover in reversed(self.coverage):  # the newest rule wins where two cover a unit
            self.rule_of_unit.update(dict.fromkeys(cover.unit_ids, cover.rule_id))
        self.missing_grade_ids: set[int] = set()
        self._months: dict[tuple[date, date | None], int] = {}
        self._prices: dict[tuple[int, Decimal, int], tuple[Decimal, Decimal, Decimal] | None] = {}
        self._units: dict[int, UnitFacts] = {}

    def months(self, start: date, end: date | None) -> int:
        key = (start, end)
        months = self._months.get(key)
        if months is None:
            months = self._months[key] = months_active(start, end, self.year)
        return months

    def price(
        self, grade_id: int, fte: Decimal, months: int
    ) -> tuple[Decimal, Decimal, Decimal] | None:
        """(rate, annual cost, cost in the year) of one line; None (noted) without a rate."""
        key = (grade_id, fte, months)
        try:
            return self._prices[key]
        except KeyError:
            pass
        rate = self.rates.get(grade_id)
        if rate is None:
            self.missing_grade_ids.add(grade_id)
            price = None
        else:
            price = (rate, annual_cost(fte, rate), cost_in_year(fte, rate, months))
        self._prices[key] = price
        return price

    def unit(self, unit_id: int) -> UnitFacts:
        facts = self._units.get(unit_id)
        if facts is None:
            tree = self.tree
            facts = self._units[unit_id] = UnitFacts(
                tree.units[unit_id].code,
                tree.department_of(unit_id),
                tree.budget_section_of(unit_id),
                self.rule_of_unit.get(unit_id),
            )
        return facts

    def line(
        self,
        position_id: int,
        unit_id: int,
        grade_id: int,
        fte: Decimal,
        start: date,
        end: date | None,
        title: str,
    ) -> CostLine | None:
        """The cost line of a position active in the year; None (noted) without a rate."""
        months = self.months(start, end)
        price = self.price(grade_id, fte, months)
        if price is None:
            return None
        rate, annual, in_year = price
        unit = self.unit(unit_id)
        return CostLine(
            position_id,
            unit_id,
            unit.code,
            unit.department_id,
            unit.budget_section_id,
            self.grade_codes[grade_id],
            title,
            fte,
            start,
            end,
            rate,
            annual,
            months,
            in_year,
            unit.rule_id,
        )

    def grade_code(self, grade_id: int) -> str:
        """The code of a grade (those without a rate looked up once, in one query)."""
        code = self.grade_codes.get(grade_id)
        if code is None:
            self.grade_codes.update(
                PayGrade.objects.exclude(pk__in=self.grade_codes).values_list("pk", "code")
            )
            code = self.grade_codes.get(grade_id, "?")
        return code

    def missing_grades(self) -> list[str]:
        if not self.missing_grade_ids:
            return []
        return list(
            PayGrade.objects.filter(pk__in=self.missing_grade_ids).values_list("code", flat=True)
        )

    def missing_line(
        self,
        position_id: int,
        unit_id: int,
        grade_code: str,
        fte: Decimal,
        months: int,
        title: str,
    ) -> MissingLine:
        table = self.table
        return MissingLine(
            position_id,
            unit_id,
            self.unit(unit_id).code,
            title,
            grade_code,
            table.pk,
            table.name,
            table.valid_from,
            fte,
            months,
        )

    def missing_lines(self, positions: QuerySet[Position]) -> list[MissingLine]:
        """The active lines of `positions` whose grade met no rate, in one query (none when
        every grade had one), ordered by org unit code and id."""
        if not self.missing_grade_ids:
            return []
        rows = (
            active_in_year(positions, self.year)
            .filter(pay_grade_id__in=self.missing_grade_ids)
            .order_by()
            .values_list(
                "id", "org_unit_id", "pay_grade__code", "fte", "start_date", "end_date", "title"
            )
        )
        lines = [
            self.missing_line(pid, unit_id, code, fte, self.months(start, end), title)
            for pid, unit_id, code, fte, start, end, title in rows
        ]
        lines.sort(key=missing_sort_key)
        return lines

    def close(self, total: Total) -> GroupTotal:
        return _close(total, self.rule_rates)


def _close(total: Total, rates: dict[int, Decimal]) -> GroupTotal:
    reimbursement = sum(
        (round_cents(rates[rule_id] * amount) for rule_id, amount in total.covered.items()), ZERO
    )
    return GroupTotal(
        total.fte,
        total.positions,
        total.annual_cost,
        total.cost_in_year,
        reimbursement,
        sorted(total.missing, key=missing_sort_key),
    )


def _group_totals(
    own: dict[int, Total], pricing: YearPricing
) -> tuple[
    list[tuple[UnitInfo, GroupTotal]], list[tuple[BudgetSection | None, GroupTotal]], GroupTotal
]:
    """Per department, per Teilhaushalt and overall, from each org unit's own lines' sums
    (sums of rounded lines are exact, so the order of addition does not change them)."""
    tree = pricing.tree
    by_department: dict[int, Total] = {}
    by_section: dict[int | None, Total] = {}
    overall = Total()
    for unit_id, total in own.items():
        facts = pricing.unit(unit_id)
        by_department.setdefault(facts.department_id, Total()).merge(total)
        by_section.setdefault(facts.budget_section_id, Total()).merge(total)
        overall.merge(total)
    departments = [(tree.units[dep_id], pricing.close(t)) for dep_id, t in by_department.items()]
    departments.sort(key=lambda item: item[0].code)
    sections = [
        (tree.budget_sections.get(sec_id) if sec_id else None, pricing.close(t))
        for sec_id, t in by_section.items()
    ]
    sections.sort(key=lambda item: item[0].number if item[0] else "~")
    grand_total = pricing.close(overall)
    # The overall reimbursement is the sum of the departments' rounded figures.
    grand_total.reimbursement = sum((g.reimbursement for _, g in departments), ZERO)
    return departments, sections, grand_total


# --- line by line ----------------------------------------------------------------------------

LINE_FIELDS = ("id", "org_unit_id", "pay_grade_id", "fte", "start_date", "end_date", "title")


def cost_year(
    year: int, positions: QuerySet[Position] | None = None, *, strict: bool = True
) -> YearCosting:
    """Cost every position active in `year` (all, or those of `positions`) and total them.

    A constant number of queries, whatever the number of positions. Lines without a rate are
    in `missing` (and counted in the Stellen of the totals); with `strict` (the default: the
    Beschlussvorlagen print their figures as final) they raise MissingRateError naming grade,
    table and positions instead.
    """
    pricing = YearPricing(year)
    queryset = positions if positions is not None else Position.objects.all()
    # Ordered by id only: SQLite then reads the table in order instead of sorting a join.
    # The lines are collected per org unit and put in (code, id) order at the end.
    rows = (
        active_in_year(queryset, year)
        .order_by("id")
        .values_list(*LINE_FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    # One pass over the rows; what lines share (months of a (start, end) pair, the price of a
    # (grade, FTE, months) triple, the facts of a unit) is looked up once in `pricing`.
    year_months = pricing.months
    price_of = pricing.price
    unit_of = pricing.unit
    grade_codes = pricing.grade_codes
    lines_of_unit: dict[int, list[CostLine]] = {}
    missing_of_unit: dict[int, list[MissingLine]] = {}
    facts_of: dict[int, UnitFacts] = {}
    for pid, unit_id, grade_id, fte, start, end, title in rows:
        months = year_months(start, end)
        price = price_of(grade_id, fte, months)
        facts = facts_of.get(unit_id)
        if facts is None:
            facts = facts_of[unit_id] = unit_of(unit_id)
            lines_of_unit[unit_id] = []
            missing_of_unit[unit_id] = []
        if price is None:
            missing_of_unit[unit_id].append(
                MissingLine(
                    pid,
                    unit_id,
                    facts.code,
                    title,
                    pricing.grade_code(grade_id),
                    pricing.table.pk,
                    pricing.table.name,
                    pricing.table.valid_from,
                    fte,
                    months,
                )
            )
            continue
        lines_of_unit[unit_id].append(
            CostLine(
                pid,
                unit_id,
                facts.code,
                facts.department_id,
                facts.budget_section_id,
                grade_codes[grade_id],
                title,
                fte,
                start,
                end,
                price[0],
                price[1],
                months,
                price[2],
                facts.rule_id,
            )
        )
    missing = sorted(
        (line for unit_missing in missing_of_unit.values() for line in unit_missing),
        key=missing_sort_key,
    )
    if strict and missing:
        raise MissingRateError(pricing.missing_grades(), pricing.table, missing)

    lines: list[CostLine] = []
    own: dict[int, Total] = {}
    for unit_id in sorted(lines_of_unit, key=lambda u: facts_of[u].code):
        unit_lines = lines_of_unit[unit_id]
        unit_missing = missing_of_unit[unit_id]
        lines.extend(unit_lines)
        in_year = sum((line.cost_in_year for line in unit_lines), ZERO)
        rule_id = facts_of[unit_id].rule_id
        own[unit_id] = Total(
            fte=sum((line.fte for line in unit_lines), ZERO)
            + sum((line.fte for line in unit_missing), ZERO),
            positions=len(unit_lines) + len(unit_missing),
            annual_cost=sum((line.annual_cost for line in unit_lines), ZERO),
            cost_in_year=in_year,
            covered={} if rule_id is None else {rule_id: in_year},
            missing=list(unit_missing),
        )
    departments, sections, total = _group_totals(own, pricing)
    return YearCosting(
        year=year,
        table=pricing.table,
        tree=pricing.tree,
        lines=lines,
        coverage=pricing.coverage,
        by_department=departments,
        by_budget_section=sections,
        total=total,
        missing=missing,
    )


def totals_by_unit(costing: YearCosting) -> dict[int, GroupTotal]:
    """Each org unit's figures with all its sub-units rolled up into it."""
    rule_rates = {c.rule_id: c.rate for c in costing.coverage}
    totals: dict[int, Total] = {}
    every: list[CostLine | MissingLine] = [*costing.lines, *costing.missing]
    for line in every:
        for unit_id in costing.tree.ancestors_or_self(line.org_unit_id):
            totals.setdefault(unit_id, Total()).add(line)
    return {unit_id: _close(t, rule_rates) for unit_id, t in totals.items()}


# --- aggregated in the database --------------------------------------------------------------


@dataclass
class YearSummary:
    """The figures of a year without lines.

    by_unit_own: each org unit's own positions; by_unit: with all sub-units rolled up (the
    same figures as totals_by_unit(cost_year(...))); by_department, by_budget_section, total:
    as in YearCosting. missing: the active lines without a rate (each also in the `missing` of
    every group total that contains it; the summary is then `incomplete`); missing_grades: their
    grades.
    """

    year: int
    table: CostTable
    tree: OrgTree
    coverage: list[Coverage]
    rates: dict[int, Decimal]
    by_unit_own: dict[int, GroupTotal]
    by_unit: dict[int, GroupTotal]
    by_department: list[tuple[UnitInfo, GroupTotal]]
    by_budget_section: list[tuple[BudgetSection | None, GroupTotal]]
    total: GroupTotal
    missing_grades: list[str]
    missing: list[MissingLine] = field(default_factory=list)

    @property
    def incomplete(self) -> bool:
        return bool(self.missing)


def grouped_lines(positions: QuerySet[Position], year: int) -> QuerySet:
    """The active positions of `year` as (org unit, grade, FTE, months, count) groups."""
    return (
        active_in_year(positions, year)
        .order_by()
        .annotate(months=months_expression(year))
        .values_list("org_unit_id", "pay_grade_id", "fte", "months")
        .annotate(count=Count("id"))
    )


def _summarize(year: int, positions: QuerySet[Position] | None) -> YearSummary:
    pricing = YearPricing(year)
    queryset = positions if positions is not None else Position.objects.all()
    own: dict[int, Total] = {}
    price = pricing.price
    rule_of_unit = pricing.rule_of_unit
    for unit_id, grade_id, fte, months, count in grouped_lines(queryset, year).iterator(
        chunk_size=CHUNK_SIZE
    ):
        costs = price(grade_id, fte, months)
        total = own.get(unit_id)
        if total is None:
            total = own[unit_id] = Total()
        if costs is None:
            total.add_uncosted(fte, count)
            continue
        total.add_group(fte, count, costs[1], costs[2], rule_of_unit.get(unit_id))
    # The lines without a rate, by position: one more query, only when there are any.
    missing = pricing.missing_lines(queryset)
    for line in missing:  # setdefault: a line written between the two queries
        own.setdefault(line.org_unit_id, Total()).missing.append(line)
    rolled: dict[int, Total] = {}
    for unit_id, total in own.items():
        for ancestor in pricing.tree.ancestors_or_self(unit_id):
            rolled.setdefault(ancestor, Total()).merge(total)
    departments, sections, overall = _group_totals(own, pricing)
    return YearSummary(
        year=year,
        table=pricing.table,
        tree=pricing.tree,
        coverage=pricing.coverage,
        rates=pricing.rates,
        by_unit_own={unit_id: pricing.close(t) for unit_id, t in own.items()},
        by_unit={unit_id: pricing.close(t) for unit_id, t in rolled.items()},
        by_department=departments,
        by_budget_section=sections,
        total=overall,
        missing_grades=sorted(pricing.missing_grades()),
        missing=missing,
    )


def summarize(year: int, positions: QuerySet[Position] | None = None) -> YearSummary:
    """The figures of `year` (all positions, or those of `positions`) from grouped rows,
    uncached. Raises CostingError without a cost table; lines without a rate make it
    incomplete."""
    return _summarize(year, positions)


SUMMARY_CACHE_SIZE = 16
_SUMMARY_CACHE: VersionedCache[int, YearSummary] = VersionedCache(maxsize=SUMMARY_CACHE_SIZE)


def year_summary(year: int) -> YearSummary:
    """The figures of `year` for all positions, cached per process by (year, data version):
    one query when nothing changed. Shared by every caller: read it, never change it."""
    return _SUMMARY_CACHE.get(year, lambda: _summarize(year, None))


def clear_caches() -> None:
    """Forget the cached summaries and tree (never needed for correctness; for measurements)."""
    _SUMMARY_CACHE.clear()
    _TREE_CACHE.clear()
    _RATES_CACHE.clear()


# --- rates of a year (lists of positions) ---------------------------------------------------


@dataclass(frozen=True)
class YearRates:
    """The cost table of a year and its full-time rates (grade id -> rate)."""

    year: int
    table: CostTable
    rates: dict[int, Decimal]

    def annual_cost_of(self, grade_id: int, fte: Decimal) -> Decimal | None:
        """A line's annual cost; None where its grade has no rate."""
        rate = self.rates.get(grade_id)
        return None if rate is None else annual_cost(fte, rate)


_RATES_CACHE: VersionedCache[int, YearRates] = VersionedCache(maxsize=SUMMARY_CACHE_SIZE)


def year_rates(year: int) -> YearRates:
    """The table and rates of `year`, cached by the data version. Raises CostingError."""

    def compute() -> YearRates:
        table = cost_table_for_year(year)
        return YearRates(year, table, rates_of(table))

    return _RATES_CACHE.get(year, compute)


@dataclass(frozen=True)
class GroupedSums:
    """Annual cost, Stellen and lines of groups of equal lines: Stellen and lines of all of
    them, the cost of those with a rate; `missing_grade_ids`: the grades without one."""

    annual_cost: Decimal
    fte: Decimal
    lines: int
    missing_grade_ids: frozenset[int] = frozenset()

    @property
    def incomplete(self) -> bool:
        return bool(self.missing_grade_ids)


def annual_cost_of_groups(
    rates: YearRates, groups: Iterable[tuple[int, Decimal, int]]
) -> GroupedSums:
    """The annual cost of (grade id, FTE, number of lines) groups of active lines: each
    group's rounded line cost times its count, i.e. exactly the sum of the rounded lines.
    Groups without a rate count in Stellen and lines, not in the cost (incomplete)."""
    total, fte_sum, count_sum = ZERO, ZERO, 0
    missing: set[int] = set()
    for grade_id, fte, count in groups:
        fte_sum += fte * count
        count_sum += count
        cost = rates.annual_cost_of(grade_id, fte)
        if cost is None:
            missing.add(grade_id)
            continue
        total += cost * count
    return GroupedSums(total, fte_sum, count_sum, frozenset(missing))


def missing_lines_of(
    rates: YearRates, positions: QuerySet[Position], grade_ids: Iterable[int]
) -> list[MissingLine]:
    """The lines of `positions` active in the year of `rates` whose grade (one of
    `grade_ids`) has no rate: one query."""
    grade_ids = set(grade_ids)
    if not grade_ids:
        return []
    year, table = rates.year, rates.table
    rows = (
        active_in_year(positions, year)
        .filter(pay_grade_id__in=grade_ids)
        .order_by("org_unit__code", "id")
        .values_list(
            "id",
            "org_unit_id",
            "org_unit__code",
            "pay_grade__code",
            "fte",
            "start_date",
            "end_date",
            "title",
        )
    )
    return [
        MissingLine(
            pid,
            unit_id,
            unit_code,
            title,
            grade_code,
            table.pk,
            table.name,
            table.valid_from,
            fte,
            months_active(start, end, year),
        )
        for pid, unit_id, unit_code, grade_code, fte, start, end, title in rows
    ]


# --- one position ----------------------------------------------------------------------------


def position_cost_by_year(
    position: Position, years: Iterable[int]
) -> list[tuple[int, CostLine | MissingLine | None]]:
    """A single position's cost in each of `years` (None where it is not active; a MissingLine,
    `incomplete`, where its grade has no rate in the table of the year).

    A constant number of queries for any number of years; raises CostingError for the first
    year without a cost table.
    """
    years = list(years)
    if not years:
        return []
    row = (
        Position.objects.filter(pk=position.pk).values_list(*LINE_FIELDS, "pay_grade__code").first()
    )
    tables = list(
        CostTable.objects.filter(valid_from__lte=date(max(years), 1, 1)).order_by("-valid_from")
    )

    def table_of(year: int) -> CostTable:
        jan1 = date(year, 1, 1)
        for table in tables:
            if table.valid_from <= jan1:
                return table
        raise CostingError(f"Für das Jahr {year} gibt es keine gültige Kostentabelle.")

    year_tables = [(year, table_of(year)) for year in years]
    if row is None:
        return [(year, None) for year in years]
    pid, unit_id, grade_id, fte, start, end, title, grade_code = row
    rates = dict(
        CostRate.objects.filter(
            table__in={t.pk for _, t in year_tables}, pay_grade_id=grade_id
        ).values_list("table_id", "annual_cost")
    )
    tree = current_org_tree()
    chain = set(tree.ancestors_or_self(unit_id))
    rules = list(
        ReimbursementRule.objects.filter(valid_from__lte=date(max(years), 1, 1))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=date(min(years), 1, 1)))
        .filter(org_units__in=chain)
        .distinct()
        .order_by("-valid_from", "id")
        .values_list("id", "valid_from", "valid_to")
    )
    department_id = tree.department_of(unit_id)
    section_id = tree.budget_section_of(unit_id)
    result: list[tuple[int, CostLine | MissingLine | None]] = []
    for year, table in year_tables:
        if not is_active_in_year(start, end, year):
            result.append((year, None))
            continue
        rate = rates.get(table.pk)
        if rate is None:
            result.append(
                (
                    year,
                    MissingLine(
                        pid,
                        unit_id,
                        tree.units[unit_id].code,
                        title,
                        grade_code,
                        table.pk,
                        table.name,
                        table.valid_from,
                        fte,
                        months_active(start, end, year),
                    ),
                )
            )
            continue
        jan1 = date(year, 1, 1)
        rule_id = next(
            (
                rid
                for rid, since, until in rules
                if since <= jan1 and (until is None or until >= jan1)
            ),
            None,
        )
        months = months_active(start, end, year)
        result.append(
            (
                year,
                CostLine(
                    position_id=pid,
                    org_unit_id=unit_id,
                    org_unit_code=tree.units[unit_id].code,
                    department_id=department_id,
                    budget_section_id=section_id,
                    pay_grade_code=grade_code,
                    title=title,
                    fte=fte,
                    start_date=start,
                    end_date=end,
                    rate=rate,
                    annual_cost=annual_cost(fte, rate),
                    months=months,
                    cost_in_year=cost_in_year(fte, rate, months),
                    rule_id=rule_id,
                ),
            )
        )
    return result


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def costing_as_dict(costing: YearCosting) -> dict:
    """The JSON export of a year (issue 2): decimals as strings with two places. Lines without
    a rate are listed under "missing_rates" (no cost, never 0) and mark the groups that contain
    them and the whole year "incomplete"."""

    def group(total: GroupTotal) -> dict:
        return {
            "fte": _money(total.fte),
            "positions": total.positions,
            "annual_cost": _money(total.annual_cost),
            "cost_in_year": _money(total.cost_in_year),
            "federal_reimbursement": _money(total.reimbursement),
            "municipal_share": _money(total.municipal_share),
            "incomplete": total.incomplete,
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
        "incomplete": costing.incomplete,
        "missing_rates": [
            {
                "id": line.position_id,
                "org_unit": line.org_unit_code,
                "title": line.title,
                "pay_grade": line.pay_grade_code,
                "fte": _money(line.fte),
                "cost_table": line.table_name,
                "cost_table_valid_from": line.table_valid_from.isoformat(),
            }
            for line in costing.missing
        ],
    }
