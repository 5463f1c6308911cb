"""Status changes record date and acting user; linked positions keep their Anlage order."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from decisions.models import Decision, DecisionPosition, StatusChange
from decisions.services import (
    allowed_statuses,
    decision_add_position,
    decision_change_status,
    decision_move_position,
    decision_remove_position,
)
from stellenplan.models import Position
from tests.factories import council_decided

Status = Decision.Status


def saved_version(decision: Decision) -> int:
    """The version a page opened now would carry."""
    return Decision.objects.get(pk=decision.pk).version


def test_it_records_a_status_change_with_date_and_user(decided, django_user_model):
    reference = decided
    user = django_user_model.objects.create_user("sd")
    change = decision_change_status(
        decision=reference,
        expected_version=saved_version(reference),
        status=Status.ADOPTED,
        acting_user=user,
        on=date(2011, 10, 6),
        comment="GR",
    )
    reference.refresh_from_db()
    assert reference.status == Status.ADOPTED
    assert (change.from_status, change.to_status, change.date) == (
        Status.SUBMITTED,
        Status.ADOPTED,
        date(2011, 10, 6),
    )
    assert change.acting_user == user and change.comment == "GR"
    assert reference.status_changes.last() == change


def test_it_refuses_a_transition_that_is_not_allowed(reference):
    council_decided(reference, result="abgelehnt", on=date(2011, 10, 6))
    decision_change_status(
        decision=reference,
        expected_version=saved_version(reference),
        status=Status.REJECTED,
        acting_user=None,
    )
    with pytest.raises(ValidationError) as raised:
        decision_change_status(
            decision=reference,
            expected_version=saved_version(reference),
            status=Status.SUBMITTED,
            acting_user=None,
        )
    assert (
        "Von „abgelehnt“ kann nicht nach „eingebracht“ gewechselt werden." in raised.value.messages
    )
    reference.refresh_from_db()
    assert reference.status == Status.REJECTED
    assert StatusChange.objects.filter(decision=reference).count() == 3


def test_it_refuses_an_unknown_status(reference):
    with pytest.raises(ValidationError, match="Unbekannter Status „vertagt“"):
        decision_change_status(
            decision=reference,
            expected_version=saved_version(reference),
            status="vertagt",
            acting_user=None,
        )


def test_it_offers_only_the_next_statuses(reference):
    assert [value for value, _ in allowed_statuses(reference)] == [
        "beschlossen",
        "abgelehnt",
        "zurueckgezogen",
        "entwurf",
    ]
    reference.status = Status.WITHDRAWN
    assert allowed_statuses(reference) == [("entwurf", "Entwurf")]


def test_it_appends_a_position_at_the_end_and_refuses_duplicates(reference):
    position = Position.objects.get(pk=1)
    DecisionPosition.objects.filter(decision=reference, position=position).delete()
    link = decision_add_position(
        decision=reference,
        expected_version=saved_version(reference),
        position=position,
        acting_user=None,
    )
    assert link.order == 19
    with pytest.raises(ValidationError, match="schon verknüpft"):
        decision_add_position(
            decision=reference,
            expected_version=saved_version(reference),
            position=position,
            acting_user=None,
        )


def test_it_renumbers_after_removing_and_moves_up_and_down(reference):
    links = list(reference.position_links.order_by("order"))
    decision_remove_position(
        decision=reference,
        expected_version=saved_version(reference),
        link=links[0],
        acting_user=None,
    )
    orders = list(reference.position_links.order_by("order").values_list("position_id", "order"))
    assert orders[:2] == [(2, 1), (3, 2)] and orders[-1] == (18, 17)
    wfb = reference.position_links.get(position_id=18)
    decision_move_position(
        decision=reference,
        expected_version=saved_version(reference),
        link=wfb,
        direction="up",
        acting_user=None,
    )
    last_two = list(
        reference.position_links.order_by("order").values_list("position_id", flat=True)
    )[-2:]
    assert last_two == [18, 17]
    first = reference.position_links.get(position_id=2)
    decision_move_position(
        decision=reference,
        expected_version=saved_version(reference),
        link=first,
        direction="up",
        acting_user=None,
    )  # already first
    assert reference.position_links.get(position_id=2).order == 1
    with pytest.raises(ValidationError, match="Unbekannte Richtung"):
        decision_move_position(
            decision=reference,
            expected_version=saved_version(reference),
            link=first,
            direction="left",
            acting_user=None,
        )


def test_it_keeps_a_closed_decision_unchanged(decided):
    reference = decided
    decision_change_status(
        decision=reference,
        expected_version=saved_version(reference),
        status=Status.ADOPTED,
        acting_user=None,
    )
    reference.refresh_from_db()
    link = reference.position_links.first()
    with pytest.raises(ValidationError, match="ist beschlossen und kann nicht mehr geändert"):
        decision_remove_position(
            decision=reference,
            expected_version=saved_version(reference),
            link=link,
            acting_user=None,
        )
    with pytest.raises(ValidationError):
        decision_add_position(
            decision=reference,
            expected_version=saved_version(reference),
            position=Position.objects.get(pk=1),
            acting_user=None,
        )
    assert reference.position_links.count() == 18
