"""A new paper like the tester's GRDrs 812/2026: 2,5 Stellen EG 9 in the Jobcenter, one of
them from 01.10.2026 (im Vorgriff), adopted on 05.12.2026 (issue 22)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from decisions.models import Decision
from decisions.services import decision_add_position, decision_change_status, decision_create
from departments.models import OrgUnit
from stellenplan.models import PayGrade, Position
from stellenplan.services import position_create

PAPER_DATE = date(2026, 12, 1)
ADOPTED_ON = date(2026, 12, 5)


def version(decision: Decision) -> int:
    return Decision.objects.get(pk=decision.pk).version


def new_position(fte: str, start: date, unit: str = "29-1", title: str = "SB Leistung") -> Position:
    return position_create(
        acting_user=None,
        org_unit=OrgUnit.objects.get(code=unit),
        pay_grade=PayGrade.objects.get(code="EG 9"),
        fte=Decimal(fte),
        title=title,
        start_date=start,
    )


def paper(number: str, positions: list[Position], user=None) -> Decision:
    """An eingebrachte Beschlussvorlage linking `positions`."""
    decision = decision_create(
        data={"number": number, "date": PAPER_DATE, "title": f"Stellen {number}"},
        acting_user=user,
    )
    for position in positions:
        decision_add_position(
            decision=decision,
            position=position,
            acting_user=user,
            expected_version=version(decision),
        )
    decision_change_status(
        decision=decision,
        status=Decision.Status.SUBMITTED,
        acting_user=user,
        expected_version=version(decision),
        on=PAPER_DATE,
    )
    return Decision.objects.get(pk=decision.pk)


def adopt(decision: Decision, user=None, on: date = ADOPTED_ON) -> Decision:
    decision_change_status(
        decision=decision,
        status=Decision.Status.ADOPTED,
        acting_user=user,
        expected_version=version(decision),
        on=on,
    )
    return Decision.objects.get(pk=decision.pk)


def paper_812(user=None) -> tuple[Decision, list[Position]]:
    """GRDrs 812/2026 as the tester had it, adopted: 1,0 + 1,0 from 01.01.2027 and 0,5 from
    01.10.2026."""
    positions = [
        new_position("1.0", date(2027, 1, 1), title="SB Leistung A"),
        new_position("1.0", date(2027, 1, 1), title="SB Leistung B"),
        new_position("0.5", date(2026, 10, 1), title="SB Leistung C"),
    ]
    return adopt(paper("812/2026", positions, user), user), positions
