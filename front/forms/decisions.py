"""Forms of the decision pages: the document, its parts as inline formsets, status, positions."""

from __future__ import annotations

from django import forms
from django.forms import BaseInlineFormSet, ModelForm, inlineformset_factory

from core.forms import GermanDateField
from decisions.models import (
    Annex,
    ConsultationStep,
    Decision,
    DecisionReference,
    FinancialItem,
    ProposalPoint,
    ReasonSection,
    Signatory,
)
from departments.models import OrgUnit
from front.forms.fields import MarkdownTextField

DATE_WIDGET = forms.DateInput(format="%d.%m.%Y", attrs={"placeholder": "TT.MM.JJJJ", "size": 10})
#: Dates as TT.MM.JJJJ with the years of core.parsing (1900 … 2200) and a German message.
DATE_FIELDS = {"date": GermanDateField, "meeting_date": GermanDateField}


class DecisionForm(forms.ModelForm):
    submitted_by = forms.ModelMultipleChoiceField(
        label="einbringende Referate/Ämter",
        queryset=OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.REFERAT, OrgUnit.Kind.AMT]).order_by(
            "code"
        ),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = Decision
        fields = [
            "number",
            "kind",
            "place",
            "date",
            "file_reference",
            "project",
            "title",
            "submitted_by",
            "involved_units",
        ]
        field_classes = {**DATE_FIELDS, "involved_units": MarkdownTextField}
        widgets = {
            "date": DATE_WIDGET,
            "involved_units": forms.Textarea(attrs={"rows": 3}),
            "project": forms.TextInput(attrs={"size": 60}),
            "title": forms.TextInput(attrs={"size": 60}),
        }


class ConsultationStepForm(forms.ModelForm):
    class Meta:
        model = ConsultationStep
        fields = ["order", "committee", "purpose", "public", "meeting_date"]
        field_classes = DATE_FIELDS
        widgets = {
            "meeting_date": DATE_WIDGET,
            "order": forms.NumberInput(attrs={"min": 1, "style": "width: 4em"}),
        }


class ProposalPointForm(forms.ModelForm):
    class Meta:
        model = ProposalPoint
        fields = ["order", "text"]
        field_classes = {"text": MarkdownTextField}
        widgets = {
            "order": forms.NumberInput(attrs={"min": 1, "style": "width: 4em"}),
            "text": forms.Textarea(attrs={"rows": 8}),
        }


class ReasonSectionForm(forms.ModelForm):
    class Meta:
        model = ReasonSection
        fields = ["order", "number", "heading", "text"]
        field_classes = {"text": MarkdownTextField}
        widgets = {
            "order": forms.NumberInput(attrs={"min": 1, "style": "width: 4em"}),
            "number": forms.TextInput(attrs={"size": 6}),
            "heading": forms.TextInput(attrs={"size": 60}),
            "text": forms.Textarea(attrs={"rows": 8}),
        }


class FinancialItemForm(forms.ModelForm):
    class Meta:
        model = FinancialItem
        fields = [
            "order",
            "description",
            "budget_section",
            "account_area",
            "account_group",
            "annual_amount",
            "start_year",
            "end_year",
            "charged_to",
            "cost_type",
        ]
        localized_fields = ["annual_amount"]
        widgets = {"order": forms.NumberInput(attrs={"min": 1, "style": "width: 4em"})}


ConsultationStepFormSet = inlineformset_factory(
    Decision, ConsultationStep, form=ConsultationStepForm, extra=1, can_delete=True
)
ProposalPointFormSet = inlineformset_factory(
    Decision, ProposalPoint, form=ProposalPointForm, extra=1, can_delete=True
)
ReferenceFormSet: type[
    BaseInlineFormSet[DecisionReference, Decision, ModelForm[DecisionReference]]
] = inlineformset_factory(
    Decision, DecisionReference, fields=["number", "note"], extra=1, can_delete=True
)
ReasonSectionFormSet = inlineformset_factory(
    Decision, ReasonSection, form=ReasonSectionForm, extra=1, can_delete=True
)
FinancialItemFormSet = inlineformset_factory(
    Decision, FinancialItem, form=FinancialItemForm, extra=1, can_delete=True
)
SignatoryFormSet: type[BaseInlineFormSet[Signatory, Decision, ModelForm[Signatory]]] = (
    inlineformset_factory(
        Decision, Signatory, fields=["order", "name", "office"], extra=1, can_delete=True
    )
)
AnnexFormSet: type[BaseInlineFormSet[Annex, Decision, ModelForm[Annex]]] = inlineformset_factory(
    Decision,
    Annex,
    fields=["number", "title", "generated", "intro"],
    widgets={"intro": forms.Textarea(attrs={"rows": 3})},
    field_classes={"intro": MarkdownTextField},
    extra=1,
    can_delete=True,
)


FORMSET_LABELS = {
    "steps": "Beratungsfolge",
    "points": "Beschlussantrag (Ziffern)",
    "references": "Bezüge auf andere GRDrs",
    "sections": "Begründung (Abschnitte und Unterabschnitte)",
    "items": "Sonstige finanzielle Auswirkungen",
    "signatories": "Unterzeichner/-innen",
    "annexes": "Anlagen",
}


def main_formsets(data=None, instance=None) -> dict:
    """The parts edited together with the document: Beratungsfolge, Beschlussantrag, Bezüge."""
    return {
        "steps": ConsultationStepFormSet(data, instance=instance, prefix="beratung"),
        "points": ProposalPointFormSet(data, instance=instance, prefix="antrag"),
        "references": ReferenceFormSet(data, instance=instance, prefix="bezug"),
    }


def text_formsets(data=None, instance=None) -> dict:
    return {"sections": ReasonSectionFormSet(data, instance=instance, prefix="abschnitt")}


def finance_formsets(data=None, instance=None) -> dict:
    return {
        "items": FinancialItemFormSet(data, instance=instance, prefix="posten"),
        "signatories": SignatoryFormSet(data, instance=instance, prefix="unterschrift"),
        "annexes": AnnexFormSet(data, instance=instance, prefix="anlage"),
    }


class DecisionVersionForm(forms.Form):
    """The version of the decision the user opened (optimistic locking of every edit)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


CONFIRM_LABEL = "Ich bestätige diese Statusänderung."


class StatusForm(DecisionVersionForm):
    """A status change: nothing preselected, confirmed by a required checkbox."""

    status = forms.ChoiceField(label="neuer Status", choices=())
    date = GermanDateField(label="Datum", widget=DATE_WIDGET)
    comment = forms.CharField(label="Bemerkung", max_length=300, required=False)
    confirm = forms.BooleanField(
        label=CONFIRM_LABEL,
        error_messages={"required": "Bitte bestätigen Sie die Statusänderung."},
    )

    def __init__(self, *args, choices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [("", "– bitte wählen –"), *choices]


class ReasonForm(DecisionVersionForm):
    """Reopening a final status or storing the adopted record again: a reason, confirmed."""

    reason = forms.CharField(
        label="Grund",
        max_length=250,
        widget=forms.TextInput(attrs={"size": 60}),
        error_messages={"required": "Bitte geben Sie einen Grund an."},
    )
    confirm = forms.BooleanField(
        label="Ich bestätige diesen Schritt.",
        error_messages={"required": "Bitte bestätigen Sie den Schritt."},
    )


class PositionLinkForm(DecisionVersionForm):
    position = forms.IntegerField(widget=forms.HiddenInput)


class MoveForm(DecisionVersionForm):
    direction = forms.ChoiceField(choices=[("up", "nach oben"), ("down", "nach unten")])
