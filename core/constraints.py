"""A check constraint that belongs to one field, with a German message naming the values.

Django reports a violated ``CheckConstraint`` as an error of the whole object. The rules of
this project are about one field each ("Das Ende darf nicht vor dem Beginn liegen" belongs to
*Ende*), so that forms show the message next to that field and the Excel importers name its
column. ``FieldCheckConstraint`` is a ``CheckConstraint`` (the same check in the database and in
``full_clean()``) that raises its violation as ``{field: message}``. The message may name the
values of the fields the condition refers to as ``%(<field name>)s``, formatted the German
way (dates TT.MM.JJJJ, decimals with a comma):

    FieldCheckConstraint(
        condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
        name="position_start_before_end",
        field="end_date",
        violation_error_code="end_before_start",
        violation_error_message="Das Ende (%(end_date)s) darf nicht vor dem Beginn "
        "(%(start_date)s) liegen.",
    )
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models

from core.fields import concrete_field
from core.formatting import display_value


def _message_for(template: Any, name: str, instance: models.Model) -> str:
    """`template` with the German display of `instance`'s own (non-relation) field values."""
    values = {
        field.name: display_value(field, getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
        if not field.is_relation
    }
    return str(template) % {"name": name, **values}


class FieldCheckConstraint(models.CheckConstraint):
    """A ``CheckConstraint`` whose violation ``full_clean()`` reports at ``field``."""

    def __init__(self, *, field: str, **kwargs: Any) -> None:
        self.field = field
        super().__init__(**kwargs)
        #: The names of the fields the condition refers to ("pk" for the primary key).
        self.fields = frozenset(_referenced_fields(self.condition))

    def get_violation_error_message(self) -> str:
        # The template: validate() fills in the values of the object that violates it.
        return str(self.violation_error_message)

    def message_for(self, instance: models.Model) -> str:
        """The German message for `instance`, its field values filled in."""
        return _message_for(self.violation_error_message, self.name, instance)

    def validate(
        self,
        model: type[models.Model],
        instance: models.Model,
        exclude: Any = None,
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        try:
            # django-stubs lacks the documented BaseConstraint.validate().
            super().validate(model, instance, exclude=exclude, using=using)  # type: ignore[misc]
        except ValidationError:
            raise ValidationError(
                {
                    self.field: ValidationError(
                        self.message_for(instance), code=self.violation_error_code
                    )
                }
            ) from None

    def deconstruct(self) -> tuple[str, Sequence[Any], dict[str, Any]]:
        path, args, kwargs = super().deconstruct()
        kwargs["field"] = self.field
        return path, args, kwargs

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FieldCheckConstraint):
            return self.field == other.field and super().__eq__(other)
        return NotImplemented


class FieldUniqueConstraint(models.UniqueConstraint):
    """A ``UniqueConstraint`` whose violation ``full_clean()`` reports at ``field``.

    Made for unique expressions such as ``Lower("code")`` (case-insensitive codes), which
    Django reports as an error of the whole object. The message may name the values of the
    object's fields as ``%(<field name>)s``, like ``FieldCheckConstraint``::

        FieldUniqueConstraint(
            Lower("code"),
            name="orgunit_code_unique_ignoring_case",
            field="code",
            violation_error_code="code_taken",
            violation_error_message="Das Kürzel „%(code)s“ ist schon vergeben.",
        )
    """

    def __init__(self, *expressions: Any, field: str, **kwargs: Any) -> None:
        self.field = field
        super().__init__(*expressions, **kwargs)

    def get_violation_error_message(self) -> str:
        return str(self.violation_error_message)

    def validate(
        self,
        model: type[models.Model],
        instance: models.Model,
        exclude: Any = None,
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        try:
            # django-stubs lacks the documented BaseConstraint.validate().
            super().validate(model, instance, exclude=exclude, using=using)  # type: ignore[misc]
        except ValidationError:
            message = _message_for(self.violation_error_message, self.name, instance)
            raise ValidationError(
                {self.field: ValidationError(message, code=self.violation_error_code)}
            ) from None

    def deconstruct(self) -> tuple[str, Sequence[Any], dict[str, Any]]:
        path, args, kwargs = super().deconstruct()
        kwargs["field"] = self.field
        return path, args, kwargs

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FieldUniqueConstraint):
            return self.field == other.field and super().__eq__(other)
        return NotImplemented


def _referenced_fields(condition: Any) -> Iterable[str]:
    """The field names a Q condition compares (lookups on the left, F() on the right)."""
    if isinstance(condition, models.Q):
        for child in condition.children:
            yield from _referenced_fields(child)
    elif isinstance(condition, tuple):
        lookup, value = condition
        yield lookup.split("__")[0]
        yield from _referenced_fields(value)
    elif isinstance(condition, models.F):
        yield condition.name.split("__")[0]


def _key_value(instance: models.Model, name: str) -> Any:
    if name == "pk":
        return instance.pk
    return getattr(instance, concrete_field(instance, name).attname)


def check_constraints_of_many(
    instances: Sequence[models.Model], excluded: Sequence[Collection[str]] | None = None
) -> dict[int, ValidationError]:
    """``validate_constraints()`` of many objects of one model; the errors by index.

    A ``FieldCheckConstraint`` depends only on the fields its condition refers to (and its
    message names only those), so objects with the same values there are checked once: an
    import of thousands of rows asks the database a handful of times instead of once per row
    and constraint. Other constraints are checked per object. `excluded` gives, per object, the
    fields that already failed (their constraints are skipped, as in ``full_clean()``).
    """
    results: dict[tuple[str, tuple[Any, ...]], ValidationError | None] = {}
    errors: dict[int, ValidationError] = {}
    for index, instance in enumerate(instances):
        model = type(instance)
        skip = set(excluded[index]) if excluded else set()
        found: dict[str, list[ValidationError]] = {}
        for constraint in model._meta.constraints:
            if isinstance(constraint, FieldCheckConstraint):
                if constraint.fields & skip:
                    continue
                names = sorted(constraint.fields)
                key = (constraint.name, tuple(_key_value(instance, n) for n in names))
                if key not in results:
                    try:
                        constraint.validate(model, instance, exclude=skip)
                        results[key] = None
                    except ValidationError as failed:
                        results[key] = failed
                error = results[key]
            else:
                try:
                    # django-stubs lacks the documented BaseConstraint.validate().
                    constraint.validate(model, instance, exclude=skip)  # type: ignore[attr-defined]
                    error = None
                except ValidationError as failed:
                    error = failed
            if error is not None:
                found = error.update_error_dict(found)
        if found:
            errors[index] = ValidationError(found)
    return errors
