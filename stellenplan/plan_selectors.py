"""Reads of the Stellenplan's data: a position's changes and occupations, the list of changes.

Figures of the document (Stellen N, N-1, besetzt am 30.06.) are computed elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from stellenplan.models import Occupation, PositionChange

CHANGE_RELATIONS = (
    "plan",
    "position",
    "org_unit_before",
    "org_unit_after",
    "pay_grade_before",
    "pay_grade_after",
    "ku_target_grade",
)


def changes() -> QuerySet[PositionChange]:
    """All changes with what they name, by effective date."""
    return PositionChange.objects.select_related(*CHANGE_RELATIONS).order_by("effective_date", "id")


def changes_of_position(position_id: int) -> Sequence[PositionChange]:
    """A position's changes, oldest first (with their plan and grades)."""
    return list(changes().filter(position_id=position_id))


def occupations_of_position(position_id: int) -> Sequence[Occupation]:
    """A position's occupations, oldest first (internal data: only for view_occupation)."""
    return list(Occupation.objects.filter(position_id=position_id).order_by("start_date", "id"))
