"""Excel import of positions (issue 4): every row a new position, all or nothing.

The file is checked and read by ``core.xlsx`` (size, magic bytes, zip bomb, header row, cells);
the rows are written through ``stellenplan.services.positions_import``, which checks every rule
of the model (``full_clean()`` with its constraints) and records the history with the acting
user. Every problem is reported with sheet, row, column and value: cells that cannot be read
by this module, rules that are broken by the model's messages at the column of their field.

Which sheet: the sheet named "Stellen" when the file has one, as in the workbook of
costing.excel, so that an export imports unchanged; otherwise the first sheet. The header row is
the first of the first 20 rows that names the column "Org.einheit".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from core.xlsx import (
    Bad,
    ImportFailed,
    Row,
    Source,
    blank,
    code_text,
    lookup,
    open_xlsx,
    parse_date,
    parse_number,
    parse_text,
    read_table,
    report_model_errors,
)
from departments.models import OrgUnit
from stellenplan.models import PayGrade, Position
from stellenplan.services import PositionsRefused, positions_check, positions_import

#: The sheet and the column headers of positions, shared with the export (costing.excel).
SHEET_POSITIONS = "Stellen"
H_ORG_UNIT = "Org.einheit"
H_GRADE = "Stellenwert"
H_TITLE = "Funktionsbezeichnung"
H_FTE = "Anzahl der Stellen"
H_NOTE = "Stellenvermerk"
H_NOTE_DATE = "Datum des Vermerks"
H_START = "Beginn"
H_END = "Ende"
H_FIXED_TERM = "befristet"
H_TASK_HEADING = "Überschrift der Aufgabenbeschreibung"
H_TASKS = "Aufgaben"
H_JUSTIFICATION = "Begründung"


@dataclass
class PositionImportResult:
    sheet: str
    created: int
    fte: Decimal


POSITION_FIELDS = {
    "org_unit": H_ORG_UNIT,
    "pay_grade": H_GRADE,
    "title": H_TITLE,
    "fte": H_FTE,
    "note": H_NOTE,
    "note_date": H_NOTE_DATE,
    "start_date": H_START,
    "end_date": H_END,
    "fixed_term": H_FIXED_TERM,
    "task_heading": H_TASK_HEADING,
    "tasks": H_TASKS,
    "justification": H_JUSTIFICATION,
}
POSITION_REQUIRED = [H_ORG_UNIT, H_GRADE, H_TITLE, H_FTE]
POSITION_ALIASES = {
    "Org.einheit (aut. Stpl.)": H_ORG_UNIT,
    "Org.-Einheit": H_ORG_UNIT,
    "Stellenwert Haushalt": H_GRADE,
    "Stellen- vermerk": H_NOTE,
}
_TRUE = {"ja", "j", "x", "wahr", "true", "1"}
_FALSE = {"nein", "n", "falsch", "false", "0"}
_NO_NOTE = {"", "-", "–", "—"}


def default_start_date(today: date | None = None) -> date:
    """Beginn where the file leaves it empty: 1 January of the next year (the next plan)."""
    today = today or date.today()  # noqa: DTZ011 (a calendar date, not a moment)
    return date(today.year + 1, 1, 1)


def _parse_fte(value: Any) -> Decimal:
    """A number; the range (0 < x ≤ 1, two decimals) is the model's rule."""
    return parse_number(value, "erwartet eine Zahl größer als 0 und höchstens 1,0, z. B. 0,5.")


def _parse_note(value: Any) -> str:
    text = parse_text(value).upper()
    if text in _NO_NOTE:
        return ""
    if text in Position.Note.values:
        return text
    raise Bad("erwartet KW, KU oder eine leere Zelle.")


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = parse_text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Bad("erwartet „ja“ oder „nein“.")


def parse_positions(
    workbook: Any, *, default_start: date | None = None
) -> tuple[str, list[tuple[Row, Position]]]:
    """Read every row into an unsaved position; each row holds the issues of its cells.

    Raises ImportFailed when the sheet has no usable header or no data rows.
    """
    table, issues = read_table(
        workbook,
        preferred_sheet=SHEET_POSITIONS,
        key=H_ORG_UNIT,
        known=list(POSITION_FIELDS.values()),
        required=POSITION_REQUIRED,
        aliases=POSITION_ALIASES,
    )
    if table is None or issues:
        raise ImportFailed(issues)
    start_default = default_start or default_start_date()
    units = dict(OrgUnit.objects.values_list("code", "id"))
    units_folded = {code.casefold(): pk for code, pk in units.items()}
    grades = {" ".join(code.split()): pk for code, pk in PayGrade.objects.values_list("code", "id")}
    grades_folded = {code.casefold(): pk for code, pk in grades.items()}
    rows: list[tuple[Row, Position]] = []

    for number, cells in table.rows:
        row = Row(table, number, cells)
        unit_id = grade_id = None
        raw_unit = row.raw(H_ORG_UNIT)
        if blank(raw_unit):
            row.issue(H_ORG_UNIT, "Pflichtfeld: die Zelle darf nicht leer sein.")
        else:
            unit_id = lookup(units, units_folded, code_text(raw_unit))
            if unit_id is None:
                hint = (
                    " Excel hat den Eintrag als Datum gelesen: die Spalte als Text formatieren."
                    if isinstance(raw_unit, datetime)
                    else ""
                )
                row.issue(
                    H_ORG_UNIT,
                    "unbekannte Org.einheit: erwartet das Kürzel einer vorhandenen "
                    f"Organisationseinheit, z. B. 10-5.1 oder 29AL.{hint}",
                )
        raw_grade = row.raw(H_GRADE)
        if blank(raw_grade):
            row.issue(H_GRADE, "Pflichtfeld: die Zelle darf nicht leer sein.")
        else:
            grade_id = lookup(grades, grades_folded, code_text(raw_grade))
            if grade_id is None:
                row.issue(
                    H_GRADE,
                    "unbekannter Stellenwert: erwartet einen vorhandenen Stellenwert wie "
                    "A 12, A 13 hD oder EG 9.",
                )
        title = row.get(H_TITLE, parse_text, required=True, default="")
        fte = row.get(H_FTE, _parse_fte, required=True)
        note = row.get(H_NOTE, _parse_note, default="")
        note_date = row.get(H_NOTE_DATE, parse_date)
        start = row.get(H_START, parse_date)
        if start is None and H_START not in row.failed:
            start = start_default
        end = row.get(H_END, parse_date)
        fixed_term = row.get(H_FIXED_TERM, _parse_bool, default=end is not None)

        # An unsaved position may lack its unit or grade (unreadable cell); positions_check
        # reports that. django-stubs types these ids of non-null foreign keys as never None.
        position = Position(  # type: ignore[misc]
            org_unit_id=unit_id,
            pay_grade_id=grade_id,
            title=title or "",
            fte=fte,
            note=note or "",
            note_date=note_date,
            start_date=start,
            end_date=end,
            fixed_term=bool(fixed_term),
            task_heading=parse_text(row.raw(H_TASK_HEADING)) if row.has(H_TASK_HEADING) else "",
            tasks=parse_text(row.raw(H_TASKS)) if row.has(H_TASKS) else "",
            justification=(
                parse_text(row.raw(H_JUSTIFICATION)) if row.has(H_JUSTIFICATION) else ""
            ),
        )
        rows.append((row, position))
    return table.sheet, rows


def _failed_fields(row: Row) -> set[str]:
    return {name for name, column in POSITION_FIELDS.items() if column in row.failed}


def import_positions(
    source: Source,
    *,
    default_start: date | None = None,
    acting_user: Any = None,
    dry_run: bool = False,
) -> PositionImportResult:
    """Import every row of the file as a new position, or nothing (raises ImportFailed).

    The rows are written by ``stellenplan.services.positions_import`` (every rule of the model
    checked, history with the acting user); its refusals are reported at their cells.
    """
    with open_xlsx(source) as workbook:
        sheet, rows = parse_positions(workbook, default_start=default_start)
    positions = [position for _, position in rows]
    unreadable = any(row.issues for row, _ in rows)
    try:
        if unreadable or dry_run:
            # Cells that could not be read are left out; the rest of each row is checked too,
            # so that the list names every problem of the file at once.
            errors = positions_check(positions, exclude=[_failed_fields(row) for row, _ in rows])
            if errors:
                raise PositionsRefused(errors)
        if not unreadable and not dry_run:
            positions_import(acting_user=acting_user, positions=positions)
    except PositionsRefused as refused:
        for index, error in refused.errors.items():
            report_model_errors(rows[index][0], error, POSITION_FIELDS)
    issues = [issue for row, _ in rows for issue in row.issues]
    if issues:
        raise ImportFailed(issues)
    return PositionImportResult(
        sheet=sheet, created=len(positions), fte=sum((p.fte for p in positions), Decimal("0.00"))
    )
