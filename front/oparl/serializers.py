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
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from decisions import oparl_selectors as sel
from decisions.models import AdoptedRecord, Annex, ConsultationStep, Decision
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
    value = parse_datetime(settings.OPARL["since"])
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

    def meeting(self, committee: str, on: date) -> str:
        return self("meeting", key=sel.meeting_key(committee, on))


def deleted(object_id: str, kind: str, created: datetime, modified: datetime) -> Json:
    return {
        "id": object_id,
        "type": otype(kind),
        "created": dt(created),
        "modified": dt(modified),
        "deleted": True,
    }


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
            "website": settings.OPARL.get("website", ""),
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


def consultation(
    u: Urls, step: ConsultationStep, decision: Decision, *, embedded: bool = False
) -> Json:
    object_id = u("consultation", pk=step.pk)
    if sel.is_deleted(decision):
        return deleted(object_id, "Consultation", decision.created_at, decision.updated_at)
    dated = step.meeting_date is not None
    # A nicht öffentlich step names no meeting: its URL holds the committee and the date of
    # the closed session (OParl 1.1, 2.8: "eine Schnittstelle für öffentliche Daten"; see
    # decisions.oparl_selectors.meetings).
    in_meeting = dated and step.public
    return compact(
        {
            "id": object_id,
            "type": otype("Consultation"),
            "paper": None if embedded else u.paper(decision.pk),
            "agendaItem": u("agenda_item", pk=step.pk) if dated else None,
            "meeting": u.meeting(step.committee.name.strip(), step.meeting_date)  # type: ignore[arg-type]
            if in_meeting
            else None,
            "organization": [u.committee(step.committee.name)],
            "authoritative": step.purpose == ConsultationStep.Purpose.RESOLUTION,
            "role": step.get_purpose_display(),
            "created": dt(decision.created_at),
            "modified": dt(decision.updated_at),
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


def agenda_item(
    u: Urls,
    step: ConsultationStep,
    decision: Decision,
    *,
    order: int,
    points: dict[int, list[str]],
    checksums: dict[int, str],
    embedded: bool = False,
) -> Json:
    """A step of the Beratungsfolge at its meeting. A nicht öffentlich step shows no result,
    resolution text or file, and no meeting (neither name nor date of the closed session: it
    is on no published meeting's agenda; OParl 1.1, 2.8 "eine Schnittstelle für öffentliche
    Daten"); ``public`` says so ("ob der Tagesordnungspunkt zur Behandlung in öffentlicher
    Sitzung vorgesehen ist/war")."""
    object_id = u("agenda_item", pk=step.pk)
    if sel.is_deleted(decision):
        return deleted(object_id, "AgendaItem", decision.created_at, decision.updated_at)
    decides = step.purpose == ConsultationStep.Purpose.RESOLUTION and step.public
    final = decision.status in (Decision.Status.ADOPTED, Decision.Status.REJECTED)
    adopted = decision.status == Decision.Status.ADOPTED
    data: Json = {
        "id": object_id,
        "type": otype("AgendaItem"),
        "meeting": None
        if embedded or not step.public
        else u.meeting(step.committee.name.strip(), step.meeting_date),  # type: ignore[arg-type]
        "order": order,
        "name": f"{decision.grdrs_label}: {decision.title}",
        "public": step.public,
        "consultation": u("consultation", pk=step.pk),
        "created": dt(decision.created_at),
        "modified": dt(decision.updated_at),
    }
    if decides and final:
        data["result"] = decision.get_status_display()
    if decides and adopted:
        data["resolutionText"] = "\n\n".join(points.get(decision.pk, []))
        if getattr(decision, "record_id", None) is not None:
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


def meeting(
    u: Urls, item: sel.Meeting, context: MeetingContext, *, omit_internal: bool = False
) -> Json:
    annotated, points, checksums = context.papers, context.points, context.checksums
    return compact(
        {
            "id": u("meeting", key=item.key),
            "type": otype("Meeting"),
            "name": f"{item.committee.name}, Sitzung am {item.day:%d.%m.%Y}",
            "meetingState": "durchgeführt" if item.day < timezone.localdate() else "terminiert",
            "organization": [u("organization_committee", key=item.committee.key)],
            "agendaItem": []
            if omit_internal
            else [
                agenda_item(
                    u,
                    step,
                    annotated[step.decision_id],
                    order=order,
                    points=points,
                    checksums=checksums,
                    embedded=True,
                )
                for order, step in enumerate(item.steps, start=1)
            ],
            f"{VENDOR}:sitzungstag": day(item.day),
            "created": dt(item.created),
            "modified": dt(item.modified),
        }
    )


# --- organizations ----------------------------------------------------------------------------


def committee(u: Urls, item: sel.Committee) -> Json:
    return {
        "id": u("organization_committee", key=item.key),
        "type": otype("Organization"),
        "body": u("body"),
        "name": item.name,
        "organizationType": "Gremium",
        "created": dt(item.created),
        "modified": dt(item.modified),
    }


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
