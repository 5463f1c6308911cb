from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.concurrency import ConcurrentEditError, DeleteRefusedError, raw_values
from core.history import BASELINE_REASON
from stellenplan.models import PayGrade, Position
from stellenplan.services import (
    deleted_positions,
    paygrade_delete,
    position_create,
    position_delete,
    position_history,
    position_update,
)
from tests.factories import CostRateFactory, OrgUnitFactory, PayGradeFactory, PositionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr(role_users):
    return role_users["personalamt"]


def test_it_creates_a_position_and_records_who(hr):
    position = position_create(
        acting_user=hr,
        org_unit=OrgUnitFactory(code="29-1"),
        pay_grade=PayGradeFactory(code="EG 9"),
        fte=Decimal("0.5"),
        title="Sachbearbeitung Aus- und Fortbildung",
        start_date=date(2012, 1, 1),
    )
    record = position.history.get()
    assert record.history_type == "+"
    assert record.history_user == hr
    assert position.version == 1


def test_it_refuses_an_invalid_position_with_a_german_message(hr):
    with pytest.raises(ValidationError) as error:
        position_create(
            acting_user=hr,
            org_unit=OrgUnitFactory(),
            pay_grade=PayGradeFactory(),
            fte=Decimal("0.5"),
            title="x",
            start_date=date(2012, 1, 1),
            end_date=date(2011, 1, 1),
        )
    assert error.value.message_dict["end_date"] == [
        "Das Ende (01.01.2011) darf nicht vor dem Beginn (01.01.2012) liegen."
    ]
    assert not Position.objects.exists()


def test_it_updates_and_bumps_the_version(hr):
    position = PositionFactory(title="alt", fte=Decimal("1.00"))
    position_update(
        acting_user=hr,
        position=position,
        expected_version=1,
        data={"title": "neu", "fte": Decimal("0.5")},
    )
    saved = Position.objects.get(pk=position.pk)
    assert (saved.title, saved.fte, saved.version) == ("neu", Decimal("0.50"), 2)
    latest = position_history(position.pk)[0]
    assert latest.kind == "geändert"
    assert latest.who == "personalamt"
    assert ("Funktionsbezeichnung", "alt", "neu") in latest.changes
    assert ("Anzahl der Stellen", "1,0", "0,5") in latest.changes


def test_it_refuses_a_stale_save_and_names_what_changed(hr, role_users):
    position = PositionFactory(title="Ausgangsstand", fte=Decimal("1.00"))
    opened = raw_values(position, ["title", "fte"])
    position_update(
        acting_user=role_users["admin"],
        position=Position.objects.get(pk=position.pk),
        expected_version=1,
        data={"fte": Decimal("0.75"), "title": "Ausgangsstand"},
    )
    with pytest.raises(ConcurrentEditError) as error:
        position_update(
            acting_user=hr,
            position=position,
            expected_version=1,
            data={"title": "Meine Änderung", "fte": Decimal("0.5")},
            opened=opened,
        )
    message = str(error.value)
    assert "wurde inzwischen von admin am" in message
    assert "Anzahl der Stellen: Ihre Eingabe „0,5“, gespeichert ist „0,75“" in message
    assert "Funktionsbezeichnung" not in message  # nobody else changed the title
    saved = Position.objects.get(pk=position.pk)
    assert (saved.title, saved.fte, saved.version) == ("Ausgangsstand", Decimal("0.75"), 2)


def test_it_records_the_state_before_the_first_change_of_imported_data(hr):
    position = PositionFactory(title="importiert")
    position.history.all().delete()  # as after loaddata: no history yet
    position_update(
        acting_user=hr, position=position, expected_version=1, data={"title": "geändert"}
    )
    entries = position_history(position.pk)
    assert [e.kind for e in entries] == ["geändert", "angelegt"]
    assert entries[1].reason == BASELINE_REASON
    assert entries[1].who.startswith("System")
    assert ("Funktionsbezeichnung", "importiert", "geändert") in entries[0].changes


def test_it_deletes_a_position_and_keeps_its_history(hr):
    position = PositionFactory(title="weg damit")
    pk = position.pk
    position_delete(acting_user=hr, position=position, expected_version=1)
    assert not Position.objects.filter(pk=pk).exists()
    record = deleted_positions().get()
    assert (record.id, record.title, record.history_user) == (pk, "weg damit", hr)
    assert [e.kind for e in position_history(pk)] == ["gelöscht", "angelegt"]


def test_it_refuses_to_delete_a_position_changed_meanwhile(hr):
    position = PositionFactory()
    Position.objects.filter(pk=position.pk).update(version=2)
    with pytest.raises(ConcurrentEditError):
        position_delete(acting_user=hr, position=position, expected_version=1)
    assert Position.objects.filter(pk=position.pk).exists()


def test_it_refuses_to_delete_a_pay_grade_in_use(hr):
    grade = PayGradeFactory(code="A 12")
    PositionFactory(pay_grade=grade)
    CostRateFactory(pay_grade=grade)
    with pytest.raises(DeleteRefusedError) as error:
        paygrade_delete(acting_user=hr, grade=grade)
    assert str(error.value) == (
        "Der Stellenwert „A 12“ kann nicht gelöscht werden: er wird noch von 1 Stelle und "
        "1 Kostensatz verwendet."
    )
    assert PayGrade.objects.filter(pk=grade.pk).exists()


def test_it_deletes_an_unused_pay_grade(hr):
    grade = PayGradeFactory()
    paygrade_delete(acting_user=hr, grade=grade)
    assert not PayGrade.objects.filter(pk=grade.pk).exists()
