"""Writes of the Kämmerei's reference data: cost tables, cost rates, reimbursement rules and
pay adjustments (Tarif- und Besoldungsanpassungen).

(The costing engine itself is costing.engine; cost tables with their rates come in by Excel
import, ``costing.imports``, or are created here: empty or copied from another table raised by
a percentage.) Keyword-only, with the acting user (recorded in the history), in
a transaction, validated with ``full_clean()``. Edits and deletes are refused when someone
saved the object after the form was opened (``expected_version``, ``core.concurrency``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.concurrency import DeleteRefusedError, editable_only, versioned_delete, versioned_update
from core.formatting import date_de, euro
from core.history import acting_as
from core.users import User
from costing.engine import RateAmounts, raise_amounts
from costing.models import CostRate, CostTable, PayAdjustment, ReimbursementRule
from costing.usage import table_usage
from departments.models import OrgUnit
from stellenplan.models import PayGrade

COSTTABLE_FIELDS = ["name", "valid_from", "remark"]
RATE_FIELDS = ["annual_cost", "personnel_cost", "material_cost", "it_cost"]
RULE_FIELDS = ["name", "rate", "valid_from", "valid_to", "org_units"]
PAY_ADJUSTMENT_FIELDS = [
    "name",
    "status_group",
    "effective_date",
    "base_amount",
    "percent",
    "minimum_amount",
    "status",
    "source",
    "note",
]


def _check_valid_from_free(valid_from: date | None, *, table_id: int | None = None) -> None:
    """A table applies from its "gültig ab" until the next one's: two tables from one day
    would overlap (the model's unique "gültig ab")."""
    if valid_from is None:
        return
    others = CostTable.objects.filter(valid_from=valid_from)
    if table_id is not None:
        others = others.exclude(pk=table_id)
    other = others.first()
    if other is not None:
        raise ValidationError(
            {
                "valid_from": f"Ab dem {date_de(valid_from)} gilt schon die Kostentabelle "
                f"„{other.name}“: jede Kostentabelle braucht ein eigenes Datum „gültig ab“ "
                "(sie gilt bis zum Tag vor dem der nächsten)."
            }
        )


@transaction.atomic
def costtable_create(
    *,
    acting_user: User | None,
    name: str,
    valid_from: date,
    remark: str = "",
    source: CostTable | None = None,
    increase_percent: Decimal = Decimal(0),
    rounding: str = "cent",
) -> CostTable:
    """A new cost table: empty, or with the rates of `source` raised by `increase_percent`
    (3.5 for +3,5 %) and rounded half-up (``costing.engine.raise_amounts``). Nothing is saved
    when a rate would break the model's rules; the message names the grade."""
    _check_valid_from_free(valid_from)
    table = CostTable(name=name, valid_from=valid_from, remark=remark)
    table.full_clean(exclude=["version"])
    new_rates: list[CostRate] = []
    if source is not None:
        for rate in CostRate.objects.filter(table=source).select_related("pay_grade"):
            raised = raise_amounts(
                RateAmounts(
                    rate.annual_cost, rate.personnel_cost, rate.material_cost, rate.it_cost
                ),
                increase_percent,
                rounding,
            )
            new_rate = CostRate(
                table=table,
                pay_grade=rate.pay_grade,
                annual_cost=raised.annual_cost,
                personnel_cost=raised.personnel_cost,
                material_cost=raised.material_cost,
                it_cost=raised.it_cost,
            )
            try:
                new_rate.full_clean(exclude=["table", "version"], validate_unique=False)
            except ValidationError as error:
                details = "; ".join(m for ms in error.message_dict.values() for m in ms)
                raise ValidationError(
                    f"Der Kostensatz „{rate.pay_grade.code}“ ergäbe "
                    f"{euro(raised.annual_cost)} und ist so nicht zulässig: {details}"
                ) from error
            new_rates.append(new_rate)
    with acting_as(acting_user):
        table.save()
        for new_rate in new_rates:
            new_rate.table = table
            new_rate.save()
    return table


@transaction.atomic
def costtable_update(
    *,
    acting_user: User | None,
    table: CostTable,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> CostTable:
    """Rename a cost table, change its remark or re-date it ("gültig ab"; its rates stay).

    A table applies from its "gültig ab" to the day before the next table's, so re-dating
    onto another table's day is refused."""
    editable_only(data, COSTTABLE_FIELDS)
    if "valid_from" in data:
        _check_valid_from_free(data["valid_from"], table_id=table.pk)
    return versioned_update(
        table, acting_user=acting_user, expected_version=expected_version, data=data, opened=opened
    )


@transaction.atomic
def costtable_delete(*, acting_user: User | None, table: CostTable, expected_version: int) -> None:
    """Delete a cost table with its rates (each rate's deletion is in the history).

    Refused (DeleteRefusedError, nothing deleted) while something refers to the table, e.g.
    an adopted decision whose figures came from it (``costing.usage``)."""
    usage = table_usage(table)
    if usage:
        raise DeleteRefusedError(
            f"Die Kostentabelle „{table.name}“ kann nicht gelöscht werden: sie wird von "
            f"{'; '.join(usage)} verwendet. Bitte stattdessen eine neue Kostentabelle anlegen."
        )
    versioned_delete(  # the cascade to the rates is recorded under the acting user too
        table,
        acting_user=acting_user,
        expected_version=expected_version,
        label=f"Die Kostentabelle „{table.name}“",
    )


@transaction.atomic
def costrate_create(
    *,
    acting_user: User | None,
    table: CostTable,
    pay_grade: PayGrade,
    annual_cost: Decimal,
    personnel_cost: Decimal | None = None,
    material_cost: Decimal | None = None,
    it_cost: Decimal | None = None,
) -> CostRate:
    """Add the rate of a grade that the table lacks (one rate per grade and table)."""
    rate = CostRate(
        table=table,
        pay_grade=pay_grade,
        annual_cost=annual_cost,
        personnel_cost=personnel_cost,
        material_cost=material_cost,
        it_cost=it_cost,
    )
    rate.full_clean(exclude=["version"])
    with acting_as(acting_user):
        rate.save()
    return rate


@transaction.atomic
def costrate_update(
    *,
    acting_user: User | None,
    rate: CostRate,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> CostRate:
    """Change the amounts of one rate of a cost table (its grade and table stay)."""
    editable_only(data, RATE_FIELDS)
    return versioned_update(
        rate, acting_user=acting_user, expected_version=expected_version, data=data, opened=opened
    )


@transaction.atomic
def costrate_delete(*, acting_user: User | None, rate: CostRate, expected_version: int) -> None:
    versioned_delete(
        rate,
        acting_user=acting_user,
        expected_version=expected_version,
        label=f"Der Kostensatz „{rate.pay_grade.code}“",
    )


@transaction.atomic
def reimbursementrule_create(
    *,
    acting_user: User | None,
    name: str,
    rate: Decimal,
    valid_from: date,
    valid_to: date | None,
    org_units: Iterable[OrgUnit],
) -> ReimbursementRule:
    rule = ReimbursementRule(name=name, rate=rate, valid_from=valid_from, valid_to=valid_to)
    rule.full_clean()
    with acting_as(acting_user):
        rule.save()
        rule.org_units.set(list(org_units))
    return rule


@transaction.atomic
def reimbursementrule_update(
    *,
    acting_user: User | None,
    rule: ReimbursementRule,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> ReimbursementRule:
    """Change a rule and the org units it covers (``data["org_units"]``); refused, with
    nothing saved (the org units neither), when someone saved the rule since
    `expected_version`."""
    editable_only(data, RULE_FIELDS)
    return versioned_update(
        rule, acting_user=acting_user, expected_version=expected_version, data=data, opened=opened
    )


@transaction.atomic
def reimbursementrule_delete(
    *, acting_user: User | None, rule: ReimbursementRule, expected_version: int
) -> None:
    versioned_delete(
        rule,
        acting_user=acting_user,
        expected_version=expected_version,
        label=f"Die Erstattungsregel „{rule.name}“",
    )


@transaction.atomic
def reimbursementrule_new_rate(
    *,
    acting_user: User | None,
    rule: ReimbursementRule,
    expected_version: int,
    valid_from: date,
    rate: Decimal,
    name: str = "",
) -> ReimbursementRule:
    """ "Neuer Satz ab …": a new rule with `rate` from `valid_from` for the same org units, until
    the old rule's end; the old rule ends the day before (versioned, so a rule saved by
    someone else since is not closed over). All or nothing.
    """
    if valid_from <= rule.valid_from:
        raise ValidationError(
            {
                "valid_from": f"Der neue Satz muss nach dem Beginn der bisherigen Regel "
                f"({date_de(rule.valid_from)}) beginnen, nicht am {date_de(valid_from)}."
            }
        )
    if rule.valid_to is not None and valid_from > rule.valid_to:
        raise ValidationError(
            {
                "valid_from": f"Die bisherige Regel endet schon am {date_de(rule.valid_to)}; "
                f"ein neuer Satz ab {date_de(valid_from)} schließt nicht an sie an. Bitte eine "
                "neue Erstattungsregel anlegen."
            }
        )
    org_units = list(rule.org_units.all())
    new_rule = ReimbursementRule(
        name=name.strip() or rule.name,
        rate=rate,
        valid_from=valid_from,
        valid_to=rule.valid_to,
    )
    new_rule.full_clean(exclude=["version"])
    versioned_update(
        rule,
        acting_user=acting_user,
        expected_version=expected_version,
        data={"valid_to": valid_from - timedelta(days=1)},
    )
    with acting_as(acting_user):
        new_rule.save()
        new_rule.org_units.set(org_units)
    return new_rule


@transaction.atomic
def payadjustment_create(*, acting_user: User | None, data: Mapping[str, Any]) -> PayAdjustment:
    editable_only(data, PAY_ADJUSTMENT_FIELDS)
    adjustment = PayAdjustment(**data)
    adjustment.full_clean()
    with acting_as(acting_user):
        adjustment.save()
    return adjustment


@transaction.atomic
def payadjustment_update(
    *,
    acting_user: User | None,
    adjustment: PayAdjustment,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> PayAdjustment:
    """Change a pay adjustment; refused when someone saved it since `expected_version`."""
    editable_only(data, PAY_ADJUSTMENT_FIELDS)
    return versioned_update(
        adjustment,
        acting_user=acting_user,
        expected_version=expected_version,
        data=data,
        opened=opened,
    )


@transaction.atomic
def payadjustment_delete(
    *, acting_user: User | None, adjustment: PayAdjustment, expected_version: int
) -> None:
    versioned_delete(
        adjustment,
        acting_user=acting_user,
        expected_version=expected_version,
        label=f"Die Anpassung „{adjustment.name}“",
    )
