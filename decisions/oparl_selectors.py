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
- Consultations and agenda items are the steps of public papers; a step removed from a public
  paper (its history holds the deletion) and the steps of a deleted paper are deleted.
- Organizations are the committees named in the steps of public papers (derived from the
  names: a renamed committee is a new organization; the old one disappears with its last
  step) and the Ämter and Referate ("Verwaltungsbereich"); a deleted Amt is deleted.
- Meetings are one per committee and meeting date of the **public** steps of public papers. A
  nicht öffentlich step names no meeting (red-team finding, issue 21): its consultation has no
  ``meeting``, its agenda item (``public: false``) neither, and it is on no meeting's agenda,
  so neither the name nor the date of a closed session appears (see ``meetings``).

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
    StatusChange,
)
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


@dataclass
class Committee:
    key: str
    name: str
    created: datetime
    modified: datetime


def committees() -> list[Committee]:
    """The committees of the steps of public papers, ordered by key."""
    rows = (
        ConsultationStep.objects.filter(decision__in=public_decisions().values("pk"))
        .values("committee__name")
        .annotate(created=Min("decision__created_at"), modified=Max("decision__updated_at"))
        .order_by()
    )
    found: dict[str, Committee] = {}
    for row in rows:
        name = row["committee__name"].strip()
        key = committee_key(name)
        if key in found:
            found[key].created = min(found[key].created, row["created"])
            found[key].modified = max(found[key].modified, row["modified"])
        else:
            found[key] = Committee(key, name, row["created"], row["modified"])
    return sorted(found.values(), key=lambda c: c.key)


def committee(key: str) -> Committee | None:
    return next((c for c in committees() if c.key == key), None)


@dataclass
class Meeting:
    key: str
    committee: Committee
    day: date
    created: datetime
    modified: datetime
    steps: list[ConsultationStep] = field(default_factory=list)


def meeting_key(committee_name: str, day: date) -> str:
    return f"{committee_key(committee_name)}-{day:%Y%m%d}"


def meetings(on: date | None = None) -> list[Meeting]:
    """One meeting per committee and date of the public steps of public papers (only those
    `on` a date if given), ordered by key; each with its steps (agenda items) in the order of
    their ids.

    Nicht öffentlich steps make no meeting and are on no agenda. OParl 1.1, 2.8 "Depublizierung
    von Objekten": "Da es sich bei OParl um eine Schnittstelle für öffentliche Daten handelt
    werden depublizierte Objekte im Sinne der Schnittstelle gelöscht"; 3.0 "Vollständigkeit":
    "Alle regulär öffentlich abrufbaren Informationen sollten auch in OParl ausgegeben werden,
    solange dies nicht den Datenschutzbestimmungen widerspricht" — the name and date of a
    closed session are not regularly public. ``AgendaItem.public`` ("ob der
    Tagesordnungspunkt zur Behandlung in öffentlicher Sitzung vorgesehen ist/war") stays
    ``false`` on the standalone agenda item of such a step, which names no meeting."""
    dated = Q(meeting_date=on) if on is not None else Q(meeting_date__isnull=False)
    steps = (
        ConsultationStep.objects.filter(
            dated, public=True, decision__in=public_decisions().values("pk")
        )
        .select_related("decision", "committee")
        .order_by("pk")
    )
    by_key: dict[str, Meeting] = {}
    names = {c.key: c for c in committees()}
    for item in steps:
        assert item.meeting_date is not None
        name = item.committee.name.strip()
        key = meeting_key(name, item.meeting_date)
        meeting = by_key.get(key)
        if meeting is None:
            meeting = by_key[key] = Meeting(
                key,
                names[committee_key(name)],
                item.meeting_date,
                item.decision.created_at,
                item.decision.updated_at,
            )
        meeting.created = min(meeting.created, item.decision.created_at)
        meeting.modified = max(meeting.modified, item.decision.updated_at)
        meeting.steps.append(item)
    return sorted(by_key.values(), key=lambda m: m.key)


def meeting(key: str) -> Meeting | None:
    digits = key.rsplit("-", 1)[-1]
    try:
        on = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
    return next((m for m in meetings(on) if m.key == key), None)


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
