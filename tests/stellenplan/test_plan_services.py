"""Services of the Stellenplan's data: changes derived from position edits, their authority,
occupations (never above the position's share), plans (drafts; adopted ones read-only)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.concurrency import ConcurrentEditError
from stellenplan.models import Occupation, PositionChange, StaffingPlan
from stellenplan.plan_services import (
    ChangeAuthority,
    authorisation_record,
    change_update_explanation,
    occupation_create,
    occupation_delete,
    occupation_update,
    plan_create,
    plan_create_from_last_adopted,
    plan_delete,
    plan_update,
)
from stellenplan.services import position_create, position_delete, position_update
from tests.factories import OrgUnitFactory, PayGradeFactory, PositionFactory

pytestmark = pytest.mark.django_db
Kind = PositionChange.Kind
GRDRS = ChangeAuthority(effective_date=date(2013, 1, 1), grdrs=" 12/2012 ", explanation="Grund")


@pytest.fixture
def hr(role_users):
    return role_users["personalamt"]


@pytest.fixture
def grades():
    return {
        "A 12": PayGradeFactory(code="A 12", status_group="beamte", sort_order=90),
        "A 11": PayGradeFactory(code="A 11", status_group="beamte", sort_order=80),
        "A 13": PayGradeFactory(code="A 13", status_group="beamte", sort_order=100),
        "A 9": PayGradeFactory(code="A 9", status_group="beamte", sort_order=60),
    }


def kinds(position):
    return sorted(position.changes.values_list("kind", flat=True))


def test_a_created_position_with_an_authority_is_a_schaffung_im_vorgriff(hr, grades):
    unit = OrgUnitFactory(code="29-1")
    authority = ChangeAuthority(effective_date=date(2011, 10, 1), grdrs="647/2011", in_advance=True)
    position = position_create(
        acting_user=hr,
        org_unit=unit,
        pay_grade=grades["A 11"],
        fte=Decimal("0.5"),
        title="SB Einkauf",
        start_date=date(2011, 10, 1),
        authority=authority,
    )
    change = position.changes.get()
    assert change.kind == Kind.CREATE
    assert change.in_advance is True
    assert change.grdrs == "647/2011"
    assert change.effective_date == date(2011, 10, 1)
    assert change.pay_grade_after == grades["A 11"]
    assert change.org_unit_after == unit
    assert change.fte_after == Decimal("0.5")
    assert change.summary == "0,5 Stellen A 11, 29-1 SB Einkauf"
    assert change.acting_user == hr
    assert change.history.get().history_user == hr


def test_without_authority_an_edit_is_a_correction_and_records_no_change(hr, grades):
    position = position_create(
        acting_user=hr,
        org_unit=OrgUnitFactory(),
        pay_grade=grades["A 11"],
        fte=Decimal("1"),
        title="SB",
        start_date=date(2012, 1, 1),
    )
    position_update(
        acting_user=hr, position=position, expected_version=1, data={"pay_grade": grades["A 12"]}
    )
    assert not PositionChange.objects.exists()


def test_an_edit_records_each_kind_of_change_from_the_diff(hr, grades):
    position = PositionFactory(pay_grade=grades["A 11"], fte=Decimal("1.00"))
    other_unit = OrgUnitFactory()
    position_update(
        acting_user=hr,
        position=position,
        expected_version=1,
        data={
            "pay_grade": grades["A 12"],
            "org_unit": other_unit,
            "fte": Decimal("0.5"),
            "note": "KW",
            "note_date": date(2015, 1, 1),
        },
        authority=GRDRS,
    )
    assert kinds(position) == sorted([Kind.UPGRADE, Kind.TRANSFER, Kind.SHARE, Kind.NOTE_ADD])
    upgrade = position.changes.get(kind=Kind.UPGRADE)
    assert (upgrade.pay_grade_before, upgrade.pay_grade_after) == (grades["A 11"], grades["A 12"])
    assert upgrade.grdrs == "12/2012"  # blanks trimmed
    assert upgrade.explanation == "Grund"
    assert upgrade.in_advance is False
    share = position.changes.get(kind=Kind.SHARE)
    assert (share.fte_before, share.fte_after) == (Decimal("1.00"), Decimal("0.50"))
    assert position.changes.get(kind=Kind.TRANSFER).org_unit_after == other_unit

    position.refresh_from_db()
    position_update(
        acting_user=hr,
        position=position,
        expected_version=2,
        data={"pay_grade": grades["A 9"], "note_date": date(2016, 1, 1)},
        authority=GRDRS,
    )
    assert position.changes.filter(kind=Kind.DOWNGRADE).count() == 1
    assert position.changes.filter(kind=Kind.NOTE_EXTEND).count() == 1

    position.refresh_from_db()
    position_update(
        acting_user=hr,
        position=position,
        expected_version=3,
        data={"note": "", "note_date": None, "end_date": date(2016, 12, 31)},
        authority=GRDRS,
    )
    assert position.changes.filter(kind=Kind.NOTE_REMOVE).count() == 1
    abolish = position.changes.get(kind=Kind.ABOLISH)
    assert abolish.end_date == date(2016, 12, 31)


def test_ku_needs_its_target_grade_and_only_ku_has_one(hr, grades):
    position = PositionFactory(pay_grade=grades["A 11"])
    with pytest.raises(ValidationError) as refused:
        position_update(acting_user=hr, position=position, expected_version=1, data={"note": "KU"})
    assert "Zielgruppe" in str(refused.value.message_dict["ku_target_grade"])
    position.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        position_update(
            acting_user=hr,
            position=position,
            expected_version=1,
            data={"ku_target_grade": grades["A 9"]},
        )
    assert "nur beim ku-Vermerk" in str(refused.value.message_dict["ku_target_grade"])
    position.refresh_from_db()
    position_update(
        acting_user=hr,
        position=position,
        expected_version=1,
        data={"note": "KU", "ku_target_grade": grades["A 9"]},
        authority=GRDRS,
    )
    change = position.changes.get()
    assert change.kind == Kind.NOTE_ADD
    assert change.note_after == "KU"
    assert change.ku_target_grade == grades["A 9"]


def test_a_change_without_grdrs_or_plan_is_refused_and_nothing_is_saved(hr, grades):
    position = PositionFactory(pay_grade=grades["A 11"])
    with pytest.raises(ValidationError) as refused:
        position_update(
            acting_user=hr,
            position=position,
            expected_version=1,
            data={"pay_grade": grades["A 12"]},
            authority=ChangeAuthority(effective_date=date(2013, 1, 1)),
        )
    assert "Grundlage" in str(refused.value)
    position.refresh_from_db()
    assert position.pay_grade == grades["A 11"]
    assert position.version == 1
    assert not PositionChange.objects.exists()


def test_a_plan_is_an_authority_too(hr, grades):
    plan = plan_create(acting_user=hr, first_year=2013)
    position = PositionFactory(pay_grade=grades["A 11"])
    position_update(
        acting_user=hr,
        position=position,
        expected_version=1,
        data={"pay_grade": grades["A 12"]},
        authority=ChangeAuthority(effective_date=date(2013, 1, 1), plan=plan),
    )
    assert position.changes.get().plan == plan


def test_deleting_with_an_authority_records_a_streichung_that_outlives_the_position(hr, grades):
    position = PositionFactory(pay_grade=grades["A 11"], title="Wegfall")
    position_update(
        acting_user=hr,
        position=position,
        expected_version=1,
        data={"fte": Decimal("0.5")},
        authority=GRDRS,
    )
    position.refresh_from_db()
    position_delete(acting_user=hr, position=position, expected_version=2, authority=GRDRS)
    abolish = PositionChange.objects.get(kind=Kind.ABOLISH)
    assert abolish.position is None
    assert abolish.fte_before == Decimal("0.50")
    assert "Wegfall" in abolish.summary
    # the earlier change stays, without its position
    assert PositionChange.objects.get(kind=Kind.SHARE).position is None


def test_an_occupied_position_cannot_be_deleted(hr, grades):
    position = PositionFactory(pay_grade=grades["A 11"])
    occupation_create(
        acting_user=hr, position=position, fte=Decimal("1"), start_date=date(2012, 1, 1)
    )
    from core.concurrency import DeleteRefusedError

    with pytest.raises(DeleteRefusedError, match="Stellenbesetzung"):
        position_delete(acting_user=hr, position=position, expected_version=1)


def test_an_authorisation_needs_its_end_and_the_explanation_is_editable(hr, grades):
    position = PositionFactory(pay_grade=grades["A 11"])
    change = authorisation_record(
        acting_user=hr, position=position, authority=GRDRS, end_date=date(2014, 12, 31)
    )
    assert change.kind == Kind.AUTHORISATION
    assert change.end_date == date(2014, 12, 31)
    with pytest.raises(ValidationError) as refused:
        authorisation_record(
            acting_user=hr, position=position, authority=GRDRS, end_date=date(2012, 1, 1)
        )
    assert "darf nicht vor" in str(refused.value)
    change_update_explanation(
        acting_user=hr, change=change, expected_version=1, explanation=" Neu "
    )
    change.refresh_from_db()
    assert change.explanation == "Neu"
    with pytest.raises(ConcurrentEditError):
        change_update_explanation(
            acting_user=hr, change=change, expected_version=1, explanation="alt"
        )


# --- occupation -----------------------------------------------------------------------------


def test_occupied_shares_never_exceed_the_position_on_any_day(hr, grades):
    position = PositionFactory(pay_grade=grades["A 11"], fte=Decimal("1.00"))
    first = occupation_create(
        acting_user=hr,
        position=position,
        fte=Decimal("0.5"),
        start_date=date(2012, 1, 1),
        end_date=date(2012, 12, 31),
    )
    occupation_create(
        acting_user=hr, position=position, fte=Decimal("0.5"), start_date=date(2012, 6, 1)
    )
    # 0,5 from 2013 on is free again (the first ended), in 2012 nothing is
    occupation_create(
        acting_user=hr, position=position, fte=Decimal("0.5"), start_date=date(2013, 1, 1)
    )
    with pytest.raises(ValidationError) as refused:
        occupation_create(
            acting_user=hr, position=position, fte=Decimal("0.25"), start_date=date(2011, 1, 1)
        )
    assert "Beginn der Stelle" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        occupation_create(
            acting_user=hr,
            position=position,
            fte=Decimal("0.25"),
            start_date=date(2012, 3, 1),
            end_date=date(2012, 8, 1),
        )
    message = refused.value.message_dict["fte"][0]
    assert "zu groß" in message and "01.06.2012" in message and "1,0 Stelle" in message
    assert Occupation.objects.count() == 3
    # widening the first into 2013 would overfill 2013
    with pytest.raises(ValidationError):
        occupation_update(
            acting_user=hr, occupation=first, expected_version=1, data={"end_date": None}
        )
    first.refresh_from_db()
    assert first.end_date == date(2012, 12, 31)
    occupation_update(
        acting_user=hr, occupation=first, expected_version=1, data={"fte": Decimal("0.25")}
    )
    first.refresh_from_db()
    assert first.fte == Decimal("0.25") and first.version == 2
    occupation_delete(acting_user=hr, occupation=first, expected_version=2)
    assert Occupation.objects.count() == 2


def test_an_occupation_of_an_ending_position_ends_with_it(hr, grades):
    position = PositionFactory(pay_grade=grades["A 11"], end_date=date(2014, 12, 31))
    with pytest.raises(ValidationError) as refused:
        occupation_create(
            acting_user=hr, position=position, fte=Decimal("1"), start_date=date(2012, 1, 1)
        )
    assert "31.12.2014" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        occupation_create(
            acting_user=hr,
            position=position,
            fte=Decimal("1.5"),
            start_date=date(2012, 1, 1),
            end_date=date(2014, 1, 1),
        )
    assert "höchstens 1,0" in str(refused.value)


# --- plans ----------------------------------------------------------------------------------


def test_plans_do_not_share_years_and_an_adopted_plan_is_read_only(hr):
    double = plan_create(acting_user=hr, first_year=2012, last_year=2013, grdrs=" 1/2011 ")
    assert double.status == StaffingPlan.Status.DRAFT
    assert double.grdrs == "1/2011"
    assert double.history.get().history_user == hr
    with pytest.raises(ValidationError) as refused:
        plan_create(acting_user=hr, first_year=2013)
    assert "überschneiden" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        plan_create(acting_user=hr, first_year=2014, last_year=2016)
    assert "ein Jahr oder einen Doppelhaushalt" in str(refused.value)
    plan_update(acting_user=hr, plan=double, expected_version=1, data={"remarks": "Vorbemerkung"})
    double.refresh_from_db()
    assert double.remarks == "Vorbemerkung"
    with pytest.raises(ConcurrentEditError):
        plan_update(acting_user=hr, plan=double, expected_version=1, data={"remarks": "x"})
    StaffingPlan.objects.filter(pk=double.pk).update(
        status=StaffingPlan.Status.ADOPTED, adopted_on=date(2011, 12, 15)
    )
    double.refresh_from_db()
    with pytest.raises(ValidationError, match="beschlossen"):
        plan_update(acting_user=hr, plan=double, expected_version=2, data={"remarks": "y"})
    with pytest.raises(ValidationError, match="beschlossen"):
        plan_delete(acting_user=hr, plan=double, expected_version=2)


def test_a_new_draft_follows_the_last_adopted_plan(hr):
    with pytest.raises(ValidationError, match="noch keinen beschlossenen"):
        plan_create_from_last_adopted(acting_user=hr)
    adopted = plan_create(
        acting_user=hr, first_year=2012, last_year=2013, explanation_threshold_fte=Decimal("2")
    )
    StaffingPlan.objects.filter(pk=adopted.pk).update(
        status=StaffingPlan.Status.ADOPTED, adopted_on=date(2011, 12, 15), remarks="Vorbem."
    )
    draft = plan_create_from_last_adopted(acting_user=hr, double=True)
    assert (draft.first_year, draft.last_year) == (2014, 2015)
    assert draft.based_on == adopted
    assert draft.explanation_threshold_fte == Decimal("2")
    assert draft.remarks == "Vorbem."
    assert draft.status == StaffingPlan.Status.DRAFT
    plan_delete(acting_user=hr, plan=draft, expected_version=1)
    assert not StaffingPlan.objects.filter(pk=draft.pk).exists()
