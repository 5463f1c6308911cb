"""Excel imports of positions and of cost tables (issue 4).

Both importers first read and check the whole file and collect every problem (sheet, row,
column, the value and what was expected); only a file without any problem is saved, in one
transaction. Before openpyxl opens a file it is checked for size (10 MB), for being a zip
archive that looks like an xlsx, and for its unpacked size (zip bombs); openpyxl parses the XML
with defusedxml (installed), which refuses entity expansion ("billion laughs").

Which sheet: the sheet named "Stellen" (positions) or "Kostensätze" (cost table) when the file
has one, as in the workbook of costing.excel, so that an export imports unchanged; otherwise the
first sheet. The header row is the first of the first 20 rows that names the key column
(Org.einheit, respectively Stellenwert); columns the importer does not know are ignored.
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from defusedxml import DefusedXmlException
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from simple_history.utils import bulk_create_with_history

from costing.excel import (
    H_ANNUAL,
    H_END,
    H_FIXED_TERM,
    H_FTE,
    H_GRADE,
    H_IT,
    H_JUSTIFICATION,
    H_MATERIAL,
    H_NOTE,
    H_NOTE_DATE,
    H_ORG_UNIT,
    H_PERSONNEL,
    H_START,
    H_TASK_HEADING,
    H_TASKS,
    H_TITLE,
    NEUTRALISER,
    SHEET_POSITIONS,
    SHEET_RATES,
    UNSAFE_PREFIXES,
)
from costing.models import CostRate, CostTable
from departments.models import OrgUnit
from stellenplan.models import FTE_MAX, FTE_MIN, PayGrade, Position

MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_UNPACKED_SIZE = 300 * 1024 * 1024
MAX_RATIO = 100  # unpacked / packed, above MIN_SIZE_FOR_RATIO
MIN_SIZE_FOR_RATIO = 20 * 1024 * 1024
MAX_MEMBERS = 2000
HEADER_SEARCH_ROWS = 20
MAX_COLUMNS = 200
CENT = Decimal("0.01")
MONEY_LIMIT = Decimal("10000000000")  # max_digits=12, decimal_places=2
BATCH_SIZE = 1000


@dataclass(frozen=True)
class ImportIssue:
    """One problem of an import file; str() gives the German message."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    letter: str = ""
    value: str | None = None

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"Blatt „{self.sheet}“")
        if self.row:
            where.append(f"Zeile {self.row}")
        if self.column:
            where.append(
                f"Spalte „{self.column}“ ({self.letter})"
                if self.letter
                else f"Spalte „{self.column}“"
            )
        text = self.message
        if self.value is not None:
            shown = f"Wert „{self.value}“" if self.value != "" else "leere Zelle"
            text = f"{shown}: {text}"
        return f"{', '.join(where)}: {text}" if where else text


class ImportFailed(Exception):
    """The file was not imported; `issues` lists every problem found."""

    def __init__(self, issues: list[ImportIssue]) -> None:
        self.issues = issues
        super().__init__(f"{len(issues)} Fehler gefunden – es wurde nichts gespeichert.")


@dataclass
class PositionImportResult:
    sheet: str
    created: int
    fte: Decimal


@dataclass
class CostTableImportResult:
    sheet: str
    table: CostTable
    rates: int
    created_grades: list[str] = field(default_factory=list)


# --- opening a file safely -----------------------------------------------------------------

Source = str | os.PathLike | IO[bytes]


def _size_of(source: Source) -> int:
    if isinstance(source, str | os.PathLike):
        return os.path.getsize(source)
    size = getattr(source, "size", None)
    if isinstance(size, int):
        return size
    position = source.tell()
    source.seek(0, os.SEEK_END)
    size = source.tell()
    source.seek(position)
    return size


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",") + " MB"


def check_file(source: Source) -> None:
    """Refuse what openpyxl should not open: too large, not an xlsx, a zip bomb."""
    size = _size_of(source)
    if size == 0:
        raise ImportFailed([ImportIssue("Die Datei ist leer.")])
    if size > MAX_FILE_SIZE:
        raise ImportFailed(
            [
                ImportIssue(
                    f"Die Datei ist zu groß ({_mb(size)}); erlaubt sind höchstens "
                    f"{_mb(MAX_FILE_SIZE)}."
                )
            ]
        )
    stream = source if not isinstance(source, str | os.PathLike) else None
    if stream is not None:
        stream.seek(0)
        magic = stream.read(8)
        stream.seek(0)
    else:
        with open(source, "rb") as handle:
            magic = handle.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFailed(
            [
                ImportIssue(
                    "Die Datei ist im alten Excel-Format (.xls) oder mit einem Kennwort "
                    "geschützt. Bitte ohne Kennwort als Excel-Arbeitsmappe (.xlsx) speichern."
                )
            ]
        )
    not_xlsx = ImportIssue(
        "Die Datei ist keine gültige Excel-Arbeitsmappe (.xlsx). Bitte in Excel oder "
        "LibreOffice als .xlsx speichern."
    )
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ImportFailed([not_xlsx]) from None
    finally:
        if stream is not None:
            stream.seek(0)
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportFailed([not_xlsx])
    unpacked = sum(m.file_size for m in members)
    if (
        len(members) > MAX_MEMBERS
        or unpacked > MAX_UNPACKED_SIZE
        or (unpacked > MIN_SIZE_FOR_RATIO and unpacked > MAX_RATIO * size)
    ):
        raise ImportFailed(
            [
                ImportIssue(
                    f"Die Datei würde entpackt {_mb(unpacked)} groß (gepackt {_mb(size)}); das "
                    "ist für eine Tabelle dieser Größe unplausibel (Verdacht auf eine "
                    "„Zip-Bombe“). Die Datei wurde nicht geöffnet."
                )
            ]
        )


def _unreadable(error: BaseException) -> str:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return (
                "Die Datei enthält unzulässiges XML (DTD- oder Entity-Definitionen, etwa eine "
                "„XML-Bombe“) und wurde nicht gelesen."
            )
        cause = cause.__cause__ or cause.__context__
    return (
        "Die Datei ist keine gültige Excel-Arbeitsmappe (.xlsx) oder beschädigt "
        f"({type(error).__name__})."
    )


@contextmanager
def open_xlsx(source: Source) -> Iterator[Any]:
    """The workbook (read-only, cached values instead of formulas), after check_file()."""
    check_file(source)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on broken files
        raise ImportFailed([ImportIssue(_unreadable(error))]) from error
    try:
        yield workbook
    finally:
        workbook.close()
        if not isinstance(source, str | os.PathLike):
            source.seek(0)


# --- reading a table -----------------------------------------------------------------------


def _normal(text: Any) -> str:
    return " ".join(str(text).split()).casefold() if text is not None else ""


@dataclass
class Table:
    """The rows of one sheet below its header, with the known columns found in it."""

    sheet: str
    header_row: int
    columns: dict[str, int]  # canonical header -> 0-based index
    rows: list[tuple[int, tuple[Any, ...]]]


def read_table(
    workbook: Any,
    *,
    preferred_sheet: str,
    key: str,
    known: list[str],
    required: list[str],
    aliases: dict[str, str],
) -> tuple[Table | None, list[ImportIssue]]:
    sheet = preferred_sheet if preferred_sheet in workbook.sheetnames else workbook.sheetnames[0]
    worksheet = workbook[sheet]
    worksheet.reset_dimensions()  # do not trust the file's own idea of its size
    canonical = {_normal(name): name for name in known}
    canonical.update({_normal(alias): name for alias, name in aliases.items()})
    key_names = {n for n, c in canonical.items() if c == key}

    rows = _rows(worksheet)
    header: tuple[Any, ...] | None = None
    header_row = 0
    for index, row in enumerate(rows, 1):
        if any(_normal(v) in key_names for v in row[:MAX_COLUMNS]):
            header, header_row = row[:MAX_COLUMNS], index
            break
        if index >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        expected = ", ".join(required)
        return None, [
            ImportIssue(
                f"Keine Kopfzeile gefunden: erwartet in den ersten {HEADER_SEARCH_ROWS} Zeilen "
                f"eine Zeile mit den Spalten {expected}.",
                sheet=sheet,
            )
        ]

    issues: list[ImportIssue] = []
    columns: dict[str, int] = {}
    seen: dict[str, int] = {}
    for index, value in enumerate(header):
        name = _normal(value)
        if not name:
            continue
        if name in seen:
            issues.append(
                ImportIssue(
                    f"Die Spaltenüberschrift kommt doppelt vor (schon in Spalte "
                    f"{get_column_letter(seen[name] + 1)}); jede Überschrift darf nur einmal "
                    "vorkommen.",
                    sheet=sheet,
                    row=header_row,
                    column=str(value).strip(),
                    letter=get_column_letter(index + 1),
                )
            )
            continue
        seen[name] = index
        if name in canonical:
            columns[canonical[name]] = index
    for name in required:
        if name not in columns:
            issues.append(
                ImportIssue(
                    f"Die Spalte „{name}“ fehlt in der Kopfzeile (Pflichtspalte).",
                    sheet=sheet,
                    row=header_row,
                )
            )
    indexes = sorted(columns.values())
    data: list[tuple[int, tuple[Any, ...]]] = []
    for number, row in enumerate(rows, header_row + 1):
        cells = tuple(row[i] if i < len(row) else None for i in range(max(indexes) + 1))
        if all(_blank(cells[i]) for i in indexes):
            continue
        data.append((number, cells))
    if not issues and not data:
        issues.append(
            ImportIssue(
                "Unter der Kopfzeile stehen keine Datenzeilen.", sheet=sheet, row=header_row
            )
        )
    return Table(sheet, header_row, columns, data), issues


def _rows(worksheet: Any) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows; a sheet that cannot be parsed (read-only mode parses lazily, here)
    is reported like a broken file, not as a server error."""
    try:
        yield from worksheet.iter_rows(values_only=True)
    except Exception as error:  # lxml/defusedxml/openpyxl raise many kinds
        raise ImportFailed([ImportIssue(_unreadable(error), sheet=worksheet.title)]) from error


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class Bad(Exception):
    """A cell value that does not fit; the message says what was expected."""


def shown(value: Any) -> str:
    """A cell value as the user sees it, for messages."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, bool):
        return "WAHR" if value else "FALSCH"
    if isinstance(value, float | int | Decimal):
        return _german(_decimal_of_number(value)) if _finite(value) else str(value)
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _finite(value: Any) -> bool:
    return not (isinstance(value, float) and (math.isnan(value) or math.isinf(value)))


def _decimal_of_number(value: int | float | Decimal) -> Decimal:
    # repr() of a float is its shortest exact decimal form: 0.3 -> "0.3", not 0.299999…
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _german(value: Decimal) -> str:
    text = f"{value:f}"
    if "." in text:
        whole, fraction = text.split(".")
        fraction = fraction.rstrip("0")
    else:
        whole, fraction = text, ""
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + fraction if fraction else "")


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?")
_COMMA = re.compile(r"[+-]?\d+(,\d+)?")
_DOT = re.compile(r"[+-]?\d+\.\d+")


def parse_number(value: Any, expected: str) -> Decimal:
    """A number from a number cell or from German text ("0,5", "1.234,50", "31.500 €").

    A dot followed by groups of three digits is a thousands separator ("0.500" is 500, as
    Django reads it with USE_THOUSAND_SEPARATOR); any other single dot is a decimal point.
    """
    if isinstance(value, bool) or value is None:
        raise Bad(expected)
    if isinstance(value, int | float | Decimal):
        if not _finite(value):
            raise Bad(expected)
        return _decimal_of_number(value)
    if not isinstance(value, str):
        raise Bad(expected)
    text = value.replace("\u00a0", "").replace(" ", "").strip()
    for suffix in ("€", "EUR", "Euro"):
        text = text.removesuffix(suffix)
    if _THOUSANDS.fullmatch(text):
        text = text.replace(".", "").replace(",", ".")
    elif _COMMA.fullmatch(text):
        text = text.replace(",", ".")
    elif not _DOT.fullmatch(text):
        raise Bad(expected)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise Bad(expected) from None


def parse_date(value: Any) -> date:
    expected = "erwartet ein Datum (Excel-Datum oder Text TT.MM.JJJJ, z. B. 01.01.2012)."
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, str):
        text = value.strip()
        for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
            try:
                result = datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a date only)
                break
            except ValueError:
                continue
        else:
            raise Bad(expected)
    else:
        raise Bad(expected)
    if not 1900 <= result.year <= 2200:
        raise Bad("erwartet ein Datum zwischen 1900 und 2200.")
    return result


def parse_text(value: Any) -> str:
    """Text of a cell; removes the apostrophe costing.excel puts before "=", "+", "-", "@"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else shown(value)
    text = text.strip()
    if text.startswith(NEUTRALISER) and text[1:].startswith(UNSAFE_PREFIXES):
        text = text[1:]
    return text


def _code_text(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool) and _finite(value):
        number = _decimal_of_number(value)
        return str(int(number)) if number == number.to_integral_value() else str(number)
    return " ".join(parse_text(value).split())


class _Row:
    """Collects the issues of one data row."""

    def __init__(self, table: Table, number: int, cells: tuple[Any, ...]) -> None:
        self.table = table
        self.number = number
        self.cells = cells
        self.issues: list[ImportIssue] = []
        self.failed: set[str] = set()

    def has(self, column: str) -> bool:
        return column in self.table.columns

    def raw(self, column: str) -> Any:
        index = self.table.columns.get(column)
        return None if index is None else self.cells[index]

    def issue(self, column: str | None, message: str) -> None:
        index = self.table.columns.get(column) if column else None
        self.issues.append(
            ImportIssue(
                message,
                sheet=self.table.sheet,
                row=self.number,
                column=column or "",
                letter=get_column_letter(index + 1) if index is not None else "",
                value=shown(self.raw(column)) if column else None,
            )
        )
        if column:
            self.failed.add(column)

    def get(self, column: str, parse, *, required: bool = False, default: Any = None) -> Any:
        value = self.raw(column)
        if _blank(value):
            if required:
                self.issue(column, "Pflichtfeld: die Zelle darf nicht leer sein.")
            return default
        try:
            return parse(value)
        except Bad as error:
            self.issue(column, str(error))
            return default


def _validate(
    row: _Row, instance: Any, columns_of_fields: dict[str, str], exclude: set[str]
) -> None:
    """The model's full_clean on the fields that parsed; its messages go to their columns."""
    field_of_column = {column: name for name, column in columns_of_fields.items()}
    failed_fields = {field_of_column[c] for c in row.failed if c in field_of_column}
    try:
        instance.full_clean(exclude=exclude | failed_fields, validate_constraints=False)
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            column = columns_of_fields.get(field_name)
            if column is None or field_name == NON_FIELD_ERRORS:
                for message in messages:
                    row.issue(None, message)
            else:
                for message in messages:
                    row.issue(column, message)


# --- positions -----------------------------------------------------------------------------

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
    expected = "erwartet eine Zahl größer als 0 und höchstens 1,0, z. B. 0,5."
    fte = parse_number(value, expected)
    if not FTE_MIN <= fte <= FTE_MAX:
        raise Bad(f"{expected[:-1]}; verstanden als {_german(fte)}.")
    if fte != fte.quantize(CENT):
        raise Bad(
            f"höchstens zwei Nachkommastellen erlaubt (verstanden als {_german(fte)}), z. B. 0,33."
        )
    return fte.quantize(CENT)


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


def _lookup(mapping: dict[str, int], folded: dict[str, int], code: str) -> int | None:
    return mapping.get(code) or folded.get(code.casefold())


def parse_positions(
    workbook: Any, *, default_start: date | None = None
) -> tuple[str, list[Position], list[ImportIssue]]:
    """Read and check every row; returns unsaved positions and every issue found."""
    table, issues = read_table(
        workbook,
        preferred_sheet=SHEET_POSITIONS,
        key=H_ORG_UNIT,
        known=list(POSITION_FIELDS.values()),
        required=POSITION_REQUIRED,
        aliases=POSITION_ALIASES,
    )
    if table is None or issues:
        return (table.sheet if table else ""), [], issues
    start_default = default_start or default_start_date()
    units = dict(OrgUnit.objects.values_list("code", "id"))
    units_folded = {code.casefold(): pk for code, pk in units.items()}
    grades = {" ".join(code.split()): pk for code, pk in PayGrade.objects.values_list("code", "id")}
    grades_folded = {code.casefold(): pk for code, pk in grades.items()}
    positions: list[Position] = []

    for number, cells in table.rows:
        row = _Row(table, number, cells)
        unit_id = grade_id = None
        raw_unit = row.raw(H_ORG_UNIT)
        if _blank(raw_unit):
            row.issue(H_ORG_UNIT, "Pflichtfeld: die Zelle darf nicht leer sein.")
        else:
            unit_id = _lookup(units, units_folded, _code_text(raw_unit))
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
        if _blank(raw_grade):
            row.issue(H_GRADE, "Pflichtfeld: die Zelle darf nicht leer sein.")
        else:
            grade_id = _lookup(grades, grades_folded, _code_text(raw_grade))
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
        if start is not None and end is not None and end < start:
            row.issue(
                H_END,
                f"Das Ende liegt vor dem Beginn ({start:%d.%m.%Y}): erwartet ein Datum am oder "
                "nach dem Beginn.",
            )
        if note_date is not None and not note and H_NOTE not in row.failed:
            row.issue(
                H_NOTE_DATE, "Ein Datum des Vermerks setzt einen Stellenvermerk (KW/KU) voraus."
            )

        position = Position(
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
        _validate(row, position, POSITION_FIELDS, {"org_unit", "pay_grade", "version"})
        issues.extend(row.issues)
        if not row.issues:
            positions.append(position)
    return table.sheet, positions, issues


def import_positions(
    source: Source,
    *,
    default_start: date | None = None,
    acting_user: Any = None,
    dry_run: bool = False,
) -> PositionImportResult:
    """Import every row of the file as a new position, or nothing (raises ImportFailed)."""
    with open_xlsx(source) as workbook:
        sheet, positions, issues = parse_positions(workbook, default_start=default_start)
    if issues:
        raise ImportFailed(issues)
    if not dry_run:
        with transaction.atomic():
            bulk_create_with_history(
                positions,
                Position,
                batch_size=BATCH_SIZE,
                default_user=acting_user,
                default_change_reason="Excel-Import",
            )
    return PositionImportResult(
        sheet=sheet, created=len(positions), fte=sum((p.fte for p in positions), Decimal("0.00"))
    )


# --- cost tables ---------------------------------------------------------------------------

RATE_FIELDS = {
    "pay_grade": H_GRADE,
    "annual_cost": H_ANNUAL,
    "personnel_cost": H_PERSONNEL,
    "material_cost": H_MATERIAL,
    "it_cost": H_IT,
}
RATE_REQUIRED = [H_GRADE, H_ANNUAL]
RATE_ALIASES = {
    "Jahreskosten (Vollzeit)": H_ANNUAL,
    "Stellenwert Haushalt": H_GRADE,
    "EDV-Kosten": H_IT,
}
_GRADE_STATUS = [
    (re.compile(r"A\s*\d+.*", re.IGNORECASE), PayGrade.StatusGroup.BEAMTE),
    (re.compile(r"EG\s*\d+.*", re.IGNORECASE), PayGrade.StatusGroup.TARIF),
]
_CAREER = re.compile(r"\b(mD|gD|hD)$")


def _money(expected_min: Decimal, what: str):
    expected = f"erwartet {what}, z. B. 74.300 oder 74300,00."

    def parse(value: Any) -> Decimal:
        amount = parse_number(value, expected)
        if amount < expected_min:
            bound = "größer als 0" if expected_min > 0 else "nicht negativ"
            raise Bad(f"erwartet einen Betrag {bound}; verstanden als {_german(amount)}.")
        if amount >= MONEY_LIMIT:
            raise Bad(f"Betrag zu groß (verstanden als {_german(amount)}).")
        if amount != amount.quantize(CENT):
            raise Bad(f"höchstens zwei Nachkommastellen (Cent) erlaubt; verstanden als {amount}.")
        return amount.quantize(CENT)

    return parse


def status_group_of(code: str) -> str | None:
    """Statusgruppe of a new grade from its code: "A …" Beamte, "EG …" Tarif, else None."""
    for pattern, group in _GRADE_STATUS:
        if pattern.fullmatch(code):
            return group
    return None


def import_cost_table(
    source: Source,
    *,
    name: str,
    valid_from: date,
    create_grades: bool = False,
    remark: str = "",
    dry_run: bool = False,
) -> CostTableImportResult:
    """Import a cost table with one rate per grade, or nothing (raises ImportFailed)."""
    issues: list[ImportIssue] = []
    table = CostTable(name=(name or "").strip(), valid_from=valid_from, remark=remark)
    try:
        table.full_clean(validate_unique=False)
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            label = str(CostTable._meta.get_field(field_name).verbose_name)
            issues += [ImportIssue(f"{label}: {m}") for m in messages]
    existing = CostTable.objects.filter(valid_from=valid_from).first() if valid_from else None
    if existing is not None:
        issues.append(
            ImportIssue(
                f"Es gibt bereits eine Kostentabelle gültig ab {valid_from:%d.%m.%Y} "
                f"(„{existing.name}“): erwartet ein anderes Datum „gültig ab“."
            )
        )

    sheet_table: Table | None = None
    rates: list[tuple[str, CostRate]] = []
    new_grades: dict[str, str] = {}
    try:
        with open_xlsx(source) as workbook:
            sheet_table, read_issues = read_table(
                workbook,
                preferred_sheet=SHEET_RATES,
                key=H_GRADE,
                known=list(RATE_FIELDS.values()),
                required=RATE_REQUIRED,
                aliases=RATE_ALIASES,
            )
            issues += read_issues
            if sheet_table is not None and not read_issues:
                rates, new_grades, row_issues = _parse_rates(sheet_table, create_grades)
                issues += row_issues
    except ImportFailed as failed:  # the file itself: report it with the parameters' issues
        issues += failed.issues
    if issues:
        raise ImportFailed(issues)

    sheet = sheet_table.sheet if sheet_table else ""
    if dry_run:
        return CostTableImportResult(sheet, table, len(rates), sorted(new_grades))
    with transaction.atomic():
        grade_ids = _create_grades(new_grades)
        table.save()
        for code, rate in rates:
            rate.table = table
            if rate.pay_grade_id is None:
                rate.pay_grade_id = grade_ids[code]
        CostRate.objects.bulk_create([rate for _, rate in rates], batch_size=BATCH_SIZE)
    return CostTableImportResult(sheet, table, len(rates), sorted(new_grades))


def _parse_rates(
    table: Table, create_grades: bool
) -> tuple[list[tuple[str, CostRate]], dict[str, str], list[ImportIssue]]:
    grades = {" ".join(code.split()): pk for code, pk in PayGrade.objects.values_list("code", "id")}
    grades_folded = {code.casefold(): pk for code, pk in grades.items()}
    issues: list[ImportIssue] = []
    rates: list[tuple[str, CostRate]] = []
    new_grades: dict[str, str] = {}
    first_row_of: dict[str, int] = {}
    annual = _money(CENT, "einen Betrag in Euro größer als 0")
    component = _money(Decimal("0"), "einen Betrag in Euro")
    for number, cells in table.rows:
        row = _Row(table, number, cells)
        code = ""
        grade_id = None
        raw = row.raw(H_GRADE)
        if _blank(raw):
            row.issue(H_GRADE, "Pflichtfeld: die Zelle darf nicht leer sein.")
        else:
            code = _code_text(raw)
            grade_id = _lookup(grades, grades_folded, code)
            key = code.casefold()
            if key in first_row_of:
                row.issue(
                    H_GRADE,
                    f"Der Stellenwert steht schon in Zeile {first_row_of[key]}: erwartet "
                    "höchstens einen Kostensatz je Stellenwert.",
                )
            else:
                first_row_of[key] = number
                if grade_id is None:
                    group = status_group_of(code)
                    if not create_grades:
                        row.issue(
                            H_GRADE,
                            "unbekannter Stellenwert: erwartet einen vorhandenen Stellenwert "
                            "(neue Stellenwerte nur mit „Stellenwerte anlegen“ bzw. "
                            "--create-grades).",
                        )
                    elif group is None:
                        row.issue(
                            H_GRADE,
                            "Statusgruppe nicht erkennbar: neue Stellenwerte müssen mit „A “ "
                            "(Beamte) oder „EG “ (Tarif) beginnen.",
                        )
                    elif len(code) > PayGrade._meta.get_field("code").max_length:
                        row.issue(H_GRADE, "zu lang: höchstens 20 Zeichen.")
                    else:
                        new_grades[code] = group
        rate = CostRate(
            pay_grade_id=grade_id,
            annual_cost=row.get(H_ANNUAL, annual, required=True),
            personnel_cost=row.get(H_PERSONNEL, component),
            material_cost=row.get(H_MATERIAL, component),
            it_cost=row.get(H_IT, component),
        )
        _validate(row, rate, RATE_FIELDS, {"table", "pay_grade"})
        issues.extend(row.issues)
        if not row.issues:
            rates.append((code, rate))
    return rates, new_grades, issues


def _create_grades(new_grades: dict[str, str]) -> dict[str, int]:
    created: dict[str, int] = {}
    order = PayGrade.objects.aggregate(m=Max("sort_order"))["m"] or 0
    for code, group in new_grades.items():
        order += 10
        career = _CAREER.search(code)
        grade = PayGrade(
            code=code,
            status_group=group,
            career_group=career.group(1) if career else "",
            sort_order=order,
        )
        grade.full_clean()
        grade.save()
        created[code] = grade.pk
    return created
