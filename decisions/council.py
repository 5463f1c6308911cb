"""The Beratungsfolge as a worklist (issue 22): Gremien, Sitzungen, their agendas and results.

Writes only, each a service with the acting user (HackSoft style), in one transaction:

- ``committee_create`` / ``committee_update``, ``meeting_create`` / ``meeting_update``:
  versioned like every edited object (``versioned_update``); a meeting moved to another day
  takes the Sitzungstermin of its agenda items along (``ConsultationStep.meeting_date`` is the
  meeting's day whenever a step is on a meeting: one truth).
- ``step_schedule``: a step of the paper's Beratungsfolge goes on the agenda of a meeting of
  its committee with a TOP (unique within the meeting).
- ``meeting_record_results``: the Sitzungsdienst enters the results of a meeting's agenda in
  one form. A result is dated on or after the meeting and not in the future. The deciding
  body's result moves the paper: "zugestimmt" / "mit Änderungen zugestimmt" adopts it through
  the adoption job (dated with the result date), "abgelehnt" rejects it; a Vorberatung's result
  is recorded only. "vertagt" keeps the step with its meeting and result (the meeting's agenda
  keeps showing it) and continues the paper in a new step of the same committee
  (``postponed_from``), to be placed on a later meeting.
- ``decision_amend``: an Ergänzungs- or Austauschvorlage of a paper: a new draft under the
  paper's GRDrs number with the suffix "Ergänzung" / "Austausch" (a second one "Ergänzung 2"),
  linked both ways (``amends`` / ``amendments``); the original stays as it is, readable, and
  shows "ersetzt durch …" once an Austauschvorlage exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from core.concurrency import editable_only, versioned_update
from core.history import acting_as
from core.models import Job
from core.users import User
from decisions.adoption_jobs import start_decision_adoption
from decisions.models import (
    Committee,
    ConsultationStep,
    Decision,
    DecisionPosition,
    DecisionReference,
    Meeting,
    StatusChange,
)
from decisions.services import (
    DECIDED,
    _claim,
    deciding_step,
    decision_change_status,
)

Result = ConsultationStep.Result
Status = Decision.Status

COMMITTEE_FIELDS = ("name", "short_name", "classification", "active")
MEETING_FIELDS = ("committee", "start", "end", "location", "cancelled")
#: The results of the deciding body that give the paper its final status.
DECIDING_RESULTS = (*DECIDED[Status.ADOPTED], *DECIDED[Status.REJECTED])
M = TypeVar("M", bound=models.Model)
TOP_TAKEN = "Der TOP {number} ist in dieser Sitzung schon vergeben."


# --- Gremien ---------------------------------------------------------------------------------


def _create(
    model: type[M], fields: Sequence[str], data: Mapping[str, Any], acting_user: User | None
) -> M:
    editable_only(data, fields)
    instance = model(**data)
    instance.full_clean()
    with acting_as(acting_user):
        instance.save()
    return instance


def _update(
    instance: M,
    fields: Sequence[str],
    *,
    acting_user: User | None,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None,
) -> M:
    """The version-checked save of a committee or meeting, with a new ``updated_at``."""
    editable_only(data, fields)
    return versioned_update(
        instance,
        acting_user=acting_user,
        expected_version=expected_version,
        data={**data, "updated_at": timezone.now()},
        opened=opened,
    )


# --- Gremien ---------------------------------------------------------------------------------


@transaction.atomic
def committee_create(*, acting_user: User | None, data: Mapping[str, Any]) -> Committee:
    return _create(Committee, COMMITTEE_FIELDS, data, acting_user)


@transaction.atomic
def committee_update(
    *,
    acting_user: User | None,
    instance: Committee,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> Committee:
    """Change a committee (name, short name, Art, active). A new name shows on every paper that
    goes to it; for a committee that was renamed by the council, create a new one instead and
    set this one inactive, so earlier papers keep the name they were sent to."""
    return _update(
        instance,
        COMMITTEE_FIELDS,
        acting_user=acting_user,
        expected_version=expected_version,
        data=data,
        opened=opened,
    )


# --- Sitzungen -------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(*, acting_user: User | None, data: Mapping[str, Any]) -> Meeting:
    return _create(Meeting, MEETING_FIELDS, data, acting_user)


@transaction.atomic
def meeting_update(
    *,
    acting_user: User | None,
    instance: Meeting,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> Meeting:
    """Change a meeting. Its agenda items take a new day along; refused while the agenda has
    items and the committee changes, or a result would then be dated before the meeting."""
    items = ConsultationStep.objects.filter(meeting=instance)
    committee = data.get("committee", instance.committee)
    if committee != instance.committee and items.exists():
        raise ValidationError(
            {
                "committee": f"Die Sitzung hat {items.count()} Tagesordnungspunkte des Gremiums "
                f"{instance.committee.name}; das Gremium kann nicht mehr geändert werden."
            }
        )
    meeting = _update(
        instance,
        MEETING_FIELDS,
        acting_user=acting_user,
        expected_version=expected_version,
        data=data,
        opened=opened,
    )
    day = meeting.day
    early = items.filter(result_date__lt=day).first()
    if early is not None:
        raise ValidationError(
            {
                "start": f"Das Ergebnis zu TOP {early.agenda_number or '–'} ist vom "
                f"{early.result_date:%d.%m.%Y}, vor dem neuen Sitzungstag {day:%d.%m.%Y}."
            }
        )
    with acting_as(acting_user):
        for step in items.exclude(meeting_date=day):
            step.meeting_date = day
            step.updated_at = timezone.now()
            step.save(update_fields=["meeting_date", "updated_at"])
    return meeting


def _touch(meeting: Meeting) -> None:
    """A change of the agenda is a change of the meeting (OParl ``modified``)."""
    Meeting.objects.filter(pk=meeting.pk).update(updated_at=timezone.now())


# --- the agenda ------------------------------------------------------------------------------


@transaction.atomic
def step_schedule(
    *,
    step: ConsultationStep,
    meeting: Meeting,
    agenda_number: str,
    acting_user: User | None,
    expected_version: int,
) -> ConsultationStep:
    """Put `step` on the agenda of `meeting` (a meeting of the step's committee) as TOP
    `agenda_number`; a step already on a meeting moves (as long as it has no result).
    `expected_version`: the paper's version the page showed."""
    decision = _claim(step.decision, expected_version, acting_user)
    step = ConsultationStep.objects.select_related("committee", "meeting").get(pk=step.pk)
    if step.result:
        raise ValidationError(
            f"Der Schritt {step.committee.name} hat schon ein Ergebnis "
            f"({step.get_result_display()}) und bleibt auf seiner Sitzung."
        )
    if meeting.committee_id != step.committee_id:
        raise ValidationError(
            {
                "meeting": f"Die Sitzung „{meeting}“ ist eine Sitzung des Gremiums "
                f"{meeting.committee.name}, der Schritt geht an {step.committee.name}."
            }
        )
    if meeting.cancelled:
        raise ValidationError({"meeting": f"Die Sitzung „{meeting}“ ist abgesagt."})
    if decision.status not in (Status.DRAFT, Status.SUBMITTED):
        raise ValidationError(
            f"Die Beschlussvorlage ist {decision.get_status_display()}; ihre Beratungsfolge "
            "wird nicht mehr terminiert."
        )
    previous = step.meeting
    step.meeting = meeting
    step.meeting_date = meeting.day
    step.agenda_number = (agenda_number or "").strip()
    step.updated_at = timezone.now()
    _save_step(step, acting_user)
    for touched in {m for m in (previous, meeting) if m is not None}:
        _touch(touched)
    return step


def _save_step(step: ConsultationStep, acting_user: User | None) -> None:
    """Validate and save a step; a TOP taken meanwhile is the German message, not a 500."""
    step.full_clean(validate_constraints=False)
    try:
        with transaction.atomic(), acting_as(acting_user):
            step.save()
    except IntegrityError:
        if step.agenda_number and (
            ConsultationStep.objects.filter(meeting=step.meeting, agenda_number=step.agenda_number)
            .exclude(pk=step.pk)
            .exists()
        ):
            raise ValidationError(
                {"agenda_number": TOP_TAKEN.format(number=step.agenda_number)}
            ) from None
        raise


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultEntry:
    """One row of the worklist form: a step of the meeting and what was decided."""

    step_id: int
    result: str
    result_date: date | None
    note: str = ""
    agenda_number: str | None = None  # None: unchanged


@dataclass
class ResultsOutcome:
    """What entering a meeting's results did: steps changed, papers rejected, adoption jobs
    started, steps created for vertagt items."""

    changed: list[ConsultationStep]
    rejected: list[Decision]
    adoptions: list[Job]
    continued: list[ConsultationStep]


@transaction.atomic
def meeting_record_results(
    *,
    meeting: Meeting,
    entries: Sequence[ResultEntry],
    acting_user: User | None,
    expected_version: int,
) -> ResultsOutcome:
    """Enter the results of `meeting`'s agenda (the worklist) in one transaction; refused as a
    whole (German ValidationError naming the TOP) if one of them is not possible. A changed
    meeting since the page was opened (`expected_version`) is a ConcurrentEditError."""
    meeting = versioned_update(
        meeting,
        acting_user=acting_user,
        expected_version=expected_version,
        data={"updated_at": timezone.now()},
    )
    items = {
        step.pk: step
        for step in ConsultationStep.objects.filter(meeting=meeting).select_related(
            "decision", "committee"
        )
    }
    outcome = ResultsOutcome([], [], [], [])
    decided: list[tuple[ConsultationStep, int]] = []
    for entry in entries:
        step = items.get(entry.step_id)
        if step is None:
            raise ValidationError(
                "Ein Tagesordnungspunkt gehört nicht (mehr) zu dieser Sitzung; nichts wurde "
                "gespeichert. Bitte die Seite neu laden."
            )
        wanted = (entry.result, entry.result_date, entry.note.strip())
        top = step.agenda_number if entry.agenda_number is None else entry.agenda_number.strip()
        if (
            step.result,
            step.result_date,
            step.result_note,
        ) == wanted and top == step.agenda_number:
            continue
        version = _record_result(step, meeting, entry, top, acting_user)
        outcome.changed.append(step)
        if step.result == Result.POSTPONED and not hasattr(step, "postponed_to"):
            outcome.continued.append(_continue(step, acting_user))
        if step.authoritative and step.result in DECIDING_RESULTS:
            decided.append((step, version))
    for step, version in decided:
        decision = step.decision
        assert step.result_date is not None
        comment = f"{step.committee.name} am {meeting.day:%d.%m.%Y}" + (
            f", TOP {step.agenda_number}" if step.agenda_number else ""
        )
        if step.result == Result.REJECTED:
            decision_change_status(
                decision=decision,
                status=Status.REJECTED,
                acting_user=acting_user,
                expected_version=version,
                on=step.result_date,
                comment=comment,
            )
            outcome.rejected.append(decision)
        else:
            outcome.adoptions.append(
                start_decision_adoption(
                    decision,
                    acting_user=acting_user,
                    expected_version=version,
                    on=step.result_date,
                    comment=comment,
                )
            )
    return outcome


def _record_result(
    step: ConsultationStep,
    meeting: Meeting,
    entry: ResultEntry,
    top: str,
    acting_user: User | None,
) -> int:
    """Check and save one result; returns the paper's version after the change."""
    where = f"TOP {step.agenda_number}" if step.agenda_number else f"„{step.decision.grdrs_label}“"
    if entry.result and entry.result not in Result.values:
        raise ValidationError(f"{where}: unbekanntes Ergebnis „{entry.result}“.")
    if entry.result and entry.result_date is None:
        raise ValidationError(f"{where}: bitte das Datum des Ergebnisses angeben.")
    if entry.result_date is not None and not entry.result:
        raise ValidationError(f"{where}: ein Datum ohne Ergebnis; bitte das Ergebnis wählen.")
    if entry.result:
        if meeting.cancelled:
            raise ValidationError(f"{where}: die Sitzung ist abgesagt und hat keine Ergebnisse.")
        assert entry.result_date is not None
        if entry.result_date < meeting.day:
            raise ValidationError(
                f"{where}: das Datum des Ergebnisses ({entry.result_date:%d.%m.%Y}) liegt vor "
                f"der Sitzung am {meeting.day:%d.%m.%Y}."
            )
        today = timezone.localdate()
        if entry.result_date > today:
            raise ValidationError(
                f"{where}: das Datum des Ergebnisses ({entry.result_date:%d.%m.%Y}) liegt in der "
                f"Zukunft (heute ist {today:%d.%m.%Y})."
            )
    decision = step.decision
    if (
        step.result == Result.POSTPONED
        and hasattr(step, "postponed_to")
        and entry.result != step.result
    ):
        raise ValidationError(
            f"{where}: „vertagt“ ist eingetragen und die Vorlage wird in einem neuen Schritt "
            "weiterberaten; das Ergebnis bleibt."
        )
    if step.authoritative and (step.result or entry.result):
        if decision.status in (Status.ADOPTED, Status.REJECTED) and entry.result != step.result:
            raise ValidationError(
                f"{where}: die Vorlage ist schon {decision.get_status_display()}; das Ergebnis "
                "der Beschlussfassung ändert nur, wer den Status wieder öffnet."
            )
        if decision.status != Status.SUBMITTED and entry.result in DECIDING_RESULTS:
            raise ValidationError(
                f"{where}: die Vorlage ist {decision.get_status_display()}, nicht eingebracht; "
                "sie kann so nicht beschlossen werden."
            )
        if deciding_step(decision) != step and entry.result:
            raise ValidationError(f"{where}: dieser Schritt entscheidet die Vorlage nicht.")
    current = Decision.objects.only("version").get(pk=decision.pk).version
    claimed = _claim(decision, current, acting_user)
    step.decision = claimed
    step.result, step.result_date, step.result_note = (
        entry.result,
        entry.result_date,
        entry.note.strip(),
    )
    step.agenda_number = top
    step.updated_at = timezone.now()
    try:
        _save_step(step, acting_user)
    except ValidationError as error:
        raise ValidationError(f"{where}: {' '.join(error.messages)}") from None
    return claimed.version


def _continue(step: ConsultationStep, acting_user: User | None) -> ConsultationStep:
    """The new step of a vertagt one: same committee, purpose and Sitzungsart, no meeting yet."""
    follow = ConsultationStep(
        decision=step.decision,
        order=step.order,
        committee=step.committee,
        purpose=step.purpose,
        public=step.public,
        postponed_from=step,
    )
    _save_step(follow, acting_user)
    return follow


# --- Ergänzungs- und Austauschvorlagen -------------------------------------------------------

SUFFIX = {
    Decision.Amendment.SUPPLEMENT: "Ergänzung",
    Decision.Amendment.REPLACEMENT: "Austausch",
}


def amendment_suffix(original: Decision, kind: str) -> str:
    """ "Ergänzung" for the first Ergänzungsvorlage of a paper, "Ergänzung 2" for the second …"""
    base = SUFFIX[Decision.Amendment(kind)]
    count = Decision.objects.filter(amends=original, amendment_kind=kind).count()
    return base if count == 0 else f"{base} {count + 1}"


@transaction.atomic
def decision_amend(*, original: Decision, kind: str, acting_user: User | None) -> Decision:
    """A new draft Ergänzungs- or Austauschvorlage of `original` under its GRDrs number.

    It starts as a copy of the original's head, Beratungsfolge (without meetings and
    results) and linked positions; an Austauschvorlage also takes the text (Beschlussantrag,
    Begründung, Bezüge), which it then replaces. The original is not changed.
    """
    if kind not in SUFFIX:
        raise ValidationError({"kind": f"Unbekannte Art „{kind}“ (Ergänzung oder Austausch)."})
    if not original.number or original.amends_id is not None:
        raise ValidationError(
            "Eine Ergänzungs- oder Austauschvorlage gibt es nur zu einer ursprünglichen Vorlage "
            "mit GRDrs-Nummer."
        )
    if original.status in (Status.DRAFT, Status.WITHDRAWN):
        raise ValidationError(
            f"Die Vorlage ist {original.get_status_display()}: sie kann noch selbst geändert "
            "werden und braucht keine Ergänzungs- oder Austauschvorlage."
        )
    suffix = amendment_suffix(original, kind)
    with acting_as(acting_user):
        amendment = Decision(
            number=original.number,
            number_suffix=suffix,
            kind=original.kind,
            place=original.place,
            date=timezone.localdate(),
            file_reference=original.file_reference,
            project=original.project,
            title=original.title,
            involved_units=original.involved_units,
            spelling=original.spelling,
            amends=original,
            amendment_kind=kind,
        )
        amendment.full_clean()
        amendment.save()
        amendment.submitted_by.set(original.submitted_by.all())
        for step in original.consultation_steps.exclude(result=Result.POSTPONED):
            ConsultationStep.objects.create(
                decision=amendment,
                order=step.order,
                committee=step.committee,
                purpose=step.purpose,
                public=step.public,
            )
        DecisionPosition.objects.bulk_create(
            DecisionPosition(decision=amendment, position_id=link.position_id, order=link.order)
            for link in original.position_links.all()
        )
        DecisionReference.objects.create(
            decision=amendment, number=original.number, note=f"{suffix} zu dieser Vorlage"
        )
        if kind == Decision.Amendment.REPLACEMENT:
            _copy_text(original, amendment)
    StatusChange.objects.create(
        decision=amendment,
        from_status="",
        to_status=Status.DRAFT,
        date=timezone.localdate(),
        acting_user=acting_user,
        comment=f"angelegt als {dict(Decision.Amendment.choices)[kind]} zu {original.grdrs_label}",
    )
    return amendment


def _copy_text(original: Decision, amendment: Decision) -> None:
    for point in original.proposal_points.all():
        point.pk = None
        point.decision = amendment
        point.save()
    for section in original.reason_sections.all():
        section.pk = None
        section.decision = amendment
        section.save()
    for signatory in original.signatories.all():
        signatory.pk = None
        signatory.decision = amendment
        signatory.save()
