"""generate_city's Stellenplan: two consecutive plans, occupations (vacant, part-filled,
filled on 30 June), kw with and without date, ku with targets, changes of every kind with
GRDrs, the older plan complete enough to be adopted; deterministic by seed."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Q, Sum

from bench.city import CITY_THRESHOLD, OLDER_PLAN_YEAR, PLAN_YEAR, generate_city
from stellenplan.models import (
    Occupation,
    PayGrade,
    PlanExplanation,
    Position,
    PositionChange,
    StaffingPlan,
)

pytestmark = pytest.mark.django_db


def active_in(year: int):
    return Position.objects.filter(start_date__lte=date(year, 12, 31)).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=date(year, 1, 1))
    )


def plan_fingerprint() -> dict:
    """By natural keys: ids differ between runs on PostgreSQL (sequences do not roll back)."""
    position = ("position__org_unit__code", "position__title", "position__start_date")
    return {
        "plans": list(
            StaffingPlan.objects.values_list("first_year", "last_year", "based_on__first_year")
        ),
        "changes": list(
            PositionChange.objects.order_by("id").values_list(
                "kind", "effective_date", *position, "grdrs", "plan__first_year", "in_advance"
            )
        ),
        "occupations": list(
            Occupation.objects.order_by("id").values_list(
                *position, "fte", "start_date", "end_date"
            )
        ),
        "explanations": list(
            PlanExplanation.objects.order_by("id").values_list(
                "plan__first_year", "year", "pay_grade__code"
            )
        ),
    }


def generated(seed: int) -> dict:
    with transaction.atomic():
        generate_city(positions=1500, seed=seed)
        result = plan_fingerprint()
        transaction.set_rollback(True)
    return result


def test_the_city_has_two_plans_occupations_notes_and_every_kind_of_change():
    summary = generate_city(positions=1500, seed=2)
    assert summary.plans == 2
    older = StaffingPlan.objects.get(first_year=OLDER_PLAN_YEAR)
    newer = StaffingPlan.objects.get(first_year=PLAN_YEAR)
    assert older.years == [OLDER_PLAN_YEAR] and newer.years == [PLAN_YEAR]
    assert newer.based_on == older
    assert {older.status, newer.status} == {StaffingPlan.Status.DRAFT}  # adoption: plandoc

    assert summary.occupations == Occupation.objects.count()
    occupied = set(Occupation.objects.values_list("position_id", flat=True))
    positions = Position.objects.count()
    assert 0.75 * positions < len(occupied) < 0.95 * positions  # most, some vacant
    for day in (date(OLDER_PLAN_YEAR - 1, 6, 30), date(PLAN_YEAR - 1, 6, 30)):
        on_day = Occupation.objects.filter(start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )
        assert on_day.count() > positions / 2
    part_filled = [
        o for o in Occupation.objects.select_related("position") if o.fte < o.position.fte
    ]
    assert part_filled
    # never above the position's share, never outside its time
    for occupation in Occupation.objects.select_related("position"):
        position = occupation.position
        assert occupation.start_date >= position.start_date
        assert position.end_date is None or (
            occupation.end_date is not None and occupation.end_date <= position.end_date
        )
        same_time = Occupation.objects.filter(position=position).filter(
            start_date__lte=occupation.start_date
        )
        same_time = same_time.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=occupation.start_date)
        )
        assert same_time.aggregate(f=Sum("fte"))["f"] <= position.fte

    assert Position.objects.filter(note="KW", note_date__isnull=False).exists()
    assert Position.objects.filter(note="KW", note_date__isnull=True).exists()
    ku = Position.objects.filter(note="KU")
    assert ku.exists()
    assert not ku.filter(ku_target_grade__isnull=True).exists()
    assert not Position.objects.exclude(note="KU").filter(ku_target_grade__isnull=False).exists()
    for position in ku.select_related("pay_grade", "ku_target_grade")[:20]:
        assert position.ku_target_grade.status_group == position.pay_grade.status_group
        position.full_clean()  # the model's rules hold for generated lines

    assert set(PositionChange.objects.values_list("kind", flat=True)) == set(
        PositionChange.Kind.values
    )
    assert summary.changes == PositionChange.objects.count()
    assert not PositionChange.objects.filter(grdrs="", plan__isnull=True).exists()
    assert PositionChange.objects.exclude(grdrs="").count() > PositionChange.objects.count() / 2
    ahead = PositionChange.objects.filter(in_advance=True)
    assert ahead.exists()
    assert set(ahead.values_list("kind", flat=True)) == {PositionChange.Kind.CREATE}
    assert all(d.year == OLDER_PLAN_YEAR for d in ahead.values_list("effective_date", flat=True))
    assert not PositionChange.objects.filter(
        kind=PositionChange.Kind.AUTHORISATION, end_date__isnull=True
    ).exists()
    for change in PositionChange.objects.all()[:200]:
        change.full_clean()


def test_the_older_plan_has_every_erlaeuterung_it_needs_the_draft_not_all():
    generate_city(positions=1500, seed=2)
    older = StaffingPlan.objects.get(first_year=OLDER_PLAN_YEAR)
    newer = StaffingPlan.objects.get(first_year=PLAN_YEAR)
    assert older.explanation_threshold_fte == CITY_THRESHOLD

    def stellen(year: int) -> dict[int, Decimal]:
        rows = active_in(year).values("pay_grade").annotate(fte=Sum("fte"))
        return {row["pay_grade"]: Decimal(row["fte"]) for row in rows}

    older_sums, newer_sums = stellen(OLDER_PLAN_YEAR), stellen(PLAN_YEAR)
    explained_older = set(older.explanations.values_list("pay_grade", flat=True))
    needed_older = {g for g, fte in older_sums.items() if abs(fte) > CITY_THRESHOLD}  # Vorjahr 0
    assert needed_older and needed_older == explained_older
    explained_newer = set(newer.explanations.values_list("pay_grade", flat=True))
    needed_newer = {
        g.pk
        for g in PayGrade.objects.all()
        if abs(newer_sums.get(g.pk, Decimal(0)) - older_sums.get(g.pk, Decimal(0))) > CITY_THRESHOLD
    }
    assert explained_newer <= needed_newer
    assert set(newer.explanations.values_list("year", flat=True)) <= {PLAN_YEAR}


def test_the_plans_are_the_same_for_the_same_seed():
    first = generated(seed=4)
    assert first == generated(seed=4)
    assert first != generated(seed=5)
