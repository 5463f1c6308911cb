"""Writes of org units, and the helpers every app's services share.

Shared helpers (departments is the root of the app dependency chain, so stellenplan, costing and
decisions may use them):

- optimistic concurrency: ``versioned_update`` / ``versioned_delete`` refuse a save when the
  object's ``version`` changed since the form was opened (``UPDATE … WHERE id = ? AND
  version = ?`` touching no row) and raise ``ConcurrentEditError`` listing what changed;
- German display of field values (``display_value``), a snapshot of what a form showed
  (``raw_values``), and the change history of a django-simple-history model
  (``history_entries``: who, when, field, old → new);
- ``DeleteRefusedError`` with a German message instead of a cascade.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, ProtectedError, RestrictedError
from django.utils import timezone

from departments.models import BudgetSection, OrgUnit
from departments.selectors import org_tree

# --- display -------------------------------------------------------------------------------


def format_decimal(value: Decimal) -> str:
    """German form of a decimal without needless zeros: 0,5 · 1,0 · 0,25 · 1.234,5."""
    normalized = value.normalize()
    if normalized == normalized.to_integral_value():
        normalized = normalized.quantize(Decimal("0.0"))
    sign, digits, exponent = normalized.as_tuple()
    text = f"{abs(normalized):f}"
    whole, _, fraction = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = ".".join(groups) + ("," + fraction if fraction else "")
    return ("-" if sign else "") + result


def display_value(
    model_field: models.Field, value: Any, labels: Mapping[Any, str] | None = None
) -> str:
    """A field value as a person reads it (German dates and numbers, choice labels)."""
    if value is None or value == "":
        if model_field.choices and value == "":
            return str(dict(model_field.flatchoices).get("", "—"))
        return "—"
    if model_field.is_relation:
        key = value.pk if isinstance(value, models.Model) else value
        if labels is not None and key in labels:
            return labels[key]
        return str(value) if isinstance(value, models.Model) else f"Nr. {key} (gelöscht)"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return format_decimal(value)
    return str(value)


def raw_value(model_field: models.Field, value: Any) -> str:
    """A comparable string form of a field value (ids for relations, ISO dates)."""
    if isinstance(value, models.Model):
        value = value.pk
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def raw_values(instance: models.Model, field_names: Iterable[str]) -> dict[str, str]:
    """What a form shows of `instance`, to compare later with what is saved then."""
    opts = instance._meta
    return {
        name: raw_value(opts.get_field(name), getattr(instance, opts.get_field(name).attname))
        for name in field_names
    }


def relation_labels(
    model: type[models.Model], field_names: Iterable[str], rows: Iterable[Mapping[str, Any]]
) -> dict[str, dict[Any, str]]:
    """Labels of the related objects the rows point to: one query per relation field."""
    labels: dict[str, dict[Any, str]] = {}
    rows = list(rows)
    for name in field_names:
        model_field = model._meta.get_field(name)
        if not model_field.is_relation:
            continue
        ids = {row.get(model_field.attname) for row in rows} - {None, ""}
        related = model_field.related_model.objects.in_bulk(ids) if ids else {}
        labels[name] = {pk: str(obj) for pk, obj in related.items()}
    return labels


# --- optimistic concurrency -----------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its label, the value the user entered, the value saved now."""

    label: str
    yours: str
    saved: str


class ConcurrentEditError(Exception):
    """Someone saved (or deleted) the object after the user opened the form."""

    def __init__(
        self,
        *,
        verbose_name: str,
        changes: Sequence[FieldChange],
        changed_by: str | None,
        changed_at: datetime.datetime | None,
        current: models.Model | None,
    ) -> None:
        self.changes = list(changes)
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current = current
        if current is None:
            message = (
                f"Die {verbose_name} wurde inzwischen gelöscht. Ihre Änderungen wurden nicht "
                "gespeichert."
            )
        else:
            who = f" von {changed_by}" if changed_by else ""
            when = (
                f" am {timezone.localtime(changed_at):%d.%m.%Y um %H:%M} Uhr" if changed_at else ""
            )
            message = (
                f"Die {verbose_name} wurde inzwischen{who}{when} geändert. Ihre Änderungen "
                "wurden nicht gespeichert, nichts wurde überschrieben."
            )
            if self.changes:
                details = "; ".join(
                    f"{c.label}: Ihre Eingabe „{c.yours}“, gespeichert ist „{c.saved}“"
                    for c in self.changes
                )
                message += f" Geändert seit dem Öffnen: {details}."
            else:
                message += " Die gespeicherten Werte entsprechen Ihren Eingaben."
        super().__init__(message)


def _last_change(instance: models.Model) -> tuple[str | None, datetime.datetime | None]:
    history = getattr(instance, "history", None)
    if history is None:
        return None, None
    record = history.select_related("history_user").order_by("-history_date", "-history_id").first()
    if record is None:
        return None, None
    user = record.history_user
    return (user_label(user) if user else None), record.history_date


def user_label(user) -> str:
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return f"{full} ({user.get_username()})" if full else user.get_username()


def _conflict(
    model: type[models.Model],
    pk: Any,
    *,
    yours: Mapping[str, Any],
    opened: Mapping[str, str] | None,
) -> ConcurrentEditError:
    opts = model._meta
    current = model._default_manager.filter(pk=pk).first()
    if current is None:
        return ConcurrentEditError(
            verbose_name=str(opts.verbose_name),
            changes=[],
            changed_by=None,
            changed_at=None,
            current=None,
        )
    changes: list[FieldChange] = []
    for name, value in yours.items():
        model_field = opts.get_field(name)
        saved_value = getattr(current, model_field.name)
        saved_raw = raw_value(model_field, saved_value)
        if opened is not None and name in opened:
            differs = opened[name] != saved_raw  # someone else changed this field
        else:
            differs = raw_value(model_field, value) != saved_raw
        if differs:
            changes.append(
                FieldChange(
                    label=str(model_field.verbose_name),
                    yours=display_value(model_field, value),
                    saved=display_value(model_field, saved_value),
                )
            )
    changed_by, changed_at = _last_change(current)
    return ConcurrentEditError(
        verbose_name=str(opts.verbose_name),
        changes=changes,
        changed_by=changed_by,
        changed_at=changed_at,
        current=current,
    )


def _claim_version(model: type[models.Model], pk: Any, expected_version: int) -> bool:
    """Bump the version if it is still `expected_version`; the row stays locked until commit."""
    return bool(
        model._default_manager.filter(pk=pk, version=expected_version).update(
            version=F("version") + 1
        )
    )


BASELINE_REASON = "Stand vor der ersten Änderung im Programm (aus Import oder Stammdaten)"


def ensure_history_baseline(instance: models.Model) -> None:
    """Record the saved state as a first history entry when an object has none yet.

    Reference data and imports are loaded without history; the first change in the app
    would otherwise show no old values.
    """
    manager = getattr(type(instance), "history", None)
    if manager is None or manager.filter(**{instance._meta.pk.attname: instance.pk}).exists():
        return
    saved = type(instance)._default_manager.filter(pk=instance.pk).first()
    if saved is None:
        return
    saved._history_user = None  # nobody in the app made this state
    manager.bulk_history_create([saved], default_change_reason=BASELINE_REASON)


@transaction.atomic
def versioned_update(
    instance: models.Model,
    *,
    acting_user,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> models.Model:
    """Save `data` onto `instance` unless it was saved by someone else since `expected_version`.

    `opened` is what the form showed (``raw_values``), so the refusal can name exactly the
    fields changed by the other person; without it every field that differs is named.
    """
    model = type(instance)
    for name, value in data.items():
        setattr(instance, name, value)
    instance.full_clean(exclude=["version"])
    if not _claim_version(model, instance.pk, expected_version):
        raise _conflict(model, instance.pk, yours=data, opened=opened)
    ensure_history_baseline(instance)
    instance.version = expected_version + 1
    instance._history_user = acting_user
    instance.save()
    return instance


class DeleteRefusedError(Exception):
    """Deleting would remove or orphan other data; the message says what is in the way."""


def describe_objects(counts: Mapping[type[models.Model], int]) -> str:
    parts = []
    for model, count in counts.items():
        opts = model._meta
        name = opts.verbose_name if count == 1 else opts.verbose_name_plural
        parts.append(f"{count} {name}")
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " und " + parts[-1]
    return parts[0] if parts else ""


def describe_usage(instance: models.Model, *, own_kind: str = "", own_kind_plural: str = "") -> str:
    """What refers to `instance` (protected foreign keys and many-to-many links), e.g.
    "3 Stellen und 1 Kostensatz"; empty if nothing does. One count query per relation."""
    parts: list[str] = []
    for relation in instance._meta.related_objects:
        if relation.one_to_one or relation.related_model.__name__.startswith("Historical"):
            continue
        count = getattr(instance, relation.get_accessor_name()).count()
        if not count:
            continue
        if relation.related_model is type(instance) and own_kind:
            parts.append(f"{count} {own_kind if count == 1 else own_kind_plural}")
        else:
            parts.append(describe_objects({relation.related_model: count}))
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " und " + parts[-1]
    return parts[0] if parts else ""


def _count_by_model(objects: Iterable[models.Model]) -> dict[type[models.Model], int]:
    counts: dict[type[models.Model], int] = {}
    for obj in objects:
        counts[type(obj)] = counts.get(type(obj), 0) + 1
    return counts


@transaction.atomic
def versioned_delete(
    instance: models.Model, *, acting_user, expected_version: int, label: str
) -> None:
    """Delete unless changed since `expected_version`; never cascade over protected data."""
    model = type(instance)
    if not _claim_version(model, instance.pk, expected_version):
        raise _conflict(model, instance.pk, yours={}, opened=None)
    ensure_history_baseline(instance)
    instance._history_user = acting_user
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError) as error:
        objects = (
            error.protected_objects
            if isinstance(error, ProtectedError)
            else error.restricted_objects
        )
        raise DeleteRefusedError(
            f"{label} kann nicht gelöscht werden: es hängen noch "
            f"{describe_objects(_count_by_model(objects))} daran."
        ) from error


# --- history --------------------------------------------------------------------------------

HISTORY_KINDS = {"+": "angelegt", "~": "geändert", "-": "gelöscht"}


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: str
    kind: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    reason: str = ""


def history_entries(
    records: Iterable[Any], model: type[models.Model], newest_first: bool = True
) -> list[HistoryEntry]:
    """Who changed what when, field by field (old → new), from simple-history records.

    `records` are the historical rows of one object (any order). Related objects are labelled
    with one query per relation field, whatever the number of records.
    """
    records = sorted(records, key=lambda r: (r.history_date, r.history_id))
    tracked = [
        f for f in model._meta.concrete_fields if f.name not in {"id", "version"} and f.editable
    ]
    rows = [{f.attname: getattr(r, f.attname) for f in tracked} for r in records]
    labels = relation_labels(model, [f.name for f in tracked], rows)
    entries: list[HistoryEntry] = []
    previous: dict[str, Any] | None = None
    for record, row in zip(records, rows, strict=True):
        kind = record.history_type
        changes: list[tuple[str, str, str]] = []
        for f in tracked:
            new = row[f.attname]
            old = previous.get(f.attname) if previous is not None else None
            if kind == "+" or previous is None:
                if new not in (None, "") and kind != "-":
                    before = "—" if kind == "+" else "(nicht erfasst)"
                    changes.append(
                        (str(f.verbose_name), before, display_value(f, new, labels.get(f.name)))
                    )
            elif kind == "~" and old != new:
                changes.append(
                    (
                        str(f.verbose_name),
                        display_value(f, old, labels.get(f.name)),
                        display_value(f, new, labels.get(f.name)),
                    )
                )
        user = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=user_label(user) if user else "System (Import/Verwaltung)",
                kind=HISTORY_KINDS.get(kind, kind),
                changes=changes,
                reason=record.history_change_reason or "",
            )
        )
        previous = row
    if newest_first:
        entries.reverse()
    return entries


# --- org units ------------------------------------------------------------------------------

ORGUNIT_FIELDS = ["kind", "code", "name", "parent", "budget_section"]


def _check_parent(unit: OrgUnit, parent: OrgUnit | None) -> None:
    if parent is None or unit.pk is None:
        return
    if parent.pk in org_tree().descendants_or_self([unit.pk]):
        raise ValidationError(
            {
                "parent": (
                    f"„{parent}“ liegt unterhalb von „{unit.code}“ und kann ihr daher nicht "
                    "übergeordnet werden (der Baum darf keinen Kreis bilden)."
                )
            }
        )


@transaction.atomic
def orgunit_create(
    *,
    acting_user,
    kind: str,
    code: str,
    name: str,
    parent: OrgUnit | None = None,
    budget_section: BudgetSection | None = None,
) -> OrgUnit:
    unit = OrgUnit(kind=kind, code=code, name=name, parent=parent, budget_section=budget_section)
    unit.full_clean()
    unit._history_user = acting_user
    unit.save()
    return unit


@transaction.atomic
def orgunit_update(
    *,
    acting_user,
    unit: OrgUnit,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> OrgUnit:
    unknown = set(data) - set(ORGUNIT_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "parent" in data:
        _check_parent(unit, data["parent"])
    return versioned_update(
        unit, acting_user=acting_user, expected_version=expected_version, data=data, opened=opened
    )


@transaction.atomic
def orgunit_delete(*, acting_user, unit: OrgUnit, expected_version: int) -> None:
    """Delete an org unit that nothing depends on; otherwise say what is in the way."""
    label = f"Die Organisationseinheit „{unit.code} {unit.name}“"
    named = describe_usage(unit, own_kind="Untereinheit", own_kind_plural="Untereinheiten")
    if named:
        raise DeleteRefusedError(
            f"{label} kann nicht gelöscht werden: ihr sind noch {named} zugeordnet. "
            "Ordnen Sie diese zuerst einer anderen Einheit zu."
        )
    versioned_delete(unit, acting_user=acting_user, expected_version=expected_version, label=label)
