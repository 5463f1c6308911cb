"""Writes of the Kämmerei's reference data: cost tables, cost rates, reimbursement rules and
pay adjustments (Tarif- und Besoldungsanpassungen).

(The costing engine itself is costing.engine; cost tables with their rates come in by Excel
import, ``costing.imports``.) Keyword-only, with the acting user (recorded in the history), in
a transaction, validated with ``full_clean()``. Edits and deletes are refused when someone
saved the object after the form was opened (``expected_version``, ``core.concurrency``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from core.concurrency import versioned_delete, versioned_update
from core.history import acting_as
from costing.models import CostRate, CostTable, PayAdjustment, ReimbursementRule
from departments.models import OrgUnit

COSTTABLE_FIELDS = ["name", "valid_from", "remark"]
RATE_FIELDS = ["annual_cost", "personnel_cost", "material_cost", "it_cost"]
RULE_FIELDS = ["name", "rate", "valid_from", "valid_to", "org_units"]
PAY_ADJUSTMENT_FIELDS = [
    "name",
    "status_group",
    "effective_date",
    "base_amount",
    "percent",
    "minimum_amount",
    "status",
    "source",
    "note",
]


def _only(data: Mapping[str, Any], allowed: list[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")


@transaction.atomic
def costtable_update(
    *,
    acting_user,
    table: CostTable,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> CostTable:
    """Rename a cost table, change its remark or its "gültig ab" (its rates stay)."""
    _only(data, COSTTABLE_FIELDS)
    return versioned_update(
        table, acting_user=acting_user, expected_version=expected_version, data=data, opened=opened
    )


@transaction.atomic
def costtable_delete(*, acting_user, table: CostTable, expected_version: int) -> None:
    """Delete a cost table with its rates (each rate's deletion is in the history)."""
    versioned_delete(  # the cascade to the rates is recorded under the acting user too
        table,
        acting_user=acting_user,
        expected_version=expected_version,
        label=f"Die Kostentabelle „{table.name}“",
    )


@transaction.atomic
def costrate_update(
    *,
    acting_user,
    rate: CostRate,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> CostRate:
    """Change the amounts of one rate of a cost table (its grade and table stay)."""
    _only(data, RATE_FIELDS)
    return versioned_update(
        rate, acting_user=acting_user, expected_version=expected_version, data=data, opened=opened
    )


@transaction.atomic
def costrate_delete(*, acting_user, rate: CostRate, expected_version: int) -> None:
    versioned_delete(
        rate,
        acting_user=acting_user,
        expected_version=expected_version,
        label=f"Der Kostensatz „{rate.pay_grade.code}“",
    )


@transaction.atomic
def reimbursementrule_create(
    *,
    acting_user,
    name: str,
    rate: Decimal,
    valid_from: date,
    valid_to: date | None,
    org_units: Iterable[OrgUnit],
) -> ReimbursementRule:
    rule = ReimbursementRule(name=name, rate=rate, valid_from=valid_from, valid_to=valid_to)
    rule.full_clean()
    with acting_as(acting_user):
        rule.save()
        rule.org_units.set(list(org_units))
    return rule


@transaction.atomic
def reimbursementrule_update(
    *,
    acting_user,
    rule: ReimbursementRule,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> ReimbursementRule:
    """Change a rule and the org units it covers (``data["org_units"]``); refused, with
    nothing saved (the org units neither), when someone saved the rule since
    `expected_version`."""
    _only(data, RULE_FIELDS)
    return versioned_update(
        rule, acting_user=acting_user, expected_version=expected_version, data=data, opened=opened
    )


@transaction.atomic
def reimbursementrule_delete(
    *, acting_user, rule: ReimbursementRule, expected_version: int
) -> None:
    versioned_delete(
        rule,
        acting_user=acting_user,
        expected_version=expected_version,
        label=f"Die Erstattungsregel „{rule.name}“",
    )


@transaction.atomic
def payadjustment_create(*, acting_user, data: Mapping[str, Any]) -> PayAdjustment:
    _only(data, PAY_ADJUSTMENT_FIELDS)
    adjustment = PayAdjustment(**data)
    adjustment.full_clean()
    with acting_as(acting_user):
        adjustment.save()
    return adjustment


@transaction.atomic
def payadjustment_update(
    *,
    acting_user,
    adjustment: PayAdjustment,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> PayAdjustment:
    """Change a pay adjustment; refused when someone saved it since `expected_version`."""
    _only(data, PAY_ADJUSTMENT_FIELDS)
    return versioned_update(
        adjustment,
        acting_user=acting_user,
        expected_version=expected_version,
        data=data,
        opened=opened,
    )


@transaction.atomic
def payadjustment_delete(*, acting_user, adjustment: PayAdjustment, expected_version: int) -> None:
    versioned_delete(
        adjustment,
        acting_user=acting_user,
        expected_version=expected_version,
        label=f"Die Anpassung „{adjustment.name}“",
    )
