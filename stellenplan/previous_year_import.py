"""Vorjahreszahlen from Excel: a preview, then all or nothing (issue 22).

The workbook has one row per Amt and Besoldungs-/Entgeltgruppe with the columns "Amt",
"Besoldungs-/Entgeltgruppe", "Stellen" and, optionally, "besetzt am 30.06." — the layout of
``previous_figures_workbook``, so the app's own file (filled in or changed) imports unchanged.
The file is checked and read by ``core.xlsx`` (size, magic bytes, zip bomb, header row, cells,
at most ``IMPORT_MAX_ROWS`` rows); every problem is reported with sheet, row, column and value,
the model's rules (``full_clean()``) at the column of their field. Nothing is saved by reading:
``plan_previous_figures`` returns what the file would change, and the page saves it after
confirmation with ``plan_services.previous_figures_save`` (all or nothing, history per entry).
An empty "Stellen" cell removes the entry of its row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings

from core.formatting import format_decimal
from core.xlsx import (
    Column,
    ExcelBook,
    ImportFailed,
    ImportIssue,
    Row,
    Source,
    check_file,
    code_text,
    open_xlsx,
    parse_number,
    read_table,
    stand_text,
    validate_row,
)
from departments.models import OrgUnit
from stellenplan.models import PayGrade, PreviousYearFigure
from stellenplan.plan_document import document_order
from stellenplan.plan_services import FigureInput

SHEET = "Vorjahreszahlen"
H_UNIT = "Amt"
H_GRADE = "Besoldungs-/Entgeltgruppe"
H_FTE = "Stellen"
H_OCCUPIED = "besetzt am 30.06."
ALIASES = {"Stellenwert": H_GRADE, "Gruppe": H_GRADE, "Org.einheit": H_UNIT}
FTE_EXPECTED = "erwartet eine Zahl von Stellen, z. B. 12,5 oder 0."


@dataclass
class PlannedFigure:
    """One row of the file: what it sets and what stands there now (None: nothing)."""

    row: int
    unit: str
    grade: str
    figure: FigureInput
    before: tuple[Decimal, Decimal | None] | None

    @property
    def changed(self) -> bool:
        after = None if self.figure.fte is None else (self.figure.fte, self.figure.occupied)
        return after != self.before

    def describe(self, value: tuple[Decimal, Decimal | None] | None) -> str:
        if value is None:
            return "—"
        fte, occupied = value
        shown = f"{format_decimal(fte)} Stellen"
        return shown + (f", besetzt {format_decimal(occupied)}" if occupied is not None else "")

    @property
    def before_text(self) -> str:
        return self.describe(self.before)

    @property
    def after_text(self) -> str:
        figure = self.figure
        return self.describe(None if figure.fte is None else (figure.fte, figure.occupied))


def _headers(year: int) -> list[str]:
    return [H_UNIT, H_GRADE, f"{H_FTE} {year}", f"{H_OCCUPIED}{year}"]


def plan_previous_figures(source: Source, *, year: int) -> list[PlannedFigure]:
    """What the file would write into the Vorjahreszahlen of `year`; ImportFailed with every
    problem of the file otherwise. Saves nothing."""
    check_file(source)
    fte_header, occupied_header = f"{H_FTE} {year}", f"{H_OCCUPIED}{year}"
    aliases = {**ALIASES, H_FTE: fte_header, H_OCCUPIED: occupied_header}
    with open_xlsx(source) as workbook:
        table, issues = read_table(
            workbook,
            preferred_sheet=SHEET,
            key=H_UNIT,
            known=[H_UNIT, H_GRADE, fte_header, occupied_header],
            required=[H_UNIT, H_GRADE, fte_header],
            aliases=aliases,
            max_rows=settings.IMPORT_MAX_ROWS,
        )
    if table is None or issues:
        raise ImportFailed(issues)
    units = {u.code.casefold(): u for u in OrgUnit.objects.filter(parent__isnull=True)}
    grades = {g.code.casefold(): g for g in PayGrade.objects.all()}
    existing = {
        (f.org_unit_id, f.pay_grade_id): f for f in PreviousYearFigure.objects.filter(year=year)
    }
    planned: list[PlannedFigure] = []
    seen: dict[tuple[int, int], int] = {}
    for number, cells in table.rows:
        row = Row(table, number, cells)
        unit_code = row.get(H_UNIT, code_text, required=True)
        grade_code = row.get(H_GRADE, code_text, required=True)
        fte = row.get(fte_header, lambda v: parse_number(v, FTE_EXPECTED))
        occupied = row.get(occupied_header, lambda v: parse_number(v, FTE_EXPECTED))
        unit = units.get((unit_code or "").casefold())
        grade = grades.get((grade_code or "").casefold())
        if unit_code and unit is None:
            row.issue(H_UNIT, "ist kein Amt (oberste Organisationseinheit) der Organisation.")
        if grade_code and grade is None:
            row.issue(H_GRADE, "ist kein erfasster Stellenwert.")
        if fte is None and occupied is not None:
            row.issue(fte_header, "ist leer, obwohl „besetzt am 30.06.“ angegeben ist.")
        if unit is None or grade is None:
            issues.extend(row.issues)
            continue
        key = (unit.pk, grade.pk)
        current = existing.get(key)
        if key in seen:
            row.issue(H_GRADE, f"steht für dieses Amt schon in Zeile {seen[key]}.")
        seen[key] = number
        if fte is not None and not row.issues:
            validate_row(
                row,
                PreviousYearFigure(
                    year=year,
                    org_unit=unit,
                    pay_grade=grade,
                    fte=fte,
                    occupied=occupied,
                ),
                {"fte": fte_header, "occupied": occupied_header},
                # the key is checked above (a row updates the entry it names)
                exclude={"version", "acting_user", "year", "org_unit", "pay_grade"},
            )
        issues.extend(row.issues)
        if row.issues:
            continue
        planned.append(
            PlannedFigure(
                row=number,
                unit=unit.code,
                grade=grade.code,
                figure=FigureInput(
                    org_unit_id=unit.pk,
                    pay_grade_id=grade.pk,
                    fte=fte,
                    occupied=occupied,
                    expected_version=current.version if current else None,
                    label=f"{unit.code}, {grade.code} (Zeile {number})",
                ),
                before=(current.fte, current.occupied) if current else None,
            )
        )
    if issues:
        raise ImportFailed(issues)
    return planned


def issue_texts(issues: list[ImportIssue]) -> list[str]:
    return [str(issue) for issue in issues]


def previous_figures_workbook(year: int, *, today: date | None = None) -> ExcelBook:
    """The Vorjahreszahlen of `year` as a file to fill in: a row per Amt and entered group
    (every group of the first Amt where nothing is entered yet), in the import's layout."""
    workbook = ExcelBook(f"Vorjahreszahlen {year}")
    columns = [
        Column(H_UNIT, 10),
        Column(H_GRADE, 26),
        Column(f"{H_FTE} {year}", 12, "stellen"),
        Column(f"{H_OCCUPIED}{year}", 16, "stellen"),
    ]
    sheet = workbook.sheet(SHEET, columns)
    sheet.freeze("A")
    sheet.title(f"Vorjahreszahlen {year} (beschlossener Stellenplan {year})", stand_text(today))
    sheet.text(
        "Je Amt und Gruppe: Stellen laut Stellenplan, besetzt am 30.06.; Schaffungen im "
        "Vorgriff nicht mitzählen (das Programm zählt sie aus den Stellenplanänderungen dazu)."
    )
    sheet.header()
    figures = list(
        PreviousYearFigure.objects.filter(year=year).select_related("org_unit", "pay_grade")
    )
    order = {g.pk: i for i, g in enumerate(document_order(PayGrade.objects.all()))}
    figures.sort(key=lambda f: (f.org_unit.code, order.get(f.pay_grade_id, 0)))
    rows: list[list[Any]] = [
        [f.org_unit.code, f.pay_grade.code, f.fte, f.occupied] for f in figures
    ]
    if not rows:
        first = OrgUnit.objects.filter(parent__isnull=True).order_by("code").first()
        code = first.code if first else ""
        rows = [[code, g.code, None, None] for g in document_order(PayGrade.objects.all())]
    for values in rows:
        sheet.data(values)
    return workbook
