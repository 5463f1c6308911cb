"""The Personalbedarfsberechnungen as an Excel sheet (openpyxl, write-only).

One sheet "Personalbedarfsberechnung": per calculation its lines (inputs as text, result in
Stellen as numbers with two decimals), then the calculated need next to the positions
requested. Text is written as quoted string cells, never as a formula (``core.xlsx.text_cell``).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.xlsx import text_cell
from stellenplan.need import NeedResult

SHEET_TITLE = "Personalbedarfsberechnung"
HEADER = [
    "Bedarfsberechnung",
    "Stellen",
    "Aufgabe",
    "Methode",
    "Rechnung",
    "Stellen von",
    "Stellen bis",
    "Quelle",
    "Bemerkungen",
]
FTE_FORMAT = "#,##0.00"


def write_need_workbook(handle: IO[bytes], results: Iterable[NeedResult]) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    bold = Font(bold=True)

    def cell(value: Any, *, strong: bool = False) -> Any:
        if isinstance(value, str):
            text = text_cell(sheet, value)
            if text is None or not strong:
                return text
            text.font = bold
            return text
        written = WriteOnlyCell(sheet, value=value)
        if isinstance(value, Decimal):
            written.number_format = FTE_FORMAT
        if strong:
            written.font = bold
        return written

    sheet.append([cell(title, strong=True) for title in HEADER])
    for result in results:
        positions = "; ".join(result.positions)
        for line in result.lines:
            sheet.append(
                [
                    cell(result.title),
                    cell(positions),
                    cell(line.task),
                    cell(line.method_label),
                    cell(line.inputs),
                    cell(line.fte_low),
                    cell(line.fte_high),
                    cell(line.source),
                    cell(line.remarks),
                ]
            )
        if result.error:
            computed = [cell(f"nicht berechenbar: {result.error}"), cell(None), cell(None)]
        else:
            computed = [
                cell(None),
                cell(result.fte_low, strong=True),
                cell(result.fte_high, strong=True),
            ]
        sheet.append(
            [
                cell(result.title),
                cell(positions),
                cell("Berechneter Bedarf", strong=True),
                cell(None),
            ]
            + computed
            + [cell(result.working_time), cell(result.remarks)]
        )
        sheet.append(
            [
                cell(result.title),
                cell(positions),
                cell("Beantragte Stellen", strong=True),
                cell(None),
                cell(None),
                cell(result.requested_fte, strong=True),
                cell(result.requested_fte, strong=True),
                cell(result.source),
                cell(None),
            ]
        )
    workbook.save(handle)
