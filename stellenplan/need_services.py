"""Writes of the Personalbedarfsberechnung: Jahresarbeitszeiten, calculations and their lines.

Like every write of the app: keyword-only with the acting user, in a transaction,
``full_clean()`` before saving, history attributed via ``acting_as``; edits are refused when
someone saved the object after the form was opened (``version``, ``core.concurrency``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.concurrency import editable_only, versioned_delete, versioned_update
from core.history import acting_as
from core.users import User
from stellenplan.models import NeedCalculation, NeedLine, Position, WorkingTime

WORKING_TIME_FIELDS = [
    "status_group",
    "weekly_hours",
    "valid_from",
    "annual_hours",
    "distribution_percent",
    "source",
]
CALCULATION_FIELDS = [
    "title",
    "status_group",
    "weekly_hours",
    "parameter_date",
    "source",
    "remarks",
]
LINE_FIELDS = [
    "order",
    "task",
    "method",
    "cases",
    "minutes_min",
    "minutes_max",
    "add_distribution_time",
    "ratio",
    "existing_fte",
    "existing_cases",
    "stated_fte",
    "source",
    "remarks",
]
NO_POSITIONS = "Bitte mindestens eine Stelle wählen, für die der Bedarf berechnet wird."


# --- Jahresarbeitszeit ----------------------------------------------------------------------


@transaction.atomic
def workingtime_create(*, acting_user: User | None, data: Mapping[str, Any]) -> WorkingTime:
    editable_only(data, WORKING_TIME_FIELDS)
    parameter = WorkingTime(**data)
    parameter.full_clean()
    with acting_as(acting_user):
        parameter.save()
    return parameter


def workingtime_update(
    *,
    acting_user: User | None,
    parameter: WorkingTime,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> WorkingTime:
    editable_only(data, WORKING_TIME_FIELDS)
    return versioned_update(
        parameter,
        acting_user=acting_user,
        expected_version=expected_version,
        data=data,
        opened=opened,
    )


def workingtime_delete(
    *, acting_user: User | None, parameter: WorkingTime, expected_version: int
) -> None:
    versioned_delete(
        parameter,
        acting_user=acting_user,
        expected_version=expected_version,
        label=f"Die Jahresarbeitszeit „{parameter}“",
    )


# --- calculations ---------------------------------------------------------------------------


def _check_positions(positions: Sequence[Position]) -> None:
    if not positions:
        raise ValidationError({"positions": NO_POSITIONS})


@transaction.atomic
def needcalculation_create(
    *, acting_user: User | None, data: Mapping[str, Any], positions: Sequence[Position]
) -> NeedCalculation:
    editable_only(data, CALCULATION_FIELDS)
    _check_positions(positions)
    calculation = NeedCalculation(**data)
    calculation.full_clean()
    with acting_as(acting_user):
        calculation.save()
        calculation.positions.set(positions)
    return calculation


@transaction.atomic
def needcalculation_update(
    *,
    acting_user: User | None,
    calculation: NeedCalculation,
    expected_version: int,
    data: Mapping[str, Any],
    positions: Sequence[Position],
    opened: Mapping[str, str] | None = None,
) -> NeedCalculation:
    editable_only(data, CALCULATION_FIELDS)
    _check_positions(positions)
    versioned_update(
        calculation,
        acting_user=acting_user,
        expected_version=expected_version,
        data=data,
        opened=opened,
    )
    if {p.pk for p in positions} != set(calculation.positions.values_list("pk", flat=True)):
        with acting_as(acting_user):
            calculation.positions.set(positions)
    return calculation


def needcalculation_delete(
    *, acting_user: User | None, calculation: NeedCalculation, expected_version: int
) -> None:
    versioned_delete(
        calculation,
        acting_user=acting_user,
        expected_version=expected_version,
        label=f"Die Bedarfsberechnung „{calculation}“",
    )


# --- lines ----------------------------------------------------------------------------------


@transaction.atomic
def needline_create(
    *, acting_user: User | None, calculation: NeedCalculation, data: Mapping[str, Any]
) -> NeedLine:
    editable_only(data, LINE_FIELDS)
    line = NeedLine(calculation=calculation, **data)
    line.full_clean()
    with acting_as(acting_user):
        line.save()
    return line


def needline_update(
    *,
    acting_user: User | None,
    line: NeedLine,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> NeedLine:
    editable_only(data, LINE_FIELDS)
    return versioned_update(
        line, acting_user=acting_user, expected_version=expected_version, data=data, opened=opened
    )


def needline_delete(*, acting_user: User | None, line: NeedLine, expected_version: int) -> None:
    versioned_delete(
        line,
        acting_user=acting_user,
        expected_version=expected_version,
        label=f"Die Zeile „{line}“",
    )
