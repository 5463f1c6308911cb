"""Excel import of positions (issues 4 and 11): a preview, then all or nothing, as one batch.

The file is checked and read by ``core.xlsx`` (size, magic bytes, zip bomb, header row, cells,
at most ``settings.IMPORT_MAX_ROWS`` data rows, counted while reading). ``plan_positions``
works out what the file would do without saving anything: a row without ID is a new position,
a row with the ID of an existing position (the first column of the app's own export) changes
it where its values differ or is skipped when nothing differs, an unknown ID is refused. Rows
that look like an existing position or another row (same org unit, grade, FTE, title and
start) are warnings. Every problem is reported with sheet, row, column and value: cells that
cannot be read by this module, rules that are broken by the model's messages (``full_clean()``
with its constraints) at the column of their field.

The web import keeps the file as a pending ``ImportBatch`` (``preview_positions``) until the
user confirms (``confirm_batch``); the batch then records what was created and changed, so
that it can be undone (``stellenplan.services.import_batch_undo``). The command and
``import_positions`` apply a file directly, as one batch too.

Which sheet: the sheet named "Stellen" when the file has one, as in the workbook of
costing.excel, so that an export imports unchanged; otherwise the first sheet. The header row is
the first of the first 20 rows that names the column "Org.einheit".
"""

from __future__ import annotations

import copy
import hashlib
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from core.concurrency import raw_value
from core.dataversion import current_token
from core.fields import concrete_field
from core.formatting import display_value
from core.formatting import number as number_de
from core.suggest import closest_codes, code_key, did_you_mean
from core.users import User
from core.xlsx import (
    Bad,
    ImportFailed,
    ImportIssue,
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
from stellenplan.models import ImportBatch, PayGrade, Position
from stellenplan.services import (
    ImportBatchError,
    PositionChange,
    import_batch_create,
    import_batch_lock,
    import_batch_mark_applied,
    import_batch_pending,
    positions_check,
    positions_import,
)

#: The sheet and the column headers of positions, shared with the export (costing.excel).
SHEET_POSITIONS = "Stellen"
H_ID = "ID"
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
H_NUMBER = "Stellennummer"


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
    "number": H_NUMBER,
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


_GRADE_PREFIX = re.compile(r"^(entgeltgruppe|entgeltgr|eg|e)(?=\d)")


def grade_key(text: str) -> str:
    """The key of a pay grade code for suggestions (``core.suggest``): "E 9", "EG9", "Eg 9" and
    "Entgeltgruppe 9" are all "eg9", "A13gD" is "a13gd"."""
    return _GRADE_PREFIX.sub("eg", code_key(text))


def unknown_grade_message(code: str, codes: list[str]) -> str:
    """The message of an unknown pay grade, with the grades the cell most likely means."""
    return (
        "unbekannter Stellenwert: erwartet einen vorhandenen Stellenwert wie A 12, A 13 hD "
        "oder EG 9." + did_you_mean(closest_codes(code, codes, grade_key))
    )


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


def _parse_id(value: Any) -> int:
    expected = (
        "erwartet die ID einer vorhandenen Stelle (eine ganze Zahl wie im Excel-Export) oder "
        "eine leere Zelle für eine neue Stelle."
    )
    if isinstance(value, bool):
        raise Bad(expected)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit() or len(value) > 18:
            raise Bad(expected)
        value = int(value)
    if not isinstance(value, int) or not 0 < value < 2**63:
        raise Bad(expected)
    return value


@dataclass
class ParsedRow:
    """One data row: its cells' issues, the position it describes (unsaved), its ID if any."""

    row: Row
    position: Position
    position_id: int | None
    start_given: bool


#: A callback for the progress of a long check: rows done, rows in all, what is being done.
Progress = Callable[[int, int, str], None]
#: Rows between two progress reports.
PROGRESS_EVERY = 500


def parse_positions(
    workbook: Any,
    *,
    default_start: date | None = None,
    max_rows: int | None = None,
    progress: Progress | None = None,
) -> tuple[str, list[str], list[ParsedRow]]:
    """Read every row into an unsaved position; each row holds the issues of its cells.

    Returns the sheet, the known columns present and the rows. Raises ImportFailed when the
    sheet has no usable header or no data rows, or more than `max_rows` data rows.
    """
    table, issues = read_table(
        workbook,
        preferred_sheet=SHEET_POSITIONS,
        key=H_ORG_UNIT,
        known=[H_ID, *POSITION_FIELDS.values()],
        required=POSITION_REQUIRED,
        aliases=POSITION_ALIASES,
        max_rows=max_rows,
    )
    if table is None or issues:
        raise ImportFailed(issues)
    start_default = default_start or default_start_date()
    units = dict(OrgUnit.objects.values_list("code", "id"))
    units_folded = {code.casefold(): pk for code, pk in units.items()}
    grades = {" ".join(code.split()): pk for code, pk in PayGrade.objects.values_list("code", "id")}
    grades_folded = {code.casefold(): pk for code, pk in grades.items()}
    rows: list[ParsedRow] = []

    total = len(table.rows)
    for index, (number, cells) in enumerate(table.rows):
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(index, total, f"Zeile {number_de(index, 0)} von {number_de(total, 0)} gelesen")
        row = Row(table, number, cells)
        position_id = row.get(H_ID, _parse_id)
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
                suggestion = did_you_mean(closest_codes(code_text(raw_unit), units))
                row.issue(
                    H_ORG_UNIT,
                    "unbekannte Org.einheit: erwartet das Kürzel einer vorhandenen "
                    f"Organisationseinheit, z. B. 10-5.1 oder 29AL.{suggestion}{hint}",
                )
        raw_grade = row.raw(H_GRADE)
        if blank(raw_grade):
            row.issue(H_GRADE, "Pflichtfeld: die Zelle darf nicht leer sein.")
        else:
            grade_code = code_text(raw_grade)
            grade_id = lookup(grades, grades_folded, grade_code)
            if grade_id is None:
                row.issue(H_GRADE, unknown_grade_message(grade_code, list(grades)))
        title = row.get(H_TITLE, parse_text, required=True, default="")
        fte = row.get(H_FTE, _parse_fte, required=True)
        note = row.get(H_NOTE, _parse_note, default="")
        note_date = row.get(H_NOTE_DATE, parse_date)
        start = row.get(H_START, parse_date)
        start_given = start is not None
        if start is None and H_START not in row.failed:
            start = start_default
        end = row.get(H_END, parse_date)
        fixed_term = row.get(H_FIXED_TERM, _parse_bool, default=False)

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
            # as saved (the model's rule), so that it compares with a saved position
            fixed_term=Position.fixed_term_for(end, bool(fixed_term)),
            task_heading=parse_text(row.raw(H_TASK_HEADING)) if row.has(H_TASK_HEADING) else "",
            tasks=parse_text(row.raw(H_TASKS)) if row.has(H_TASKS) else "",
            justification=(
                parse_text(row.raw(H_JUSTIFICATION)) if row.has(H_JUSTIFICATION) else ""
            ),
            number=code_text(row.raw(H_NUMBER)) if row.has(H_NUMBER) else "",
        )
        rows.append(ParsedRow(row, position, position_id, start_given))
    return table.sheet, list(table.columns), rows


# --- what a file would do -------------------------------------------------------------------

#: How many rows of each kind a preview lists (the counts are always complete).
PREVIEW_ROWS = 500
#: What makes two positions "likely the same" (warned about, not refused).
DUPLICATE_FIELDS = ("org_unit_id", "pay_grade_id", "fte", "title", "start_date")


def max_rows() -> int:
    return int(settings.IMPORT_MAX_ROWS)


@dataclass
class PlannedRow:
    """A row the file would save: a new position, or a change of an existing one (``data``
    holds the fields that differ, ``changes`` their labels with old and new value as shown)."""

    number: int
    position: Position
    existing: Position | None = None
    data: dict[str, Any] = field(default_factory=dict)
    changes: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class PositionPlan:
    sheet: str
    new: list[PlannedRow]
    updates: list[PlannedRow]
    unchanged: list[int]  # rows (numbers) whose position already has every value
    warnings: list[tuple[int, str]]
    issues: list[ImportIssue]
    labels: Labels

    @property
    def fte(self) -> Decimal:
        return sum((r.position.fte for r in self.new), Decimal("0.00"))

    def preview(self) -> dict[str, Any]:
        """What the preview page shows, as JSON (kept with a pending batch)."""
        labels = self.labels
        return {
            "sheet": self.sheet,
            "counts": {
                "created": len(self.new),
                "updated": len(self.updates),
                "unchanged": len(self.unchanged),
                "refused": len({i.row for i in self.issues}),
                "warnings": len(self.warnings),
            },
            "fte": str(self.fte),
            "created": [
                {
                    "row": r.number,
                    "org_unit": labels.units.get(r.position.org_unit_id, ""),
                    "pay_grade": labels.grades.get(r.position.pay_grade_id, ""),
                    "title": r.position.title,
                    "fte": display_value(concrete_field(Position, "fte"), r.position.fte),
                    "start": display_value(
                        concrete_field(Position, "start_date"), r.position.start_date
                    ),
                }
                for r in self.new[:PREVIEW_ROWS]
            ],
            "updated": [
                {
                    "row": r.number,
                    "id": r.position.pk,
                    "label": labels.describe(r.existing) if r.existing else "",
                    "changes": [list(change) for change in r.changes],
                }
                for r in self.updates[:PREVIEW_ROWS]
            ],
            "unchanged_rows": self.unchanged[:PREVIEW_ROWS],
            "warnings": [
                {"row": number, "message": message}
                for number, message in self.warnings[:PREVIEW_ROWS]
            ],
            "issues": issues_json(self.issues[:PREVIEW_ROWS]),
            "grade_spans": self.grade_spans(),
        }

    def grade_spans(self) -> list[dict[str, Any]]:
        """The grades and active spans the file gives positions (new rows, and changed rows
        whose grade, start or end changes): per (grade, start, end) the rows (at most
        ``SPAN_ROWS`` listed) and their number. The page checks them against the cost tables
        (a lower app cannot: ``costing.selectors.grade_spans_without_rate``)."""
        spans: dict[tuple[int, str, str | None], dict[str, Any]] = {}
        for planned in (*self.new, *self.updates):
            if planned.existing is not None and not {"pay_grade", "start_date", "end_date"} & set(
                planned.data
            ):
                continue
            position = planned.position
            end = position.end_date.isoformat() if position.end_date else None
            key = (position.pay_grade_id, position.start_date.isoformat(), end)
            span = spans.setdefault(
                key,
                {
                    "grade": position.pay_grade_id,
                    "code": self.labels.grades.get(position.pay_grade_id, ""),
                    "start": key[1],
                    "end": end,
                    "rows": [],
                    "count": 0,
                },
            )
            span["count"] += 1
            if len(span["rows"]) < SPAN_ROWS:
                span["rows"].append(planned.number)
        return list(spans.values())


#: Rows listed per grade and span in a preview (the count is complete).
SPAN_ROWS = 10


class Labels:
    """Codes of org units and pay grades by id, for the preview."""

    def __init__(self) -> None:
        self.units = dict(OrgUnit.objects.values_list("id", "code"))
        self.grades = dict(PayGrade.objects.values_list("id", "code"))

    def of(self, name: str) -> dict[Any, str]:
        return self.units if name == "org_unit" else self.grades

    def describe(self, position: Position) -> str:
        unit = self.units.get(position.org_unit_id, "")
        grade = self.grades.get(position.pay_grade_id, "")
        return f"{unit} {grade} {position.title}"


def _existing_positions(ids: list[int]) -> dict[int, Position]:
    found: dict[int, Position] = {}
    for start in range(0, len(ids), 1000):
        found.update(Position.objects.in_bulk(ids[start : start + 1000]))
    return found


def _copy(position: Position) -> Position:
    """A copy to set the file's values on and check (a saved instance: unique checks exclude
    itself), leaving `position` as it was read."""
    return copy.copy(position)


def _duplicate_key(position: Position) -> tuple[Any, ...]:
    return (
        position.org_unit_id,
        position.pay_grade_id,
        position.fte.normalize() if isinstance(position.fte, Decimal) else position.fte,
        " ".join((position.title or "").split()).casefold(),
        position.start_date,
    )


def _duplicate_warnings(
    rows: list[tuple[int, Position]], changed_ids: set[int]
) -> list[tuple[int, str]]:
    """Rows that look like an existing position (other than one the file changes) or like an
    earlier row of the file: same org unit, grade, FTE, title and start."""
    units = {p.org_unit_id for _, p in rows if p.org_unit_id is not None}
    existing: dict[tuple[Any, ...], int] = {}
    for start in range(0, len(units), 500):
        chunk = sorted(units)[start : start + 500]
        for values in Position.objects.filter(org_unit_id__in=chunk).values_list(
            "id", *DUPLICATE_FIELDS
        ):
            pk, *key = values
            if pk in changed_ids:
                continue
            fte = key[2]
            key[2] = fte.normalize() if isinstance(fte, Decimal) else fte
            key[3] = " ".join(key[3].split()).casefold()
            existing.setdefault(tuple(key), pk)
    warnings: list[tuple[int, str]] = []
    first_row: dict[tuple[Any, ...], int] = {}
    what = "gleiche Org.einheit, Stellenwert, Anzahl der Stellen, Funktionsbezeichnung und Beginn"
    for number, position in rows:
        key = _duplicate_key(position)
        if key in existing and existing[key] != position.pk:
            warnings.append(
                (
                    number,
                    f"Möglicherweise doppelt: wie die vorhandene Stelle mit der ID "
                    f"{existing[key]} ({what}).",
                )
            )
        if key in first_row:
            warnings.append(
                (
                    number,
                    f"Möglicherweise doppelt: wie Zeile {first_row[key]} dieser Datei ({what}).",
                )
            )
        else:
            first_row[key] = number
    return warnings


def plan_positions(
    source: Source,
    *,
    default_start: date | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
) -> PositionPlan:
    """What the file would do, saving nothing. Raises ImportFailed only for the file itself
    (unreadable, no header, too many rows); refused rows are the plan's ``issues``.
    `progress` hears of every ``PROGRESS_EVERY`` rows read and of the checks after them."""
    with open_xlsx(source) as workbook:
        sheet, columns, parsed = parse_positions(
            workbook, default_start=default_start, max_rows=limit or max_rows(), progress=progress
        )
    if progress is not None:
        progress(len(parsed), len(parsed), "Zeilen gegen die vorhandenen Stellen prüfen")
    existing = _existing_positions(sorted({p.position_id for p in parsed if p.position_id}))
    present = [name for name, column in POSITION_FIELDS.items() if column in columns]
    seen: dict[int, int] = {}
    candidates: list[tuple[ParsedRow, Position, Position | None, dict[str, Any]]] = []
    unchanged: list[int] = []
    for item in parsed:
        row, position_id = item.row, item.position_id
        if position_id is None:
            candidates.append((item, item.position, None, {}))
            continue
        if position_id in seen:
            row.issue(
                H_ID,
                f"Die ID steht schon in Zeile {seen[position_id]}: jede Stelle darf nur einmal "
                "in der Datei stehen.",
            )
            continue
        seen[position_id] = row.number
        current = existing.get(position_id)
        if current is None:
            row.issue(
                H_ID,
                "Eine Stelle mit dieser ID gibt es nicht (mehr): erwartet die ID einer "
                "vorhandenen Stelle oder eine leere Zelle für eine neue Stelle.",
            )
            continue
        data: dict[str, Any] = {}
        for name in present:
            if POSITION_FIELDS[name] in row.failed:
                continue
            if name == "start_date" and not item.start_given:
                continue  # an empty Beginn keeps the start of an existing position
            model_field = concrete_field(Position, name)
            value = getattr(item.position, model_field.attname)
            if raw_value(model_field, value) != raw_value(
                model_field, getattr(current, model_field.attname)
            ):
                data[name] = value
        if not data and not row.issues:
            unchanged.append(row.number)
            continue
        candidate = _copy(current)
        for name, value in data.items():
            setattr(candidate, concrete_field(Position, name).attname, value)
        candidates.append((item, candidate, current, data))

    errors = positions_check(
        [candidate for _, candidate, _, _ in candidates],
        exclude=[_failed_fields(item.row) for item, _, _, _ in candidates],
    )
    for index, error in errors.items():
        report_model_errors(candidates[index][0].row, error, POSITION_FIELDS)
    _report_repeated_numbers(candidates)

    labels = Labels()
    new: list[PlannedRow] = []
    updates: list[PlannedRow] = []
    for item, candidate, current, data in candidates:
        if item.row.issues:
            continue
        if current is None:
            new.append(PlannedRow(item.row.number, candidate))
            continue
        changes = []
        for name, value in data.items():
            model_field = concrete_field(Position, name)
            shown_labels = labels.of(name) if model_field.is_relation else None
            changes.append(
                (
                    str(model_field.verbose_name),
                    display_value(model_field, getattr(current, model_field.attname), shown_labels),
                    display_value(model_field, value, shown_labels),
                )
            )
        updates.append(PlannedRow(item.row.number, candidate, current, data, changes))
    warnings = _duplicate_warnings(
        [(r.number, r.position) for r in (*new, *updates)], {r.position.pk for r in updates}
    )
    warnings.sort(key=lambda w: w[0])
    issues = [issue for item in parsed for issue in item.row.issues]
    return PositionPlan(sheet, new, updates, unchanged, warnings, issues, labels)


def _report_repeated_numbers(candidates: list[tuple[ParsedRow, Position, Any, Any]]) -> None:
    """A Stellennummer given to two rows of the file (the database would refuse the second)."""
    first_row: dict[str, int] = {}
    for item, candidate, _current, _data in candidates:
        if not candidate.number:
            continue
        earlier = first_row.setdefault(candidate.number, item.row.number)
        if earlier != item.row.number:
            item.row.issue(
                H_NUMBER,
                f"Die Stellennummer „{candidate.number}“ steht schon in Zeile {earlier}: jede "
                "Stellennummer darf nur einmal vergeben sein.",
            )


def _failed_fields(row: Row) -> set[str]:
    return {name for name, column in POSITION_FIELDS.items() if column in row.failed}


def issues_json(issues: list[ImportIssue]) -> list[dict[str, Any]]:
    """Issues as JSON (kept in a batch's preview); ``issues_from_json`` reads them back."""
    return [
        {
            "message": i.message,
            "sheet": i.sheet,
            "row": i.row,
            "column": i.column,
            "letter": i.letter,
            "value": i.value,
        }
        for i in issues
    ]


def issues_from_json(data: list[dict[str, Any]]) -> list[ImportIssue]:
    return [ImportIssue(**item) for item in data]


# --- saving a file --------------------------------------------------------------------------


@dataclass
class PositionImportResult:
    sheet: str
    created: int
    fte: Decimal
    updated: int = 0
    unchanged: int = 0
    batch: ImportBatch | None = None


def _apply(plan: PositionPlan, *, acting_user: User | None, batch: ImportBatch) -> None:
    positions_import(
        acting_user=acting_user,
        positions=[r.position for r in plan.new],
        rows=[r.number for r in plan.new],
        updates=[
            PositionChange(position=r.existing, data=r.data, row=r.number)
            for r in plan.updates
            if r.existing is not None
        ],
        change_reason=f"Excel-Import {batch.pk} ({batch.file_name})"[:100],
        batch=batch,
    )
    import_batch_mark_applied(
        batch=batch,
        counts={
            "created": len(plan.new),
            "updated": len(plan.updates),
            "unchanged": len(plan.unchanged),
        },
    )


def _file_bytes(source: Source) -> tuple[bytes, str]:
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            return handle.read(), os.path.basename(os.fspath(source))
    source.seek(0)
    content = source.read()
    source.seek(0)
    return content, str(getattr(source, "name", "") or "")


def import_positions(
    source: Source,
    *,
    default_start: date | None = None,
    acting_user: User | None = None,
    dry_run: bool = False,
    limit: int | None = None,
) -> PositionImportResult:
    """Save a file at once, without a preview (the command, scripts): new rows created,
    rows with the ID of a position changed where they differ, all or nothing (raises
    ImportFailed naming every problem), recorded as one applied batch that can be undone.
    With `dry_run`, only checked."""
    content, file_name = _file_bytes(source)
    start = default_start or default_start_date()
    plan = plan_positions(io.BytesIO(content), default_start=start, limit=limit)
    if plan.issues:
        raise ImportFailed(plan.issues)
    result = PositionImportResult(
        sheet=plan.sheet,
        created=len(plan.new),
        fte=plan.fte,
        updated=len(plan.updates),
        unchanged=len(plan.unchanged),
    )
    if dry_run:
        return result
    with transaction.atomic():
        batch = import_batch_create(
            acting_user=acting_user,
            kind=ImportBatch.Kind.POSITIONS,
            file_name=file_name,
            content=b"",
            options={"default_start": start.isoformat()},
            preview={},
            data_token="",
        )
        batch.file_sha256 = hashlib.sha256(content).hexdigest()
        _apply(plan, acting_user=acting_user, batch=batch)
    result.batch = batch
    return result


def preview_positions(
    content: bytes,
    *,
    file_name: str,
    default_start: date,
    acting_user: User | None,
    progress: Progress | None = None,
) -> tuple[PositionPlan, ImportBatch | None]:
    """Check a file and keep it as a pending batch with its preview (nothing else saved).

    Raises ImportFailed for a file that cannot be read at all; a file with refused rows gives
    the plan (with its issues) and no batch, as it could not be confirmed.
    """
    token = current_token()  # before reading: a write during the check makes the preview stale
    plan = plan_positions(io.BytesIO(content), default_start=default_start, progress=progress)
    if plan.issues:
        return plan, None
    batch = import_batch_create(
        acting_user=acting_user,
        kind=ImportBatch.Kind.POSITIONS,
        file_name=file_name,
        content=content,
        options={"default_start": default_start.isoformat()},
        preview=plan.preview(),
        data_token=token,
    )
    return plan, batch


@dataclass
class Confirmation:
    """The outcome of confirming a pending batch: saved, or (the data changed since the
    preview and the file now does something else) a new preview to confirm instead."""

    batch: ImportBatch
    applied: bool
    message: str


STALE_MESSAGE = (
    "Die Daten wurden seit der Vorschau geändert; die Datei wurde neu geprüft und bewirkt jetzt "
    "etwas anderes. Es wurde nichts gespeichert: bitte die neue Vorschau prüfen und erneut "
    "bestätigen."
)


#: The step shown while a checked file is written (one transaction, no progress inside it).
SAVING_STEP = "Speichern …"


def _plan_of_batch(batch: ImportBatch, progress: Progress | None = None) -> PositionPlan:
    start = date.fromisoformat(batch.options["default_start"])
    try:
        return plan_positions(
            io.BytesIO(bytes(batch.file_content)), default_start=start, progress=progress
        )
    except ImportFailed as failed:
        raise ImportBatchError(str(failed.issues[0]) if failed.issues else str(failed)) from None


def confirm_positions(
    *, batch_id: int, acting_user: User | None, progress: Progress | None = None
) -> Confirmation:
    """Save a pending batch of positions, all or nothing.

    The expensive part, reading and checking the file again, runs first, outside any
    transaction (`progress` hears of it every ``PROGRESS_EVERY`` rows, and the job page can
    show it, issue 21); the data version is read before it. Then one transaction locks the
    batch (``import_batch_lock``: a second confirmation of the same batch waits here and then
    finds it saved) and reads the data version again: unchanged, and the batch still the one
    checked (same file, options, preview), the check stands; otherwise the file is checked
    again inside the transaction, as a whole. At the data version of the preview the file is
    saved; at another version (someone saved data in between) it is saved only if it still
    does exactly what the preview showed, otherwise the new preview is stored and shown instead
    (``applied`` False). A position changed by someone else between the check and the save is
    refused by its version (``ConcurrentEditError``, nothing saved); the data version is not
    locked, as writers lock their rows before it (a lock here could deadlock). `progress`
    hears ``SAVING_STEP`` once, before the transaction. Raises ImportBatchError if the batch
    cannot be confirmed.
    """
    checked = import_batch_pending(
        batch_id=batch_id, acting_user=acting_user, kind=ImportBatch.Kind.POSITIONS
    )
    checked_token = current_token()  # before reading: a write during the check is noticed
    checked_plan = _plan_of_batch(checked, progress)
    if progress is not None:
        rows = len(checked_plan.new) + len(checked_plan.updates) + len(checked_plan.unchanged)
        progress(rows, rows, SAVING_STEP)
    with transaction.atomic():
        batch = import_batch_lock(
            batch_id=batch_id, acting_user=acting_user, kind=ImportBatch.Kind.POSITIONS
        )
        token = current_token()
        same_batch = (batch.file_sha256, batch.options, batch.preview, batch.data_token) == (
            checked.file_sha256,
            checked.options,
            checked.preview,
            checked.data_token,
        )
        # the data or the batch changed during the check: check again, under the lock
        plan = checked_plan if token == checked_token and same_batch else _plan_of_batch(batch)
        preview = plan.preview()
        if plan.issues or (token != batch.data_token and preview != batch.preview):
            batch.preview = preview
            batch.data_token = token
            batch.save(update_fields=["preview", "data_token"])
            return Confirmation(batch, False, STALE_MESSAGE)
        _apply(plan, acting_user=acting_user, batch=batch)
    fte = display_value(concrete_field(Position, "fte"), plan.fte)
    return Confirmation(
        batch,
        True,
        f"Import {batch.pk} gespeichert: {batch.created} Stellen neu ({fte} Stellenanteile), "
        f"{batch.updated} geändert, {batch.unchanged} unverändert übersprungen.",
    )
