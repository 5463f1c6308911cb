"""Optimistic concurrency that explains itself, and deletes that never cascade.

``versioned_update`` / ``versioned_delete`` refuse a save when the object's ``version`` changed
since the form was opened (one ``UPDATE … WHERE id = ? AND version = ?`` that touches no row) and
raise ``ConcurrentEditError`` naming who changed which field; ``raw_values`` is the snapshot of
what a form showed. ``DeleteRefusedError`` carries a German message instead of a cascade.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.db.models import F, ProtectedError, RestrictedError
from django.utils import timezone

from core.fields import concrete_field, related_model
from core.formatting import display_value
from core.history import acting_as, ensure_history_baseline, last_change
from core.users import User

#: The field every versioned model has (``Model`` itself does not declare it).
VERSION_FIELD = "version"


def _related_ids(values: Iterable[Any]) -> list[Any]:
    return sorted(value.pk if isinstance(value, models.Model) else value for value in values)


def raw_value(model_field: models.Field, value: Any) -> str:
    """A comparable string form of a field value (ids for relations, ISO dates; the sorted
    ids of a many-to-many field, e.g. "3,17")."""
    if model_field.many_to_many:
        return ",".join(str(pk) for pk in _related_ids(value or []))
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


def field_value(instance: models.Model, model_field: models.Field) -> Any:
    """The value of a field of a saved object (the related objects of a many-to-many field)."""
    if model_field.many_to_many:
        return list(getattr(instance, model_field.name).all()) if instance.pk else []
    return getattr(instance, model_field.attname)


def raw_values(instance: models.Model, field_names: Iterable[str]) -> dict[str, str]:
    """What a form shows of `instance`, to compare later with what is saved then."""
    return {
        name: raw_value(field, field_value(instance, field))
        for name in field_names
        for field in [concrete_field(instance, name)]
    }


def _display(model_field: models.Field, value: Any) -> str:
    if model_field.many_to_many:
        labels = sorted(str(obj) for obj in value or [])
        return ", ".join(labels) if labels else "—"
    return display_value(model_field, value)


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its label, the value the user entered, the value saved now
    (`name`: the field's name, to mark it in the form)."""

    label: str
    yours: str
    saved: str
    name: str = ""


ModelT = TypeVar("ModelT", bound=models.Model)


class ConcurrentEditError(Exception, Generic[ModelT]):
    """Someone saved (or deleted) the object after the user opened the form.

    Generic in the model, so ``error.current`` has the model's type where that is known.
    """

    def __init__(
        self,
        *,
        verbose_name: str,
        changes: Sequence[FieldChange],
        changed_by: str | None,
        changed_at: datetime.datetime | None,
        current: ModelT | None,
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
        model_field = concrete_field(model, name)
        saved_value = (
            field_value(current, model_field)
            if model_field.many_to_many
            else getattr(current, model_field.name)
        )
        saved_raw = raw_value(model_field, saved_value)
        if opened is not None and name in opened:
            differs = opened[name] != saved_raw  # someone else changed this field
        else:
            differs = raw_value(model_field, value) != saved_raw
        if differs:
            changes.append(
                FieldChange(
                    label=str(model_field.verbose_name),
                    yours=_display(model_field, value),
                    saved=_display(model_field, saved_value),
                    name=name,
                )
            )
    changed_by, changed_at = last_change(current)
    return ConcurrentEditError(
        verbose_name=str(opts.verbose_name),
        changes=changes,
        changed_by=changed_by,
        changed_at=changed_at,
        current=current,
    )


def stale_edit_error(
    model: type[models.Model],
    pk: Any,
    *,
    yours: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> ConcurrentEditError:
    """The refusal of a stale save of `model` `pk` (who changed which field since), for
    callers that check the version themselves (the admin's forms)."""
    return _conflict(model, pk, yours=yours, opened=opened)


def editable_only(data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Refuse `data` naming a field outside `allowed`, the fields a service edits (a
    programming error, never user input: forms send only their own fields)."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")


def _claim_version(model: type[models.Model], pk: Any, expected_version: int) -> bool:
    """Bump the version if it is still `expected_version`; the row stays locked until commit."""
    return bool(
        model._default_manager.filter(pk=pk, version=expected_version).update(
            version=F("version") + 1
        )
    )


@transaction.atomic
def versioned_update(
    instance: ModelT,
    *,
    acting_user: User | None,
    expected_version: int,
    data: Mapping[str, Any],
    opened: Mapping[str, str] | None = None,
) -> ModelT:
    """Save `data` onto `instance` unless it was saved by someone else since `expected_version`.

    `opened` is what the form showed (``raw_values``), so the refusal can name exactly the
    fields changed by the other person; without it every field that differs is named.
    Many-to-many fields in `data` (lists of objects) are set too; the one history record of
    the save holds them (django-simple-history's ``m2m_fields``).
    """
    model = type(instance)
    related = {
        name: list(value)
        for name, value in data.items()
        if concrete_field(model, name).many_to_many
    }
    for name, value in data.items():
        if name not in related:
            setattr(instance, name, value)
    instance.full_clean(exclude=["version"])
    if not _claim_version(model, instance.pk, expected_version):
        raise _conflict(model, instance.pk, yours=data, opened=opened)
    ensure_history_baseline(instance)
    setattr(instance, VERSION_FIELD, expected_version + 1)
    with acting_as(acting_user):
        if related:
            # simple-history's documented switch: no extra record per m2m signal; the save
            # below records the object together with its new links
            instance.skip_history_when_saving = True  # type: ignore[attr-defined]
            try:
                for name, value in related.items():
                    getattr(instance, name).set(value)
            finally:
                del instance.skip_history_when_saving  # type: ignore[attr-defined]
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


def describe_usage(
    instance: models.Model,
    *,
    own_kind: str = "",
    own_kind_plural: str = "",
    ignore: Iterable[str] = (),
) -> str:
    """What refers to `instance` (protected foreign keys and many-to-many links), e.g.
    "3 Stellen und 1 Kostensatz"; empty if nothing does. One count query per relation.
    `ignore` names relations (accessor names) that do not stand in the way."""
    ignored = set(ignore)
    parts: list[str] = []
    for relation in instance._meta.related_objects:
        other = related_model(relation)
        if relation.one_to_one or other.__name__.startswith("Historical"):
            continue
        accessor = relation.get_accessor_name()
        if accessor is None or accessor in ignored:  # hidden (related_name="+") or ignored
            continue
        count = getattr(instance, accessor).count()
        if not count:
            continue
        if other is type(instance) and own_kind:
            parts.append(f"{count} {own_kind if count == 1 else own_kind_plural}")
        else:
            parts.append(describe_objects({other: count}))
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
    instance: models.Model, *, acting_user: User | None, expected_version: int, label: str
) -> None:
    """Delete unless changed since `expected_version`; never cascade over protected data."""
    model = type(instance)
    if not _claim_version(model, instance.pk, expected_version):
        raise _conflict(model, instance.pk, yours={}, opened=None)
    ensure_history_baseline(instance)
    try:
        with transaction.atomic(), acting_as(acting_user):
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
