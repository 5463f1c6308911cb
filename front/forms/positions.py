"""Forms of the staffing plan: positions and pay grades, German input throughout."""

from __future__ import annotations

from typing import Any

from django import forms

from core.formatting import format_decimal
from core.forms import (
    FastSelect,
    Form,
    GermanDateField,
    GermanDecimalField,
    ReadBackMixin,
    VersionedModelForm,
    model_choice_field,
)
from core.parsing import parse_id
from decisions.departures import Departure, PlanValues, position_departures
from departments.models import OrgUnit
from front.forms.fields import MarkdownTextField
from stellenplan.models import FTE_MAX, KW_WITHOUT_DATE, PayGrade, Position, StaffingPlan
from stellenplan.plan_services import ChangeAuthority
from stellenplan.services import POSITION_FIELDS


class FteField(GermanDecimalField):
    """Anzahl der Stellen: reads "0,5", "0.5", "1", "50 %"; the range is the model's rule.

    "0.500" is a German number with a thousands separator (five hundred), which is what
    Django's localized input would make of it; the model refuses 500, and the form says how the
    input was read (``reading``).
    """

    default_error_messages = {
        "required": "Bitte die Anzahl der Stellen angeben, z. B. 0,5 oder 1,0.",
    }
    example = "0,5 oder 1,0 (Stellenanteil)"
    percent = True
    percent_share = True
    show = "decimal"
    read_back = True
    thousands_hint_above = FTE_MAX
    size = 6


class PayGradeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PayGrade) -> str:
        return f"{obj.code} ({obj.get_status_group_display()})"


class ChangeBasisMixin(Form):
    """Section "Grundlage der Änderung": a change of the Stellenplan (with its authority: a
    GRDrs or a Stellenplan, the date it applies from, im Vorgriff, an Erläuterung) or a
    correction that changes nothing in the plan (e.g. a typo). Left empty: a correction."""

    CHANGE = "aenderung"
    CORRECTION = "berichtigung"

    basis = forms.ChoiceField(
        label="Grundlage der Änderung",
        choices=[
            (CHANGE, "Stellenplanänderung (mit GRDrs oder Stellenplan)"),
            (CORRECTION, "Berichtigung (keine Stellenplanänderung)"),
        ],
        widget=forms.RadioSelect,
        required=False,
        help_text="Eine Stellenplanänderung erscheint im Veränderungsnachweis; eine "
        "Berichtigung korrigiert nur die Erfassung. Ohne Auswahl: eine Stellenplanänderung, "
        "wenn GRDrs oder Stellenplan angegeben sind, sonst eine Berichtigung.",
    )
    grdrs = forms.CharField(
        label="GRDrs", max_length=30, required=False, help_text="z. B. 647/2011."
    )
    plan = forms.ModelChoiceField(
        label="Stellenplan",
        queryset=StaffingPlan.objects.all(),
        required=False,
        empty_label="– keiner –",
        help_text="Statt oder neben der GRDrs: der Stellenplan, der die Änderung enthält.",
    )
    effective_date = GermanDateField(
        label="wirksam ab",
        required=False,
        help_text="Format TT.MM.JJJJ; bei einer neuen Stelle leer: ihr Beginn.",
    )
    in_advance = forms.BooleanField(
        label="im Vorgriff",
        required=False,
        help_text="Schaffung im Vorgriff auf den nächsten Stellenplan.",
    )
    change_explanation = forms.CharField(
        label="Erläuterung",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    #: the date a change applies from when none is entered (None: required)
    default_effective_field: str | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        grdrs = " ".join((cleaned.get("grdrs") or "").split())
        cleaned["grdrs"] = grdrs
        if not cleaned.get("basis"):
            # nothing chosen: a change if its authority is given, else a correction
            named = grdrs or cleaned.get("plan") is not None
            cleaned["basis"] = self.CHANGE if named else self.CORRECTION
        if cleaned["basis"] != self.CHANGE:
            return cleaned
        if not grdrs and cleaned.get("plan") is None:
            self.add_error(
                "grdrs",
                "Eine Stellenplanänderung braucht ihre Grundlage: bitte die GRDrs "
                "(z. B. 647/2011) oder den Stellenplan angeben.",
            )
        if cleaned.get("effective_date") is None and "effective_date" not in self.errors:
            fallback = (
                cleaned.get(self.default_effective_field) if self.default_effective_field else None
            )
            if fallback is None:
                self.add_error(
                    "effective_date",
                    "Bitte angeben, ab wann die Stellenplanänderung wirkt (TT.MM.JJJJ).",
                )
            else:
                cleaned["effective_date"] = fallback
        return cleaned

    def authority(self) -> ChangeAuthority | None:
        """The authority of a change of the Stellenplan; None for a correction."""
        if self.cleaned_data.get("basis") != self.CHANGE:
            return None
        return ChangeAuthority(
            effective_date=self.cleaned_data["effective_date"],
            grdrs=self.cleaned_data.get("grdrs") or "",
            plan=self.cleaned_data.get("plan"),
            in_advance=bool(self.cleaned_data.get("in_advance")),
            explanation=self.cleaned_data.get("change_explanation") or "",
        )


class PositionForm(ReadBackMixin, ChangeBasisMixin, VersionedModelForm):
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

    confirm_kw_without_date = forms.BooleanField(
        label="KW ohne Datum bestätigen",
        required=False,
        help_text=KW_WITHOUT_DATE,
    )
    confirm_departure = forms.BooleanField(
        label="Abweichung vom Beschluss bestätigen",
        required=False,
        help_text="Die Stelle wird trotzdem so gespeichert; die Abweichung steht danach bei "
        "der Stelle, beim Beschluss und in den Prüfungen vor dem Beschluss des Stellenplans.",
    )

    class Meta:
        model = Position
        fields = POSITION_FIELDS
        # The tasks are Markdown in the annex of a decision (PDF).
        field_classes = {
            "pay_grade": PayGradeChoiceField,
            "ku_target_grade": PayGradeChoiceField,
            "tasks": MarkdownTextField,
        }
        labels = {"fixed_term": "befristet"}
        # "Befristet" follows from the end date (see clean()).
        help_texts = {
            "org_unit": "Die Organisationseinheit, bei der die Stelle geführt wird.",
            "pay_grade": "Besoldungs- oder Entgeltgruppe laut Stellenplan.",
            "title": "z. B. „Sachbearbeitung Finanzen (inkl. Finanzcontrolling)“.",
            "note": "KW: künftig wegfallend, KU: künftig umzuwandeln.",
            "ku_target_grade": "Nur bei KU: die Gruppe, in die die Stelle umgewandelt wird.",
            "tasks": "Eine Aufgabe je Zeile.",
            "number": "Optional; eine Stellennummer darf nur einmal vergeben sein.",
            "fixed_term": "Eine Stelle mit Ende ist befristet (wird beim Speichern gesetzt); "
            "für „befristet“ bitte das Ende angeben.",
        }
        widgets = {
            "org_unit": FastSelect,
            "pay_grade": FastSelect,
            "number": forms.TextInput(attrs={"size": 16, "autocomplete": "off"}),
            "ku_target_grade": FastSelect,
            "title": forms.TextInput(attrs={"size": 60}),
            "task_heading": forms.TextInput(attrs={"size": 60}),
            "tasks": forms.Textarea(attrs={"rows": 5, "cols": 60}),
            "justification": forms.Textarea(attrs={"rows": 4, "cols": 60}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_unit = model_choice_field(self, "org_unit")
        org_unit.queryset = OrgUnit.objects.order_by("code")
        pay_grade = model_choice_field(self, "pay_grade")
        pay_grade.queryset = PayGrade.objects.order_by("sort_order", "code")
        target = model_choice_field(self, "ku_target_grade")
        target.queryset = PayGrade.objects.order_by("sort_order", "code")
        if self.instance.pk is None:
            self.default_effective_field = "start_date"
        #: Abweichungen seit Beschluss of the position as saved, and of the values entered
        self.saved_departures: list[Departure] = (
            position_departures(self.instance.pk) if self.instance.pk is not None else []
        )
        self.departures = list(self.saved_departures)
        self.new_departures: list[Departure] = []
        if self.instance.pk is not None and not self.is_bound:
            saved = self.instance
            self.fields["confirm_kw_without_date"].initial = (
                saved.note == Position.Note.KW and saved.note_date is None
            )

    def clean_number(self) -> str:
        return " ".join((self.cleaned_data.get("number") or "").split())

    def clean(self) -> dict[str, Any]:
        """Befristet and Ende: an end date makes the position befristet; befristet without an
        end date is refused. KW without a date only when confirmed explicitly."""
        super().clean()
        data = self.cleaned_data
        end_date = data.get("end_date")
        data["fixed_term"] = Position.fixed_term_for(end_date, bool(data.get("fixed_term")))
        if end_date is None and data["fixed_term"] and "end_date" not in self.errors:
            self.add_error(
                "end_date",
                forms.ValidationError(
                    "Eine befristete Stelle braucht ein Ende: bitte angeben, bis wann sie "
                    "befristet ist (oder „befristet“ abwählen).",
                    code="fixed_term_without_end",
                ),
            )
        kw_open = data.get("note") == Position.Note.KW and data.get("note_date") is None
        if kw_open and "note_date" not in self.errors and not data.get("confirm_kw_without_date"):
            self.add_error(
                "note_date",
                forms.ValidationError(
                    "KW ohne Datum: %(meaning)s Bitte ein Datum angeben oder „KW ohne Datum "
                    "bestätigen“ ankreuzen.",
                    code="kw_without_date",
                    params={"meaning": KW_WITHOUT_DATE},
                ),
            )
        self._check_departures(data)
        return data

    def _check_departures(self, data: dict[str, Any]) -> None:
        """Values that depart from what the council decided (issue 22) are saved only once
        the user has seen them and confirmed: a form-level notice on the first submit."""
        if self.instance.pk is None:
            return
        values = [data.get(name) for name in ("org_unit", "pay_grade", "fte", "start_date")]
        if any(value is None for value in values):
            return  # the field errors come first
        entered = PlanValues(
            org_unit_code=data["org_unit"].code,
            pay_grade_code=data["pay_grade"].code,
            fte=data["fte"],
            start_date=data["start_date"],
            end_date=data.get("end_date"),
        )
        self.departures = position_departures(self.instance.pk, entered)
        saved = set(self.saved_departures)
        self.new_departures = [d for d in self.departures if d not in saved]
        if self.new_departures and not data.get("confirm_departure"):
            papers = ", ".join(
                dict.fromkeys(
                    f"{d.grdrs_label} (beschlossen am {d.adopted_on:%d.%m.%Y})"
                    for d in self.new_departures
                )
            )
            details = "; ".join(
                d.text.replace(", jetzt ", ", eingegeben ") for d in self.new_departures
            )
            self.add_error(
                None,
                forms.ValidationError(
                    "Noch nicht gespeichert: die Eingaben weichen vom Beschluss des "
                    "Gemeinderats ab – %(papers)s: %(details)s. Bitte prüfen; zum Speichern "
                    "„Abweichung vom Beschluss bestätigen“ ankreuzen.",
                    code="departs_from_decision",
                    params={"papers": papers, "details": details},
                ),
            )


class VersionForm(Form):
    """The version a delete confirmation was opened with."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PositionDeleteForm(ChangeBasisMixin, VersionForm):
    """Deleting a position: the version opened and the basis of its Streichung. For a position
    a paper decided or created (``basis_required``) the Streichung and its basis are required:
    deleting it is a change of the Stellenplan, not a correction."""

    def __init__(self, *args: Any, basis_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.basis_required = basis_required
        self.fields["effective_date"].help_text = "Format TT.MM.JJJJ: ab wann die Stelle entfällt."
        basis: forms.ChoiceField = self.fields["basis"]  # type: ignore[assignment]
        basis.label = "Grundlage des Löschens"
        streichung = (self.CHANGE, "Streichung (mit GRDrs oder Stellenplan)")
        if basis_required:
            basis.choices = [streichung]
            basis.initial = self.CHANGE
            basis.help_text = (
                "Löschen ist hier eine Streichung; sie erscheint im Veränderungsnachweis."
            )
        else:
            basis.choices = [
                streichung,
                (self.CORRECTION, "Berichtigung (keine Stellenplanänderung)"),
            ]
            basis.help_text = (
                "Eine Streichung erscheint im Veränderungsnachweis; eine Berichtigung löscht "
                "nur eine Erfassung (z. B. eine doppelt erfasste Stelle). Ohne Auswahl: eine "
                "Streichung, wenn GRDrs oder Stellenplan angegeben sind."
            )

    def clean(self) -> dict[str, Any]:
        if self.basis_required:
            self.cleaned_data["basis"] = self.CHANGE
        return super().clean()


class PayGradeForm(VersionedModelForm):
    class Meta:
        model = PayGrade
        fields = ["code", "status_group", "career_group", "sort_order"]
        help_texts = {
            "sort_order": "Reihenfolge in Listen und Auswahlfeldern (kleinere Zahl zuerst).",
        }

    def clean_code(self) -> str:
        # one space between parts; that the code is new (ignoring case) is the model's rule
        return " ".join(self.cleaned_data["code"].split())


class PositionMoveForm(Form):
    """Move all or selected positions of an org unit to another one (Umorganisation).

    The positions offered are those of ``source`` now; ``versions`` carries the version of
    each as the page showed it, so a position saved meanwhile is refused, not overwritten.
    """

    source = forms.ModelChoiceField(
        label="Von Org.einheit",
        queryset=OrgUnit.objects.order_by("code"),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Diese Org.einheit gibt es nicht (mehr)."},
    )
    target = forms.ModelChoiceField(
        label="Nach Org.einheit",
        queryset=OrgUnit.objects.order_by("code"),
        widget=FastSelect,
        error_messages={
            "required": "Bitte die Org.einheit wählen, in die die Stellen verschoben werden.",
            "invalid_choice": "Diese Org.einheit gibt es nicht (mehr).",
        },
    )
    positions = forms.TypedMultipleChoiceField(
        label="Stellen",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Bitte mindestens eine Stelle zum Verschieben auswählen.",
            "invalid_choice": "Die Stelle Nr. %(value)s ist nicht mehr in dieser Org.einheit; "
            "bitte die Seite neu laden.",
        },
    )
    versions = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        raw = self.data.get("source") if self.is_bound else self.initial.get("source")
        source_id = parse_id(str(raw)) if raw not in (None, "") else None
        self.source_unit = OrgUnit.objects.filter(pk=source_id).first() if source_id else None
        self.source_positions = (
            list(
                Position.objects.filter(org_unit_id=self.source_unit.pk)
                .select_related("pay_grade")
                .order_by("pay_grade__sort_order", "title", "id")
            )
            if self.source_unit
            else []
        )
        choices: forms.ChoiceField = self.fields["positions"]  # type: ignore[assignment]
        choices.choices = [(p.pk, position_label(p)) for p in self.source_positions]
        if not self.is_bound:
            self.initial.setdefault("positions", [p.pk for p in self.source_positions])
            self.initial["versions"] = " ".join(
                f"{p.pk}:{p.version}" for p in self.source_positions
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        shown: dict[int, int] = {}
        for pair in (data.get("versions") or "").split():
            pk, _, version = pair.partition(":")
            if pk.isdigit() and version.isdigit():
                shown[int(pk)] = int(version)
        chosen = data.get("positions") or []
        current = {p.pk: p.version for p in self.source_positions}
        # a position without a version shown (page tampered with) counts as seen now
        data["positions"] = {pk: shown.get(pk, current.get(pk, 0)) for pk in chosen}
        return data


def position_label(position: Position) -> str:
    """A position in a choice: "29-1/0815 · A 12 · SB Finanzen · 1,0 Stelle"."""
    parts = [position.number] if position.number else []
    parts += [
        position.pay_grade.code,
        position.title,
        f"{format_decimal(position.fte)} {'Stelle' if position.fte == 1 else 'Stellen'}",
    ]
    return " · ".join(parts)
