"""The cost workbook for the Kämmerei (issue 4), written with openpyxl in write-only mode.

Sheets, in this order:
- "Übersicht": per Amt/Referat and per Teilhaushalt the Stellen and annual cost of the first
  selected year, then for every selected year the cost in that year, the reimbursement and the
  municipal share, each table with a total row;
- one sheet per Amt/Referat in the layout of the Anlage of a Beschlussvorlage (first selected
  year), with a total row;
- "Fehlende Kostensätze" (only when a year is incomplete): every active position whose grade has
  no rate in the cost table of the year, by year, with unit, title, grade and table;
- "Kostensätze": the cost table(s) used;
- "Stellen": every position active in one of the selected years, with all its fields and its
  cost per year; it can be imported again (costing.imports.import_positions).

Every figure comes from the costing engine (costing.engine: the year summaries for the overview,
YearPricing for each line); this module only lays them out. Totals are SUM formulas over the rows above them (SUBTOTAL on "Stellen", so that they
follow Excel's filter); tests/costing/test_excel_libreoffice.py recalculates the file with
LibreOffice and compares every total with the engine's to the cent.

Missing rates: a line whose grade has no rate in the table of a year gets the text "fehlt" in its
cost cells (never 0; SUM skips text, so every total is the engine's sum of the costed lines);
it counts in the Stellen. Totals that lack such lines say "unvollständig", a note below the
overview names them, and the sheet "Fehlende Kostensätze" lists them.

Formula injection: a text cell that begins with "=", "+", "-", "@", tab or CR is written as an
explicit string cell (t="inlineStr", never a formula) with the quotePrefix cell style: Excel and
LibreOffice show the text as it is, without a visible apostrophe, keep it text when the cell is
edited, and never evaluate it. (Earlier exports put a literal apostrophe before such text; the
importers still remove it, core.xlsx.parse_text.) safe_text() keeps the apostrophe for the other
writers that use it (the change log export).

Print (issue 14): every sheet has a print area, its header row repeated on every page, fit to
the page width (any number of pages high), A4, landscape where the columns are wider than a
portrait page, a page header (title, Stand) and footer ("Seite x von y"). One font everywhere:
Calibri (the workbook's default font, named also on bold and title cells; LibreOffice shows it
with its metric-compatible substitute). Sheet names are shortened at a word boundary to Excel's
31 characters and made unique. Long texts (Bezeichnung, Aufgaben, Begründung) wrap; the tasks,
one per line in the form, keep their line breaks in the cell.

Years: the workbook holds exactly the years it is asked for (selected_years): the file name,
the workbook title, every sheet's title and the page header say which ("2012–2014"). A request
with only ?year=2012 (the "Excel-Export" button of a year) gives that year and the two
following (the medium-term plan the Kämmerei works with), and the button says so; ?years=2012
gives 2012 only.

Streaming: openpyxl's write-only sheets write every appended row to a temporary file at once,
and this module never holds the lines of a year. The overview comes from the year summaries
(grouped in the database); the positions are read once, in chunks, ordered by org unit code
and id, each priced for every year and appended to "Stellen" and (first year) to the sheet of
its Amt/Referat; the total rows are SUM formulas written last. Memory stays flat however many
positions there are. Public openpyxl API only: no declared <dimension> (openpyxl offers no
public way for write-only sheets; the importers reset dimensions anyway).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import reduce
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from core.formatting import format_decimal
from core.parsing import YEAR_MAX, YEAR_MIN
from core.xlsx import NEUTRALISER, UNSAFE_PREFIXES
from costing.engine import (
    ZERO,
    GroupTotal,
    MissingLine,
    YearPricing,
    YearSummary,
    is_active_in_year,
    months_active,
    summarize,
    year_summary,
)
from costing.models import CostRate, CostTable
from departments.selectors import OrgTree, UnitInfo
from stellenplan.imports import (
    H_END,
    H_FIXED_TERM,
    H_FTE,
    H_GRADE,
    H_JUSTIFICATION,
    H_NOTE,
    H_NOTE_DATE,
    H_NUMBER,
    H_ORG_UNIT,
    H_START,
    H_TASK_HEADING,
    H_TASKS,
    H_TITLE,
    SHEET_POSITIONS,
)
from stellenplan.models import PayGrade, Position
from stellenplan.selectors import active_in_year

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Number formats are stored in en-US notation; Excel and LibreOffice show them localised
# ("1.128.560,00 €", "0,50", "01.01.2012" in a German installation).
MONEY_FORMAT = '#,##0.00 "€"'
FTE_FORMAT = "0.00"
DATE_FORMAT = "DD.MM.YYYY"

MAX_YEARS = 10
EXCEL_MAX_TEXT = 32767

# Column headers of the cost rates, shared with their importer (costing/imports.py); those of
# the positions come from their importer (stellenplan/imports.py).
H_ANNUAL = "Jahreskosten"
H_PERSONNEL = "Personalkosten"
H_MATERIAL = "Sachkosten"
H_IT = "IT-Kosten"

SHEET_OVERVIEW = "Übersicht"
SHEET_RATES = "Kostensätze"
SHEET_MISSING = "Fehlende Kostensätze"
MISSING_COST = "fehlt"
INCOMPLETE = "unvollständig"

HEADER_ROW = 4  # row 1 title, row 2 "Stand", row 3 empty (subtotals on "Stellen")
FIRST_DATA_ROW = HEADER_ROW + 1

FONT_NAME = "Calibri"  # openpyxl's default font for unstyled cells: named on every other font
_TITLE_FONT = Font(name=FONT_NAME, bold=True, size=14)
_BOLD = Font(name=FONT_NAME, bold=True)
_PLAIN = Font(name=FONT_NAME)
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_THIN = Side(style="thin")
_HEADER_BORDER = Border(bottom=_THIN)
_TOTAL_BORDER = Border(top=_THIN, bottom=Side(style="double"))
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
SHEET_NAME_MAX = 31
# Page set-up: A4; a sheet whose columns are wider than this prints landscape.
PAPER_A4 = 9
PORTRAIT_MAX_WIDTH = 100
PAGE_NUMBERS = "Seite &P von &N"
# Row heights for wrapped text (Calibri 11): points per line, Excel's maximum, and how many
# characters fit a column of width 1 (a width counts digits; words wrap whole, bold is wider).
LINE_HEIGHT = 15
MAX_ROW_HEIGHT = 409
CHARS_PER_WIDTH = 0.95
BOLD_CHARS_PER_WIDTH = 0.8
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# What XML 1.0 cannot hold: the control characters openpyxl refuses, plus the non-characters U+FFFE and
# U+FFFF and lone surrogates, which a browser form can send and lxml refuses to write.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class ExportError(ValueError):
    """Bad export parameters; the message is German."""


def clean_text(value: str) -> str:
    """Text as it may go into a cell: no XML-illegal characters, at most 32,767 characters.

    Text that begins like a formula must still be written as a quoted cell (SheetWriter does).
    """
    if _NOT_XML.search(value):
        value = _NOT_XML.sub("", value)
    return value if len(value) <= EXCEL_MAX_TEXT else value[:EXCEL_MAX_TEXT]


def safe_text(value: str) -> str:
    """clean_text(), and an apostrophe before text that begins like a formula.

    For writers that put plain strings into cells (the change log export); this workbook
    writes such text as a quoted string cell instead (no visible apostrophe).
    """
    value = clean_text(value)
    if value.startswith(UNSAFE_PREFIXES):
        value = NEUTRALISER + value
    return value


class Formula(str):
    """A cell formula written by this module (never user text)."""


class SafeText(str):
    """Text that has been through clean_text()."""


def safe(value: str) -> SafeText | None:
    """clean_text() once for a text that repeats on many rows; None (an empty cell) for ""."""
    return SafeText(clean_text(value)) if value else None


def quoted(cell: Cell) -> Cell:
    """The cell's text stays text: an explicit string, never a formula, shown without "'"."""
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def selected_years(year: int | None = None, years: Iterable[int] | None = None) -> list[int]:
    """The years of a workbook: `years` (plus `year`), else `year` and the two following.

    Without either, the current year and the two following. Raises ExportError.
    """
    chosen = set(years or ())
    if year is not None:
        chosen.add(year)
    if not years:
        start = year if year is not None else timezone.localdate().year
        chosen = {start, start + 1, start + 2}
    result = sorted(chosen)
    bad = [y for y in result if not YEAR_MIN <= y <= YEAR_MAX]
    if bad:
        raise ExportError(
            f"Ungültiges Jahr {bad[0]}: erwartet eine Jahreszahl zwischen {YEAR_MIN} "
            f"und {YEAR_MAX}."
        )
    if len(result) > MAX_YEARS:
        raise ExportError(
            f"Zu viele Jahre ({len(result)}): höchstens {MAX_YEARS} Jahre je Arbeitsmappe."
        )
    return result


def write_workbook(
    stream: IO[bytes] | str,
    years: Sequence[int],
    positions: QuerySet[Position] | None = None,
    *,
    scope: str = "",
    today: date | None = None,
) -> None:
    """Write the workbook of `years` (all positions, or those of `positions`) to `stream`.

    The entry point for the views, the export_costs command and the benchmark.
    Raises costing.engine.CostingError when a year cannot be costed.
    """
    build_workbook(years, positions, scope=scope, today=today).save(stream)


def build_workbook(
    years: Sequence[int],
    positions: QuerySet[Position] | None = None,
    *,
    scope: str = "",
    today: date | None = None,
) -> Workbook:
    """The workbook with every row written (to openpyxl's temporary files); save() it."""
    years = sorted(set(years))
    if not years:
        raise ExportError("Es ist kein Jahr ausgewählt.")
    # Raises CostingError (a year without a cost table) before anything is written.
    if positions is None:
        summaries = [year_summary(year) for year in years]
    else:
        summaries = [summarize(year, positions) for year in years]
    stand = f"Stand: {(today or timezone.localdate()):%d.%m.%Y}"
    if scope:
        stand += f" · {scope}"

    workbook = Workbook(write_only=True)
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]}"
    workbook.properties.title = f"Stellenplan – Kosten {span}"
    workbook.properties.creator = "Stellenplan"

    used_names = {
        SHEET_OVERVIEW.lower(),
        SHEET_RATES.lower(),
        SHEET_POSITIONS.lower(),
        SHEET_MISSING.lower(),
    }
    departments = _departments(summaries)
    sheet_names = {unit.id: _sheet_name(unit, used_names) for unit in departments}

    # Sheets appear in the order they are created; rows may be appended to any of them.
    sheets = [_write_overview(workbook, summaries, departments, stand, span)]
    if any(s.incomplete for s in summaries):
        sheets.append(_write_missing(workbook, summaries, stand, span))
    anlagen = {
        unit.id: _open_anlage(workbook, sheet_names[unit.id], unit, summaries[0].year, stand)
        for unit in departments
    }
    sheets.append(_write_rates(workbook, summaries, stand, span))
    sheets.append(_write_lines(workbook, summaries, positions, anlagen, stand, span))
    for sheet, first in anlagen.values():
        _close_anlage(sheet, first)
        sheets.append(sheet)
    for sheet in sheets:
        sheet.finish_print()
    return workbook


# --- sheet writing -------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    kind: str = "text"  # text (and plain numbers), money, fte, date
    wrap: bool = False  # long text: wrapped, line breaks kept


_FORMATS = {"money": MONEY_FORMAT, "fte": FTE_FORMAT, "date": DATE_FORMAT}


def text_lines(text: str, chars_per_line: float) -> int:
    """How many lines `text` takes in a wrapped cell (an estimate: its line breaks, and each
    line's length over the characters that fit the column)."""
    per_line = max(int(chars_per_line), 1)
    return sum(-(-len(line) // per_line) or 1 for line in text.split("\n"))


def header_footer_text(text: str) -> str:
    """Text for a page header or footer: "&" starts a code there, "&&" is an ampersand."""
    return clean_text(text).replace("&", "&&")


class SheetWriter:
    """Appends rows to a write-only sheet and counts them.

    Data rows reuse one styled cell per column (its value set anew for every row): creating a
    styled cell for every value is slower, and a write-only sheet writes each cell as soon as
    its row is appended, so the next row may reuse it. Only text that begins like a formula
    gets a cell of its own (quoted()).
    """

    def __init__(
        self,
        workbook: Workbook,
        title: str,
        columns: Sequence[Column],
        *,
        align_top: bool = True,
    ) -> None:
        self.ws = workbook.create_sheet(title)
        self.columns = list(columns)
        self.row = 0
        for index, column in enumerate(self.columns, 1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width
        # Every data cell is aligned to the top, so that a row made high by a wrapped text
        # reads as one line.
        # (`align_top=False`: only wrapped columns, for sheets of one-line rows.)
        self._cells = [
            self._styled(_FORMATS.get(c.kind), alignment=_WRAP)
            if c.wrap
            else self._styled(_FORMATS.get(c.kind), **({"alignment": _TOP} if align_top else {}))
            for c in self.columns
        ]
        self._wrapped = [
            (index, c.width * CHARS_PER_WIDTH) for index, c in enumerate(self.columns) if c.wrap
        ]
        self._print_setup()

    def _print_setup(self) -> None:
        """A4, fit to the page width (as many pages high as needed), landscape when wide."""
        setup = self.ws.page_setup
        setup.paperSize = PAPER_A4
        wide = sum(c.width for c in self.columns) > PORTRAIT_MAX_WIDTH
        setup.orientation = "landscape" if wide else "portrait"
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.print_options.gridLines = False
        self.ws.oddFooter.center.text = PAGE_NUMBERS
        self.ws.oddFooter.center.font = FONT_NAME
        self.ws.oddFooter.center.size = 9

    def _styled(self, number_format: str | None, **style: Any) -> Cell | None:
        if number_format is None and not style:
            return None
        cell = WriteOnlyCell(self.ws)
        if number_format:
            cell.number_format = number_format
        for name, value in style.items():
            setattr(cell, name, value)
        return cell

    def letter(self, index: int) -> str:
        """Column letter of the column at `index` (0-based)."""
        return get_column_letter(index + 1)

    def append(self, values: Sequence[Any], lines: int = 1) -> int:
        """Append a row; one of `lines` text lines gets an explicit height (LibreOffice does
        not grow a row for wrapped text on loading, so the text would overlap the next rows).

        The row's dimension is dropped once the row is written (a write-only sheet writes it
        at once), so that memory stays flat.
        """
        self.row += 1
        if lines > 1:
            self.ws.row_dimensions[self.row].height = min(lines * LINE_HEIGHT, MAX_ROW_HEIGHT)
            self.ws.append(values)
            del self.ws.row_dimensions[self.row]
        else:
            self.ws.append(values)
        return self.row

    def title(self, title: str, stand: str) -> None:
        """Rows 1-2: title and "Stand: date" (also the page header); the caller then writes
        row 3 and the header."""
        self.append([self.styled_cell(title, font=_TITLE_FONT)])
        self.append([self.styled_cell(stand)])
        header = self.ws.oddHeader
        header.left.text = header_footer_text(title)
        header.right.text = header_footer_text(stand)
        for part in (header.left, header.right):
            part.font = FONT_NAME
            part.size = 9

    def styled_cell(self, value: Any, number_format: str | None = None, **style: Any) -> Cell:
        text = isinstance(value, str) and not isinstance(value, Formula)
        if text:
            value = clean_text(value)
        cell = WriteOnlyCell(self.ws, value=str(value) if isinstance(value, Formula) else value)
        if number_format:
            cell.number_format = number_format
        for name, style_value in style.items():
            setattr(cell, name, style_value)
        if text and value.startswith(UNSAFE_PREFIXES):
            quoted(cell)
        return cell

    def _quoted(self, value: str, template: Cell | None) -> Cell:
        cell = WriteOnlyCell(self.ws, value=value)
        cell.alignment = _WRAP if template is not None and template.alignment.wrap_text else _TOP
        return quoted(cell)

    def finish_print(self) -> None:
        """The print area: every column, every row written."""
        end = self.letter(len(self.columns) - 1)
        self.ws.print_area = f"A1:{end}{max(self.row, 1)}"

    def header(self, labels: Sequence[str] | None = None) -> int:
        """The header row (the columns' headers, or `labels`), as high as its wrapped text."""
        texts = list(labels) if labels is not None else [c.header for c in self.columns]
        lines = max(
            text_lines(text, column.width * BOLD_CHARS_PER_WIDTH)
            for text, column in zip(texts, self.columns, strict=False)
        )
        return self.append(
            [
                self.styled_cell(
                    text, font=_BOLD, fill=_HEADER_FILL, alignment=_WRAP, border=_HEADER_BORDER
                )
                for text in texts
            ],
            lines,
        )

    def data(self, values: Sequence[Any]) -> int:
        """A data row; the hot loop of a large export, hence the plain code."""
        row: list[Any] = []
        append = row.append
        for template, value in zip(self._cells, values, strict=False):
            if value is None:
                append(None)
                continue
            cls = value.__class__
            if cls is str or cls is SafeText:  # user text (Formula is written as it is)
                if cls is str:
                    value = clean_text(value)
                if not value:
                    append(None)
                    continue
                if value.startswith(UNSAFE_PREFIXES):
                    append(self._quoted(value, template))
                    continue
            if template is None:
                append(value)
            else:
                template.value = value
                append(template)
        lines = 1
        for index, chars in self._wrapped:
            value = values[index] if index < len(values) else None
            if value and isinstance(value, str):
                lines = max(lines, text_lines(value, chars))
        return self.append(row, lines)

    def total(self, values: Sequence[Any]) -> int:
        return self.append(
            [
                self.styled_cell(
                    value,
                    _FORMATS.get(column.kind) if value is not None else None,
                    font=_BOLD,
                    border=_TOTAL_BORDER,
                )
                for column, value in zip(self.columns, values, strict=False)
            ]
        )

    def sum_row(self, label_index: int, label: str, first: int, last: int, kinds: set[str]) -> int:
        """A total row: `label`, then =SUM(first:last) under every column of `kinds`."""
        if last < first:  # no rows: an empty placeholder row keeps the formulas valid
            last = first = self.append([None])
        values: list[Any] = [None] * len(self.columns)
        values[label_index] = label
        for index, column in enumerate(self.columns):
            if column.kind in kinds:
                letter = self.letter(index)
                values[index] = Formula(f"=SUM({letter}{first}:{letter}{last})")
        return self.total(values)

    def finish_table(self, first_data_row: int, last_data_row: int) -> None:
        """Autofilter over the header and the data rows (not the total row)."""
        last = max(last_data_row, first_data_row)
        end = self.letter(len(self.columns) - 1)
        self.ws.auto_filter.ref = f"A{HEADER_ROW}:{end}{last}"

    def freeze(self, column: str = "A") -> None:
        """Freeze the title and header rows (and the columns left of `column`)."""
        self.ws.freeze_panes = f"{column}{FIRST_DATA_ROW}"
        self.ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


# --- Übersicht -------------------------------------------------------------------------------


def _departments(summaries: list[YearSummary]) -> list[UnitInfo]:
    units: dict[int, UnitInfo] = {}
    for costing in summaries:
        for unit, _total in costing.by_department:
            units[unit.id] = unit
    return sorted(units.values(), key=lambda u: u.code)


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary (mid-word only when its
    first word is longer), without a trailing comma, dash or space."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    short = cut[:space] if space > 0 else text[:limit]
    return short.rstrip(" ,;–-") or text[:limit]


def _sheet_name(unit: UnitInfo, used: set[str]) -> str:
    """The unit's code and name as a sheet name: Excel's forbidden characters replaced, at most
    31 characters (shortened at a word boundary), unique (case-insensitive) in the workbook."""
    text = _NOT_XML.sub("", f"{unit.code} {unit.name}")
    text = " ".join(_SHEET_NAME_FORBIDDEN.sub("-", text).split()).strip("'")
    base = shorten(text, SHEET_NAME_MAX) or "Amt"
    candidate, number = base, 2
    while candidate.lower() in used:
        suffix = f" ({number})"
        candidate = shorten(text, SHEET_NAME_MAX - len(suffix)) + suffix
        number += 1
    used.add(candidate.lower())
    return candidate


def _percent(rate: Decimal) -> str:
    text = f"{rate * 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") + " %"


def _group_values(main: GroupTotal | None, per_year: list[GroupTotal | None]) -> list[Decimal]:
    values = [main.fte if main else ZERO, main.annual_cost if main else ZERO]
    for total in per_year:
        if total is None:
            values += [ZERO, ZERO, ZERO]
        else:
            values += [total.cost_in_year, total.reimbursement, total.municipal_share]
    return values


def _write_overview(
    workbook: Workbook,
    costings: list[YearSummary],
    departments: list[UnitInfo],
    stand: str,
    span: str,
) -> SheetWriter:
    main = costings[0]
    columns = [
        Column("Amt/Referat", 13),
        Column("Bezeichnung", 42, wrap=True),
        Column(f"Stellen {main.year}", 11, "fte"),
        Column(f"Jahreskosten {main.year}", 17, "money"),
    ]
    for costing in costings:
        columns += [
            Column(f"Kosten {costing.year}", 17, "money"),
            Column(f"Erstattung {costing.year}", 17, "money"),
            Column(f"Städtischer Anteil {costing.year}", 18, "money"),
        ]
    sheet = SheetWriter(workbook, SHEET_OVERVIEW, columns)
    sheet.freeze("C")
    sheet.title(f"Stellenplan – Kostenübersicht {span}", stand)
    sheet.append([])
    sums = {"fte", "money"}

    # Per Amt/Referat
    sheet.header()
    by_year = [{u.id: t for u, t in c.by_department} for c in costings]
    incomplete = any(c.incomplete for c in costings)
    total_label = f"Gesamt ({INCOMPLETE})" if incomplete else "Gesamt"
    first = sheet.row + 1
    for unit in departments:
        totals = [m.get(unit.id) for m in by_year]
        sheet.data([unit.code, _marked(unit.name, totals), *_group_values(totals[0], totals)])
    last = sheet.row
    sheet.finish_table(first, last)
    sheet.sum_row(1, total_label, first, last, sums)

    # Per Teilhaushalt
    sheet.append([])
    sheet.append([sheet.styled_cell("Teilhaushalte", font=_BOLD)])
    headers = ["Teilhaushalt", "Bezeichnung"]
    sheet.header([headers[i] if i < 2 else c.header for i, c in enumerate(columns)])
    sections: dict[str, tuple[str, str]] = {}
    section_years: list[dict[str, GroupTotal]] = []
    for costing in costings:
        mapping: dict[str, GroupTotal] = {}
        for section, total in costing.by_budget_section:
            key = section.number if section else "~"
            sections[key] = (
                (section.number, section.name) if section else ("–", "ohne Teilhaushalt")
            )
            mapping[key] = total
        section_years.append(mapping)
    first = sheet.row + 1
    for key in sorted(sections):
        number, name = sections[key]
        totals = [m.get(key) for m in section_years]
        sheet.data([number, _marked(name, totals), *_group_values(totals[0], totals)])
    sheet.sum_row(1, total_label, first, sheet.row, sums)

    # Where the figures come from
    sheet.append([])
    for costing in costings:
        table = costing.table
        text = (
            f"{costing.year}: Kostentabelle „{table.name}“ (gültig ab {table.valid_from:%d.%m.%Y})"
        )
        if costing.coverage:
            rules = "; ".join(f"{c.name} {_percent(c.rate)}" for c in costing.coverage)
            text += f"; Erstattung: {rules}"
        sheet.append([None, text])
    sheet.append(
        [
            None,
            "Kosten eines Jahres: Anzahl der Stellen × Jahreskostensatz × Monate im Jahr / 12, "
            "je Stelle auf Cent gerundet. Erstattung je Amt/Referat bzw. Teilhaushalt gerundet.",
        ]
    )
    for costing in costings:
        if not costing.incomplete:
            continue
        lines = costing.missing
        fte = sum((line.fte for line in lines), ZERO)
        grades = ", ".join(f"„{g}“" for g in sorted({line.pay_grade_code for line in lines}))
        sheet.append(
            [
                None,
                sheet.styled_cell(
                    f"{costing.year} {INCOMPLETE}: {len(lines)} Stelle(n) mit "
                    f"{format_decimal(fte)} Stellen ohne Kostensatz in der Kostentabelle "
                    f"„{costing.table.name}“ (Stellenwert {grades}). Sie sind in den Stellen "
                    f"mitgezählt, ihre Kosten fehlen in den Summen; siehe Blatt "
                    f"„{SHEET_MISSING}“.",
                    font=_BOLD,
                ),
            ]
        )

    return sheet


def _marked(name: str, totals: Sequence[GroupTotal | None]) -> str:
    """A row's name, marked when one of its figures lacks lines without a rate."""
    if any(t is not None and t.incomplete for t in totals):
        return f"{name} ({INCOMPLETE})"
    return name


# --- Fehlende Kostensätze --------------------------------------------------------------------


def _write_missing(
    workbook: Workbook, summaries: list[YearSummary], stand: str, span: str
) -> SheetWriter:
    """Every active line without a rate, per year: what the totals lack."""
    columns = [
        Column("Jahr", 8),
        Column("ID", 8),
        Column(H_ORG_UNIT, 12),
        Column(H_TITLE, 46, wrap=True),
        Column(H_GRADE, 12),
        Column(H_FTE, 11, "fte"),
        Column("Kostentabelle", 40),
        Column("gültig ab", 12, "date"),
    ]
    sheet = SheetWriter(workbook, SHEET_MISSING, columns)
    sheet.freeze()
    sheet.title(
        f"Stellen ohne Kostensatz {span}: ihre Kosten fehlen in den Summen ({INCOMPLETE})", stand
    )
    sheet.append([])
    sheet.header()
    first = sheet.row + 1
    for summary in summaries:
        line: MissingLine
        for line in summary.missing:
            sheet.data(
                [
                    summary.year,
                    line.position_id,
                    line.org_unit_code,
                    line.title,
                    line.pay_grade_code,
                    line.fte,
                    line.table_name,
                    line.table_valid_from,
                ]
            )
    sheet.finish_table(first, sheet.row)
    return sheet


# --- one sheet per Amt/Referat (Anlage) ------------------------------------------------------


ANLAGE_COLUMNS = [
    Column("Org.einheit (aut. Stpl.)", 14),
    Column("Stellenwert Haushalt", 13),
    Column(H_TITLE, 46, wrap=True),
    Column(H_FTE, 11, "fte"),
    Column(H_NOTE, 13),
    Column("Durchschnittl. jährl. kostenwirksamer Aufwand EUR", 22, "money"),
]


def _open_anlage(
    workbook: Workbook, name: str, unit: UnitInfo, year: int, stand: str
) -> tuple[SheetWriter, int]:
    """The sheet of an Amt/Referat up to its header; returns it with its first data row."""
    sheet = SheetWriter(workbook, name, ANLAGE_COLUMNS)
    sheet.freeze()
    sheet.title(f"{unit.code} {unit.name} – Stellen {year}", stand)
    sheet.append([])
    sheet.header()
    return sheet, sheet.row + 1


def _close_anlage(sheet: SheetWriter, first: int) -> None:
    last = sheet.row
    sheet.finish_table(first, last)
    sheet.sum_row(2, "Gesamt:", first, last, {"fte", "money"})


# --- Kostensätze -----------------------------------------------------------------------------


def _write_rates(
    workbook: Workbook, costings: list[YearSummary], stand: str, span: str
) -> SheetWriter:
    tables: dict[int, tuple[CostTable, list[int]]] = {}
    for costing in costings:
        tables.setdefault(costing.table.id, (costing.table, []))[1].append(costing.year)
    columns = [
        Column("Kostentabelle", 40),
        Column("gültig ab", 12, "date"),
        Column("verwendet für", 16),
        Column(H_GRADE, 12),
        Column("Statusgruppe", 18),
        Column(H_ANNUAL, 16, "money"),
        Column(H_PERSONNEL, 16, "money"),
        Column(H_MATERIAL, 16, "money"),
        Column(H_IT, 16, "money"),
    ]
    sheet = SheetWriter(workbook, SHEET_RATES, columns)
    sheet.freeze()
    sheet.title(f"Kostensätze {span} (Kosten eines Arbeitsplatzes, Vollzeit, pro Jahr)", stand)
    sheet.append([])
    sheet.header()
    status = dict(PayGrade.StatusGroup.choices)
    first = sheet.row + 1
    for table, years in tables.values():
        used_for = ", ".join(str(y) for y in years)
        rates = (
            CostRate.objects.filter(table=table)
            .select_related("pay_grade")
            .order_by("pay_grade__sort_order", "pay_grade__code")
        )
        for rate in rates:
            sheet.data(
                [
                    table.name,
                    table.valid_from,
                    used_for,
                    rate.pay_grade.code,
                    str(status.get(rate.pay_grade.status_group, "")),
                    rate.annual_cost,
                    rate.personnel_cost,
                    rate.material_cost,
                    rate.it_cost,
                ]
            )
    sheet.finish_table(first, sheet.row)
    return sheet


# --- Stellen ---------------------------------------------------------------------------------

_POSITION_FIELDS = (
    "id",
    "org_unit_id",
    "org_unit__code",
    "org_unit__name",
    "pay_grade_id",
    "pay_grade__code",
    "pay_grade__status_group",
    "title",
    "fte",
    "note",
    "note_date",
    "start_date",
    "end_date",
    "fixed_term",
    "task_heading",
    "tasks",
    "justification",
    "number",
)


def _write_lines(
    workbook: Workbook,
    summaries: list[YearSummary],
    positions: QuerySet[Position] | None,
    anlagen: dict[int, tuple[SheetWriter, int]],
    stand: str,
    span: str,
) -> SheetWriter:
    """The "Stellen" sheet, and the rows of the first year on the sheets of the Ämter, in one
    streamed pass over the positions active in one of the years."""
    tree: OrgTree = summaries[0].tree
    pricings = [YearPricing(s.year, tree) for s in summaries]
    columns = [
        Column("ID", 8),
        Column(H_ORG_UNIT, 12),
        Column("Bezeichnung der Org.einheit", 30),
        Column("Amt/Referat", 12),
        Column("Teilhaushalt", 12),
        Column(H_GRADE, 12),
        Column("Statusgruppe", 16),
        Column(H_TITLE, 40, wrap=True),
        Column(H_FTE, 11, "fte"),
        Column(H_NOTE, 13),
        Column(H_NOTE_DATE, 12, "date"),
        Column(H_START, 12, "date"),
        Column(H_END, 12, "date"),
        Column(H_FIXED_TERM, 10),
        Column(H_TASK_HEADING, 30, wrap=True),
    ]
    for pricing in pricings:
        columns += [
            Column(f"{H_ANNUAL} {pricing.year}", 16, "money"),
            Column(f"Monate {pricing.year}", 9),
            Column(f"Kosten {pricing.year}", 16, "money"),
        ]
    columns += [
        Column(H_TASKS, 50, wrap=True),
        Column(H_JUSTIFICATION, 50, wrap=True),
        Column(H_NUMBER, 14),
    ]
    fte_index = 8

    base = positions if positions is not None else Position.objects.all()
    union = reduce(operator.or_, (active_in_year(base, p.year) for p in pricings))
    last = HEADER_ROW + max(union.count(), 1)

    sheet = SheetWriter(workbook, SHEET_POSITIONS, columns)
    sheet.freeze("C")
    sheet.title(f"Stellenplan – Stellen und Kosten {span}", stand)
    subtotal: list[Any] = [None] * len(columns)
    subtotal[fte_index - 1] = "Summe der angezeigten Zeilen:"
    for index, column in enumerate(columns):
        if column.kind in {"fte", "money"}:
            letter = sheet.letter(index)
            subtotal[index] = Formula(f"=SUBTOTAL(9,{letter}{FIRST_DATA_ROW}:{letter}{last})")
    sheet.total(subtotal)
    sheet.header()

    # Texts that repeat on many rows (unit, grade, status) are made safe once per value.
    status = {key: SafeText(label) for key, label in PayGrade.StatusGroup.choices}
    yes_no = (SafeText("nein"), SafeText("ja"))
    units: dict[int, tuple[SafeText | None, ...]] = {}
    grades: dict[str, SafeText | None] = {}
    main = pricings[0]
    rows = union.order_by("org_unit__code", "id").values_list(*_POSITION_FIELDS)
    for (
        pid,
        unit_id,
        unit_code,
        unit_name,
        grade_id,
        grade_code,
        status_group,
        title,
        fte,
        note,
        note_date,
        start,
        end,
        fixed_term,
        task_heading,
        tasks,
        justification,
        number,
    ) in rows.iterator(chunk_size=2000):
        unit = units.get(unit_id)
        if unit is None:
            section_id = tree.budget_section_of(unit_id)
            section = tree.budget_sections.get(section_id) if section_id else None
            unit = units[unit_id] = (
                safe(unit_code),
                safe(unit_name),
                safe(tree.units[tree.department_of(unit_id)].code),
                safe(section.number if section else ""),
            )
        if grade_code not in grades:
            grades[grade_code] = safe(grade_code)
        grade = grades[grade_code]
        values: list[Any] = [
            pid,
            *unit,
            grade,
            status.get(status_group, ""),
            title,
            fte,
            note,
            note_date,
            start,
            end,
            yes_no[fixed_term],
            task_heading,
        ]
        for pricing in pricings:
            if not is_active_in_year(start, end, pricing.year):
                values += [None, 0, None]
                continue
            # Not memoised per (start, end) here: that memo would grow with the positions.
            months = months_active(start, end, pricing.year)
            price = pricing.price(grade_id, fte, months)
            if price is None:  # no rate: text, never 0 (see "Fehlende Kostensätze")
                values += [MISSING_COST, months, MISSING_COST]
                continue
            _rate, annual, in_year = price
            values += [annual, months, in_year]
        values += [tasks, justification, safe(number) if number else None]
        sheet.data(values)
        if is_active_in_year(start, end, main.year):
            anlage, _first = anlagen[main.unit(unit_id).department_id]
            anlage.data([unit[0], grade, title, fte, note, values[15]])
    sheet.finish_table(FIRST_DATA_ROW, sheet.row)
    return sheet
