"""Abweichungen seit Beschluss: the selector (issue 22, part 2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from decisions.departures import (
    DELETED,
    END,
    FTE,
    GRADE,
    START,
    UNIT,
    PlanValues,
    all_departures,
    paper_departures,
    position_departures,
)
from decisions.models import DecisionPosition
from departments.models import OrgUnit
from stellenplan.models import PayGrade, Position
from stellenplan.services import position_update
from tests.decisions.decided import adopt, paper, paper_812


def edit(position: Position, **data) -> Position:
    position = Position.objects.get(pk=position.pk)
    return position_update(
        acting_user=None, position=position, expected_version=position.version, data=data
    )


def kinds(departures) -> list[tuple[str, str, str]]:
    return [(d.kind, d.decided, d.current) for d in departures]


def test_a_position_as_decided_has_none(seed):
    decision, positions = paper_812()

    assert paper_departures(decision) == []
    assert position_departures(positions[0].pk) == []
    assert all_departures() == []


def test_it_finds_a_cut_share(seed):
    decision, positions = paper_812()
    edit(positions[0], fte=Decimal("0.5"))

    found = position_departures(positions[0].pk)
    assert kinds(found) == [(FTE, "1,0", "0,5")]
    assert found[0].grdrs_label == "GRDrs 812/2026"
    assert found[0].adopted_on == date(2026, 12, 5)
    assert found[0].text == "Stellenanteil: beschlossen 1,0, jetzt 0,5"
    assert kinds(paper_departures(decision)) == [(FTE, "1,0", "0,5")]


def test_it_finds_another_grade(seed):
    _, positions = paper_812()
    edit(positions[1], pay_grade=PayGrade.objects.get(code="EG 11"))

    assert kinds(position_departures(positions[1].pk)) == [(GRADE, "EG 9", "EG 11")]


def test_it_finds_another_unit(seed):
    _, positions = paper_812()
    edit(positions[1], org_unit=OrgUnit.objects.get(code="29-3"))

    assert kinds(position_departures(positions[1].pk)) == [(UNIT, "29-1", "29-3")]


def test_it_finds_another_start_and_an_end(seed):
    _, positions = paper_812()
    edit(positions[0], start_date=date(2027, 4, 1), end_date=date(2028, 12, 31))

    assert kinds(position_departures(positions[0].pk)) == [
        (START, "01.01.2027", "01.04.2027"),
        (END, "unbefristet", "31.12.2028"),
    ]


def test_it_finds_a_deleted_position(seed):
    decision, positions = paper_812()
    gone = positions[2]
    DecisionPosition.objects.filter(position=gone).delete()
    Position.objects.filter(pk=gone.pk).delete()

    assert kinds(paper_departures(decision)) == [(DELETED, "besteht", "gelöscht")]
    assert [d.position_label for d in all_departures()] == ["29-1 EG 9 SB Leistung C"]


def test_it_compares_values_entered_before_they_are_saved(seed):
    _, positions = paper_812()
    entered = PlanValues(
        org_unit_code="29-1", pay_grade_code="EG 9", fte=Decimal("0.5"), start_date=date(2027, 1, 1)
    )

    assert kinds(position_departures(positions[0].pk, entered)) == [(FTE, "1,0", "0,5")]
    assert position_departures(positions[0].pk) == []


def test_a_newer_paper_supersedes_an_older_one(seed):
    _, positions = paper_812()
    edit(positions[0], fte=Decimal("0.5"))
    adopt(paper("900/2026", [positions[0]]))

    assert position_departures(positions[0].pk) == []
    assert all_departures() == []


def test_a_paper_not_adopted_has_none(seed):
    position = Position.objects.get(pk=1)
    edit(position, fte=Decimal("0.4"))
    from decisions.models import Decision

    assert paper_departures(Decision.objects.get(number="647/2011")) == []
    assert position_departures(position.pk) == []
