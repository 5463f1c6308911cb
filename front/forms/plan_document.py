"""Forms of the Stellenplan document pages: adoption and the choice of two plan years."""

from __future__ import annotations

from django import forms

from core.forms import Form, GermanDateField
from stellenplan.models import StaffingPlan


class AdoptForm(Form):
    adopted_on = GermanDateField(
        label="Datum der Haushaltssatzung",
        error_messages={"required": "Bitte das Datum der Haushaltssatzung angeben."},
    )
    grdrs = forms.CharField(label="GRDrs (optional)", max_length=30, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def plan_year_choices() -> list[tuple[str, str]]:
    choices = []
    for plan in StaffingPlan.objects.order_by("first_year"):
        status = plan.get_status_display()
        for year in plan.years:
            choices.append((f"{plan.pk}:{year}", f"{year} (Stellenplan {plan.label}, {status})"))
    return choices


class CompareForm(Form):
    a = forms.ChoiceField(label="Plan und Jahr A")
    b = forms.ChoiceField(label="Plan und Jahr B")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = plan_year_choices()
        for name in ("a", "b"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
            field.error_messages["invalid_choice"] = (
                "„%(value)s“ ist kein erfasster Stellenplan mit diesem Jahr."
            )

    def selected(self, name: str) -> tuple[StaffingPlan, int]:
        pk, year = self.cleaned_data[name].split(":")
        return StaffingPlan.objects.get(pk=int(pk)), int(year)
