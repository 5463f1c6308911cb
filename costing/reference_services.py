"""Writes of the Kämmerei's reference data: cost rates and reimbursement rules.

(The costing engine itself is costing.engine; cost tables come in by Excel import.)
Keyword-only, with the acting user, in a transaction, validated with ``full_clean()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from costing.models import CostRate, ReimbursementRule
from departments.models import OrgUnit

RATE_FIELDS = {"annual_cost", "personnel_cost", "material_cost", "it_cost"}


@transaction.atomic
def costrate_update(*, acting_user, rate: CostRate, data: Mapping[str, Any]) -> CostRate:
    """Change the amounts of one rate of a cost table (its grade and table stay)."""
    unknown = set(data) - RATE_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in data.items():
        setattr(rate, name, value)
    rate.full_clean()
    rate.save(update_fields=list(data))
    return rate


@transaction.atomic
def reimbursementrule_save(
    *,
    acting_user,
    rule: ReimbursementRule | None,
    name: str,
    rate: Decimal,
    valid_from: date,
    valid_to: date | None,
    org_units: Iterable[OrgUnit],
) -> ReimbursementRule:
    """Create (``rule=None``) or change a reimbursement rule and the org units it covers."""
    rule = rule or ReimbursementRule()
    rule.name, rule.rate, rule.valid_from, rule.valid_to = name, rate, valid_from, valid_to
    rule.full_clean()
    rule.save()
    rule.org_units.set(list(org_units))
    return rule


@transaction.atomic
def reimbursementrule_delete(*, acting_user, rule: ReimbursementRule) -> None:
    rule.delete()
