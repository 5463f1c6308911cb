"""Two Stellenpläne (or two years) side by side: Stellen and cost per Amt and per grade.

The Stellen come from the plan documents (an adopted plan's record, a draft's live figures:
``stellenplan.plan_document.document_for_output``); the cost prices each (Amt, grade) group's
Stellen with the full-time rate of the cost table of its own year (costing.engine: annual cost
= Stellen × rate, rounded half-up to cents; a grade without a rate has no cost and marks the
side incomplete, never a silent zero).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from costing.engine import CostingError, YearRates, annual_cost, year_rates
from stellenplan.models import StaffingPlan
from stellenplan.plan_document import YearDocument, document_for_output

ZERO = Decimal("0")


@dataclass
class Side:
    """One side of the comparison: a plan year."""

    plan: StaffingPlan
    year: int
    document: YearDocument
    table: str = ""
    error: str = ""
    missing_grades: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        status = "Entwurf" if self.document.draft else "beschlossen"
        return f"Stellenplan {self.plan.label}, {self.year} ({status})"


@dataclass
class CompareRow:
    label: str
    fte_a: Decimal = ZERO
    fte_b: Decimal = ZERO
    cost_a: Decimal | None = ZERO
    cost_b: Decimal | None = ZERO

    @property
    def fte_diff(self) -> Decimal:
        return self.fte_b - self.fte_a

    @property
    def cost_diff(self) -> Decimal | None:
        if self.cost_a is None or self.cost_b is None:
            return None
        return self.cost_b - self.cost_a

    @property
    def changed(self) -> bool:
        return self.fte_diff != 0 or self.cost_diff != 0

    def add(self, other: CompareRow) -> None:
        self.fte_a += other.fte_a
        self.fte_b += other.fte_b
        self.cost_a = (
            None if self.cost_a is None or other.cost_a is None else self.cost_a + other.cost_a
        )
        self.cost_b = (
            None if self.cost_b is None or other.cost_b is None else self.cost_b + other.cost_b
        )


@dataclass
class CompareUnit:
    code: str
    name: str
    rows: list[CompareRow]
    total: CompareRow


@dataclass
class Comparison:
    a: Side
    b: Side
    units: list[CompareUnit]
    grades: list[CompareRow]
    total: CompareRow


def _rates(side: Side) -> YearRates | None:
    try:
        rates = year_rates(side.year)
    except CostingError as error:
        side.error = str(error)
        return None
    side.table = rates.table.name
    return rates


def _cost(side: Side, rates: YearRates | None, grade_id: int | None, label: str, fte: Decimal):
    if not fte:
        return ZERO
    if rates is None or grade_id is None or grade_id not in rates.rates:
        side.missing_grades.add(label)
        return None
    return annual_cost(fte, rates.rates[grade_id])


def _groups(doc: YearDocument) -> dict[tuple[str, str], tuple[int | None, str, Decimal]]:
    """(Amt code, grade label) -> (grade id, Amt name, Stellen) of a year document."""
    result = {}
    for unit in doc.units:
        for row in unit.rows:
            if row.kind == "grade":
                result[(unit.code, row.label)] = (row.grade_id, unit.name, row.fte)
    return result


def compare_plans(
    plan_a: StaffingPlan, year_a: int, plan_b: StaffingPlan, year_b: int
) -> Comparison:
    """Plan year A against plan year B (B − A), per Amt and grade, per grade and in total."""
    a = Side(plan_a, year_a, _year(plan_a, year_a))
    b = Side(plan_b, year_b, _year(plan_b, year_b))
    rates_a, rates_b = _rates(a), _rates(b)
    groups_a, groups_b = _groups(a.document), _groups(b.document)
    order = _grade_order(a.document, b.document)
    names: dict[str, str] = {}
    by_unit: dict[str, list[CompareRow]] = defaultdict(list)
    by_grade: dict[str, CompareRow] = {}
    for key in sorted(set(groups_a) | set(groups_b), key=lambda k: (k[0], order.get(k[1], 999))):
        code, grade = key
        id_a, name_a, fte_a = groups_a.get(key, (None, "", ZERO))
        id_b, name_b, fte_b = groups_b.get(key, (None, "", ZERO))
        names[code] = name_b or name_a
        row = CompareRow(
            grade,
            fte_a,
            fte_b,
            _cost(a, rates_a, id_a, grade, fte_a),
            _cost(b, rates_b, id_b, grade, fte_b),
        )
        by_unit[code].append(row)
        by_grade.setdefault(grade, CompareRow(grade)).add(row)
    units = []
    total = CompareRow("Gesamt")
    for code in sorted(by_unit):
        unit_total = CompareRow(f"Summe {code}")
        for row in by_unit[code]:
            unit_total.add(row)
        total.add(unit_total)
        units.append(CompareUnit(code, names[code], by_unit[code], unit_total))
    grades = sorted(by_grade.values(), key=lambda r: order.get(r.label, 999))
    return Comparison(a, b, units, grades, total)


def _year(plan: StaffingPlan, year: int) -> YearDocument:
    doc = document_for_output(plan).year(year)
    if doc is None:
        raise ValueError(f"Das Jahr {year} gehört nicht zum Stellenplan {plan.label}.")
    return doc


def _grade_order(*docs: YearDocument) -> dict[str, int]:
    order: dict[str, int] = {}
    for doc in docs:
        for part in doc.parts:
            for row in part.rows:
                if row.kind == "grade":
                    order.setdefault(row.label, len(order))
    return order
