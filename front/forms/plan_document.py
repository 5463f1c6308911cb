"""Forms of the Stellenplan document pages: adoption and the choice of two plan years."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from core.forms import Form, GermanDateField, GermanDecimalField
from stellenplan.models import PayGrade, StaffingPlan, TraineeCount


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


#: Stellen of a group in one Amt: a city's largest group is far below this; "0.500" (read as
#: five hundred with German thousands) is pointed out by the field.
GROUP_FTE_LIMITS = (Decimal("0"), Decimal("100000"))


class PreviousFiguresForm(Form):
    """Vorjahreszahlen of one Amt: per group Stellen N-1 and besetzt am 30.06. N-1 (both
    optional; an empty Stellen field removes the group's entry)."""

    def __init__(self, *args: Any, grades: list[PayGrade], year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grades = grades
        columns = [
            ("fte", f"Stellen {year}", "12,5 oder 0"),
            ("occupied", f"besetzt am 30.06.{year}", "11,75"),
        ]
        for grade in grades:
            for name, label, example in columns:
                self.fields[f"{name}_{grade.pk}"] = GermanDecimalField(
                    label=f"{grade.code}: {label}",
                    required=False,
                    limits=GROUP_FTE_LIMITS,
                    example=example,
                    show="decimal",
                    size=8,
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for grade in self.grades:
            if data.get(f"fte_{grade.pk}") is None and data.get(f"occupied_{grade.pk}") is not None:
                self.add_error(
                    f"fte_{grade.pk}",
                    f"{grade.code}: „besetzt am 30.06.“ ohne Stellen – bitte die Stellen des "
                    "Vorjahres angeben (auch 0).",
                )
        return data

    def rows(self) -> list[tuple[PayGrade, forms.BoundField, forms.BoundField]]:
        return [(g, self[f"fte_{g.pk}"], self[f"occupied_{g.pk}"]) for g in self.grades]


class TraineeLineForm(Form):
    """One line of the Nachwuchskräfte (a formset row; an empty Anzahl removes the line)."""

    pk = forms.IntegerField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    category = forms.ChoiceField(label="Art", choices=TraineeCount.Category.choices)
    training = forms.CharField(label="Ausbildung", max_length=200, required=False)
    number = GermanDecimalField(
        label="Anzahl im Haushaltsjahr", required=False, example="12", size=6
    )
    number_previous = GermanDecimalField(
        label="Anzahl im Vorjahr", required=False, example="12", size=6
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("number", "number_previous"):
            value = data.get(name)
            if value is None:
                continue
            if value != value.to_integral_value() or not 0 <= value <= 100000:
                label = self.fields[name].label
                self.add_error(
                    name,
                    f"{label}: „{self.data.get(self.add_prefix(name))}“ ist keine Anzahl von "
                    "Personen (eine ganze Zahl von 0 bis 100.000).",
                )
            else:
                data[name] = int(value)
        if data.get("number") is not None and not (data.get("training") or "").strip():
            self.add_error("training", "Ausbildung: bitte angeben, für welche Ausbildung.")
        return data


TraineeFormSet = forms.formset_factory(TraineeLineForm, extra=2)
