"""Forms of the Stellenplan's data: plans (drafts), changes, occupations."""

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import Form, GermanDateField, GermanDecimalField, VersionedModelForm
from departments.models import OrgUnit
from front.forms.positions import ChangeBasisMixin, FteField
from stellenplan.models import Occupation, PositionChange, StaffingPlan
from stellenplan.plan_services import OCCUPATION_FIELDS, PLAN_FIELDS


class PlanForm(VersionedModelForm):
    explanation_threshold_fte = GermanDecimalField(
        example="1,0 oder 0,5",
        show="decimal",
        size=6,
        label="Erläuterungspflicht ab einer Veränderung von (Stellen)",
        help_text="Veränderungen je Gruppe gegenüber dem Vorjahr über diesem Wert brauchen "
        "eine Erläuterung, z. B. 1,0.",
    )

    class Meta:
        model = StaffingPlan
        fields = PLAN_FIELDS
        widgets = {"remarks": forms.Textarea(attrs={"rows": 4, "cols": 60})}
        help_texts = {
            "first_year": "z. B. 2012.",
            "last_year": "Beim Doppelhaushalt das Folgejahr (2013), sonst das erste Jahr.",
            "grdrs": "Die GRDrs des Haushaltsbeschlusses, falls schon bekannt.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["last_year"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("last_year") is None and cleaned.get("first_year") is not None:
            cleaned["last_year"] = cleaned["first_year"]
            self.instance.last_year = cleaned["first_year"]
        return cleaned


class NextPlanForm(Form):
    double = forms.BooleanField(label="Doppelhaushalt (zwei Jahre)", required=False)


class ChangeExplanationForm(VersionedModelForm):
    class Meta:
        model = PositionChange
        fields = ["explanation"]
        widgets = {"explanation": forms.Textarea(attrs={"rows": 4, "cols": 60})}


class AuthorisationForm(ChangeBasisMixin, Form):
    """An Ermächtigung außerhalb des Stellenplans: always with its authority and end."""

    end_date = GermanDateField(label="befristet bis", help_text="Format TT.MM.JJJJ.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["basis"]
        del self.fields["in_advance"]
        self.fields["effective_date"].required = True
        self.fields["effective_date"].help_text = "Format TT.MM.JJJJ."

    def clean(self) -> dict[str, Any]:
        self.cleaned_data["basis"] = self.CHANGE
        return super().clean()


class OccupationForm(VersionedModelForm):
    fte = FteField(
        label="besetzter Anteil",
        help_text="Anteil der Stelle, der besetzt ist, z. B. 0,5 (höchstens ihr Stellenanteil).",
    )
    start_date = GermanDateField(label="besetzt ab", help_text="Format TT.MM.JJJJ.")
    end_date = GermanDateField(
        label="besetzt bis", required=False, help_text="Leer lassen, solange besetzt."
    )

    class Meta:
        model = Occupation
        fields = OCCUPATION_FIELDS


class ChangeFilterForm(Form):
    """Filter of the list of changes (GET)."""

    jahr = forms.IntegerField(label="wirksam im Jahr", required=False, min_value=1900)
    art = forms.ChoiceField(
        label="Art", required=False, choices=[("", "alle"), *PositionChange.Kind.choices]
    )
    grdrs = forms.CharField(label="GRDrs", required=False, max_length=30)
    einheit = forms.ModelChoiceField(
        label="Org.einheit",
        required=False,
        queryset=OrgUnit.objects.order_by("code"),
        empty_label="alle",
    )
