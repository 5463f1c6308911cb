"""German form fields and the versioned model form every page's forms build on.

Fields only parse and say in German what they understood; the rules themselves live in the
models (constraints) and are checked by the services with ``full_clean()``.

- ``german_decimal``: "0,5", "0.5", "63.000", "63.000,50" (``core.parsing``), a message naming
  the input otherwise;
- ``GermanDecimalField``, the one number field of every form, and its kinds ``MoneyField``
  (euros) and ``ShareField`` ("0,848" or "84,8 %");
  ``GermanDateField`` ("01.10.2011", years ``core.parsing.YEAR_MIN`` … ``YEAR_MAX``);
- ``ReadBackMixin``: a model error on a field that only reads starts with how it read the input;
- ``FastSelect``: a select rendered without a template per option (~700 org units);
- ``CleanInputMixin`` (and the bases ``Form``, ``ModelForm`` every form of the project builds
  on): refuses invisible control characters in any input and ids no database key holds,
  before a field reads them; labels without a trailing colon, a German empty choice
  (``EMPTY_REQUIRED``, ``EMPTY_OPTIONAL``) instead of Django's "---------", and errors that a
  re-shown form may keep to itself (``hide_errors``);
- ``VersionedModelForm``: carries the object's ``version`` and a signed snapshot of what the
  form showed, so a refused save can name what someone else changed.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable, Collection, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self

from django import forms
from django.core import signing
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.forms.boundfield import BoundField
from django.forms.utils import ErrorList, flatatt
from django.utils.choices import BlankChoiceIterator
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from core import formatting
from core.concurrency import VERSION_FIELD, ConcurrentEditError, raw_values
from core.parsing import (
    GERMAN_THOUSANDS,
    MAX_DIGITS,
    YEAR_MAX,
    YEAR_MIN,
    TooManyDigits,
    invisible_characters_message,
    parse_decimal,
    parse_id,
    shown_visibly,
)

SNAPSHOT_SALT = "stellenplan.form-snapshot"
#: How much of a long input a message repeats.
SHOWN_INPUT = 40


def shorten(entered: str) -> str:
    """The input as a message repeats it: at most ``SHOWN_INPUT`` characters."""
    return entered if len(entered) <= SHOWN_INPUT else entered[: SHOWN_INPUT - 1] + "…"


def german_decimal(
    text: str, entered: str | None = None, example: str = "0,5 oder 63.000"
) -> Decimal:
    """``core.parsing.parse_decimal`` with a German form error naming the input."""
    entered = text if entered is None else entered
    try:
        return parse_decimal(text)
    except TooManyDigits:
        raise forms.ValidationError(
            "„%(value)s“ hat zu viele Ziffern (höchstens %(max)s). Bitte z. B. %(example)s "
            "eingeben.",
            code="max_digits",
            params={"value": shorten(entered), "max": MAX_DIGITS, "example": example},
        ) from None
    except ValueError:
        raise forms.ValidationError(
            "„%(value)s“ ist keine Zahl. Bitte z. B. %(example)s eingeben.",
            code="invalid",
            params={"value": entered, "example": example},
        ) from None


class GermanDecimalField(forms.Field):
    """The one German number field: "0,5", "0.5", "63.000", "63.000,50" (``core.parsing``).

    Only reads: ranges and places are the model's rules. A message names the field (its
    label) and the input, with an example. What differs between kinds of number is set per
    field (keyword arguments) or per kind (class attributes, e.g. ``MoneyField``):

    - ``example``: what the message suggests ("63.000 oder 63.000,50");
    - ``percent``: the input may end with "%" ("5,5 %"; "€", "+" and spaces are read
      anyway); with ``percent_share`` a "%" makes a share ("50 %" is 0.5);
    - ``show``: how a saved value is shown: ``"trimmed"`` ("63.000", "0,5"), ``"decimal"``
      (at least one decimal: "1,0") or ``"percent"`` (a share as "84,8 %");
    - ``limits``: (lowest, highest) checked here, for a value no model holds (the increase
      of a copied cost table); the message says how the input was read;
    - ``read_back``: a model error on the field starts with how the input was read
      (``reading``, for ``ReadBackMixin``); ``thousands_hint_above``: above this a German
      thousands separator ("0.500" is 500) is pointed out there.
    """

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 10})
    example = "0,5 oder 63.000"
    percent = False
    percent_share = False
    show = "trimmed"
    limits: tuple[Decimal, Decimal] | None = None
    read_back = False
    thousands_hint_above: Decimal | None = None
    size = 10

    def __init__(
        self,
        *args: Any,
        example: str | None = None,
        percent: bool | None = None,
        show: str | None = None,
        limits: tuple[Decimal, Decimal] | None = None,
        size: int | None = None,
        **kwargs: Any,
    ) -> None:
        for name, value in [
            ("example", example),
            ("percent", percent),
            ("show", show),
            ("limits", limits),
            ("size", size),
        ]:
            if value is not None:
                setattr(self, name, value)
        # what a model's DecimalField passes: its places are the model's rule, not the field's
        kwargs.pop("max_digits", None)
        kwargs.pop("decimal_places", None)
        super().__init__(*args, **kwargs)
        self.widget.attrs["size"] = self.size

    def prepare_value(self, value: Any) -> Any:
        if not isinstance(value, Decimal):
            return value
        if self.show == "percent":
            return f"{formatting.format_decimal(value * 100).removesuffix(',0')} %"
        text = formatting.format_decimal(value)
        if self.show == "trimmed" and value == value.to_integral_value():
            return text.removesuffix(",0")
        return text

    def _read(self, entered: str) -> Decimal:
        text = entered.replace("\u00a0", "").replace(" ", "")
        marked = self.percent and text.endswith("%")
        value = german_decimal(text.removesuffix("%") if marked else text, entered, self.example)
        return value / 100 if marked and self.percent_share else value

    @classmethod
    def read(cls, entered: str) -> Decimal:
        """The number `entered` stands for, as a field of this kind reads it."""
        return cls()._read(entered)

    def reading(self, entered: Any) -> str:
        """How `entered` was read, for a message about it: "„848“ wurde als 84.800 % gelesen",
        "„0.500“ wurde als 500 gelesen (der Punkt gilt …)"; "" if it is no number or the
        field does not read back."""
        entered = str(entered or "").strip()
        try:
            value = self._read(entered)
        except forms.ValidationError:
            return ""
        if not self.read_back:
            return ""
        hint = ""
        above = self.thousands_hint_above
        if above is not None and GERMAN_THOUSANDS.match(entered.replace(" ", "")) and value > above:
            hint = " (der Punkt gilt im Deutschen als Tausendertrennzeichen)"
        return f"„{entered}“ wurde als {self._shown(value)} gelesen{hint}"

    def _shown(self, value: Decimal) -> str:
        """`value` as the user wrote it: a share shown as percent "84,8 %", a number of
        percent "3,5 %", anything else plain "500"."""
        if self.show == "percent":
            value *= 100
        in_percent = self.show == "percent" or (self.percent and not self.percent_share)
        return formatting.format_decimal(value).removesuffix(",0") + (" %" if in_percent else "")

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        entered = str(value).strip()
        try:
            result = self._read(entered)
            if self.limits is not None and not self.limits[0] <= result <= self.limits[1]:
                raise forms.ValidationError(
                    "„%(value)s“ wurde als %(read)s gelesen: erlaubt sind %(min)s bis %(max)s.",
                    code="range",
                    params={
                        "value": entered,
                        "read": self._shown(result),
                        "min": self.limits[0],
                        "max": self._shown(self.limits[1]),
                    },
                )
        except forms.ValidationError as error:
            if not self.label:
                raise
            raise forms.ValidationError(
                f"{self.label}: {error.messages[0]}", code=error.code
            ) from None
        return result


class MoneyField(GermanDecimalField):
    """An amount in euros: "63.000", "63000", "63.000,50", "63.000 €"."""

    example = "63.000 oder 63.000,50"
    size = 12


class ShareField(GermanDecimalField):
    """A rate: "0,848", "0.848" or "84,8 %" (the range 0 … 1 is the model's rule)."""

    example = "84,8 % oder 0,848"
    percent = True
    percent_share = True
    show = "percent"
    read_back = True
    size = 8


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The form's field `name`, which is a (multiple) model choice field."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is not a model choice field")
    return field


class ReadBackMixin:
    """For a (model) form whose fields only read: an error of the model's rules on a field
    that can say how it read the input (a ``reading(entered)`` method) starts with that
    ("„0.500“ wurde als 500 gelesen …. Die Anzahl der Stellen darf höchstens 1,0 sein …"),
    whether it comes from the form's model validation or from a service."""

    def add_error(self, field: str | None, error: Any) -> None:
        if not isinstance(error, ValidationError):
            error = ValidationError(error)
        if hasattr(error, "error_dict"):
            for name in error.error_dict:
                error.error_dict[name] = self._read_back(name, error.error_dict[name])
        elif field is not None:
            error = ValidationError(self._read_back(field, error.error_list))
        super().add_error(field, error)  # type: ignore[misc]

    def _read_back(self, name: str, errors: list[ValidationError]) -> list[ValidationError]:
        field = self.fields.get(name)  # type: ignore[attr-defined]
        reading = getattr(field, "reading", None)
        if reading is None:
            return errors
        text = reading(self.data.get(self.add_prefix(name)))  # type: ignore[attr-defined]
        if not text:
            return errors
        read: dict[str, ValidationError] = {}
        for error in errors:
            if error.code == "conflict":  # about the saved value, not about the input
                read.setdefault(error.messages[0], error)
                continue
            for message in error.messages:
                read.setdefault(message, ValidationError(f"{text}. {message}", code=error.code))
        return list(read.values())


class FastSelect(forms.Select):
    """A select rendered in Python instead of one template per option.

    The same HTML as Django's Select for flat choices; with ~700 org units Django's template
    per option costs tens of milliseconds on every page with the filter or the form.
    `choices_source`: a function that returns the choices when the select is rendered, used
    instead of the field's (e.g. a list cached by the data version instead of a query and a
    model object per option on every page); the field still validates against its own.
    """

    def __init__(
        self,
        attrs: dict | None = None,
        choices=(),
        *,
        choices_source: Callable[[], Iterable[tuple[Any, Any]]] | None = None,
    ) -> None:
        super().__init__(attrs, choices)
        self.choices_source = choices_source

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        selected = {str(v) for v in (value if isinstance(value, list | tuple) else [value])}
        selected.discard("None")
        # conditional_escape and a plain join: the same HTML as format_html per option at a
        # fraction of its cost (700 options on every page with the org unit filter)
        options = "\n".join(
            f'<option value="{conditional_escape(key)}"'
            f"{' selected' if key in selected else ''}>{conditional_escape(label)}</option>"
            for key, label in self._flat_choices()
        )
        return format_html(
            "<select{}>\n{}\n</select>",
            flatatt(final_attrs),
            mark_safe(options),  # noqa: S308 - every key and label escaped above
        )

    def _flat_choices(self):
        choices = self.choices if self.choices_source is None else self.choices_source()
        for key, label in choices:
            if isinstance(label, list | tuple):  # an optgroup: flatten
                yield from label
            else:
                yield ("" if key is None else str(key)), label


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    allow_multiple_selected = True


class GermanDateInput(forms.DateInput):
    def __init__(self, attrs: dict | None = None) -> None:
        # data-date-picker: static/js/date-picker.js adds a calendar (the text stays German)
        base = {
            "placeholder": "TT.MM.JJJJ",
            "autocomplete": "off",
            "size": 10,
            "data-date-picker": "",
        }
        super().__init__(attrs={**base, **(attrs or {})}, format="%d.%m.%Y")


class GermanDateField(forms.DateField):
    """A date as TT.MM.JJJJ (also TT.MM.JJ and JJJJ-MM-TT); the message names the input."""

    widget = GermanDateInput

    def to_python(self, value: Any) -> datetime.date | None:
        try:
            result = super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                "„%(value)s“ ist kein gültiges Datum. Bitte im Format TT.MM.JJJJ eingeben, "
                "z. B. 01.10.2011.",
                code="invalid",
                params={"value": str(value).strip()},
            ) from None
        if result is not None and not YEAR_MIN <= result.year <= YEAR_MAX:
            raise forms.ValidationError(
                "Das Jahr %(year)s ist nicht plausibel (erlaubt %(min)s bis %(max)s).",
                code="year",
                params={"year": result.year, "min": YEAR_MIN, "max": YEAR_MAX},
            )
        return result


def _chosen_by_integer(field: forms.ModelChoiceField) -> bool:
    """Whether the choices of `field` are integer keys (its model's id, or another integer)."""
    if field.queryset is None:
        return False
    meta = field.queryset.model._meta
    name = field.to_field_name
    target = meta.pk if name in (None, "pk") else meta.get_field(name)
    return isinstance(target, models.IntegerField)


def _refusal(field: forms.Field, raw: Any) -> str | None:
    """Why the raw input of `field` is refused before the field reads it, or None.

    - invisible or control characters (``core.parsing.INVISIBLE``) in any text input;
    - an id of a model choice that no database key holds (over 2^63 - 1: SQLite raises
      OverflowError on the query, a 500): ``core.parsing.parse_id``.
    """
    if isinstance(field, forms.FileField):
        return None
    values = raw if isinstance(raw, list | tuple) else [raw]
    texts = [value for value in values if isinstance(value, str)]
    for text in texts:
        message = invisible_characters_message(text)
        if message is not None:
            return message
    if isinstance(field, forms.ModelChoiceField) and _chosen_by_integer(field):
        for text in texts:
            if text.strip() and parse_id(text) is None:
                return (
                    f"„{shorten(shown_visibly(text))}“ ist keine Auswahl dieser Liste; "
                    "bitte einen Eintrag der Liste wählen."
                )
    return None


#: The empty choice of a select: a required choice asks for one, an optional one offers none.
EMPTY_REQUIRED = "– bitte wählen –"
EMPTY_OPTIONAL = "– keine –"
#: Django's empty choice, replaced in every form of the project.
DJANGO_EMPTY_LABEL = "---------"


def fixed_choices(choices: Any) -> list[Any] | None:
    """The choices as a list if they are fixed (a model field's, perhaps with its blank
    choice); None if a function or a filter's iterator reads them: that would cost a query for
    every form built."""
    inner = choices.choices if isinstance(choices, BlankChoiceIterator) else choices
    return list(choices) if isinstance(inner, list | tuple) else None


def german_empty_choice(field: forms.Field) -> None:
    """Give a select's empty choice a German label (a label a form set itself stays)."""
    empty = EMPTY_REQUIRED if field.required else EMPTY_OPTIONAL
    if hasattr(field, "empty_label"):  # a model choice, a django-filter choice: no query
        if field.empty_label == DJANGO_EMPTY_LABEL:
            field.empty_label = empty
    elif isinstance(field, forms.ChoiceField):
        choices = fixed_choices(field.choices)
        if choices and any(v == "" and label == DJANGO_EMPTY_LABEL for v, label in choices):
            field.choices = [
                (v, empty if v == "" and label == DJANGO_EMPTY_LABEL else label)
                for v, label in choices
            ]


class FieldWithErrors(BoundField):
    """A bound field whose errors its form may keep to itself (``hide_errors``): then neither
    the error list nor ``aria-invalid`` nor an ``aria-describedby`` of the error is shown."""

    @property
    def errors(self) -> ErrorList:
        if getattr(self.form, "errors_hidden", False):
            return self.form.error_class(renderer=self.form.renderer)
        return super().errors


def hide_errors(*forms_: forms.BaseForm) -> None:
    """Re-show forms with their input but without their errors (e.g. the paper editor after
    "Zeile hinzufügen" or "Vorschau": nothing was meant to be saved yet)."""
    for form in forms_:
        form.errors_hidden = True  # type: ignore[attr-defined]


#: What the mixin is mixed into, for the type checker (``object`` at run time).
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class CleanInputMixin(_FormBase):
    """The input check every form of the project shares (``Form``, ``ModelForm``, and the
    admin's ``core.admin.VersionedAdminForm``).

    Before the fields read the input: a field whose input holds invisible control characters
    (bidi overrides, zero-width characters, C0/C1 controls but tab and line breaks) or a choice
    id no database key holds is refused with a German message naming the field and the input;
    the field's own reading of that input is not run (its query would fail on SQLite).

    Labels end without a colon (``label_suffix``), selects offer a German empty choice, and
    ``hide_errors`` keeps the errors of a re-shown form to itself.
    """

    bound_field_class = FieldWithErrors

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            german_empty_choice(field)

    def full_clean(self) -> None:
        refused: dict[str, str] = {}
        if self.is_bound:
            for name, field in self.fields.items():
                if field.disabled:
                    continue
                message = _refusal(field, self[name].data)
                if message is not None:
                    label = field.label or name
                    refused[name] = f"{label}: {message}"
        if refused:
            # the field reads no refused input (SQLite cannot query an id over 2^63 - 1)
            data: Any = copy.copy(self.data)  # QueryDict: a mutable copy
            for name in refused:
                data.pop(self.add_prefix(name), None)
            self.data = data
        super().full_clean()
        for name, message in refused.items():
            self.errors.pop(name, None)
            self.add_error(name, ValidationError(message, code="refused_input"))


class Form(CleanInputMixin, forms.Form):
    """The base of every plain form of the project."""


class ModelForm(CleanInputMixin, forms.ModelForm):
    """The base of every model form of the project."""


class VersionedModelForm(ModelForm):
    """A model form for an object with a ``version`` field (optimistic concurrency).

    On edit it carries the version the user opened and a signed snapshot of the values shown.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    opened = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["version"]
            del self.fields["opened"]
        else:
            self.fields["version"].required = True
            self.fields["version"].initial = getattr(self.instance, VERSION_FIELD)
            self.fields["opened"].initial = signing.dumps(
                raw_values(self.instance, self.model_field_names()),
                salt=SNAPSHOT_SALT,
                compress=True,
            )

    @classmethod
    def model_field_names(cls) -> Collection[str]:
        """The model fields the form edits (its ``Meta.fields``, which must list them)."""
        names = cls._meta.fields
        if names is None:
            raise ImproperlyConfigured(f"{cls.__name__}.Meta.fields must list the fields.")
        return names

    def model_data(self) -> dict[str, Any]:
        """The cleaned values of the model fields, for the service."""
        return {
            name: self.cleaned_data[name]
            for name in self.model_field_names()
            if name in self.cleaned_data
        }

    def opened_values(self) -> dict[str, str] | None:
        """What the form showed when it was opened (None if missing or tampered with)."""
        try:
            return signing.loads(self.cleaned_data.get("opened") or "", salt=SNAPSHOT_SALT)
        except signing.BadSignature:
            return None

    @classmethod
    def after_conflict(cls, data, error: ConcurrentEditError, **kwargs: Any) -> Self:
        """The user's input again, now based on the saved state, with the conflict as error.

        Saving this form again overwrites the other person's change knowingly, never silently.
        """
        current = error.current
        if current is None:
            raise ValueError("A deleted object has no form to edit again.")
        data = data.copy()
        data["version"] = str(getattr(current, VERSION_FIELD))
        data["opened"] = signing.dumps(
            raw_values(current, cls.model_field_names()), salt=SNAPSHOT_SALT, compress=True
        )
        # the form takes the input on a copy: `error.current` stays the saved state
        form = cls(data, instance=copy.copy(current), **kwargs)
        form.is_valid()
        form.conflict = error
        for change in error.changes:  # mark each field someone else changed
            if change.name in form.fields:
                form.add_error(
                    change.name,
                    ValidationError(
                        "Inzwischen geändert: gespeichert ist jetzt „%(saved)s“.",
                        code="conflict",
                        params={"saved": change.saved},
                    ),
                )
        return form

    conflict: ConcurrentEditError | None = None
