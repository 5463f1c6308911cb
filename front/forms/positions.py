"""Forms of the staffing plan: positions and pay grades, German input throughout."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from core.formatting import format_decimal
from core.forms import FastSelect, GermanDateField, VersionedModelForm, german_decimal
from core.parsing import GERMAN_THOUSANDS
from departments.models import OrgUnit
from stellenplan.models import FTE_MAX, FTE_MIN, PayGrade, Position
from stellenplan.services import POSITION_FIELDS


class FteField(forms.Field):
    """Anzahl der Stellen: accepts "0,5", "0.5", "1", "50 %"; rejects what it cannot be sure of.

    "0.500" is a German number with a thousands separator (five hundred), which is what
    Django's localized input would make of it; it is refused with a message saying so.
    """

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 6})
    default_error_messages = {
        "required": "Bitte die Anzahl der Stellen angeben, z. B. 0,5 oder 1,0.",
    }

    def __init__(self, *, max_value: Decimal = FTE_MAX, min_value: Decimal = FTE_MIN, **kwargs):
        self.max_value, self.min_value = max_value, min_value
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return format_decimal(value)
        return value

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        entered = str(value).strip()
        text = entered.replace("\u00a0", "").replace(" ", "")
        percent = text.endswith("%")
        if percent:
            text = text[:-1]
        understood = german_decimal(text, entered, example="0,5 oder 1,0 (Stellenanteil)")
        if percent:
            understood = understood / 100
        if understood <= 0:
            raise forms.ValidationError(
                "„%(value)s“: die Anzahl der Stellen muss größer als 0 sein.",
                code="min_value",
                params={"value": entered},
            )
        if understood > self.max_value:
            shown = format_decimal(understood).removesuffix(",0")
            hint = ""
            if GERMAN_THOUSANDS.match(text):
                hint = " (der Punkt gilt im Deutschen als Tausendertrennzeichen)"
            raise forms.ValidationError(
                "„%(value)s“ wurde als %(shown)s gelesen%(hint)s. Die Anzahl der Stellen darf "
                "höchstens 1,0 sein; für eine halbe Stelle bitte „0,5“ eingeben.",
                code="max_value",
                params={"value": entered, "shown": shown, "hint": hint},
            )
        if understood != understood.quantize(Decimal("0.01")):
            raise forms.ValidationError(
                "„%(value)s“ hat mehr als zwei Nachkommastellen. Bitte z. B. 0,33 oder 0,5 "
                "eingeben.",
                code="decimal_places",
                params={"value": entered},
            )
        if understood < self.min_value:
            raise forms.ValidationError(
                "„%(value)s“: die Anzahl der Stellen muss mindestens 0,01 sein.",
                code="min_value",
                params={"value": entered},
            )
        return understood.quantize(Decimal("0.01"))


class PayGradeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PayGrade) -> str:
        return f"{obj.code} ({obj.get_status_group_display()})"


class PositionForm(VersionedModelForm):
    fte = FteField(
        label="Anzahl der Stellen",
        help_text="Stellenanteil zwischen 0,01 und 1,0, z. B. 0,5 für eine halbe Stelle "
        "(„0.5“ und „50 %“ werden auch verstanden).",
    )
    start_date = GermanDateField(label="Beginn", help_text="Format TT.MM.JJJJ, z. B. 01.10.2011.")
    end_date = GermanDateField(
        label="Ende",
        required=False,
        help_text="Leer lassen, wenn die Stelle nicht endet. Format TT.MM.JJJJ.",
    )
    note_date = GermanDateField(
        label="Datum des Vermerks",
        required=False,
        help_text="Nur zusammen mit einem Stellenvermerk: ab wann KW/KU gilt.",
    )

    class Meta:
        model = Position
        fields = POSITION_FIELDS
        field_classes = {"pay_grade": PayGradeChoiceField}
        labels = {"fixed_term": "befristet"}
        help_texts = {
            "org_unit": "Die Organisationseinheit, bei der die Stelle geführt wird.",
            "pay_grade": "Besoldungs- oder Entgeltgruppe laut Stellenplan.",
            "title": "z. B. „Sachbearbeitung Finanzen (inkl. Finanzcontrolling)“.",
            "note": "KW: künftig wegfallend, KU: künftig umzuwandeln.",
            "tasks": "Eine Aufgabe je Zeile.",
        }
        widgets = {
            "org_unit": FastSelect,
            "pay_grade": FastSelect,
            "title": forms.TextInput(attrs={"size": 60}),
            "task_heading": forms.TextInput(attrs={"size": 60}),
            "tasks": forms.Textarea(attrs={"rows": 5, "cols": 60}),
            "justification": forms.Textarea(attrs={"rows": 4, "cols": 60}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.order_by("code")
        self.fields["org_unit"].empty_label = "— bitte wählen —"
        self.fields["pay_grade"].queryset = PayGrade.objects.order_by("sort_order", "code")
        self.fields["pay_grade"].empty_label = "— bitte wählen —"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error(
                "end_date",
                f"Das Ende ({end:%d.%m.%Y}) darf nicht vor dem Beginn ({start:%d.%m.%Y}) liegen.",
            )
        if data.get("note_date") and not data.get("note"):
            self.add_error(
                "note_date",
                "Ein Datum des Vermerks setzt einen Stellenvermerk (KW oder KU) voraus.",
            )
        return data


class VersionForm(forms.Form):
    """The version a delete confirmation was opened with."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PayGradeForm(forms.ModelForm):
    class Meta:
        model = PayGrade
        fields = ["code", "status_group", "career_group", "sort_order"]
        help_texts = {
            "sort_order": "Reihenfolge in Listen und Auswahlfeldern (kleinere Zahl zuerst).",
        }

    def clean_code(self) -> str:
        code = " ".join(self.cleaned_data["code"].split())
        if PayGrade.objects.filter(code=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                "Den Stellenwert „%(code)s“ gibt es schon.", code="unique", params={"code": code}
            )
        return code
