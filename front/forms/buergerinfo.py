"""The search of the Bürgerinfo's paper list: GRDrs or Betreff, year, status."""

from __future__ import annotations

from django import forms

from core.forms import Form
from core.parsing import YEAR_MAX, YEAR_MIN


class PaperSearchForm(Form):
    suche = forms.CharField(
        label="GRDrs-Nummer oder Betreff",
        required=False,
        max_length=200,
        help_text="z. B. 647/2011 oder Jobcenter; mehrere Wörter: alle müssen vorkommen",
    )
    jahr = forms.IntegerField(
        label="Jahr",
        required=False,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        help_text="Datum der Vorlage, z. B. 2011",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6}),
    )
    status = forms.ChoiceField(label="Status", required=False)

    def __init__(self, *args, statuses: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        status_field = self.fields["status"]
        assert isinstance(status_field, forms.ChoiceField)
        status_field.choices = [("", "alle"), *statuses]
