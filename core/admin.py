"""The admin for versioned models: edits there are optimistic-locked and attributed too.

``VersionedAdminMixin`` (for a ``ModelAdmin``) and ``VersionedInlineMixin`` (for an inline)
give the change form the object's ``version`` as a hidden field. Saving checks it with the row
locked until the end of the admin's transaction: a stale save is refused with the German message
naming who changed which field since; a fresh one bumps the version (so a person with the same
object open in the app gets a conflict) and is recorded in the history under the admin user.
Only public ``ModelAdmin`` hooks are used: ``form``, ``save_model``, ``save_related``,
``delete_model``, ``delete_queryset``, ``save_formset``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from core.concurrency import VERSION_FIELD, stale_edit_error
from core.forms import CleanInputMixin
from core.history import acting_as, ensure_history_baseline

OPENED_VERSION = "opened_version"


def is_versioned(model: type[models.Model]) -> bool:
    return any(field.name == VERSION_FIELD for field in model._meta.concrete_fields)


class VersionedAdminForm(CleanInputMixin, forms.ModelForm):
    """A model form of the admin with the version the object was opened with."""

    # not named "version": the admin would look for an editable model field of that name
    opened_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (kept, empty and unused, on add forms: the admin's fieldsets list it)
        if is_versioned(self._meta.model) and self.instance.pk is not None:
            self.fields[OPENED_VERSION].required = True
            self.fields[OPENED_VERSION].initial = getattr(self.instance, VERSION_FIELD)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        expected = cleaned.get(OPENED_VERSION)
        if expected is None or self.instance.pk is None or not self.has_changed_for_version():
            return cleaned
        model = type(self.instance)
        # locked until the admin's transaction ends: no other save between check and save
        saved = (
            model._default_manager.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list(VERSION_FIELD, flat=True)
            .first()
        )
        if saved != expected:
            yours = {name: cleaned[name] for name in _model_field_names(self) if name in cleaned}
            raise ValidationError(
                str(stale_edit_error(model, self.instance.pk, yours=yours)), code="stale"
            )
        return cleaned

    def has_changed_for_version(self) -> bool:
        """Inline rows nobody touched are not checked (nor bumped); the main form always is."""
        return True


def _model_field_names(form: forms.ModelForm) -> list[str]:
    concrete = {field.name for field in form._meta.model._meta.concrete_fields}
    many = {field.name for field in form._meta.model._meta.many_to_many}
    return [name for name in form.fields if name in concrete | many and name != OPENED_VERSION]


def _bump(obj: models.Model, form: forms.ModelForm) -> None:
    expected = form.cleaned_data.get(OPENED_VERSION) if hasattr(form, "cleaned_data") else None
    if obj.pk is None or expected is None or not is_versioned(type(obj)):
        return
    ensure_history_baseline(obj)
    setattr(obj, VERSION_FIELD, expected + 1)


class VersionedAdminMixin:
    """For the ModelAdmin of a model with a ``version`` field (and any other: then only the
    attribution of the history to the admin user)."""

    form: Any = VersionedAdminForm

    def save_model(self, request, obj, form, change) -> None:
        if change:
            _bump(obj, form)
        with acting_as(request.user):
            super().save_model(request, obj, form, change)  # type: ignore[misc]

    def save_related(self, request, form, formsets, change) -> None:
        with acting_as(request.user):
            super().save_related(request, form, formsets, change)  # type: ignore[misc]

    def save_formset(self, request, form, formset, change) -> None:
        for inline_form in formset.forms:
            if inline_form.instance.pk is not None and inline_form.has_changed():
                _bump(inline_form.instance, inline_form)
        with acting_as(request.user):
            super().save_formset(request, form, formset, change)  # type: ignore[misc]

    def delete_model(self, request, obj) -> None:
        with acting_as(request.user):
            ensure_history_baseline(obj)
            super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request, queryset) -> None:
        with acting_as(request.user):
            super().delete_queryset(request, queryset)  # type: ignore[misc]


class VersionedInlineForm(VersionedAdminForm):
    def has_changed_for_version(self) -> bool:
        return self.has_changed()


class VersionedInlineMixin:
    """For an inline of a versioned model: its rows carry their versions too."""

    form: Any = VersionedInlineForm
