"""The Stellenplan as an Excel workbook (openpyxl, write-only), from a PlanDocument (live or the
adopted record), with the print set-up of costing.excel (SheetWriter: print area, repeated
header row, fit to page width, landscape when wide, page header and "Seite x von y").

Per plan year three sheets: "Stellenplan N" (Teil A with a subtotal per Laufbahngruppe,
Teil B, Summe Teil A/B and Gesamtsumme A + B), "Teilstellenpläne N" (per Teilhaushalt and Amt)
and "Veränderungen N" (the Veränderungsnachweis). Every subtotal and total is a SUM formula
and the column Veränderung is "Stellen N − Stellen N-1" as a formula, so a spreadsheet
recalculates the same figures (tests: LibreOffice).

It lives in costing only because SheetWriter does (stellenplan may not import costing); it
computes no cost. The occupation per position never appears, only the per-grade sum.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import IO, Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Border, Font, Side

from costing.excel import FONT_NAME, FTE_FORMAT, Column, Formula, SheetWriter, clean_text
from stellenplan.plan_document import PlanDocument, Row, YearDocument

FTE_COLUMNS = (1, 2, 3, 5, 6, 7)  # B C D F G H: the figures summed by the total rows


_BOLD = Font(name=FONT_NAME, bold=True)
_TOTAL_BORDER = Border(top=Side(style="thin"), bottom=Side(style="double"))


class PlanSheet(SheetWriter):
    """SheetWriter for the plan's one-line rows: data cells aligned only where they wrap, and
    total rows written with one reused bold cell per column (as data rows reuse theirs)."""

    def __init__(self, workbook: Workbook, title: str, columns: Sequence[Column]) -> None:
        super().__init__(workbook, title, columns, align_top=False)
        self._total_cells: list[Cell] = []
        for column in self.columns:
            cell = WriteOnlyCell(self.ws)
            cell.font = _BOLD
            cell.border = _TOTAL_BORDER
            if column.kind == "fte":
                cell.number_format = FTE_FORMAT
            self._total_cells.append(cell)

    def total(self, values: Sequence[Any]) -> int:
        row: list[Any] = []
        for cell, value in zip(self._total_cells, values, strict=False):
            if value is None:
                row.append(None)
                continue
            cell.value = str(value) if isinstance(value, Formula) else value
            row.append(cell)
        return self.append(row)


def plan_columns(doc: YearDocument, first: str = "Besoldungs-/Entgeltgruppe") -> list[Column]:
    return [
        Column(first, 26),
        Column(f"Stellen {doc.year}", 10, "fte"),
        Column("davon kw", 9, "fte"),
        Column("davon ku", 9, "fte"),
        Column("ku → Ziel", 12),
        Column(f"Stellen {doc.previous_year}", 10, "fte"),
        Column(f"besetzt am 30.06.{doc.previous_year}", 12, "fte"),
        Column("Veränderung", 12, "fte"),
        Column("Erläuterungen", 40, wrap=True),
    ]


def _values(row: Row, number: int, explanations: bool = True) -> list[Any]:
    return [
        row.label,
        row.fte,
        row.kw or None,
        row.ku or None,
        row.ku_target_text or None,
        row.previous,
        row.occupied,
        Formula(f"=B{number}-F{number}"),
        (row.explanation or ("Erläuterung fehlt" if row.explanation_missing else None))
        if explanations
        else None,
    ]


def _sum_values(sheet: SheetWriter, label: str, number: int, refs: Sequence[int]) -> list[Any]:
    """A total row: SUM of the rows `refs` (contiguous ranges joined) in every figure column."""
    values: list[Any] = [None] * len(sheet.columns)
    values[0] = label
    for index in FTE_COLUMNS:
        letter = sheet.letter(index)
        if index == 7:
            values[index] = Formula(f"=B{number}-F{number}")
        elif refs:
            values[index] = Formula("=" + sum_of(letter, refs))
        else:
            values[index] = 0
    return values


MAX_ARGUMENTS = 200  # Excel allows 255 arguments per function


def sum_of(letter: str, rows: Sequence[int]) -> str:
    """SUM over `rows` of column `letter`: runs of adjacent rows as ranges (B5:B9), and nested
    SUMs where there would be more arguments than a function takes."""
    parts: list[str] = []
    ordered = sorted(rows)
    start = previous = ordered[0]
    for row in [*ordered[1:], None]:
        if row is not None and row == previous + 1:
            previous = row
            continue
        parts.append(
            f"{letter}{start}" if start == previous else f"{letter}{start}:{letter}{previous}"
        )
        if row is not None:
            start = previous = row
    while len(parts) > MAX_ARGUMENTS:
        parts = [
            "SUM(" + ",".join(parts[i : i + MAX_ARGUMENTS]) + ")"
            for i in range(0, len(parts), MAX_ARGUMENTS)
        ]
    return "SUM(" + ",".join(parts) + ")"


def _write_plan_sheet(workbook: Workbook, doc: YearDocument, title: str, stand: str) -> SheetWriter:
    sheet = PlanSheet(workbook, f"Stellenplan {doc.year}", plan_columns(doc))
    sheet.freeze("B")
    sheet.title(title, stand)
    sheet.append([clean_text(" · ".join(doc.notes))] if doc.notes else [])
    sheet.header()
    part_totals: list[int] = []
    for part in doc.parts:
        sheet.append([part.title])
        grade_rows: list[int] = []
        group_rows: list[int] = []  # grade rows since the last subtotal
        subtotals: list[int] = []
        for row in part.rows:
            number = sheet.row + 1
            if row.kind == "grade":
                sheet.data(_values(row, number))
                grade_rows.append(number)
                group_rows.append(number)
            elif row.kind == "subtotal":
                sheet.total(_sum_values(sheet, row.label, number, group_rows))
                subtotals.append(number)
                group_rows = []
            else:  # the part's total: its subtotals, or its grades where there are none
                refs = subtotals or grade_rows
                sheet.total(_sum_values(sheet, row.label, number, refs))
                part_totals.append(number)
    number = sheet.row + 1
    sheet.total(_sum_values(sheet, doc.grand_total.label, number, part_totals))
    sheet.finish_print()
    return sheet


def _write_units_sheet(
    workbook: Workbook, doc: YearDocument, title: str, stand: str
) -> SheetWriter:
    sheet = PlanSheet(workbook, f"Teilstellenpläne {doc.year}", plan_columns(doc, "Gruppe"))
    sheet.freeze("B")
    sheet.title(title, stand)
    sheet.append([])
    sheet.header()
    unit_totals: list[int] = []
    for unit in doc.units:
        sheet.append(
            [
                clean_text(
                    f"Teilhaushalt {unit.section or '–'} {unit.section_name} · {unit.code} {unit.name}"
                )
            ]
        )
        rows: list[int] = []
        for row in unit.rows:
            number = sheet.row + 1
            if row.kind == "grade":
                sheet.data(_values(row, number, explanations=False))
                rows.append(number)
            else:
                sheet.total(_sum_values(sheet, row.label, number, rows))
                unit_totals.append(number)
    number = sheet.row + 1
    sheet.total(_sum_values(sheet, "Summe aller Teilstellenpläne", number, unit_totals))
    sheet.finish_print()
    return sheet


def _write_changes_sheet(
    workbook: Workbook, doc: YearDocument, title: str, stand: str
) -> SheetWriter:
    columns = [
        Column("Art", 26, wrap=True),
        Column("wirksam ab", 11, "date"),
        Column("im Vorgriff", 10),
        Column("Grundlage", 18),
        Column("Einheit", 10),
        Column("Gruppe", 10),
        Column("Stellen", 9, "fte"),
        Column("Erläuterung", 48, wrap=True),
    ]
    sheet = PlanSheet(workbook, f"Veränderungen {doc.year}", columns)
    sheet.freeze("B")
    sheet.title(title, stand)
    sheet.append([])
    sheet.header()
    first = sheet.row + 1
    for change in doc.changes:
        sheet.data(
            [
                change.kind_label,
                change.effective_date,
                "ja" if change.in_advance else None,
                f"GRDrs {change.grdrs}" if change.grdrs else f"Stellenplan {change.plan_label}",
                change.unit,
                change.grade,
                change.fte,
                change.explanation or change.summary,
            ]
        )
    last = sheet.row
    sheet.sum_row(0, f"Summe ({len(doc.changes)} Veränderungen)", first, last, {"fte"})
    sheet.finish_print()
    return sheet


def build_plan_workbook(document: PlanDocument, *, today: date | None = None) -> Workbook:
    workbook = Workbook(write_only=True)
    status = "Entwurf" if document.years[0].draft else "beschlossen"
    workbook.properties.title = f"Stellenplan {document.label} ({status})"
    workbook.properties.creator = "Stellenplan"
    stand = f"Stand: {(today or timezone.localdate()):%d.%m.%Y} · {status}"
    for doc in document.years:
        base = f"Stellenplan {document.label} – Haushaltsjahr {doc.year}"
        _write_plan_sheet(workbook, doc, base, stand)
        _write_units_sheet(workbook, doc, f"{base}: Teilstellenpläne", stand)
        _write_changes_sheet(workbook, doc, f"{base}: Veränderungsnachweis", stand)
    return workbook


def write_plan_workbook(stream: IO[bytes] | str, document: PlanDocument, **kwargs: Any) -> None:
    build_plan_workbook(document, **kwargs).save(stream)


def plan_xlsx_filename(document: PlanDocument) -> str:
    return f"Stellenplan-{document.label.replace('/', '-')}.xlsx"
