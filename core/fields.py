"""Typed access to model fields by name.

``Options.get_field()`` may return a reverse relation or a generic foreign key, which have no
column (no ``attname``, no ``verbose_name``); the code that reads values by field name needs a
concrete field, and these helpers say so in their types.
"""

from django.db import models
from django.db.models import ForeignObjectRel


def concrete_field(model: type[models.Model] | models.Model, name: str) -> models.Field:
    """The forward field `name` of `model` (a column or a forward relation)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model._meta.label}.{name} is not a forward field")
    return field


def related_model(field: models.Field | ForeignObjectRel) -> type[models.Model]:
    """The model a relation points to (resolved once the apps are loaded)."""
    target = field.related_model
    if not isinstance(target, type):
        raise TypeError(f"{field} has no resolved related model")
    return target
