"""Reads for the OParl interface (front/oparl): what the public may see of the decisions.

What is public (decided for issue 13):

- A paper (Decision) is **public** when its status is eingebracht, beschlossen or abgelehnt
  (it was introduced under its GRDrs number) and at least one step of its Beratungsfolge is
  öffentlich. An Entwurf is never public; a paper whose steps are all nicht öffentlich is
  confidential and never appears, not even as deleted.
- A paper is **deleted** (soft deletion, OParl 2.8) when it is not public any more but was
  introduced once (a status change to eingebracht or later exists) and still has a public step:
  withdrawn (zurückgezogen) or taken back to Entwurf. Only its id, type, created, modified
  (= the decision's ``updated_at``, which every change of the decision or a part bumps) and
  ``deleted`` are shown. Everything else answers 404.
- Consultations are the steps of public papers; agenda items the dated ones (on a Sitzung, or
  with a planned date). A step removed from a public paper (its history holds the deletion),
  taken off the agenda, and the steps of a deleted paper are deleted.
- Organizations are the committees (``Committee`` rows) named in the steps of public papers,
  and the Ämter and Referate ("Verwaltungsbereich"); a committee no public paper names any
  more, and a deleted Amt, are deleted.
- Persons are the signatories of public papers (name and office as the paper prints them, one
  person per name; ``status`` the offices): nothing else about them, and never a user name or
  a position holder. A person who signed only papers deleted since is deleted.
- Meetings are the Sitzungen with a **public** step of a public paper (and the committee's day
  of public steps that have a date but no Sitzung). A nicht öffentlich step names no meeting
  (red-team finding, issue 21): its consultation has no ``meeting``, its agenda item
  (``public: false``) neither, and it is on no meeting's agenda, so neither the name nor the
  date of a closed session appears. A meeting that had a public item and has none any more is
  deleted (see ``council``).

Nothing here builds URLs (only front knows them) and nothing returns user names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Length

from decisions.models import (
    AdoptedRecord,
    Annex,
    ConsultationStep,
    Decision,
    ProposalPoint,
    Signatory,
    StatusChange,
)
from decisions.models import Committee as CommitteeRow
from decisions.models import Meeting as MeetingRow
from decisions.pdf import pdf_text
from departments.models import OrgUnit

Status = Decision.Status
PUBLIC_STATUSES = (Status.SUBMITTED, Status.ADOPTED, Status.REJECTED)
ADMINISTRATIVE_KINDS = (OrgUnit.Kind.REFERAT, OrgUnit.Kind.AMT)


def _has_public_step() -> Exists:
    return Exists(ConsultationStep.objects.filter(decision=OuterRef("pk"), public=True))


def _was_introduced() -> Exists:
    return Exists(
        StatusChange.objects.filter(decision=OuterRef("pk"), to_status__in=PUBLIC_STATUSES)
    )


def public_filter() -> Q:
    return Q(status__in=PUBLIC_STATUSES) & Q(_has_public_step())


def deleted_filter() -> Q:
    return ~Q(status__in=PUBLIC_STATUSES) & Q(_has_public_step()) & Q(_was_introduced())


def public_decisions() -> QuerySet[Decision]:
    return Decision.objects.filter(public_filter())


def _newest_record() -> QuerySet[AdoptedRecord]:
    return AdoptedRecord.objects.filter(decision=OuterRef("pk")).order_by("-sequence")


def papers(*, include_deleted: bool = False) -> QuerySet[Decision]:
    """Public papers (and deleted ones if asked) with everything a Paper shows, in a constant
    number of queries: annotated ``oparl_deleted``, the newest adopted record's id, date,
    time, size, SHA-256 and staffing totals (``record_*``), steps and submitting units."""
    condition = public_filter() | deleted_filter() if include_deleted else public_filter()
    record = _newest_record()
    return (
        Decision.objects.filter(condition)
        .annotate(
            oparl_public=ExpressionWrapper(
                Q(status__in=PUBLIC_STATUSES), output_field=BooleanField()
            ),
            record_id=Subquery(record.values("pk")[:1]),
            record_adopted_on=Subquery(record.values("adopted_on")[:1]),
            record_recorded_at=Subquery(record.values("recorded_at")[:1]),
            record_size=Subquery(record.annotate(size=Length("pdf")).values("size")[:1]),
            record_fte=Subquery(
                record.annotate(v=KT("document__finance__annex_total__fte")).values("v")[:1]
            ),
            record_cost=Subquery(
                record.annotate(v=KT("document__finance__annex_total__annual_cost")).values("v")[:1]
            ),
            record_positions=Subquery(
                record.annotate(v=KT("document__finance__annex_total__positions")).values("v")[:1]
            ),
        )
        .prefetch_related(
            Prefetch(
                "consultation_steps",
                queryset=ConsultationStep.objects.select_related("committee").order_by(
                    "order", "pk"
                ),
            ),
            Prefetch(
                "submitted_by",
                queryset=OrgUnit.objects.filter(kind__in=ADMINISTRATIVE_KINDS).order_by("pk"),
            ),
            Prefetch(
                "annexes",
                queryset=Annex.objects.filter(generated=True).order_by("number", "pk"),
                to_attr="generated_annexes",
            ),
            Prefetch("signatories", queryset=Signatory.objects.order_by("order", "pk")),
        )
    )


def paper(pk: int) -> Decision | None:
    """The public or deleted paper `pk`, or None (never public, confidential, or unknown)."""
    return papers(include_deleted=True).filter(pk=pk).first()


def is_deleted(decision: Decision) -> bool:
    return not getattr(decision, "oparl_public", decision.status in PUBLIC_STATUSES)


# --- files ------------------------------------------------------------------------------------


def record_for_file(pk: int) -> AdoptedRecord | None:
    """An adopted record (any version) of a public or deleted paper, without its PDF bytes."""
    return (
        AdoptedRecord.objects.filter(pk=pk, decision__in=papers(include_deleted=True).values("pk"))
        .annotate(size=Length("pdf"))
        .defer("pdf", "document", "positions", "sources")
        .first()
    )


def record_pdf(pk: int) -> bytes:
    data = AdoptedRecord.objects.filter(pk=pk).values_list("pdf", flat=True).get()
    return bytes(data)


def record_text(pk: int) -> str:
    """The text of a frozen PDF (OParl File.text): records never change, so it is extracted
    once and kept in the shared cache."""
    key = f"oparl:record-text:{pk}"
    text = cache.get(key)
    if text is None:
        text = pdf_text(record_pdf(pk))
        cache.set(key, text, timeout=None)
    return str(text)


def annex(pk: int) -> tuple[Annex, Decision] | None:
    """A generated Anlage of a public or deleted paper, with its paper annotated as by
    ``papers``; None for any other."""
    found = Annex.objects.filter(pk=pk, generated=True).first()
    if found is None:
        return None
    decision = paper(found.decision_id)
    return None if decision is None else (found, decision)


def record_checksums(pks: Iterable[int]) -> dict[int, str]:
    """SHA-512 of the frozen PDFs (records never change: cached; bytes read once, in one query)."""
    wanted = sorted(set(pks))
    keys = {pk: f"oparl:record-sha512:{pk}" for pk in wanted}
    found = cache.get_many(list(keys.values()))
    result = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in wanted if pk not in result]
    if missing:
        computed = {
            pk: hashlib.sha512(bytes(pdf)).hexdigest()
            for pk, pdf in AdoptedRecord.objects.filter(pk__in=missing).values_list("pk", "pdf")
        }
        cache.set_many({keys[pk]: digest for pk, digest in computed.items()}, timeout=None)
        result.update(computed)
    return result


# --- consultations and agenda items -----------------------------------------------------------


def step(pk: int) -> tuple[ConsultationStep, Decision] | None:
    """A step of a public or deleted paper, with its paper annotated as by ``papers``."""
    found = ConsultationStep.objects.filter(pk=pk).first()
    if found is None:
        return None
    decision = paper(found.decision_id)
    return (found, decision) if decision is not None else None


@dataclass(frozen=True)
class RemovedStep:
    """A step removed from a public paper: only its history remains."""

    pk: int
    decision_id: int
    removed_at: datetime


def removed_step(pk: int) -> RemovedStep | None:
    entry = (
        ConsultationStep.history.filter(id=pk, history_type="-")
        .order_by("-history_date")
        .values("decision_id", "history_date")
        .first()
    )
    if entry is None or paper(entry["decision_id"]) is None:
        return None
    return RemovedStep(pk, entry["decision_id"], entry["history_date"])


def was_on_an_agenda(pk: int) -> bool:
    """Whether the step was dated or on a Sitzung once (its history)."""
    return (
        ConsultationStep.history.filter(id=pk)
        .filter(Q(meeting_date__isnull=False) | Q(meeting_id__isnull=False))
        .exists()
    )


def first_created(pk: int) -> datetime | None:
    """When the step was first recorded (its oldest history entry)."""
    return (
        ConsultationStep.history.filter(id=pk).aggregate(first=Min("history_date"))["first"] or None
    )


def resolution_points(decision_ids: Iterable[int]) -> dict[int, list[str]]:
    points: dict[int, list[str]] = {}
    for decision_id, text in (
        ProposalPoint.objects.filter(decision_id__in=list(decision_ids))
        .order_by("decision_id", "order", "pk")
        .values_list("decision_id", "text")
    ):
        points.setdefault(decision_id, []).append(text)
    return points


# --- committees and meetings ------------------------------------------------------------------


def committee_key(name: str) -> str:
    """A stable key of a committee name (for its URL): 16 hex digits of its SHA-1."""
    return hashlib.sha1(name.strip().encode()).hexdigest()[:16]


def _paper_public() -> ExpressionWrapper:
    """Whether the step's (or signatory's) paper is public (else it is deleted)."""
    return ExpressionWrapper(Q(decision__status__in=PUBLIC_STATUSES), output_field=BooleanField())


def _of_listed_papers() -> Q:
    """Of a public or a deleted paper."""
    return Q(decision__in=papers(include_deleted=True).values("pk"))


@dataclass
class Committee:
    key: str
    name: str
    created: datetime
    modified: datetime
    short_name: str = ""
    classification: str = ""
    deleted: bool = True


@dataclass
class Meeting:
    """A meeting as OParl shows it: a Sitzung (``row``, key its id) with public items, or,
    for steps dated but not placed on a Sitzung (planned, or entered before there were
    Sitzungen), the committee's day (no row, no time known; key committee and day, the ids
    published before Sitzungen existed). ``steps`` are its published agenda items: the public
    steps of public papers, in agenda order. Once its steps are placed on a Sitzung, the
    committee's day is deleted and the Sitzung published."""

    key: str
    committee: Committee
    day: date
    created: datetime
    modified: datetime
    row: MeetingRow | None = None
    steps: list[ConsultationStep] = field(default_factory=list)
    deleted: bool = True


def meeting_key(committee_name: str, day: date) -> str:
    """The key of a committee's day (steps with a date, not placed on a Sitzung)."""
    return f"{committee_key(committee_name)}-{day:%Y%m%d}"


def step_meeting_key(step: ConsultationStep) -> str | None:
    """The key of the meeting a step is on (its Sitzung, or its committee's day), if dated."""
    if step.meeting_id is not None:
        return str(step.meeting_id)
    if step.meeting_date is None:
        return None
    return meeting_key(step.committee.name, step.meeting_date)


def agenda_order(step: ConsultationStep) -> tuple[tuple[int, ...], int]:
    """The place of a step on its agenda: TOP "2" before "10" before "10.1", steps without a
    TOP after those with one, each in the order they were added."""
    number = step.agenda_number
    parts = tuple(int(p) for p in number.split(".")) if number else (1_000_000,)
    return parts, step.pk


@dataclass
class _StepPast:
    """The last change of a step that was ever at a committee (any step) or at a Sitzung (a
    public one), by their ids."""

    committees: dict[int, datetime] = field(default_factory=dict)
    meetings: dict[int, datetime] = field(default_factory=dict)
    #: (committee id, day) of public steps dated but not on a Sitzung: first and last change
    days: dict[tuple[int, date], tuple[datetime, datetime]] = field(default_factory=dict)


def _step_past(scope: Q) -> _StepPast:
    """What the history of the steps of public and deleted papers says since each paper was
    introduced (before that nothing was published); one query. A step moved to another
    Sitzung, made nicht öffentlich or removed leaves its history at the Sitzung it left: that
    Sitzung stays (as deleted once nothing public is left) and its modified is the change
    (OParl 2.8: the objects an agenda item was embedded in are modified)."""
    introduced = (
        StatusChange.objects.filter(decision=OuterRef("decision_id"), to_status__in=PUBLIC_STATUSES)
        .order_by("recorded_at")
        .values("recorded_at")[:1]
    )
    rows = (
        ConsultationStep.history.filter(
            scope, decision_id__in=papers(include_deleted=True).values("pk")
        )
        .annotate(introduced=Subquery(introduced))
        .filter(history_date__gte=F("introduced"))
        .values_list("id", "committee_id", "meeting_id", "meeting_date", "public", "history_date")
        .order_by()
    )
    changed: dict[int, datetime] = {}  # per step: its last change
    committees: dict[int, set[int]] = {}
    meetings: dict[int, set[int]] = {}
    days: dict[tuple[int, date], set[int]] = {}
    first: dict[tuple[int, date], datetime] = {}
    for step_id, committee_id, meeting_id, day, public, when in rows:
        changed[step_id] = max(changed.get(step_id, when), when)
        if committee_id is not None:
            committees.setdefault(committee_id, set()).add(step_id)
        if public and meeting_id is not None:
            meetings.setdefault(meeting_id, set()).add(step_id)
        elif public and day is not None and committee_id is not None:
            days.setdefault((committee_id, day), set()).add(step_id)
            first[committee_id, day] = min(first.get((committee_id, day), when), when)
    return _StepPast(
        {c: max(changed[s] for s in steps) for c, steps in committees.items()},
        {m: max(changed[s] for s in steps) for m, steps in meetings.items()},
        {d: (first[d], max(changed[s] for s in steps)) for d, steps in days.items()},
    )


def _later(*times: datetime | None) -> datetime:
    return max(t for t in times if t is not None)


@dataclass
class Council:
    """The committees and meetings OParl shows, read at once (a constant number of queries)."""

    committees: list[Committee]
    meetings: list[Meeting]


def council(scope: Q | None = None) -> Council:
    """Committees: every Gremium named in a step of a public paper (also a nicht öffentlich
    one: the Beratungsfolge prints it); deleted when only deleted papers name it or it lost
    its last step. created/modified: the row's, or a later change of its papers and steps.

    Meetings: every Sitzung with a public step of a public paper, and the committee's day of
    public steps dated but not placed on a Sitzung; deleted when it has none any more but
    had one (a withdrawn paper, a step moved away, made nicht öffentlich or removed). Its
    modified is the last change of the Sitzung, of a paper on it, or of a step that was on
    it, so a meeting that loses an agenda item is modified.

    Nicht öffentlich steps make no meeting and are on no agenda. OParl 1.1, 2.8 "Depublizierung
    von Objekten": "Da es sich bei OParl um eine Schnittstelle für öffentliche Daten handelt
    werden depublizierte Objekte im Sinne der Schnittstelle gelöscht"; 3.0 "Vollständigkeit":
    "Alle regulär öffentlich abrufbaren Informationen sollten auch in OParl ausgegeben werden,
    solange dies nicht den Datenschutzbestimmungen widerspricht" — the name and date of a
    closed session are not regularly public. ``AgendaItem.public`` ("ob der
    Tagesordnungspunkt zur Behandlung in öffentlicher Sitzung vorgesehen ist/war") stays
    ``false`` on the standalone agenda item of such a step, which names no meeting."""
    scope = scope or Q()
    past = _step_past(scope)
    steps = list(
        ConsultationStep.objects.filter(scope, _of_listed_papers())
        .annotate(paper_public=_paper_public())
        .select_related("decision", "committee")
        .order_by("pk")
    )
    committee_rows = CommitteeRow.objects.filter(
        Q(pk__in={s.committee_id for s in steps})
        | Q(pk__in=list(past.committees))
        | Q(pk__in={c for c, _day in past.days})
    )
    committees = {
        row.pk: Committee(
            committee_key(row.name),
            row.name.strip(),
            row.created_at,
            _later(row.created_at, row.updated_at, past.committees.get(row.pk)),
            row.short_name,
            row.classification,
        )
        for row in committee_rows
    }
    meeting_rows = (
        MeetingRow.objects.filter(
            Q(pk__in={s.meeting_id for s in steps if s.public}) | Q(pk__in=list(past.meetings))
        )
        .prefetch_related(  # the results of its whole agenda: the meeting's state
            Prefetch(
                "agenda_items",
                queryset=ConsultationStep.objects.only("pk", "meeting_id", "result"),
            )
        )
        .order_by("pk")
    )
    found: dict[str, Meeting] = {}
    for row in meeting_rows:
        item = committees.get(row.committee_id)
        if item is None:  # moved to another committee before its paper was introduced
            continue
        found[str(row.pk)] = Meeting(
            str(row.pk),
            item,
            row.day,
            row.created_at,
            _later(row.created_at, row.updated_at, past.meetings.get(row.pk)),
            row=row,
        )
    for (committee_id, day), (first, last) in past.days.items():
        item = committees[committee_id]
        day_key = meeting_key(item.name, day)
        found[day_key] = Meeting(day_key, item, day, first, last)
    for step in steps:
        paper_public = bool(step.paper_public)
        item = committees[step.committee_id]
        item.modified = _later(item.modified, step.decision.updated_at)
        item.deleted = item.deleted and not paper_public
        if not step.public:
            continue
        step_key = step_meeting_key(step)
        if step_key is None:
            continue
        if step.meeting_id is None:
            assert step.meeting_date is not None
            created = step.decision.created_at
            meeting = found.setdefault(
                step_key, Meeting(step_key, item, step.meeting_date, created, created)
            )
            meeting.created = min(meeting.created, created)
        elif step_key in found:
            meeting = found[step_key]
        else:  # a Sitzung of another committee than the step's: not published as such
            continue
        meeting.modified = _later(meeting.modified, step.decision.updated_at)
        if paper_public:
            meeting.deleted = False
            meeting.steps.append(step)
    for meeting in found.values():
        meeting.steps.sort(key=agenda_order)
    return Council(
        sorted(committees.values(), key=lambda c: c.key),
        sorted(found.values(), key=lambda m: m.key),
    )


def committees() -> list[Committee]:
    return council().committees


def committee(key: str) -> Committee | None:
    return next((c for c in committees() if c.key == key), None)


def meetings() -> list[Meeting]:
    return council().meetings


def _meeting_scope(key: str) -> Q | None:
    """The steps (current and past) that can make the meeting `key`: those on the Sitzung, or
    those of its day without a Sitzung; None for a key that names no meeting."""
    if key.isdigit():
        return Q(meeting_id=int(key))
    digits = key.rsplit("-", 1)[-1]
    try:
        on = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
    return Q(meeting_id__isnull=True, meeting_date=on)


def meeting(key: str) -> Meeting | None:
    """The meeting `key` (public or deleted), read from its own steps only."""
    scope = _meeting_scope(key)
    if scope is None:
        return None
    return next((m for m in council(scope).meetings if m.key == key), None)


def meeting_of(step: ConsultationStep) -> Meeting | None:
    """The published meeting a public step of a public paper is on, or None."""
    key = step_meeting_key(step) if step.public else None
    return None if key is None else meeting(key)


# --- administrative units ---------------------------------------------------------------------


def administrative_units() -> QuerySet[OrgUnit]:
    """Referate and Ämter with the time of their first and last history entry."""
    history = OrgUnit.history.filter(id=OuterRef("pk"))
    return (
        OrgUnit.objects.filter(kind__in=ADMINISTRATIVE_KINDS)
        .select_related("parent")
        .annotate(
            first_change=Subquery(history.order_by("history_date").values("history_date")[:1]),
            last_change=Subquery(history.order_by("-history_date").values("history_date")[:1]),
        )
        .order_by("pk")
    )


@dataclass(frozen=True)
class RemovedUnit:
    pk: int
    created: datetime
    removed_at: datetime


def removed_units(pk: int | None = None) -> list[RemovedUnit]:
    """Referate and Ämter deleted since (only their history remains), ordered by id."""
    entries = OrgUnit.history.filter(kind__in=ADMINISTRATIVE_KINDS)
    if pk is not None:
        entries = entries.filter(id=pk)
    rows = (
        entries.values("id")
        .annotate(
            created=Min("history_date"),
            removed=Max("history_date", filter=Q(history_type="-")),
        )
        .filter(removed__isnull=False)
        .exclude(id__in=OrgUnit.objects.values("pk"))
        .order_by("id")
    )
    return [RemovedUnit(row["id"], row["created"], row["removed"]) for row in rows]


def removed_unit(pk: int) -> RemovedUnit | None:
    """A Referat or Amt deleted since, or None."""
    found = removed_units(pk)
    return found[0] if found else None


# --- persons (the signatories) ----------------------------------------------------------------


def person_key(name: str) -> str:
    """A stable key of a signatory's printed name (for the URL), like ``committee_key``."""
    return committee_key(" ".join(name.split()))


@dataclass
class Person:
    key: str
    name: str
    created: datetime
    modified: datetime
    offices: list[str] = field(default_factory=list)
    deleted: bool = True


def persons(key: str | None = None) -> list[Person]:
    """The signatories of public papers, and of deleted ones (then deleted, unless they signed
    a public paper too), ordered by key; the offices as printed on the public papers, the
    newest paper's first. created/modified: the first and the last change of their papers.
    One query."""
    rows = (
        Signatory.objects.filter(_of_listed_papers())
        .annotate(paper_public=_paper_public())
        .values_list(
            "name",
            "office",
            "paper_public",
            "decision__created_at",
            "decision__updated_at",
        )
        .order_by("-decision__date", "-decision_id", "order", "pk")
    )
    found: dict[str, Person] = {}
    for name, office, public, created, modified in rows:
        printed = " ".join(name.split())
        person_id = person_key(printed)
        if key is not None and person_id != key:
            continue
        person = found.setdefault(person_id, Person(person_id, printed, created, modified))
        person.created = min(person.created, created)
        person.modified = max(person.modified, modified)
        if public:
            person.deleted = False
            office = " ".join(office.split())
            if office and office not in person.offices:
                person.offices.append(office)
    return sorted(found.values(), key=lambda p: p.key)


def person(key: str) -> Person | None:
    found = persons(key)
    return found[0] if found else None
