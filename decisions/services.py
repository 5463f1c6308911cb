"""Writes of decisions: status changes, linked positions, saving the edit forms.

Every function takes the acting user where the change is recorded, runs in one transaction
and validates with full_clean before saving. A decision that is beschlossen, abgelehnt or
zurückgezogen is closed: its content cannot change any more (reopen a withdrawn one first).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.forms import BaseInlineFormSet, ModelForm
from django.utils import timezone
from django.utils.functional import Promise

from decisions.models import Decision, DecisionPosition, StatusChange
from stellenplan.models import Position

Status = Decision.Status

# Which status may follow which.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (Status.SUBMITTED, Status.WITHDRAWN),
    Status.SUBMITTED: (Status.ADOPTED, Status.REJECTED, Status.WITHDRAWN, Status.DRAFT),
    Status.WITHDRAWN: (Status.DRAFT,),
    Status.ADOPTED: (),
    Status.REJECTED: (),
}


def allowed_statuses(decision: Decision) -> list[tuple[str, str | Promise]]:
    """The statuses the decision may change to, as (value, label) for a form."""
    labels = dict(Status.choices)
    return [(value, labels[value]) for value in TRANSITIONS[decision.status]]


def ensure_editable(decision: Decision) -> None:
    if not decision.is_editable:
        raise ValidationError(
            f"Die Beschlussvorlage ist {decision.get_status_display()} und kann nicht mehr "
            "geändert werden."
        )


def _touch(decision: Decision) -> None:
    decision.updated_at = timezone.now()
    decision.save(update_fields=["updated_at"])


@transaction.atomic
def decision_change_status(
    *,
    decision: Decision,
    status: str,
    acting_user: User | None,
    on: date | None = None,
    comment: str = "",
) -> StatusChange:
    """Move the decision to `status`, recording date, acting user and comment."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    labels = dict(Status.choices)
    if status not in labels:
        raise ValidationError({"status": f"Unbekannter Status „{status}“."})
    if status not in TRANSITIONS[decision.status]:
        raise ValidationError(
            {
                "status": f"Von „{decision.get_status_display()}“ kann nicht nach "
                f"„{labels[status]}“ gewechselt werden."
            }
        )
    change = StatusChange(
        decision=decision,
        from_status=decision.status,
        to_status=status,
        date=on or timezone.localdate(),
        acting_user=acting_user,
        comment=comment,
    )
    change.full_clean()
    change.save()
    decision.status = status
    decision.updated_at = timezone.now()
    decision.save(update_fields=["status", "updated_at"])
    return change


@transaction.atomic
def decision_create(
    *, form: ModelForm, formsets: Iterable[BaseInlineFormSet] = (), acting_user: User | None
) -> Decision:
    """Save a new decision (Entwurf) from its validated form and inline formsets."""
    decision = form.save()
    for formset in formsets:
        formset.instance = decision
        formset.save()
    StatusChange.objects.create(
        decision=decision,
        from_status="",
        to_status=Status.DRAFT,
        date=timezone.localdate(),
        acting_user=acting_user,
        comment="angelegt",
    )
    return decision


@transaction.atomic
def decision_save(
    *, decision: Decision, form: ModelForm | None = None, formsets: Iterable[BaseInlineFormSet] = ()
) -> Decision:
    """Save validated edit forms of an editable decision in one transaction."""
    ensure_editable(decision)
    if form is not None:
        decision = form.save()
    for formset in formsets:
        formset.save()
    _touch(decision)
    return decision


def _renumber(decision: Decision) -> list[DecisionPosition]:
    links = list(DecisionPosition.objects.filter(decision=decision).order_by("order", "id"))
    for number, link in enumerate(links, start=1):
        if link.order != number:
            link.order = number
            link.save(update_fields=["order"])
    return links


@transaction.atomic
def decision_add_position(*, decision: Decision, position: Position) -> DecisionPosition:
    """Link a position at the end of the Anlage order."""
    ensure_editable(decision)
    if DecisionPosition.objects.filter(decision=decision, position=position).exists():
        raise ValidationError(
            f"Die Stelle {position.org_unit.code} „{position.title}“ ist schon verknüpft."
        )
    last = DecisionPosition.objects.filter(decision=decision).aggregate(last=Max("order"))["last"]
    link = DecisionPosition(decision=decision, position=position, order=(last or 0) + 1)
    link.full_clean()
    link.save()
    _touch(decision)
    return link


@transaction.atomic
def decision_remove_position(*, decision: Decision, link: DecisionPosition) -> None:
    ensure_editable(decision)
    if link.decision_id != decision.pk:
        raise ValidationError("Diese Stelle gehört nicht zu dieser Beschlussvorlage.")
    link.delete()
    _renumber(decision)
    _touch(decision)


@transaction.atomic
def decision_move_position(*, decision: Decision, link: DecisionPosition, direction: str) -> None:
    """Move a linked position one place up or down in the Anlage order."""
    ensure_editable(decision)
    if direction not in ("up", "down"):
        raise ValidationError(f"Unbekannte Richtung „{direction}“ (erlaubt: up, down).")
    links = _renumber(decision)
    index = next((i for i, item in enumerate(links) if item.pk == link.pk), None)
    if index is None:
        raise ValidationError("Diese Stelle gehört nicht zu dieser Beschlussvorlage.")
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(links):
        return
    first, second = links[index], links[other]
    first.order, second.order = second.order, first.order
    first.save(update_fields=["order"])
    second.save(update_fields=["order"])
    _touch(decision)
