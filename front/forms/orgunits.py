"""The org unit form (code, name, kind, parent, Teilhaushalt)."""

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import FastSelect, VersionedModelForm, model_choice_field
from departments.models import BudgetSection, OrgUnit
from departments.selectors import org_tree


class OrgUnitForm(VersionedModelForm):
    class Meta:
        model = OrgUnit
        fields = ["code", "name", "kind", "parent", "budget_section"]
        widgets = {"parent": FastSelect}
        help_texts = {
            "name": "Vollständige Bezeichnung, z. B. „Zentrale Personalsachbearbeitung“.",
            "kind": "Referat, Amt, Abteilung oder Sachgebiet. Stellen werden zum nächsten Amt "
            "darüber zusammengefasst.",
            "parent": "Leer lassen für eine oberste Einheit (Referat oder Amt ohne Referat); "
            "ein Referat hat keine, eine Abteilung oder ein Sachgebiet braucht eine.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = OrgUnit.objects.order_by("code")
        if self.instance.pk is not None:
            parents = parents.exclude(pk__in=org_tree().descendants_or_self([self.instance.pk]))
        parent = model_choice_field(self, "parent")
        parent.queryset = parents
        parent.empty_label = "– keine (oberste Einheit) –"
        budget_section = model_choice_field(self, "budget_section")
        budget_section.queryset = BudgetSection.objects.order_by("number")
        budget_section.empty_label = "– wie die übergeordnete Einheit –"
        self.fields["code"].widget.attrs.update({"autocomplete": "off", "size": 12})
        self.fields["name"].widget.attrs.update({"size": 50})
        self.fields["parent"].error_messages["invalid_choice"] = (
            "Diese Einheit kann nicht übergeordnet werden (sie fehlt oder liegt unterhalb)."
        )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        # Names the unit that has it; the model's constraint (ignoring case) holds it anyway.
        clash = OrgUnit.objects.filter(code__iexact=code).exclude(pk=self.instance.pk).first()
        if clash is not None:
            raise forms.ValidationError(
                "Das Kürzel „%(code)s“ ist schon vergeben (%(unit)s); Groß- und "
                "Kleinschreibung zählen dabei nicht.",
                code="unique",
                params={"code": code, "unit": str(clash)},
            )
        return code
