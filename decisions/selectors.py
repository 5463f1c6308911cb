"""Reads of decisions, and the parts generated from their linked positions.

Every figure comes from the costing engine (costing.engine.cost_year with the decision's
positions); this module only groups and orders what the engine returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from core.formatting import format_decimal, percent, positions_word
from costing.engine import CostingError, CostLine, Total, YearCosting, cost_year
from decisions.models import (
    AdoptedRecord,
    Annex,
    Committee,
    ConsultationStep,
    Decision,
    DecisionPosition,
    FinancialItem,
    Meeting,
    StatusChange,
)
from departments.models import BudgetSection, OrgUnit
from departments.selectors import OrgTree, UnitInfo
from stellenplan.models import Position
from stellenplan.need import NeedResult, calculations_for

ZERO = Decimal("0.00")
# The Finanzielle Auswirkungen show at most this many years (Doppelhaushalt + Finanzplanung).
MAX_YEARS = 5
DEFAULT_ANNEX_TITLE = "Aufgabenbeschreibungen"


def decisions_for_list() -> QuerySet[Decision]:
    return Decision.objects.annotate(position_count=Count("position_links", distinct=True))


#: A search for a GRDrs number: "647/2011", "GRDrs 647/2011", "GRDrs. 647/2011".
GRDRS_SEARCH = re.compile(r"(?:grdrs\.?\s*)?(\d{1,4}/\d{4})", re.IGNORECASE)


def grdrs_number_in(text: str) -> str | None:
    """The GRDrs number when `text` is nothing but one ("GRDrs 647/2011" -> "647/2011")."""
    match = GRDRS_SEARCH.fullmatch(text.strip())
    return match.group(1) if match else None


def search_decisions(text: str) -> QuerySet[Decision]:
    """The papers whose GRDrs number, Betreff, Projektzeile or Geschäftszeichen contains every
    word of `text` (ignoring case), newest first; a paper with exactly the GRDrs number asked
    for ("647/2011", "GRDrs 647/2011") comes first."""
    number = grdrs_number_in(text)
    matches = Q()
    for word in [number] if number else text.split():
        matches &= (
            Q(number__icontains=word)
            | Q(title__icontains=word)
            | Q(project__icontains=word)
            | Q(file_reference__icontains=word)
        )
    exact = (
        Case(When(number=number, then=Value(0)), default=Value(1), output_field=IntegerField())
        if number
        else Value(1, output_field=IntegerField())
    )
    return (
        decisions_for_list()
        .filter(matches)
        .annotate(exact_number=exact)
        .order_by("exact_number", "-date", "-pk")
    )


def committees_in_use() -> list[str]:
    """The names of the active Gremien, alphabetically (the choices of "Vorlage an")."""
    names = Committee.objects.filter(active=True).values_list("name", flat=True)
    return sorted(names, key=str.casefold)


def decision_for_page(pk: int) -> QuerySet[Decision]:
    """The decision with all its parts in a constant number of queries."""
    return (
        Decision.objects.filter(pk=pk)
        .select_related("amends")
        .prefetch_related(
            Prefetch(
                "consultation_steps",
                queryset=ConsultationStep.objects.select_related("committee", "meeting"),
            ),
            "amendments",
            "proposal_points",
            "reason_sections",
            "references",
            "signatories",
            "annexes",
            "submitted_by",
            Prefetch(
                "financial_items",
                queryset=FinancialItem.objects.select_related("budget_section", "charged_to"),
            ),
            Prefetch("status_changes", queryset=StatusChange.objects.select_related("acting_user")),
        )
    )


def linked_positions(decision: Decision) -> QuerySet[Position]:
    """The decision's positions as a queryset for the costing engine (unordered)."""
    return Position.objects.filter(decision_links__decision=decision)


def position_links(decision: Decision) -> QuerySet[DecisionPosition]:
    """The links in Anlage order, with what a table row needs."""
    return (
        DecisionPosition.objects.filter(decision=decision)
        .select_related("position__org_unit", "position__pay_grade")
        .order_by("order", "id")
    )


def first_costed_year(position: Position) -> int:
    """The first year the engine costs the position: a month counts from its first day."""
    start = position.start_date
    return start.year if start <= date(start.year, 12, 1) else start.year + 1


def decision_years(
    decision: Decision, positions: list[Position], items: list[FinancialItem]
) -> list[int]:
    """The years of the Finanzielle Auswirkungen.

    From the decision's year (or the first year a position or item starts, if later) to the
    last year in which a position or item starts; at most MAX_YEARS years.
    """
    starts = [first_costed_year(p) for p in positions] + [item.start_year for item in items]
    if not starts:
        return []
    first = max(decision.date.year, min(starts))
    last = max(first, max(starts))
    return list(range(first, min(last, first + MAX_YEARS - 1) + 1))


@dataclass
class FinanceRow:
    """One Teilhaushalt in one year: positions' costs, other items, reimbursement."""

    label: str
    section: BudgetSection | None
    fte: Decimal = ZERO
    positions: int = 0
    personnel_cost: Decimal = ZERO
    reimbursement: Decimal = ZERO
    items: list[FinancialItem] = field(default_factory=list)

    @property
    def other_cost(self) -> Decimal:
        return sum((item.annual_amount for item in self.items), ZERO)

    @property
    def total_cost(self) -> Decimal:
        return self.personnel_cost + self.other_cost

    @property
    def municipal_share(self) -> Decimal:
        return self.total_cost - self.reimbursement


@dataclass
class FinanceYear:
    year: int
    label: str
    costing: YearCosting
    rows: list[FinanceRow]
    total: FinanceRow
    new_fte: Decimal
    rules: list[tuple[str, str]]  # (name, "84,8 %") of the reimbursement rules applied


@dataclass
class AnnexLine:
    order: int
    position: Position
    line: CostLine
    heading: str


@dataclass
class AnnexDepartment:
    number: int
    unit: UnitInfo
    heading: str
    lines: list[AnnexLine]
    total: Total

    @property
    def has_total_row(self) -> bool:
        return len(self.lines) > 1


@dataclass
class DecisionFinance:
    years: list[FinanceYear]
    annex: list[AnnexDepartment]
    annex_total: Total
    tree: OrgTree | None

    def year(self, year: int) -> FinanceYear | None:
        return next((y for y in self.years if y.year == year), None)


def _section_label(section: BudgetSection | None) -> str:
    return f"THH {section.number} – {section.name}" if section else "ohne Teilhaushalt"


def _finance_year(
    year: int,
    costing: YearCosting,
    items: list[FinancialItem],
    positions: list[Position],
    is_last: bool,
) -> FinanceYear:
    rows: dict[int | None, FinanceRow] = {}
    for section, group in costing.by_budget_section:
        key = section.pk if section else None
        rows[key] = FinanceRow(
            label=_section_label(section),
            section=section,
            fte=group.fte,
            positions=group.positions,
            personnel_cost=group.cost_in_year,
            reimbursement=group.reimbursement,
        )
    year_items = [item for item in items if item.applies_to(year)]
    for item in year_items:
        row = rows.get(item.budget_section_id)
        if row is None:
            row = rows[item.budget_section_id] = FinanceRow(
                label=_section_label(item.budget_section), section=item.budget_section
            )
        row.items.append(item)
    ordered = sorted(rows.values(), key=lambda r: r.section.number if r.section else "~")
    total = FinanceRow(
        label="Summe",
        section=None,
        fte=costing.total.fte,
        positions=costing.total.positions,
        personnel_cost=costing.total.cost_in_year,
        reimbursement=costing.total.reimbursement,
        items=year_items,
    )
    costed = {line.position_id for line in costing.lines}
    new_fte = sum(
        (p.fte for p in positions if p.pk in costed and first_costed_year(p) == year), ZERO
    )
    used_rules = {line.rule_id for line in costing.lines if line.rule_id is not None}
    rules = [(c.name, percent(c.rate, " ")) for c in costing.coverage if c.rule_id in used_rules]
    open_ended = any(
        p.end_date is None or p.end_date.year > year for p in positions if p.pk in costed
    ) or any(item.end_year is None or item.end_year > year for item in year_items)
    label = f"ab {year}" if is_last and open_ended else str(year)
    return FinanceYear(year, label, costing, ordered, total, new_fte, rules)


def annex_heading(position: Position) -> str:
    """ "20-4: 1,0 Stelle in A 10 für die Sachbearbeitung und stellvertretende Teamleitung"."""
    return (
        f"{position.org_unit.code}: {format_decimal(position.fte)} {positions_word(position.fte)} "
        f"in {position.pay_grade.code} für {position.task_heading or position.title}"
    )


def department_heading(unit: UnitInfo) -> str:
    """ "Haupt- und Personalamt" for an Amt, "Referat WFB" for a Referat."""
    if unit.kind == OrgUnit.Kind.REFERAT:
        return f"Referat {unit.code}"
    return unit.name


def _annex(
    links: list[DecisionPosition], costings: list[YearCosting], tree: OrgTree | None
) -> tuple[list[AnnexDepartment], Total]:
    """Per department (in the order of its first position) the lines with their annual cost.

    A position's annual cost is its line in the latest year of the decision in which it is
    active; a position active in none of those years is costed in its own first year.
    """
    line_of: dict[int, CostLine] = {}
    for costing in costings:  # oldest first: later years overwrite
        for costed in costing.lines:
            line_of[costed.position_id] = costed
    missing: dict[int, list[int]] = {}
    for link in links:
        if link.position_id not in line_of:
            missing.setdefault(first_costed_year(link.position), []).append(link.position_id)
    for year, ids in missing.items():
        extra = cost_year(year, Position.objects.filter(pk__in=ids))
        tree = tree or extra.tree
        for costed in extra.lines:
            line_of[costed.position_id] = costed
    if tree is None:
        return [], Total()

    departments: dict[int, AnnexDepartment] = {}
    overall = Total()
    for link in links:
        line = line_of.get(link.position_id)
        if line is None:  # never active (ends before it starts to count): nothing to print
            continue
        department = departments.get(line.department_id)
        if department is None:
            unit = tree.units[line.department_id]
            department = departments[line.department_id] = AnnexDepartment(
                number=len(departments) + 1,
                unit=unit,
                heading=department_heading(unit),
                lines=[],
                total=Total(),
            )
        department.lines.append(
            AnnexLine(link.order, link.position, line, annex_heading(link.position))
        )
        department.total.add(line)
        overall.add(line)
    return list(departments.values()), overall


def decision_finance(
    decision: Decision, links: list[DecisionPosition] | None = None
) -> DecisionFinance:
    """Finanzielle Auswirkungen per year and Teilhaushalt, and the Anlage per department.

    Raises CostingError (German message) when the engine cannot cost a position.
    """
    if links is None:
        links = list(position_links(decision))
    positions = [link.position for link in links]
    items = list(
        FinancialItem.objects.filter(decision=decision).select_related(
            "budget_section", "charged_to"
        )
    )
    years = decision_years(decision, positions, items)
    queryset = linked_positions(decision)
    costings = [cost_year(year, positions=queryset) for year in years]
    finance_years = [
        _finance_year(year, costing, items, positions, is_last=index == len(years) - 1)
        for index, (year, costing) in enumerate(zip(years, costings, strict=True))
    ]
    tree = costings[0].tree if costings else None
    annex, annex_total = _annex(links, costings, tree)
    return DecisionFinance(finance_years, annex, annex_total, tree)


@dataclass
class DecisionDocument:
    """Everything the detail page and the PDF show."""

    decision: Decision
    links: list[DecisionPosition]
    finance: DecisionFinance | None
    costing_error: str = ""

    @property
    def annexes(self) -> list[Annex]:
        """The decision's Anlagen; without any, positions get "Anlage 1: Aufgabenbeschreibungen"."""
        annexes = list(self.decision.annexes.all())
        if not annexes and self.links:
            annexes = [Annex(number=1, title=DEFAULT_ANNEX_TITLE, generated=True)]
        return annexes

    @property
    def generated_annexes(self) -> list[Annex]:
        return [a for a in self.annexes if a.generated]

    @property
    def financial_items(self) -> list[FinancialItem]:
        return list(self.decision.financial_items.all())

    @cached_property
    def needs(self) -> list[NeedResult]:
        """The Personalbedarfsberechnungen of the linked positions, in Anlage order."""
        return calculations_for([link.position for link in self.links])


def decision_document(decision: Decision) -> DecisionDocument:
    links = list(position_links(decision))
    try:
        finance = decision_finance(decision, links)
        error = ""
    except CostingError as exc:
        finance, error = None, str(exc)
    return DecisionDocument(decision, links, finance, error)


def current_record(decision: Decision) -> AdoptedRecord | None:
    """The newest adopted record of an adopted decision (None if it is not beschlossen).

    The PDF bytes are read only when used (``record.pdf``)."""
    if decision.status != Decision.Status.ADOPTED:
        return None
    return (
        AdoptedRecord.objects.filter(decision=decision)
        .select_related("acting_user")
        .defer("pdf")
        .order_by("-sequence")
        .first()
    )


def adopted_records(decision: Decision) -> QuerySet[AdoptedRecord]:
    """Every record of the decision, newest first, without the PDF bytes."""
    return (
        AdoptedRecord.objects.filter(decision=decision)
        .select_related("acting_user")
        .defer("pdf", "document", "positions", "sources")
        .order_by("-sequence")
    )


@dataclass
class PositionDecision:
    """A decision that refers to a position, for the position's page."""

    decision: Decision
    adopted_on: date | None

    @property
    def label(self) -> str:
        if self.decision.status == Decision.Status.ADOPTED:
            return f"geschaffen durch {self.decision.grdrs_label}"
        return f"{self.decision.grdrs_label} ({self.decision.get_status_display()})"


def decisions_for_position(position_id: int) -> list[PositionDecision]:
    """The decisions linking the position, newest first; adopted ones with their date."""
    decisions = list(
        Decision.objects.filter(position_links__position_id=position_id)
        .distinct()
        .order_by("-date", "-id")
    )
    adopted: dict[int, date] = {}  # the newest record's date
    records = AdoptedRecord.objects.filter(decision__in=decisions).order_by("-sequence")
    for decision_id, adopted_on in records.values_list("decision_id", "adopted_on"):
        adopted.setdefault(decision_id, adopted_on)
    return [
        PositionDecision(
            decision,
            adopted.get(decision.pk) if decision.status == Decision.Status.ADOPTED else None,
        )
        for decision in decisions
    ]


def decision_version(pk: int) -> int | None:
    """The saved version of the decision (None if it was deleted)."""
    return Decision.objects.filter(pk=pk).values_list("version", flat=True).first()


# --- the Sitzungsdienst's worklist (issue 22) ------------------------------------------------


def committees_for_list() -> QuerySet[Committee]:
    """Every committee with the number of its meetings and of the steps sent to it."""
    return Committee.objects.annotate(
        meeting_count=Count("meetings", distinct=True),
        step_count=Count("consultation_steps", distinct=True),
    ).order_by("-active", "name")


def meetings_for_list() -> QuerySet[Meeting]:
    """Meetings, the coming ones first (soonest first), then the past ones (latest first),
    with their committee and the number of agenda items and of items still without result."""
    now = timezone.now()
    coming = Q(start__gte=now) | Q(end__gte=now)
    return (
        Meeting.objects.select_related("committee")
        .annotate(
            past=Case(When(coming, then=Value(0)), default=Value(1)),
            coming_start=Case(When(coming, then=F("start")), default=None),
            item_count=Count("agenda_items", distinct=True),
            open_count=Count("agenda_items", filter=Q(agenda_items__result=""), distinct=True),
        )
        .order_by("past", F("coming_start").asc(nulls_last=True), "-start", "pk")
    )


def meeting_agenda(meeting: Meeting) -> list[ConsultationStep]:
    """The agenda of `meeting`: its items by TOP (numerically, "5" before "5.1" before "10"),
    items without a TOP last, each with its paper."""
    items = list(
        ConsultationStep.objects.filter(meeting=meeting).select_related(
            "decision", "committee", "postponed_to"
        )
    )

    def top(item: ConsultationStep) -> tuple:
        parts = [int(p) for p in item.agenda_number.split(".") if p.isdigit()]
        return (not parts, parts, item.decision.number, item.pk)

    return sorted(items, key=top)


def schedulable_meetings(step: ConsultationStep) -> QuerySet[Meeting]:
    """The meetings of the step's committee a step can go on: not cancelled, soonest first."""
    return (
        Meeting.objects.filter(committee_id=step.committee_id, cancelled=False)
        .select_related("committee")
        .order_by("start")
    )
