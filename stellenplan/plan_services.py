"""Writes of the Stellenplan itself: changes by type (with their authority), occupations
(Stellenbesetzung, internal) and the plans (drafts).

Every write is a keyword-only function with the acting user, runs in a transaction, validates
with ``full_clean()`` (German messages) and records who did it in the history. Edits of saved
objects are versioned (``core.concurrency``). Adopting a plan (and its frozen record) is not
here: an adopted plan is read-only for these functions.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q

from core.concurrency import editable_only, versioned_delete, versioned_update
from core.formatting import date_de, format_decimal, positions_word
from core.history import acting_as
from core.users import User
from departments.models import OrgUnit
from stellenplan.models import (
    Occupation,
    PayGrade,
    Position,
    PositionChange,
    PreviousYearFigure,
    StaffingPlan,
    TraineeCount,
)

Kind = PositionChange.Kind

# --- authority and changes --------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeAuthority:
    """What authorised a change of the Stellenplan and from when it applies.

    A council paper (``grdrs``, e.g. "647/2011") or a Stellenplan (``plan``), at least one;
    ``in_advance`` marks a Schaffung im Vorgriff on the next plan; ``explanation`` is the
    Erläuterung of the change.
    """

    effective_date: datetime.date
    grdrs: str = ""
    plan: StaffingPlan | None = None
    in_advance: bool = False
    explanation: str = ""
    #: written by the adoption of the paper `grdrs` (taken back when it is reopened)
    from_adoption: bool = False


def _fte_words(fte: Decimal | None) -> str:
    if fte is None:
        return ""
    return f"{format_decimal(fte)} {positions_word(fte)}"


def position_summary(position: Position) -> str:
    """How a change names its position, readable after the position or its unit is gone:
    "1,0 Stelle A 13 hD, 10-1 SB Controlling"."""
    unit = position.org_unit.code if position.org_unit_id else "?"
    grade = position.pay_grade.code if position.pay_grade_id else "?"
    return f"{_fte_words(position.fte)} {grade}, {unit} {position.title}"[:300]


@dataclass(frozen=True)
class PositionState:
    """The plan-relevant values of a position at one moment (before or after an edit)."""

    org_unit_id: int | None
    pay_grade_id: int | None
    fte: Decimal | None
    note: str
    note_date: datetime.date | None
    ku_target_grade_id: int | None
    end_date: datetime.date | None

    @classmethod
    def of(cls, position: Position) -> PositionState:
        return cls(
            org_unit_id=position.org_unit_id,
            pay_grade_id=position.pay_grade_id,
            fte=position.fte,
            note=position.note,
            note_date=position.note_date,
            ku_target_grade_id=position.ku_target_grade_id,
            end_date=position.end_date,
        )


def derive_changes(before: PositionState | None, after: PositionState | None) -> list[dict]:
    """The changes of the Stellenplan an edit of a position makes, as field values of
    ``PositionChange`` (without authority): ``before`` None is a Schaffung, ``after`` None
    (deleted) or a new or earlier end a Streichung; a grade up or down (by the grades' sort
    order, which lists the lower grades first: A 5 before A 16) a Hebung or Abwertung; another unit an
    Umsetzung; another share an Änderung des Stellenanteils; a kw/ku note added, its date or
    target moved, or removed: Anbringung, Verlängerung, Wegfall."""
    if before is None and after is None:
        return []
    if before is None:
        assert after is not None
        return [
            {
                "kind": Kind.CREATE,
                "org_unit_after_id": after.org_unit_id,
                "pay_grade_after_id": after.pay_grade_id,
                "fte_after": after.fte,
                "note_after": after.note,
                "note_date_after": after.note_date,
                "ku_target_grade_id": after.ku_target_grade_id,
            }
        ]
    if after is None:
        return [
            {
                "kind": Kind.ABOLISH,
                "org_unit_before_id": before.org_unit_id,
                "pay_grade_before_id": before.pay_grade_id,
                "fte_before": before.fte,
                "note_before": before.note,
            }
        ]
    found: list[dict] = []
    if before.pay_grade_id != after.pay_grade_id:
        orders = dict(
            PayGrade.objects.filter(pk__in=[before.pay_grade_id, after.pay_grade_id]).values_list(
                "pk", "sort_order"
            )
        )
        higher = orders.get(after.pay_grade_id or 0, 0) > orders.get(before.pay_grade_id or 0, 0)
        found.append(
            {
                "kind": Kind.UPGRADE if higher else Kind.DOWNGRADE,
                "pay_grade_before_id": before.pay_grade_id,
                "pay_grade_after_id": after.pay_grade_id,
            }
        )
    if before.org_unit_id != after.org_unit_id:
        found.append(
            {
                "kind": Kind.TRANSFER,
                "org_unit_before_id": before.org_unit_id,
                "org_unit_after_id": after.org_unit_id,
            }
        )
    if before.fte != after.fte:
        found.append({"kind": Kind.SHARE, "fte_before": before.fte, "fte_after": after.fte})
    note_values = {
        "note_before": before.note,
        "note_after": after.note,
        "note_date_after": after.note_date,
        "ku_target_grade_id": after.ku_target_grade_id,
    }
    if before.note and not after.note:
        found.append({"kind": Kind.NOTE_REMOVE, **note_values})
    elif after.note and before.note != after.note:
        found.append({"kind": Kind.NOTE_ADD, **note_values})
    elif after.note and (
        before.note_date != after.note_date or before.ku_target_grade_id != after.ku_target_grade_id
    ):
        found.append({"kind": Kind.NOTE_EXTEND, **note_values})
    if after.end_date is not None and (before.end_date is None or after.end_date < before.end_date):
        found.append(
            {
                "kind": Kind.ABOLISH,
                "org_unit_before_id": after.org_unit_id,
                "pay_grade_before_id": after.pay_grade_id,
                "fte_before": after.fte,
                "end_date": after.end_date,
            }
        )
    return found


def _authority_values(authority: ChangeAuthority, kind: str) -> dict[str, Any]:
    return {
        "effective_date": authority.effective_date,
        "grdrs": " ".join(authority.grdrs.split()),
        "plan": authority.plan,
        "in_advance": authority.in_advance and kind == Kind.CREATE,
        "explanation": authority.explanation.strip(),
        "from_adoption": authority.from_adoption,
    }


def _save_change(change: PositionChange, acting_user: User | None) -> PositionChange:
    change.full_clean(exclude=["version"])
    with acting_as(acting_user):
        change.save()
    return change


@transaction.atomic
def change_record(
    *,
    acting_user: User | None,
    kind: str,
    authority: ChangeAuthority,
    position: Position | None = None,
    summary: str = "",
    end_date: datetime.date | None = None,
    values: Mapping[str, Any] | None = None,
) -> PositionChange:
    """Record one change of the Stellenplan with its authority; ``values`` are the before/after
    fields (``pay_grade_before_id`` …). The summary defaults to the position's."""
    if kind not in Kind.values:
        raise ValidationError({"kind": f"Unbekannte Art der Änderung: „{kind}“."})
    data = dict(values or {})
    end_date = data.pop("end_date", None) if end_date is None else end_date
    data.pop("end_date", None)
    change = PositionChange(
        kind=kind,
        position=position,
        summary=(summary or (position_summary(position) if position is not None else ""))[:300],
        end_date=end_date,
        acting_user=acting_user if getattr(acting_user, "pk", None) else None,
        **_authority_values(authority, kind),
        **data,
    )
    return _save_change(change, acting_user)


def record_position_changes(
    *,
    acting_user: User | None,
    position: Position | None,
    before: PositionState | None,
    after: PositionState | None,
    authority: ChangeAuthority,
    summary: str = "",
) -> list[PositionChange]:
    """The changes an edit of `position` made (``derive_changes``), each with `authority`.
    Call inside the transaction of the edit."""
    return [
        change_record(
            acting_user=acting_user,
            kind=values.pop("kind"),
            authority=authority,
            position=position,
            summary=summary,
            values=values,
        )
        for values in derive_changes(before, after)
    ]


@transaction.atomic
def authorisation_record(
    *,
    acting_user: User | None,
    position: Position,
    authority: ChangeAuthority,
    end_date: datetime.date,
) -> PositionChange:
    """An Ermächtigung außerhalb des Stellenplans for `position` until `end_date`."""
    if end_date is None:
        raise ValidationError(
            {"end_date": "Eine Ermächtigung außerhalb des Stellenplans braucht ihr Ende."}
        )
    return change_record(
        acting_user=acting_user,
        kind=Kind.AUTHORISATION,
        authority=authority,
        position=position,
        end_date=end_date,
        values={
            "org_unit_after_id": position.org_unit_id,
            "pay_grade_after_id": position.pay_grade_id,
            "fte_after": position.fte,
        },
    )


@transaction.atomic
def change_update_explanation(
    *, acting_user: User | None, change: PositionChange, expected_version: int, explanation: str
) -> PositionChange:
    """Change the Erläuterung of a recorded change (the only field edited after recording)."""
    return versioned_update(
        change,
        acting_user=acting_user,
        expected_version=expected_version,
        data={"explanation": explanation.strip()},
    )


# --- what a council paper decided (issue 22) ---------------------------------------------------


def decided_in_advance(effective_date: datetime.date, decided_on: datetime.date) -> bool:
    """Whether a change a paper decided on `decided_on`, effective from `effective_date`, is im
    Vorgriff, i.e. before the plan year it belongs to.

    A year whose Stellenplan is a draft takes the change itself (not im Vorgriff); a year whose
    plan is adopted is closed, so the change belongs to the next plan (im Vorgriff); a year
    without a plan in the tool that has begun when the paper is decided had its plan outside
    the tool (im Vorgriff: GRDrs 647/2011, decided 06.10.2011, created two positions from
    01.10.2011 im Vorgriff auf den Stellenplan 2012/2013), a later one will get its plan (not
    im Vorgriff).
    """
    year = effective_date.year
    plan = StaffingPlan.objects.filter(first_year__lte=year, last_year__gte=year).first()
    if plan is not None:
        return plan.status == StaffingPlan.Status.ADOPTED
    return year <= decided_on.year


@dataclass(frozen=True)
class DecidedPosition:
    """A position as a paper decided it: its id and when it was linked to the paper (its
    state before that is what the paper changed, for a position that existed before)."""

    position_id: int
    linked_at: datetime.datetime | None = None


def _state_before(position: Position, since: datetime.datetime | None) -> PositionState | None:
    """The position's plan values just before `since` (its history), None if unknown."""
    if since is None:
        return None
    record = (
        Position.history.filter(id=position.pk, history_date__lt=since)
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )
    return PositionState.of(record.instance) if record is not None else None


@transaction.atomic
def decided_changes_record(
    *,
    acting_user: User | None,
    grdrs: str,
    decided_on: datetime.date,
    positions: Sequence[DecidedPosition],
) -> list[PositionChange]:
    """Bring the positions a paper (`grdrs`) decided into the Stellenplan as its changes.

    A position with a change by this GRDrs already keeps it (nothing is written twice). A
    position not created by another authority before is a Schaffung by this paper, wirksam ab
    its decided start, im Vorgriff as ``decided_in_advance`` says. A position that existed
    before (a Schaffung by another GRDrs or a Stellenplan) gets the changes between its state
    when it was linked to the paper and now (Hebung, Umsetzung, Anteil …, wirksam ab the later
    of its start and the decision); none if that state is unknown or the same.
    """
    grdrs = " ".join(grdrs.split())
    ids = [item.position_id for item in positions]
    done = set(
        PositionChange.objects.filter(position_id__in=ids, grdrs=grdrs).values_list(
            "position_id", flat=True
        )
    )
    created_before = set(
        PositionChange.objects.filter(position_id__in=ids, kind=Kind.CREATE)
        .exclude(grdrs=grdrs)
        .values_list("position_id", flat=True)
    )
    by_id = Position.objects.select_related("org_unit", "pay_grade").in_bulk(ids)
    written: list[PositionChange] = []
    for item in positions:
        position = by_id.get(item.position_id)
        if position is None or position.pk in done:
            continue
        before = None
        effective = position.start_date
        if position.pk in created_before:
            before = _state_before(position, item.linked_at)
            if before is None:
                continue  # existed before, its earlier state unknown: nothing to tell
            effective = max(position.start_date, decided_on)
        in_advance = decided_in_advance(effective, decided_on)
        explanation = f"Beschluss der GRDrs {grdrs} vom {date_de(decided_on)}" + (
            ", im Vorgriff auf den nächsten Stellenplan." if in_advance and before is None else "."
        )
        written += record_position_changes(
            acting_user=acting_user,
            position=position,
            before=before,
            after=PositionState.of(position),
            authority=ChangeAuthority(
                effective_date=effective,
                grdrs=grdrs,
                in_advance=in_advance,
                explanation=explanation,
                from_adoption=True,
            ),
        )
    return written


@transaction.atomic
def decided_changes_withdraw(*, acting_user: User | None, grdrs: str) -> int:
    """Take back the changes the adoption of `grdrs` wrote (its paper is reopened: no longer
    decided); changes recorded by hand with this GRDrs stay. Returns how many went."""
    gone = 0
    for change in PositionChange.objects.filter(grdrs=" ".join(grdrs.split()), from_adoption=True):
        with acting_as(acting_user):
            change.delete()
        gone += 1
    return gone


# --- occupation (Stellenbesetzung, internal) --------------------------------------------------

OCCUPATION_FIELDS = ["fte", "start_date", "end_date"]


def _active_on(day: datetime.date, start: datetime.date, end: datetime.date | None) -> bool:
    return start <= day and (end is None or end >= day)


def check_occupancy(occupation: Occupation) -> None:
    """Refuse (ValidationError, German) an occupation outside its position's time or one that,
    with the other occupations of the position, fills more than the position's share on any
    day. The position row is locked until the end of the transaction, so that two concurrent
    occupations cannot together overfill it."""
    position = Position.objects.select_for_update().get(pk=occupation.position_id)
    if occupation.start_date < position.start_date:
        raise ValidationError(
            {
                "start_date": f"„besetzt ab“ ({date_de(occupation.start_date)}) liegt vor dem "
                f"Beginn der Stelle ({date_de(position.start_date)})."
            }
        )
    if position.end_date is not None and (
        occupation.end_date is None or occupation.end_date > position.end_date
    ):
        raise ValidationError(
            {
                "end_date": f"Die Stelle endet am {date_de(position.end_date)}: „besetzt bis“ "
                f"({date_de(occupation.end_date)}) muss spätestens an diesem Tag liegen."
            }
        )
    overlapping = Occupation.objects.filter(position_id=position.pk).exclude(pk=occupation.pk)
    overlapping = overlapping.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=occupation.start_date)
    )
    if occupation.end_date is not None:
        overlapping = overlapping.filter(start_date__lte=occupation.end_date)
    others = list(overlapping.values_list("start_date", "end_date", "fte"))
    # the filled share is largest on a day some occupation starts
    days = {occupation.start_date} | {
        start for start, _, _ in others if start > occupation.start_date
    }
    for day in sorted(days):
        filled = occupation.fte + sum(
            (fte for start, end, fte in others if _active_on(day, start, end)), Decimal(0)
        )
        if filled > position.fte:
            free = max(position.fte - (filled - occupation.fte), Decimal(0))
            raise ValidationError(
                {
                    "fte": f"Der besetzte Anteil {format_decimal(occupation.fte)} ist zu groß: "
                    f"die Stelle hat {format_decimal(position.fte)} "
                    f"{positions_word(position.fte)}, am {date_de(day)} wären damit "
                    f"{format_decimal(filled)} besetzt (frei an diesem Tag: "
                    f"{format_decimal(free)})."
                }
            )


@transaction.atomic
def occupation_create(
    *,
    acting_user: User | None,
    position: Position,
    fte: Decimal,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
) -> Occupation:
    occupation = Occupation(position=position, fte=fte, start_date=start_date, end_date=end_date)
    occupation.full_clean(exclude=["version"])
    check_occupancy(occupation)
    with acting_as(acting_user):
        occupation.save()
    return occupation


@transaction.atomic
def occupation_update(
    *,
    acting_user: User | None,
    occupation: Occupation,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> Occupation:
    editable_only(data, OCCUPATION_FIELDS)
    candidate = Occupation(pk=occupation.pk, position_id=occupation.position_id)
    for name in OCCUPATION_FIELDS:
        setattr(candidate, name, data.get(name, getattr(occupation, name)))
    candidate.full_clean(exclude=["version", "position"], validate_unique=False)
    check_occupancy(candidate)
    return versioned_update(
        occupation,
        acting_user=acting_user,
        expected_version=expected_version,
        data=data,
        opened=opened,
    )


@transaction.atomic
def occupation_delete(
    *, acting_user: User | None, occupation: Occupation, expected_version: int
) -> None:
    versioned_delete(
        occupation,
        acting_user=acting_user,
        expected_version=expected_version,
        label="Die Stellenbesetzung",
    )


# --- plans (drafts) ---------------------------------------------------------------------------

PLAN_FIELDS = ["first_year", "last_year", "grdrs", "explanation_threshold_fte", "remarks"]


def _check_years(plan: StaffingPlan) -> None:
    """No year in two plans."""
    clash = (
        StaffingPlan.objects.exclude(pk=plan.pk)
        .filter(first_year__lte=plan.last_year, last_year__gte=plan.first_year)
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "first_year": f"Die Jahre {plan.label} überschneiden sich mit dem {clash}: "
                "jedes Haushaltsjahr gehört zu genau einem Stellenplan."
            }
        )


def _refuse_adopted(plan: StaffingPlan) -> None:
    if plan.status == StaffingPlan.Status.ADOPTED:
        raise ValidationError(
            f"Der {plan} ist beschlossen und kann nicht mehr geändert werden; Änderungen "
            "gehören in einen neuen Entwurf."
        )


@transaction.atomic
def plan_create(
    *,
    acting_user: User | None,
    first_year: int,
    last_year: int | None = None,
    grdrs: str = "",
    explanation_threshold_fte: Decimal = Decimal("1"),
    remarks: str = "",
    based_on: StaffingPlan | None = None,
) -> StaffingPlan:
    """A new draft plan for one year (or a double budget: `last_year` = `first_year` + 1)."""
    plan = StaffingPlan(
        first_year=first_year,
        last_year=first_year if last_year is None else last_year,
        grdrs=" ".join(grdrs.split()),
        explanation_threshold_fte=explanation_threshold_fte,
        remarks=remarks,
        based_on=based_on,
        status=StaffingPlan.Status.DRAFT,
    )
    plan.full_clean(exclude=["version"])
    _check_years(plan)
    with acting_as(acting_user):
        plan.save()
    return plan


def last_adopted_plan() -> StaffingPlan | None:
    return (
        StaffingPlan.objects.filter(status=StaffingPlan.Status.ADOPTED)
        .order_by("-last_year")
        .first()
    )


@transaction.atomic
def plan_create_from_last_adopted(
    *, acting_user: User | None, double: bool = False
) -> StaffingPlan:
    """A new draft for the year(s) after the last adopted plan, based on it (its threshold
    and Vorbemerkungen carried over). The draft's figures are the live positions, i.e. the
    adopted plan plus the changes since."""
    base = last_adopted_plan()
    if base is None:
        raise ValidationError(
            "Es gibt noch keinen beschlossenen Stellenplan, auf dem ein neuer Entwurf aufbauen "
            "könnte. Bitte einen Entwurf mit seinen Jahren anlegen."
        )
    first = base.last_year + 1
    return plan_create(
        acting_user=acting_user,
        first_year=first,
        last_year=first + 1 if double else first,
        explanation_threshold_fte=base.explanation_threshold_fte,
        remarks=base.remarks,
        based_on=base,
    )


@transaction.atomic
def plan_update(
    *,
    acting_user: User | None,
    plan: StaffingPlan,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> StaffingPlan:
    """Edit a draft plan (years, GRDrs, threshold, Vorbemerkungen); an adopted plan is
    read-only."""
    editable_only(data, PLAN_FIELDS)
    current = StaffingPlan.objects.select_for_update().get(pk=plan.pk)
    _refuse_adopted(current)
    candidate = StaffingPlan(pk=plan.pk, first_year=plan.first_year, last_year=plan.last_year)
    for name, value in data.items():
        setattr(candidate, name, value)
    _check_years(candidate)
    return versioned_update(
        plan, acting_user=acting_user, expected_version=expected_version, data=data, opened=opened
    )


@transaction.atomic
def plan_delete(*, acting_user: User | None, plan: StaffingPlan, expected_version: int) -> None:
    """Delete a draft plan nothing refers to (changes naming it keep it)."""
    _refuse_adopted(StaffingPlan.objects.select_for_update().get(pk=plan.pk))
    versioned_delete(
        plan, acting_user=acting_user, expected_version=expected_version, label=f"Der {plan}"
    )


# --- Vorjahreszahlen and Nachwuchskräfte --------------------------------------------------------


def adopted_plan_of(year: int) -> StaffingPlan | None:
    """The adopted plan that covers `year`, if any."""
    return StaffingPlan.objects.filter(
        first_year__lte=year, last_year__gte=year, status=StaffingPlan.Status.ADOPTED
    ).first()


def baseline_refusal(year: int) -> str | None:
    """Why Vorjahreszahlen of `year` cannot be written (an adopted plan of that year is the
    Vorjahr: its record wins), or None."""
    adopted = adopted_plan_of(year)
    if adopted is None:
        return None
    return (
        f"Für {year} gibt es den beschlossenen {adopted}: er ist das Vorjahr, Vorjahreszahlen "
        "werden dafür nicht erfasst."
    )


@dataclass(frozen=True)
class FigureInput:
    """One group's Vorjahreszahlen as entered: `fte` None removes the entry."""

    org_unit_id: int
    pay_grade_id: int
    fte: Decimal | None
    occupied: Decimal | None = None
    expected_version: int | None = None
    label: str = ""


@transaction.atomic
def previous_figures_save(
    *, acting_user: User | None, year: int, figures: Sequence[FigureInput]
) -> int:
    """Write the Vorjahreszahlen of `year` (PreviousYearFigure), all or nothing.

    Each input creates, changes or (``fte`` None) removes the entry of its Amt and group; an
    unchanged one is left alone. Refused for a year an adopted plan covers, for a unit below
    an Amt and by the model's rules (German messages naming the group); one error rolls back
    everything. Returns how many entries changed.
    """
    refusal = baseline_refusal(year)
    if refusal:
        raise ValidationError(refusal)
    unit_ids = {f.org_unit_id for f in figures}
    below = OrgUnit.objects.filter(pk__in=unit_ids, parent__isnull=False).first()
    if below is not None:
        raise ValidationError(
            f"{below.code} ist kein Amt: Vorjahreszahlen gelten je Amt (oberste Einheit)."
        )
    existing = {
        (f.org_unit_id, f.pay_grade_id): f
        for f in PreviousYearFigure.objects.filter(year=year, org_unit_id__in=unit_ids)
    }
    errors: list[str] = []
    changed = 0
    for entry in figures:
        current = existing.get((entry.org_unit_id, entry.pay_grade_id))
        data = {"fte": entry.fte, "occupied": entry.occupied, "acting_user": acting_user}
        try:
            changed += _entry_write(
                acting_user=acting_user,
                current=current,
                new=PreviousYearFigure(
                    year=year,
                    org_unit_id=entry.org_unit_id,
                    pay_grade_id=entry.pay_grade_id,
                    **data,
                ),
                data=None if entry.fte is None else data,
                expected_version=entry.expected_version,
                label="Die Vorjahreszahl",
            )
        except ValidationError as error:
            errors.append(f"{entry.label or entry.pay_grade_id}: {'; '.join(error.messages)}")
    if errors:
        raise ValidationError(errors)
    return changed


def _entry_write(
    *,
    acting_user: User | None,
    current: Any,
    new: models.Model,
    data: dict[str, Any] | None,
    expected_version: int | None,
    label: str,
) -> bool:
    """One entry of a table edited as a whole: create `new` (unsaved), change (`data`, versioned)
    or, where `data` is None, delete `current`. Whether it changed (who acted does not count
    as a change by itself)."""
    if data is None:
        if current is None:
            return False
        versioned_delete(
            current,
            acting_user=acting_user,
            expected_version=expected_version or current.version,
            label=label,
        )
        return True
    if current is None:
        new.full_clean(exclude=["version"])
        with acting_as(acting_user):
            new.save()
        return True
    if all(getattr(current, k) == v for k, v in data.items() if k != "acting_user"):
        return False
    versioned_update(
        current,
        acting_user=acting_user,
        expected_version=expected_version or current.version,
        data=data,
    )
    return True


@dataclass(frozen=True)
class TraineeInput:
    """One line of the Nachwuchskräfte as entered: `number` None removes line `pk`."""

    pk: int | None
    category: str
    training: str
    number: int | None
    number_previous: int | None = None
    expected_version: int | None = None


@transaction.atomic
def trainees_save(*, acting_user: User | None, year: int, lines: Sequence[TraineeInput]) -> int:
    """Write the Nachwuchskräfte of `year`, all or nothing (German messages naming the line);
    returns how many lines changed. Refused where an adopted plan covers `year`."""
    adopted = adopted_plan_of(year)
    if adopted is not None:
        raise ValidationError(
            f"Der {adopted} ist beschlossen: seine Nachwuchskräfte sind festgehalten."
        )
    existing = TraineeCount.objects.in_bulk([line.pk for line in lines if line.pk])
    errors: list[str] = []
    changed = 0
    for line in lines:
        current = existing.get(line.pk) if line.pk else None
        if line.pk and (current is None or current.year != year):
            errors.append(f"{line.training}: diese Zeile gibt es nicht mehr.")
            continue
        data = {
            "category": line.category,
            "training": " ".join(line.training.split()),
            "number": line.number,
            "number_previous": line.number_previous,
        }
        try:
            changed += _entry_write(
                acting_user=acting_user,
                current=current,
                new=TraineeCount(year=year, **data),
                data=None if line.number is None else data,
                expected_version=line.expected_version,
                label="Die Zeile der Nachwuchskräfte",
            )
        except ValidationError as error:
            errors.append(f"{line.training or 'neue Zeile'}: {'; '.join(error.messages)}")
    if errors:
        raise ValidationError(errors)
    return changed
