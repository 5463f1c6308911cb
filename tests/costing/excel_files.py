"""Small xlsx files for the import tests, built in memory with openpyxl (normal mode)."""

from collections.abc import Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook

POSITION_HEADER = ["Org.einheit", "Stellenwert", "Funktionsbezeichnung", "Anzahl der Stellen"]
RATE_HEADER = ["Stellenwert", "Jahreskosten", "Personalkosten", "Sachkosten", "IT-Kosten"]


def xlsx_bytes(rows: Sequence[Sequence[Any]], sheet: str = "Tabelle1", **extra_sheets) -> bytes:
    """A workbook whose first sheet holds `rows` (row 1 first); more sheets by keyword."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(list(row))
    for name, sheet_rows in extra_sheets.items():
        other = workbook.create_sheet(name)
        for row in sheet_rows:
            other.append(list(row))
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_file(tmp_path, rows: Sequence[Sequence[Any]], name: str = "datei.xlsx", **kw) -> str:
    path = tmp_path / name
    path.write_bytes(xlsx_bytes(rows, **kw))
    return str(path)
