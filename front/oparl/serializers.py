"""OParl 1.1 objects as dicts, built from the reads of decisions/oparl_selectors.py.

Every object has id (its canonical absolute URL), type, created and modified (embedded objects
too); dates are ``yyyy-mm-dd``, times ``yyyy-mm-ddThh:mm:ss±hh:mm`` in the city's time zone
without microseconds; optional fields without data are left out (``compact``), never null or
empty. The modified time of a paper and of everything embedded in it is the decision's
``updated_at``, which every change of the decision or one of its parts bumps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from decisions import oparl_selectors as sel
from decisions.models import AdoptedRecord, Annex, ConsultationStep, Decision
from decisions.models import Committee as CommitteeRow
from decisions.pdf import annex_filename, pdf_filename
from departments.models import OrgUnit

SCHEMA = "https://schema.oparl.org/1.1/"
VENDOR = "stellenplan"
Json = dict[str, Any]


def otype(name: str) -> str:
    return f"{SCHEMA}{name}"


def dt(value: datetime) -> str:
    """A point in time as OParl writes it: local time with offset, whole seconds."""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def day(value: date) -> str:
    return value.isoformat()


def compact(data: Json) -> Json:
    """Leave out optional fields without data (None, "", [])."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def since() -> datetime:
    """When the interface started (created/modified of System and Body, and of units without
    history)."""
    value = parse_datetime(str(settings.OPARL["since"]))
    assert value is not None
    return value


class Urls:
    """Absolute URLs of the OParl objects for one request (one base, reverse per object)."""

    def __init__(self, request: HttpRequest) -> None:
        self.base = request.build_absolute_uri("/").rstrip("/")

    def __call__(self, name: str, **kwargs: Any) -> str:
        return self.base + reverse(f"oparl:{name}", kwargs=kwargs or None)

    def paper(self, pk: int) -> str:
        return self("paper", pk=pk)

    def committee(self, name: str) -> str:
        return self("organization_committee", key=sel.committee_key(name))

    def unit(self, pk: int) -> str:
        return self("organization_unit", pk=pk)

    def person(self, name: str) -> str:
        return self("person", key=sel.person_key(name))


def deleted(object_id: str, kind: str, created: datetime, modified: datetime) -> Json:
    return {
        "id": object_id,
        "type": otype(kind),
        "created": dt(created),
        "modified": dt(modified),
        "deleted": True,
    }


class Listed(Protocol):
    """An object of the derived lists (committees, meetings, persons)."""

    created: datetime
    modified: datetime
    deleted: bool


def listed(object_id: str, kind: str, item: Listed, fields: Json) -> Json:
    """`item` as an OParl object of type `kind` with `fields` (optional ones without data left
    out), or as deleted."""
    if item.deleted:
        return deleted(object_id, kind, item.created, item.modified)
    return compact(
        {"id": object_id, "type": otype(kind)}
        | fields
        | {"created": dt(item.created), "modified": dt(item.modified)}
    )


# --- system and body --------------------------------------------------------------------------


def system(u: Urls) -> Json:
    return compact(
        {
            "id": u("system"),
            "type": otype("System"),
            "oparlVersion": SCHEMA,
            "body": u("body_list"),
            "name": settings.OPARL["system_name"],
            "license": settings.OPARL.get("license", ""),
            # the system's own website: the Bürgerinfo, its human view (the Body's website
            # is the city's)
            "website": u.base + reverse("buergerinfo:start"),
            "created": dt(since()),
            "modified": dt(since()),
        }
    )


def body(u: Urls) -> Json:
    return compact(
        {
            "id": u("body"),
            "type": otype("Body"),
            "system": u("system"),
            "name": settings.OPARL["body_name"],
            "shortName": settings.OPARL.get("body_short_name", ""),
            "website": settings.OPARL.get("website", ""),
            "license": settings.OPARL.get("license", ""),
            "ags": settings.OPARL.get("ags", ""),
            "classification": settings.OPARL.get("classification", ""),
            "organization": u("organization_list"),
            "person": u("person_list"),
            "meeting": u("meeting_list"),
            "paper": u("paper_list"),
            "created": dt(since()),
            "modified": dt(since()),
        }
    ) | {"legislativeTerm": []}  # required, so present even when empty


# --- files ------------------------------------------------------------------------------------


def record_file(
    u: Urls,
    decision: Decision,
    *,
    record_id: int,
    adopted_on: date,
    recorded_at: datetime,
    size: int | None,
    sha512: str | None,
    standalone: bool = False,
) -> Json:
    """The frozen PDF of an adopted paper (the newest record, or an older one by its URL)."""
    return compact(
        {
            "id": u("file_record", pk=record_id),
            "type": otype("File"),
            "name": f"{decision.grdrs_label}, beschlossen am {adopted_on:%d.%m.%Y}",
            "fileName": pdf_filename(decision),
            "mimeType": "application/pdf",
            "date": day(adopted_on),
            "size": size,
            "sha512Checksum": sha512,
            "accessUrl": u("file_record_access", pk=record_id),
            "downloadUrl": u("file_record_download", pk=record_id),
            "paper": [u.paper(decision.pk)] if standalone else [],
            "created": dt(recorded_at),
            "modified": dt(recorded_at),
        }
    )


def paper_file(u: Urls, decision: Decision, *, standalone: bool = False) -> Json:
    """The PDF of a paper as it stands (printed when asked; size and checksum unknown)."""
    return compact(
        {
            "id": u("file_paper", pk=decision.pk),
            "type": otype("File"),
            "name": decision.grdrs_label,
            "fileName": pdf_filename(decision),
            "mimeType": "application/pdf",
            "date": day(decision.date),
            "accessUrl": u("file_paper_access", pk=decision.pk),
            "downloadUrl": u("file_paper_download", pk=decision.pk),
            "paper": [u.paper(decision.pk)] if standalone else [],
            "created": dt(decision.created_at),
            "modified": dt(decision.updated_at),
        }
    )


def annex_file(u: Urls, decision: Decision, annex: Annex, *, standalone: bool = False) -> Json:
    """A generated Anlage as its own PDF (printed when asked, from the adopted record for an
    adopted paper; size and checksum unknown)."""
    return compact(
        {
            "id": u("file_annex", pk=annex.pk),
            "type": otype("File"),
            "name": f"Anlage {annex.number} zur {decision.grdrs_label}: {annex.title}",
            "fileName": annex_filename(decision, annex.number),
            "mimeType": "application/pdf",
            "date": day(decision.date),
            "accessUrl": u("file_annex_access", pk=annex.pk),
            "downloadUrl": u("file_annex_download", pk=annex.pk),
            "paper": [u.paper(decision.pk)] if standalone else [],
            "created": dt(decision.created_at),
            "modified": dt(decision.updated_at),
        }
    )


def standalone_annex_file(u: Urls, decision: Decision, annex: Annex) -> Json:
    if sel.is_deleted(decision):
        return deleted(
            u("file_annex", pk=annex.pk), "File", decision.created_at, decision.updated_at
        )
    return annex_file(u, decision, annex, standalone=True)


def main_file(u: Urls, decision: Decision, checksums: dict[int, str]) -> Json:
    record_id = getattr(decision, "record_id", None)
    if record_id is None:
        return paper_file(u, decision)
    return record_file(
        u,
        decision,
        record_id=record_id,
        adopted_on=decision.record_adopted_on,  # type: ignore[attr-defined]
        recorded_at=decision.record_recorded_at,  # type: ignore[attr-defined]
        size=decision.record_size,  # type: ignore[attr-defined]
        sha512=checksums.get(record_id),
    )


def standalone_record_file(u: Urls, record: AdoptedRecord, decision: Decision, sha512: str) -> Json:
    if sel.is_deleted(decision):
        return deleted(
            u("file_record", pk=record.pk), "File", record.recorded_at, decision.updated_at
        )
    data = record_file(
        u,
        decision,
        record_id=record.pk,
        adopted_on=record.adopted_on,
        recorded_at=record.recorded_at,
        size=record.size,  # type: ignore[attr-defined]
        sha512=sha512,
        standalone=True,
    )
    # The text only here, not in the embedded mainFile of every paper in a list.
    text = sel.record_text(record.pk)
    if text:
        data["text"] = text
    return data


def standalone_paper_file(u: Urls, decision: Decision) -> Json:
    if sel.is_deleted(decision):
        return deleted(
            u("file_paper", pk=decision.pk), "File", decision.created_at, decision.updated_at
        )
    return paper_file(u, decision, standalone=True)


# --- papers and consultations -----------------------------------------------------------------


def step_modified(step: ConsultationStep, decision: Decision) -> datetime:
    """modified of a consultation or agenda item: the last change of its paper, which every
    change of a step bumps (its meeting, TOP, result: decisions.council claims the paper)."""
    return decision.updated_at


def consultation(
    u: Urls, step: ConsultationStep, decision: Decision, *, embedded: bool = False
) -> Json:
    object_id = u("consultation", pk=step.pk)
    if sel.is_deleted(decision):
        return deleted(object_id, "Consultation", decision.created_at, decision.updated_at)
    key = sel.step_meeting_key(step)
    # A nicht öffentlich step names no meeting: neither the committee nor the date of the
    # closed session (OParl 1.1, 2.8: "eine Schnittstelle für öffentliche Daten"; see
    # decisions.oparl_selectors.council).
    return compact(
        {
            "id": object_id,
            "type": otype("Consultation"),
            "paper": None if embedded else u.paper(decision.pk),
            "agendaItem": u("agenda_item", pk=step.pk) if key is not None else None,
            "meeting": u("meeting", key=key) if key is not None and step.public else None,
            "organization": [u.committee(step.committee.name)],
            "authoritative": step.authoritative,
            "role": step.get_purpose_display(),
            "created": dt(decision.created_at),
            "modified": dt(step_modified(step, decision)),
        }
    )


def _number(value: Any) -> str | None:
    """A staffing figure of the record's JSON (a Decimal string) as a plain string."""
    if value in (None, ""):
        return None
    try:
        return str(Decimal(str(value)))
    except InvalidOperation:
        return None


def paper(u: Urls, decision: Decision, checksums: dict[int, str]) -> Json:
    object_id = u.paper(decision.pk)
    if sel.is_deleted(decision):
        return deleted(object_id, "Paper", decision.created_at, decision.updated_at)
    positions = getattr(decision, "record_positions", None)
    return compact(
        {
            "id": object_id,
            "type": otype("Paper"),
            "body": u("body"),
            "name": decision.title,
            "reference": decision.number,
            "date": day(decision.date),
            "paperType": decision.get_kind_display(),
            "underDirectionOf": [u.unit(unit.pk) for unit in decision.submitted_by.all()],
            "originatorPerson": list(
                dict.fromkeys(u.person(signatory.name) for signatory in decision.signatories.all())
            ),
            "mainFile": main_file(u, decision, checksums),
            "auxiliaryFile": [
                annex_file(u, decision, annex) for annex in generated_annexes(decision)
            ],
            "consultation": [
                consultation(u, step, decision, embedded=True)
                for step in decision.consultation_steps.all()
            ],
            "keyword": [decision.project] if decision.project else [],
            f"{VENDOR}:status": decision.get_status_display(),
            f"{VENDOR}:stellen": _number(getattr(decision, "record_fte", None)),
            f"{VENDOR}:stellenzahl": None if positions in (None, "") else int(str(positions)),
            f"{VENDOR}:kosten": _number(getattr(decision, "record_cost", None)),
            "created": dt(decision.created_at),
            "modified": dt(decision.updated_at),
        }
    )


def generated_annexes(decision: Decision) -> list[Annex]:
    """The generated Anlagen (prefetched by the selectors, else read)."""
    prefetched = getattr(decision, "generated_annexes", None)
    if prefetched is not None:
        return list(prefetched)
    return list(decision.annexes.filter(generated=True).order_by("number", "pk"))


def checksums_for(decisions: Iterable[Decision]) -> dict[int, str]:
    ids = [d.record_id for d in decisions if getattr(d, "record_id", None) is not None]  # type: ignore[attr-defined]
    return sel.record_checksums(ids)


# --- meetings and agenda items ----------------------------------------------------------------


#: OParl's words for the kinds of committee (Organization.classification: "Für die höchste
#: demokratische Instanz in der Kommune sollte immer der Begriff "Parlament" verwendet werden")
CLASSIFICATION = {
    CommitteeRow.Classification.MAIN: "Parlament",
    CommitteeRow.Classification.COMMITTEE: "Ausschuss",
    CommitteeRow.Classification.SUBCOMMITTEE: "Unterausschuss",
    CommitteeRow.Classification.ADVISORY: "Beirat",
    CommitteeRow.Classification.DISTRICT: "Bezirksbeirat",
    CommitteeRow.Classification.OTHER: "Sonstiges Gremium",
}
DECIDED = (ConsultationStep.Result.APPROVED, ConsultationStep.Result.APPROVED_AMENDED)


def agenda_result(step: ConsultationStep, decision: Decision) -> str | None:
    """The result of a public step: as entered; for a deciding step of a paper decided before
    results were entered per step, the paper's status."""
    if not step.public:
        return None
    if step.result:
        return step.get_result_display()
    final = decision.status in (Decision.Status.ADOPTED, Decision.Status.REJECTED)
    return decision.get_status_display() if step.authoritative and final else None


def resolution_text(step: ConsultationStep, decision: Decision, points: list[str]) -> str | None:
    """What the council resolved, on the public deciding step of an adopted paper: the
    Beschlussantrag, and the changes where it was "mit Änderungen zugestimmt"."""
    if not (step.public and step.authoritative):
        return None
    if step.result not in DECIDED and not (
        not step.result and decision.status == Decision.Status.ADOPTED
    ):
        return None
    text = "\n\n".join(points)
    if step.result == ConsultationStep.Result.APPROVED_AMENDED and step.result_note.strip():
        text = f"{text}\n\nÄnderungen: {step.result_note.strip()}".strip()
    return text or None


def agenda_item(
    u: Urls,
    step: ConsultationStep,
    decision: Decision,
    *,
    order: int,
    points: dict[int, list[str]],
    checksums: dict[int, str],
    meeting: sel.Meeting | None = None,
    embedded: bool = False,
) -> Json:
    """A step of the Beratungsfolge at its meeting (`meeting`, for a public step). A nicht
    öffentlich step shows no result, resolution text, file, time or TOP, and no meeting
    (neither name nor date of the closed session: it is on no published meeting's agenda;
    OParl 1.1, 2.8 "eine Schnittstelle für öffentliche Daten"); ``public`` says so ("ob der
    Tagesordnungspunkt zur Behandlung in öffentlicher Sitzung vorgesehen ist/war"). ``number``
    is the TOP, or the place on the agenda where none is set."""
    object_id = u("agenda_item", pk=step.pk)
    if sel.is_deleted(decision):
        return deleted(object_id, "AgendaItem", decision.created_at, decision.updated_at)
    public = step.public and meeting is not None
    row = meeting.row if public and meeting is not None else None
    text = resolution_text(step, decision, points.get(decision.pk, []))
    data: Json = {
        "id": object_id,
        "type": otype("AgendaItem"),
        "meeting": u("meeting", key=meeting.key) if public and meeting and not embedded else None,
        "number": (step.agenda_number or str(order + 1)) if public else "nicht öffentlich",
        "order": order,
        "name": f"{decision.grdrs_label}: {decision.title}",
        "public": step.public,
        "consultation": u("consultation", pk=step.pk),
        "result": agenda_result(step, decision),
        "resolutionText": text,
        "start": dt(row.start) if row is not None else None,
        "created": dt(decision.created_at),
        "modified": dt(step_modified(step, decision)),
    }
    if text is not None and getattr(decision, "record_id", None) is not None:
        data["resolutionFile"] = main_file(u, decision, checksums)
    return compact(data)


@dataclass
class MeetingContext:
    """The papers, resolution texts and checksums of the agenda items of some meetings, read
    at once (no query per meeting)."""

    papers: dict[int, Decision]
    points: dict[int, list[str]]
    checksums: dict[int, str]

    @classmethod
    def of(cls, items: Iterable[sel.Meeting]) -> MeetingContext:
        ids = {step.decision_id for item in items for step in item.steps}
        papers = {d.pk: d for d in sel.papers().filter(pk__in=ids)}
        return cls(papers, sel.resolution_points(ids), checksums_for(papers.values()))


def meeting_state(item: sel.Meeting, today: date) -> str:
    """OParl's recommended states: "terminiert" until the meeting's day, then "eingeladen"
    until every item of its agenda has a result, then "durchgeführt"; a committee's day
    without a Sitzung (no results can be entered) is "durchgeführt" once past. A cancelled
    meeting keeps its state and says ``cancelled``."""
    if item.day > today:
        return "terminiert"
    if item.row is None:
        return "durchgeführt" if item.day < today else "eingeladen"
    results = [step.result for step in item.row.agenda_items.all()]
    return "durchgeführt" if results and all(results) else "eingeladen"


def show_location() -> bool:
    """Whether the city publishes where its public meetings take place (OPARL_MEETING_LOCATION)."""
    return bool(settings.OPARL.get("meeting_location", True))


def location(u: Urls, item: sel.Meeting, *, standalone: bool = False) -> Json | None:
    """The place of a public meeting as entered (a text), if the city publishes it."""
    row = item.row
    if row is None or not row.location.strip() or item.deleted or not show_location():
        return None
    return compact(
        {
            "id": u("meeting_location", key=item.key),
            "type": otype("Location"),
            "description": row.location.strip(),
            "meetings": [u("meeting", key=item.key)] if standalone else [],
            "created": dt(item.created),
            "modified": dt(item.modified),
        }
    )


def meeting(
    u: Urls, item: sel.Meeting, context: MeetingContext, *, omit_internal: bool = False
) -> Json:
    object_id = u("meeting", key=item.key)
    if item.deleted:
        return listed(object_id, "Meeting", item, {})
    row = item.row
    # a committee's day without a Sitzung: no time known, the day from midnight
    start = (
        row.start if row is not None else timezone.make_aware(datetime.combine(item.day, time()))
    )
    return listed(
        object_id,
        "Meeting",
        item,
        {
            "name": f"{item.committee.name}, Sitzung am {item.day:%d.%m.%Y}",
            "meetingState": meeting_state(item, timezone.localdate()),
            "cancelled": row.cancelled if row is not None else None,
            "start": dt(start),
            "end": dt(row.end) if row is not None and row.end is not None else None,
            "location": location(u, item),
            "organization": [u("organization_committee", key=item.committee.key)],
            "agendaItem": []
            if omit_internal
            else [
                agenda_item(
                    u,
                    step,
                    context.papers[step.decision_id],
                    order=order,
                    points=context.points,
                    checksums=context.checksums,
                    meeting=item,
                    embedded=True,
                )
                for order, step in enumerate(item.steps)
            ],
            f"{VENDOR}:sitzungstag": day(item.day),
            f"{VENDOR}:ohneUhrzeit": True if row is None else None,
        },
    )


# --- organizations ----------------------------------------------------------------------------


def committee(u: Urls, item: sel.Committee) -> Json:
    return listed(
        u("organization_committee", key=item.key),
        "Organization",
        item,
        {
            "body": u("body"),
            "name": item.name,
            "shortName": item.short_name,
            "organizationType": "Gremium",
            "classification": CLASSIFICATION.get(
                CommitteeRow.Classification(item.classification), "Sonstiges Gremium"
            )
            if item.classification
            else "Sonstiges Gremium",
        },
    )


def unit_times(item: OrgUnit) -> tuple[datetime, datetime]:
    """created/modified of a Referat or Amt: its first and last history entry."""
    first = getattr(item, "first_change", None) or since()
    last = getattr(item, "last_change", None) or first
    return first, max(first, last)


def unit(u: Urls, item: OrgUnit) -> Json:
    parent = item.parent
    first, last = unit_times(item)
    return compact(
        {
            "id": u.unit(item.pk),
            "type": otype("Organization"),
            "body": u("body"),
            "name": item.name,
            "shortName": item.code,
            "organizationType": "Verwaltungsbereich",
            "classification": item.get_kind_display(),
            "subOrganizationOf": u.unit(parent.pk)
            if parent is not None and parent.kind in sel.ADMINISTRATIVE_KINDS
            else None,
            "created": dt(first),
            "modified": dt(last),
        }
    )


# --- persons ----------------------------------------------------------------------------------


def person(u: Urls, item: sel.Person) -> Json:
    """A signatory: the name and the offices as the papers print them, nothing else."""
    return listed(
        u("person", key=item.key),
        "Person",
        item,
        {"body": u("body"), "name": item.name, "status": item.offices},
    )
