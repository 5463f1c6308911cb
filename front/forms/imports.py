"""Upload forms of the Excel imports."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form, GermanDateField
from stellenplan.imports import default_start_date

XLSX_ACCEPT = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PositionImportForm(Form):
    file = forms.FileField(
        label=_("Excel-Datei (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": XLSX_ACCEPT}),
    )
    default_start = GermanDateField(
        label=_("Beginn für Zeilen ohne Beginn"),
        initial=default_start_date,
        help_text=_("TT.MM.JJJJ; Vorgabe: 1. Januar des nächsten Jahres."),
    )


class CostTableImportForm(Form):
    file = forms.FileField(
        label=_("Excel-Datei (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": XLSX_ACCEPT}),
    )
    name = forms.CharField(
        label=_("Bezeichnung der Kostentabelle"),
        max_length=200,
        help_text=_("z. B. Rundschreiben Nr. 03/2012 – Kosten eines Arbeitsplatzes"),
    )
    valid_from = GermanDateField(label=_("gültig ab"), help_text=_("TT.MM.JJJJ"))
    remark = forms.CharField(
        label=_("Bemerkung"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    create_grades = forms.BooleanField(
        label=_("Unbekannte Stellenwerte anlegen"),
        required=False,
        help_text=_("„A …“ als Beamte, „EG …“ als Tarifbeschäftigte."),
    )


class XlsxUploadForm(Form):
    """An Excel file, nothing else (e.g. the Vorjahreszahlen of a Stellenplan)."""

    file = forms.FileField(
        label=_("Excel-Datei (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": XLSX_ACCEPT}),
    )


def uploaded_file(form: Form) -> tuple[bytes, str]:
    """The bytes and name of the form's uploaded file (the importer checks the bytes before
    opening them)."""
    upload = form.cleaned_data["file"]
    upload.seek(0)
    return upload.read(), upload.name or "Excel-Datei"
