"""The reference Stellenplan 2012/2013 built in tests from the seed (the data side may add it
to the seed later; these helpers then find it and add nothing)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from decisions.models import Decision
from stellenplan.models import Position, PositionChange, StaffingPlan

REFERENCE_BY_GRADE = {
    "A 14": Decimal("1.0"),
    "A 13 hD": Decimal("2.0"),
    "A 12": Decimal("2.1"),
    "A 11": Decimal("1.0"),
    "A 10": Decimal("1.0"),
    "A 8": Decimal("1.3"),
    "EG 11": Decimal("2.0"),
    "EG 9": Decimal("1.0"),
    "EG 8": Decimal("1.0"),
    "EG 6": Decimal("1.1"),
}


def reference_plan() -> StaffingPlan:
    """Stellenplan 2012/2013 (Entwurf) and the 18 Schaffungen of the reference decision."""
    plan, _ = StaffingPlan.objects.get_or_create(first_year=2012, defaults={"last_year": 2013})
    number = Decision.objects.get(pk=1).number  # GRDrs 647/2011
    if not PositionChange.objects.filter(grdrs=number).exists():
        for position in Position.objects.select_related("org_unit", "pay_grade").order_by("pk"):
            PositionChange.objects.create(
                kind=PositionChange.Kind.CREATE,
                in_advance=position.start_date < date(2012, 1, 1),
                effective_date=position.start_date,
                position=position,
                org_unit_after=position.org_unit,
                pay_grade_after=position.pay_grade,
                fte_after=position.fte,
                grdrs=number,
                summary=f"{position.org_unit.code} {position.pay_grade.code} {position.fte}",
            )
    return plan
