"""The change log (core.history.ChangeLog) as an Excel sheet "Änderungsprotokoll", written with
the common Excel writer (core.xlsx), its header in row 1: time, user, type, object, action and
the changes (old → new, one per line). Every text is a quoted string cell (never a formula)."""

from __future__ import annotations

from datetime import date
from typing import IO

from django.utils import timezone

from core.history import ChangeLog, ChangeLogEntry
from core.xlsx import Column, ExcelBook, stand_text

SHEET_TITLE = "Änderungsprotokoll"
EXPORT_LIMIT = 50_000
EXPORT_CHUNK = 500
COLUMNS = [
    Column("Zeitpunkt", 19),
    Column("Benutzer", 16, quoted=True),
    Column("Art", 18, quoted=True),
    Column("Objekt", 30, quoted=True, wrap=True),
    Column("Aktion", 11, quoted=True),
    Column("Änderungen (alt → neu)", 60, quoted=True, wrap=True),
]


def changes_text(entry: ChangeLogEntry) -> str:
    if entry.kind == "angelegt":
        return "\n".join(f"{label}: {new}" for label, _, new in entry.changes)
    return "\n".join(f"{label}: {old} → {new}" for label, old, new in entry.changes)


def write_change_log(handle: IO[bytes], log: ChangeLog, *, today: date | None = None) -> None:
    """The entries of `log` (at most EXPORT_LIMIT, newest first), read in chunks."""
    workbook = ExcelBook(f"Stellenplan – {SHEET_TITLE}")
    sheet = workbook.sheet(SHEET_TITLE, COLUMNS)
    sheet.page_header(f"Stellenplan – {SHEET_TITLE}", stand_text(today))
    sheet.freeze(header_row=1)
    sheet.header()
    total = min(log.total(), EXPORT_LIMIT)
    for start in range(0, total, EXPORT_CHUNK):
        for entry in log[start : min(start + EXPORT_CHUNK, total)]:
            sheet.data(
                [
                    timezone.localtime(entry.when).replace(tzinfo=None, microsecond=0),
                    entry.who,
                    entry.type_label,
                    entry.object_label,
                    entry.kind,
                    changes_text(entry),
                ]
            )
    workbook.save(handle)
