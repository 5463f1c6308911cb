"""Abweichungen seit Beschluss: where the live positions depart from what an adopted paper
froze (issue 22).

Each linked position of a paper's newest record (``AdoptedRecord.positions``, read with
``DECISION_RECORD``) is compared with the position now: share (FTE), pay grade, org unit,
start, an end set or brought forward (a Streichung by date) and deletion. A position decided
by several papers is compared with the newest of them (a later paper supersedes an earlier
one); a paper's own page compares every position it decided.

Read-only (a selector): the pages of positions, papers and plans show the result, the
position form asks for a confirmation before it saves values that depart
(``position_departures`` with the values entered).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from core.formatting import date_de, format_decimal
from decisions.models import AdoptedRecord, Decision
from decisions.records import DECISION_RECORD, PositionAsAdopted
from stellenplan.models import Position

FTE = "fte"
GRADE = "pay_grade"
UNIT = "org_unit"
START = "start_date"
END = "end_date"
DELETED = "deleted"
LABELS = {
    FTE: "Stellenanteil",
    GRADE: "Stellenwert",
    UNIT: "Org.einheit",
    START: "Beginn",
    END: "Ende",
    DELETED: "Stelle",
}


@dataclass(frozen=True)
class PlanValues:
    """The values of a position a decision fixes (live, or as entered in the form)."""

    org_unit_code: str
    pay_grade_code: str
    fte: Decimal
    start_date: date
    end_date: date | None = None

    @classmethod
    def of(cls, position: Position) -> PlanValues:
        return cls(
            org_unit_code=position.org_unit.code,
            pay_grade_code=position.pay_grade.code,
            fte=position.fte,
            start_date=position.start_date,
            end_date=position.end_date,
        )


@dataclass(frozen=True)
class Departure:
    """One value of a decided position that is not as the council decided it."""

    decision_id: int
    grdrs_label: str
    adopted_on: date
    position_id: int
    #: the position as decided: "29-1 EG 9 SB Leistung"
    position_label: str
    kind: str
    decided: str
    current: str
    #: the position's start as decided (which plan years it counts in)
    decided_start: date

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def text(self) -> str:
        """ "Stellenanteil: beschlossen 1,0, jetzt 0,5"."""
        return f"{self.label}: beschlossen {self.decided}, jetzt {self.current}"


@dataclass(frozen=True)
class DecidedPaper:
    decision_id: int
    grdrs_label: str
    adopted_on: date
    positions: list[PositionAsAdopted]


def _end(value: date | None) -> str:
    return date_de(value) if value else "unbefristet"


def _compared(decided: PositionAsAdopted, now: PlanValues | None) -> list[tuple[str, str, str]]:
    """(kind, decided, now) of every value of `now` that departs from `decided`."""
    if now is None:
        return [(DELETED, "besteht", "gelöscht")]
    found = []
    if now.fte != decided.fte:
        found.append((FTE, format_decimal(decided.fte), format_decimal(now.fte)))
    if now.pay_grade_code != decided.pay_grade_code:
        found.append((GRADE, decided.pay_grade_code, now.pay_grade_code))
    if now.org_unit_code != decided.org_unit_code:
        found.append((UNIT, decided.org_unit_code, now.org_unit_code))
    if now.start_date != decided.start_date:
        found.append((START, date_de(decided.start_date), date_de(now.start_date)))
    if now.end_date is not None and (decided.end_date is None or now.end_date < decided.end_date):
        found.append((END, _end(decided.end_date), _end(now.end_date)))
    return found


def decided_papers(decisions: QuerySet[Decision]) -> list[DecidedPaper]:
    """The adopted papers among `decisions` with the positions of their newest record, newest
    adoption first (one query; only the positions and the format of each record are read)."""
    rows = (
        AdoptedRecord.objects.filter(
            decision__in=decisions, decision__status=Decision.Status.ADOPTED
        )
        .order_by("decision_id", "-sequence")
        .values_list(
            "decision_id", "decision__number", "adopted_on", "document__format", "positions"
        )
    )
    papers: dict[int, DecidedPaper] = {}
    for decision_id, number, adopted_on, version, positions in rows:
        if decision_id in papers:
            continue
        stored: dict[str, Any] = {"positions": positions}
        if version is not None:
            stored["format"] = version
        papers[decision_id] = DecidedPaper(
            decision_id=decision_id,
            grdrs_label=f"GRDrs {number}" if number else "GRDrs (ohne Nummer)",
            adopted_on=adopted_on,
            positions=DECISION_RECORD.read(stored).positions,
        )
    return sorted(papers.values(), key=lambda p: (p.adopted_on, p.decision_id), reverse=True)


def _live(position_ids: Iterable[int]) -> dict[int, PlanValues]:
    positions = Position.objects.select_related("org_unit", "pay_grade").filter(
        pk__in=set(position_ids)
    )
    return {position.pk: PlanValues.of(position) for position in positions}


def _departures(
    pairs: Iterable[tuple[DecidedPaper, PositionAsAdopted]], live: dict[int, PlanValues]
) -> list[Departure]:
    return [
        Departure(
            decision_id=paper.decision_id,
            grdrs_label=paper.grdrs_label,
            adopted_on=paper.adopted_on,
            position_id=decided.id,
            position_label=f"{decided.org_unit_code} {decided.pay_grade_code} {decided.title}",
            kind=kind,
            decided=was,
            current=now,
            decided_start=decided.start_date,
        )
        for paper, decided in pairs
        for kind, was, now in _compared(decided, live.get(decided.id))
    ]


def _newest_per_position(
    papers: list[DecidedPaper],
) -> dict[int, tuple[DecidedPaper, PositionAsAdopted]]:
    newest: dict[int, tuple[DecidedPaper, PositionAsAdopted]] = {}
    for paper in papers:  # newest adoption first
        for decided in paper.positions:
            newest.setdefault(decided.id, (paper, decided))
    return newest


def paper_departures(decision: Decision) -> list[Departure]:
    """Abweichungen seit Beschluss of an adopted paper: every position it decided, in Anlage
    order; empty for a paper that is not adopted."""
    papers = decided_papers(Decision.objects.filter(pk=decision.pk))
    if not papers:
        return []
    paper = papers[0]
    return _departures(
        ((paper, decided) for decided in paper.positions), _live(p.id for p in paper.positions)
    )


def position_departures(position_id: int, values: PlanValues | None = None) -> list[Departure]:
    """How the position (or, with `values`, the values entered for it) departs from the newest
    adopted paper that decided it; empty if no adopted paper links it."""
    papers = decided_papers(Decision.objects.filter(position_links__position_id=position_id))
    pair = _newest_per_position(papers).get(position_id)
    if pair is None:
        return []
    live = {position_id: values} if values is not None else _live([position_id])
    return _departures([pair], live)


def all_departures() -> list[Departure]:
    """Every departure of the live data from the adopted papers (each position against the
    newest paper that decided it, deleted positions included), by paper and Anlage order."""
    papers = decided_papers(Decision.objects.filter(status=Decision.Status.ADOPTED))
    newest = _newest_per_position(papers)
    pairs = sorted(
        newest.values(), key=lambda pair: (-pair[0].adopted_on.toordinal(), pair[1].order)
    )
    return _departures(pairs, _live(newest))
