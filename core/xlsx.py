"""What the Excel importers and exporters share: the file checks, reading a table, parsing
cells; and the one Excel writer every download uses (ExcelBook, SheetWriter, xlsx_response; see
"writing" below).

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
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from defusedxml import DefusedXmlException
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import FileResponse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter
from xlsxwriter.format import Format

from core.parsing import (
    YEAR_MAX,
    YEAR_MIN,
    invisible_characters,
    parse_decimal,
    shown_visibly,
)

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


def has_rows(source: Source, rows: int, *, preferred_sheet: str) -> bool:
    """Whether the preferred (else the first) sheet has at least `rows` rows, header and empty
    rows counted: streamed only that far, so the answer costs little even for a huge file.
    A file that cannot be opened answers False (its reading reports why)."""
    try:
        with open_xlsx(source) as workbook:
            names = workbook.sheetnames
            worksheet = workbook[preferred_sheet if preferred_sheet in names else names[0]]
            worksheet.reset_dimensions()
            for count, _row in enumerate(worksheet.iter_rows(values_only=True), 1):
                if count >= rows:
                    return True
    except ImportFailed:
        return False
    return False


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
    text = shown_visibly(str(value))  # a bidi override would reorder the message
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
        # invisible control characters in any text cell the importer reads (as in every
        # form, core.forms.CleanInputMixin): the row is refused, the file saved not at all
        for column, index in table.columns.items():
            value = cells[index] if index < len(cells) else None
            found = invisible_characters(value) if isinstance(value, str) else []
            if found:
                self.issue(
                    column,
                    f"enthält unsichtbare Steuerzeichen ({', '.join(found)}); bitte ohne sie "
                    "eingeben.",
                )

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
#
# Every Excel download is written here: ExcelBook (an XlsxWriter workbook in constant-memory
# mode, with the shared formats) and its SheetWriter sheets (columns with widths and formats,
# title rows, the header row, data and total rows, freeze panes, autofilter, print set-up), and
# xlsx_response() sends the file. The export modules (costing.excel, costing.projection_excel,
# stellenplan.plan_excel, stellenplan.need_excel, the change log) only lay out their content.
#
# Formulas carry their result: a Formula is the formula text and its value, and the value is
# written as the cell's cached result. The value comes from where the figure is computed (the
# costing engine, the projection, the plan document), never from evaluating the formula here,
# so that readers without a calc engine (pandas, calamine, openpyxl data_only, file previewers,
# finance import tools) see every total, and a spreadsheet that recalculates gets the same
# figure (tests read them back both ways).
#
# Text: every text goes through cell_text() (no XML-illegal characters, at most 32,767
# characters); text that begins like a formula ("=", "+", "-", "@", tab, CR) is written as a
# string cell with the quotePrefix format: Excel and LibreOffice show it as it is, without a
# visible apostrophe, and never evaluate it. Columns marked `quoted` write every text that way.
#
# Print: A4, the header row repeated on every page, a page header (title, Stand) and footer
# ("Seite x von y"), a print area over every written row, and no text smaller than 8 pt on
# paper (print_layout): a sheet as wide as a portrait page prints portrait, one that fits a
# landscape page at MIN_FIT_SCALE or more prints landscape fitted to the page width; a wider
# sheet prints landscape at BLOCK_SCALE in blocks of columns, its frozen columns repeated on
# every page, the page breaks between groups of columns (Column.group: the figures of one year
# stay together). Wrapped text gets a row height from its length (no reader computes it). One
# font: Calibri.
#
# Speed and memory: constant-memory mode writes each row to the sheet's temporary file when the
# next row begins (rows are written in order; several sheets may be written side by side), and
# data rows use per-column formats made once.

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Number formats are stored in en-US notation; Excel and LibreOffice show them localised
# ("1.128.560,00 €", "0,50", "01.01.2012" in a German installation).
MONEY_FORMAT = '#,##0.00 "€"'
FTE_FORMAT = "0.00"
# Stellen as the Stellenplan document shows them (core.formatting.format_decimal: at least one,
# at most four decimals, "2,1", "12,1411") and their change with its sign
# (core.formatting.signed_decimal: "+2,1", "−0,5", "0,0").
STELLEN_FORMAT = "#,##0.0###"
STELLEN_CHANGE_FORMAT = '+#,##0.0###;"\u2212"#,##0.0###;0.0'
# "davon kw/ku": the document leaves a 0 empty, so does this format (its zero section is empty)
STELLEN_OPTIONAL_FORMAT = '#,##0.0###;"\u2212"#,##0.0###;'
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM:SS"
FONT_NAME = "Calibri"
FONT_SIZE = 11
# The layout of a sheet with a title: row 1 title, row 2 "Stand", row 3 free, row 4 header.
HEADER_ROW = 4
FIRST_DATA_ROW = HEADER_ROW + 1
# Page set-up: A4; the printable width with the default margins (0.7" left and right), in
# pixels at 96 dpi as a column width counts them (a column of width w is 7 w + 5 pixels wide).
PAPER_A4 = 9
PORTRAIT_WIDTH_PX = round((8.27 - 1.4) * 96)
LANDSCAPE_WIDTH_PX = round((11.69 - 1.4) * 96)
#: A sheet is fitted to the page width only when that prints at this scale or more (11 pt text
#: at 8.8 pt); a wider sheet prints at BLOCK_SCALE in blocks of columns.
MIN_FIT_SCALE = 0.8
BLOCK_SCALE = 80
#: At most this share of a page's width is taken by the columns repeated on every block.
MAX_REPEATED_SHARE = 0.45
PAGE_NUMBERS = "Seite &P von &N"
HEADER_FOOTER_SIZE = FONT_SIZE  # scaled with the sheet when it prints (as the cells)
HEADER_FOOTER_MAX = 255  # Excel's limit for a page header or footer
# Row heights for wrapped text (Calibri 11): points per line, Excel's maximum, and how many
# characters fit a column of width 1 (a width counts digits; words wrap whole, bold is wider).
LINE_HEIGHT = 15
MAX_ROW_HEIGHT = 409
CHARS_PER_WIDTH = 0.95
BOLD_CHARS_PER_WIDTH = 0.8
SHEET_NAME_MAX = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

# The styles of every workbook: a cell takes one of them (or none); number formats and the
# alignment of wrapped text and of tall rows are combined with them (ExcelBook.format()).
TITLE = "Titel"
HEADER = "Kopfzeile"
TOTAL = "Summe"
BOLD = "Fett"
WRAPPED = "Text umbrochen"
FORMATS = {
    "money": MONEY_FORMAT,
    "fte": FTE_FORMAT,
    "date": DATE_FORMAT,
    "stellen": STELLEN_FORMAT,
    "stellen_change": STELLEN_CHANGE_FORMAT,
    "stellen_optional": STELLEN_OPTIONAL_FORMAT,
}
_STYLES: dict[str, dict[str, Any]] = {
    TITLE: {"bold": True, "font_size": 14},
    HEADER: {
        "bold": True,
        "bg_color": "#DDE4EE",
        "pattern": 1,
        "text_wrap": True,
        "valign": "top",
        "bottom": 1,
    },
    TOTAL: {"bold": True, "top": 1, "bottom": 6},  # 6: double
    BOLD: {"bold": True},
    WRAPPED: {"text_wrap": True, "valign": "top"},
}
_ALIGNMENTS: dict[str, dict[str, Any]] = {
    "": {},
    "top": {"valign": "top"},
    "wrap": {"text_wrap": True, "valign": "top"},
}


def cell_text(value: str) -> str:
    """Text as it may go into a cell: no XML-illegal characters, a carriage return as a line
    feed (it would be stored as "_x000D_", which only Excel reads back), at most 32,767
    characters.

    Text that begins like a formula must still be written as a quoted cell (SheetWriter does)."""
    if NOT_XML.search(value):
        value = NOT_XML.sub("", value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value if len(value) <= EXCEL_MAX_TEXT else value[:EXCEL_MAX_TEXT]


def safe_text(value: str) -> str:
    """cell_text(), and an apostrophe before text that begins like a formula (for a plain
    string written where no quoted cell can be; the importers take the apostrophe off)."""
    value = cell_text(value)
    if value.startswith(UNSAFE_PREFIXES):
        value = NEUTRALISER + value
    return value


@dataclass(frozen=True, slots=True)
class Formula:
    """A cell formula written by an export (never user text) with its result: `value` is the
    figure the formula computes, taken from where it is computed (the costing engine, the
    projection, the document) and stored as the cell's cached value."""

    text: str
    value: Decimal | int | str


@dataclass(frozen=True, slots=True)
class Styled:
    """A value with a style of its own (SheetWriter.styled_cell())."""

    value: Any
    style: str | None = None
    number_format: str | None = None


class SafeText(str):
    """Text that has been through cell_text()."""


def safe(value: str) -> SafeText | None:
    """cell_text() once for a text that repeats on many rows; None (an empty cell) for ""."""
    return SafeText(cell_text(value)) if value else None


def text_lines(text: str, chars_per_line: float) -> int:
    """How many lines `text` takes in a wrapped cell (an estimate: its line breaks, and each
    line's length over the characters that fit the column)."""
    per_line = max(int(chars_per_line), 1)
    return sum(-(-len(line) // per_line) or 1 for line in text.split("\n"))


def header_footer_text(text: str) -> str:
    """Text for a page header or footer: "&" starts a code there, "&&" is an ampersand."""
    return cell_text(text).replace("&", "&&")


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary (mid-word only when its
    first word is longer), without a trailing comma, dash or space."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    short = cut[:space] if space > 0 else text[:limit]
    return short.rstrip(" ,;–-") or text[:limit]


def sheet_name(text: str, used: set[str], default: str = "Blatt") -> str:
    """`text` as a sheet name: Excel's forbidden characters replaced, at most 31 characters
    (shortened at a word boundary), unique (case-insensitive) among `used`, which it joins."""
    text = NOT_XML.sub("", text)
    text = " ".join(_SHEET_NAME_FORBIDDEN.sub("-", text).split()).strip("'")
    base = shorten(text, SHEET_NAME_MAX) or default
    candidate, number = base, 2
    while candidate.lower() in used:
        suffix = f" ({number})"
        candidate = shorten(text, SHEET_NAME_MAX - len(suffix)) + suffix
        number += 1
    used.add(candidate.lower())
    return candidate


def stand_text(today: date | None = None, detail: str = "") -> str:
    """The "Stand" line of a workbook (row 2 and page header): "Stand: 15.03.2012 · detail"."""
    text = f"Stand: {(today or timezone.localdate()):%d.%m.%Y}"
    return f"{text} · {detail}" if detail else text


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    # text (and plain numbers), money, fte, date, stellen, stellen_change, stellen_optional
    kind: str = "text"
    wrap: bool = False  # long text: wrapped, line breaks kept, the row as high as its lines
    quoted: bool = False  # user text: every text a quoted string cell
    group: str = ""  # columns of one group print on one page (a sheet printed in blocks)


def column_pixels(width: float) -> int:
    """The width of a column in pixels (Calibri 11, as Excel and XlsxWriter count it)."""
    return int(width * 7 + 0.5) + 5 if width >= 1 else int(width * 12 + 0.5)


@dataclass(frozen=True)
class PrintLayout:
    """How a sheet prints on A4: orientation, fitted to the page width or in blocks of columns
    (`breaks`: the 0-based columns that begin a page; `repeat`: the leading columns printed on
    every page), at `scale` (the smallest scale the sheet prints at, as a fraction)."""

    landscape: bool
    fit_to_width: bool
    scale: float
    repeat: int = 0
    breaks: tuple[int, ...] = ()


def print_layout(columns: Sequence[Column], repeat: int = 0) -> PrintLayout:
    """The print layout of a sheet with `columns` whose first `repeat` columns identify a row
    (its frozen columns): see "Print" above."""
    pixels = [column_pixels(c.width) for c in columns]
    total = sum(pixels)
    if total <= PORTRAIT_WIDTH_PX:
        return PrintLayout(landscape=False, fit_to_width=True, scale=1.0)
    if total * MIN_FIT_SCALE <= LANDSCAPE_WIDTH_PX:
        return PrintLayout(
            landscape=True, fit_to_width=True, scale=min(1.0, LANDSCAPE_WIDTH_PX / total)
        )
    page = LANDSCAPE_WIDTH_PX * 100 / BLOCK_SCALE
    if sum(pixels[:repeat]) > MAX_REPEATED_SHARE * page:
        repeat = 0
    room = page - sum(pixels[:repeat])
    breaks: list[int] = []
    used = 0
    start = repeat
    while start < len(columns):
        end = start + 1
        while (
            columns[start].group
            and end < len(columns)
            and columns[end].group == columns[start].group
        ):
            end += 1
        width = sum(pixels[start:end])
        if used and used + width > room:
            breaks.append(start)
            used = 0
        used += width
        start = end
    return PrintLayout(
        landscape=True,
        fit_to_width=False,
        scale=BLOCK_SCALE / 100,
        repeat=repeat,
        breaks=tuple(breaks),
    )


class ExcelBook:
    """A workbook with the shared formats; sheets are added with sheet() and appear in that
    order; save() finishes every sheet's print set-up and writes the file.

    XlsxWriter in constant-memory mode: every sheet writes its rows to a temporary file as they
    are appended; save() puts them together into `stream`."""

    def __init__(self, title: str) -> None:
        self.workbook = xlsxwriter.Workbook(
            None, {"constant_memory": True, "strings_to_numbers": False}
        )
        self.workbook.set_properties({"title": cell_text(title), "author": "Stellenplan"})
        self.formats: dict[tuple[str | None, str | None, str, bool], Format | None] = {}
        self.sheets: list[SheetWriter] = []

    def sheet(self, title: str, columns: Sequence[Column]) -> SheetWriter:
        sheet = SheetWriter(self, title, columns)
        self.sheets.append(sheet)
        return sheet

    def format(
        self,
        style: str | None = None,
        number_format: str | None = None,
        align: str = "",
        quoted: bool = False,
    ) -> Format | None:
        """The format of a style with a number format, an alignment ("", "top", "wrap") and the
        quote prefix; made once per workbook. None: the default (Calibri 11)."""
        key = (style, number_format, align, quoted)
        if key not in self.formats:
            if key == (None, None, "", False):
                self.formats[key] = None
            else:
                properties: dict[str, Any] = {"font_name": FONT_NAME, "font_size": FONT_SIZE}
                properties.update(_STYLES.get(style or "", {}))
                properties.update(_ALIGNMENTS[align])
                if number_format:
                    properties["num_format"] = number_format
                if quoted:
                    properties["quote_prefix"] = True
                self.formats[key] = self.workbook.add_format(properties)
        return self.formats[key]

    def save(self, stream: IO[bytes] | str) -> None:
        for sheet in self.sheets:
            sheet.finish_print()
        # XlsxWriter takes the output where the workbook is made; this one is made before the
        # caller's stream is known (build, then save), so it is named here.
        self.workbook.filename = stream
        self.workbook.close()


class SheetWriter:
    """Appends rows to a sheet (in order) and counts them (`row`: the last row written, 1-based).

    A data row's cells take their column's format (number format, wrapped text); a row made
    high by a wrapped text has every cell aligned to the top, so that it reads as one line.
    Text that begins like a formula (or in a `quoted` column) is a quoted string cell."""

    def __init__(self, book: ExcelBook, title: str, columns: Sequence[Column]) -> None:
        self.book = book
        self.ws = book.workbook.add_worksheet(title)
        self.columns = list(columns)
        self.row = 0
        self.header_row: int | None = None
        self.frozen_columns = 0
        for index, column in enumerate(self.columns):
            self.ws.set_column(index, index, column.width)
        fmt = book.format
        kinds = [FORMATS.get(c.kind) for c in self.columns]
        self._plain = [
            fmt(None, k, "wrap" if c.wrap else "") for c, k in zip(self.columns, kinds, strict=True)
        ]
        self._top = [
            fmt(None, k, "wrap" if c.wrap else "top")
            for c, k in zip(self.columns, kinds, strict=True)
        ]
        self._quoted = [fmt(None, None, "wrap" if c.wrap else "top", True) for c in self.columns]
        self._quoted_columns = {index for index, c in enumerate(self.columns) if c.quoted}
        self._wrapped = [
            (index, c.width * CHARS_PER_WIDTH) for index, c in enumerate(self.columns) if c.wrap
        ]
        self._footer()

    def _footer(self) -> None:
        self.ws.set_paper(PAPER_A4)
        self.ws.set_footer(f'&C&{HEADER_FOOTER_SIZE}&"{FONT_NAME},Regular"{PAGE_NUMBERS}')

    def letter(self, index: int) -> str:
        """Column letter of the column at `index` (0-based)."""
        return get_column_letter(index + 1)

    def styled_cell(
        self, value: Any, style: str | None = None, number_format: str | None = None
    ) -> Styled:
        """A value with a style of its own (and a number format) for append()."""
        return Styled(value, style, number_format)

    # --- writing cells ---

    def _write(
        self, index: int, value: Any, style: str | None, number_format: str | None, align: str
    ) -> None:
        """One cell of the current row, any value (the rows that are not data rows)."""
        if isinstance(value, Styled):
            style, number_format, value = value.style, value.number_format, value.value
        row, ws, fmt = self.row - 1, self.ws, self.book.format
        if value is None or value == "":
            if style:
                ws.write_blank(row, index, None, fmt(style, number_format, align))
        elif isinstance(value, Formula):
            ws.write_formula(row, index, value.text, fmt(style, number_format, align), value.value)
        elif isinstance(value, str):
            text = cell_text(value)
            ws.write_string(
                row, index, text, fmt(style, None, align, text.startswith(UNSAFE_PREFIXES))
            )
        elif isinstance(value, bool):
            ws.write_boolean(row, index, value, fmt(style, None, align))
        elif isinstance(value, int | float | Decimal):
            # a Decimal is written with its digits ("{:.16G}"), as XlsxWriter's write() does
            ws.write_number(row, index, value, fmt(style, number_format, align))  # type: ignore[arg-type]
        elif isinstance(value, datetime):
            ws.write_datetime(row, index, value, fmt(style, DATETIME_FORMAT, align))
        elif isinstance(value, date):
            midnight = datetime.combine(value, datetime.min.time())
            ws.write_datetime(row, index, midnight, fmt(style, DATE_FORMAT, align))
        else:
            ws.write_string(row, index, cell_text(str(value)), fmt(style, None, align))

    def _height(self, lines: int) -> None:
        """A row of `lines` text lines gets an explicit height (LibreOffice does not grow a
        row for wrapped text on loading, so the text would overlap the next rows)."""
        if lines > 1:
            self.ws.set_row(self.row - 1, min(lines * LINE_HEIGHT, MAX_ROW_HEIGHT))

    def append(self, values: Sequence[Any], lines: int = 1) -> int:
        """Append a row of values (plain, Styled or Formula), `lines` text lines high."""
        self.row += 1
        self._height(lines)
        align = "top" if lines > 1 else ""
        for index, value in enumerate(values):
            if value is not None:
                self._write(index, value, None, None, align)
        return self.row

    def text(self, value: str | None, style: str | None = None) -> int:
        """A row of one text in the first column (a note, a section's name)."""
        return self.append([Styled(value, style)] if value else [])

    def note(self, text: str, index: int = 0, style: str | None = None) -> int:
        """A row of a long text in the column at `index`, wrapped within the column (it would
        run over the next columns, and off a page printed in blocks) and as high as its
        lines."""
        chars = BOLD_CHARS_PER_WIDTH if style else CHARS_PER_WIDTH
        lines = text_lines(cell_text(text), self.columns[index].width * chars)
        self.row += 1
        self._height(lines)
        self._write(index, text, style, None, "wrap")
        return self.row

    def title(self, title: str, stand: str) -> None:
        """Rows 1-2: title and "Stand: date" (also the page header); the caller then writes
        row 3 and the header."""
        self.append([Styled(title, TITLE)])
        self.append([stand])
        self.page_header(title, stand)

    def page_header(self, title: str, stand: str) -> None:
        """The page header of every printed page: title left, Stand right (the title
        shortened to what a page header holds)."""
        font = f'&{HEADER_FOOTER_SIZE}&"{FONT_NAME},Regular"'
        right = f"&R{font}{header_footer_text(stand)}"
        room = HEADER_FOOTER_MAX - len(right) - len(font) - 2
        left = header_footer_text(title)
        if len(left) > room:
            left = header_footer_text(shorten(title, room // 2))
        self.ws.set_header(f"&L{font}{left}{right}")

    def header(self, labels: Sequence[str] | None = None) -> int:
        """A header row (the columns' headers, or `labels`), as high as its wrapped text. The
        first one is repeated on every printed page."""
        texts = list(labels) if labels is not None else [c.header for c in self.columns]
        lines = max(
            text_lines(text, column.width * BOLD_CHARS_PER_WIDTH)
            for text, column in zip(texts, self.columns, strict=False)
        )
        self.row += 1
        self._height(lines)
        for index, text in enumerate(texts):
            self._write(index, text, HEADER, None, "")
        if self.header_row is None:
            self.header_row = self.row
            self.ws.repeat_rows(self.row - 1)
        return self.row

    def freeze(self, column: str = "A", header_row: int = HEADER_ROW) -> None:
        """Freeze the rows down to the header row and the columns left of `column` (which
        also print on every page of a sheet printed in blocks of columns)."""
        self.frozen_columns = column_index_from_string(column) - 1
        self.ws.freeze_panes(header_row, self.frozen_columns)

    def data(self, values: Sequence[Any]) -> int:
        """A data row; the hot loop of a large export, hence the plain code."""
        lines = 1
        for index, chars in self._wrapped:
            value = values[index] if index < len(values) else None
            if value and isinstance(value, str):
                count = text_lines(value, chars)
                if count > lines:
                    lines = count
        self.row += 1
        row = self.row - 1
        ws = self.ws
        if lines > 1:
            ws.set_row(row, min(lines * LINE_HEIGHT, MAX_ROW_HEIGHT))
            formats = self._top
        else:
            formats = self._plain
        quoted_columns = self._quoted_columns
        for index, value in enumerate(values):
            if value is None:
                continue
            cls = value.__class__
            if cls is str or cls is SafeText:
                if cls is str:
                    value = cell_text(value)
                if not value:
                    continue
                if index in quoted_columns or value.startswith(UNSAFE_PREFIXES):
                    ws.write_string(row, index, value, self._quoted[index])
                else:
                    ws.write_string(row, index, value, formats[index])
            elif cls is int or cls is Decimal or cls is float:
                ws.write_number(row, index, value, formats[index])
            elif cls is date and self.columns[index].kind == "date":
                ws.write_datetime(row, index, value, formats[index])
            elif cls is Formula:
                ws.write_formula(row, index, value.text, formats[index], value.value)
            else:
                self._write(
                    index,
                    value,
                    None,
                    FORMATS.get(self.columns[index].kind),
                    "top" if lines > 1 else "",
                )
        return self.row

    def total(self, values: Sequence[Any], *, rule_blanks: bool = True) -> int:
        """A total row: bold, ruled above and twice below (with `rule_blanks` also its empty
        cells), figures in their column's format."""
        self.row += 1
        for index, value in enumerate(values[: len(self.columns)]):
            if value is None and not rule_blanks:
                continue
            self._write(index, value, TOTAL, FORMATS.get(self.columns[index].kind), "")
        return self.row

    def sum_row(
        self,
        label_index: int,
        label: str,
        first: int,
        last: int,
        totals: Mapping[int, Any],
        *,
        rule_blanks: bool = True,
    ) -> int:
        """A total row: `label`, then =SUM(first:last) under every column of `totals` (0-based
        index → the sum as computed where the figures come from, the formula's cached value)."""
        if last < first:  # no rows: an empty placeholder row keeps the formulas valid
            last = first = self.append([None])
        values: list[Any] = [None] * len(self.columns)
        values[label_index] = label
        for index, value in totals.items():
            letter = self.letter(index)
            values[index] = Formula(f"=SUM({letter}{first}:{letter}{last})", value)
        return self.total(values, rule_blanks=rule_blanks)

    def choice_list(
        self, index: int, source: str, first: int, last: int, *, title: str, message: str
    ) -> None:
        """The cells of the column at `index` in rows `first` … `last` (1-based) take only a
        value of `source` (a range such as "'Blatt'!$A$2:$A$9"; Excel's list validation),
        else Excel refuses the entry with `title` and `message`."""
        self.ws.data_validation(
            first - 1,
            index,
            last - 1,
            index,
            {
                "validate": "list",
                "source": "=" + source,
                "ignore_blank": True,
                "show_error": True,
                "error_title": shorten(title, 32),  # Excel's limits
                "error_message": shorten(message, 255),
            },
        )

    def finish_table(self, first_data_row: int, last_data_row: int) -> None:
        """Autofilter over the header and the data rows (not the total row)."""
        last = max(last_data_row, first_data_row)
        self.ws.autofilter((self.header_row or 1) - 1, 0, last - 1, len(self.columns) - 1)

    def finish_print(self) -> None:
        """The print area (every column, every row written) and the page layout
        (print_layout())."""
        self.ws.print_area(0, 0, max(self.row, 1) - 1, len(self.columns) - 1)
        layout = print_layout(self.columns, self.frozen_columns)
        if layout.landscape:
            self.ws.set_landscape()
        else:
            self.ws.set_portrait()
        if layout.fit_to_width:
            self.ws.fit_to_pages(1, 0)
        else:
            self.ws.set_print_scale(round(layout.scale * 100))
            if layout.repeat:
                self.ws.repeat_columns(0, layout.repeat - 1)
            if layout.breaks:
                self.ws.set_v_pagebreaks(list(layout.breaks))


def xlsx_response(write: Callable[[IO[bytes]], object], filename: str) -> FileResponse:
    """The download of the workbook that `write` writes to a stream: a temporary file (closed
    by the response, or at once when `write` raises), the xlsx content type, `filename` (German
    characters allowed: Django sends it as filename*) as an attachment."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    try:
        write(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
