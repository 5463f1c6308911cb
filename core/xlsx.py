"""What the Excel importers and exporters share: the file checks, reading a table, parsing
cells; for writers, text cells that are never formulas (``text_cell``).

The importers (``stellenplan.imports`` for positions, ``costing.imports`` for cost tables) first
read and check the whole file and collect every problem (sheet, row, column, the value and
what was expected); only a file without any problem is saved. Before openpyxl opens a file it
is checked for size (10 MB), for being a zip archive that looks like an xlsx (magic bytes,
members), and for its unpacked size (zip bombs); openpyxl parses the XML with defusedxml
(installed), which refuses entity expansion ("billion laughs").

The header row is the first of the first 20 rows that names the key column; columns an
importer does not know are ignored. Cells are parsed here (numbers through
``core.parsing.parse_decimal``, dates within ``core.parsing.YEAR_MIN`` … ``YEAR_MAX``); the rules
the values must obey are the models', checked with ``full_clean()`` including constraints
(``validate_row``), each message at the column of its field.
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from defusedxml import DefusedXmlException
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from openpyxl import load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter

from core.parsing import YEAR_MAX, YEAR_MIN, parse_decimal

#: What a spreadsheet would run as a formula; the export puts NEUTRALISER before such text and
#: the importers take it off again.
UNSAFE_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"

#: What XML 1.0 cannot hold (openpyxl/lxml refuse it); a browser form can send it.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
EXCEL_MAX_TEXT = 32767

MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_UNPACKED_SIZE = 300 * 1024 * 1024
MAX_RATIO = 100  # unpacked / packed, above MIN_SIZE_FOR_RATIO
MIN_SIZE_FOR_RATIO = 20 * 1024 * 1024
MAX_MEMBERS = 2000
HEADER_SEARCH_ROWS = 20
MAX_COLUMNS = 200
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
    stream: IO[bytes] | None
    if isinstance(source, str | os.PathLike):
        stream = None
        with open(source, "rb") as handle:
            magic = handle.read(8)
    else:
        stream = source
        source.seek(0)
        magic = source.read(8)
        source.seek(0)
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
    max_rows: int | None = None,
) -> tuple[Table | None, list[ImportIssue]]:
    """The table of the preferred (else the first) sheet and the problems of its header.

    `max_rows` limits the data rows: they are counted while the sheet is streamed, and
    reading stops at the first row over the limit (``ImportFailed``), so that a huge file is
    refused within seconds instead of being read to its end.
    """
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
        if all(blank(cells[i]) for i in indexes):
            continue
        if max_rows is not None and len(data) >= max_rows:
            raise ImportFailed([too_many_rows(max_rows, sheet)])
        data.append((number, cells))
    if not issues and not data:
        issues.append(
            ImportIssue(
                "Unter der Kopfzeile stehen keine Datenzeilen.", sheet=sheet, row=header_row
            )
        )
    return Table(sheet, header_row, columns, data), issues


def too_many_rows(max_rows: int, sheet: str = "") -> ImportIssue:
    limit = german(Decimal(max_rows))
    return ImportIssue(
        f"Die Datei hat mehr als {limit} Datenzeilen; erlaubt sind höchstens {limit} Zeilen je "
        "Import. Bitte die Datei aufteilen (z. B. nach Ämtern) und in Teilen importieren. "
        "Es wurde nichts gespeichert.",
        sheet=sheet,
    )


def _rows(worksheet: Any) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows; a sheet that cannot be parsed (read-only mode parses lazily, here)
    is reported like a broken file, not as a server error."""
    try:
        yield from worksheet.iter_rows(values_only=True)
    except Exception as error:  # lxml/defusedxml/openpyxl raise many kinds
        raise ImportFailed([ImportIssue(_unreadable(error), sheet=worksheet.title)]) from error


def blank(value: Any) -> bool:
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
        return german(_decimal_of_number(value)) if _finite(value) else str(value)
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _finite(value: Any) -> bool:
    return not (isinstance(value, float) and (math.isnan(value) or math.isinf(value)))


def _decimal_of_number(value: int | float | Decimal) -> Decimal:
    # repr() of a float is its shortest exact decimal form: 0.3 -> "0.3", not 0.299999…
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def german(value: Decimal) -> str:
    text = f"{value:f}"
    if "." in text:
        whole, fraction = text.split(".")
        fraction = fraction.rstrip("0")
    else:
        whole, fraction = text, ""
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + fraction if fraction else "")


def parse_number(value: Any, expected: str) -> Decimal:
    """A number from a number cell or from German text ("0,5", "1.234,50", "31.500 €").

    Text goes through ``core.parsing.parse_decimal``: a dot followed by groups of three digits
    is a thousands separator ("0.500" is 500, as Django reads it with USE_THOUSAND_SEPARATOR).
    """
    if isinstance(value, bool) or value is None:
        raise Bad(expected)
    if isinstance(value, int | float | Decimal):
        if not _finite(value):
            raise Bad(expected)
        return _decimal_of_number(value)
    if not isinstance(value, str):
        raise Bad(expected)
    try:
        return parse_decimal(value)
    except ValueError:
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
    if not YEAR_MIN <= result.year <= YEAR_MAX:
        raise Bad(f"erwartet ein Datum zwischen {YEAR_MIN} und {YEAR_MAX}.")
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


def code_text(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool) and _finite(value):
        number = _decimal_of_number(value)
        return str(int(number)) if number == number.to_integral_value() else str(number)
    return " ".join(parse_text(value).split())


class Row:
    """Collects the issues of one data row."""

    def __init__(self, table: Table, number: int, cells: tuple[Any, ...]) -> None:
        self.table = table
        self.number = number
        self.cells = cells
        self.issues: list[ImportIssue] = []
        self.failed: set[str] = set()
        self.understood: dict[str, str] = {}  # column -> a number as it was read, for messages

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
        if blank(value):
            if required:
                self.issue(column, "Pflichtfeld: die Zelle darf nicht leer sein.")
            return default
        try:
            result = parse(value)
        except Bad as error:
            self.issue(column, str(error))
            return default
        if isinstance(result, Decimal):
            self.understood[column] = german(result)
        return result


def validate_row(
    row: Row, instance: Any, columns_of_fields: dict[str, str], exclude: set[str]
) -> None:
    """The model's ``full_clean()`` with its constraints, on the fields that parsed."""
    field_of_column = {column: name for name, column in columns_of_fields.items()}
    failed_fields = {field_of_column[c] for c in row.failed if c in field_of_column}
    try:
        instance.full_clean(exclude=exclude | failed_fields, validate_unique=False)
    except ValidationError as error:
        report_model_errors(row, error, columns_of_fields)


def report_model_errors(
    row: Row, error: ValidationError, columns_of_fields: dict[str, str]
) -> None:
    """The messages of a model's ``full_clean()`` as issues of `row`, each at the column of its
    field (the project's constraints report at a field, ``core.constraints``); a refused
    number says how the cell was read."""
    for field_name, messages in error.message_dict.items():
        column = columns_of_fields.get(field_name)
        for message in dict.fromkeys(messages):
            if column is None or field_name == NON_FIELD_ERRORS:
                row.issue(None, message)
            elif column in row.understood:
                row.issue(
                    column, f"{message.rstrip('.')}; verstanden als {row.understood[column]}."
                )
            else:
                row.issue(column, message)


def lookup(codes: dict[str, int], folded: dict[str, int], code: str) -> int | None:
    """The id of `code` (as written, else ignoring case) in a table of codes."""
    return codes.get(code) or folded.get(code.casefold())


# --- writing ----------------------------------------------------------------------------------


def cell_text(value: str) -> str:
    """Text as it may go into a cell: no XML-illegal characters, at most 32,767 characters."""
    if NOT_XML.search(value):
        value = NOT_XML.sub("", value)
    return value if len(value) <= EXCEL_MAX_TEXT else value[:EXCEL_MAX_TEXT]


def text_cell(sheet: Any, value: str) -> Cell | None:
    """A write-only cell for user text: an explicit string cell with the quotePrefix style, so
    that "=1+1" stays text in Excel and LibreOffice and shows without an apostrophe (the
    importers also take off an apostrophe written by older exports). None for empty text."""
    if not value:
        return None
    cell = WriteOnlyCell(sheet, value=cell_text(value))
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
