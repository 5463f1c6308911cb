"""Forms of the decision pages: the document, its parts as inline formsets, status, positions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory

from core.forms import Form, GermanDateField, ModelForm, MoneyField
from decisions.models import (
    Annex,
    Committee,
    ConsultationStep,
    Decision,
    DecisionPosition,
    DecisionReference,
    FinancialItem,
    ProposalPoint,
    ReasonSection,
    Signatory,
)
from decisions.services import PartChanges
from departments.models import OrgUnit
from front.forms.fields import MarkdownTextField

#: The <datalist> of the active Gremien (decisions/decision_form.html renders it).
COMMITTEE_LIST_ID = "gremien"

DATE_WIDGET = forms.DateInput(format="%d.%m.%Y", attrs={"placeholder": "TT.MM.JJJJ", "size": 10})
#: Dates as TT.MM.JJJJ with the years of core.parsing (1900 … 2200) and a German message.
DATE_FIELDS = {"date": GermanDateField, "meeting_date": GermanDateField}


class DecisionForm(ModelForm):
    submitted_by = forms.ModelMultipleChoiceField(
        label="einbringende Referate/Ämter",
        queryset=OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.REFERAT, OrgUnit.Kind.AMT]).order_by(
            "code"
        ),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # not sent (an older page, a script): the paper keeps its spelling, a new one today's
        self.fields["spelling"].required = False

    def clean_spelling(self) -> str:
        return (
            self.cleaned_data.get("spelling") or self.instance.spelling or Decision.Spelling.CURRENT
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
            "spelling",
        ]
        field_classes = {**DATE_FIELDS, "involved_units": MarkdownTextField}
        widgets = {
            "date": DATE_WIDGET,
            "involved_units": forms.Textarea(attrs={"rows": 3}),
            "project": forms.TextInput(attrs={"size": 60}),
            "title": forms.TextInput(attrs={"size": 60}),
        }


class RowForm(ModelForm):
    """One row of an editor formset. A new row counts as filled in only when more than its
    order number changed: the editor numbers new rows (next number, reordering), so an
    untouched new row stays empty and is neither validated nor saved."""

    order_field = "order"

    def has_changed(self) -> bool:
        if self.instance.pk is not None:
            return super().has_changed()
        return any(name != self.order_field for name in self.changed_data)


class ConsultationStepForm(RowForm):
    committee = forms.ModelChoiceField(
        label="Vorlage an (Gremium)",
        queryset=Committee.objects.all(),
        to_field_name="name",
        widget=forms.TextInput(attrs={"list": COMMITTEE_LIST_ID, "autocomplete": "off"}),
        error_messages={
            "invalid_choice": "Das Gremium „%(value)s“ gibt es nicht; bitte eines der Liste "
            "wählen oder es zuerst unter „Gremien“ anlegen."
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.committee_id is not None:
            # the committee object, so the field shows (and compares) its name, not its id
            self.initial["committee"] = self.instance.committee
        if self.instance.meeting_id is not None:
            # on an agenda: committee and date are the meeting's (moved on the paper's page)
            for name in ("committee", "meeting_date"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "steht auf der Tagesordnung einer Sitzung"

    class Meta:
        model = ConsultationStep
        fields = ["order", "committee", "purpose", "public", "meeting_date"]
        field_classes = DATE_FIELDS
        widgets = {
            "meeting_date": DATE_WIDGET,
            "order": forms.NumberInput(attrs={"min": 1, "style": "width: 4em"}),
        }


class ProposalPointForm(RowForm):
    class Meta:
        model = ProposalPoint
        fields = ["order", "text"]
        field_classes = {"text": MarkdownTextField}
        widgets = {
            "order": forms.NumberInput(attrs={"min": 1, "style": "width: 4em"}),
            "text": forms.Textarea(attrs={"rows": 8}),
        }


class ReasonSectionForm(RowForm):
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


class ReferenceForm(RowForm):
    order_field = ""  # references have no order: shown in the order they were entered

    class Meta:
        model = DecisionReference
        fields = ["number", "note"]


class SignatoryForm(RowForm):
    class Meta:
        model = Signatory
        fields = ["order", "name", "office"]
        widgets = {"order": forms.NumberInput(attrs={"min": 1, "style": "width: 4em"})}


class AnnexForm(RowForm):
    order_field = "number"

    class Meta:
        model = Annex
        fields = ["number", "title", "generated", "intro"]
        widgets = {
            "number": forms.NumberInput(attrs={"min": 1, "style": "width: 4em"}),
            "intro": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"intro": MarkdownTextField}


class FinancialItemForm(RowForm):
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
        field_classes = {"annual_amount": MoneyField}
        widgets = {"order": forms.NumberInput(attrs={"min": 1, "style": "width: 4em"})}


class RowFormSet(BaseInlineFormSet):
    """Rows edited without a save in between: a new row gets the next order number (not 1),
    and the page may add rows (``with_added_row``) before anything is saved."""

    @property
    def order_field(self) -> str:
        return self.form.order_field

    def next_order(self) -> int:
        if not self.order_field:
            return 1
        numbers = [getattr(row, self.order_field) or 0 for row in self.get_queryset()]
        return max(numbers, default=0) + 1

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:  # named as the editor's button that checks it
            form.fields["DELETE"].label = "Zeile entfernen"

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if self.order_field and index is not None and index >= self.initial_form_count():
            kwargs["initial"] = {
                self.order_field: self.next_order() + index - self.initial_form_count()
            }
        return kwargs


class PositionLinkRowForm(RowForm):
    """A linked position in the editor: its place in the Anlage, or removed from the paper.
    New links come from the search ("Stellen verknüpfen"), so this part has no empty row."""

    class Meta:
        model = DecisionPosition
        fields = ["order"]
        widgets = {"order": forms.NumberInput(attrs={"min": 1, "style": "width: 4em"})}
        labels = {"order": "Nr. in der Anlage"}


def _formset(model, form, extra=1):
    return inlineformset_factory(
        Decision, model, form=form, formset=RowFormSet, extra=extra, can_delete=True
    )


ConsultationStepFormSet = _formset(ConsultationStep, ConsultationStepForm)

ProposalPointFormSet = _formset(ProposalPoint, ProposalPointForm)
ReferenceFormSet = _formset(DecisionReference, ReferenceForm)
ReasonSectionFormSet = _formset(ReasonSection, ReasonSectionForm)
FinancialItemFormSet = _formset(FinancialItem, FinancialItemForm)
SignatoryFormSet = _formset(Signatory, SignatoryForm)
AnnexFormSet = _formset(Annex, AnnexForm)
PositionLinkFormSet = _formset(DecisionPosition, PositionLinkRowForm, extra=0)

#: At most this many rows per part (also what "Zeile hinzufügen" adds up to).
MAX_ROWS = 200


def with_added_row(data, prefix: str, order_field: str):
    """A copy of the submitted `data` with one more (empty) row in formset `prefix`, numbered
    after the highest order number submitted; None when `data` holds no such formset."""
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", ""))
    except ValueError:
        return None
    if not 0 <= total < MAX_ROWS:
        return None
    data = data.copy()
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    if order_field:
        numbers = []
        for index in range(total):
            value = data.get(f"{prefix}-{index}-{order_field}", "").strip()
            if value.isdigit() and not data.get(f"{prefix}-{index}-DELETE"):
                numbers.append(int(value))
        data[f"{prefix}-{total}-{order_field}"] = str(max(numbers, default=0) + 1)
    return data


FORMSET_LABELS = {
    "steps": "Beratungsfolge",
    "points": "Beschlussantrag (Ziffern)",
    "references": "Bezüge auf andere GRDrs",
    "sections": "Begründung (Abschnitte und Unterabschnitte)",
    "items": "Sonstige finanzielle Auswirkungen",
    "signatories": "Unterzeichner/-innen",
    "annexes": "Anlagen",
    "positions": "Verknüpfte Stellen",
}


def main_formsets(data=None, instance=None) -> dict:
    """The parts edited together with the document: Beratungsfolge, Beschlussantrag, Bezüge."""
    return {
        "steps": ConsultationStepFormSet(
            data,
            instance=instance,
            prefix="beratung",
            queryset=ConsultationStep.objects.select_related("committee"),
        ),
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


def positions_formset(data=None, instance=None) -> BaseInlineFormSet:
    return PositionLinkFormSet(
        data,
        instance=instance,
        prefix="stelle",
        queryset=DecisionPosition.objects.select_related(
            "position__org_unit", "position__pay_grade"
        ),
    )


def _all_parts(data, instance) -> dict:
    formsets = {
        **main_formsets(data, instance),
        **text_formsets(data, instance),
        **finance_formsets(data, instance),
    }
    if instance is not None and instance.pk is not None:
        formsets["positions"] = positions_formset(data, instance)
    return formsets


def editor_formsets(data=None, instance=None) -> dict:
    """Every part of a paper, for the one-page editor: all are validated and saved together.
    The linked positions only of a saved paper (they are linked through the search).

    A part whose management form is not in `data` (an older page of one part, a script)
    stays unbound: it shows and keeps what is saved (``submitted_parts`` leaves it out)."""
    unbound = _all_parts(None, instance)
    if data is None:
        return unbound
    bound = _all_parts(data, instance)
    return {
        name: formset if f"{formset.prefix}-TOTAL_FORMS" in data else unbound[name]
        for name, formset in bound.items()
    }


@dataclass(frozen=True)
class EditorSection:
    """One section of the one-page editor: its anchor (``#begruendung``), heading, whether
    it holds the paper's own fields, and its parts (names of ``editor_formsets``)."""

    anchor: str
    title: str
    parts: tuple[str, ...] = ()
    with_form: bool = False


#: The sections of the editor in the order of the paper (and of its table of contents).
EDITOR_SECTIONS = (
    EditorSection("kopf", "Kopf der Vorlage", with_form=True),
    EditorSection("beratungsfolge", "Beratungsfolge", ("steps",)),
    EditorSection("beschlussantrag", "Beschlussantrag", ("points", "references")),
    EditorSection("begruendung", "Begründung", ("sections",)),
    EditorSection("stellen", "Stellen", ("positions",)),
    EditorSection("finanzen", "Finanzielle Auswirkungen", ("items",)),
    EditorSection("unterschriften", "Unterschriften", ("signatories",)),
    EditorSection("anlagen", "Anlagen", ("annexes",)),
)


def formset_has_errors(formset: BaseInlineFormSet) -> bool:
    return bool(formset.non_form_errors()) or any(form.errors for form in formset.forms)


def sections_with_errors(form: forms.BaseForm | None, formsets: dict) -> list[EditorSection]:
    """The sections whose input was refused (for the table of contents and the message)."""
    return [
        section
        for section in EDITOR_SECTIONS
        if (section.with_form and form is not None and form.errors)
        or any(name in formsets and formset_has_errors(formsets[name]) for name in section.parts)
    ]


def submitted_parts(formsets: dict) -> dict:
    """The parts the page sent (see ``editor_formsets``): validated and saved."""
    return {name: formset for name, formset in formsets.items() if formset.is_bound}


@dataclass(frozen=True)
class EditorPageSection:
    """A section as the editor page shows it: its form and formsets, and whether it has
    errors to show (the table of contents marks it)."""

    section: EditorSection
    form: forms.BaseForm | None
    formsets: list[tuple[str, BaseInlineFormSet]]
    has_errors: bool


def editor_page_sections(
    form: forms.BaseForm, formsets: dict, *, quiet: bool = False
) -> list[EditorPageSection]:
    """The sections of the one-page editor with their parts; `quiet` (a row added, a
    preview) shows no errors yet."""
    wrong = set() if quiet else {s.anchor for s in sections_with_errors(form, formsets)}
    return [
        EditorPageSection(
            section=section,
            form=form if section.with_form else None,
            formsets=[
                (FORMSET_LABELS[name], formsets[name]) for name in section.parts if name in formsets
            ],
            has_errors=section.anchor in wrong,
        )
        for section in EDITOR_SECTIONS
    ]


def form_data(form: forms.ModelForm) -> dict[str, Any]:
    """The cleaned values of the model fields a (row) form edits, for a service; as a model
    form saves them: a field not sent at all keeps its model default (a new row's order)."""
    data = {}
    for name in form._meta.fields or ():
        if name not in form.cleaned_data:
            continue
        field = form.fields[name]
        omitted = field.widget.value_omitted_from_data(form.data, form.files, form.add_prefix(name))
        if (
            omitted
            and form.cleaned_data[name] in field.empty_values
            and form._meta.model._meta.get_field(name).has_default()
        ):
            continue
        data[name] = form.cleaned_data[name]
    return data


def part_changes(formset: BaseInlineFormSet) -> PartChanges:
    """What a validated formset asks to save, as data for ``decisions.services``: the rows
    that changed or are new (a new row only when filled in) and those marked for deletion —
    the rows ``formset.save()`` would touch."""
    deleted = set(formset.deleted_forms)
    saved: list[tuple[int | None, dict[str, Any]]] = []
    removed: list[int] = []
    for form in formset.forms:
        pk = form.instance.pk
        if form in deleted:
            if pk is not None:
                removed.append(pk)
        elif form.has_changed():
            values = form_data(form)
            values.pop(formset.fk.name, None)  # the paper: the service sets it
            saved.append((pk, values))
    return PartChanges(model=formset.model, saved=saved, deleted=removed)


class DecisionVersionForm(Form):
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
