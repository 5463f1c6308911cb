from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.concurrency import ConcurrentEditError, DeleteRefusedError, raw_values
from core.history import BASELINE_REASON
from departments.models import OrgUnit
from stellenplan.models import PayGrade, Position
from stellenplan.services import (
    PositionsRefused,
    deleted_positions,
    paygrade_delete,
    position_create,
    position_delete,
    position_history,
    position_update,
    positions_check,
    positions_import,
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


def new_position(unit, grade, **overrides) -> Position:
    fields = {
        "org_unit": unit,
        "pay_grade": grade,
        "fte": Decimal("0.50"),
        "title": "SB Import",
        "start_date": date(2013, 1, 1),
    }
    return Position(**{**fields, **overrides})


def test_it_imports_positions_all_at_once_with_history(hr):
    unit, grade = OrgUnitFactory(), PayGradeFactory()
    created = positions_import(
        acting_user=hr,
        positions=[new_position(unit, grade, title=f"SB {i}") for i in range(3)],
    )
    assert Position.objects.filter(title__startswith="SB ").count() == 3
    record = Position.history.get(id=created[0].pk)
    assert (record.history_user, record.history_change_reason) == (hr, "Excel-Import")


def test_it_imports_nothing_if_one_position_breaks_a_rule_and_names_each_at_its_field(hr):
    unit, grade = OrgUnitFactory(), PayGradeFactory()
    positions = [
        new_position(unit, grade),
        new_position(unit, grade, fte=Decimal("1.50")),
        new_position(unit, grade, end_date=date(2012, 12, 31)),
        new_position(unit, grade, note_date=date(2013, 1, 1)),
        new_position(unit, grade, fte=Decimal("0.125"), title=""),
        new_position(OrgUnit(pk=999999), grade),
    ]
    with pytest.raises(PositionsRefused) as refused:
        positions_import(acting_user=hr, positions=positions)
    errors = {index: error.message_dict for index, error in refused.value.errors.items()}
    assert errors[1] == {
        "fte": [
            "Die Anzahl der Stellen darf höchstens 1,0 sein; für eine halbe Stelle bitte „0,5“ "
            "eingeben."
        ]
    }
    assert errors[2] == {
        "end_date": ["Das Ende (31.12.2012) darf nicht vor dem Beginn (01.01.2013) liegen."]
    }
    assert list(errors[3]) == ["note_date"]
    assert sorted(errors[4]) == ["fte", "title"]
    assert "mehr als zwei Nachkommastellen" in errors[4]["fte"][0]
    assert list(errors[5]) == ["org_unit"]
    assert 0 not in errors
    assert not Position.objects.filter(title="SB Import").exists()


def test_its_check_finds_what_full_clean_finds(hr):
    """The batched check (constraints once per distinct value set, references in one query)
    gives the same errors as full_clean() of each position."""
    unit, grade = OrgUnitFactory(), PayGradeFactory()
    positions = [
        new_position(unit, grade, fte=fte, end_date=end, note=note, note_date=note_date)
        for fte in (Decimal("0"), Decimal("0.5"), Decimal("2"), Decimal("500"))
        for end in (None, date(2012, 1, 1), date(2014, 1, 1))
        for note, note_date in (("", None), ("", date(2013, 1, 1)), ("KW", date(2013, 1, 1)))
    ]
    expected = {}
    for index, position in enumerate(positions):
        try:
            position.full_clean()
        except ValidationError as error:
            expected[index] = error.message_dict
    found = {index: error.message_dict for index, error in positions_check(positions).items()}
    assert found == expected
    assert len(expected) == len(positions) - 4  # 0,5 with a valid end and note (date)
