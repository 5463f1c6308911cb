"""The cost workbook for the Kämmerei (issue 4), written with openpyxl in write-only mode.

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
YearPricing for each line); this module only lays them out. Totals are SUM formulas over the rows above them (SUBTOTAL on "Stellen", so that they
follow Excel's filter); tests/costing/test_excel_libreoffice.py recalculates the file with
LibreOffice and compares every total with the engine's to the cent.

Missing rates: a line whose grade has no rate in the table of a year gets the text "fehlt" in its
cost cells (never 0; SUM skips text, so every total is the engine's sum of the costed lines);
it counts in the Stellen. Totals that lack such lines say "unvollständig", a note below the
overview names them, and the sheet "Fehlende Kostensätze" lists them.

Formula injection: a text cell that begins with "=", "+", "-", "@", tab or CR gets a leading
apostrophe ("'=1+1"). The text stays readable, is stored as text, and is not evaluated when the
sheet is saved as CSV and opened again (the OWASP recommendation). The importers remove that
apostrophe again, so an export can be imported unchanged.

Streaming: openpyxl's write-only sheets write every appended row to a temporary file at once,
and this module never holds the lines of a year. The overview comes from the year summaries
(grouped in the database); the positions are read once, in chunks, ordered by org unit code
and id, each priced for every year and appended to "Stellen" and (first year) to the sheet of
its Amt/Referat; the total rows are SUM formulas written last. Memory stays flat however many
positions there are. Public openpyxl API only: no declared <dimension> (openpyxl offers no
public way for write-only sheets; the importers reset dimensions anyway).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import reduce
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from core.formatting import format_decimal
from core.parsing import YEAR_MAX, YEAR_MIN
from core.xlsx import NEUTRALISER, UNSAFE_PREFIXES
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
    H_ORG_UNIT,
    H_START,
    H_TASK_HEADING,
    H_TASKS,
    H_TITLE,
    SHEET_POSITIONS,
)
from stellenplan.models import PayGrade, Position
from stellenplan.selectors import active_in_year

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Number formats are stored in en-US notation; Excel and LibreOffice show them localised
# ("1.128.560,00 €", "0,50", "01.01.2012" in a German installation).
MONEY_FORMAT = '#,##0.00 "€"'
FTE_FORMAT = "0.00"
DATE_FORMAT = "DD.MM.YYYY"

MAX_YEARS = 10
EXCEL_MAX_TEXT = 32767

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

HEADER_ROW = 4  # row 1 title, row 2 "Stand", row 3 empty (subtotals on "Stellen")
FIRST_DATA_ROW = HEADER_ROW + 1

_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_THIN = Side(style="thin")
_HEADER_BORDER = Border(bottom=_THIN)
_TOTAL_BORDER = Border(top=_THIN, bottom=Side(style="double"))
_WRAP = Alignment(wrap_text=True, vertical="top")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# What XML 1.0 cannot hold: the control characters openpyxl refuses, plus the non-characters U+FFFE and
# U+FFFF and lone surrogates, which a browser form can send and lxml refuses to write.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class ExportError(ValueError):
    """Bad export parameters; the message is German."""


def safe_text(value: str) -> str:
    """Text as it may go into a cell: no XML-illegal characters, no formula, at most 32,767."""
    if _NOT_XML.search(value):
        value = _NOT_XML.sub("", value)
    if value.startswith(UNSAFE_PREFIXES):
        value = NEUTRALISER + value
    return value if len(value) <= EXCEL_MAX_TEXT else value[:EXCEL_MAX_TEXT]


class Formula(str):
    """A cell formula written by this module (never user text)."""


class SafeText(str):
    """Text that has been through safe_text(): written as it is."""


def safe(value: str) -> SafeText | None:
    """safe_text() once for a text that repeats on many rows; None (an empty cell) for ""."""
    return SafeText(safe_text(value)) if value else None


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
) -> None:
    """Write the workbook of `years` (all positions, or those of `positions`) to `stream`.

    The entry point for the views, the export_costs command and the benchmark.
    Raises costing.engine.CostingError when a year cannot be costed.
    """
    build_workbook(years, positions, scope=scope, today=today).save(stream)


def build_workbook(
    years: Sequence[int],
    positions: QuerySet[Position] | None = None,
    *,
    scope: str = "",
    today: date | None = None,
) -> Workbook:
    """The workbook with every row written (to openpyxl's temporary files); save() it."""
    years = sorted(set(years))
    if not years:
        raise ExportError("Es ist kein Jahr ausgewählt.")
    # Raises CostingError (a year without a cost table) before anything is written.
    if positions is None:
        summaries = [year_summary(year) for year in years]
    else:
        summaries = [summarize(year, positions) for year in years]
    stand = f"Stand: {(today or timezone.localdate()):%d.%m.%Y}"
    if scope:
        stand += f" · {scope}"

    workbook = Workbook(write_only=True)
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]}"
    workbook.properties.title = f"Stellenplan – Kosten {span}"
    workbook.properties.creator = "Stellenplan"

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
        _write_missing(workbook, summaries, stand)
    anlagen = {
        unit.id: _open_anlage(workbook, sheet_names[unit.id], unit, summaries[0].year, stand)
        for unit in departments
    }
    _write_rates(workbook, summaries, stand)
    _write_lines(workbook, summaries, positions, anlagen, stand, span)
    for sheet, first in anlagen.values():
        _close_anlage(sheet, first)
    return workbook


# --- sheet writing -------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    kind: str = "text"  # text (and plain numbers), money, fte, date


_FORMATS = {"money": MONEY_FORMAT, "fte": FTE_FORMAT, "date": DATE_FORMAT}


class SheetWriter:
    """Appends rows to a write-only sheet and counts them.

    Data rows reuse one styled cell per column (its value set anew for every row): creating a
    styled cell for every value is slower, and a write-only sheet writes each cell as soon as
    its row is appended, so the next row may reuse it.
    """

    def __init__(self, workbook: Workbook, title: str, columns: Sequence[Column]) -> None:
        self.ws = workbook.create_sheet(title)
        self.columns = list(columns)
        self.row = 0
        for index, column in enumerate(self.columns, 1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width
        self._cells = [self._styled(_FORMATS.get(c.kind)) for c in self.columns]

    def _styled(self, number_format: str | None, **style: Any) -> Cell | None:
        if number_format is None and not style:
            return None
        cell = WriteOnlyCell(self.ws)
        if number_format:
            cell.number_format = number_format
        for name, value in style.items():
            setattr(cell, name, value)
        return cell

    def letter(self, index: int) -> str:
        """Column letter of the column at `index` (0-based)."""
        return get_column_letter(index + 1)

    def _value(self, value: Any) -> Any:
        if isinstance(value, Formula):
            return str(value)
        if isinstance(value, str):
            return safe_text(value)
        return value

    def append(self, values: Sequence[Any]) -> int:
        self.ws.append(values)
        self.row += 1
        return self.row

    def title(self, title: str, stand: str) -> None:
        """Rows 1-2: title and "Stand: date"; the caller then writes row 3 and the header."""
        self.append([self.styled_cell(title, font=_TITLE_FONT)])
        self.append([self.styled_cell(stand)])

    def styled_cell(self, value: Any, number_format: str | None = None, **style: Any) -> Cell:
        cell = WriteOnlyCell(self.ws, value=self._value(value))
        if number_format:
            cell.number_format = number_format
        for name, style_value in style.items():
            setattr(cell, name, style_value)
        return cell

    def header(self) -> int:
        return self.append(
            [
                self.styled_cell(
                    c.header, font=_BOLD, fill=_HEADER_FILL, alignment=_WRAP, border=_HEADER_BORDER
                )
                for c in self.columns
            ]
        )

    def data(self, values: Sequence[Any]) -> int:
        """A data row; the hot loop of a large export, hence the plain code."""
        row: list[Any] = []
        append = row.append
        for template, value in zip(self._cells, values, strict=False):
            if value is None:
                append(None)
            elif value.__class__ is str:  # user text (Formula and SafeText are subclasses)
                append(safe_text(value) if value else None)
            elif template is None:
                append(value)
            else:
                template.value = value
                append(template)
        self.ws.append(row)
        self.row += 1
        return self.row

    def total(self, values: Sequence[Any]) -> int:
        return self.append(
            [
                self.styled_cell(
                    value,
                    _FORMATS.get(column.kind) if value is not None else None,
                    font=_BOLD,
                    border=_TOTAL_BORDER,
                )
                for column, value in zip(self.columns, values, strict=False)
            ]
        )

    def sum_row(self, label_index: int, label: str, first: int, last: int, kinds: set[str]) -> int:
        """A total row: `label`, then =SUM(first:last) under every column of `kinds`."""
        if last < first:  # no rows: an empty placeholder row keeps the formulas valid
            last = first = self.append([None])
        values: list[Any] = [None] * len(self.columns)
        values[label_index] = label
        for index, column in enumerate(self.columns):
            if column.kind in kinds:
                letter = self.letter(index)
                values[index] = Formula(f"=SUM({letter}{first}:{letter}{last})")
        return self.total(values)

    def finish_table(self, first_data_row: int, last_data_row: int) -> None:
        """Autofilter over the header and the data rows (not the total row)."""
        last = max(last_data_row, first_data_row)
        end = self.letter(len(self.columns) - 1)
        self.ws.auto_filter.ref = f"A{HEADER_ROW}:{end}{last}"

    def freeze(self, column: str = "A") -> None:
        """Freeze the title and header rows (and the columns left of `column`)."""
        self.ws.freeze_panes = f"{column}{FIRST_DATA_ROW}"
        self.ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"

    def landscape(self) -> None:
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True


# --- Übersicht -------------------------------------------------------------------------------


def _departments(summaries: list[YearSummary]) -> list[UnitInfo]:
    units: dict[int, UnitInfo] = {}
    for costing in summaries:
        for unit, _total in costing.by_department:
            units[unit.id] = unit
    return sorted(units.values(), key=lambda u: u.code)


def _sheet_name(unit: UnitInfo, used: set[str]) -> str:
    text = _NOT_XML.sub("", f"{unit.code} {unit.name}")
    base = _SHEET_NAME_FORBIDDEN.sub("-", text).strip().strip("'")[:31].rstrip() or "Amt"
    candidate, number = base, 2
    while candidate.lower() in used:
        suffix = f" ({number})"
        candidate = base[: 31 - len(suffix)].rstrip() + suffix
        number += 1
    used.add(candidate.lower())
    return candidate


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
    workbook: Workbook,
    costings: list[YearSummary],
    departments: list[UnitInfo],
    stand: str,
    span: str,
) -> None:
    main = costings[0]
    columns = [
        Column("Amt/Referat", 13),
        Column("Bezeichnung", 42),
        Column(f"Stellen {main.year}", 11, "fte"),
        Column(f"Jahreskosten {main.year}", 17, "money"),
    ]
    for costing in costings:
        columns += [
            Column(f"Kosten {costing.year}", 17, "money"),
            Column(f"Erstattung {costing.year}", 17, "money"),
            Column(f"Städtischer Anteil {costing.year}", 18, "money"),
        ]
    sheet = SheetWriter(workbook, SHEET_OVERVIEW, columns)
    sheet.freeze("C")
    sheet.landscape()
    sheet.title(f"Stellenplan – Kostenübersicht {span}", stand)
    sheet.append([])
    sums = {"fte", "money"}

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
    sheet.sum_row(1, total_label, first, last, sums)

    # Per Teilhaushalt
    sheet.append([])
    sheet.append([sheet.styled_cell("Teilhaushalte", font=_BOLD)])
    headers = ["Teilhaushalt", "Bezeichnung"]
    sheet.append(
        [
            sheet.styled_cell(
                headers[i] if i < 2 else c.header,
                font=_BOLD,
                fill=_HEADER_FILL,
                alignment=_WRAP,
                border=_HEADER_BORDER,
            )
            for i, c in enumerate(columns)
        ]
    )
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
    for key in sorted(sections):
        number, name = sections[key]
        totals = [m.get(key) for m in section_years]
        sheet.data([number, _marked(name, totals), *_group_values(totals[0], totals)])
    sheet.sum_row(1, total_label, first, sheet.row, sums)

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
        sheet.append([None, text])
    sheet.append(
        [
            None,
            "Kosten eines Jahres: Anzahl der Stellen × Jahreskostensatz × Monate im Jahr / 12, "
            "je Stelle auf Cent gerundet. Erstattung je Amt/Referat bzw. Teilhaushalt gerundet.",
        ]
    )
    for costing in costings:
        if not costing.incomplete:
            continue
        lines = costing.missing
        fte = sum((line.fte for line in lines), ZERO)
        grades = ", ".join(f"„{g}“" for g in sorted({line.pay_grade_code for line in lines}))
        sheet.append(
            [
                None,
                sheet.styled_cell(
                    f"{costing.year} {INCOMPLETE}: {len(lines)} Stelle(n) mit "
                    f"{format_decimal(fte)} Stellen ohne Kostensatz in der Kostentabelle "
                    f"„{costing.table.name}“ (Stellenwert {grades}). Sie sind in den Stellen "
                    f"mitgezählt, ihre Kosten fehlen in den Summen; siehe Blatt "
                    f"„{SHEET_MISSING}“.",
                    font=_BOLD,
                ),
            ]
        )


def _marked(name: str, totals: Sequence[GroupTotal | None]) -> str:
    """A row's name, marked when one of its figures lacks lines without a rate."""
    if any(t is not None and t.incomplete for t in totals):
        return f"{name} ({INCOMPLETE})"
    return name


# --- Fehlende Kostensätze --------------------------------------------------------------------


def _write_missing(workbook: Workbook, summaries: list[YearSummary], stand: str) -> None:
    """Every active line without a rate, per year: what the totals lack."""
    columns = [
        Column("Jahr", 8),
        Column("ID", 8),
        Column(H_ORG_UNIT, 12),
        Column(H_TITLE, 46),
        Column(H_GRADE, 12),
        Column(H_FTE, 11, "fte"),
        Column("Kostentabelle", 40),
        Column("gültig ab", 12, "date"),
    ]
    sheet = SheetWriter(workbook, SHEET_MISSING, columns)
    sheet.freeze()
    sheet.title("Stellen ohne Kostensatz: ihre Kosten fehlen in den Summen (unvollständig)", stand)
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


# --- one sheet per Amt/Referat (Anlage) ------------------------------------------------------


ANLAGE_COLUMNS = [
    Column("Org.einheit (aut. Stpl.)", 14),
    Column("Stellenwert Haushalt", 13),
    Column(H_TITLE, 46),
    Column(H_FTE, 11, "fte"),
    Column(H_NOTE, 11),
    Column("Durchschnittl. jährl. kostenwirksamer Aufwand EUR", 22, "money"),
]


def _open_anlage(
    workbook: Workbook, name: str, unit: UnitInfo, year: int, stand: str
) -> tuple[SheetWriter, int]:
    """The sheet of an Amt/Referat up to its header; returns it with its first data row."""
    sheet = SheetWriter(workbook, name, ANLAGE_COLUMNS)
    sheet.freeze()
    sheet.landscape()
    sheet.title(f"{unit.code} {unit.name} – Stellen {year}", stand)
    sheet.append([])
    sheet.header()
    return sheet, sheet.row + 1


def _close_anlage(sheet: SheetWriter, first: int) -> None:
    last = sheet.row
    sheet.finish_table(first, last)
    sheet.sum_row(2, "Gesamt:", first, last, {"fte", "money"})


# --- Kostensätze -----------------------------------------------------------------------------


def _write_rates(workbook: Workbook, costings: list[YearSummary], stand: str) -> None:
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
    sheet = SheetWriter(workbook, SHEET_RATES, columns)
    sheet.freeze()
    sheet.title("Kostensätze (Kosten eines Arbeitsplatzes, Vollzeit, pro Jahr)", stand)
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
)


def _write_lines(
    workbook: Workbook,
    summaries: list[YearSummary],
    positions: QuerySet[Position] | None,
    anlagen: dict[int, tuple[SheetWriter, int]],
    stand: str,
    span: str,
) -> None:
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
        Column(H_TITLE, 40),
        Column(H_FTE, 11, "fte"),
        Column(H_NOTE, 11),
        Column(H_NOTE_DATE, 12, "date"),
        Column(H_START, 12, "date"),
        Column(H_END, 12, "date"),
        Column(H_FIXED_TERM, 10),
        Column(H_TASK_HEADING, 30),
    ]
    for pricing in pricings:
        columns += [
            Column(f"{H_ANNUAL} {pricing.year}", 16, "money"),
            Column(f"Monate {pricing.year}", 9),
            Column(f"Kosten {pricing.year}", 16, "money"),
        ]
    columns += [Column(H_TASKS, 50), Column(H_JUSTIFICATION, 50)]
    fte_index = 8

    base = positions if positions is not None else Position.objects.all()
    union = reduce(operator.or_, (active_in_year(base, p.year) for p in pricings))
    last = HEADER_ROW + max(union.count(), 1)

    sheet = SheetWriter(workbook, SHEET_POSITIONS, columns)
    sheet.freeze("C")
    sheet.title(f"Stellenplan – Stellen und Kosten {span}", stand)
    subtotal: list[Any] = [None] * len(columns)
    subtotal[fte_index - 1] = "Summe der angezeigten Zeilen:"
    for index, column in enumerate(columns):
        if column.kind in {"fte", "money"}:
            letter = sheet.letter(index)
            subtotal[index] = Formula(f"=SUBTOTAL(9,{letter}{FIRST_DATA_ROW}:{letter}{last})")
    sheet.total(subtotal)
    sheet.header()

    # Texts that repeat on many rows (unit, grade, status) are made safe once per value.
    status = {key: SafeText(label) for key, label in PayGrade.StatusGroup.choices}
    yes_no = (SafeText("nein"), SafeText("ja"))
    units: dict[int, tuple[SafeText | None, ...]] = {}
    grades: dict[str, SafeText | None] = {}
    main = pricings[0]
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
        values += [tasks, justification]
        sheet.data(values)
        if is_active_in_year(start, end, main.year):
            anlage, _first = anlagen[main.unit(unit_id).department_id]
            anlage.data([unit[0], grade, title, fte, note, values[15]])
    sheet.finish_table(FIRST_DATA_ROW, sheet.row)
