"""The positions list filter, shared by the list page and its exports (same GET parameters)."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from departments.forms import FastSelect
from departments.models import OrgUnit
from departments.selectors import org_tree
from stellenplan.models import PayGrade, Position
from stellenplan.selectors import active_in_year


class PositionFilter(django_filters.FilterSet):
    org_unit = django_filters.ModelChoiceFilter(
        label=_("Org.einheit (mit Untereinheiten)"),
        queryset=OrgUnit.objects.order_by("code"),
        method="filter_org_unit",
        empty_label="alle",
        widget=FastSelect,  # some 700 units: rendered without a template per option
    )
    pay_grade = django_filters.ModelChoiceFilter(
        label=_("Stellenwert"), queryset=PayGrade.objects.all(), empty_label="alle"
    )
    status_group = django_filters.ChoiceFilter(
        label=_("Beamte/Tarif"),
        field_name="pay_grade__status_group",
        choices=PayGrade.StatusGroup.choices,
        empty_label="alle",
    )
    note = django_filters.ChoiceFilter(
        label=_("Stellenvermerk"),
        choices=[("-", _("ohne Vermerk")), *Position.Note.choices[1:]],
        method="filter_note",
        empty_label="alle",
    )
    year = django_filters.NumberFilter(
        label=_("aktiv im Jahr"),
        method="filter_year",
        min_value=1900,
        max_value=2200,
        decimal_places=0,
        help_text=_("Stellen, die in diesem Jahr mindestens einen Monat besetzt sind."),
    )
    q = django_filters.CharFilter(
        label=_("Suche"),
        method="filter_text",
        help_text=_("Funktionsbezeichnung, Org.einheit, Stellenwert oder Aufgaben."),
    )

    class Meta:
        model = Position
        fields: list[str] = []

    def filter_org_unit(self, queryset: QuerySet, name: str, value: OrgUnit) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(org_unit_id__in=org_tree().descendants_or_self([value.pk]))

    def filter_note(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(note="" if value == "-" else value)

    def filter_year(self, queryset: QuerySet, name: str, value) -> QuerySet:
        year = int(value)
        if not 1900 <= year <= 2200:
            return queryset.none()
        return active_in_year(queryset, year)

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Every word in title, org unit, grade or tasks; or the whole text is a grade ("A 13 hD")."""
        words = Q()
        for word in value.split():
            words &= (
                Q(title__icontains=word)
                | Q(org_unit__code__icontains=word)
                | Q(org_unit__name__icontains=word)
                | Q(pay_grade__code__iexact=word)
                | Q(tasks__icontains=word)
            )
        phrase = " ".join(value.split())
        return queryset.filter(words | Q(pay_grade__code__iexact=phrase)) if phrase else queryset
