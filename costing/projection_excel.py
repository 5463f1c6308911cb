"""The five-year projection (costing.projection) as an Excel workbook, in the layout and print
set-up of every export (core.xlsx.SheetWriter: A4, no text below 8 pt on paper, header row
repeated, page header with title and Stand, "Seite x von y", Calibri).

Sheets:
- "Finanzplanung": per Teilhaushalt its Ämter, for each year gross cost, reimbursement and
  municipal share. Gross and reimbursement of a row are the projection's figures; the
  municipal share is a formula (gross − reimbursement); each Teilhaushalt's subtotal and the
  grand total are SUBTOTAL(9, …) formulas (the grand total skips the subtotals), so that
  LibreOffice and Excel recalculate the projection's figures to the cent; every formula is
  written with the projection's figure as its cached value, for readers without a calc
  engine (tests/costing/test_projection_excel.py). Printed in blocks: the two name columns
  and the three figures of each year on a page (core.xlsx.print_layout).
- "Quellen und Annahmen": the cost tables with the months they price, the pay adjustments
  applied (vereinbart / Annahme, with their source), the reimbursement rules per year, the kw
  dates within the years and the assumptions.
"""

from __future__ import annotations

from datetime import date
from typing import IO

from core.formatting import format_decimal, percent
from core.xlsx import FIRST_DATA_ROW, Column, ExcelBook, Formula, SheetWriter, stand_text
from costing.projection import Figures, Projection, adjustment_text
from stellenplan.models import PayGrade

SHEET_PROJECTION = "Finanzplanung"
SHEET_SOURCES = "Quellen und Annahmen"
FIGURE_HEADERS = ("Brutto", "Erstattung", "städtischer Anteil")


def projection_title(projection: Projection) -> str:
    years = projection.years
    return (
        f"Finanzplanung {years[0]}–{years[-1]} (Planjahr {projection.plan_year}): "
        "Personalkosten des Stellenplans"
    )


def write_projection_workbook(
    stream: IO[bytes] | str, projection: Projection, *, today: date | None = None
) -> None:
    build_projection_workbook(projection, today=today).save(stream)


def build_projection_workbook(projection: Projection, *, today: date | None = None) -> ExcelBook:
    stand = stand_text(today)
    workbook = ExcelBook(projection_title(projection))
    _write_figures(workbook, projection, stand)
    _write_sources(workbook, projection, stand)
    return workbook


def _write_figures(workbook: ExcelBook, projection: Projection, stand: str) -> None:
    columns = [Column("Teilhaushalt", 30, wrap=True), Column("Amt", 30, wrap=True)]
    for year in projection.years:
        columns.extend(
            Column(f"{label} {year}", 15, "money", group=str(year)) for label in FIGURE_HEADERS
        )
    sheet = workbook.sheet(SHEET_PROJECTION, columns)
    sheet.freeze("C")
    sheet.title(projection_title(projection), stand)
    note = "unvollständig: siehe „Quellen und Annahmen“" if projection.incomplete else None
    sheet.text(note)  # row 3; the header is row HEADER_ROW
    sheet.header()
    first_data = FIRST_DATA_ROW
    for block in projection.blocks:
        first = sheet.row + 1
        for row in block.rows:
            number = sheet.row + 1
            values: list[object] = [block.label, f"{row.department.code} {row.department.name}"]
            for index, figures in enumerate(row.figures):
                gross_col = sheet.letter(2 + 3 * index)
                refund_col = sheet.letter(3 + 3 * index)
                values.extend(
                    [
                        figures.gross,
                        figures.reimbursement,
                        Formula(f"={gross_col}{number}-{refund_col}{number}", figures.municipal),
                    ]
                )
            sheet.data(values)
        last = sheet.row
        _subtotal(sheet, f"Summe {block.label}", first, last, block.subtotal)
    _subtotal(sheet, "Gesamtsumme", first_data, max(sheet.row, first_data), projection.total)


def _subtotal(sheet: SheetWriter, label: str, first: int, last: int, figures: list[Figures]) -> int:
    """SUBTOTAL(9, …) under every figure column, each with the projection's sum as its value."""
    results = [value for f in figures for value in (f.gross, f.reimbursement, f.municipal)]
    values: list[object] = [label, None]
    for index, result in enumerate(results, 2):
        letter = sheet.letter(index)
        values.append(Formula(f"=SUBTOTAL(9,{letter}{first}:{letter}{last})", result))
    return sheet.total(values)


def _write_sources(workbook: ExcelBook, projection: Projection, stand: str) -> None:
    columns = [
        Column("Art", 22),
        Column("Bezeichnung", 45, wrap=True),
        Column("Datum", 12, "date"),
        Column("Wert", 30, wrap=True),
        Column("Status / Quelle", 60, wrap=True),
    ]
    sheet = workbook.sheet(SHEET_SOURCES, columns)
    sheet.freeze()
    sheet.title(f"Quellen und Annahmen – {projection_title(projection)}", stand)
    sheet.append([None])
    sheet.header()
    for use in projection.tables:
        sheet.data(
            [
                "Kostentabelle",
                use.table.name,
                use.table.valid_from,
                f"angewandt {use.first_month:%m/%Y}–{use.last_month:%m/%Y}",
                "mit Personalkosten-Komponente"
                if use.has_components
                else "ohne Personalkosten-Komponente: Anpassungen auf den ganzen Satz",
            ]
        )
    groups = dict(PayGrade.StatusGroup.choices)
    for adjustment in projection.adjustments:
        sheet.data(
            [
                f"Anpassung {groups.get(adjustment.status_group, adjustment.status_group)}",
                adjustment.name,
                adjustment.effective_date,
                adjustment_text(adjustment),
                f"{adjustment.get_status_display()}: {adjustment.source}",
            ]
        )
    for year, name, rate in projection.reimbursement_rules:
        sheet.data(
            [
                "Erstattungsregel",
                name,
                date(year, 1, 1),
                percent(rate, " "),
                f"gilt am 1. Januar {year}",
            ]
        )
    for kw in projection.kw_dates:
        sheet.data(
            [
                "kw-Vermerk",
                f"{kw.positions} Stelle(n), zusammen {format_decimal(kw.fte)}",
                kw.date,
                "zählen ab diesem Tag nicht mehr",
                None,
            ]
        )
    for text in projection.missing:
        sheet.data(["unvollständig", text, None, None, None])
    for text in projection.assumptions:
        sheet.data(["Annahme", text, None, None, None])
