"""The reference data's Stellenplan: a draft 2012/2013, no plan for 2011, and the 18 lines of
GRDrs 647/2011 as Schaffungen (two im Vorgriff from 01.10.2011)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from decisions.models import Decision
from stellenplan.models import Position, PositionChange, StaffingPlan

pytestmark = pytest.mark.django_db

EXPECTED_2012 = {
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


def test_the_reference_plan_is_a_draft_2012_2013_and_2011_has_none(seed):
    plan = StaffingPlan.objects.get()
    assert (plan.first_year, plan.last_year, plan.label) == (2012, 2013, "2012/2013")
    assert plan.status == StaffingPlan.Status.DRAFT
    assert plan.adopted_on is None
    assert not StaffingPlan.objects.filter(first_year__lte=2011, last_year__gte=2011).exists()


def test_the_reference_decision_created_the_18_positions(seed):
    number = Decision.objects.get().number
    assert number == "647/2011"
    changes = PositionChange.objects.filter(grdrs=number)
    assert changes.count() == 18
    assert set(changes.values_list("kind", flat=True)) == {PositionChange.Kind.CREATE}
    assert set(changes.values_list("position_id", flat=True)) == set(
        Position.objects.values_list("pk", flat=True)
    )
    ahead = changes.filter(in_advance=True)
    assert ahead.count() == 2
    assert set(ahead.values_list("effective_date", flat=True)) == {date(2011, 10, 1)}
    assert ahead.aggregate(fte=Sum("fte_after"))["fte"] == Decimal("2.0")
    assert changes.filter(in_advance=False, effective_date=date(2012, 1, 1)).count() == 16
    # each records what it created, as the position is
    for change in changes.select_related("position"):
        assert change.pay_grade_after_id == change.position.pay_grade_id
        assert change.org_unit_after_id == change.position.org_unit_id
        assert change.fte_after == change.position.fte
        assert change.summary.startswith(str(change.position.fte).rstrip("0").replace(".", ","))


def test_the_2012_positions_sum_per_grade_as_expected(seed):
    active_2012 = Position.objects.filter(start_date__lte=date(2012, 12, 31)).exclude(
        end_date__lt=date(2012, 1, 1)
    )
    sums = {
        row["pay_grade__code"]: row["fte"]
        for row in active_2012.values("pay_grade__code").annotate(fte=Sum("fte"))
    }
    assert {code: Decimal(value).quantize(Decimal("0.1")) for code, value in sums.items()} == (
        EXPECTED_2012
    )
    assert sum(EXPECTED_2012.values()) == Decimal("13.5")
    created = PositionChange.objects.filter(kind=PositionChange.Kind.CREATE)
    by_grade = created.values("pay_grade_after__code").annotate(fte=Sum("fte_after"))
    assert {
        row["pay_grade_after__code"]: Decimal(row["fte"]).quantize(Decimal("0.1"))
        for row in by_grade
    } == EXPECTED_2012
