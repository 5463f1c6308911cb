"""The Personalbedarfsberechnungen as an Excel sheet (core.xlsx: the common writer and its print
set-up).

One sheet "Personalbedarfsberechnung", its header in row 1: per calculation its lines (inputs as
text, result in Stellen as numbers with two decimals), then the calculated need next to the
positions requested, in bold. Text that begins like a formula is a quoted string cell, never a
formula. Too wide for a fitted page at a readable size, it prints at 80 % in blocks of columns,
the name of the calculation on every page (core.xlsx.print_layout).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import IO, Any

from core.xlsx import BOLD, FTE_FORMAT, Column, ExcelBook, stand_text
from stellenplan.need import NeedResult

SHEET_TITLE = "Personalbedarfsberechnung"
COLUMNS = [
    Column("Bedarfsberechnung", 28, wrap=True),
    Column("Stellen", 18, wrap=True),
    Column("Aufgabe", 30, wrap=True),
    Column("Methode", 16),
    Column("Rechnung", 30, wrap=True),
    Column("Stellen von", 10, "fte"),
    Column("Stellen bis", 10, "fte"),
    Column("Quelle", 24, wrap=True),
    Column("Bemerkungen", 30, wrap=True),
]
HEADER = [column.header for column in COLUMNS]


def write_need_workbook(
    handle: IO[bytes], results: Iterable[NeedResult], *, today: date | None = None
) -> None:
    workbook = ExcelBook(SHEET_TITLE)
    sheet = workbook.sheet(SHEET_TITLE, COLUMNS)
    sheet.page_header(SHEET_TITLE, stand_text(today))
    # the calculation's name stays in view, and on every page when printed in blocks
    sheet.freeze("B", header_row=1)
    sheet.header()

    def strong(value: Any) -> Any:
        if value is None or value == "":
            return None
        number_format = FTE_FORMAT if isinstance(value, Decimal) else None
        return sheet.styled_cell(value, BOLD, number_format)

    def plain(value: Any) -> Any:
        return (
            sheet.styled_cell(value, None, FTE_FORMAT)
            if isinstance(value, Decimal)
            else (sheet.styled_cell(value) if value else None)
        )

    for result in results:
        positions = "; ".join(result.positions)
        for line in result.lines:
            sheet.data(
                [
                    result.title,
                    positions,
                    line.task,
                    line.method_label,
                    line.inputs,
                    line.fte_low,
                    line.fte_high,
                    line.source,
                    line.remarks,
                ]
            )
        if result.error:
            computed = [plain(f"nicht berechenbar: {result.error}"), None, None]
        else:
            computed = [None, strong(result.fte_low), strong(result.fte_high)]
        sheet.append(
            [
                plain(result.title),
                plain(positions),
                strong("Berechneter Bedarf"),
                None,
                *computed,
                plain(result.working_time),
                plain(result.remarks),
            ]
        )
        sheet.append(
            [
                plain(result.title),
                plain(positions),
                strong("Beantragte Stellen"),
                None,
                None,
                strong(result.requested_fte),
                strong(result.requested_fte),
                plain(result.source),
                None,
            ]
        )
    workbook.save(handle)
