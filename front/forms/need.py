"""Forms of the Personalbedarfsberechnung: Jahresarbeitszeiten, calculations and lines."""

from __future__ import annotations

from typing import Any

from django import forms

from core.formatting import format_decimal
from core.forms import (
    FastSelectMultiple,
    GermanDateField,
    GermanDecimalField,
    ReadBackMixin,
    VersionedModelForm,
)
from stellenplan.models import NeedCalculation, NeedLine, Position, WorkingTime
from stellenplan.need_services import CALCULATION_FIELDS, LINE_FIELDS, WORKING_TIME_FIELDS


class WorkingTimeForm(ReadBackMixin, VersionedModelForm):
    weekly_hours = GermanDecimalField(label="Wochenarbeitszeit (Stunden)", example="39 oder 39,5")
    valid_from = GermanDateField(label="gültig ab", help_text="Format TT.MM.JJJJ.")
    annual_hours = GermanDecimalField(
        label="Jahresarbeitszeit (Stunden)",
        example="1.590",
        help_text="Netto-Jahresarbeitszeit einer Vollzeitkraft in Stunden, z. B. 1.590.",
    )
    distribution_percent = GermanDecimalField(
        label="Verteilzeitzuschlag (%)",
        example="10",
        help_text="Zuschlag auf Bearbeitungszeiten ohne Verteilzeit, z. B. 10 (5 % persönlich "
        "+ 5 % sachlich). 10 % auf die Zeit entsprechen 1/11 ≈ 9,09 % weniger Jahresarbeitszeit.",
    )

    class Meta:
        model = WorkingTime
        fields = WORKING_TIME_FIELDS
        widgets = {"source": forms.Textarea(attrs={"rows": 3, "cols": 60})}


class PositionsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Position) -> str:
        return f"{obj.org_unit.code} {obj.pay_grade.code} {obj.title} ({format_decimal(obj.fte)})"


class NeedCalculationForm(ReadBackMixin, VersionedModelForm):
    positions = PositionsChoiceField(
        label="Stellen",
        queryset=Position.objects.none(),
        widget=FastSelectMultiple,
        help_text="Die Stelle(n), für die der Bedarf berechnet wird. Mehrere mit Strg (Cmd).",
    )
    weekly_hours = GermanDecimalField(
        label="Wochenarbeitszeit (Stunden)",
        required=False,
        example="39",
        help_text="Für die Jahresarbeitszeit der analytischen Methode, z. B. 39.",
    )
    parameter_date = GermanDateField(
        label="Stichtag der Jahresarbeitszeit",
        required=False,
        help_text="Es gilt die zu diesem Tag gültige Jahresarbeitszeit. Format TT.MM.JJJJ.",
    )

    class Meta:
        model = NeedCalculation
        fields = CALCULATION_FIELDS
        widgets = {
            "title": forms.TextInput(attrs={"size": 60}),
            "source": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "remarks": forms.Textarea(attrs={"rows": 3, "cols": 60}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["positions"]
        assert isinstance(field, PositionsChoiceField)
        field.queryset = Position.objects.select_related("org_unit", "pay_grade").order_by(
            "org_unit__code", "id"
        )
        field.widget.attrs["size"] = 10
        if self.instance.pk is not None and not self.is_bound:
            self.initial["positions"] = list(self.instance.positions.values_list("pk", flat=True))


class NeedLineForm(ReadBackMixin, VersionedModelForm):
    cases = GermanDecimalField(label="Fallzahl", required=False, example="662 oder 22.000")
    minutes_min = GermanDecimalField(
        label="Bearbeitungszeit (Minuten, von)",
        required=False,
        example="60",
        help_text="Analytisch: mittlere Bearbeitungszeit je Fall in Minuten.",
    )
    minutes_max = GermanDecimalField(
        label="Bearbeitungszeit (Minuten, bis)",
        required=False,
        example="120",
        help_text="Nur bei einer Spanne, z. B. 60 bis 120 Minuten.",
    )
    ratio = GermanDecimalField(
        label="Betreuungsschlüssel (Fälle je Stelle)",
        required=False,
        example="150",
        help_text="z. B. 150 für 1 : 150 (§ 44c Abs. 4 SGB II).",
    )
    existing_fte = GermanDecimalField(label="vorhandene Stellen", required=False, example="3,5")
    existing_cases = GermanDecimalField(
        label="bisherige Fallzahl", required=False, example="25.000"
    )
    stated_fte = GermanDecimalField(
        label="angegebene Stellen",
        required=False,
        example="0,55",
        help_text="Nur für „Angabe ohne Herleitung“: der Anteil, den eine Vorlage nennt.",
    )

    class Meta:
        model = NeedLine
        fields = LINE_FIELDS
        widgets = {
            "task": forms.TextInput(attrs={"size": 60}),
            "source": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "remarks": forms.Textarea(attrs={"rows": 2, "cols": 60}),
        }
