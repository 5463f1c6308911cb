"""The cost workbook for the Kämmerei (issue 4), written with the common writer (core.xlsx).

Sheets, in this order:
- "Übersicht": per Amt/Referat and per Teilhaushalt the Stellen and annual cost of the first
  selected year, then for every selected year the cost in that year, the reimbursement and the
  municipal share, each table with a total row;
- one sheet per Amt/Referat in the layout of the Anlage of a Beschlussvorlage (first selected
  year), with a total row;
- "Fehlende Kostensätze" (only when a year is incomplete): every active position whose grade has
  no rate in the cost table of the year, by year, with unit, title, grade and table;
- "Kostensätze": the cost table(s) used;
- "Stellen": every position active in one of the selected years, with all its fields and its
  cost per year; it can be imported again (costing.imports.import_positions).

Every figure comes from the costing engine (costing.engine: the year summaries for the overview,
YearPricing for each line); this module only lays them out. Totals are SUM formulas over the
rows above them (SUBTOTAL on "Stellen", so that they follow Excel's filter), each written with
the engine's figure as its cached value (the sum of the Teilhaushalte: the sum of their
figures, each reimbursement rounded per Teilhaushalt), so that readers without a calc engine
see it; tests/costing/test_excel_libreoffice.py recalculates the file with LibreOffice and
compares every total with the engine's to the cent.

Missing rates: a line whose grade has no rate in the table of a year gets the text "fehlt" in its
cost cells (never 0; SUM skips text, so every total is the engine's sum of the costed lines);
it counts in the Stellen. Totals that lack such lines say "unvollständig", a note below the
overview names them, and the sheet "Fehlende Kostensätze" lists them.

Writing (core.xlsx: ExcelBook, SheetWriter): text that begins like a formula is a quoted string
cell, never a formula, shown without an apostrophe; every sheet has the common print set-up
(print area, header row repeated, fit to the page width, A4, landscape where wide, page header
with title and Stand, "Seite x von y"), Calibri everywhere. Sheet names are shortened at a word
boundary to Excel's 31 characters and made unique. Long texts (Bezeichnung, Aufgaben,
Begründung) wrap; the tasks, one per line in the form, keep their line breaks in the cell.

Years: the workbook holds exactly the years it is asked for (selected_years): the file name,
the workbook title, every sheet's title and the page header say which ("2012–2014"). A request
with only ?year=2012 (the "Excel-Export" button of a year) gives that year and the two
following (the medium-term plan the Kämmerei works with), and the button says so; ?years=2012
gives 2012 only.

Streaming: the writer's sheets (XlsxWriter, constant memory) write every row to a temporary file
when the next begins, and this module never holds the lines of a year. The overview comes from the year summaries
(grouped in the database); the positions are read once, in chunks, ordered by org unit code
and id, each priced for every year and appended to "Stellen" and (first year) to the sheet of
its Amt/Referat; the total rows are SUM formulas written last (the SUBTOTAL row of "Stellen"
stands above its rows, so its values, the engine's totals and the Stellen of every position
listed, are known before). Memory stays flat however many positions there are.

Print (core.xlsx.print_layout): the sheets of the Ämter and the rates fit a landscape page;
"Übersicht" and "Stellen" print at 80 % in blocks, the columns of one year on one page.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from functools import reduce
from typing import IO, Any

from django.db.models import QuerySet, Sum
from django.utils import timezone

from core.formatting import format_decimal
from core.formatting import number as number_de
from core.parsing import YEAR_MAX, YEAR_MIN
from core.xlsx import (
    BOLD,
    FIRST_DATA_ROW,
    HEADER_ROW,
    Column,
    ExcelBook,
    Formula,
    SafeText,
    SheetWriter,
    safe,
    sheet_name,
    stand_text,
)
from costing.engine import (
    ZERO,
    GroupTotal,
    MissingLine,
    YearPricing,
    YearSummary,
    is_active_in_year,
    months_active,
    summarize,
    year_summary,
)
from costing.models import CostRate, CostTable
from departments.selectors import OrgTree, UnitInfo
from stellenplan.imports import (
    H_END,
    H_FIXED_TERM,
    H_FTE,
    H_GRADE,
    H_JUSTIFICATION,
    H_NOTE,
    H_NOTE_DATE,
    H_NUMBER,
    H_ORG_UNIT,
    H_START,
    H_TASK_HEADING,
    H_TASKS,
    H_TITLE,
    SHEET_POSITIONS,
    Progress,
)
from stellenplan.models import PayGrade, Position
from stellenplan.selectors import active_in_year

MAX_YEARS = 10
#: Rows of "Stellen" between two progress reports.
PROGRESS_EVERY = 1000

# Column headers of the cost rates, shared with their importer (costing/imports.py); those of
# the positions come from their importer (stellenplan/imports.py).
H_ANNUAL = "Jahreskosten"
H_PERSONNEL = "Personalkosten"
H_MATERIAL = "Sachkosten"
H_IT = "IT-Kosten"

SHEET_OVERVIEW = "Übersicht"
SHEET_RATES = "Kostensätze"
SHEET_MISSING = "Fehlende Kostensätze"
MISSING_COST = "fehlt"
INCOMPLETE = "unvollständig"


class ExportError(ValueError):
    """Bad export parameters; the message is German."""


def selected_years(year: int | None = None, years: Iterable[int] | None = None) -> list[int]:
    """The years of a workbook: `years` (plus `year`), else `year` and the two following.

    Without either, the current year and the two following. Raises ExportError.
    """
    chosen = set(years or ())
    if year is not None:
        chosen.add(year)
    if not years:
        start = year if year is not None else timezone.localdate().year
        chosen = {start, start + 1, start + 2}
    result = sorted(chosen)
    bad = [y for y in result if not YEAR_MIN <= y <= YEAR_MAX]
    if bad:
        raise ExportError(
            f"Ungültiges Jahr {bad[0]}: erwartet eine Jahreszahl zwischen {YEAR_MIN} "
            f"und {YEAR_MAX}."
        )
    if len(result) > MAX_YEARS:
        raise ExportError(
            f"Zu viele Jahre ({len(result)}): höchstens {MAX_YEARS} Jahre je Arbeitsmappe."
        )
    return result


def write_workbook(
    stream: IO[bytes] | str,
    years: Sequence[int],
    positions: QuerySet[Position] | None = None,
    *,
    scope: str = "",
    today: date | None = None,
    progress: Progress | None = None,
) -> None:
    """Write the workbook of `years` (all positions, or those of `positions`) to `stream`.

    The entry point for the views, the export jobs, the export_costs command and the benchmark.
    `progress` hears of each year costed, of every ``PROGRESS_EVERY`` positions written and of
    the saving (see ``build_workbook``). Raises costing.engine.CostingError when a year cannot
    be costed.
    """
    build_workbook(years, positions, scope=scope, today=today, progress=progress).save(stream)


def export_lines(years: Sequence[int], positions: QuerySet[Position] | None = None) -> QuerySet:
    """The positions a workbook of `years` lists (active in one of them): its sheet "Stellen"."""
    base = positions if positions is not None else Position.objects.all()
    return reduce(operator.or_, (active_in_year(base, year) for year in sorted(set(years))))


def export_size(years: Sequence[int], positions: QuerySet[Position] | None = None) -> int:
    """How many positions a workbook of `years` lists (one COUNT): what its writing costs."""
    return export_lines(years, positions).count() if years else 0


class _Steps:
    """The progress of one workbook in units of work: one per position written, and for the
    steps that are not per position a share of them, so that the job page's estimate (time so
    far per unit) holds roughly: costing a year ≈ 1/40 of the lines (1.3 s of the 58 s at
    100,000 positions, bench/results.md); saving ≈ 1/20 is an estimate, not measured."""

    def __init__(self, progress: Progress | None, lines: int, years: int) -> None:
        self.progress = progress
        self.lines = lines
        self.year_weight = max(1, lines // 40)
        self.save_weight = max(1, lines // 20)
        self.total = years * self.year_weight + lines + self.save_weight
        self.done = 0

    def report(self, step: str, done: int | None = None) -> None:
        if done is not None:
            self.done = done
        if self.progress is not None:
            self.progress(self.done, self.total, step)

    def year(self, index: int, year: int) -> None:
        self.report(f"Kosten {year} berechnen", index * self.year_weight)

    def line(self, written: int, base: int) -> None:
        self.report(
            f"Blatt „{SHEET_POSITIONS}“: {number_de(written, 0)} von "
            f"{number_de(self.lines, 0)} Stellen geschrieben",
            base + written,
        )


def build_workbook(
    years: Sequence[int],
    positions: QuerySet[Position] | None = None,
    *,
    scope: str = "",
    today: date | None = None,
    progress: Progress | None = None,
) -> ExcelBook:
    """The workbook with every row written (to the writer's temporary files); save() it.

    `progress(done, total, step)` hears what is being done: each year costed, the sheets
    opened, every ``PROGRESS_EVERY`` positions of "Stellen", and last that the file is saved
    (what follows when this returns)."""
    years = sorted(set(years))
    if not years:
        raise ExportError("Es ist kein Jahr ausgewählt.")
    lines = export_lines(years, positions)
    steps = _Steps(progress, lines.count(), len(years))
    # Raises CostingError (a year without a cost table) before anything is written.
    summaries = []
    for index, year in enumerate(years):
        steps.year(index, year)
        summaries.append(year_summary(year) if positions is None else summarize(year, positions))
    steps.report(
        "Übersicht, Kostensätze und Blätter der Ämter anlegen", len(years) * steps.year_weight
    )
    stand = stand_text(today, scope)
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]}"
    workbook = ExcelBook(f"Stellenplan – Kosten {span}")

    used_names = {
        SHEET_OVERVIEW.lower(),
        SHEET_RATES.lower(),
        SHEET_POSITIONS.lower(),
        SHEET_MISSING.lower(),
    }
    departments = _departments(summaries)
    sheet_names = {unit.id: _sheet_name(unit, used_names) for unit in departments}

    # Sheets appear in the order they are created; rows may be appended to any of them.
    _write_overview(workbook, summaries, departments, stand, span)
    if any(s.incomplete for s in summaries):
        _write_missing(workbook, summaries, stand, span)
    anlagen = {
        unit.id: _open_anlage(workbook, sheet_names[unit.id], unit, summaries[0].year, stand)
        for unit in departments
    }
    main_totals = {unit.id: total for unit, total in summaries[0].by_department}
    _write_rates(workbook, summaries, stand, span)
    union_fte = lines.aggregate(fte=Sum("fte"))["fte"] or ZERO
    _write_lines(workbook, summaries, lines, union_fte, steps, anlagen, stand, span)
    for unit in departments:
        sheet, first = anlagen[unit.id]
        total = main_totals.get(unit.id)
        _close_anlage(
            sheet, first, total.fte if total else ZERO, total.annual_cost if total else ZERO
        )
    steps.report("Datei speichern", steps.total - steps.save_weight)
    return workbook


# --- Übersicht -------------------------------------------------------------------------------


def _departments(summaries: list[YearSummary]) -> list[UnitInfo]:
    units: dict[int, UnitInfo] = {}
    for costing in summaries:
        for unit, _total in costing.by_department:
            units[unit.id] = unit
    return sorted(units.values(), key=lambda u: u.code)


def _sheet_name(unit: UnitInfo, used: set[str]) -> str:
    """The unit's code and name as a sheet name (core.xlsx.sheet_name)."""
    return sheet_name(f"{unit.code} {unit.name}", used, default="Amt")


def _percent(rate: Decimal) -> str:
    text = f"{rate * 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") + " %"


def _group_values(main: GroupTotal | None, per_year: list[GroupTotal | None]) -> list[Decimal]:
    values = [main.fte if main else ZERO, main.annual_cost if main else ZERO]
    for total in per_year:
        if total is None:
            values += [ZERO, ZERO, ZERO]
        else:
            values += [total.cost_in_year, total.reimbursement, total.municipal_share]
    return values


def _write_overview(
    workbook: ExcelBook,
    costings: list[YearSummary],
    departments: list[UnitInfo],
    stand: str,
    span: str,
) -> SheetWriter:
    main = costings[0]
    columns = [
        Column("Amt/Referat", 13),
        Column("Bezeichnung", 42, wrap=True),
        Column(f"Stellen {main.year}", 11, "fte", group="main"),
        Column(f"Jahreskosten {main.year}", 17, "money", group="main"),
    ]
    for costing in costings:
        group = str(costing.year)
        columns += [
            Column(f"Kosten {costing.year}", 17, "money", group=group),
            Column(f"Erstattung {costing.year}", 17, "money", group=group),
            Column(f"Städtischer Anteil {costing.year}", 18, "money", group=group),
        ]
    sheet = workbook.sheet(SHEET_OVERVIEW, columns)
    sheet.freeze("C")
    sheet.title(f"Stellenplan – Kostenübersicht {span}", stand)
    sheet.append([])

    # Per Amt/Referat
    sheet.header()
    by_year = [{u.id: t for u, t in c.by_department} for c in costings]
    incomplete = any(c.incomplete for c in costings)
    total_label = f"Gesamt ({INCOMPLETE})" if incomplete else "Gesamt"
    first = sheet.row + 1
    for unit in departments:
        totals = [m.get(unit.id) for m in by_year]
        sheet.data([unit.code, _marked(unit.name, totals), *_group_values(totals[0], totals)])
    last = sheet.row
    sheet.finish_table(first, last)
    # The engine's totals: the sum of the Ämter (reimbursement per Amt, then summed).
    grand = _group_values(main.total, [c.total for c in costings])
    sheet.sum_row(1, total_label, first, last, dict(enumerate(grand, 2)))

    # Per Teilhaushalt
    sheet.append([])
    sheet.text("Teilhaushalte", BOLD)
    headers = ["Teilhaushalt", "Bezeichnung"]
    sheet.header([headers[i] if i < 2 else c.header for i, c in enumerate(columns)])
    sections: dict[str, tuple[str, str]] = {}
    section_years: list[dict[str, GroupTotal]] = []
    for costing in costings:
        mapping: dict[str, GroupTotal] = {}
        for section, total in costing.by_budget_section:
            key = section.number if section else "~"
            sections[key] = (
                (section.number, section.name) if section else ("–", "ohne Teilhaushalt")
            )
            mapping[key] = total
        section_years.append(mapping)
    first = sheet.row + 1
    rows = []
    for key in sorted(sections):
        number, name = sections[key]
        totals = [m.get(key) for m in section_years]
        rows.append(_group_values(totals[0], totals))
        sheet.data([number, _marked(name, totals), *rows[-1]])
    # The Teilhaushalte' reimbursements are rounded per Teilhaushalt: the total is their sum
    # (as the SUM formula computes), not the engine's total of the Ämter.
    sums = [sum(column, ZERO) for column in zip(*rows, strict=True)] if rows else grand
    sheet.sum_row(1, total_label, first, sheet.row, dict(enumerate(sums, 2)))

    # Where the figures come from
    sheet.append([])
    for costing in costings:
        table = costing.table
        text = (
            f"{costing.year}: Kostentabelle „{table.name}“ (gültig ab {table.valid_from:%d.%m.%Y})"
        )
        if costing.coverage:
            rules = "; ".join(f"{c.name} {_percent(c.rate)}" for c in costing.coverage)
            text += f"; Erstattung: {rules}"
        sheet.note(text, 1)
    sheet.note(
        "Kosten eines Jahres: Anzahl der Stellen × Jahreskostensatz × Monate im Jahr / 12, "
        "je Stelle auf Cent gerundet. Erstattung je Amt/Referat bzw. Teilhaushalt gerundet.",
        1,
    )
    for costing in costings:
        if not costing.incomplete:
            continue
        lines = costing.missing
        fte = sum((line.fte for line in lines), ZERO)
        grades = ", ".join(f"„{g}“" for g in sorted({line.pay_grade_code for line in lines}))
        sheet.note(
            f"{costing.year} {INCOMPLETE}: {len(lines)} Stelle(n) mit "
            f"{format_decimal(fte)} Stellen ohne Kostensatz in der Kostentabelle "
            f"„{costing.table.name}“ (Stellenwert {grades}). Sie sind in den Stellen "
            f"mitgezählt, ihre Kosten fehlen in den Summen; siehe Blatt "
            f"„{SHEET_MISSING}“.",
            1,
            BOLD,
        )

    return sheet


def _marked(name: str, totals: Sequence[GroupTotal | None]) -> str:
    """A row's name, marked when one of its figures lacks lines without a rate."""
    if any(t is not None and t.incomplete for t in totals):
        return f"{name} ({INCOMPLETE})"
    return name


# --- Fehlende Kostensätze --------------------------------------------------------------------


def _write_missing(
    workbook: ExcelBook, summaries: list[YearSummary], stand: str, span: str
) -> SheetWriter:
    """Every active line without a rate, per year: what the totals lack."""
    columns = [
        Column("Jahr", 8),
        Column("ID", 8),
        Column(H_ORG_UNIT, 12),
        Column(H_TITLE, 46, wrap=True),
        Column(H_GRADE, 12),
        Column(H_FTE, 11, "fte"),
        Column("Kostentabelle", 40),
        Column("gültig ab", 12, "date"),
    ]
    sheet = workbook.sheet(SHEET_MISSING, columns)
    sheet.freeze()
    sheet.title(
        f"Stellen ohne Kostensatz {span}: ihre Kosten fehlen in den Summen ({INCOMPLETE})", stand
    )
    sheet.append([])
    sheet.header()
    first = sheet.row + 1
    for summary in summaries:
        line: MissingLine
        for line in summary.missing:
            sheet.data(
                [
                    summary.year,
                    line.position_id,
                    line.org_unit_code,
                    line.title,
                    line.pay_grade_code,
                    line.fte,
                    line.table_name,
                    line.table_valid_from,
                ]
            )
    sheet.finish_table(first, sheet.row)
    return sheet


# --- one sheet per Amt/Referat (Anlage) ------------------------------------------------------


ANLAGE_COLUMNS = [
    Column("Org.einheit (aut. Stpl.)", 14),
    Column("Stellenwert Haushalt", 13),
    Column(H_TITLE, 46, wrap=True),
    Column(H_FTE, 11, "fte"),
    Column(H_NOTE, 13),
    Column("Durchschnittl. jährl. kostenwirksamer Aufwand EUR", 22, "money"),
]


def _open_anlage(
    workbook: ExcelBook, name: str, unit: UnitInfo, year: int, stand: str
) -> tuple[SheetWriter, int]:
    """The sheet of an Amt/Referat up to its header; returns it with its first data row."""
    sheet = workbook.sheet(name, ANLAGE_COLUMNS)
    sheet.freeze()
    sheet.title(f"{unit.code} {unit.name} – Stellen {year}", stand)
    sheet.append([])
    sheet.header()
    return sheet, sheet.row + 1


def _close_anlage(sheet: SheetWriter, first: int, fte: Decimal, annual: Decimal) -> None:
    """The total row: Stellen and annual cost of the Amt/Referat in the year (the engine's)."""
    last = sheet.row
    sheet.finish_table(first, last)
    sheet.sum_row(2, "Gesamt:", first, last, {3: fte, 5: annual})


# --- Kostensätze -----------------------------------------------------------------------------


def _write_rates(
    workbook: ExcelBook, costings: list[YearSummary], stand: str, span: str
) -> SheetWriter:
    tables: dict[int, tuple[CostTable, list[int]]] = {}
    for costing in costings:
        tables.setdefault(costing.table.id, (costing.table, []))[1].append(costing.year)
    columns = [
        Column("Kostentabelle", 40),
        Column("gültig ab", 12, "date"),
        Column("verwendet für", 16),
        Column(H_GRADE, 12),
        Column("Statusgruppe", 18),
        Column(H_ANNUAL, 16, "money"),
        Column(H_PERSONNEL, 16, "money"),
        Column(H_MATERIAL, 16, "money"),
        Column(H_IT, 16, "money"),
    ]
    sheet = workbook.sheet(SHEET_RATES, columns)
    sheet.freeze()
    sheet.title(f"Kostensätze {span} (Kosten eines Arbeitsplatzes, Vollzeit, pro Jahr)", stand)
    sheet.append([])
    sheet.header()
    status = dict(PayGrade.StatusGroup.choices)
    first = sheet.row + 1
    for table, years in tables.values():
        used_for = ", ".join(str(y) for y in years)
        rates = (
            CostRate.objects.filter(table=table)
            .select_related("pay_grade")
            .order_by("pay_grade__sort_order", "pay_grade__code")
        )
        for rate in rates:
            sheet.data(
                [
                    table.name,
                    table.valid_from,
                    used_for,
                    rate.pay_grade.code,
                    str(status.get(rate.pay_grade.status_group, "")),
                    rate.annual_cost,
                    rate.personnel_cost,
                    rate.material_cost,
                    rate.it_cost,
                ]
            )
    sheet.finish_table(first, sheet.row)
    return sheet


# --- Stellen ---------------------------------------------------------------------------------

_POSITION_FIELDS = (
    "id",
    "org_unit_id",
    "org_unit__code",
    "org_unit__name",
    "pay_grade_id",
    "pay_grade__code",
    "pay_grade__status_group",
    "title",
    "fte",
    "note",
    "note_date",
    "start_date",
    "end_date",
    "fixed_term",
    "task_heading",
    "tasks",
    "justification",
    "number",
)


def _write_lines(
    workbook: ExcelBook,
    summaries: list[YearSummary],
    union: QuerySet[Position],
    union_fte: Decimal,
    steps: _Steps,
    anlagen: dict[int, tuple[SheetWriter, int]],
    stand: str,
    span: str,
) -> SheetWriter:
    """The "Stellen" sheet, and the rows of the first year on the sheets of the Ämter, in one
    streamed pass over the positions active in one of the years."""
    tree: OrgTree = summaries[0].tree
    pricings = [YearPricing(s.year, tree) for s in summaries]
    columns = [
        Column("ID", 8),
        Column(H_ORG_UNIT, 12),
        Column("Bezeichnung der Org.einheit", 30),
        Column("Amt/Referat", 12),
        Column("Teilhaushalt", 12),
        Column(H_GRADE, 12),
        Column("Statusgruppe", 16),
        Column(H_TITLE, 40, wrap=True),
        Column(H_FTE, 11, "fte"),
        Column(H_NOTE, 13),
        Column(H_NOTE_DATE, 12, "date"),
        Column(H_START, 12, "date"),
        Column(H_END, 12, "date"),
        Column(H_FIXED_TERM, 10),
        Column(H_TASK_HEADING, 30, wrap=True),
    ]
    for pricing in pricings:
        group = str(pricing.year)
        columns += [
            Column(f"{H_ANNUAL} {pricing.year}", 16, "money", group=group),
            Column(f"Monate {pricing.year}", 9, group=group),
            Column(f"Kosten {pricing.year}", 16, "money", group=group),
        ]
    columns += [
        Column(H_TASKS, 50, wrap=True),
        Column(H_JUSTIFICATION, 50, wrap=True),
        Column(H_NUMBER, 14),
    ]
    fte_index = 8

    last = HEADER_ROW + max(steps.lines, 1)

    sheet = workbook.sheet(SHEET_POSITIONS, columns)
    sheet.freeze("C")
    sheet.title(f"Stellenplan – Stellen und Kosten {span}", stand)
    # The subtotal row stands above the rows it sums (rows are written in order): its values
    # are the engine's totals of each year and the Stellen of every position listed.
    results: dict[int, Decimal] = {fte_index: union_fte}
    for number, summary in enumerate(summaries):
        results[15 + 3 * number] = summary.total.annual_cost
        results[17 + 3 * number] = summary.total.cost_in_year
    subtotal: list[Any] = [None] * len(columns)
    subtotal[fte_index - 1] = "Summe der angezeigten Zeilen:"
    for index, result in results.items():
        letter = sheet.letter(index)
        formula = f"=SUBTOTAL(9,{letter}{FIRST_DATA_ROW}:{letter}{last})"
        subtotal[index] = Formula(formula, result)
    sheet.total(subtotal)
    sheet.header()

    # Texts that repeat on many rows (unit, grade, status) are made safe once per value.
    status = {key: SafeText(label) for key, label in PayGrade.StatusGroup.choices}
    yes_no = (SafeText("nein"), SafeText("ja"))
    units: dict[int, tuple[SafeText | None, ...]] = {}
    grades: dict[str, SafeText | None] = {}
    main = pricings[0]
    base = steps.done
    written = 0
    rows = union.order_by("org_unit__code", "id").values_list(*_POSITION_FIELDS)
    for (
        pid,
        unit_id,
        unit_code,
        unit_name,
        grade_id,
        grade_code,
        status_group,
        title,
        fte,
        note,
        note_date,
        start,
        end,
        fixed_term,
        task_heading,
        tasks,
        justification,
        number,
    ) in rows.iterator(chunk_size=2000):
        unit = units.get(unit_id)
        if unit is None:
            section_id = tree.budget_section_of(unit_id)
            section = tree.budget_sections.get(section_id) if section_id else None
            unit = units[unit_id] = (
                safe(unit_code),
                safe(unit_name),
                safe(tree.units[tree.department_of(unit_id)].code),
                safe(section.number if section else ""),
            )
        if grade_code not in grades:
            grades[grade_code] = safe(grade_code)
        grade = grades[grade_code]
        values: list[Any] = [
            pid,
            *unit,
            grade,
            status.get(status_group, ""),
            title,
            fte,
            note,
            note_date,
            start,
            end,
            yes_no[fixed_term],
            task_heading,
        ]
        for pricing in pricings:
            if not is_active_in_year(start, end, pricing.year):
                values += [None, 0, None]
                continue
            # Not memoised per (start, end) here: that memo would grow with the positions.
            months = months_active(start, end, pricing.year)
            price = pricing.price(grade_id, fte, months)
            if price is None:  # no rate: text, never 0 (see "Fehlende Kostensätze")
                values += [MISSING_COST, months, MISSING_COST]
                continue
            _rate, annual, in_year = price
            values += [annual, months, in_year]
        values += [tasks, justification, safe(number) if number else None]
        sheet.data(values)
        if is_active_in_year(start, end, main.year):
            anlage, _first = anlagen[main.unit(unit_id).department_id]
            anlage.data([unit[0], grade, title, fte, note, values[15]])
        written += 1
        if written % PROGRESS_EVERY == 0:
            steps.line(written, base)
    steps.line(written, base)
    sheet.finish_table(FIRST_DATA_ROW, sheet.row)
    return sheet
