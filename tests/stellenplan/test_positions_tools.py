"""Finding and editing positions (issue 14): search over the org tree, Stellennummer,
restore of a deleted position, bulk move, befristet and KW rules."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.concurrency import ConcurrentEditError
from core.history import RESTORED_KIND
from departments.models import OrgUnit
from front.filters import PositionFilter
from front.forms.positions import PositionForm
from stellenplan.models import KW_WITHOUT_DATE, Position
from stellenplan.selectors import RANK_TEXT, RANK_UNIT, search_positions
from stellenplan.services import (
    MoveRefusedError,
    RestoreRefusedError,
    position_create,
    position_delete,
    position_history,
    position_restore,
    position_update,
    positions_move,
)
from tests.factories import OrgUnitFactory, PayGradeFactory, PositionFactory

pytestmark = pytest.mark.django_db

JOBCENTER_UNITS = {"29", "29AL", "29-1", "29-3"}


@pytest.fixture
def hr(role_users):
    return role_users["personalamt"]


def searched(text: str) -> list[Position]:
    return list(search_positions(Position.objects.select_related("org_unit"), text))


# --- search over the org tree ---------------------------------------------------------------


def test_it_finds_the_jobcenters_six_positions_first_with_its_sub_units(seed):
    found = searched("Jobcenter")
    first = found[:6]
    assert {p.org_unit.code for p in first} <= JOBCENTER_UNITS
    assert {p.org_unit.code for p in first} >= {"29AL", "29-1", "29-3"}
    assert len([p for p in found if p.org_unit.code in JOBCENTER_UNITS]) == 6
    assert [p.search_rank for p in first] == [RANK_UNIT] * 6
    # the others match only by their text and come after
    assert all(p.search_rank == RANK_TEXT for p in found[6:])
    assert all(p.org_unit.code not in JOBCENTER_UNITS for p in found[6:])


def test_it_ranks_amt_29_before_a_task_text_that_mentions_29(seed):
    found = searched("29")
    codes = [p.org_unit.code for p in found]
    assert "10-5.1" in codes  # "Amtes 29" in the tasks of a 10-5.1 position
    assert codes.index("10-5.1") == 6
    assert set(codes[:6]) <= JOBCENTER_UNITS


def test_it_needs_every_word_and_ranks_by_the_units_of_all_words(seed):
    found = searched("Jobcenter Finanzen")
    assert [p.title for p in found][0] == "SB Finanzen / Finanzcontrolling"
    assert found[0].search_rank == RANK_TEXT  # "Finanzen" is in its title, not its unit
    assert all("29" in p.org_unit.code or "Finanzen" in p.title for p in found[:1])
    assert searched("Jobcenter Abteilung")[0].search_rank == RANK_UNIT  # 29-1 "Abteilung 1"


def test_it_finds_a_position_by_its_number_and_a_grade_phrase(seed):
    position = Position.objects.get(pk=9)
    position.number = "29-1/0815"
    position.save()
    assert [p.pk for p in searched("0815")] == [9]
    by_grade = Position.objects.filter(pay_grade__code="A 12").values_list("pk", flat=True)
    assert {p.pk for p in searched("A 12")} >= set(by_grade) >= {9}


def test_the_filter_uses_the_tree_search_and_keeps_the_rank_order(seed):
    filterset = PositionFilter({"q": "Jobcenter"}, queryset=Position.objects.all())
    codes = [p.org_unit.code for p in filterset.qs]
    assert set(codes[:6]) <= JOBCENTER_UNITS


def test_the_list_page_shows_the_jobcenter_first(seed, client, role_users):
    client.force_login(role_users["kaemmerei"])
    html = client.get(reverse("positions:list"), {"q": "Jobcenter"}).content.decode()
    body = html.split("<tbody", 1)[1]
    rows = body.split("<tr")[1:]
    assert all(any(code in row for code in (">29AL<", ">29-1<", ">29-3<")) for row in rows[:6])
    assert not any(code in rows[6] for code in (">29AL<", ">29-1<", ">29-3<"))


# --- Stellennummer --------------------------------------------------------------------------


def test_a_number_is_optional_and_unique_when_given(hr):
    unit, grade = OrgUnitFactory(), PayGradeFactory()
    common = {
        "org_unit": unit,
        "pay_grade": grade,
        "fte": Decimal("1"),
        "start_date": date(2012, 1, 1),
    }
    position_create(acting_user=hr, title="ohne 1", **common)
    position_create(acting_user=hr, title="ohne 2", **common)  # two without a number: fine
    position_create(acting_user=hr, title="mit", number="4711", **common)
    with pytest.raises(ValidationError) as error:
        position_create(acting_user=hr, title="doppelt", number="4711", **common)
    assert error.value.message_dict["number"] == [
        "Die Stellennummer „4711“ ist schon an eine andere Stelle vergeben."
    ]
    assert Position.objects.filter(number="4711").count() == 1


def test_the_form_refuses_a_number_in_use_in_german(hr, client):
    PositionFactory(number="A-1")
    other = PositionFactory()
    client.force_login(hr)
    data = form_data(other, number=" A-1 ")
    response = client.post(reverse("positions:update", args=[other.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Die Stellennummer „A-1“ ist schon an eine andere Stelle vergeben." in html
    other.refresh_from_db()
    assert other.number == ""


def test_the_detail_and_list_show_the_number(client, hr):
    position = PositionFactory(number="29-1/0815")
    client.force_login(hr)
    detail = client.get(reverse("positions:detail", args=[position.pk])).content.decode()
    assert "<dt>Stellennummer</dt><dd>29-1/0815</dd>" in detail
    listing = client.get(reverse("positions:list")).content.decode()
    assert "29-1/0815" in listing


# --- befristet and KW -----------------------------------------------------------------------


def form_data(position: Position, **changes) -> dict:
    data = {
        "org_unit": position.org_unit_id,
        "number": position.number,
        "pay_grade": position.pay_grade_id,
        "fte": "1,0",
        "title": position.title,
        "task_heading": "",
        "note": position.note,
        "note_date": "",
        "start_date": position.start_date.strftime("%d.%m.%Y"),
        "end_date": "",
        "tasks": "",
        "justification": "",
        "version": position.version,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def bound_form(**changes) -> PositionForm:
    unit, grade = OrgUnitFactory(), PayGradeFactory()
    data = {
        "org_unit": unit.pk,
        "pay_grade": grade.pk,
        "fte": "1,0",
        "title": "Sachbearbeitung",
        "start_date": "01.07.2026",
        "note": "",
    }
    data.update(changes)
    return PositionForm({k: v for k, v in data.items() if v is not None})


def test_an_end_date_makes_the_position_fixed_term():
    form = bound_form(end_date="30.06.2028")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["fixed_term"] is True
    assert form.cleaned_data["start_date"] == date(2026, 7, 1)


def test_the_form_saves_an_end_date_as_befristet_through_the_model(hr):
    form = bound_form(end_date="30.06.2028", fixed_term="")
    assert form.is_valid(), form.errors
    assert form.instance.fixed_term is True  # Position.clean(), run by the form's validation
    position = position_create(acting_user=hr, **form.model_data())
    position.refresh_from_db()
    assert position.fixed_term is True


def test_fixed_term_without_an_end_date_is_refused():
    form = bound_form(fixed_term="on")
    assert not form.is_valid()
    assert form.errors["end_date"] == [
        "Eine befristete Stelle braucht ein Ende: bitte angeben, bis wann sie befristet ist "
        "(oder „befristet“ abwählen)."
    ]


def test_the_detail_says_befristet_bis(client, hr):
    position = PositionFactory(end_date=date(2014, 12, 31), fixed_term=False)
    client.force_login(hr)
    html = client.get(reverse("positions:detail", args=[position.pk])).content.decode()
    assert "befristet bis 31.12.2014" in html
    assert "nein" not in html.split("<dt>Befristung</dt>", 1)[1].split("</dd>", 1)[0]


def test_kw_without_a_date_needs_an_explicit_confirmation():
    form = bound_form(note="KW")
    assert not form.is_valid()
    assert form.errors["note_date"] == [
        f"KW ohne Datum: {KW_WITHOUT_DATE} Bitte ein Datum angeben oder „KW ohne Datum "
        "bestätigen“ ankreuzen."
    ]
    confirmed = bound_form(note="KW", confirm_kw_without_date="on")
    assert confirmed.is_valid(), confirmed.errors
    assert "confirm_kw_without_date" not in confirmed.model_data()
    dated = bound_form(note="KW", note_date="01.01.2027")
    assert dated.is_valid(), dated.errors


def test_the_detail_explains_kw_without_a_date(client, hr):
    position = PositionFactory(note="KW", note_date=None)
    client.force_login(hr)
    html = client.get(reverse("positions:detail", args=[position.pk])).content.decode()
    assert f"<strong>ohne Datum:</strong> {KW_WITHOUT_DATE}" in html


def test_an_existing_kw_without_date_stays_confirmed_in_the_edit_form(client, hr):
    position = PositionFactory(note="KW", note_date=None)
    client.force_login(hr)
    html = client.get(reverse("positions:update", args=[position.pk])).content.decode()
    before, after = html.split('id="id_confirm_kw_without_date"', 1)
    tag = before.rsplit("<input", 1)[1] + after.split(">", 1)[0]
    assert "checked" in tag


def test_a_german_date_is_read_and_the_field_offers_the_calendar():
    form = bound_form(start_date="01.07.2026")
    assert form.is_valid()
    html = str(form["start_date"])
    assert 'type="text"' in html
    assert "data-date-picker" in html
    assert 'value="01.07.2026"' in html
    assert bound_form(start_date="2026-07-01").is_valid()


# --- restore --------------------------------------------------------------------------------


def test_it_restores_a_deleted_position_with_its_history(hr):
    position = PositionFactory(title="Sachbearbeitung", number="R-1")
    position_update(acting_user=hr, position=position, expected_version=1, data={"title": "SB neu"})
    position_id = position.pk
    position_delete(acting_user=hr, position=position, expected_version=2)
    restored = position_restore(acting_user=hr, position_id=position_id)
    assert restored.pk == position_id
    assert (restored.title, restored.number) == ("SB neu", "R-1")
    assert restored.version > 2
    entries = position_history(position_id)
    assert [e.kind for e in entries][:3] == [RESTORED_KIND, "gelöscht", "geändert"]
    assert entries[0].who.endswith("(personalamt)") or "personalamt" in entries[0].who
    # a form opened before the deletion cannot overwrite the restored position
    with pytest.raises(ConcurrentEditError):
        position_update(
            acting_user=hr, position=restored, expected_version=2, data={"title": "alt"}
        )


def test_it_refuses_to_restore_what_is_not_deleted(hr):
    position = PositionFactory()
    with pytest.raises(RestoreRefusedError):
        position_restore(acting_user=hr, position_id=position.pk)
    with pytest.raises(RestoreRefusedError):
        position_restore(acting_user=hr, position_id=987654)


def test_it_refuses_a_restore_whose_number_was_given_away(hr):
    position = PositionFactory(number="N-1")
    position_id = position.pk
    position_delete(acting_user=hr, position=position, expected_version=1)
    PositionFactory(number="N-1")
    with pytest.raises(ValidationError) as error:
        position_restore(acting_user=hr, position_id=position_id)
    assert "Die Stellennummer „N-1“ ist schon" in " ".join(error.value.messages)
    assert not Position.objects.filter(pk=position_id).exists()


def test_the_restore_page_is_for_the_personalamt(client, role_users, hr):
    position = PositionFactory(title="Weg und zurück")
    position_id = position.pk
    position_delete(acting_user=hr, position=position, expected_version=1)
    url = reverse("positions:restore", args=[position_id])
    client.force_login(role_users["kaemmerei"])
    listing = client.get(reverse("positions:deleted_list")).content.decode()
    assert url not in listing
    assert client.post(url).status_code == 403
    client.force_login(hr)
    assert url in client.get(reverse("positions:deleted_list")).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert response.url == reverse("positions:detail", args=[position_id])
    assert Position.objects.filter(pk=position_id, title="Weg und zurück").exists()
    again = client.post(url, follow=True).content.decode()
    assert "ist nicht gelöscht" in again


# --- bulk move ------------------------------------------------------------------------------


def test_it_moves_selected_positions_in_one_step_each_with_history(hr):
    old, new = OrgUnitFactory(code="29-1"), OrgUnitFactory(code="29-2")
    a, b, c = (PositionFactory(org_unit=old) for _ in range(3))
    moved = positions_move(
        acting_user=hr, source=old, target=new, expected_versions={a.pk: 1, b.pk: 1}
    )
    assert {p.pk for p in moved} == {a.pk, b.pk}
    assert set(Position.objects.filter(org_unit=new).values_list("pk", flat=True)) == {a.pk, b.pk}
    assert Position.objects.get(pk=c.pk).org_unit_id == old.pk
    for position in (a, b):
        entry = position_history(position.pk)[0]
        assert entry.kind == "geändert"
        assert entry.changes[0][0] == "Org.einheit"
        assert Position.objects.get(pk=position.pk).version == 2


def test_a_stale_position_stops_the_whole_move(hr):
    old, new = OrgUnitFactory(), OrgUnitFactory()
    a, b = PositionFactory(org_unit=old), PositionFactory(org_unit=old)
    position_update(acting_user=hr, position=b, expected_version=1, data={"title": "geändert"})
    with pytest.raises(ConcurrentEditError):
        positions_move(acting_user=hr, source=old, target=new, expected_versions={a.pk: 1, b.pk: 1})
    assert set(Position.objects.values_list("org_unit_id", flat=True)) == {old.pk}
    assert Position.objects.get(pk=a.pk).version == 1


def test_it_refuses_a_move_to_the_same_unit_or_of_nothing(hr):
    unit = OrgUnitFactory()
    position = PositionFactory(org_unit=unit)
    with pytest.raises(MoveRefusedError):
        positions_move(acting_user=hr, source=unit, target=unit, expected_versions={position.pk: 1})
    with pytest.raises(MoveRefusedError):
        positions_move(acting_user=hr, source=unit, target=OrgUnitFactory(), expected_versions={})
    elsewhere = PositionFactory()
    with pytest.raises(MoveRefusedError) as error:
        positions_move(
            acting_user=hr,
            source=unit,
            target=OrgUnitFactory(),
            expected_versions={elsewhere.pk: 1},
        )
    assert "Es wurde nichts verschoben" in str(error.value)


def test_the_move_page_moves_all_positions_of_a_unit(client, hr):
    old, new = OrgUnitFactory(code="ALT"), OrgUnitFactory(code="NEU")
    positions = [PositionFactory(org_unit=old) for _ in range(3)]
    client.force_login(hr)
    url = reverse("positions:move")
    page = client.get(url, {"von": old.pk}).content.decode()
    assert page.count('name="positions"') == 3
    assert page.count("checked") >= 3  # all selected at first
    versions = " ".join(f"{p.pk}:1" for p in positions)
    response = client.post(
        url,
        {
            "source": old.pk,
            "target": new.pk,
            "positions": [p.pk for p in positions],
            "versions": versions,
        },
    )
    assert response.status_code == 302
    assert Position.objects.filter(org_unit=new).count() == 3
    assert not OrgUnit.objects.get(pk=old.pk).positions.exists()


def test_the_move_page_explains_a_conflict_and_moves_nothing(client, hr):
    old, new = OrgUnitFactory(), OrgUnitFactory()
    a, b = PositionFactory(org_unit=old), PositionFactory(org_unit=old)
    client.force_login(hr)
    position_update(acting_user=hr, position=b, expected_version=1, data={"title": "neu"})
    response = client.post(
        reverse("positions:move"),
        {
            "source": old.pk,
            "target": new.pk,
            "positions": [a.pk, b.pk],
            "versions": f"{a.pk}:1 {b.pk}:1",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Es wurde nichts verschoben" in html
    assert Position.objects.filter(org_unit=old).count() == 2
    empty = client.post(reverse("positions:move"), {"source": old.pk, "target": new.pk})
    assert "Bitte mindestens eine Stelle zum Verschieben auswählen." in empty.content.decode()
