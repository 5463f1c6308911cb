"""The Stellenplan as an Excel workbook, from a PlanDocument (live or the adopted record), beside
the document (stellenplan.plan_document) and its PDF (stellenplan.plan_pdf); written with the
common Excel writer (core.xlsx: ExcelBook, SheetWriter, with its print set-up).

Per plan year three sheets: "Stellenplan N" (Teil A with a subtotal per Laufbahngruppe,
Teil B, Summe Teil A/B and Gesamtsumme A + B), "Teilstellenpläne N" (per Teilhaushalt and Amt)
and "Veränderungen N" (the Veränderungsnachweis). Every subtotal and total is a SUM formula
and the column Veränderung is "Stellen N − Stellen N-1" as a formula, so a spreadsheet
recalculates the same figures (tests: LibreOffice); each formula carries the document's figure
as its cached value, for readers without a calc engine.

It computes no cost (the document holds Stellen only), so it needs nothing from costing.
The occupation per position never appears, only the per-grade sum, and that only where the
document shows it (Datenschutz, ``plan_document.protect_occupation``): a hidden sum is the text
"•", and the totals of "besetzt am 30.06." are values, not SUM formulas (a SUM over a hidden
cell would be wrong, and a shown total minus the shown cells would reveal it). Total rows rule
only their filled cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from core.formatting import format_decimal
from core.xlsx import Column, ExcelBook, Formula, SheetWriter, stand_text
from stellenplan.plan_document import HIDDEN_MARK, PlanDocument, Row, YearDocument

if TYPE_CHECKING:
    from stellenplan.imports import Progress

FTE_COLUMNS = (1, 2, 3, 5, 6, 7)  # B C D F G H: the figures summed by the total rows
OCCUPIED_COLUMN = 6  # G: "besetzt am 30.06.", written as values (Datenschutz)


def occupied_value(row: Row) -> Any:
    """The "besetzt am 30.06." cell of `row`: its figure, or "•" where it is not shown."""
    return HIDDEN_MARK if row.occupied_hidden else row.occupied


def plan_columns(doc: YearDocument, first: str = "Besoldungs-/Entgeltgruppe") -> list[Column]:
    return [
        Column(first, 26),
        Column(f"Stellen {doc.year}", 10, "stellen"),
        Column("davon kw", 9, "stellen_optional"),
        Column("davon ku", 9, "stellen_optional"),
        Column("ku → Ziel", 12),
        Column(f"Stellen {doc.previous_year}", 10, "stellen"),
        Column(f"besetzt am 30.06.{doc.previous_year}", 12, "stellen"),
        Column("Veränderung", 12, "stellen_change"),
        Column("Erläuterungen", 40, wrap=True),
    ]


def _values(row: Row, number: int, explanations: bool = True) -> list[Any]:
    return [
        row.label,
        row.fte,
        row.kw or None,
        row.ku or None,
        row.ku_target_text or None,
        row.previous,
        occupied_value(row),
        Formula(f"=B{number}-F{number}", row.change),
        (row.explanation or ("Erläuterung fehlt" if row.explanation_missing else None))
        if explanations
        else None,
    ]


def _sum_values(
    sheet: SheetWriter, row: Row, number: int, refs: Sequence[int], label: str = ""
) -> list[Any]:
    """A total row: SUM of the rows `refs` (contiguous ranges joined) in every figure column
    but "besetzt am 30.06.", which is the document's value (or "•")."""
    values: list[Any] = [None] * len(sheet.columns)
    values[0] = label or row.label
    # The document's figures of the row: the cached values of the formulas.
    results = {1: row.fte, 2: row.kw, 3: row.ku, 5: row.previous}
    for index in FTE_COLUMNS:
        letter = sheet.letter(index)
        if index == OCCUPIED_COLUMN:
            values[index] = occupied_value(row)
        elif index == 7:
            values[index] = Formula(f"=B{number}-F{number}", row.change)
        elif refs:
            values[index] = Formula("=" + sum_of(letter, refs), results[index])
        else:
            values[index] = 0
    return values


MAX_ARGUMENTS = 200  # Excel allows 255 arguments per function


def sum_of(letter: str, rows: Sequence[int]) -> str:
    """SUM over `rows` of column `letter`: runs of adjacent rows as ranges (B5:B9), and nested
    SUMs where there would be more arguments than a function takes."""
    parts: list[str] = []
    ordered = sorted(rows)
    start = previous = ordered[0]
    for row in [*ordered[1:], None]:
        if row is not None and row == previous + 1:
            previous = row
            continue
        parts.append(
            f"{letter}{start}" if start == previous else f"{letter}{start}:{letter}{previous}"
        )
        if row is not None:
            start = previous = row
    while len(parts) > MAX_ARGUMENTS:
        parts = [
            "SUM(" + ",".join(parts[i : i + MAX_ARGUMENTS]) + ")"
            for i in range(0, len(parts), MAX_ARGUMENTS)
        ]
    return "SUM(" + ",".join(parts) + ")"


def _write_plan_sheet(workbook: ExcelBook, doc: YearDocument, title: str, stand: str) -> None:
    sheet = workbook.sheet(f"Stellenplan {doc.year}", plan_columns(doc))
    sheet.freeze("B")
    sheet.title(title, stand)
    sheet.text(" · ".join(doc.notes))
    sheet.header()
    part_totals: list[int] = []
    for part in doc.parts:
        sheet.text(part.title)
        grade_rows: list[int] = []
        group_rows: list[int] = []  # grade rows since the last subtotal
        subtotals: list[int] = []
        for row in part.rows:
            number = sheet.row + 1
            if row.kind == "grade":
                sheet.data(_values(row, number))
                grade_rows.append(number)
                group_rows.append(number)
            elif row.kind == "subtotal":
                sheet.total(_sum_values(sheet, row, number, group_rows), rule_blanks=False)
                subtotals.append(number)
                group_rows = []
            else:  # the part's total: its subtotals, or its grades where there are none
                refs = subtotals or grade_rows
                sheet.total(_sum_values(sheet, row, number, refs), rule_blanks=False)
                part_totals.append(number)
    number = sheet.row + 1
    sheet.total(_sum_values(sheet, doc.grand_total, number, part_totals), rule_blanks=False)
    if doc.occupation_note:
        sheet.text(doc.occupation_note)


def _write_units_sheet(workbook: ExcelBook, doc: YearDocument, title: str, stand: str) -> None:
    sheet = workbook.sheet(f"Teilstellenpläne {doc.year}", plan_columns(doc, "Gruppe"))
    sheet.freeze("B")
    sheet.title(title, stand)
    sheet.append([])
    sheet.header()
    unit_totals: list[int] = []
    for unit in doc.units:
        sheet.text(
            f"Teilhaushalt {unit.section or '–'} {unit.section_name} · {unit.code} {unit.name}"
        )
        rows: list[int] = []
        for row in unit.rows:
            number = sheet.row + 1
            if row.kind == "grade":
                sheet.data(_values(row, number, explanations=False))
                rows.append(number)
            else:
                sheet.total(_sum_values(sheet, row, number, rows), rule_blanks=False)
                unit_totals.append(number)
    number = sheet.row + 1
    sheet.total(
        _sum_values(
            sheet, doc.grand_total, number, unit_totals, label="Summe aller Teilstellenpläne"
        ),
        rule_blanks=False,
    )
    if doc.occupation_note:
        sheet.text(doc.occupation_note)


def _write_changes_sheet(workbook: ExcelBook, doc: YearDocument, title: str, stand: str) -> None:
    columns = [
        Column("Art", 26, wrap=True),
        Column("wirksam ab", 11, "date"),
        Column("im Vorgriff", 10),
        Column("Grundlage", 18),
        Column("Einheit", 10),
        Column("Gruppe", 10),
        Column("Stellen", 9, "stellen"),
        Column("Erläuterung", 48, wrap=True),
    ]
    sheet = workbook.sheet(f"Veränderungen {doc.year}", columns)
    sheet.freeze("B")
    sheet.title(title, stand)
    sheet.append([])
    sheet.header()
    first = sheet.row + 1
    for change in doc.changes:
        sheet.data(
            [
                change.kind_label,
                change.effective_date,
                (
                    f"ja, in Stellen {doc.previous_year} enthalten"
                    if change.in_previous
                    else "ja"
                    if change.in_advance
                    else None
                ),
                f"GRDrs {change.grdrs}" if change.grdrs else f"Stellenplan {change.plan_label}",
                change.unit,
                change.grade,
                change.fte,
                change.explanation or change.summary,
            ]
        )
    last = sheet.row
    total = sum((change.fte or Decimal(0) for change in doc.changes), Decimal(0))
    sheet.sum_row(
        0, f"Summe ({len(doc.changes)} Veränderungen)", first, last, {6: total}, rule_blanks=False
    )
    if doc.changes_in_previous_fte:
        sheet.text(
            f"davon im Vorgriff {doc.previous_year} geschaffen und in „Stellen "
            f"{doc.previous_year}“ enthalten: {format_decimal(doc.changes_in_previous_fte)} Stellen "
            "(nicht in der Spalte „Veränderung“ des Stellenplans)"
        )


def _write_trainees_sheet(workbook: ExcelBook, doc: YearDocument, title: str, stand: str) -> None:
    """The Nachwuchskräfte (persons, not Stellen): per kind the trainings and a SUM row."""
    columns = [
        Column("Ausbildung", 60, wrap=True),
        Column(f"Anzahl {doc.year}", 12),
        Column(f"Anzahl {doc.previous_year}", 12),
    ]
    sheet = workbook.sheet(f"Nachwuchskräfte {doc.year}", columns)
    sheet.title(title, stand)
    sheet.text("Personen, nicht auf die Stellen angerechnet")
    sheet.header()
    subtotals: list[int] = []
    for group in doc.trainee_groups:
        sheet.text(group.label)
        first = sheet.row + 1
        for line in group.lines:
            sheet.data([line.training, line.number, line.number_previous])
        subtotals.append(
            sheet.total(
                [
                    f"Summe {group.label}",
                    Formula(f"=SUM(B{first}:B{sheet.row})", group.number),
                    Formula(f"=SUM(C{first}:C{sheet.row})", group.number_previous or 0),
                ],
                rule_blanks=False,
            )
        )
    if subtotals:
        sheet.total(
            [
                doc.trainees_total.label,
                Formula("=" + sum_of("B", subtotals), doc.trainees_total.number),
                Formula("=" + sum_of("C", subtotals), doc.trainees_total.number_previous or 0),
            ],
            rule_blanks=False,
        )


def build_plan_workbook(
    document: PlanDocument, *, today: date | None = None, progress: Progress | None = None
) -> ExcelBook:
    """The workbook of `document`; `progress(done, total, step)` hears of every sheet begun
    and, last, that the file is saved (what follows when this returns)."""
    status = "Entwurf" if document.years[0].draft else "beschlossen"
    workbook = ExcelBook(f"Stellenplan {document.label} ({status})")
    stand = stand_text(today, status)
    writers = (
        ("Stellenplan", _write_plan_sheet, ""),
        ("Teilstellenpläne", _write_units_sheet, ": Teilstellenpläne"),
        ("Veränderungen", _write_changes_sheet, ": Veränderungsnachweis"),
        ("Nachwuchskräfte", _write_trainees_sheet, ": Nachwuchskräfte"),
    )
    total = sum(len(writers) - (not doc.trainees) for doc in document.years) + 1
    done = 0
    for doc in document.years:
        base = f"Stellenplan {document.label} – Haushaltsjahr {doc.year}"
        for sheet, write, suffix in writers:
            if write is _write_trainees_sheet and not doc.trainees:
                continue
            if progress is not None:
                progress(done, total, f"Blatt „{sheet} {doc.year}“ schreiben")
            write(workbook, doc, base + suffix, stand)
            done += 1
    if progress is not None:
        progress(done, total, "Datei speichern")
    return workbook


def write_plan_workbook(stream: IO[bytes] | str, document: PlanDocument, **kwargs: Any) -> None:
    build_plan_workbook(document, **kwargs).save(stream)


def plan_xlsx_filename(document: PlanDocument) -> str:
    return f"Stellenplan-{document.label.replace('/', '-')}.xlsx"
