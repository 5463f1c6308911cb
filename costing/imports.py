"""Excel import of cost tables (issue 4): one rate per pay grade, all or nothing.

The file is checked and read by ``core.xlsx`` (size, magic bytes, zip bomb, header row, cells);
every rate is checked against the model's rules (``full_clean()`` with its constraints), each
message at its column, and only a file without any problem is saved, in one transaction.

Which sheet: the sheet named "Kostensätze" when the file has one, as in the workbook of
costing.excel, so that an export imports unchanged; otherwise the first sheet. The header row is
the first of the first 20 rows that names the column "Stellenwert".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from simple_history.utils import bulk_create_with_history

from core.fields import concrete_field
from core.history import acting_as
from core.xlsx import (
    BATCH_SIZE,
    ImportFailed,
    ImportIssue,
    Row,
    Source,
    Table,
    blank,
    code_text,
    lookup,
    open_xlsx,
    parse_number,
    read_table,
    validate_row,
)
from costing.excel import H_ANNUAL, H_IT, H_MATERIAL, H_PERSONNEL, SHEET_RATES
from costing.models import CostRate, CostTable
from stellenplan.imports import H_GRADE
from stellenplan.models import PayGrade
from stellenplan.services import paygrade_create


@dataclass
class CostTableImportResult:
    sheet: str
    table: CostTable
    rates: int
    created_grades: list[str] = field(default_factory=list)


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


def _amount(expected: str):
    """A parser of an amount cell; the amounts' rules (positive, not negative, cents, size)
    are the model's."""

    def parse(value: Any) -> Decimal:
        return parse_number(value, f"erwartet {expected}, z. B. 74.300 oder 74300,00.")

    return parse


def _grade_code_max_length() -> int:
    max_length = concrete_field(PayGrade, "code").max_length
    if max_length is None:
        raise TypeError("PayGrade.code must have a max_length")
    return max_length


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
    acting_user: Any = None,
) -> CostTableImportResult:
    """Import a cost table with one rate per grade, or nothing (raises ImportFailed)."""
    issues: list[ImportIssue] = []
    table = CostTable(name=(name or "").strip(), valid_from=valid_from, remark=remark)
    try:
        table.full_clean(validate_unique=False)
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            label = str(concrete_field(CostTable, field_name).verbose_name)
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
        grade_ids = _create_grades(new_grades, acting_user)
        with acting_as(acting_user):
            table.save()
        for code, rate in rates:
            rate.table = table
            if rate.pay_grade_id is None:
                rate.pay_grade_id = grade_ids[code]
        bulk_create_with_history(
            [rate for _, rate in rates],
            CostRate,
            batch_size=BATCH_SIZE,
            default_user=acting_user,
            default_change_reason="Excel-Import",
        )
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
    annual = _amount("einen Betrag in Euro größer als 0")
    component = _amount("einen Betrag in Euro")
    for number, cells in table.rows:
        row = Row(table, number, cells)
        code = ""
        grade_id = None
        raw = row.raw(H_GRADE)
        if blank(raw):
            row.issue(H_GRADE, "Pflichtfeld: die Zelle darf nicht leer sein.")
        else:
            code = code_text(raw)
            grade_id = lookup(grades, grades_folded, code)
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
                    elif len(code) > _grade_code_max_length():
                        row.issue(H_GRADE, "zu lang: höchstens 20 Zeichen.")
                    else:
                        new_grades[code] = group
        # An unsaved rate may lack its grade (unknown or unreadable); validate_row reports
        # that. django-stubs types the id of a non-null foreign key as never None.
        rate = CostRate(  # type: ignore[misc]
            pay_grade_id=grade_id,
            annual_cost=row.get(H_ANNUAL, annual, required=True),
            personnel_cost=row.get(H_PERSONNEL, component),
            material_cost=row.get(H_MATERIAL, component),
            it_cost=row.get(H_IT, component),
        )
        validate_row(row, rate, RATE_FIELDS, {"table", "pay_grade"})
        issues.extend(row.issues)
        if not row.issues:
            rates.append((code, rate))
    return rates, new_grades, issues


def _create_grades(new_grades: dict[str, str], acting_user: Any) -> dict[str, int]:
    created: dict[str, int] = {}
    order = PayGrade.objects.aggregate(m=Max("sort_order"))["m"] or 0
    for code, group in new_grades.items():
        order += 10
        career = _CAREER.search(code)
        grade = paygrade_create(
            acting_user=acting_user,
            code=code,
            status_group=group,
            career_group=career.group(1) if career else "",
            sort_order=order,
        )
        created[code] = grade.pk
    return created
