"""Forms of the Kämmerei: cost tables, cost rates, reimbursement rules and pay adjustments, German input
throughout; edits carry the version they were opened with (``VersionedModelForm``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from core.forms import (
    FastSelectMultiple,
    Form,
    GermanDateField,
    GermanDecimalField,
    MoneyField,
    ReadBackMixin,
    ShareField,
    VersionedModelForm,
    model_choice_field,
)
from costing.engine import RATE_ROUNDING
from costing.models import CostRate, CostTable, PayAdjustment, ReimbursementRule
from costing.reference_services import PAY_ADJUSTMENT_FIELDS
from departments.models import OrgUnit
from stellenplan.models import PayGrade

#: The increase of a copied table, in percent (a wider entry is a typo, e.g. "3.500").
INCREASE_MIN, INCREASE_MAX = Decimal(-50), Decimal(100)


class CostTableForm(VersionedModelForm):
    valid_from = GermanDateField(
        label="gültig ab",
        help_text="Format TT.MM.JJJJ; die Tabelle gilt bis zum Tag vor der nächsten.",
    )

    class Meta:
        model = CostTable
        fields = ["name", "valid_from", "remark"]
        widgets = {
            "name": forms.TextInput(attrs={"size": 60}),
            "remark": forms.Textarea(attrs={"rows": 3}),
        }

    def validate_unique(self) -> None:
        """A taken "gültig ab" is the service's check, whose message names the other table."""


class CostTableCreateForm(Form):
    """A new cost table: empty, or copied from another raised by a percentage."""

    name = forms.CharField(
        label="Bezeichnung",
        max_length=200,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text="z. B. „Rundschreiben Nr. 02/2013 – Kosten eines Arbeitsplatzes“.",
    )
    valid_from = GermanDateField(
        label="gültig ab",
        help_text="Format TT.MM.JJJJ; die Tabelle gilt bis zum Tag vor der nächsten.",
    )
    remark = forms.CharField(
        label="Bemerkung", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.ModelChoiceField(
        label="Kostensätze übernehmen aus",
        queryset=CostTable.objects.none(),
        required=False,
        empty_label="– keine: leere Tabelle anlegen –",
    )
    increase = GermanDecimalField(
        example="3,5 oder -2",
        percent=True,
        limits=(INCREASE_MIN, INCREASE_MAX),
        size=8,
        label="Erhöhung in %",
        required=False,
        help_text="Auf jeden übernommenen Kostensatz, z. B. 3,5 (negativ: Senkung).",
    )
    rounding = forms.ChoiceField(
        label="Rundung",
        choices=[(key, label) for key, (_, label) in RATE_ROUNDING.items()],
        initial="euro",
        help_text="Kaufmännisch (ab 5 aufgerundet).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "source").queryset = CostTable.objects.order_by("-valid_from")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source") is None and data.get("increase"):
            self.add_error(
                "increase",
                "Eine Erhöhung wirkt nur auf übernommene Kostensätze: bitte eine Tabelle bei "
                "„Kostensätze übernehmen aus“ wählen oder das Feld leeren.",
            )
        if data.get("increase") is None:
            data["increase"] = Decimal(0)
        return data


class _RateAmountsForm(VersionedModelForm):
    # The amounts' rules (positive, not negative, the components adding up to the total) are
    # the model's (constraints and CostRate.clean, which the model form runs).
    annual_cost = MoneyField(
        label="Jahreskosten (Vollzeit)",
        help_text="Gesamtkosten eines Vollzeitarbeitsplatzes pro Jahr in Euro, z. B. 63.000.",
    )
    personnel_cost = MoneyField(label="Personalkosten", required=False)
    material_cost = MoneyField(label="Sachkosten", required=False)
    it_cost = MoneyField(
        label="IT-Kosten",
        required=False,
        help_text="Die Komponenten sind freiwillig; wenn angegeben, müssen sie zusammen die "
        "Jahreskosten ergeben.",
    )


class CostRateForm(_RateAmountsForm):
    class Meta:
        model = CostRate
        fields = ["annual_cost", "personnel_cost", "material_cost", "it_cost"]


class CostRateCreateForm(_RateAmountsForm):
    """A rate for a grade the table lacks (the grades it has are not offered)."""

    class Meta:
        model = CostRate
        fields = ["pay_grade", "annual_cost", "personnel_cost", "material_cost", "it_cost"]

    def __init__(self, *args: Any, table: CostTable, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.table = table
        field = model_choice_field(self, "pay_grade")
        field.queryset = PayGrade.objects.exclude(rates__table=table).order_by("sort_order", "code")
        field.empty_label = "– Stellenwert wählen –"


class RuleNewRateForm(Form):
    """ "Neuer Satz ab …" of a reimbursement rule."""

    valid_from = GermanDateField(
        label="neuer Satz ab",
        help_text="Format TT.MM.JJJJ; die bisherige Regel endet am Tag davor.",
    )
    rate = ShareField(label="neuer Erstattungssatz", help_text="„84,8 %“ oder „0,848“.")
    name = forms.CharField(
        label="Bezeichnung der neuen Regel",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text="Leer lassen, um die bisherige Bezeichnung zu übernehmen.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReimbursementRuleForm(ReadBackMixin, VersionedModelForm):
    rate = ShareField(
        label="Erstattungssatz",
        help_text="Anteil der Kosten, den ein Dritter erstattet: „84,8 %“ oder „0,848“.",
    )
    valid_from = GermanDateField(label="gültig ab", help_text="Format TT.MM.JJJJ.")
    valid_to = GermanDateField(
        label="gültig bis", required=False, help_text="Leer lassen, wenn die Regel nicht endet."
    )

    class Meta:
        model = ReimbursementRule
        fields = ["name", "rate", "org_units", "valid_from", "valid_to"]
        widgets = {"name": forms.TextInput(attrs={"size": 60}), "org_units": FastSelectMultiple}
        help_texts = {
            "org_units": "Gilt jeweils samt allen Untereinheiten. Mehrere mit Strg (Cmd) wählen.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "org_units").queryset = OrgUnit.objects.order_by("code")
        self.fields["org_units"].widget.attrs["size"] = 12


class PayAdjustmentForm(ReadBackMixin, VersionedModelForm):
    effective_date = GermanDateField(label="wirksam ab", help_text="Format TT.MM.JJJJ.")
    base_amount = MoneyField(
        label="Sockelbetrag (€ je Monat, Vollzeit)",
        required=False,
        help_text="Fester Betrag je Monat einer Vollzeitkraft, z. B. 200; leer: kein Sockel. "
        "Auf die Jahreskostensätze zählt er zwölffach (200 € = 2.400 € im Jahr).",
    )
    percent = GermanDecimalField(
        example="5,5 oder 3",
        percent=True,
        size=8,
        label="Erhöhung in %",
        required=False,
        help_text="Nach dem Sockel, z. B. 5,5; leer: keine prozentuale Erhöhung.",
    )
    minimum_amount = MoneyField(
        label="Mindestbetrag (€ je Monat, Vollzeit)",
        required=False,
        help_text="Die ganze Erhöhung beträgt mindestens so viel je Monat, z. B. 340; leer: "
        "kein Mindestbetrag.",
    )

    class Meta:
        model = PayAdjustment
        fields = PAY_ADJUSTMENT_FIELDS
        widgets = {
            "name": forms.TextInput(attrs={"size": 60}),
            "source": forms.Textarea(attrs={"rows": 3, "cols": 60}),
            "note": forms.Textarea(attrs={"rows": 2, "cols": 60}),
        }

    def _zero_if_empty(self, name: str) -> Decimal:
        value = self.cleaned_data.get(name)
        return Decimal("0.00") if value is None else value

    def clean_base_amount(self) -> Decimal:
        return self._zero_if_empty("base_amount")

    def clean_percent(self) -> Decimal:
        return self._zero_if_empty("percent")

    def clean_minimum_amount(self) -> Decimal:
        return self._zero_if_empty("minimum_amount")
