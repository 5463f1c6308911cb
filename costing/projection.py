"""The five-year projection (mittelfristige Finanzplanung, § 85 GemO BW / § 9 GemHVO BW): the
cost of the positions per Teilhaushalt and Amt in the years N-1 … N+3, gross, reimbursement and
municipal share, with the pay rounds (costing.models.PayAdjustment) applied month by month.

Rules (DOMAIN.md §4; every figure Decimal, public Django APIs only):

- A month of a year counts for a position when the position may be used on its first day, as
  in the costing engine (costing.engine.months_active): start ≤ 1st ≤ end, and for a
  position with a kw-Vermerk with a date, the 1st lies before that date (from the kw date on
  the position no longer counts). kw without a date: the position counts on (which position
  becomes vacant is unknown). ku: the position counts in its present grade.
- The full-time annual rate of a grade in a month: the rate of the cost table valid on the
  1st of that month (the latest table with "gültig ab" on or before it; after the last table
  that one goes on), adjusted by every pay adjustment of the grade's status group that is in
  effect on that 1st and became effective after the table's "gültig ab" (the rates of a
  table already contain the rounds before it), in the order of their dates.
- One adjustment on an annual rate R: + 12 × Sockel (€/month), then × (1 + percent/100), at
  least R + 12 × minimum (€/month); **the result is rounded half-up to cents** (each round
  gives a new rate, as a new pay table would). A rate with a personnel component
  (CostRate.personnel_cost) is adjusted on that component only (Sach- and IT-Kosten stay);
  a rate without one is adjusted as a whole, and the projection says so in its assumptions.
- A position's cost in a year = FTE × Σ (rate of each counted month) / 12, **rounded half-up
  to cents once per position and year** (with the same rate in every month this is exactly
  the engine's cost_in_year). Months whose grade has no rate in the month's table add
  nothing; the projection is then ``incomplete`` and names grade and table.
- Reimbursement: the reimbursement rules valid on 1 January of the year (as the costing
  engine's year figures), newest rule first where two cover a unit; per row (Teilhaushalt ×
  Amt) rate × covered cost, rounded half-up to cents. Municipal share = gross − reimbursement.
  Subtotals and totals are sums of the rows' rounded figures (so the Excel SUM formulas give
  the same figures).
- The database groups the positions of each year by (org unit, grade, FTE, first and last
  counted month) – one query per year, like costing.engine.year_summary – and each group is
  priced once from per-grade running sums of the monthly rates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When

from core.dataversion import VersionedCache
from core.formatting import euro, format_decimal
from costing.engine import (
    ZERO,
    CostingError,
    change_percent,
    current_org_tree,
    reimbursement_coverage,
    round_cents,
)
from costing.models import CostRate, CostTable, PayAdjustment
from departments.models import BudgetSection
from departments.selectors import OrgTree, UnitInfo
from stellenplan.models import PayGrade, Position
from stellenplan.selectors import active_in_year

TWELVE = Decimal(12)
HUNDRED = Decimal(100)
YEARS_BEFORE = 1  # N-1
YEARS_AFTER = 3  # N+3


def projection_years(plan_year: int) -> list[int]:
    """N-1 … N+3 of the plan year N."""
    return list(range(plan_year - YEARS_BEFORE, plan_year + YEARS_AFTER + 1))


# --- rates ---------------------------------------------------------------------------------


def apply_adjustment(
    rate: Decimal, base_amount: Decimal, percent: Decimal, minimum_amount: Decimal
) -> Decimal:
    """One pay round on an annual rate: Sockel (€/month × 12), then the percentage, at least
    the minimum increase (€/month × 12); rounded half-up to cents."""
    raised = (rate + TWELVE * base_amount) * (HUNDRED + percent) / HUNDRED
    return round_cents(max(raised, rate + TWELVE * minimum_amount))


def adjusted_rate(
    annual_cost: Decimal, personnel_cost: Decimal | None, adjustments: list[PayAdjustment]
) -> Decimal:
    """The full-time annual rate after `adjustments` (in date order): on the personnel
    component where there is one, else on the whole rate."""
    base = annual_cost if personnel_cost is None else personnel_cost
    adjusted = base
    for adjustment in adjustments:
        adjusted = apply_adjustment(
            adjusted, adjustment.base_amount, adjustment.percent, adjustment.minimum_amount
        )
    return annual_cost + (adjusted - base)


@dataclass(frozen=True)
class MonthlyRates:
    """Per grade and year the full-time rate of each month (None: no rate in that table) and
    their running sums (sums[k] = rate of months 1 … k)."""

    rates: dict[int, list[Decimal | None]]
    sums: dict[int, list[Decimal]]
    table_names: list[str]  # the table of each month

    def cost(self, grade_id: int, fte: Decimal, first: int, last: int) -> Decimal:
        """A position's cost for months first … last (1-based), rounded once."""
        sums = self.sums[grade_id]
        return round_cents(fte * (sums[last] - sums[first - 1]) / TWELVE)

    def missing_tables(self, grade_id: int, first: int, last: int) -> set[str]:
        """The tables of months first … last without a rate for the grade."""
        return {
            self.table_names[month - 1]
            for month in range(first, last + 1)
            if self.rates[grade_id][month - 1] is None
        }


def adjustment_text(adjustment: PayAdjustment) -> str:
    """German, e.g. "Sockel 200 € je Monat, dann +5,5 %, mindestens +340 € je Monat"."""
    parts = []
    if adjustment.base_amount:
        parts.append(f"Sockel {euro(adjustment.base_amount)} je Monat")
    if adjustment.percent:
        prefix = "dann +" if parts else "+"
        parts.append(f"{prefix}{format_decimal(adjustment.percent).removesuffix(',0')} %")
    if adjustment.minimum_amount:
        parts.append(f"mindestens +{euro(adjustment.minimum_amount)} je Monat")
    return ", ".join(parts) or "keine Erhöhung"


# --- result --------------------------------------------------------------------------------


@dataclass
class Figures:
    """Gross cost, reimbursement and municipal share of a row or a total in one year."""

    gross: Decimal = ZERO
    reimbursement: Decimal = ZERO

    @property
    def municipal(self) -> Decimal:
        return self.gross - self.reimbursement

    def add(self, other: Figures) -> None:
        self.gross += other.gross
        self.reimbursement += other.reimbursement


@dataclass
class ProjectionRow:
    """One Amt within one Teilhaushalt: figures per year (in the order of Projection.years)."""

    section: BudgetSection | None
    department: UnitInfo
    figures: list[Figures]


@dataclass
class SectionBlock:
    section: BudgetSection | None
    rows: list[ProjectionRow]
    subtotal: list[Figures]

    @property
    def label(self) -> str:
        return str(self.section) if self.section else "ohne Teilhaushalt"


@dataclass(frozen=True)
class TableUse:
    """A cost table and the months of the projection it prices."""

    table: CostTable
    first_month: date
    last_month: date
    has_components: bool


@dataclass(frozen=True)
class KwDate:
    """kw-Vermerke with one date inside the projection: from it on the positions do not count."""

    date: date
    positions: int
    fte: Decimal


@dataclass
class Projection:
    plan_year: int
    years: list[int]
    blocks: list[SectionBlock]
    total: list[Figures]
    tables: list[TableUse]
    adjustments: list[PayAdjustment]
    kw_dates: list[KwDate]
    reimbursement_rules: list[tuple[int, str, Decimal]]  # (year, rule name, rate)
    assumptions: list[str]
    missing: list[str] = field(default_factory=list)

    @property
    def incomplete(self) -> bool:
        return bool(self.missing)

    @property
    def rows(self) -> list[ProjectionRow]:
        return [row for block in self.blocks for row in block.rows]


# --- the computation -----------------------------------------------------------------------


def _month_firsts(years: list[int]) -> list[date]:
    return [date(year, month, 1) for year in years for month in range(1, 13)]


def _table_of_month(tables: list[CostTable], day: date) -> CostTable | None:
    """The latest table valid on `day` (tables ordered by valid_from descending)."""
    return next((table for table in tables if table.valid_from <= day), None)


@dataclass(frozen=True)
class PlannedTable:
    """A cost table not saved yet (the preview of "Neue Kostentabelle"): name, "gültig ab"
    and per grade id its full-time annual rate and personnel component (or None)."""

    name: str
    valid_from: date
    rates: dict[int, tuple[Decimal, Decimal | None]]


PLANNED_KEY = 0  # stands for the planned table's id (saved tables have ids from 1)


def _key(table: CostTable) -> int:
    return table.pk if table.pk is not None else PLANNED_KEY


def monthly_rates(
    years: list[int], grade_groups: dict[int, str], planned: PlannedTable | None = None
) -> tuple[dict[int, MonthlyRates], list[TableUse], list[PayAdjustment]]:
    """The monthly rates of every grade in each of `years`, the tables used and the
    adjustments that changed a rate; with `planned` as if that table were saved. Raises
    CostingError for a month without a cost table. A constant number of queries."""
    tables = list(CostTable.objects.order_by("-valid_from"))
    components: dict[int, dict[int, tuple[Decimal, Decimal | None]]] = {}
    for table_id, grade_id, annual, personnel in CostRate.objects.values_list(
        "table_id", "pay_grade_id", "annual_cost", "personnel_cost"
    ):
        components.setdefault(table_id, {})[grade_id] = (annual, personnel)
    if planned is not None:
        tables = sorted(
            [t for t in tables if t.valid_from != planned.valid_from]
            + [CostTable(name=planned.name, valid_from=planned.valid_from)],
            key=lambda t: t.valid_from,
            reverse=True,
        )
        components[PLANNED_KEY] = planned.rates
    adjustments = list(PayAdjustment.objects.order_by("effective_date", "id"))

    months_of: dict[int, list[date]] = {}  # table id -> months it prices
    used: set[int] = set()
    # (table, status group, number of adjustments in effect) -> {grade: rate}: a new rate
    # only where a table or a round changes.
    memo: dict[tuple[int, str, int], dict[int, Decimal]] = {}
    result: dict[int, MonthlyRates] = {}
    per_year: dict[int, dict[int, list[Decimal | None]]] = {year: {} for year in years}
    names: dict[int, list[str]] = {year: [] for year in years}
    for day in _month_firsts(years):
        table = _table_of_month(tables, day)
        if table is None:
            raise CostingError(
                f"Für {day:%m/%Y} gibt es keine gültige Kostentabelle (die erste gilt ab "
                + (f"{tables[-1].valid_from:%d.%m.%Y})." if tables else "— keine vorhanden).")
            )
        months_of.setdefault(_key(table), []).append(day)
        names[day.year].append(table.name)
        rates_of_table = components.get(_key(table), {})
        for grade_id, group in grade_groups.items():
            in_effect = [
                a
                for a in adjustments
                if a.status_group == group and table.valid_from < a.effective_date <= day
            ]
            key = (_key(table), group, len(in_effect))
            cached = memo.setdefault(key, {})
            rate: Decimal | None
            if grade_id in cached:
                rate = cached[grade_id]
            elif grade_id in rates_of_table:
                annual, personnel = rates_of_table[grade_id]
                rate = cached[grade_id] = adjusted_rate(annual, personnel, in_effect)
                used.update(a.pk for a in in_effect)
            else:
                rate = None
            per_year[day.year].setdefault(grade_id, []).append(rate)
    for year, grades in per_year.items():
        sums: dict[int, list[Decimal]] = {}
        for grade_id, rates in grades.items():
            running = [ZERO]
            for rate in rates:
                running.append(running[-1] + (rate if rate is not None else ZERO))
            sums[grade_id] = running
        result[year] = MonthlyRates(grades, sums, names[year])
    table_uses = [
        TableUse(
            table,
            min(months_of[_key(table)]),
            max(months_of[_key(table)]),
            all(p is not None for _, p in components.get(_key(table), {}).values())
            and bool(components.get(_key(table))),
        )
        for table in reversed(tables)
        if _key(table) in months_of
    ]
    applied = [a for a in adjustments if a.pk in used]
    return result, table_uses, applied


def _month_bounds(year: int) -> tuple[Case, Case, Case]:
    """First counted month, last month by the end date, last month by a dated kw (database
    expressions; plain date comparisons, as costing.engine.months_expression)."""
    firsts = [date(year, month, 1) for month in range(1, 13)]
    first = Case(
        *(When(start_date__lte=day, then=Value(month)) for month, day in enumerate(firsts, 1)),
        default=Value(13),
        output_field=IntegerField(),
    )
    last_end = Case(
        When(end_date__isnull=True, then=Value(12)),
        *(
            When(end_date__gte=day, then=Value(month))
            for month, day in reversed(list(enumerate(firsts, 1)))
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    last_kw = Case(
        When(~Q(note=Position.Note.KW) | Q(note_date__isnull=True), then=Value(12)),
        *(
            When(note_date__gt=day, then=Value(month))
            for month, day in reversed(list(enumerate(firsts, 1)))
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    return first, last_end, last_kw


def grouped_months(positions: QuerySet[Position], year: int) -> QuerySet:
    """The positions active in `year` as (org unit, grade, FTE, first month, last month by
    end, last month by kw, count) groups."""
    first, last_end, last_kw = _month_bounds(year)
    return (
        active_in_year(positions, year)
        .order_by()
        .annotate(first_month=first, last_end=last_end, last_kw=last_kw)
        .values_list("org_unit_id", "pay_grade_id", "fte", "first_month", "last_end", "last_kw")
        .annotate(count=Count("id"))
    )


def kw_dates_in(positions: QuerySet[Position], years: list[int]) -> list[KwDate]:
    rows = (
        positions.filter(
            note=Position.Note.KW,
            note_date__gte=date(years[0], 1, 1),
            note_date__lte=date(years[-1], 12, 31),
        )
        .order_by()
        .values("note_date")
        .annotate(count=Count("id"), fte=Sum("fte"))
        .order_by("note_date")
    )
    return [KwDate(row["note_date"], row["count"], row["fte"]) for row in rows]


def _assumptions(
    tables: list[TableUse], adjustments: list[PayAdjustment], years: list[int]
) -> list[str]:
    notes = [
        "Monatsweise Rechnung: ein Monat zählt, wenn die Stelle an seinem Ersten besteht "
        "(Beginn ≤ 1. ≤ Ende); eine Stelle mit kw-Vermerk und Datum zählt ab diesem Datum "
        "nicht mehr. kw ohne Datum: die Stelle zählt weiter. ku: die Stelle zählt in ihrem "
        "bisherigen Stellenwert.",
        "Kostensatz eines Monats: der der am Monatsersten gültigen Kostentabelle; nach der "
        "letzten Tabelle gilt diese fort.",
        "Besoldungs- und Tarifanpassungen gelten ab dem ersten Monat, an dessen Erstem sie "
        "wirksam sind, und nur, wenn sie nach dem Gültigkeitsbeginn der Kostentabelle wirksam "
        "wurden (frühere sind in deren Sätzen enthalten). Reihenfolge je Anpassung: "
        "Sockelbetrag, dann Prozentsatz, dann Mindestbetrag; Sockel- und Mindestbeträge sind "
        "Monatsbeträge einer Vollzeitkraft und zählen auf den Jahressatz zwölffach "
        "(Arbeitgeberanteile darauf sind nicht eingerechnet). Der angepasste Jahressatz wird "
        "nach jeder Anpassung kaufmännisch auf Cent gerundet, die Kosten einer Stelle im Jahr "
        "einmal (Anteil × Summe der Monatssätze ÷ 12).",
    ]
    for use in tables:
        if use.has_components:
            notes.append(
                f"Kostentabelle „{use.table.name}“: Anpassungen nur auf die Personalkosten; "
                "Sach- und IT-Kosten bleiben unverändert."
            )
        else:
            notes.append(
                f"Kostentabelle „{use.table.name}“ ohne (vollständige) Aufteilung in "
                "Personal-, Sach- und IT-Kosten: die Anpassungen wurden dort, wo die "
                "Personalkosten fehlen, auf den ganzen Arbeitsplatzkostensatz angewandt. Das "
                "ist eine Vereinfachung: sie steigert auch Sach- und Gemeinkosten und "
                "überschätzt die Kosten."
            )
    assumed = [a for a in adjustments if a.status == PayAdjustment.Status.ASSUMED]
    if assumed:
        notes.append(
            "Angenommene, noch nicht vereinbarte Anpassungen: "
            + "; ".join(f"{a.name} ab {a.effective_date:%d.%m.%Y}" for a in assumed)
            + "."
        )
    for group, label in PayGrade.StatusGroup.choices:
        latest = max(
            (a.effective_date for a in adjustments if a.status_group == group), default=None
        )
        if latest is None:
            notes.append(f"{label}: in {years[0]}–{years[-1]} keine Anpassung angewandt.")
        else:
            notes.append(
                f"{label}: nach der letzten angewandten Anpassung ({latest:%d.%m.%Y}) "
                "keine weitere Steigerung."
            )
    notes.append(
        "Erstattung: die am 1. Januar des Jahres gültigen Erstattungsregeln, je Zeile "
        "(Teilhaushalt × Amt) auf Cent gerundet; Summen sind Summen der Zeilen."
    )
    return notes


def project(
    plan_year: int,
    positions: QuerySet[Position] | None = None,
    planned: PlannedTable | None = None,
) -> Projection:
    """The projection N-1 … N+3 of `plan_year` (all positions, or those of `positions`;
    with `planned` as if that cost table were saved).

    A constant number of queries per year. Raises CostingError for a month without a cost
    table."""
    years = projection_years(plan_year)
    queryset = positions if positions is not None else Position.objects.all()
    tree: OrgTree = current_org_tree()
    grade_groups = dict(PayGrade.objects.values_list("pk", "status_group"))
    rates, tables, adjustments = monthly_rates(years, grade_groups, planned)
    grade_codes = dict(PayGrade.objects.values_list("pk", "code"))
    missing: set[tuple[str, str]] = set()  # (grade, table) met by a position without a rate

    facts: dict[int, tuple[int | None, int]] = {}  # unit -> (section, department)

    def facts_of(unit_id: int) -> tuple[int | None, int]:
        found = facts.get(unit_id)
        if found is None:
            found = facts[unit_id] = (tree.budget_section_of(unit_id), tree.department_of(unit_id))
        return found

    # (section, department) -> per year: gross, covered per rule
    gross: dict[tuple[int | None, int], list[Decimal]] = {}
    covered: dict[tuple[int | None, int], list[dict[int, Decimal]]] = {}
    rule_rows: list[tuple[int, str, Decimal]] = []
    rule_rates_by_year: list[dict[int, Decimal]] = []
    for index, year in enumerate(years):
        coverage = reimbursement_coverage(year, tree)
        rule_rows.extend((year, c.name, c.rate) for c in coverage)
        rule_rates_by_year.append({c.rule_id: c.rate for c in coverage})
        rule_of_unit: dict[int, int] = {}
        for cover in reversed(coverage):  # the newest rule wins where two cover a unit
            rule_of_unit.update(dict.fromkeys(cover.unit_ids, cover.rule_id))
        year_rates = rates[year]
        for unit_id, grade_id, fte, first, last_end, last_kw, count in grouped_months(
            queryset, year
        ).iterator(chunk_size=5000):
            last = min(last_end, last_kw)
            if last < first:
                continue
            key = facts_of(unit_id)
            if key not in gross:
                gross[key] = [ZERO] * len(years)
                covered[key] = [{} for _ in years]
            cost = year_rates.cost(grade_id, fte, first, last) * count
            for table_name in year_rates.missing_tables(grade_id, first, last):
                missing.add((grade_codes[grade_id], table_name))
            gross[key][index] += cost
            rule_id = rule_of_unit.get(unit_id)
            if rule_id is not None:
                cell = covered[key][index]
                cell[rule_id] = cell.get(rule_id, ZERO) + cost

    blocks_by_section: dict[int | None, list[ProjectionRow]] = {}
    for (section_id, department_id), amounts in gross.items():
        figures = [
            Figures(
                amounts[i],
                sum(
                    (
                        round_cents(rule_rates_by_year[i][rule_id] * amount)
                        for rule_id, amount in covered[(section_id, department_id)][i].items()
                    ),
                    ZERO,
                ),
            )
            for i in range(len(years))
        ]
        section = tree.budget_sections.get(section_id) if section_id else None
        blocks_by_section.setdefault(section_id, []).append(
            ProjectionRow(section, tree.units[department_id], figures)
        )
    blocks: list[SectionBlock] = []
    total = [Figures() for _ in years]
    for section_id, rows in blocks_by_section.items():
        rows.sort(key=lambda row: row.department.code)
        subtotal = [Figures() for _ in years]
        for row in rows:
            for i, year_figures in enumerate(row.figures):
                subtotal[i].add(year_figures)
                total[i].add(year_figures)
        section = tree.budget_sections.get(section_id) if section_id else None
        blocks.append(SectionBlock(section, rows, subtotal))
    blocks.sort(key=lambda block: block.section.number if block.section else "~")
    return Projection(
        plan_year=plan_year,
        years=years,
        blocks=blocks,
        total=total,
        tables=tables,
        adjustments=adjustments,
        kw_dates=kw_dates_in(queryset, years),
        reimbursement_rules=rule_rows,
        assumptions=_assumptions(tables, adjustments, years),
        missing=[
            f"Für den Stellenwert „{grade}“ enthält die Kostentabelle „{table}“ keinen "
            "Kostensatz: die Monate dieser Tabelle fehlen in den Kosten (unvollständig)."
            for grade, table in sorted(missing)
        ],
    )


_PROJECTION_CACHE: VersionedCache[int, Projection] = VersionedCache(maxsize=8)


def cached_projection(plan_year: int) -> Projection:
    """project(plan_year) for all positions, cached per process by (plan year, data version;
    pay adjustments are watched too): one query when nothing changed. Shared by every caller:
    read it, never change it."""
    return _PROJECTION_CACHE.get(plan_year, lambda: project(plan_year))


# --- a new cost table that would make the projection fall ----------------------------------


@dataclass(frozen=True)
class ProjectionDrop:
    """The gross total of `year` with a planned cost table falls below that of the year
    before: the figures, and the pay rounds the planned table treats as included (those
    that took effect after the table in force before it and up to its "gültig ab")."""

    year: int
    previous_total: Decimal  # the year before, with the planned table
    total: Decimal  # the year, with the planned table
    total_without: Decimal  # the year, without the planned table
    included: list[tuple[PayAdjustment, str]]  # with adjustment_text
    missing: list[str]  # grades the planned table has no rate for (see Projection.missing)

    @property
    def decrease(self) -> Decimal:
        return self.previous_total - self.total

    @property
    def percent(self) -> Decimal | None:
        return change_percent(self.previous_total, self.total)

    @property
    def lower_by(self) -> Decimal:
        """How much lower the year is with the planned table than without it."""
        return self.total_without - self.total


def included_adjustments(planned: PlannedTable) -> list[PayAdjustment]:
    """The pay rounds the projection applies on top of the table in force before `planned`
    but treats as contained in the rates of `planned` (effective after the earlier table's
    "gültig ab", up to the planned one's), by date."""
    earlier = (
        CostTable.objects.filter(valid_from__lt=planned.valid_from).order_by("-valid_from").first()
    )
    rounds = PayAdjustment.objects.filter(effective_date__lte=planned.valid_from)
    if earlier is not None:
        rounds = rounds.filter(effective_date__gt=earlier.valid_from)
    return list(rounds.order_by("effective_date", "status_group", "id"))


def planned_table_drop(planned: PlannedTable) -> ProjectionDrop | None:
    """Whether saving `planned` would make the gross Finanzplanung total fall: in its first
    year (and, when it starts within a year, also the year after) below the year before,
    and lower than it would be without the planned table. None when it would not, when the
    planned table has no rates (an empty table is filled afterwards) or when a year cannot
    be computed (no cost table for a month)."""
    if not planned.rates:
        return None
    first_year = planned.valid_from.year
    try:
        with_table = project(first_year, planned=planned)
        without = project(first_year)
    except CostingError:
        return None
    last_index = 1 if (planned.valid_from.month, planned.valid_from.day) == (1, 1) else 2
    for index in range(1, last_index + 1):
        before, after = with_table.total[index - 1].gross, with_table.total[index].gross
        if after < before and after < without.total[index].gross:
            return ProjectionDrop(
                year=with_table.years[index],
                previous_total=before,
                total=after,
                total_without=without.total[index].gross,
                included=[(a, adjustment_text(a)) for a in included_adjustments(planned)],
                missing=with_table.missing,
            )
    return None
