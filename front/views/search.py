"""The search of the header: positions (grouped by the org unit that matched, then the
other text matches, each group with its own figures), org units and papers; a GRDrs number
opens its paper."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from costing.engine import current_org_tree
from costing.selectors import PositionGroup, search_position_groups
from decisions.selectors import grdrs_number_in, search_decisions
from departments.models import OrgUnit
from front.filters import search_terms_limited
from front.tables import PositionCostTable, cost_sums
from front.views.common import parse_year

#: Rows of each group of positions on the page (the rest: in the positions list).
SHOWN_POSITIONS = 25
#: At most this many org units and papers are listed.
SHOWN_UNITS = 30
SHOWN_DECISIONS = 30
KINDS = dict(OrgUnit.Kind.choices)


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Suchbegriff",
        max_length=200,
        required=False,
        strip=True,
        validators=[search_terms_limited],
        help_text="Stelle (Funktionsbezeichnung, Stellennummer, Aufgaben, Stellenwert), "
        "Org.einheit (Kürzel oder Bezeichnung), Beschlussvorlage (Betreff oder GRDrs-Nummer "
        "wie 647/2011).",
        error_messages={
            "max_length": "Der Suchbegriff ist zu lang (%(show_value)s Zeichen); bitte "
            "höchstens %(limit_value)s Zeichen eingeben."
        },
    )


def group_table(group: PositionGroup, year: int) -> PositionCostTable:
    """The first ``SHOWN_POSITIONS`` positions of a group as the positions list shows them,
    with the group's own sums in the footer."""
    costs = group.costs
    sums = cost_sums(costs) if costs is not None else {"lines": group.lines, "fte": group.fte}
    return PositionCostTable(
        group.positions[:SHOWN_POSITIONS],
        rates=costs.rates if costs is not None else None,
        year=year,
        sums=sums,
        orderable=False,
    )


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    year, year_error = parse_year(request.GET.get("year"))
    text = form.cleaned_data["q"] if form.is_valid() else ""
    context: dict[str, Any] = {"form": form, "text": text, "year": year, "year_error": year_error}
    if not text:
        return render(request, "search/search.html", context)
    number = grdrs_number_in(text)
    decisions = list(search_decisions(text)[: SHOWN_DECISIONS + 1])
    exact = [decision for decision in decisions if number and decision.number == number]
    if len(exact) == 1:
        return redirect(reverse("decisions:detail", args=[exact[0].pk]))
    tree = current_org_tree()
    positions = search_position_groups(text, year, tree=tree)
    units = tree.named(text)
    groups = [
        (group, group_table(group, year))
        for group in [*positions.unit_groups, positions.text_group]
        if group is not None
    ]
    context |= {
        "number": number,
        "positions": positions,
        "groups": groups,
        "shown_positions": SHOWN_POSITIONS,
        "units": [
            (unit, KINDS.get(unit.kind, unit.kind), tree.units[tree.department_of(unit.id)])
            for unit in units[:SHOWN_UNITS]
        ],
        "more_units": max(len(units) - SHOWN_UNITS, 0),
        "decisions": decisions[:SHOWN_DECISIONS],
        "more_decisions": len(decisions) > SHOWN_DECISIONS,
        "found_nothing": not (groups or units or decisions),
    }
    return render(request, "search/search.html", context)
