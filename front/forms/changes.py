"""The filter of the change log (Änderungsprotokoll): type, user, period."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from core.forms import Form, GermanDateField
from core.history import ChangeLogFilter, history_types

SYSTEM_CHOICE = "0"


class ChangeLogFilterForm(Form):
    typ = forms.MultipleChoiceField(
        label="Art",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Leer: alle Arten. Mehrere mit Strg (Cmd) wählen.",
    )
    benutzer = forms.ChoiceField(label="Benutzer", required=False)
    von = GermanDateField(label="von", required=False, help_text="TT.MM.JJJJ")
    bis = GermanDateField(label="bis", required=False, help_text="TT.MM.JJJJ (einschließlich)")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        types = self.fields["typ"]
        assert isinstance(types, forms.ChoiceField)
        types.choices = history_types()
        users = get_user_model().objects.order_by("username")
        user_field = self.fields["benutzer"]
        assert isinstance(user_field, forms.ChoiceField)
        user_field.choices = [
            ("", "alle"),
            (SYSTEM_CHOICE, "System (Import/Verwaltung)"),
            *((str(user.pk), user.get_username()) for user in users),
        ]

    def clean(self):
        cleaned = super().clean() or {}
        start, end = cleaned.get("von"), cleaned.get("bis")
        if start and end and end < start:
            self.add_error(
                "bis",
                forms.ValidationError(
                    "„bis“ (%(end)s) darf nicht vor „von“ (%(start)s) liegen.",
                    code="end_before_start",
                    params={"end": f"{end:%d.%m.%Y}", "start": f"{start:%d.%m.%Y}"},
                ),
            )
        return cleaned

    def change_filter(self) -> ChangeLogFilter:
        """The filter asked for (call after is_valid(); invalid fields count as not set)."""
        data = getattr(self, "cleaned_data", {})
        user = data.get("benutzer") or ""
        return ChangeLogFilter(
            types=tuple(data.get("typ") or ()),
            user_id=int(user) if user.isdigit() else None,
            date_from=data.get("von"),
            date_to=data.get("bis") if "bis" not in self.errors else None,
        )
