"""Forms of the Sitzungsdienst's worklist: Gremien, Sitzungen, scheduling, results."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings

from core.forms import Form, GermanDateField, VersionedModelForm
from decisions.council import ResultEntry
from decisions.models import Committee, ConsultationStep, Meeting

TIME_WIDGET = forms.TimeInput(format="%H:%M", attrs={"placeholder": "HH:MM", "size": 5})


class CommitteeForm(VersionedModelForm):
    class Meta:
        model = Committee
        fields = ["name", "short_name", "classification", "active"]

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


def _local(day: datetime.date, at: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, at, tzinfo=ZoneInfo(settings.TIME_ZONE))


class MeetingForm(VersionedModelForm):
    """A meeting: committee, day, start and end time (German input), place, abgesagt."""

    day = GermanDateField(label="Sitzungstag")
    start_time = forms.TimeField(label="Beginn (Uhrzeit)", widget=TIME_WIDGET)
    end_time = forms.TimeField(label="Ende (Uhrzeit)", widget=TIME_WIDGET, required=False)

    field_order = ["committee", "day", "start_time", "end_time", "location", "cancelled"]

    class Meta:
        model = Meeting
        fields = ["committee", "start", "end", "location", "cancelled"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["start"], self.fields["end"]
        committees = Committee.objects.order_by("name")
        if self.instance.pk is None:
            committees = committees.filter(active=True)
        self.fields["committee"].queryset = committees  # type: ignore[attr-defined]
        if self.instance.pk is not None:
            start = self.instance.start.astimezone(ZoneInfo(settings.TIME_ZONE))
            self.initial.setdefault("day", start.date())
            self.initial.setdefault("start_time", start.time())
            if self.instance.end is not None:
                end = self.instance.end.astimezone(ZoneInfo(settings.TIME_ZONE))
                self.initial.setdefault("end_time", end.time())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
        if day is not None and start is not None:
            data["start"] = _local(day, start)
            data["end"] = _local(day, end) if end is not None else None
        return data


class ScheduleForm(Form):
    """Put a step on the agenda of a meeting of its committee, with its TOP."""

    meeting = forms.ModelChoiceField(label="Sitzung", queryset=Meeting.objects.none())
    agenda_number = forms.CharField(
        label="TOP", max_length=12, required=False, help_text="z. B. 5 oder 5.1"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, step: ConsultationStep, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["meeting"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Meeting.objects.filter(
            committee=step.committee, cancelled=False
        ).select_related("committee")


class ResultForm(Form):
    """One agenda item of the worklist: TOP, result, its date and a note."""

    step = forms.IntegerField(widget=forms.HiddenInput)
    agenda_number = forms.CharField(
        label="TOP", max_length=12, required=False, widget=forms.TextInput(attrs={"size": 4})
    )
    result = forms.ChoiceField(
        label="Ergebnis",
        required=False,
        choices=[("", "– noch keines –"), *ConsultationStep.Result.choices],
    )
    result_date = GermanDateField(label="Datum", required=False)
    note = forms.CharField(
        label="Bemerkung", required=False, widget=forms.TextInput(attrs={"size": 16})
    )

    def entry(self) -> ResultEntry:
        data = self.cleaned_data
        return ResultEntry(
            step_id=data["step"],
            result=data["result"],
            result_date=data["result_date"],
            note=data["note"],
            agenda_number=data["agenda_number"],
        )


ResultFormSet = forms.formset_factory(ResultForm, extra=0, max_num=500)


class WorklistVersionForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def result_initial(items: list[ConsultationStep]) -> list[dict[str, Any]]:
    """The worklist rows as the meeting's agenda holds them."""
    return [
        {
            "step": item.pk,
            "agenda_number": item.agenda_number,
            "result": item.result,
            "result_date": item.result_date,
            "note": item.result_note,
        }
        for item in items
    ]
