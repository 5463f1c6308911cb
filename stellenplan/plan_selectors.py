"""Reads of the Stellenplan's data: a position's changes and occupations, the list of changes.

Figures of the document (Stellen N, N-1, besetzt am 30.06.) are computed elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from stellenplan.models import Occupation, PositionChange, PreviousYearFigure, TraineeCount

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


def previous_figures_of_unit(year: int, org_unit_id: int) -> dict[int, PreviousYearFigure]:
    """The Vorjahreszahlen of `year` of one Amt, per pay grade id."""
    figures = PreviousYearFigure.objects.filter(year=year, org_unit_id=org_unit_id)
    return {f.pay_grade_id: f for f in figures}


def previous_figures_by_unit(year: int) -> list[dict]:
    """Per Amt with Vorjahreszahlen of `year`: code, name, groups, Σ Stellen, Σ besetzt."""
    rows = (
        PreviousYearFigure.objects.filter(year=year)
        .values("org_unit_id", "org_unit__code", "org_unit__name")
        .annotate(groups=Count("id"), fte=Sum("fte"), occupied=Sum("occupied"))
        .order_by("org_unit__code")
    )
    return [
        {**row, "fte": Decimal(row["fte"] or 0), "occupied": Decimal(row["occupied"] or 0)}
        for row in rows
    ]


def trainees_of_year(year: int) -> list[TraineeCount]:
    return list(TraineeCount.objects.filter(year=year).order_by("category", "training"))
