"""Writes of decisions: status changes, linked positions, saving the edited values, the record.

Every function takes the acting user, runs in one transaction, validates with full_clean before
saving and records history through ``core.history.acting_as``. Every change of a decision or
one of its parts claims the version the user opened (optimistic locking): a stale save is
refused with ``ConcurrentEditError`` and changes nothing. A decision that is beschlossen,
abgelehnt or zurückgezogen is closed: its content cannot change any more.

When a decision becomes "beschlossen", its figures, Anlage, sources (cost tables, rates, rules
with their versions), linked positions and printed PDF are frozen in an ``AdoptedRecord``
(``decision_change_status``). An administrator may reopen a final status with a reason
(``decision_reopen``: the records stay as history; a new adoption adds a new record) or store a
deliberate new version of the record with a reason (``decision_record_again``); nothing ever
recomputes a record silently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.functional import Promise

from core.concurrency import ConcurrentEditError, DeleteRefusedError, FieldChange
from core.history import acting_as, ensure_history_baseline, last_change
from core.pdf import render_pdf
from core.users import User
from decisions.models import (
    AdoptedRecord,
    Annex,
    ConsultationStep,
    Decision,
    DecisionPosition,
    StatusChange,
)
from decisions.pdf import decision_html, document_for
from decisions.public_pdf import schedule_public_pdf
from decisions.records import PositionAsAdopted, record_columns, record_data
from decisions.selectors import DecisionDocument
from stellenplan.models import Position
from stellenplan.plan_services import (
    ChangeAuthority,
    DecidedPosition,
    decided_changes_record,
    decided_changes_withdraw,
)
from stellenplan.services import position_delete

Status = Decision.Status
Result = ConsultationStep.Result

# Which status may follow which in an ordinary status change.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (Status.SUBMITTED, Status.WITHDRAWN),
    Status.SUBMITTED: (Status.ADOPTED, Status.REJECTED, Status.WITHDRAWN, Status.DRAFT),
    Status.WITHDRAWN: (Status.DRAFT,),
    Status.ADOPTED: (),
    Status.REJECTED: (),
}
#: Final statuses an administrator may reopen (back to "eingebracht", with a reason).
REOPENABLE = frozenset({Status.ADOPTED, Status.REJECTED})
#: Statuses that need a GRDrs number (a paper is introduced under its number).
NEEDS_NUMBER = frozenset({Status.SUBMITTED, Status.ADOPTED, Status.REJECTED})
REOPEN_PERMISSION = "decisions.reopen_decision"
NUMBER_TAKEN = "Diese GRDrs-Nummer ist schon vergeben."
REASON_MAX = 250


def allowed_statuses(decision: Decision) -> list[tuple[str, str | Promise]]:
    """The statuses the decision may change to, as (value, label) for a form."""
    labels = dict(Status.choices)
    return [(value, labels[value]) for value in TRANSITIONS[decision.status]]


def can_reopen(user: Any) -> bool:
    """Superusers and holders of the right "reopen_decision" (core.roles)."""
    return bool(user is not None and user.has_perm(REOPEN_PERMISSION))


def ensure_editable(decision: Decision) -> None:
    if not decision.is_editable:
        raise ValidationError(
            f"Die Beschlussvorlage ist {decision.get_status_display()} und kann nicht mehr "
            "geändert werden."
        )


def stale_error(pk: int, expected_version: int) -> ConcurrentEditError:
    """The refusal of a save based on `expected_version` of a decision changed since."""
    current = Decision.objects.filter(pk=pk).first()
    if current is None:
        return ConcurrentEditError(
            verbose_name="Beschlussvorlage",
            changes=[],
            changed_by=None,
            changed_at=None,
            current=None,
        )
    changed_by, changed_at = last_change(current)
    return ConcurrentEditError(
        verbose_name="Beschlussvorlage",
        changes=[
            FieldChange(
                label="Stand der Beschlussvorlage oder ihrer Teile",
                yours=f"geöffnet in Fassung {expected_version}",
                saved=f"Fassung {current.version} ({current.get_status_display()})",
            )
        ],
        changed_by=changed_by,
        changed_at=changed_at,
        current=current,
    )


def _claim(decision: Decision, expected_version: int, acting_user: User | None) -> Decision:
    """Bump the decision's version if it is still `expected_version` (else refuse), record
    the change in its history, have its public PDFs rendered after the commit (if it is
    public then) and return it freshly read.

    One conditional UPDATE: of two saves based on the same version only the first succeeds,
    on SQLite and PostgreSQL alike; the row stays locked until the transaction ends.
    """
    ensure_history_baseline(decision)
    claimed = Decision.objects.filter(pk=decision.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if not claimed:
        raise stale_error(decision.pk, expected_version)
    fresh = Decision.objects.get(pk=decision.pk)
    with acting_as(acting_user):
        fresh.save(update_fields=["updated_at"])  # a history entry: who changed the decision
    schedule_public_pdf(fresh.pk)  # after the commit, if the paper is public then
    return fresh


def _check_status_date(decision: Decision, on: date) -> None:
    today = timezone.localdate()
    if on > today:
        raise ValidationError(
            {"date": f"Das Datum {on:%d.%m.%Y} liegt in der Zukunft (heute ist {today:%d.%m.%Y})."}
        )
    if on < decision.date:
        raise ValidationError(
            {
                "date": f"Das Datum {on:%d.%m.%Y} liegt vor dem Datum der Beschlussvorlage "
                f"({decision.date:%d.%m.%Y})."
            }
        )


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Bitte geben Sie einen Grund an."})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": f"Der Grund ist {len(reason)} Zeichen lang; erlaubt sind {REASON_MAX}."}
        )
    return reason


@dataclass(frozen=True)
class PreparedRecord:
    """The PDF/A of a paper as adopted on `adopted_on`, rendered before the transaction that
    stores it (``decision_prepare_record``), with the SHA-256 of the HTML it shows."""

    adopted_on: date
    html_sha256: str
    pdf: bytes


class RecordOutdated(Exception):
    """The paper's printed document changed while its PDF/A was rendered: prepare again."""


def _complete_document(decision: Decision) -> DecisionDocument:
    """The decision's document; refused while its figures cannot be computed (a linked
    position's grade without a rate): a record is what the council decided, never a paper
    with an error box instead of figures."""
    doc = document_for(decision)
    if doc.costing_error:
        raise ValidationError(
            "Die Beschlussfassung kann nicht festgehalten werden, weil die finanziellen "
            f"Auswirkungen unvollständig sind: {doc.costing_error} Bitte zuerst den fehlenden "
            "Kostensatz ergänzen (Kämmerei). Nichts wurde gespeichert."
        )
    return doc


def _archive_html(decision: Decision, doc: DecisionDocument, adopted_on: date) -> str:
    try:
        return decision_html(decision, doc, adopted_on=adopted_on)
    except RecursionError:  # e.g. Markdown nested beyond what the renderer can handle
        raise ValidationError(UNRENDERABLE) from None


UNRENDERABLE = (
    "Das PDF der Beschlussvorlage kann nicht erzeugt werden (zu tief verschachtelter Text); "
    "bitte den Text kürzen. Nichts wurde festgehalten."
)


def decision_prepare_record(decision: Decision, *, adopted_on: date) -> PreparedRecord:
    """Render the PDF/A of the paper as it would be adopted on `adopted_on`, writing nothing:
    the slow part of an adoption, which a job does before its short transaction. Refused
    (ValidationError, German) while the figures are incomplete or the text cannot be laid
    out."""
    html = _archive_html(decision, _complete_document(decision), adopted_on)
    return PreparedRecord(adopted_on, _sha256(html), _render_archive(html))


def _sha256(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()


def _render_archive(html: str) -> bytes:
    try:
        return render_pdf(html, archive=True)
    except RecursionError:  # nested beyond what the PDF renderer can lay out
        raise ValidationError(UNRENDERABLE) from None


def _freeze(
    decision: Decision,
    *,
    adopted_on: date,
    acting_user: User | None,
    status_change: StatusChange | None = None,
    reason: str = "",
    prepared: PreparedRecord | None = None,
) -> AdoptedRecord:
    """Store what the decision shows and prints now as its next adopted record.

    With `prepared` its PDF/A is stored if it is of the paper as it prints now (same HTML),
    else RecordOutdated; without, the PDF/A is rendered here.
    """
    doc = _complete_document(decision)
    html = _archive_html(decision, doc, adopted_on)
    if prepared is None:
        pdf = _render_archive(html)
    elif (prepared.adopted_on, prepared.html_sha256) == (adopted_on, _sha256(html)):
        pdf = prepared.pdf
    else:
        raise RecordOutdated(decision.pk)
    last = AdoptedRecord.objects.filter(decision=decision).aggregate(last=Max("sequence"))["last"]
    data = record_data(doc)
    record = AdoptedRecord(
        decision=decision,
        sequence=(last or 0) + 1,
        adopted_on=adopted_on,
        status_change=status_change,
        acting_user=acting_user,
        reason=reason,
        **record_columns(data),
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
    )
    record.full_clean()
    record.save()
    _bring_into_plan(decision, data.positions, adopted_on=adopted_on, acting_user=acting_user)
    return record


def _bring_into_plan(
    decision: Decision,
    positions: Sequence[PositionAsAdopted],
    *,
    adopted_on: date,
    acting_user: User | None,
) -> None:
    """The positions the paper decided become its changes of the Stellenplan (issue 22):
    Schaffung (or Hebung, Umsetzung … of a position that existed before) by its GRDrs,
    wirksam ab the decided start, im Vorgriff where before the plan year; idempotent
    (``stellenplan.plan_services.decided_changes_record``). A Mitteilungsvorlage decides
    nothing."""
    if decision.kind != Decision.Kind.RESOLUTION or not decision.number or not positions:
        return
    linked_at: dict[int, Any] = {}
    added = DecisionPosition.history.filter(decision_id=decision.pk, history_type="+")
    for position_id, when in added.order_by("history_date").values_list(
        "position_id", "history_date"
    ):
        linked_at.setdefault(position_id, when)
    decided_changes_record(
        acting_user=acting_user,
        grdrs=decision.number,
        decided_on=adopted_on,
        positions=[DecidedPosition(p.id, linked_at.get(p.id)) for p in positions],
    )


def _check_change(decision: Decision, status: str, on: date) -> None:
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
    if status in NEEDS_NUMBER and not decision.number:
        raise ValidationError(
            {
                "status": f"Für „{labels[status]}“ braucht die Beschlussvorlage eine "
                "GRDrs-Nummer: bitte zuerst unter „Bearbeiten“ eintragen."
            }
        )
    _check_status_date(decision, on)
    if status in DECIDED:
        _check_decided(decision, status, on)


#: The statuses only the deciding body's result gives a paper, and the results that give them.
DECIDED: dict[str, tuple[str, ...]] = {
    Status.ADOPTED: (Result.APPROVED, Result.APPROVED_AMENDED),
    Status.REJECTED: (Result.REJECTED,),
}


def deciding_step(decision: Decision) -> ConsultationStep | None:
    """The step of the deciding body (zur Beschlussfassung) still to decide or decided: the one
    not vertagt; None if the Beratungsfolge has none. More than one: a German refusal."""
    steps = list(
        decision.consultation_steps.filter(purpose=ConsultationStep.Purpose.RESOLUTION)
        .exclude(result=Result.POSTPONED)
        .select_related("committee", "meeting")
    )
    if len(steps) > 1:
        names = ", ".join(step.committee.name for step in steps)
        raise ValidationError(
            f"Die Beratungsfolge nennt {len(steps)} Schritte zur Beschlussfassung ({names}); "
            "genau ein Gremium entscheidet. Bitte die Beratungsfolge berichtigen."
        )
    return steps[0] if steps else None


def _check_decided(decision: Decision, status: str, on: date) -> None:
    """ "beschlossen" and "abgelehnt" only from the deciding body's result, on or after its
    meeting: never before the Gemeinderat has met and decided so."""
    label = dict(Status.choices)[status]
    if decision.kind == Decision.Kind.NOTICE:
        raise ValidationError(
            {
                "status": f"Eine Mitteilungsvorlage wird nicht {label}, sondern zur Kenntnis genommen."
            }
        )
    step = deciding_step(decision)
    if step is None:
        raise ValidationError(
            {
                "status": f"„{label}“ kommt aus dem Ergebnis der Beschlussfassung, aber die "
                "Beratungsfolge nennt kein Gremium zur Beschlussfassung."
            }
        )
    if step.meeting is None:
        raise ValidationError(
            {
                "status": f"„{label}“ erst nach der Sitzung des entscheidenden Gremiums "
                f"({step.committee.name}): die Vorlage steht noch auf keiner Tagesordnung."
            }
        )
    day = step.meeting.day
    if on < day:
        raise ValidationError(
            {
                "date": f"„{label}“ frühestens am Tag der Sitzung des entscheidenden Gremiums "
                f"({step.committee.name} am {day:%d.%m.%Y}), nicht am {on:%d.%m.%Y}."
            }
        )
    if step.result not in DECIDED[status]:
        found = f"„{step.get_result_display()}“" if step.result else "noch keines"
        raise ValidationError(
            {
                "status": f"„{label}“ nur mit dem entsprechenden Ergebnis der Sitzung "
                f"{step.committee.name} am {day:%d.%m.%Y} (Ergebnis: {found}). Bitte das "
                "Ergebnis in der Tagesordnung der Sitzung eintragen."
            }
        )


def check_status_change(
    *, decision: Decision, status: str, expected_version: int, on: date | None = None
) -> date:
    """Refuse (ValidationError, ConcurrentEditError: German) a status change that
    ``decision_change_status`` would refuse, writing nothing; for "beschlossen" also figures
    that cannot be computed. Cheap enough for the request that starts an adoption job.
    Returns the date of the change."""
    fresh = Decision.objects.filter(pk=decision.pk).first()
    if fresh is None or fresh.version != expected_version:
        raise stale_error(decision.pk, expected_version)
    on = on or timezone.localdate()
    _check_change(fresh, status, on)
    if status == Status.ADOPTED:
        _complete_document(fresh)
    return on


@transaction.atomic
def decision_change_status(
    *,
    decision: Decision,
    status: str,
    acting_user: User | None,
    expected_version: int,
    on: date | None = None,
    comment: str = "",
    prepared: PreparedRecord | None = None,
) -> StatusChange:
    """Move the decision to `status`, recording date, acting user and comment.

    Needs a GRDrs number for "eingebracht" and later; the date may be neither in the future
    nor before the decision's own date. "beschlossen" and "abgelehnt" need the deciding
    body's matching result and a date on or after its meeting (``_check_decided``). "beschlossen" freezes the adopted record, with the
    PDF/A `prepared` by a job if it is still the paper's (else RecordOutdated, nothing
    written). A paper that is public afterwards gets its public PDFs rendered after the
    commit (``schedule_public_pdf``).
    """
    decision = _claim(decision, expected_version, acting_user)
    on = on or timezone.localdate()
    _check_change(decision, status, on)
    change = StatusChange(
        decision=decision,
        from_status=decision.status,
        to_status=status,
        date=on,
        acting_user=acting_user,
        comment=comment,
    )
    change.full_clean()
    change.save()
    decision.status = status
    with acting_as(acting_user):
        decision.save(update_fields=["status"])
    if status == Status.ADOPTED:
        _freeze(
            decision,
            adopted_on=on,
            acting_user=acting_user,
            status_change=change,
            prepared=prepared,
        )
    return change


@transaction.atomic
def decision_reopen(
    *,
    decision: Decision,
    reason: str,
    acting_user: User | None,
    expected_version: int,
    on: date | None = None,
) -> StatusChange:
    """An administrator moves a beschlossen or abgelehnt paper back to "eingebracht".

    The adopted records stay as history; adopting again stores a new record. The changes of
    the Stellenplan its adoption wrote are taken back (``decided_changes_withdraw``).
    """
    if not can_reopen(acting_user):
        raise ValidationError(
            "Nur eine Administratorin oder ein Administrator kann einen endgültigen Status "
            "wieder öffnen."
        )
    reason = _required_reason(reason)
    decision = _claim(decision, expected_version, acting_user)
    if decision.status not in REOPENABLE:
        raise ValidationError(
            {
                "status": f"Die Beschlussvorlage ist {decision.get_status_display()}; nur "
                "„beschlossen“ oder „abgelehnt“ kann wieder geöffnet werden."
            }
        )
    on = on or timezone.localdate()
    _check_status_date(decision, on)
    change = StatusChange(
        decision=decision,
        from_status=decision.status,
        to_status=Status.SUBMITTED,
        date=on,
        acting_user=acting_user,
        comment=f"Wieder geöffnet: {reason}",
    )
    change.full_clean()
    change.save()
    if decision.status == Status.ADOPTED and decision.number:
        # no longer decided: the changes its adoption wrote go (a new adoption writes them
        # again); changes the Personalamt recorded by hand with this GRDrs stay
        decided_changes_withdraw(acting_user=acting_user, grdrs=decision.number)
    decision.status = Status.SUBMITTED
    with acting_as(acting_user):
        decision.save(update_fields=["status"])
    return change


@transaction.atomic
def decision_record_again(
    *, decision: Decision, reason: str, acting_user: User | None, expected_version: int
) -> AdoptedRecord:
    """Store a new version of an adopted decision's record from today's data, with a reason.

    A deliberate, attributed correction ("Beschlussfassung neu festhalten"); the previous
    record stays unchanged. The adoption date stays that of the newest record.
    """
    if not can_reopen(acting_user):
        raise ValidationError(
            "Nur eine Administratorin oder ein Administrator kann eine Beschlussfassung neu "
            "festhalten."
        )
    reason = _required_reason(reason)
    decision = _claim(decision, expected_version, acting_user)
    if decision.status != Status.ADOPTED:
        raise ValidationError(
            f"Die Beschlussvorlage ist {decision.get_status_display()}, nicht beschlossen: "
            "es gibt keine Beschlussfassung festzuhalten."
        )
    previous = AdoptedRecord.objects.filter(decision=decision).order_by("-sequence").first()
    adopted_on = previous.adopted_on if previous else _adoption_date(decision)
    return _freeze(decision, adopted_on=adopted_on, acting_user=acting_user, reason=reason)


def _adoption_date(decision: Decision) -> date:
    change = (
        StatusChange.objects.filter(decision=decision, to_status=Status.ADOPTED)
        .order_by("-recorded_at", "-id")
        .first()
    )
    return change.date if change else decision.date


LEGACY_REASON = "Nachträglich festgehalten: beschlossen vor Einführung der Festschreibung"


@transaction.atomic
def decisions_freeze_unrecorded(*, acting_user: User | None) -> list[AdoptedRecord]:
    """Give every adopted decision without a record one (data adopted before records
    existed, e.g. loaded reference data): frozen as it is now, marked as such."""
    unrecorded = Decision.objects.filter(status=Status.ADOPTED, adopted_records__isnull=True)
    return [
        _freeze(
            decision,
            adopted_on=_adoption_date(decision),
            acting_user=acting_user,
            reason=LEGACY_REASON,
        )
        for decision in unrecorded.order_by("pk")
    ]


@dataclass(frozen=True)
class PartChanges:
    """What the editor submits for one part of a paper (its steps, points, sections …):
    the rows to save, each as (id, field values) with id None for a new row, and the ids of
    the rows to delete."""

    model: type[models.Model]
    saved: Sequence[tuple[int | None, Mapping[str, Any]]] = ()
    deleted: Sequence[int] = ()


def _apply(instance: models.Model, data: Mapping[str, Any]) -> dict[str, Any]:
    """Set the field values of `data` on `instance` as a model form does; the many-to-many
    values, to set once it is saved, are returned. Then the model's field rules and its
    ``clean()``; the uniqueness the database decides at the save (``_save_number_safely``)."""
    related = {}
    for name, value in data.items():
        field = instance._meta.get_field(name)
        if field.many_to_many:
            related[name] = value
        elif isinstance(field, models.Field):
            field.save_form_data(instance, value)
    others = [f.name for f in instance._meta.fields if f.name not in data]
    instance.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    return related


def _save_number_safely(decision: Decision, data: Mapping[str, Any]) -> Decision:
    """Save `data` onto the decision; a GRDrs number taken meanwhile (two saves at once, past
    the form's own check) becomes the German message on the number field, not a 500."""
    related = _apply(decision, data)
    number = decision.number
    try:
        with transaction.atomic():
            decision.save()
            for name, value in related.items():
                getattr(decision, name).set(value)
    except IntegrityError:
        taken = Decision.objects.filter(number=number).exclude(pk=decision.pk)
        if number and taken.exists():
            raise ValidationError({"number": NUMBER_TAKEN}) from None
        raise
    return decision


def _save_part(decision: Decision, part: PartChanges) -> None:
    """Delete and save the rows of one part of `decision` (only rows of this paper)."""
    rows = part.model._default_manager.filter(decision=decision)
    _free_annex_numbers(decision, part)
    for gone in rows.filter(pk__in=part.deleted):
        gone.delete()
    for pk, values in part.saved:
        row: models.Model | None = (
            rows.filter(pk=pk).first() if pk is not None else part.model(decision=decision)
        )
        if row is None:  # only through another way than this paper's editor (e.g. the admin)
            raise ValidationError(
                f"Eine Zeile „{part.model._meta.verbose_name}“ wurde inzwischen gelöscht; "
                "nichts wurde gespeichert. Bitte die Seite neu laden."
            )
        _apply(row, values)
        if isinstance(row, ConsultationStep):
            row.updated_at = timezone.now()  # OParl's "modified" of the consultation
        row.save()


@transaction.atomic
def decision_create(
    *, data: Mapping[str, Any], parts: Iterable[PartChanges] = (), acting_user: User | None
) -> Decision:
    """Save a new decision (Entwurf) from its field values and the rows of its parts."""
    with acting_as(acting_user):
        decision = _save_number_safely(Decision(), data)
        for part in parts:
            _save_part(decision, part)
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
    *,
    decision: Decision,
    expected_version: int,
    acting_user: User | None,
    data: Mapping[str, Any] | None = None,
    parts: Iterable[PartChanges] = (),
) -> Decision:
    """Save the edited field values (`data`) and parts of an editable decision in one
    transaction: the one-page editor sends every part (Beratungsfolge, Beschlussantrag,
    Begründung, linked positions, Finanzen, Unterschriften, Anlagen) at once; a part that
    fails its checks refuses the whole save.

    Refused as a whole when the decision or any of its parts was saved since the user opened
    the page (`expected_version`), so a stale part never overwrites or resurrects rows.
    """
    fresh = _claim(decision, expected_version, acting_user)
    ensure_editable(fresh)
    with acting_as(acting_user):
        if data is not None:
            fresh = _save_number_safely(fresh, data)
            if fresh.status in NEEDS_NUMBER and not fresh.number:
                raise ValidationError(
                    {
                        "number": f"Eine {fresh.get_status_display()}e Beschlussvorlage braucht "
                        "ihre GRDrs-Nummer; sie kann geändert, aber nicht gelöscht werden."
                    }
                )
        for part in parts:
            _save_part(fresh, part)
            if part.model is DecisionPosition:
                _renumber(fresh)  # the Anlage numbers its positions 1, 2, 3 … without gaps
    return fresh


def _free_annex_numbers(decision: Decision, part: PartChanges) -> None:
    """Annex numbers are unique per paper: before a save that swaps or shifts them (the
    editor reorders Anlagen), the annexes that change their number or go get a free number
    above every number in use, so no row collides with one not yet saved."""
    if part.model is not Annex:
        return
    current = dict(Annex.objects.filter(decision=decision).values_list("pk", "number"))
    moving = [pk for pk in part.deleted if pk in current] + [
        pk
        for pk, values in part.saved
        if pk in current and "number" in values and values["number"] != current[pk]
    ]
    if not moving:
        return
    wanted = [values.get("number") or 0 for _, values in part.saved]
    free = max([*current.values(), *wanted, 0]) + 1
    for offset, pk in enumerate(moving):
        Annex.objects.filter(pk=pk).update(number=free + offset)


def _renumber(decision: Decision) -> list[DecisionPosition]:
    links = list(DecisionPosition.objects.filter(decision=decision).order_by("order", "id"))
    for number, link in enumerate(links, start=1):
        if link.order != number:
            link.order = number
            link.save(update_fields=["order"])
    return links


@transaction.atomic
def decision_add_position(
    *, decision: Decision, position: Position, acting_user: User | None, expected_version: int
) -> DecisionPosition:
    """Link a position at the end of the Anlage order."""
    decision = _claim(decision, expected_version, acting_user)
    ensure_editable(decision)
    if DecisionPosition.objects.filter(decision=decision, position=position).exists():
        raise ValidationError(
            f"Die Stelle {position.org_unit.code} „{position.title}“ ist schon verknüpft."
        )
    last = DecisionPosition.objects.filter(decision=decision).aggregate(last=Max("order"))["last"]
    link = DecisionPosition(decision=decision, position=position, order=(last or 0) + 1)
    link.full_clean()
    with acting_as(acting_user):
        link.save()
    return link


@transaction.atomic
def decision_remove_position(
    *, decision: Decision, link: DecisionPosition, acting_user: User | None, expected_version: int
) -> None:
    decision = _claim(decision, expected_version, acting_user)
    ensure_editable(decision)
    if link.decision_id != decision.pk:
        raise ValidationError("Diese Stelle gehört nicht zu dieser Beschlussvorlage.")
    with acting_as(acting_user):
        link.delete()
        _renumber(decision)


@transaction.atomic
def decision_move_position(
    *,
    decision: Decision,
    link: DecisionPosition,
    direction: str,
    acting_user: User | None,
    expected_version: int,
) -> None:
    """Move a linked position one place up or down in the Anlage order."""
    if direction not in ("up", "down"):
        raise ValidationError(f"Unbekannte Richtung „{direction}“ (erlaubt: up, down).")
    decision = _claim(decision, expected_version, acting_user)
    ensure_editable(decision)
    with acting_as(acting_user):
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


class PositionLinkedError(DeleteRefusedError):
    """A position cannot be deleted because papers link it; ``papers`` are those papers (the
    pages name and link them: this app knows no URLs)."""

    def __init__(self, message: str, papers: Sequence[Decision]) -> None:
        super().__init__(message)
        self.papers = list(papers)


@transaction.atomic
def decided_position_delete(
    *,
    position: Position,
    acting_user: User | None,
    expected_version: int,
    authority: ChangeAuthority | None = None,
) -> None:
    """Delete a position, minding the papers that link it (issue 22).

    A paper still open (Entwurf, eingebracht, zurückgezogen) or abgelehnt keeps its positions:
    refused (``PositionLinkedError`` naming the papers). A position an adopted paper decided
    is deleted only as a Streichung with its basis (`authority`: the GRDrs that abolishes it
    or a Stellenplan), recorded as a change of the Stellenplan; its links to adopted papers go
    (their records keep the position as decided, and the paper shows the deletion under
    "Abweichungen seit Beschluss"). Otherwise as ``stellenplan.services.position_delete``.
    """
    links = list(
        DecisionPosition.objects.filter(position=position)
        .select_related("decision")
        .order_by("decision__date", "decision_id")
    )
    open_papers = [link.decision for link in links if link.decision.status != Status.ADOPTED]
    if open_papers:
        names = ", ".join(
            f"{paper.grdrs_label} ({paper.get_status_display()})" for paper in open_papers
        )
        raise PositionLinkedError(
            f"Die Stelle „{position}“ kann nicht gelöscht werden: sie ist mit {names} "
            "verknüpft. Bitte die Stelle zuerst dort entfernen.",
            open_papers,
        )
    decided = [link.decision for link in links]
    if decided and authority is None:
        names = ", ".join(paper.grdrs_label for paper in decided)
        raise PositionLinkedError(
            f"Die Stelle „{position}“ wurde durch {names} beschlossen: sie kann nur mit ihrer "
            "Streichung gelöscht werden. Bitte die Grundlage der Streichung angeben (GRDrs "
            "oder Stellenplan).",
            decided,
        )
    with acting_as(acting_user):
        for link in links:
            link.delete()
    position_delete(
        acting_user=acting_user,
        position=position,
        expected_version=expected_version,
        authority=authority,
    )
