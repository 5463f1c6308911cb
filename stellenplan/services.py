"""Writes of the staffing plan: positions and pay grades.

Every write is a keyword-only function with the acting user, runs in a transaction, validates
the model with ``full_clean()`` and records who did it in the history (django-simple-history).
Edits of a position are refused when someone saved it after the form was opened (``version``).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from simple_history.utils import bulk_create_with_history

from core.concurrency import (
    DeleteRefusedError,
    describe_usage,
    versioned_delete,
    versioned_update,
)
from core.constraints import check_constraints_of_many
from core.fields import concrete_field
from core.history import HistoryEntry, acting_as, history_entries
from departments.models import OrgUnit
from departments.services import hold_orgunit
from stellenplan.models import PayGrade, Position

POSITION_FIELDS = [
    "org_unit",
    "pay_grade",
    "fte",
    "title",
    "task_heading",
    "note",
    "note_date",
    "start_date",
    "end_date",
    "fixed_term",
    "tasks",
    "justification",
]
PAYGRADE_FIELDS = ["code", "status_group", "career_group", "sort_order"]


def _only(data: Mapping[str, Any], allowed: list[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")


@transaction.atomic
def position_create(
    *,
    acting_user,
    org_unit: OrgUnit,
    pay_grade: PayGrade,
    fte: Decimal,
    title: str,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    task_heading: str = "",
    note: str = "",
    note_date: datetime.date | None = None,
    fixed_term: bool = False,
    tasks: str = "",
    justification: str = "",
) -> Position:
    position = Position(
        org_unit=org_unit,
        pay_grade=pay_grade,
        fte=fte,
        title=title,
        start_date=start_date,
        end_date=end_date,
        task_heading=task_heading,
        note=note,
        note_date=note_date,
        fixed_term=fixed_term,
        tasks=tasks,
        justification=justification,
    )
    # A unit deleted meanwhile is refused in German, and one being deleted waits (no 500).
    hold_orgunit(org_unit, field="org_unit")
    position.full_clean()
    with acting_as(acting_user):
        position.save()
    return position


@transaction.atomic
def position_update(
    *,
    acting_user,
    position: Position,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> Position:
    """Change a position; raises ConcurrentEditError if it was saved since `expected_version`."""
    _only(data, POSITION_FIELDS)
    unit = data.get("org_unit")
    if unit is not None and unit.pk != position.org_unit_id:
        hold_orgunit(unit, field="org_unit")  # moved to a unit that may be deleted meanwhile
    return versioned_update(
        position,
        acting_user=acting_user,
        expected_version=expected_version,
        data=data,
        opened=opened,
    )


@transaction.atomic
def position_delete(*, acting_user, position: Position, expected_version: int) -> None:
    """Delete a position; it stays in the history (see ``deleted_positions``).

    Refused while anything still refers to it (e.g. a decision document listing it).
    """
    named = describe_usage(position)
    if named:
        raise DeleteRefusedError(
            f"Die Stelle „{position}“ kann nicht gelöscht werden: sie ist noch mit {named} "
            "verknüpft."
        )
    versioned_delete(
        position,
        acting_user=acting_user,
        expected_version=expected_version,
        label=f"Die Stelle „{position}“",
    )


class PositionsRefused(Exception):
    """Some positions of a batch break the model's rules; nothing was saved.

    ``errors`` maps the index of each refused position to its ``ValidationError`` (with the
    message of every rule it breaks, at its field).
    """

    def __init__(self, errors: Mapping[int, ValidationError]) -> None:
        self.errors = dict(errors)
        super().__init__(f"{len(self.errors)} Stellen verletzen die Regeln des Stellenplans.")


IMPORT_BATCH_SIZE = 1000


def positions_check(
    positions: Sequence[Position], exclude: Sequence[Collection[str]] | None = None
) -> dict[int, ValidationError]:
    """Every rule of the model for each new position; the errors by index (empty if all may
    be saved). Saves nothing. `exclude` names, per position, fields not to check (e.g. cells
    an importer could not read), as ``full_clean(exclude=…)``.

    The same checks as ``full_clean()``, computed once where rows share them: the fields and
    ``clean()`` per position, the org units and pay grades referred to in one query each, the
    constraints once per distinct combination of the values they compare
    (``core.constraints.check_constraints_of_many``).
    """
    references: dict[str, type[OrgUnit] | type[PayGrade]] = {
        "org_unit": OrgUnit,
        "pay_grade": PayGrade,
    }
    existing = {
        name: set(
            model.objects.filter(pk__in={getattr(p, f"{name}_id") for p in positions}).values_list(
                "pk", flat=True
            )
        )
        for name, model in references.items()
    }
    found: dict[int, dict[str, list[ValidationError]]] = {}
    failed_fields: list[set[str]] = []
    for index, position in enumerate(positions):
        if position.pk is not None:
            raise ValueError("positions_import creates new positions only")
        skip = set(exclude[index]) if exclude else set()
        errors: dict[str, list[ValidationError]] = {}
        try:
            position.full_clean(exclude=skip | set(references), validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name in set(references) - skip:
            field = concrete_field(Position, name)
            value = getattr(position, field.attname)
            if value is None:
                errors.setdefault(name, []).append(
                    ValidationError(field.error_messages["null"], code="null")
                )
            elif value not in existing[name]:
                errors.setdefault(name, []).append(
                    ValidationError(
                        field.error_messages["invalid"],
                        code="invalid",
                        params={
                            "model": field.remote_field.model._meta.verbose_name,
                            "pk": value,
                            "field": field.remote_field.field_name,
                            "value": value,
                        },
                    )
                )
        failed_fields.append(skip | {name for name in errors if name != NON_FIELD_ERRORS})
        if errors:
            found[index] = errors
    for index, error in check_constraints_of_many(positions, failed_fields).items():
        found[index] = error.update_error_dict(found.get(index, {}))
    return {index: ValidationError(errors) for index, errors in sorted(found.items())}


@transaction.atomic
def positions_import(
    *, acting_user, positions: Sequence[Position], change_reason: str = "Excel-Import"
) -> list[Position]:
    """Create many new positions, all or nothing, each with its history entry.

    Every position is validated with ``full_clean()`` including the constraints; if any breaks
    a rule, nothing is saved and ``PositionsRefused`` names each one (by index) and its errors.
    The acting user and `change_reason` are recorded in the history.
    """
    errors = positions_check(positions)
    if errors:
        raise PositionsRefused(errors)
    return bulk_create_with_history(
        list(positions),
        Position,
        batch_size=IMPORT_BATCH_SIZE,
        default_user=acting_user,
        default_change_reason=change_reason,
    )


def position_history(position_id: int) -> list[HistoryEntry]:
    records = Position.history.filter(id=position_id).select_related("history_user")
    return history_entries(records, Position)


def deleted_positions() -> QuerySet:
    """The deletion records of positions that no longer exist, newest first."""
    return (
        Position.history.filter(history_type="-")
        .exclude(id__in=Position.objects.values("id"))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


@transaction.atomic
def paygrade_create(
    *,
    acting_user,
    code: str,
    status_group: str,
    career_group: str = "",
    sort_order: int = 0,
) -> PayGrade:
    grade = PayGrade(
        code=code, status_group=status_group, career_group=career_group, sort_order=sort_order
    )
    grade.full_clean()
    with acting_as(acting_user):
        grade.save()
    return grade


@transaction.atomic
def paygrade_update(
    *,
    acting_user,
    grade: PayGrade,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> PayGrade:
    """Change a pay grade; raises ConcurrentEditError if it was saved since `expected_version`."""
    _only(data, PAYGRADE_FIELDS)
    return versioned_update(
        grade, acting_user=acting_user, expected_version=expected_version, data=data, opened=opened
    )


@transaction.atomic
def paygrade_delete(*, acting_user, grade: PayGrade, expected_version: int | None = None) -> None:
    """Delete a pay grade no position and no cost rate uses; otherwise say who uses it.

    Refused as a concurrent edit when the grade was saved since `expected_version` (the
    version the confirmation page showed; None: the version now).
    """
    named = describe_usage(grade)
    if named:
        raise DeleteRefusedError(
            f"Der Stellenwert „{grade.code}“ kann nicht gelöscht werden: er wird noch von "
            f"{named} verwendet."
        )
    versioned_delete(
        grade,
        acting_user=acting_user,
        expected_version=grade.version if expected_version is None else expected_version,
        label=f"Der Stellenwert „{grade.code}“",
    )
