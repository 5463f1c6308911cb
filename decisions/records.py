"""The adopted record of a decision: what was decided, as typed data, and read back for display.

``record_data`` turns a DecisionDocument (figures from the costing engine) into the dataclasses
below, in the shape the templates read (``doc.finance.years[…].total.fte`` …);
``record_columns`` writes them with ``DECISION_RECORD`` (``core.records``: JSON, format version)
into the record's columns, and ``frozen_document`` reads a stored record back, so an adopted
decision's page shows exactly what was stored, whatever happened to its positions, rates and
rules afterwards. A field added later needs a default (README: "Eingefrorene Dokumente").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from core.records import RecordFormat
from costing.engine import Total
from costing.models import CostRate, CostTable, ReimbursementRule
from decisions.models import AdoptedRecord, Decision, DecisionPosition, FinancialItem
from decisions.selectors import DecisionDocument, FinanceRow
from stellenplan.need import NeedResult

ZERO = Decimal("0")


# --- the text ------------------------------------------------------------------------------------


@dataclass
class ReferenceAsAdopted:
    number: str
    note: str = ""


@dataclass
class ConsultationStepAsAdopted:
    committee: str
    purpose: str
    session_kind: str = ""
    meeting_date: date | None = None


@dataclass
class ProposalPointAsAdopted:
    order: int
    text: str


@dataclass
class ReasonSectionAsAdopted:
    number: str
    heading: str
    text: str = ""
    level: int = 1


@dataclass
class SignatoryAsAdopted:
    name: str
    office: str = ""


@dataclass
class Content:
    """The text of the decision as the detail page shows it."""

    number: str
    grdrs_label: str
    kind: str
    kind_label: str
    place: str
    date: date
    title: str
    file_reference: str = ""
    project: str = ""
    involved_units: str = ""
    submitted_by: list[str] = field(default_factory=list)
    references: list[ReferenceAsAdopted] = field(default_factory=list)
    consultation_steps: list[ConsultationStepAsAdopted] = field(default_factory=list)
    proposal_points: list[ProposalPointAsAdopted] = field(default_factory=list)
    reason_sections: list[ReasonSectionAsAdopted] = field(default_factory=list)
    signatories: list[SignatoryAsAdopted] = field(default_factory=list)


# --- the figures ---------------------------------------------------------------------------------


@dataclass
class FinanceRowAsAdopted:
    label: str
    fte: Decimal = ZERO
    positions: int = 0
    personnel_cost: Decimal = ZERO
    reimbursement: Decimal = ZERO
    other_cost: Decimal = ZERO
    total_cost: Decimal = ZERO
    municipal_share: Decimal = ZERO


@dataclass
class TotalAsAdopted:
    fte: Decimal = ZERO
    positions: int = 0
    annual_cost: Decimal = ZERO
    cost_in_year: Decimal = ZERO


@dataclass
class CostTableRef:
    id: int
    name: str


@dataclass
class CostingAsAdopted:
    table: CostTableRef


@dataclass
class FinanceYearAsAdopted:
    year: int
    label: str
    rows: list[FinanceRowAsAdopted]
    total: FinanceRowAsAdopted
    new_fte: Decimal
    costing: CostingAsAdopted
    #: (name, "84,8 %") of the reimbursement rules applied
    rules: list[list[str]] = field(default_factory=list)


@dataclass
class CostLineAsAdopted:
    org_unit_code: str
    pay_grade_code: str
    fte: Decimal
    rate: Decimal
    annual_cost: Decimal
    months: int
    cost_in_year: Decimal


@dataclass
class AnnexPositionAsAdopted:
    id: int
    title: str
    note: str = ""
    note_date: date | None = None
    tasks: str = ""


@dataclass
class AnnexLineAsAdopted:
    order: int
    heading: str
    line: CostLineAsAdopted
    position: AnnexPositionAsAdopted


@dataclass
class AnnexDepartmentAsAdopted:
    number: int
    heading: str
    has_total_row: bool
    total: TotalAsAdopted
    lines: list[AnnexLineAsAdopted] = field(default_factory=list)


@dataclass
class FinanceAsAdopted:
    years: list[FinanceYearAsAdopted]
    annex: list[AnnexDepartmentAsAdopted]
    annex_total: TotalAsAdopted


@dataclass
class SectionRef:
    number: str
    name: str


@dataclass
class FinancialItemAsAdopted:
    description: str
    annual_amount: Decimal
    start_year: int
    end_year: int | None = None
    budget_section: SectionRef | None = None
    account_area: str = ""
    account_group: str = ""
    charged_to: SectionRef | None = None
    cost_type: str = ""


@dataclass
class NeedLineAsAdopted:
    order: int
    task: str
    method: str
    method_label: str
    inputs: str
    fte_low: Decimal
    fte_high: Decimal
    is_range: bool = False
    source: str = ""
    remarks: str = ""


@dataclass
class NeedAsAdopted:
    """A Personalbedarfsberechnung as printed (inputs as text, results as Decimals)."""

    title: str
    requested_fte: Decimal
    positions: list[str] = field(default_factory=list)
    fte_low: Decimal | None = None
    fte_high: Decimal | None = None
    is_range: bool = False
    derived: bool = False
    working_time: str = ""
    verteilzeit: str = ""
    source: str = ""
    remarks: str = ""
    error: str = ""
    lines: list[NeedLineAsAdopted] = field(default_factory=list)


@dataclass
class AnnexAsAdopted:
    number: int
    title: str
    generated: bool = False
    intro: str = ""


# --- positions and sources (their own columns) ---------------------------------------------------


@dataclass
class PositionAsAdopted:
    """A linked position as it was, in Anlage order."""

    order: int
    id: int
    version: int
    org_unit_code: str
    org_unit_name: str
    pay_grade_code: str
    fte: Decimal
    title: str
    start_date: date
    task_heading: str = ""
    note: str = ""
    note_date: date | None = None
    end_date: date | None = None
    fixed_term: bool = False
    tasks: str = ""
    justification: str = ""


@dataclass
class CostTableSource:
    id: int
    name: str
    valid_from: date
    version: int
    history_id: int | None = None


@dataclass
class CostRateSource:
    id: int
    table_id: int
    pay_grade_code: str
    annual_cost: Decimal
    version: int
    history_id: int | None = None


@dataclass
class ReimbursementRuleSource:
    id: int
    name: str
    rate: Decimal
    valid_from: date
    valid_to: date | None = None
    org_unit_codes: list[str] = field(default_factory=list)
    version: int = 1
    history_id: int | None = None


@dataclass
class Sources:
    """Which cost tables, rates and reimbursement rules the figures come from, with the version
    and the last history entry of each (None: loaded without history, unchanged since)."""

    cost_tables: list[CostTableSource] = field(default_factory=list)
    cost_rates: list[CostRateSource] = field(default_factory=list)
    reimbursement_rules: list[ReimbursementRuleSource] = field(default_factory=list)


@dataclass
class DecisionRecordData:
    """Everything an adoption freezes besides the PDF. Stored in three columns: ``positions``
    and ``sources`` in their own, the rest (with the format version) in ``document``."""

    #: None only in records stored before the text was part of them
    content: Content | None = None
    costing_error: str = ""
    finance: FinanceAsAdopted | None = None
    financial_items: list[FinancialItemAsAdopted] = field(default_factory=list)
    #: the Personalbedarfsberechnungen as adopted (records stored before them hold none)
    needs: list[NeedAsAdopted] = field(default_factory=list)
    annexes: list[AnnexAsAdopted] = field(default_factory=list)
    positions: list[PositionAsAdopted] = field(default_factory=list)
    sources: Sources = field(default_factory=Sources)


#: How AdoptedRecord.document, .positions and .sources are written and read.
DECISION_RECORD: RecordFormat[DecisionRecordData] = RecordFormat(
    DecisionRecordData, version=1, label="Die festgehaltene Beschlussfassung"
)
#: The parts of DecisionRecordData stored in their own columns.
OWN_COLUMNS = ("positions", "sources")


# --- writing -------------------------------------------------------------------------------------


def _row(row: FinanceRow) -> FinanceRowAsAdopted:
    return FinanceRowAsAdopted(
        label=row.label,
        fte=row.fte,
        positions=row.positions,
        personnel_cost=row.personnel_cost,
        reimbursement=row.reimbursement,
        other_cost=row.other_cost,
        total_cost=row.total_cost,
        municipal_share=row.municipal_share,
    )


def _total(total: Total) -> TotalAsAdopted:
    return TotalAsAdopted(
        fte=total.fte,
        positions=total.positions,
        annual_cost=total.annual_cost,
        cost_in_year=total.cost_in_year,
    )


def _section(value: Any) -> SectionRef | None:
    return SectionRef(number=value.number, name=value.name) if value else None


def _item(item: FinancialItem) -> FinancialItemAsAdopted:
    return FinancialItemAsAdopted(
        description=item.description,
        annual_amount=item.annual_amount,
        start_year=item.start_year,
        end_year=item.end_year,
        budget_section=_section(item.budget_section),
        account_area=item.account_area,
        account_group=item.account_group,
        charged_to=_section(item.charged_to),
        cost_type=item.cost_type,
    )


def decision_content(decision: Decision) -> Content:
    """The text of the decision as the detail page shows it (parts prefetched by
    decision_for_page read without further queries), in the shape a record stores."""
    return Content(
        number=decision.number,
        grdrs_label=decision.grdrs_label,
        kind=decision.kind,
        kind_label=str(decision.document_label),
        place=decision.place,
        date=decision.date,
        file_reference=decision.file_reference,
        project=decision.project,
        title=decision.title,
        involved_units=decision.involved_units,
        submitted_by=[unit.name for unit in decision.submitted_by.all()],
        references=[
            ReferenceAsAdopted(number=ref.number, note=ref.note)
            for ref in decision.references.all()
        ],
        consultation_steps=[
            ConsultationStepAsAdopted(
                committee=step.committee.name,
                purpose=str(step.get_purpose_display()),
                session_kind=step.session_kind,
                meeting_date=step.meeting_date,
            )
            for step in decision.consultation_steps.all()
        ],
        proposal_points=[
            ProposalPointAsAdopted(order=point.order, text=point.text)
            for point in decision.proposal_points.all()
        ],
        reason_sections=[
            ReasonSectionAsAdopted(
                number=section.number,
                heading=section.heading,
                text=section.text,
                level=section.level,
            )
            for section in decision.reason_sections.all()
        ],
        signatories=[
            SignatoryAsAdopted(name=person.name, office=person.office)
            for person in decision.signatories.all()
        ],
    )


def need_data(result: NeedResult) -> NeedAsAdopted:
    """A Personalbedarfsberechnung as printed (inputs as text, results as Decimals)."""
    return NeedAsAdopted(
        title=result.title,
        positions=list(result.positions),
        requested_fte=result.requested_fte,
        fte_low=result.fte_low,
        fte_high=result.fte_high,
        is_range=result.is_range,
        derived=result.derived,
        working_time=result.working_time,
        verteilzeit=result.verteilzeit,
        source=result.source,
        remarks=result.remarks,
        error=result.error,
        lines=[
            NeedLineAsAdopted(
                order=line.order,
                task=line.task,
                method=line.method,
                method_label=line.method_label,
                inputs=line.inputs,
                fte_low=line.fte_low,
                fte_high=line.fte_high,
                is_range=line.is_range,
                source=line.source,
                remarks=line.remarks,
            )
            for line in result.lines
        ],
    )


def finance_data(doc: DecisionDocument) -> FinanceAsAdopted | None:
    """The Finanzielle Auswirkungen and the generated Anlage."""
    if doc.finance is None:
        return None
    return FinanceAsAdopted(
        years=[
            FinanceYearAsAdopted(
                year=fy.year,
                label=fy.label,
                rows=[_row(row) for row in fy.rows],
                total=_row(fy.total),
                new_fte=fy.new_fte,
                rules=[list(rule) for rule in fy.rules],
                costing=CostingAsAdopted(
                    table=CostTableRef(id=fy.costing.table.pk, name=fy.costing.table.name)
                ),
            )
            for fy in doc.finance.years
        ],
        annex=[
            AnnexDepartmentAsAdopted(
                number=dep.number,
                heading=dep.heading,
                has_total_row=dep.has_total_row,
                total=_total(dep.total),
                lines=[
                    AnnexLineAsAdopted(
                        order=item.order,
                        heading=item.heading,
                        line=CostLineAsAdopted(
                            org_unit_code=item.line.org_unit_code,
                            pay_grade_code=item.line.pay_grade_code,
                            fte=item.line.fte,
                            rate=item.line.rate,
                            annual_cost=item.line.annual_cost,
                            months=item.line.months,
                            cost_in_year=item.line.cost_in_year,
                        ),
                        position=AnnexPositionAsAdopted(
                            id=item.position.pk,
                            title=item.position.title,
                            note=item.position.note,
                            note_date=item.position.note_date,
                            tasks=item.position.tasks,
                        ),
                    )
                    for item in dep.lines
                ],
            )
            for dep in doc.finance.annex
        ],
        annex_total=_total(doc.finance.annex_total),
    )


def positions_data(links: list[DecisionPosition]) -> list[PositionAsAdopted]:
    """The linked positions as they were, in Anlage order."""
    return [
        PositionAsAdopted(
            order=link.order,
            id=link.position.pk,
            version=link.position.version,
            org_unit_code=link.position.org_unit.code,
            org_unit_name=link.position.org_unit.name,
            pay_grade_code=link.position.pay_grade.code,
            fte=link.position.fte,
            title=link.position.title,
            task_heading=link.position.task_heading,
            note=link.position.note,
            note_date=link.position.note_date,
            start_date=link.position.start_date,
            end_date=link.position.end_date,
            fixed_term=link.position.fixed_term,
            tasks=link.position.tasks,
            justification=link.position.justification,
        )
        for link in links
    ]


def _last_history_id(obj: Any) -> int | None:
    record = obj.history.order_by("-history_date", "-history_id").first()
    return record.history_id if record is not None else None


def sources_data(doc: DecisionDocument) -> Sources:
    """Which cost tables, rates and reimbursement rules the figures come from, with the version
    and the last history entry of each (None: loaded without history, unchanged since)."""
    if doc.finance is None:
        return Sources()
    table_ids: list[int] = []
    grades: dict[int, set[str]] = {}
    rule_ids: set[int] = set()
    for fy in doc.finance.years:
        table_ids.append(fy.costing.table.pk)
        grades.setdefault(fy.costing.table.pk, set()).update(
            line.pay_grade_code for line in fy.costing.lines
        )
        rule_ids.update(line.rule_id for line in fy.costing.lines if line.rule_id is not None)
    for dep in doc.finance.annex:
        for item in dep.lines:
            if item.line.rule_id is not None:
                rule_ids.add(item.line.rule_id)
    tables = CostTable.objects.filter(pk__in=table_ids).order_by("valid_from")
    rates = CostRate.objects.filter(table_id__in=table_ids).select_related("pay_grade", "table")
    rules = ReimbursementRule.objects.filter(pk__in=rule_ids).prefetch_related("org_units")
    return Sources(
        cost_tables=[
            CostTableSource(
                id=table.pk,
                name=table.name,
                valid_from=table.valid_from,
                version=table.version,
                history_id=_last_history_id(table),
            )
            for table in tables
        ],
        cost_rates=[
            CostRateSource(
                id=rate.pk,
                table_id=rate.table_id,
                pay_grade_code=rate.pay_grade.code,
                annual_cost=rate.annual_cost,
                version=rate.version,
                history_id=_last_history_id(rate),
            )
            for rate in rates
            if rate.pay_grade.code in grades.get(rate.table_id, set())
        ],
        reimbursement_rules=[
            ReimbursementRuleSource(
                id=rule.pk,
                name=rule.name,
                rate=rule.rate,
                valid_from=rule.valid_from,
                valid_to=rule.valid_to,
                org_unit_codes=sorted(unit.code for unit in rule.org_units.all()),
                version=rule.version,
                history_id=_last_history_id(rule),
            )
            for rule in rules.order_by("pk")
        ],
    )


def record_data(doc: DecisionDocument) -> DecisionRecordData:
    """What an adoption of `doc` freezes (the figures as computed now)."""
    return DecisionRecordData(
        content=decision_content(doc.decision),
        costing_error=doc.costing_error,
        finance=finance_data(doc),
        financial_items=[_item(item) for item in doc.financial_items],
        needs=[need_data(result) for result in doc.needs],
        annexes=[
            AnnexAsAdopted(
                number=annex.number,
                title=annex.title,
                generated=annex.generated,
                intro=annex.intro,
            )
            for annex in doc.annexes
        ],
        positions=positions_data(doc.links),
        sources=sources_data(doc),
    )


def record_columns(data: DecisionRecordData) -> dict[str, Any]:
    """The values of AdoptedRecord's JSON columns: ``document`` (with the format version),
    ``positions`` and ``sources``."""
    document = DECISION_RECORD.write(data)
    return {"document": document, **{name: document.pop(name) for name in OWN_COLUMNS}}


def read_record(record: AdoptedRecord) -> DecisionRecordData:
    """A stored record as written by any release (RecordFormatError in German if it cannot)."""
    return DECISION_RECORD.read(
        {**(record.document or {}), "positions": record.positions, "sources": record.sources}
    )


# --- reading -------------------------------------------------------------------------------------


@dataclass
class FrozenDocument:
    """An adopted record read back: what the detail page shows instead of a recomputation."""

    decision: Decision
    record: AdoptedRecord
    content: Content
    finance: FinanceAsAdopted | None
    costing_error: str
    financial_items: list[FinancialItemAsAdopted]
    annexes: list[AnnexAsAdopted]
    links: list[Any] = field(default_factory=list)
    needs: list[NeedAsAdopted] = field(default_factory=list)
    positions: list[PositionAsAdopted] = field(default_factory=list)

    @property
    def generated_annexes(self) -> list[AnnexAsAdopted]:
        return [annex for annex in self.annexes if annex.generated]


def frozen_document(decision: Decision, record: AdoptedRecord) -> FrozenDocument:
    data = read_record(record)
    return FrozenDocument(
        decision=decision,
        record=record,
        # records stored before the text was part of them show today's (unchangeable) text
        content=data.content if data.content is not None else decision_content(decision),
        finance=data.finance,
        costing_error=data.costing_error,
        financial_items=data.financial_items,
        annexes=data.annexes,
        needs=data.needs,
        positions=data.positions,
    )
