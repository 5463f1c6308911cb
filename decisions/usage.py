"""The adopted records that name a cost table among their sources (registered with
``costing.usage`` in ``DecisionsConfig.ready``, so that such a table is not deleted)."""

from __future__ import annotations

from costing.models import CostTable
from decisions.models import AdoptedRecord


def records_using_cost_table(table_id: int) -> list[AdoptedRecord]:
    """The adopted records whose figures came from the table (by the ids in ``sources``;
    read in Python, since SQLite cannot search inside JSON lists)."""
    records = AdoptedRecord.objects.select_related("decision").only(
        "id", "sequence", "adopted_on", "sources", "decision__number", "decision__title"
    )
    return [
        record
        for record in records.order_by("decision__number", "sequence")
        if any(
            isinstance(item, dict) and item.get("id") == table_id
            for item in (record.sources or {}).get("cost_tables", [])
        )
    ]


def cost_table_usage(table: CostTable) -> str:
    """A German description of the adopted records using `table`, or ""."""
    records = records_using_cost_table(table.pk)
    if not records:
        return ""
    labels = ", ".join(dict.fromkeys(record.decision.grdrs_label for record in records))
    count = len(records)
    noun = "festgehaltene Beschlussfassung" if count == 1 else "festgehaltene Beschlussfassungen"
    return f"{count} {noun} ({labels})"
