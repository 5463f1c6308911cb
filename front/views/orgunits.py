"""Org units: the tree with figures, a unit's page, create, edit, delete."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.concurrency import describe_usage
from core.history import history_entries
from core.parsing import parse_id
from core.permissions import get_for_user, require_right, rights
from costing import selectors
from costing.engine import (
    ZERO,
    GroupTotal,
)
from costing.models import CostRate
from departments.models import OrgUnit
from departments.selectors import OrgTree
from departments.services import orgunit_create, orgunit_delete, orgunit_update
from front.forms.orgunits import OrgUnitForm
from front.tables import PositionCostTable, paginate
from front.views.common import (
    ancestors_of,
    parse_year,
    summary_or_error,
    versioned_delete_page,
    versioned_edit,
)
from stellenplan.models import Position
from stellenplan.selectors import line_sums, positions_for_list


@dataclass
class TreeRow:
    id: int
    code: str
    name: str
    kind: str
    depth: int
    total: GroupTotal | None
    has_children: bool


def _walk(tree: OrgTree, roots: list[int], totals: dict[int, GroupTotal]) -> list[TreeRow]:
    rows: list[TreeRow] = []
    stack = [(root, 0) for root in reversed(roots)]
    seen: set[int] = set()
    while stack:
        unit_id, depth = stack.pop()
        if unit_id in seen:
            continue
        seen.add(unit_id)
        unit = tree.units[unit_id]
        children = tree.children.get(unit_id, [])
        rows.append(
            TreeRow(
                unit.id,
                unit.code,
                unit.name,
                str(OrgUnit.Kind(unit.kind).label),
                depth,
                totals.get(unit.id),
                bool(children),
            )
        )
        stack.extend((child, depth + 1) for child in reversed(children))
    return rows


@login_required
@require_GET
def orgunit_tree(request: HttpRequest) -> HttpResponse:
    """The whole org unit tree with Stellen and costs of the year rolled up to every level."""
    year, year_error = parse_year(request.GET.get("year"))
    costing, costing_error = summary_or_error(year)
    tree = costing.tree if costing else selectors.org_tree()
    totals = costing.by_unit if costing else {}
    rows = _walk(tree, tree.children.get(None, []), totals)
    return render(
        request,
        "orgunits/orgunit_tree.html",
        {
            "year": year,
            "year_error": year_error,
            "rows": rows,
            # one reverse for ~700 links: the unit's id is appended in the template
            "detail_base": reverse("orgunits:detail", args=[0]).removesuffix("0/"),
            "costing": costing,
            "costing_error": costing_error,
            "rights": rights(request.user, OrgUnit),
            "rate_rights": rights(request.user, CostRate),
        },
    )


@login_required
@require_GET
def orgunit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One unit: its sub-units with rolled-up figures, its positions, its history."""
    unit = get_object_or_404(OrgUnit.objects.select_related("parent", "budget_section"), pk=pk)
    year, year_error = parse_year(request.GET.get("year"))
    tree = selectors.org_tree()
    subtree = tree.descendants_or_self([unit.pk])
    positions = positions_for_list().filter(org_unit_id__in=subtree)
    costing, costing_error = summary_or_error(year)
    totals = costing.by_unit if costing else {}
    children = [row for row in _walk(tree, [unit.pk], totals)[1:] if row.depth == 1]
    sums = line_sums(positions, key=("org_unit", unit.pk))
    total = totals.get(unit.pk)
    if costing is not None:
        sums["annual_cost"] = total.annual_cost if total is not None else ZERO
        sums["incomplete"] = total is not None and total.incomplete
        if total is not None and total.incomplete and not total.costed_positions:
            sums["annual_cost"] = None  # no line has a rate: "fehlt", never 0
    table = PositionCostTable(
        positions,
        rates=selectors.year_rates(year) if costing else None,
        year=year,
        sums=sums,
    )
    paginate(request, table, count=sums["lines"])
    section_id = tree.budget_section_of(unit.pk)
    return render(
        request,
        "orgunits/orgunit_detail.html",
        {
            "unit": unit,
            "year": year,
            "year_error": year_error,
            "ancestors": ancestors_of(tree, unit.pk)[:-1],
            "department": tree.units[tree.department_of(unit.pk)],
            "budget_section": tree.budget_sections.get(section_id) if section_id else None,
            "children": children,
            "total": total,
            "costing": costing,
            "costing_error": costing_error,
            "table": table,
            "sums": sums,
            "history": history_entries(
                OrgUnit.history.filter(id=unit.pk).select_related("history_user"), OrgUnit
            ),
            "rights": rights(request.user, OrgUnit),
            "position_rights": rights(request.user, Position),
            "rate_rights": rights(request.user, CostRate),
        },
    )


UNITS = OrgUnit.objects.select_related("parent", "budget_section")


@login_required
@require_http_methods(["GET", "POST"])
def orgunit_create_view(request: HttpRequest) -> HttpResponse:
    require_right(request.user, OrgUnit, "add")
    initial = {}
    parent_id = parse_id(request.GET.get("parent"))
    if parent_id is not None and OrgUnit.objects.filter(pk=parent_id).exists():
        initial["parent"] = parent_id
    return versioned_edit(
        request,
        OrgUnitForm,
        None,
        save=lambda *, data, **kw: orgunit_create(**data, **kw),
        template="orgunits/orgunit_form.html",
        name="unit",
        done=lambda saved: (
            f"Die Organisationseinheit „{saved}“ wurde angelegt.",
            reverse("orgunits:detail", args=[saved.pk]),
        ),
        initial=initial,
    )


@login_required
@require_http_methods(["GET", "POST"])
def orgunit_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_for_user(request.user, OrgUnit, pk, "change", UNITS)
    return versioned_edit(
        request,
        OrgUnitForm,
        unit,
        # the unit as loaded: the service sees a change of parent as a move and checks it
        save=lambda instance, **kw: orgunit_update(unit=instance, **kw),
        template="orgunits/orgunit_form.html",
        name="unit",
        done=lambda saved: (
            f"Die Organisationseinheit „{saved}“ wurde gespeichert.",
            reverse("orgunits:detail", args=[pk]),
        ),
        gone_url=reverse("orgunits:tree"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def orgunit_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_for_user(request.user, OrgUnit, pk, "delete", UNITS)
    return versioned_delete_page(
        request,
        unit,
        delete=lambda instance, **kw: orgunit_delete(unit=instance, **kw),
        label="Die Organisationseinheit",
        done=(f"Die Organisationseinheit „{unit}“ wurde gelöscht.", reverse("orgunits:tree")),
        kept_url=reverse("orgunits:detail", args=[pk]),
        template="orgunits/orgunit_confirm_delete.html",
        context={
            "unit": unit,
            "usage": describe_usage(
                unit, own_kind="Untereinheit", own_kind_plural="Untereinheiten"
            ),
        },
    )
