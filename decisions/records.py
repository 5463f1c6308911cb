"""The adopted record of a decision: what was decided, as data, and read back for display.

``record_data`` turns a DecisionDocument (figures from the costing engine) into JSON-safe data
(Decimals as strings, dates as ISO strings) in the shape the templates read
(``doc.finance.years[…].total.fte`` …); ``frozen_document`` reads a stored record back into
objects of that shape, so an adopted decision's page shows exactly what was stored, whatever
happened to its positions, rates and rules afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from costing.engine import Total
from costing.models import CostRate, CostTable, ReimbursementRule
from decisions.models import AdoptedRecord, Decision, DecisionPosition, FinancialItem
from decisions.selectors import DecisionDocument, FinanceRow
from stellenplan.need import NeedResult

#: Keys whose stored strings are Decimals again when read back.
DECIMAL_KEYS = frozenset(
    {
        "fte",
        "personnel_cost",
        "reimbursement",
        "other_cost",
        "total_cost",
        "municipal_share",
        "new_fte",
        "annual_cost",
        "cost_in_year",
        "rate",
        "annual_amount",
        "requested_fte",
        "fte_low",
        "fte_high",
    }
)
#: Keys whose stored strings are dates again when read back.
DATE_KEYS = frozenset(
    {"note_date", "start_date", "end_date", "valid_from", "valid_to", "date", "meeting_date"}
)


def json_safe(data: Any) -> Any:
    """Decimals as strings and dates as ISO strings, as the JSON field stores them."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _row(row: FinanceRow) -> dict[str, Any]:
    return {
        "label": row.label,
        "fte": row.fte,
        "positions": row.positions,
        "personnel_cost": row.personnel_cost,
        "reimbursement": row.reimbursement,
        "other_cost": row.other_cost,
        "total_cost": row.total_cost,
        "municipal_share": row.municipal_share,
    }


def _total(total: Total) -> dict[str, Any]:
    return {
        "fte": total.fte,
        "positions": total.positions,
        "annual_cost": total.annual_cost,
        "cost_in_year": total.cost_in_year,
    }


def _item(item: FinancialItem) -> dict[str, Any]:
    def section(value):
        return {"number": value.number, "name": value.name} if value else None

    return {
        "description": item.description,
        "annual_amount": item.annual_amount,
        "start_year": item.start_year,
        "end_year": item.end_year,
        "budget_section": section(item.budget_section),
        "account_area": item.account_area,
        "account_group": item.account_group,
        "charged_to": section(item.charged_to),
        "cost_type": item.cost_type,
    }


def content_data(decision: Decision) -> dict[str, Any]:
    """The text of the decision as the detail page shows it (parts prefetched by
    decision_for_page read without further queries)."""
    return {
        "number": decision.number,
        "grdrs_label": decision.grdrs_label,
        "kind": decision.kind,
        "kind_label": decision.document_label,
        "place": decision.place,
        "date": decision.date,
        "file_reference": decision.file_reference,
        "project": decision.project,
        "title": decision.title,
        "involved_units": decision.involved_units,
        "submitted_by": [unit.name for unit in decision.submitted_by.all()],
        "references": [
            {"number": ref.number, "note": ref.note} for ref in decision.references.all()
        ],
        "consultation_steps": [
            {
                "committee": step.committee,
                "purpose": step.get_purpose_display(),
                "session_kind": step.session_kind,
                "meeting_date": step.meeting_date,
            }
            for step in decision.consultation_steps.all()
        ],
        "proposal_points": [
            {"order": point.order, "text": point.text} for point in decision.proposal_points.all()
        ],
        "reason_sections": [
            {
                "number": section.number,
                "heading": section.heading,
                "text": section.text,
                "level": section.level,
            }
            for section in decision.reason_sections.all()
        ],
        "signatories": [
            {"name": person.name, "office": person.office} for person in decision.signatories.all()
        ],
    }


def decision_content(decision: Decision) -> Any:
    """The text of a decision in the shape a stored record reads back to (for the page)."""
    return _read("content", json_safe(content_data(decision)))


def need_data(result: NeedResult) -> dict[str, Any]:
    """A Personalbedarfsberechnung as printed (inputs as text, results as Decimals)."""
    return {
        "title": result.title,
        "positions": list(result.positions),
        "requested_fte": result.requested_fte,
        "fte_low": result.fte_low,
        "fte_high": result.fte_high,
        "is_range": result.is_range,
        "derived": result.derived,
        "working_time": result.working_time,
        "verteilzeit": result.verteilzeit,
        "source": result.source,
        "remarks": result.remarks,
        "error": result.error,
        "lines": [
            {
                "order": line.order,
                "task": line.task,
                "method": line.method,
                "method_label": line.method_label,
                "inputs": line.inputs,
                "fte_low": line.fte_low,
                "fte_high": line.fte_high,
                "is_range": line.is_range,
                "source": line.source,
                "remarks": line.remarks,
            }
            for line in result.lines
        ],
    }


def document_data(doc: DecisionDocument) -> dict[str, Any]:
    """The Finanzielle Auswirkungen, the generated Anlage, the other items and the Anlagen."""
    finance = None
    if doc.finance is not None:
        finance = {
            "years": [
                {
                    "year": fy.year,
                    "label": fy.label,
                    "rows": [_row(row) for row in fy.rows],
                    "total": _row(fy.total),
                    "new_fte": fy.new_fte,
                    "rules": [list(rule) for rule in fy.rules],
                    "costing": {
                        "table": {"id": fy.costing.table.pk, "name": fy.costing.table.name}
                    },
                }
                for fy in doc.finance.years
            ],
            "annex": [
                {
                    "number": dep.number,
                    "heading": dep.heading,
                    "has_total_row": dep.has_total_row,
                    "total": _total(dep.total),
                    "lines": [
                        {
                            "order": item.order,
                            "heading": item.heading,
                            "line": {
                                "org_unit_code": item.line.org_unit_code,
                                "pay_grade_code": item.line.pay_grade_code,
                                "fte": item.line.fte,
                                "rate": item.line.rate,
                                "annual_cost": item.line.annual_cost,
                                "months": item.line.months,
                                "cost_in_year": item.line.cost_in_year,
                            },
                            "position": {
                                "id": item.position.pk,
                                "title": item.position.title,
                                "note": item.position.note,
                                "note_date": item.position.note_date,
                                "tasks": item.position.tasks,
                            },
                        }
                        for item in dep.lines
                    ],
                }
                for dep in doc.finance.annex
            ],
            "annex_total": _total(doc.finance.annex_total),
        }
    return {
        "content": content_data(doc.decision),
        "costing_error": doc.costing_error,
        "finance": finance,
        "financial_items": [_item(item) for item in doc.financial_items],
        "needs": [need_data(result) for result in doc.needs],
        "annexes": [
            {
                "number": annex.number,
                "title": annex.title,
                "generated": annex.generated,
                "intro": annex.intro,
            }
            for annex in doc.annexes
        ],
    }


def positions_data(links: list[DecisionPosition]) -> list[dict[str, Any]]:
    """The linked positions as they were, in Anlage order."""
    return [
        {
            "order": link.order,
            "id": link.position.pk,
            "version": link.position.version,
            "org_unit_code": link.position.org_unit.code,
            "org_unit_name": link.position.org_unit.name,
            "pay_grade_code": link.position.pay_grade.code,
            "fte": link.position.fte,
            "title": link.position.title,
            "task_heading": link.position.task_heading,
            "note": link.position.note,
            "note_date": link.position.note_date,
            "start_date": link.position.start_date,
            "end_date": link.position.end_date,
            "fixed_term": link.position.fixed_term,
            "tasks": link.position.tasks,
            "justification": link.position.justification,
        }
        for link in links
    ]


def _last_history_id(obj: Any) -> int | None:
    record = obj.history.order_by("-history_date", "-history_id").first()
    return record.history_id if record is not None else None


def sources_data(doc: DecisionDocument) -> dict[str, Any]:
    """Which cost tables, rates and reimbursement rules the figures come from, with the version
    and the last history entry of each (None: loaded without history, unchanged since)."""
    if doc.finance is None:
        return {"cost_tables": [], "cost_rates": [], "reimbursement_rules": []}
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
    return {
        "cost_tables": [
            {
                "id": table.pk,
                "name": table.name,
                "valid_from": table.valid_from,
                "version": table.version,
                "history_id": _last_history_id(table),
            }
            for table in tables
        ],
        "cost_rates": [
            {
                "id": rate.pk,
                "table_id": rate.table_id,
                "pay_grade_code": rate.pay_grade.code,
                "annual_cost": rate.annual_cost,
                "version": rate.version,
                "history_id": _last_history_id(rate),
            }
            for rate in rates
            if rate.pay_grade.code in grades.get(rate.table_id, set())
        ],
        "reimbursement_rules": [
            {
                "id": rule.pk,
                "name": rule.name,
                "rate": rule.rate,
                "valid_from": rule.valid_from,
                "valid_to": rule.valid_to,
                "org_unit_codes": sorted(unit.code for unit in rule.org_units.all()),
                "version": rule.version,
                "history_id": _last_history_id(rule),
            }
            for rule in rules.order_by("pk")
        ],
    }


def _read(key: str, value: Any) -> Any:
    if isinstance(value, Mapping):
        return SimpleNamespace(**{k: _read(k, v) for k, v in value.items()})
    if isinstance(value, list):
        return [_read(key, v) for v in value]
    if value is None:
        return None
    if key in DECIMAL_KEYS and isinstance(value, str):
        return Decimal(value)
    if key in DATE_KEYS and isinstance(value, str):
        return date.fromisoformat(value)
    return value


@dataclass
class FrozenDocument:
    """An adopted record read back: what the detail page shows instead of a recomputation."""

    decision: Decision
    record: AdoptedRecord
    content: Any
    finance: Any
    costing_error: str
    financial_items: list[Any]
    annexes: list[Any]
    links: list[Any] = field(default_factory=list)
    #: the Personalbedarfsberechnungen as adopted (records stored before them hold none)
    needs: list[Any] = field(default_factory=list)

    @property
    def generated_annexes(self) -> list[Any]:
        return [annex for annex in self.annexes if annex.generated]

    @property
    def positions(self) -> list[Any]:
        return _read("positions", self.record.positions)


def frozen_document(decision: Decision, record: AdoptedRecord) -> FrozenDocument:
    data = record.document
    content = data.get("content")
    return FrozenDocument(
        decision=decision,
        record=record,
        # records stored before the text was part of them show today's (unchangeable) text
        content=_read("content", content) if content else decision_content(decision),
        finance=_read("finance", data.get("finance")),
        costing_error=data.get("costing_error", ""),
        financial_items=_read("financial_items", data.get("financial_items", [])),
        annexes=_read("annexes", data.get("annexes", [])),
        needs=_read("needs", data.get("needs", [])),
    )
