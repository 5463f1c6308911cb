"""Writes of org units: create, move or rename (optimistic concurrency), delete when unused."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.concurrency import DeleteRefusedError, describe_usage, versioned_delete, versioned_update
from core.history import acting_as
from departments.models import BudgetSection, OrgUnit
from departments.selectors import org_tree

ORGUNIT_FIELDS = ["kind", "code", "name", "parent", "budget_section"]


def _check_parent(unit: OrgUnit, parent: OrgUnit | None) -> None:
    if parent is None or unit.pk is None:
        return
    if parent.pk in org_tree().descendants_or_self([unit.pk]):
        raise ValidationError(
            {
                "parent": (
                    f"„{parent}“ liegt unterhalb von „{unit.code}“ und kann ihr daher nicht "
                    "übergeordnet werden (der Baum darf keinen Kreis bilden)."
                )
            }
        )


@transaction.atomic
def orgunit_create(
    *,
    acting_user,
    kind: str,
    code: str,
    name: str,
    parent: OrgUnit | None = None,
    budget_section: BudgetSection | None = None,
) -> OrgUnit:
    unit = OrgUnit(kind=kind, code=code, name=name, parent=parent, budget_section=budget_section)
    unit.full_clean()
    with acting_as(acting_user):
        unit.save()
    return unit


@transaction.atomic
def orgunit_update(
    *,
    acting_user,
    unit: OrgUnit,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> OrgUnit:
    unknown = set(data) - set(ORGUNIT_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "parent" in data:
        _check_parent(unit, data["parent"])
    return versioned_update(
        unit, acting_user=acting_user, expected_version=expected_version, data=data, opened=opened
    )


@transaction.atomic
def orgunit_delete(*, acting_user, unit: OrgUnit, expected_version: int) -> None:
    """Delete an org unit that nothing depends on; otherwise say what is in the way."""
    label = f"Die Organisationseinheit „{unit.code} {unit.name}“"
    named = describe_usage(unit, own_kind="Untereinheit", own_kind_plural="Untereinheiten")
    if named:
        raise DeleteRefusedError(
            f"{label} kann nicht gelöscht werden: ihr sind noch {named} zugeordnet. "
            "Ordnen Sie diese zuerst einer anderen Einheit zu."
        )
    versioned_delete(unit, acting_user=acting_user, expected_version=expected_version, label=label)
