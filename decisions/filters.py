"""The decision list filter: status, year, Gremium, text (GET parameters of the list page)."""

import django_filters
from django.db.models import Q, QuerySet

from decisions.models import ConsultationStep, Decision, ProposalPoint, ReasonSection


def committee_choices() -> list[tuple[str, str]]:
    names = (
        ConsultationStep.objects.order_by("committee")
        .values_list("committee", flat=True)
        .distinct()
    )
    return [(name, name) for name in names]


class DecisionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="Status", choices=Decision.Status.choices)
    year = django_filters.NumberFilter(label="Jahr", method="filter_year")
    committee = django_filters.ChoiceFilter(
        label="Gremium", choices=committee_choices, method="filter_committee"
    )
    q = django_filters.CharFilter(label="Text", method="filter_text")

    class Meta:
        model = Decision
        fields: list[str] = []

    def filter_year(self, queryset: QuerySet, name: str, value) -> QuerySet:
        year = int(value)
        if not 1900 <= year <= 2200:
            return queryset.none()
        return queryset.filter(Q(date__year=year) | Q(number__endswith=f"/{year}"))

    def filter_committee(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            pk__in=ConsultationStep.objects.filter(committee=value).values("decision_id")
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
