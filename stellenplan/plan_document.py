"""The Stellenplan document of one plan year: the selector behind screen, PDF and Excel.

``build_plan_document(plan, year)`` gives a ``YearDocument`` (typed dataclasses) as laid down in
notes/plan-semantics.md:

- Teil A Beamte by Laufbahngruppe (hD, gD, mD, then grades without one), grades descending,
  a subtotal per Laufbahngruppe and "Summe Teil A"; Teil B Beschäftigte by Entgeltgruppe
  descending (a subtotal per kind of table, EG/S/P…, where more than one occurs) and
  "Summe Teil B"; "Gesamtsumme A + B";
- columns: Stellen N (positions active on any day of N), davon kw, davon ku (with their target
  grades), Stellen N-1, besetzt am 30.06. N-1 (Occupation, summed per grade only), Veränderung,
  Erläuterung;
- the Teilstellenplan: the same columns per Teilhaushalt and Amt (top-level unit);
- the Veränderungsnachweis: every PositionChange effective in N (and, for the first year of a
  plan, the changes "im Vorgriff" effective in N-1), grouped by kind and GRDrs.

Figures are aggregated in the database (values/annotate on positions, occupations, changes),
a few queries whatever the number of positions. A draft shows live figures; an adopted plan is
rendered from its newest StaffingPlanRecord (``document_for_output``), whose JSON is written
and read back into the same dataclasses by ``PLAN_RECORD`` (``core.records``: format version,
defaults for fields added later), so screen, PDF and Excel use the same templates and writers
for both.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from core.dataversion import VersionedCache
from core.formatting import format_decimal
from core.records import RecordFormat
from departments.selectors import OrgTree, org_tree
from stellenplan.models import (
    Occupation,
    PayGrade,
    PlanExplanation,
    Position,
    PositionChange,
    PreviousYearFigure,
    StaffingPlan,
    StaffingPlanRecord,
    TraineeCount,
)

ZERO = Decimal("0")
FTE_PLACES = Decimal("0.0001")
CAREER_ORDER = [
    (PayGrade.CareerGroup.TIME, "Beamte auf Zeit / Wahlbeamte"),
    (PayGrade.CareerGroup.HD, "höherer Dienst"),
    (PayGrade.CareerGroup.GD, "gehobener Dienst"),
    (PayGrade.CareerGroup.MD, "mittlerer Dienst"),
    (PayGrade.CareerGroup.NONE, "sonstige Besoldungsgruppen"),
]
NO_PREVIOUS_NOTE = "kein Stellenplan {year} erfasst – Vorjahr mit 0 gerechnet"
#: How the document marks Vorjahreszahlen typed in (PreviousYearFigure), not adopted in the tool.
BASELINE_NOTE = (
    "Stellen {year} und besetzt am 30.06.{year}: Vorjahreszahlen, erfasst am {date}{by}, "
    "nicht aus einem im Programm beschlossenen Stellenplan"
)
#: Schaffungen im Vorgriff of the Vorjahr, counted in "Stellen N-1" (README "Vorjahreszahlen").
IN_ADVANCE_NOTE = (
    "Stellen {year} enthalten {fte} Stellen, die {year} im Vorgriff auf diesen Stellenplan "
    "geschaffen wurden ({groups}); der Veränderungsnachweis führt sie als Schaffungen im "
    "Vorgriff, die Veränderung gegenüber {year} enthält sie nicht"
)
#: Datenschutz (README, issue 21): a "besetzt am 30.06." sum is shown only for a group of at
#: least this many positions on that day (or none), and only if none or at least this many of
#: them are occupied; otherwise one employee's part-time share could be read from it.
OCCUPATION_MIN_POSITIONS = 3
#: What a hidden "besetzt am 30.06." cell shows (page, PDF, Excel).
HIDDEN_MARK = "•"
HIDDEN_NOTE = (
    f"{HIDDEN_MARK} weniger als {OCCUPATION_MIN_POSITIONS} Stellen: nicht ausgewiesen "
    "(Datenschutz); ebenso eine weitere Zahl „besetzt am 30.06.“, wo sich die verdeckte sonst "
    "aus einer Summe errechnen ließe"
)
LEGACY_NOTE = (
    f"{HIDDEN_MARK} „besetzt am 30.06.“: diese Fassung wurde vor der Datenschutzregel "
    "festgehalten und wird nicht ausgewiesen (Datenschutz)"
)


# --- the dataclasses -------------------------------------------------------------------------


@dataclass
class KuTarget:
    grade: str
    fte: Decimal


@dataclass
class Row:
    """One line of a table: a grade, a subtotal or a total (``kind``)."""

    kind: str  # "grade", "subtotal", "total", "grand"
    label: str
    grade_id: int | None = None
    fte: Decimal = ZERO
    kw: Decimal = ZERO
    ku: Decimal = ZERO
    ku_targets: list[KuTarget] = field(default_factory=list)
    previous: Decimal = ZERO
    occupied: Decimal = ZERO
    explanation: str = ""
    explanation_missing: bool = False
    #: "besetzt am 30.06." not shown (Datenschutz); `occupied` is then 0 and not the figure
    occupied_hidden: bool = False

    @property
    def change(self) -> Decimal:
        return self.fte - self.previous

    @property
    def ku_target_text(self) -> str:
        return ", ".join(f"→ {t.grade}" for t in self.ku_targets)

    def add(self, other: Row) -> None:
        self.fte += other.fte
        self.kw += other.kw
        self.ku += other.ku
        self.previous += other.previous
        self.occupied += other.occupied


@dataclass
class Part:
    """Teil A or Teil B: its rows in legal order, subtotals and the "Summe" row last."""

    key: str  # "A" or "B"
    title: str
    rows: list[Row]

    @property
    def total(self) -> Row:
        return self.rows[-1]


@dataclass
class UnitPlan:
    """The Teilstellenplan of one Amt (top-level unit) with its Teilhaushalt."""

    section: str
    section_name: str
    code: str
    name: str
    rows: list[Row]

    @property
    def total(self) -> Row:
        return self.rows[-1]


@dataclass
class ChangeEntry:
    kind: str
    kind_label: str
    effective_date: date
    in_advance: bool
    grdrs: str
    plan_label: str
    unit: str
    grade: str
    fte: Decimal | None
    summary: str
    explanation: str
    #: a Schaffung im Vorgriff of the Vorjahr: already counted in "Stellen N-1"
    in_previous: bool = False


@dataclass
class ChangeGroup:
    """The changes of one kind by one authority (GRDrs or Stellenplan)."""

    kind_label: str
    authority: str
    count: int
    in_advance: int
    fte: Decimal
    #: Stellen of its Schaffungen im Vorgriff of the Vorjahr (in "Stellen N-1" already)
    in_previous_fte: Decimal = ZERO


@dataclass
class TraineeLine:
    """One training of the Nachwuchskräfte overview: persons, never counted as Stellen."""

    category: str
    category_label: str
    training: str
    number: int
    number_previous: int | None = None


@dataclass
class TraineeGroup:
    """Nachwuchskräfte of one kind (Anwärter, Auszubildende …) with their sum."""

    label: str
    lines: list[TraineeLine]

    @property
    def number(self) -> int:
        return sum(line.number for line in self.lines)

    @property
    def number_previous(self) -> int | None:
        known = [line.number_previous for line in self.lines if line.number_previous is not None]
        return sum(known) if known else None


@dataclass
class YearDocument:
    year: int
    previous_year: int
    plan_label: str
    status: str
    adopted_on: date | None
    grdrs: str
    parts: list[Part]
    grand_total: Row
    units: list[UnitPlan]
    changes: list[ChangeEntry]
    change_groups: list[ChangeGroup]
    notes: list[str]
    sources: list[str]
    missing_explanations: list[str]
    #: the occupation sums went through protect_occupation (records before issue 21: False)
    occupation_protected: bool = False
    #: the Nachwuchskräfte overview (annex; records before issue 22: none)
    trainees: list[TraineeLine] = field(default_factory=list)

    @property
    def trainee_groups(self) -> list[TraineeGroup]:
        groups: dict[str, TraineeGroup] = {}
        for line in self.trainees:
            group = groups.get(line.category)
            if group is None:
                group = groups[line.category] = TraineeGroup(line.category_label, [])
            group.lines.append(line)
        return list(groups.values())

    @property
    def trainees_total(self) -> TraineeGroup:
        return TraineeGroup("Summe Nachwuchskräfte", list(self.trainees))

    @property
    def changes_in_previous_fte(self) -> Decimal:
        """Stellen of the Veränderungsnachweis already in "Stellen N-1" (im Vorgriff)."""
        return sum((g.in_previous_fte for g in self.change_groups), ZERO)

    @property
    def occupation_note(self) -> str:
        """The footnote of hidden "besetzt am 30.06." cells, or "" where none is hidden."""
        rows = [*(r for p in self.parts for r in p.rows), self.grand_total]
        rows += [r for u in self.units for r in u.rows]
        if not any(r.occupied_hidden for r in rows):
            return ""
        return HIDDEN_NOTE if self.occupation_protected else LEGACY_NOTE

    @property
    def draft(self) -> bool:
        return self.status != StaffingPlan.Status.ADOPTED

    @property
    def total_rows(self) -> list[Row]:
        """Summe Teil A, Summe Teil B, Gesamtsumme A + B."""
        return [*(part.total for part in self.parts), self.grand_total]


@dataclass
class PlanDocument:
    """Every year of a plan: what an adoption freezes."""

    plan_id: int
    label: str
    years: list[YearDocument]

    def year(self, year: int) -> YearDocument | None:
        return next((y for y in self.years if y.year == year), None)


#: How StaffingPlanRecord.document is written and read (README: "Eingefrorene Dokumente").
PLAN_RECORD: RecordFormat[PlanDocument] = RecordFormat(
    PlanDocument, version=1, label="Der festgehaltene Stellenplan"
)


# --- live figures ------------------------------------------------------------------------------


@dataclass
class Figures:
    """Per (department id, grade id): Stellen, kw, ku; ku targets per grade; occupied."""

    fte: dict[tuple[int, int], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    kw: dict[tuple[int, int], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    ku: dict[tuple[int, int], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    ku_targets: dict[tuple[int, int], dict[int, Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Decimal))
    )


def active_on_any_day(year: int) -> Q:
    """Positions active on at least one day of `year`."""
    return Q(start_date__lte=date(year, 12, 31)) & (
        Q(end_date__isnull=True) | Q(end_date__gte=date(year, 1, 1))
    )


def plan_size(plan: StaffingPlan) -> int:
    """The positions active in a year of `plan` (one COUNT): what its PDF and Excel cost."""
    active = Q()
    for year in plan.years:
        active |= active_on_any_day(year)
    return Position.objects.filter(active).count()


def live_figures(year: int, tree: OrgTree) -> Figures:
    """Stellen, kw, ku (with target grades) per department and grade, one grouped query."""
    figures = Figures()
    rows = (
        Position.objects.filter(active_on_any_day(year))
        .values_list("org_unit_id", "pay_grade_id", "note", "ku_target_grade_id")
        .annotate(total=Sum("fte"))
        .order_by()
    )
    departments: dict[int, int] = {}
    for unit_id, grade_id, note, target_id, raw in rows:
        total = Decimal(raw).quantize(FTE_PLACES)
        dept = departments.get(unit_id)
        if dept is None:
            dept = departments[unit_id] = tree.department_of(unit_id)
        key = (dept, grade_id)
        figures.fte[key] += total
        if note == Position.Note.KW:
            figures.kw[key] += total
        elif note == Position.Note.KU:
            figures.ku[key] += total
            if target_id is not None:
                figures.ku_targets[key][target_id] += total
    return figures


@dataclass
class Occupied:
    """The occupation of one group on a day: Σ occupied share, its positions, how many of them
    are occupied (never a position's own share)."""

    fte: Decimal = ZERO
    positions: int = 0
    occupied_positions: int = 0

    def add(self, other: Occupied) -> None:
        self.fte += other.fte
        self.positions += other.positions
        self.occupied_positions += other.occupied_positions


def occupied_on(day: date, tree: OrgTree) -> dict[tuple[int, int], Occupied]:
    """Σ occupied share per department and grade on `day` (never per position), with the
    number of positions of the group on that day and of those occupied (two grouped queries)."""
    result: dict[tuple[int, int], Occupied] = defaultdict(Occupied)
    rows = (
        Occupation.objects.filter(start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .values_list("position__org_unit_id", "position__pay_grade_id")
        .annotate(total=Sum("fte"), occupied=Count("position", distinct=True))
        .order_by()
    )
    for unit_id, grade_id, total, occupied in rows:
        entry = result[(tree.department_of(unit_id), grade_id)]
        entry.fte += Decimal(total).quantize(FTE_PLACES)
        entry.occupied_positions += occupied
    positions = (
        Position.objects.filter(start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .values_list("org_unit_id", "pay_grade_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    for unit_id, grade_id, count in positions:
        result[(tree.department_of(unit_id), grade_id)].positions += count
    return result


def occupation_shown(occupied: Occupied, minimum: int = OCCUPATION_MIN_POSITIONS) -> bool:
    """Whether a group's "besetzt am 30.06." sum may be shown by itself (primary rule): none
    or at least `minimum` positions on that day, and none or at least `minimum` of them
    occupied (a group without positions shows its 0: it is no one's share)."""
    return not (0 < occupied.positions < minimum or 0 < occupied.occupied_positions < minimum)


def secondary_suppression(
    values: list[Decimal], hidden: list[bool], sums: list[tuple[int, list[int]]]
) -> list[bool]:
    """Which cells to hide so that no hidden cell can be computed from a sum (the simple
    standard secondary suppression).

    `values[i]` and `hidden[i]` (the primary suppression) describe cell i; each `sums` entry
    (total, parts) says cell `total` is the sum of the cells `parts`. Until nothing changes:
    where exactly one cell of a sum (total or part) is hidden, the smallest visible part is
    hidden too (ties: the first), or the total where no part is visible. So no sum ever has
    exactly one hidden cell. Returns the new flags; the arguments are not changed.
    """
    result = list(hidden)
    changed = True
    while changed:
        changed = False
        for total, parts in sums:
            if not parts:
                continue
            members = [total, *parts]
            if sum(result[m] for m in members) != 1:
                continue
            visible = [(values[p], i, p) for i, p in enumerate(parts) if not result[p]]
            if visible:
                result[min(visible)[2]] = True
            else:
                result[total] = True
            changed = True
    return result


@dataclass
class Previous:
    """Stellen N-1 per (department, grade), from wherever they come; by codes for records.

    `occupied` replaces the recorded occupations on 30.06. of N-1 where Vorjahreszahlen give
    them; `in_advance` are the Schaffungen im Vorgriff of N-1 added to `by_ids`.
    """

    by_ids: dict[tuple[int, int], Decimal]
    note: str = ""
    source: str = ""
    occupied: dict[tuple[int, int], Occupied] = field(default_factory=dict)
    in_advance: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _plan_containing(year: int) -> StaffingPlan | None:
    return StaffingPlan.objects.filter(first_year__lte=year, last_year__gte=year).first()


def newest_record(plan: StaffingPlan) -> StaffingPlanRecord | None:
    return plan.records.order_by("-sequence").first()


def previous_figures(plan: StaffingPlan, year: int, tree: OrgTree) -> Previous:
    """Stellen of year-1 as the semantics say: same plan live; another plan's record
    (adopted); else the Vorjahreszahlen typed in (PreviousYearFigure); else another plan live
    (draft); else 0 with a note. Where N-1 comes from a record, Vorjahreszahlen or nothing, the
    Schaffungen im Vorgriff made in N-1 (after the record) are added (``in_advance_creations``):
    "Stellen N-1" are the positions of N-1 as they stood at its end."""
    prev = year - 1
    other = plan if prev in plan.years else _plan_containing(prev)
    if other is not None and other.pk != plan.pk and other.status == StaffingPlan.Status.ADOPTED:
        record = newest_record(other)
        if record is not None:
            stored = PLAN_RECORD.read(record.document).year(prev)
            if stored is not None:
                return _with_advance(
                    Previous(
                        _by_ids_from_document(stored, tree),
                        source=f"Stellen {prev}: beschlossener Stellenplan {other.label}, "
                        f"Fassung {record.sequence}",
                    ),
                    prev,
                    tree,
                    recorded_after=record.recorded_at,
                )
    if other is None or other.pk != plan.pk:
        baseline = baseline_figures(prev, tree)
        if baseline is not None:
            return _with_advance(baseline, prev, tree)
    if other is None:
        return _with_advance(
            Previous({}, note=NO_PREVIOUS_NOTE.format(year=prev), source=""), prev, tree
        )
    figures = live_figures(prev, tree)
    source = (
        f"Stellen {prev}: Stellenplan {other.label} (Entwurf, aktuelle Daten)"
        if other.status != StaffingPlan.Status.ADOPTED or other.pk == plan.pk
        else f"Stellen {prev}: Stellenplan {other.label} (aktuelle Daten)"
    )
    return Previous(dict(figures.fte), source=source)


def baseline_figures(year: int, tree: OrgTree) -> Previous | None:
    """The Vorjahreszahlen of `year` typed in or imported (PreviousYearFigure), or None.

    "besetzt am 30.06." where given replaces the occupations on that day; the Datenschutz rule
    then counts at least as many positions as the figures need (a group of 2,5 Stellen has at
    least 3 positions, 1,5 occupied at least 2 occupied ones): never fewer than there are, so
    a group is hidden at least where the rule on real positions would hide it.
    """
    rows = list(
        PreviousYearFigure.objects.filter(year=year)
        .select_related("acting_user")
        .order_by("-recorded_at", "-pk")
    )
    if not rows:
        return None
    by_ids: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    occupied: dict[tuple[int, int], Occupied] = defaultdict(Occupied)
    for row in rows:
        key = (tree.department_of(row.org_unit_id), row.pay_grade_id)
        by_ids[key] += row.fte
        if row.occupied is not None:
            occupied[key].add(
                Occupied(
                    fte=row.occupied,
                    positions=math.ceil(row.fte),
                    occupied_positions=math.ceil(row.occupied),
                )
            )
    newest = rows[0]
    user = newest.acting_user
    by = f" von {user.get_full_name() or user.get_username()}" if user is not None else ""
    when = timezone.localtime(newest.recorded_at).strftime("%d.%m.%Y")
    note = BASELINE_NOTE.format(year=year, date=when, by=by)
    return Previous(dict(by_ids), note=note, source=note, occupied=dict(occupied))


def in_advance_creations(
    year: int, tree: OrgTree, recorded_after: datetime | None = None
) -> dict[tuple[int, int], Decimal]:
    """Stellen per (department, grade) created im Vorgriff with effect in `year` (recorded
    after `recorded_after`, where given: what a record of that year cannot hold)."""
    changes = PositionChange.objects.filter(
        kind=PositionChange.Kind.CREATE, in_advance=True, effective_date__year=year
    )
    if recorded_after is not None:
        changes = changes.filter(recorded_at__gt=recorded_after)
    result: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for unit_after, unit_now, grade_after, grade_now, fte_after, fte_now in changes.values_list(
        "org_unit_after_id",
        "position__org_unit_id",
        "pay_grade_after_id",
        "position__pay_grade_id",
        "fte_after",
        "position__fte",
    ):
        unit, grade = unit_after or unit_now, grade_after or grade_now
        fte = fte_after if fte_after is not None else fte_now
        if unit is None or grade is None or not fte:
            continue
        result[(tree.department_of(unit), grade)] += fte
    return dict(result)


def _with_advance(
    previous: Previous, year: int, tree: OrgTree, recorded_after: datetime | None = None
) -> Previous:
    """`previous` with the Schaffungen im Vorgriff of `year` added and said in a note."""
    advance = in_advance_creations(year, tree, recorded_after)
    if not advance:
        return previous
    by_ids = dict(previous.by_ids)
    for key, fte in advance.items():
        by_ids[key] = by_ids.get(key, ZERO) + fte
    per_grade: dict[int, Decimal] = defaultdict(Decimal)
    for (_dept, grade), fte in advance.items():
        per_grade[grade] += fte
    grades = PayGrade.objects.in_bulk(list(per_grade))
    ordered = sorted(per_grade.items(), key=lambda item: -grades[item[0]].sort_order)
    note = IN_ADVANCE_NOTE.format(
        year=year,
        fte=format_decimal(sum(advance.values(), ZERO)),
        groups="; ".join(f"{grades[g].code}: {format_decimal(f)}" for g, f in ordered),
    )
    return Previous(
        by_ids,
        note=previous.note,
        source=previous.source,
        occupied=previous.occupied,
        in_advance=advance,
        notes=[*previous.notes, note],
    )


def _by_ids_from_document(doc: YearDocument, tree: OrgTree) -> dict[tuple[int, int], Decimal]:
    """Stellen per (department id, grade id) of a stored year, departments found by code."""
    by_code = {u.code: uid for uid, u in tree.units.items()}
    result: dict[tuple[int, int], Decimal] = {}
    for unit in doc.units:
        dept = by_code.get(unit.code)
        if dept is None:
            continue
        for row in unit.rows:
            if row.kind == "grade" and row.grade_id is not None and row.fte:
                result[(dept, row.grade_id)] = row.fte
    return result


# --- building the document ---------------------------------------------------------------------


def tariff_kind(code: str) -> str:
    """The kind of table of a Teil-B grade: the first word of its code (EG, S, P …)."""
    return code.split(" ", 1)[0] if code else ""


def _grade_row(grade: PayGrade, values: dict[str, Any]) -> Row:
    return Row(kind="grade", label=grade.code, grade_id=grade.pk, **values)


def _ordered_grades(grades: list[PayGrade]) -> tuple[list[tuple[str, list[PayGrade]]], list]:
    """Teil A groups (label, grades) and Teil B groups (kind, grades), each descending."""
    beamte = [g for g in grades if g.status_group == PayGrade.StatusGroup.BEAMTE]
    tarif = [g for g in grades if g.status_group != PayGrade.StatusGroup.BEAMTE]
    key = lambda g: (-g.sort_order, g.code)  # noqa: E731 - sort key
    part_a = []
    for career, label in CAREER_ORDER:
        group = sorted((g for g in beamte if g.career_group == career), key=key)
        if group:
            part_a.append((label, group))
    kinds: dict[str, list[PayGrade]] = defaultdict(list)
    for grade in sorted(tarif, key=key):
        kinds[tariff_kind(grade.code)].append(grade)
    part_b = sorted(kinds.items(), key=lambda item: -max(g.sort_order for g in item[1]))
    return part_a, part_b


def document_order(grades: Iterable[PayGrade]) -> list[PayGrade]:
    """`grades` in the order of the document: Teil A by block and grade, then Teil B."""
    part_a, part_b = _ordered_grades(list(grades))
    return [g for _, gs in part_a for g in gs] + [g for _, gs in part_b for g in gs]


def _part(key: str, title: str, groups: list, rows_of: dict[int, Row], subtotal: bool) -> Part:
    rows: list[Row] = []
    total = Row(kind="total", label=f"Summe Teil {key}")
    for label, grades in groups:
        sub = Row(kind="subtotal", label=f"Summe {label}")
        for grade in grades:
            row = rows_of[grade.pk]
            rows.append(row)
            sub.add(row)
        if subtotal:
            rows.append(sub)
        total.add(sub)
    rows.append(total)
    return Part(key=key, title=title, rows=rows)


def build_plan_document(plan: StaffingPlan, year: int) -> YearDocument:
    """The live document of plan year `year` (a draft's figures; adoption freezes them)."""
    if year not in plan.years:
        raise ValueError(f"Das Jahr {year} gehört nicht zum Stellenplan {plan.label}.")
    tree = org_tree()
    current = live_figures(year, tree)
    previous = previous_figures(plan, year, tree)
    occupied = occupied_on(date(year - 1, 6, 30), tree)
    occupied.update(previous.occupied)

    keys = set(current.fte) | set(previous.by_ids)
    keys |= {k for k, v in occupied.items() if v.occupied_positions}
    explanations = {
        e.pay_grade_id: e.text for e in PlanExplanation.objects.filter(plan=plan, year=year)
    }
    grade_ids = {g for _, g in keys} | set(explanations)
    target_ids = {t for targets in current.ku_targets.values() for t in targets}
    grades = {g.pk: g for g in PayGrade.objects.filter(pk__in=grade_ids | target_ids)}

    def values(pairs: list[tuple[int, int]]) -> dict[str, Any]:
        targets: dict[int, Decimal] = defaultdict(Decimal)
        for pair in pairs:
            for target, fte in current.ku_targets.get(pair, {}).items():
                targets[target] += fte
        return {
            "fte": sum((current.fte.get(p, ZERO) for p in pairs), ZERO),
            "kw": sum((current.kw.get(p, ZERO) for p in pairs), ZERO),
            "ku": sum((current.ku.get(p, ZERO) for p in pairs), ZERO),
            "ku_targets": [
                KuTarget(grades[t].code, fte)
                for t, fte in sorted(targets.items(), key=lambda i: -grades[i[0]].sort_order)
            ],
            "previous": sum((previous.by_ids.get(p, ZERO) for p in pairs), ZERO),
            "occupied": sum((occupied[p].fte for p in pairs if p in occupied), ZERO),
        }

    by_grade: dict[int, list[tuple[int, int]]] = defaultdict(list)
    by_unit: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pair in keys:
        by_grade[pair[1]].append(pair)
        by_unit[pair[0]].append(pair)

    threshold = plan.explanation_threshold_fte
    rows_of: dict[int, Row] = {}
    for grade_id in grade_ids:
        row = _grade_row(grades[grade_id], values(by_grade.get(grade_id, [])))
        row.explanation = explanations.get(grade_id, "")
        row.explanation_missing = abs(row.change) > threshold and not row.explanation.strip()
        rows_of[grade_id] = row
    present = [grades[g] for g in grade_ids]
    part_a_groups, part_b_groups = _ordered_grades(present)
    ordered = document_order(present)
    missing = [
        f"{year}, {rows_of[g.pk].label}: Veränderung {format_decimal(rows_of[g.pk].change)} "
        f"Stellen (mehr als {format_decimal(threshold)})"
        for g in ordered
        if rows_of[g.pk].explanation_missing
    ]
    part_a = _part("A", "Teil A Beamte", part_a_groups, rows_of, subtotal=True)
    part_b = _part(
        "B", "Teil B Beschäftigte", part_b_groups, rows_of, subtotal=len(part_b_groups) > 1
    )
    grand = Row(kind="grand", label="Gesamtsumme A + B")
    grand.add(part_a.total)
    grand.add(part_b.total)

    row_counts: dict[int, Occupied] = {}  # id(row) of each grade row: its group's positions
    for grade_id, row in rows_of.items():
        row_counts[id(row)] = _summed(occupied.get(p, Occupied()) for p in by_grade[grade_id])

    units = []
    for dept_id, pairs in by_unit.items():
        info = tree.units[dept_id]
        section_id = tree.budget_section_of(dept_id)
        section = tree.budget_sections.get(section_id) if section_id else None
        pair_of = {p[1]: p for p in pairs}
        rows = []
        for g in ordered:
            if g.pk in pair_of:
                row = _grade_row(g, values([pair_of[g.pk]]))
                row_counts[id(row)] = occupied.get(pair_of[g.pk], Occupied())
                rows.append(row)
        rows = [r for r in rows if r.fte or r.previous or r.occupied]
        if not rows:
            continue
        total = Row(kind="total", label=f"Summe {info.code}")
        for r in rows:
            total.add(r)
        rows.append(total)
        units.append(
            UnitPlan(
                section=section.number if section else "",
                section_name=section.name if section else "",
                code=info.code,
                name=info.name,
                rows=rows,
            )
        )
    units.sort(key=lambda u: (u.section or "~", u.code))
    protect_occupation([part_a, part_b], grand, units, row_counts)

    changes, groups = _changes(plan, year)
    notes = ([previous.note] if previous.note else []) + previous.notes
    sources = [
        f"Stellen {year}: Stellen, die an mindestens einem Tag des Jahres {year} bestehen "
        "(aktuelle Daten)",
        previous.source or f"Stellen {year - 1}: kein Stellenplan erfasst",
    ]
    if not previous.occupied:
        sources.append(
            f"besetzt am 30.06.{year - 1}: erfasste Stellenbesetzungen an diesem Tag, je Gruppe "
            "summiert"
        )
    return YearDocument(
        year=year,
        previous_year=year - 1,
        plan_label=plan.label,
        status=plan.status,
        adopted_on=plan.adopted_on,
        grdrs=plan.grdrs,
        parts=[part_a, part_b],
        grand_total=grand,
        units=units,
        changes=changes,
        change_groups=groups,
        notes=notes,
        sources=sources,
        missing_explanations=missing,
        occupation_protected=True,
        trainees=trainee_lines(year),
    )


def trainee_lines(year: int) -> list[TraineeLine]:
    """The Nachwuchskräfte of `year` by kind and training; the Vorjahr as entered, else the
    number of the same training in the year before."""
    labels = dict(TraineeCount.Category.choices)
    order = {value: index for index, value in enumerate(TraineeCount.Category.values)}
    rows = sorted(
        TraineeCount.objects.filter(year__in=[year, year - 1]),
        key=lambda t: (order.get(t.category, 99), t.training),
    )
    before = {(t.category, t.training): t.number for t in rows if t.year == year - 1}
    return [
        TraineeLine(
            category=t.category,
            category_label=str(labels.get(t.category, t.category)),
            training=t.training,
            number=t.number,
            number_previous=(
                t.number_previous
                if t.number_previous is not None
                else before.get((t.category, t.training))
            ),
        )
        for t in rows
        if t.year == year
    ]


def _summed(items: Iterable[Occupied]) -> Occupied:
    total = Occupied()
    for item in items:
        total.add(item)
    return total


def protect_occupation(
    parts: list[Part], grand: Row, units: list[UnitPlan], counts: dict[int, Occupied]
) -> None:
    """Hide the "besetzt am 30.06." sums that could show one employee's share (README,
    "Datenschutz"): a group below OCCUPATION_MIN_POSITIONS (``occupation_shown``), and then
    whatever ``secondary_suppression`` must hide so that no sum reveals a hidden cell.

    The sums are those the document shows: a Laufbahngruppe or Tarif subtotal of its grades, a
    part of its subtotals (or grades), the Gesamtsumme of both parts and of all Ämter, an Amt
    of its grades, and each grade of the whole plan of that grade in every Amt. `counts` holds
    the positions of every grade row (by ``id``); totals add those of their parts. A hidden
    cell gets ``occupied_hidden`` and 0 as its figure (so a record never stores it).
    """
    rows: list[Row] = []
    groups: list[Occupied] = []
    sums: list[tuple[int, list[int]]] = []

    def cell(row: Row, count: Occupied) -> int:
        rows.append(row)
        groups.append(count)
        return len(rows) - 1

    def total_cell(row: Row, members: list[int]) -> int:
        index = cell(row, _summed(groups[m] for m in members))
        sums.append((index, members))
        return index

    plan_cell: dict[int | None, int] = {}
    part_cells: list[int] = []
    for part in parts:
        grades: list[int] = []
        group: list[int] = []
        subtotals: list[int] = []
        for row in part.rows:
            if row.kind == "grade":
                index = cell(row, counts.get(id(row), Occupied()))
                plan_cell[row.grade_id] = index
                grades.append(index)
                group.append(index)
            elif row.kind == "subtotal":
                subtotals.append(total_cell(row, group))
                group = []
            else:
                part_cells.append(total_cell(row, subtotals or grades))
    grand_cell = total_cell(grand, part_cells)
    per_grade: dict[int | None, list[int]] = defaultdict(list)
    unit_cells: list[int] = []
    for unit in units:
        members = []
        for row in unit.rows[:-1]:
            index = cell(row, counts.get(id(row), Occupied()))
            members.append(index)
            per_grade[row.grade_id].append(index)
        unit_cells.append(total_cell(unit.total, members))
    sums.append((grand_cell, unit_cells))
    for grade_id, members in per_grade.items():
        if grade_id in plan_cell:
            sums.append((plan_cell[grade_id], members))

    primary = [not occupation_shown(g) for g in groups]
    hidden = secondary_suppression([r.occupied for r in rows], primary, sums)
    for row, hide in zip(rows, hidden, strict=True):
        if hide:
            row.occupied_hidden = True
            row.occupied = ZERO


def hide_unprotected_occupation(document: PlanDocument) -> PlanDocument:
    """A record frozen before issue 21 has no protected occupation sums (and no counts to
    protect them now): page and Excel show none of them. Changes `document`, returns it."""
    for doc in document.years:
        if doc.occupation_protected:
            continue
        rows = [*(r for p in doc.parts for r in p.rows), doc.grand_total]
        for row in rows + [r for u in doc.units for r in u.rows]:
            row.occupied_hidden = True
            row.occupied = ZERO
    return document


def _changes(plan: StaffingPlan, year: int) -> tuple[list[ChangeEntry], list[ChangeGroup]]:
    wanted = Q(effective_date__year=year)
    if year - 1 not in plan.years:
        # the Schaffungen im Vorgriff of the Vorjahr belong to this plan (and are already in
        # "Stellen N-1", previous_figures): listed, marked, not counted as a Veränderung again
        wanted |= Q(in_advance=True, effective_date__year=year - 1)
    kinds = dict(PositionChange.Kind.choices)
    rows = (
        PositionChange.objects.filter(wanted)
        .values_list(
            "kind",
            "effective_date",
            "in_advance",
            "grdrs",
            "plan__first_year",
            "plan__last_year",
            "org_unit_after__code",
            "org_unit_before__code",
            "position__org_unit__code",
            "pay_grade_after__code",
            "pay_grade_before__code",
            "position__pay_grade__code",
            "fte_after",
            "fte_before",
            "position__fte",
            "summary",
            "explanation",
        )
        .order_by("kind", "grdrs", "effective_date", "id")
    )
    entries = []
    for (
        kind,
        effective,
        in_advance,
        grdrs,
        first,
        last,
        unit_after,
        unit_before,
        unit_now,
        grade_after,
        grade_before,
        grade_now,
        fte_after,
        fte_before,
        fte_now,
        summary,
        explanation,
    ) in rows:
        plan_label = "" if first is None else (str(first) if first == last else f"{first}/{last}")
        fte = fte_after if fte_after is not None else fte_before
        entries.append(
            ChangeEntry(
                kind=kind,
                kind_label=str(kinds.get(kind, kind)),
                effective_date=effective,
                in_advance=in_advance,
                grdrs=grdrs,
                plan_label=plan_label,
                unit=unit_after or unit_before or unit_now or "",
                grade=grade_after or grade_before or grade_now or "",
                fte=fte if fte is not None else fte_now,
                summary=summary,
                explanation=explanation,
                in_previous=bool(in_advance and effective.year == year - 1),
            )
        )
    groups: dict[tuple[str, str], ChangeGroup] = {}
    for entry in entries:
        authority = f"GRDrs {entry.grdrs}" if entry.grdrs else f"Stellenplan {entry.plan_label}"
        group = groups.get((entry.kind, authority))
        if group is None:
            group = groups[(entry.kind, authority)] = ChangeGroup(
                entry.kind_label, authority, 0, 0, ZERO
            )
        group.count += 1
        group.in_advance += entry.in_advance
        group.fte += entry.fte or ZERO
        if entry.in_previous:
            group.in_previous_fte += entry.fte or ZERO
    return entries, list(groups.values())


def build_full_document(plan: StaffingPlan) -> PlanDocument:
    """The live document of every year of the plan."""
    return PlanDocument(
        plan_id=plan.pk,
        label=plan.label,
        years=[build_plan_document(plan, y) for y in plan.years],
    )


_DOCUMENT_CACHE: VersionedCache[int, PlanDocument] = VersionedCache(maxsize=8)


def document_for_output(plan: StaffingPlan) -> PlanDocument:
    """What screen, PDF and Excel show: the newest record of an adopted plan, else live.

    Cached per process by the data version (core.dataversion watches positions, units,
    grades, plans, Erläuterungen, records, changes and occupations): one query on a hit. The
    value is shared: read it, never change it.
    """

    def compute() -> PlanDocument:
        fresh = StaffingPlan.objects.get(pk=plan.pk)
        if fresh.status == StaffingPlan.Status.ADOPTED:
            record = newest_record(fresh)
            if record is not None:
                return hide_unprotected_occupation(PLAN_RECORD.read(record.document))
        return build_full_document(fresh)

    return _DOCUMENT_CACHE.get(plan.pk, compute)
