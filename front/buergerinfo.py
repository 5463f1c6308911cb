"""The Bürgerinfo (issue 23): the public, read-only pages of what OParl publishes.

The pages show the **OParl objects**, not the models: every paper, meeting and committee is
the object ``front.oparl.serializers`` makes of the reads of ``decisions.oparl_selectors``
(the same ``papers()``, ``meetings()``, ``committees()``), turned into the small dataclasses
below for the templates. So the Bürgerinfo holds exactly the data and the redaction of the
interface, and a change of what OParl publishes changes both:

- a paper is shown when OParl lists it (eingebracht, beschlossen or abgelehnt, with a public
  step); drafts and confidential papers are nowhere (404);
- a nicht öffentlich step names its committee and role (as the Beratungsfolge of the paper
  does) but no meeting: neither name nor date of the closed session; it shows no result;
- a result, its resolution text and file come from the agenda item OParl embeds in the
  meeting (only public items are on an agenda);
- the PDFs are the OParl files (``accessUrl``/``downloadUrl``): stored or frozen, never
  rendered for a page;
- objects OParl shows as deleted (a withdrawn paper, a meeting or committee left without a
  public item) are in no list, and their page says only that the object is no longer public
  (410), naming nothing: OParl keeps nothing of them but their id and times. So a withdrawn
  paper is not shown as "zurückgezogen" with its title.

Amendments (Ergänzungs-/Austauschvorlagen) are read among the public papers only
(``papers()``), so they add no paper OParl hides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_date, parse_datetime

from decisions import oparl_selectors as sel
from decisions.models import Decision
from front.oparl import serializers as ser

Json = dict[str, Any]
VENDOR = ser.VENDOR
#: the statuses a public paper may have, for the filter of the list
PUBLIC_STATUSES: list[tuple[str, str]] = [
    (status.value, str(status.label)) for status in map(Decision.Status, sel.PUBLIC_STATUSES)
]


@dataclass(frozen=True)
class FileLink:
    """A PDF as OParl publishes it (its access and download URLs)."""

    name: str
    file_name: str
    access_url: str
    download_url: str
    size: int | None = None
    day: date | None = None


@dataclass(frozen=True)
class CommitteeRef:
    name: str
    key: str | None  # None: OParl shows the committee as deleted (no page)


@dataclass(frozen=True)
class MeetingRef:
    key: str
    name: str
    day: date


@dataclass(frozen=True)
class Step:
    """A step of the Beratungsfolge: its committee and role; a public one its meeting, TOP,
    result and resolution; a nicht öffentlich one neither meeting nor result."""

    committees: list[CommitteeRef]
    role: str
    authoritative: bool
    public: bool | None  # None: not yet on an agenda, OParl says nothing
    meeting: MeetingRef | None
    number: str = ""
    result: str = ""
    resolution_text: str = ""
    resolution_file: FileLink | None = None


@dataclass(frozen=True)
class PaperRef:
    pk: int
    label: str
    name: str
    paper_type: str
    status: str
    day: date


@dataclass(frozen=True)
class Paper(PaperRef):
    main_file: FileLink | None = None
    auxiliary_files: list[FileLink] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    fte: Decimal | None = None
    cost: Decimal | None = None
    amends: PaperRef | None = None
    amendment_kind: str = ""
    amendments: list[PaperRef] = field(default_factory=list)


@dataclass(frozen=True)
class AgendaEntry:
    number: str
    name: str
    paper_pk: int
    public: bool
    result: str = ""
    resolution_text: str = ""
    resolution_file: FileLink | None = None


@dataclass(frozen=True)
class MeetingSummary:
    key: str
    name: str
    committee: CommitteeRef
    day: date
    items: int


@dataclass(frozen=True)
class MeetingPage(MeetingSummary):
    state: str = ""
    start: datetime | None = None  # None: no time published
    end: datetime | None = None
    location: str = ""
    cancelled: bool = False
    agenda: list[AgendaEntry] = field(default_factory=list)


@dataclass(frozen=True)
class CommitteeSummary:
    key: str
    name: str
    short_name: str
    classification: str
    meetings: int


class Gone(Exception):
    """The object was published once and OParl now shows it as deleted."""


# --- reading OParl's objects -----------------------------------------------------------------


def _day(value: Any) -> date | None:
    return parse_date(value) if isinstance(value, str) else None


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def file_link(data: Json | None) -> FileLink | None:
    if not data or data.get("deleted"):
        return None
    return FileLink(
        name=data.get("name", ""),
        file_name=data.get("fileName", ""),
        access_url=data["accessUrl"],
        download_url=data.get("downloadUrl") or data["accessUrl"],
        size=data.get("size"),
        day=_day(data.get("date")),
    )


@dataclass
class Council:
    """The published committees and meetings by their OParl ids, read once per page."""

    u: ser.Urls
    committees: dict[str, sel.Committee]
    meetings: dict[str, sel.Meeting]

    @classmethod
    def read(cls, u: ser.Urls) -> Council:
        found = sel.council()
        return cls(
            u,
            {u("organization_committee", key=c.key): c for c in found.committees},
            {u("meeting", key=m.key): m for m in found.meetings},
        )

    def committee(self, url: str) -> CommitteeRef | None:
        item = self.committees.get(url)
        if item is None:
            return None
        return CommitteeRef(item.name, None if item.deleted else item.key)

    def committee_ref(self, item: sel.Committee) -> CommitteeRef:
        return CommitteeRef(item.name, None if item.deleted else item.key)

    def serialized_meetings(self, items: list[sel.Meeting]) -> list[Json]:
        context = ser.MeetingContext.of(items)
        return [ser.meeting(self.u, item, context) for item in items]


def paper_ref(u: ser.Urls, decision: Decision) -> PaperRef:
    data = ser.paper(u, decision, {})
    return PaperRef(
        pk=decision.pk,
        label=decision.grdrs_label,
        name=data["name"],
        paper_type=data.get("paperType", ""),
        status=data.get(f"{VENDOR}:status", ""),
        day=_day(data["date"]) or decision.date,
    )


def _steps(council: Council, decision: Decision, data: Json) -> list[Step]:
    """The Beratungsfolge as OParl shows it: the consultations of the paper, a public one
    with the agenda item its meeting embeds."""
    consultations: list[Json] = data.get("consultation", [])
    steps = list(decision.consultation_steps.all())  # the order ser.paper serialized them in
    on = {c["meeting"]: council.meetings[c["meeting"]] for c in consultations if "meeting" in c}
    embedded: dict[str, Json] = {}
    for serialized in council.serialized_meetings(list(on.values())):
        for entry in serialized.get("agendaItem", []):
            embedded[entry["consultation"]] = entry
    shown: list[Step] = []
    for step, consultation in zip(steps, consultations, strict=True):
        committees = [
            ref
            for ref in (council.committee(url) for url in consultation.get("organization", []))
            if ref is not None
        ]
        meeting = on.get(consultation.get("meeting", ""))
        item = embedded.get(consultation["id"])
        if item is None and "agendaItem" in consultation and meeting is None:
            # on no published agenda: the standalone agenda item says it is not public
            item = ser.agenda_item(
                council.u, step, decision, order=step.order, points={}, checksums={}
            )
        shown.append(
            Step(
                committees=committees,
                role=consultation.get("role", ""),
                authoritative=bool(consultation.get("authoritative")),
                public=None if item is None else bool(item.get("public")),
                meeting=None
                if meeting is None
                else MeetingRef(meeting.key, _meeting_name(meeting), meeting.day),
                number=(item or {}).get("number", "") if meeting is not None else "",
                result=(item or {}).get("result", ""),
                resolution_text=(item or {}).get("resolutionText", ""),
                resolution_file=file_link((item or {}).get("resolutionFile")),
            )
        )
    return shown


def _meeting_name(item: sel.Meeting) -> str:
    return f"{item.committee.name}, Sitzung am {item.day:%d.%m.%Y}"


def _units(decision: Decision, data: Json, u: ser.Urls) -> list[str]:
    names = {u.unit(unit.pk): unit.name for unit in decision.submitted_by.all()}
    return [names[url] for url in data.get("underDirectionOf", []) if url in names]


def paper_page(u: ser.Urls, pk: int) -> Paper | None:
    """The paper `pk` as OParl shows it; None if OParl does not know it; Gone if deleted."""
    decision = sel.paper(pk)
    if decision is None:
        return None
    if sel.is_deleted(decision):
        raise Gone
    data = ser.paper(u, decision, ser.checksums_for([decision]))
    council = Council.read(u)
    related = {
        d.pk: d for d in sel.papers().filter(Q(amends=decision) | Q(pk=decision.amends_id or 0))
    }
    amends = related.get(decision.amends_id or 0)
    ref = paper_ref(u, decision)
    return Paper(
        **ref.__dict__,
        main_file=file_link(data.get("mainFile")),
        auxiliary_files=[f for f in map(file_link, data.get("auxiliaryFile", [])) if f],
        steps=_steps(council, decision, data),
        units=_units(decision, data, u),
        keywords=data.get("keyword", []),
        fte=_decimal(data.get(f"{VENDOR}:stellen")),
        cost=_decimal(data.get(f"{VENDOR}:kosten")),
        amends=None if amends is None else paper_ref(u, amends),
        amendment_kind=decision.get_amendment_kind_display() if amends is not None else "",
        amendments=[
            paper_ref(u, d)
            for d in sorted(related.values(), key=lambda d: (d.date, d.pk))
            if d.amends_id == decision.pk
        ],
    )


# --- lists -----------------------------------------------------------------------------------


def papers(*, search: str = "", year: int | None = None, status: str = "") -> QuerySet[Decision]:
    """The papers OParl lists, the newest first; `search` finds every word in the GRDrs
    number (with its suffix) or the Betreff."""
    qs = sel.papers()
    for word in search.split():
        qs = qs.filter(
            Q(number__icontains=word) | Q(number_suffix__icontains=word) | Q(title__icontains=word)
        )
    if year is not None:
        qs = qs.filter(date__year=year)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-date", "-number", "-pk")


def paper_refs(u: ser.Urls, decisions: Iterable[Decision]) -> list[PaperRef]:
    return [paper_ref(u, decision) for decision in decisions]


def published_meetings(council: sel.Council | None = None) -> list[sel.Meeting]:
    """The meetings OParl lists (not deleted), the newest first (of `council`, if read)."""
    items = (council or sel.council()).meetings
    found = [m for m in items if not m.deleted]
    return sorted(found, key=lambda m: (m.day, m.committee.name), reverse=True)


def meeting_summaries(items: Iterable[sel.Meeting]) -> list[MeetingSummary]:
    return [
        MeetingSummary(
            key=item.key,
            name=_meeting_name(item),
            committee=CommitteeRef(item.committee.name, item.committee.key),
            day=item.day,
            items=len(item.steps),
        )
        for item in items
    ]


def meeting_page(u: ser.Urls, key: str) -> MeetingPage | None:
    item = sel.meeting(key)
    if item is None:
        return None
    if item.deleted:
        raise Gone
    council = Council(u, {}, {})
    data = council.serialized_meetings([item])[0]
    by_consultation = {u("consultation", pk=step.pk): step for step in item.steps}
    agenda = []
    for position, entry in enumerate(data.get("agendaItem", []), start=1):
        step = by_consultation[entry["consultation"]]
        agenda.append(
            AgendaEntry(
                number=entry.get("number", str(position)),
                name=entry["name"],
                paper_pk=step.decision_id,
                public=bool(entry.get("public")),
                result=entry.get("result", ""),
                resolution_text=entry.get("resolutionText", ""),
                resolution_file=file_link(entry.get("resolutionFile")),
            )
        )
    start = parse_datetime(data["start"]) if "start" in data else None
    end = parse_datetime(data["end"]) if "end" in data else None
    summary = meeting_summaries([item])[0]
    return MeetingPage(
        **summary.__dict__,
        state=data.get("meetingState", ""),
        start=None if data.get(f"{VENDOR}:ohneUhrzeit") else start,
        end=end,
        location=(data.get("location") or {}).get("description", ""),
        cancelled=bool(data.get("cancelled")),
        agenda=agenda,
    )


def committee_summaries(
    u: ser.Urls, council: sel.Council | None = None, only: str | None = None
) -> list[CommitteeSummary]:
    """The committees OParl lists (not deleted), by name, with their published meetings
    (of `council`, if read); `only` the one with this key."""
    council = council or sel.council()
    counts: dict[str, int] = {}
    for meeting in published_meetings(council):
        counts[meeting.committee.key] = counts.get(meeting.committee.key, 0) + 1
    found = []
    for item in council.committees:
        if item.deleted or (only is not None and item.key != only):
            continue
        data = ser.committee(u, item)
        found.append(
            CommitteeSummary(
                key=item.key,
                name=data["name"],
                short_name=data.get("shortName", ""),
                classification=data.get("classification", ""),
                meetings=counts.get(item.key, 0),
            )
        )
    return sorted(found, key=lambda c: c.name.casefold())


def committee_page(u: ser.Urls, key: str) -> tuple[CommitteeSummary, list[MeetingSummary]] | None:
    council = sel.council()
    item = next((c for c in council.committees if c.key == key), None)
    if item is None:
        return None
    if item.deleted:
        raise Gone
    summary = committee_summaries(u, council, only=key)[0]
    meetings = [m for m in published_meetings(council) if m.committee.key == key]
    return summary, meeting_summaries(meetings)
