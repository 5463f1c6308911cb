"""Adopting a paper brings its positions into the Stellenplan (issue 22, part 1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from decisions.models import Decision
from decisions.services import decision_record_again, decision_reopen
from stellenplan.models import PayGrade, PositionChange, StaffingPlan
from stellenplan.plan_services import decided_in_advance
from stellenplan.services import position_update
from tests.decisions.decided import adopt, new_position, paper, paper_812, version

Kind = PositionChange.Kind


def changes_of(number: str) -> list[PositionChange]:
    return list(PositionChange.objects.filter(grdrs=number).order_by("position_id", "id"))


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("chefin")


def test_it_writes_a_schaffung_for_every_decided_position(seed):
    decision, positions = paper_812()

    changes = changes_of("812/2026")
    assert [c.position_id for c in changes] == [p.pk for p in positions]
    assert {c.kind for c in changes} == {Kind.CREATE}
    assert [c.effective_date for c in changes] == [p.start_date for p in positions]
    assert sum(c.fte_after for c in changes) == Decimal("2.5")
    assert all(c.from_adoption and c.plan is None for c in changes)
    assert all(c.pay_grade_after == PayGrade.objects.get(code="EG 9") for c in changes)
    assert "GRDrs 812/2026 vom 05.12.2026" in changes[0].explanation


def test_it_marks_a_position_from_before_the_plan_year_im_vorgriff(seed):
    paper_812()

    flags = {c.effective_date: c.in_advance for c in changes_of("812/2026")}
    # 2026 has no plan in the tool and had begun: im Vorgriff on the plan 2027; 2027 not
    assert flags == {date(2027, 1, 1): False, date(2026, 10, 1): True}
    assert "im Vorgriff" in changes_of("812/2026")[-1].explanation


def test_the_vorgriff_rule_follows_the_plans(seed):
    # the reference: no plan 2011, decided 06.10.2011, from 01.10.2011 im Vorgriff
    assert decided_in_advance(date(2011, 10, 1), date(2011, 10, 6)) is True
    # 2012 is in the draft 2012/2013: the draft takes it
    assert decided_in_advance(date(2012, 1, 1), date(2011, 10, 6)) is False
    assert decided_in_advance(date(2012, 7, 1), date(2012, 6, 1)) is False
    StaffingPlan.objects.filter(first_year=2012).update(
        status=StaffingPlan.Status.ADOPTED, adopted_on=date(2011, 12, 15)
    )
    # an adopted plan is closed: the change belongs to the next one
    assert decided_in_advance(date(2012, 7, 1), date(2012, 6, 1)) is True


def test_it_is_idempotent(seed, admin):
    decision, _ = paper_812()
    before = [(c.pk, c.kind) for c in changes_of("812/2026")]

    decision_record_again(
        decision=decision,
        reason="Neu festhalten",
        acting_user=admin,
        expected_version=version(decision),
    )

    assert [(c.pk, c.kind) for c in changes_of("812/2026")] == before


def test_it_keeps_a_change_recorded_by_hand_with_the_same_grdrs(seed):
    from stellenplan.plan_services import ChangeAuthority

    position = new_position("1.0", date(2027, 1, 1))
    position.refresh_from_db()
    position_update(
        acting_user=None,
        position=position,
        expected_version=position.version,
        data={"fte": Decimal("0.8")},
        authority=ChangeAuthority(effective_date=date(2027, 1, 1), grdrs="812/2026"),
    )
    adopt(paper("812/2026", [position]))

    changes = changes_of("812/2026")
    assert [(c.kind, c.from_adoption) for c in changes] == [(Kind.SHARE, False)]


def test_the_reference_paper_adds_nothing_to_its_18_schaffungen(seed):
    reference = Decision.objects.get(number="647/2011")
    before = list(PositionChange.objects.values_list("pk", "kind", "in_advance", "effective_date"))

    adopt(reference, on=date(2011, 10, 6))

    after = list(PositionChange.objects.values_list("pk", "kind", "in_advance", "effective_date"))
    assert after == before
    assert len(after) == 18
    assert sum(1 for row in after if row[2]) == 2


def test_a_position_that_existed_before_gets_its_change_not_a_schaffung(seed):
    from departments.models import OrgUnit
    from stellenplan.plan_services import ChangeAuthority
    from stellenplan.services import position_create

    position = position_create(
        acting_user=None,
        org_unit=OrgUnit.objects.get(code="29-1"),
        pay_grade=PayGrade.objects.get(code="EG 9"),
        fte=Decimal("1.0"),
        title="SB bisher",
        start_date=date(2020, 1, 1),
        authority=ChangeAuthority(effective_date=date(2020, 1, 1), grdrs="100/2019"),
    )
    decision = paper("813/2026", [position])
    # the paper raises it: EG 9 → EG 11, edited while the paper is under way
    position.refresh_from_db()
    position_update(
        acting_user=None,
        position=position,
        expected_version=position.version,
        data={"pay_grade": PayGrade.objects.get(code="EG 11")},
    )
    adopt(decision)

    changes = changes_of("813/2026")
    assert [(c.kind, c.pay_grade_before.code, c.pay_grade_after.code) for c in changes] == [
        (Kind.UPGRADE, "EG 9", "EG 11")
    ]
    assert changes[0].effective_date == date(2026, 12, 5)


def test_a_notice_decides_nothing(seed):
    position = new_position("1.0", date(2027, 1, 1))
    decision = paper("814/2026", [position])
    Decision.objects.filter(pk=decision.pk).update(kind=Decision.Kind.NOTICE)

    adopt(Decision.objects.get(pk=decision.pk))

    assert changes_of("814/2026") == []


def test_reopening_takes_back_what_the_adoption_wrote(seed, admin):
    decision, positions = paper_812()
    from stellenplan.plan_services import ChangeAuthority, change_record

    by_hand = change_record(
        acting_user=None,
        kind=Kind.NOTE_ADD,
        authority=ChangeAuthority(effective_date=date(2027, 1, 1), grdrs="812/2026"),
        position=positions[0],
    )

    decision_reopen(
        decision=decision, reason="Fehler", acting_user=admin, expected_version=version(decision)
    )

    assert [c.pk for c in changes_of("812/2026")] == [by_hand.pk]
    # adopting again brings them back (the position with a change by hand keeps only that)
    adopt(Decision.objects.get(pk=decision.pk), admin)
    assert len(changes_of("812/2026")) == 3


def test_the_acting_user_is_recorded(seed, django_user_model):
    user = django_user_model.objects.create_user("sitzung")
    user.groups.add(Group.objects.get(name="Sitzungsdienst"))
    paper_812(user)

    assert {c.acting_user for c in changes_of("812/2026")} == {user}
