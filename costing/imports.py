"""Excel import of cost tables (issues 4 and 11): one rate per pay grade, all or nothing.

As for positions (``stellenplan.imports``), the web import first shows a preview (the table,
its rates, the grades it would create) and keeps the file as a pending ``ImportBatch`` until
the user confirms; a confirmed import is one attributed batch. Undo deletes the imported table
with its rates, as long as neither was changed since and nothing else refers to the table; the
grades it created are deleted too where nothing else uses them (otherwise they stay). A cost
table is never updated by an import (a new table has its own "gültig ab"), so there are no
changed or skipped rows here.

The file is checked and read by ``core.xlsx`` (size, magic bytes, zip bomb, header row, cells);
every rate is checked against the model's rules (``full_clean()`` with its constraints), each
message at its column, and only a file without any problem is saved, in one transaction.

Which sheet: the sheet named "Kostensätze" when the file has one, as in the workbook of
costing.excel, so that an export imports unchanged; otherwise the first sheet. The header row is
the first of the first 20 rows that names the column "Stellenwert".
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.concurrency import describe_objects, describe_usage, raw_values
from core.dataversion import current_token
from core.fields import concrete_field
from core.formatting import euro
from core.history import acting_as
from core.users import User
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
from costing.usage import table_usage
from stellenplan.imports import (
    H_GRADE,
    PREVIEW_ROWS,
    STALE_MESSAGE,
    Confirmation,
    grade_key,
    issues_json,
    max_rows,
    unknown_grade_message,
)
from stellenplan.models import ImportBatch, ImportBatchItem, PayGrade
from stellenplan.services import (
    ImportBatchError,
    import_batch_check_undo,
    import_batch_create,
    import_batch_lock,
    import_batch_mark_applied,
    paygrade_create,
)


@dataclass
class CostTableImportResult:
    sheet: str
    table: CostTable
    rates: int
    created_grades: list[str] = field(default_factory=list)
    batch: ImportBatch | None = None


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


def _amount(expected: str) -> Callable[[Any], Decimal]:
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


TABLE_SNAPSHOT = ("name", "valid_from", "remark")
RATE_SNAPSHOT = ("pay_grade", "annual_cost", "personnel_cost", "material_cost", "it_cost")


def _snapshot(instance: Any, names: tuple[str, ...]) -> dict[str, str]:
    """Comparable values of `instance` (``core.concurrency.raw_values``), kept with the batch."""
    return raw_values(instance, names)


@dataclass
class CostTablePlan:
    """What a cost-table file would save: the table, its rates (with the grade codes of the
    rows) and the grades to create; ``issues`` lists every problem (nothing may be saved then)."""

    sheet: str
    table: CostTable
    rates: list[tuple[int, str, CostRate]]
    new_grades: dict[str, str]
    issues: list[ImportIssue]

    def preview(self) -> dict[str, Any]:
        money = euro
        return {
            "sheet": self.sheet,
            "counts": {
                "created": len(self.rates),
                "updated": 0,
                "unchanged": 0,
                "refused": len({i.row for i in self.issues if i.row}),
                "warnings": 0,
            },
            "table": {
                "name": self.table.name,
                "valid_from": (
                    f"{self.table.valid_from:%d.%m.%Y}" if self.table.valid_from else ""
                ),
                "remark": self.table.remark,
            },
            "rates": [
                {
                    "row": number,
                    "grade": code,
                    "annual": money(rate.annual_cost),
                    "personnel": money(rate.personnel_cost),
                    "material": money(rate.material_cost),
                    "it": money(rate.it_cost),
                }
                for number, code, rate in self.rates[:PREVIEW_ROWS]
            ],
            "new_grades": sorted(self.new_grades),
            # the rates of existing grades, for the checks of the page (costing.selectors:
            # grades in use without a rate, a Finanzplanung that would fall)
            "rated": [
                [rate.pay_grade_id, str(rate.annual_cost), _text_or_none(rate.personnel_cost)]
                for _, _, rate in self.rates
                if rate.pay_grade_id is not None
            ],
            "warnings": [],
            "issues": issues_json(self.issues[:PREVIEW_ROWS]),
        }


def _text_or_none(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def plan_cost_table(
    source: Source,
    *,
    name: str,
    valid_from: date,
    create_grades: bool = False,
    remark: str = "",
    limit: int | None = None,
) -> CostTablePlan:
    """Check a cost-table file and its parameters without saving anything."""
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
    rates: list[tuple[int, str, CostRate]] = []
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
                max_rows=limit or max_rows(),
            )
            issues += read_issues
            if sheet_table is not None and not read_issues:
                rates, new_grades, row_issues = _parse_rates(sheet_table, create_grades)
                issues += row_issues
    except ImportFailed as failed:  # the file itself: report it with the parameters' issues
        issues += failed.issues
    sheet = sheet_table.sheet if sheet_table else ""
    return CostTablePlan(sheet, table, rates, new_grades, issues)


def import_cost_table(
    source: Source,
    *,
    name: str,
    valid_from: date,
    create_grades: bool = False,
    remark: str = "",
    dry_run: bool = False,
    acting_user: User | None = None,
    file_name: str = "",
) -> CostTableImportResult:
    """Import a cost table with one rate per grade at once, without a preview, or nothing
    (raises ImportFailed); recorded as one applied batch that can be undone."""
    plan = plan_cost_table(
        source, name=name, valid_from=valid_from, create_grades=create_grades, remark=remark
    )
    if plan.issues:
        raise ImportFailed(plan.issues)
    if dry_run:
        return CostTableImportResult(
            plan.sheet, plan.table, len(plan.rates), sorted(plan.new_grades)
        )
    with transaction.atomic():
        batch = import_batch_create(
            acting_user=acting_user,
            kind=ImportBatch.Kind.COST_TABLE,
            file_name=file_name or str(getattr(source, "name", "") or ""),
            content=b"",
            options={},
            preview={},
            data_token="",
        )
        _apply(plan, acting_user=acting_user, batch=batch)
    return CostTableImportResult(
        plan.sheet, plan.table, len(plan.rates), sorted(plan.new_grades), batch
    )


def _apply(plan: CostTablePlan, *, acting_user: User | None, batch: ImportBatch) -> None:
    grade_ids = _create_grades(plan.new_grades, acting_user)
    table = plan.table
    try:
        with transaction.atomic(), acting_as(acting_user):
            table.save()
    except IntegrityError:  # saved at the same time by someone else ("gültig ab" is unique)
        raise ImportBatchError(
            f"Es gibt inzwischen eine Kostentabelle gültig ab {table.valid_from:%d.%m.%Y}; es "
            "wurde nichts gespeichert."
        ) from None
    for _, code, rate in plan.rates:
        rate.table = table
        if rate.pay_grade_id is None:
            rate.pay_grade_id = grade_ids[code]
    created = bulk_create_with_history(
        [rate for _, _, rate in plan.rates],
        CostRate,
        batch_size=BATCH_SIZE,
        default_user=acting_user,
        default_change_reason=f"Excel-Import {batch.pk}",
    )
    items = [
        ImportBatchItem(
            batch=batch,
            action=ImportBatchItem.Action.CREATED,
            model=CostTable._meta.label_lower,
            object_id=table.pk,
            label=table.name[:300],
            version_after=table.version,
            values=_snapshot(table, TABLE_SNAPSHOT),
        )
    ]
    codes = {pk: code for code, pk in PayGrade.objects.values_list("code", "id")}
    items += [
        ImportBatchItem(
            batch=batch,
            action=ImportBatchItem.Action.CREATED,
            model=CostRate._meta.label_lower,
            object_id=rate.pk,
            row=number,
            label=codes.get(rate.pay_grade_id, ""),
            version_after=rate.version,
            values=_snapshot(rate, RATE_SNAPSHOT),
        )
        for (number, _, _), rate in zip(plan.rates, created, strict=True)
    ]
    items += [
        ImportBatchItem(
            batch=batch,
            action=ImportBatchItem.Action.CREATED,
            model=PayGrade._meta.label_lower,
            object_id=pk,
            label=code,
            version_after=1,
        )
        for code, pk in grade_ids.items()
    ]
    ImportBatchItem.objects.bulk_create(items)
    import_batch_mark_applied(batch=batch, counts={"created": len(plan.rates)}, target=table)


def preview_cost_table(
    content: bytes,
    *,
    file_name: str,
    name: str,
    valid_from: date,
    remark: str,
    create_grades: bool,
    acting_user: User | None,
) -> tuple[CostTablePlan, ImportBatch | None]:
    """Check a file and keep it as a pending batch with its preview (nothing else saved);
    a file with problems gives the plan with its issues and no batch."""
    token = current_token()
    plan = plan_cost_table(
        io.BytesIO(content),
        name=name,
        valid_from=valid_from,
        create_grades=create_grades,
        remark=remark,
    )
    if plan.issues:
        return plan, None
    batch = import_batch_create(
        acting_user=acting_user,
        kind=ImportBatch.Kind.COST_TABLE,
        file_name=file_name,
        content=content,
        options={
            "name": name,
            "valid_from": valid_from.isoformat(),
            "remark": remark,
            "create_grades": create_grades,
        },
        preview=plan.preview(),
        data_token=token,
    )
    return plan, batch


def confirm_cost_table(*, batch_id: int, acting_user: User | None) -> Confirmation:
    """Save a pending cost-table batch, checked again as ``confirm_positions`` does."""
    with transaction.atomic():
        batch = import_batch_lock(
            batch_id=batch_id, acting_user=acting_user, kind=ImportBatch.Kind.COST_TABLE
        )
        token = current_token()
        options = batch.options
        plan = plan_cost_table(
            io.BytesIO(bytes(batch.file_content)),
            name=options["name"],
            valid_from=date.fromisoformat(options["valid_from"]),
            create_grades=options["create_grades"],
            remark=options["remark"],
        )
        preview = plan.preview()
        if plan.issues or (token != batch.data_token and preview != batch.preview):
            batch.preview = preview
            batch.data_token = token
            batch.save(update_fields=["preview", "data_token"])
            return Confirmation(batch, False, STALE_MESSAGE)
        _apply(plan, acting_user=acting_user, batch=batch)
    text = (
        f"Import {batch.pk} gespeichert: Kostentabelle „{plan.table.name}“ gültig ab "
        f"{plan.table.valid_from:%d.%m.%Y} mit {len(plan.rates)} Kostensätzen."
    )
    if plan.new_grades:
        text += f" Neu angelegte Stellenwerte: {', '.join(sorted(plan.new_grades))}."
    return Confirmation(batch, True, text)


@transaction.atomic
def cost_table_import_undo(
    *, batch_id: int, acting_user: User | None, expected_token: str | None = None
) -> ImportBatch:
    """Undo an applied cost-table import: delete the table and its rates, as long as neither
    was changed since and nothing else refers to the table; grades the import created are
    deleted too where nothing uses them any more (otherwise they stay). Only the importer or a
    superuser, at the state the confirmation page showed (``import_batch_check_undo``). Raises
    ImportBatchError (nothing changed) otherwise."""
    batch = (
        ImportBatch.objects.select_for_update(of=("self",))
        .filter(pk=batch_id)
        .select_related("created_by", "undone_by")
        .first()
    )
    if batch is None or batch.kind != ImportBatch.Kind.COST_TABLE:
        raise ImportBatchError("Diesen Import einer Kostentabelle gibt es nicht.")
    refused = f"Der Import {batch.pk} kann nicht rückgängig gemacht werden"
    import_batch_check_undo(batch, acting_user=acting_user, expected_token=expected_token)
    table_id = (
        batch.target_id
        if batch.target_type_id == ContentType.objects.get_for_model(CostTable).pk
        else None
    )
    table = (
        CostTable.objects.select_for_update().filter(pk=table_id).first()
        if table_id is not None
        else None
    )
    if table is None:
        raise ImportBatchError(f"{refused}: die Kostentabelle wurde inzwischen gelöscht.")
    rates = list(
        CostRate.objects.select_for_update().filter(table=table).select_related("pay_grade")
    )
    items = {(item.model, item.object_id): item for item in batch.items.all()}
    rate_model, table_model = CostRate._meta.label_lower, CostTable._meta.label_lower
    changed = sorted(
        rate.pay_grade.code
        for rate in rates
        if (item := items.get((rate_model, rate.pk))) is None
        or rate.version != item.version_after
        or _snapshot(rate, RATE_SNAPSHOT) != item.values
    )
    present = {rate.pk for rate in rates}
    deleted = sorted(
        item.label
        for (model, pk), item in items.items()
        if model == rate_model and pk not in present
    )
    if changed or deleted:
        named = ", ".join(changed + deleted)
        raise ImportBatchError(
            f"{refused}: die Kostensätze für {named} wurden seit dem Import geändert, "
            f"hinzugefügt oder gelöscht (Kostentabelle „{table.name}“). Es wurde nichts geändert."
        )
    table_item = items.get((table_model, table.pk))
    if (
        table_item is None
        or table.version != table_item.version_after
        or _snapshot(table, TABLE_SNAPSHOT) != table_item.values
    ):
        raise ImportBatchError(
            f"{refused}: die Kostentabelle „{table.name}“ wurde seit dem Import geändert. Es "
            "wurde nichts geändert."
        )
    for relation in table._meta.related_objects:
        other = relation.related_model
        accessor = relation.get_accessor_name()
        if (
            other is CostRate
            or accessor is None
            or not isinstance(other, type)
            or other.__name__.startswith("Historical")
        ):
            continue
        count = getattr(table, accessor).count()
        if count:
            raise ImportBatchError(
                f"{refused}: die Kostentabelle „{table.name}“ wird inzwischen verwendet "
                f"({describe_objects({other: count})}). Es wurde nichts geändert."
            )
    usage = table_usage(table)
    if usage:
        raise ImportBatchError(
            f"{refused}: die Kostentabelle „{table.name}“ wird inzwischen verwendet "
            f"({'; '.join(usage)}). Es wurde nichts geändert."
        )
    with acting_as(acting_user):
        for rate in rates:
            rate.delete()
        table.delete()
    for item in batch.items.filter(model=PayGrade._meta.label_lower):
        grade = PayGrade.objects.filter(pk=item.object_id).first()
        if grade is not None and not describe_usage(grade):
            with acting_as(acting_user):
                grade.delete()
    batch.status = ImportBatch.Status.UNDONE
    batch.undone_by = acting_user if getattr(acting_user, "pk", None) else None
    batch.undone_at = timezone.now()
    batch.save(update_fields=["status", "undone_by", "undone_at"])
    return batch


def _parse_rates(
    table: Table, create_grades: bool
) -> tuple[list[tuple[int, str, CostRate]], dict[str, str], list[ImportIssue]]:
    grades = {" ".join(code.split()): pk for code, pk in PayGrade.objects.values_list("code", "id")}
    grades_folded = {code.casefold(): pk for code, pk in grades.items()}
    issues: list[ImportIssue] = []
    rates: list[tuple[int, str, CostRate]] = []
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
                same = [c for c in grades if grade_key(c) == grade_key(code)]
                if grade_id is None and same:
                    # "EG9" is "EG 9": never a second grade of another spelling
                    row.issue(
                        H_GRADE,
                        unknown_grade_message(code, same)
                        + (
                            " Kein neuer Stellenwert: nur eine andere Schreibweise."
                            if create_grades
                            else ""
                        ),
                    )
                elif grade_id is None:
                    group = status_group_of(code)
                    if not create_grades:
                        row.issue(
                            H_GRADE,
                            unknown_grade_message(code, list(grades))
                            + " Neue Stellenwerte nur mit „Stellenwerte anlegen“ bzw. "
                            "--create-grades.",
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
            rates.append((number, code, rate))
    return rates, new_grades, issues


def _create_grades(new_grades: dict[str, str], acting_user: User | None) -> dict[str, int]:
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
