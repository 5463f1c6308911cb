"""Forms of the Kämmerei: cost tables, cost rates and reimbursement rules, German input
throughout; edits carry the version they were opened with (``VersionedModelForm``)."""

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import (
    FastSelectMultiple,
    GermanDateField,
    MoneyField,
    ReadBackMixin,
    ShareField,
    VersionedModelForm,
    model_choice_field,
)
from costing.models import CostRate, CostTable, ReimbursementRule
from departments.models import OrgUnit


class CostTableForm(VersionedModelForm):
    valid_from = GermanDateField(label="gültig ab", help_text="Format TT.MM.JJJJ.")

    class Meta:
        model = CostTable
        fields = ["name", "valid_from", "remark"]
        widgets = {
            "name": forms.TextInput(attrs={"size": 60}),
            "remark": forms.Textarea(attrs={"rows": 3}),
        }


class CostRateForm(VersionedModelForm):
    # The amounts' rules (positive, not negative) are the model's constraints.
    annual_cost = MoneyField(
        label="Jahreskosten (Vollzeit)",
        help_text="Gesamtkosten eines Vollzeitarbeitsplatzes pro Jahr in Euro, z. B. 63.000.",
    )
    personnel_cost = MoneyField(label="Personalkosten", required=False)
    material_cost = MoneyField(label="Sachkosten", required=False)
    it_cost = MoneyField(label="IT-Kosten", required=False)

    class Meta:
        model = CostRate
        fields = ["annual_cost", "personnel_cost", "material_cost", "it_cost"]


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
