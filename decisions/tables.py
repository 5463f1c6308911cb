"""The decision list table (django-tables2)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from decisions.models import Decision


class DecisionTable(tables.Table):
    number = tables.Column(verbose_name="GRDrs", empty_values=())
    date = tables.DateColumn(verbose_name="Datum", format="d.m.Y")
    title = tables.Column(verbose_name="Betreff")
    kind = tables.Column(verbose_name="Art")
    status = tables.Column(verbose_name="Status")
    position_count = tables.Column(
        verbose_name="Stellen", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )

    class Meta:
        model = Decision
        fields = ["number", "date", "title", "kind", "status", "position_count"]
        order_by = ["-date"]
        empty_text = "Keine Beschlussvorlagen gefunden."
        template_name = "decisions/table.html"

    def render_number(self, value: str) -> str:
        return value or "–"

    def render_title(self, value: str, record: Decision) -> str:
        url = reverse("decisions:detail", args=[record.pk])
        project = (
            format_html('<br><span class="muted">{}</span>', record.project)
            if record.project
            else ""
        )
        return format_html('<a href="{}">{}</a>{}', url, value, project)
