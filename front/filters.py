"""Filters of the list pages (django-filter), shared with the Excel export of a filtered list."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext_lazy as _

from core.forms import FastSelect, Form
from core.parsing import YEAR_MAX, YEAR_MIN
from costing.selectors import org_tree
from decisions.models import Committee, ConsultationStep, Decision, ProposalPoint, ReasonSection
from departments.models import OrgUnit
from departments.selectors import OrgTree
from stellenplan.models import PayGrade, Position
from stellenplan.selectors import active_in_year, search_positions

#: At most this many words in a search: each word adds a handful of conditions, and SQLite
#: refuses a query of some hundred words ("expression tree is too large").
MAX_SEARCH_TERMS = 20
StrOrPromise = str | Promise


def search_terms_limited(value: str) -> None:
    """A German form error for a search of more than ``MAX_SEARCH_TERMS`` words."""
    count = len(value.split())
    if count > MAX_SEARCH_TERMS:
        raise ValidationError(
            "Die Suche „%(start)s …“ hat %(count)s Wörter; bitte höchstens %(max)s Suchbegriffe "
            "eingeben.",
            code="too_many_terms",
            params={"start": " ".join(value.split()[:3]), "count": count, "max": MAX_SEARCH_TERMS},
        )


def search_filter(label: StrOrPromise, help_text: StrOrPromise = "") -> django_filters.CharFilter:
    return django_filters.CharFilter(
        label=label,
        method="filter_text",
        help_text=help_text,
        validators=[search_terms_limited],
    )


class PositionFilter(django_filters.FilterSet):
    org_unit = django_filters.ModelChoiceFilter(
        label=_("Org.einheit (mit Untereinheiten)"),
        queryset=OrgUnit.objects.order_by("code"),
        method="filter_org_unit",
        empty_label="alle",
        # some 700 units: rendered without a template per option, from the cached tree
        widget=FastSelect(choices_source=lambda: [("", "alle"), *org_tree().choices()]),
    )
    pay_grade = django_filters.ModelChoiceFilter(
        label=_("Stellenwert"),
        queryset=PayGrade.objects.all(),
        empty_label="alle",
        widget=FastSelect,
    )
    status_group = django_filters.ChoiceFilter(
        label=_("Beamte/Tarif"),
        field_name="pay_grade__status_group",
        choices=PayGrade.StatusGroup.choices,
        empty_label="alle",
        widget=FastSelect,
    )
    note = django_filters.ChoiceFilter(
        label=_("Stellenvermerk"),
        choices=[("-", _("ohne Vermerk")), *Position.Note.choices[1:]],
        method="filter_note",
        empty_label="alle",
        widget=FastSelect,
    )
    year = django_filters.NumberFilter(
        label=_("aktiv im Jahr"),
        method="filter_year",
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        decimal_places=0,
        help_text=_("Stellen, die in diesem Jahr mindestens einen Monat besetzt sind."),
    )
    q = search_filter(
        label=_("Suche"),
        help_text=_(
            "Funktionsbezeichnung, Stellennummer, Org.einheit (auch übergeordnete), "
            "Stellenwert oder Aufgaben; Stellen passender Einheiten zuerst."
        ),
    )

    class Meta:
        model = Position
        fields: list[str] = []
        form = Form  # the project's input check (control characters, ids)

    def cache_key(self) -> tuple[tuple[str, str], ...]:
        """The filter as applied (its valid, non-empty values; an object by its pk), equal for
        equal filters: what the list's cached sums are keyed by. Call after ``qs``."""
        if not self.is_bound:
            return ()
        return tuple(
            sorted(
                (name, str(value.pk if isinstance(value, Model) else value))
                for name, value in self.form.cleaned_data.items()
                if value not in (None, "")
            )
        )

    def filter_org_unit(self, queryset: QuerySet, name: str, value: OrgUnit) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(org_unit_id__in=self.tree.descendants_or_self([value.pk]))

    def filter_note(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(note="" if value == "-" else value)

    def filter_year(self, queryset: QuerySet, name: str, value) -> QuerySet:
        year = int(value)
        if not YEAR_MIN <= year <= YEAR_MAX:
            return queryset.none()
        return active_in_year(queryset, year)

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Every word in the position's fields or its org unit and the units above it;
        positions of a matching unit first (``stellenplan.selectors.search_positions``)."""
        return search_positions(queryset, value, self.tree)

    @cached_property
    def tree(self) -> OrgTree:
        """The org tree, cached by the data version (one query), for both filters that walk it."""
        return org_tree()


def committee_choices() -> list[tuple[str, str]]:
    names = (
        Committee.objects.filter(consultation_steps__isnull=False)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )
    return [(name, name) for name in names]


class DecisionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label="Status", choices=Decision.Status.choices, empty_label="alle"
    )
    year = django_filters.NumberFilter(
        label="Jahr", method="filter_year", min_value=YEAR_MIN, max_value=YEAR_MAX, decimal_places=0
    )
    committee = django_filters.ChoiceFilter(
        label="Gremium", choices=committee_choices, method="filter_committee", empty_label="alle"
    )
    q = search_filter(label="Text")

    class Meta:
        model = Decision
        fields: list[str] = []
        form = Form

    def filter_year(self, queryset: QuerySet, name: str, value) -> QuerySet:
        year = int(value)
        if not YEAR_MIN <= year <= YEAR_MAX:
            return queryset.none()
        return queryset.filter(Q(date__year=year) | Q(number__endswith=f"/{year}"))

    def filter_committee(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            pk__in=ConsultationStep.objects.filter(committee__name=value).values("decision_id")
        )

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split():
            matching = (
                Q(title__icontains=word)
                | Q(project__icontains=word)
                | Q(number__icontains=word)
                | Q(pk__in=ProposalPoint.objects.filter(text__icontains=word).values("decision"))
                | Q(
                    pk__in=ReasonSection.objects.filter(
                        Q(text__icontains=word) | Q(heading__icontains=word)
                    ).values("decision")
                )
            )
            queryset = queryset.filter(matching)
        return queryset
