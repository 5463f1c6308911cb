"""Pages that show costs: start page, positions list, position detail, org unit tree and unit.

Every figure comes from the costing engine (costing.engine); a CostingError (e.g. a grade
without a rate) is shown as a message on the page instead of an error page.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from costing import reference_services
from costing.engine import (
    ZERO,
    CostingError,
    GroupTotal,
    MissingRateError,
    YearCosting,
    annual_cost,
    cost_table_for_year,
    cost_year,
    position_cost_by_year,
    rates_of,
    totals_by_unit,
)
from costing.forms import CostRateForm, ReimbursementRuleForm
from costing.models import CostRate, CostTable, ReimbursementRule
from costing.permissions import (
    costrate_rights,
    require_costrate_right,
    require_rule_right,
    rule_rights,
)
from costing.tables import PositionCostTable
from departments.models import OrgUnit
from departments.permissions import orgunit_rights
from departments.selectors import OrgTree, org_tree
from departments.services import history_entries
from stellenplan.filters import PositionFilter
from stellenplan.models import PayGrade, Position
from stellenplan.permissions import position_rights
from stellenplan.selectors import active_in_year
from stellenplan.services import position_history
from stellenplan.tables import paginate
from stellenplan.templatetags.de_format import euro_text

YEAR_MIN, YEAR_MAX = 1900, 2200
DETAIL_YEARS = 5


def current_year() -> int:
    return timezone.localdate().year


def parse_year(value: str | None) -> tuple[int, str | None]:
    """The year asked for in ``?year=``, or this year with a German message if unusable."""
    if value in (None, ""):
        return current_year(), None
    text = value.strip()
    if text.isdigit() and YEAR_MIN <= int(text) <= YEAR_MAX:
        return int(text), None
    return current_year(), (
        f"„{text[:20]}“ ist kein gültiges Jahr (erlaubt {YEAR_MIN} bis {YEAR_MAX}); "
        f"angezeigt wird {current_year()}."
    )


def _costing(year: int, positions=None) -> tuple[YearCosting | None, str | None]:
    try:
        return cost_year(year, positions), None
    except CostingError as error:
        return None, str(error)


# --- start page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One row of the bar chart, in SVG user units (strings, never localized)."""

    label: str
    name: str
    y: str
    text_y: str
    own_width: str
    refund_x: str
    refund_width: str
    value_x: str
    value: str


CHART_LEFT, CHART_WIDTH, ROW_HEIGHT, CHART_TOP = 70, 470, 30, 4


def _units(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def bar_chart(rows: list[tuple[object, GroupTotal]]) -> tuple[list[Bar], str]:
    """Horizontal bars of the cost in the year per department: municipal share + reimbursement."""
    largest = max((total.cost_in_year for _, total in rows), default=Decimal(0))
    bars: list[Bar] = []
    for index, (unit, total) in enumerate(rows):
        scale = Decimal(CHART_WIDTH) / largest if largest > 0 else Decimal(0)
        own = max(total.municipal_share, Decimal(0)) * scale
        refund = total.reimbursement * scale
        y = Decimal(CHART_TOP + index * ROW_HEIGHT)
        bars.append(
            Bar(
                label=unit.code,
                name=unit.name,
                y=_units(y),
                text_y=_units(y + 14),
                own_width=_units(own),
                refund_x=_units(CHART_LEFT + own),
                refund_width=_units(refund),
                value_x=_units(CHART_LEFT + own + refund + 6),
                value=euro_text(total.cost_in_year),
            )
        )
    height = str(CHART_TOP + len(rows) * ROW_HEIGHT + 6)
    return bars, height


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Start page: the staffing plan of a year per Amt/Referat and per Teilhaushalt."""
    year, year_error = parse_year(request.GET.get("year"))
    costing, costing_error = _costing(year)
    bars, chart_height = bar_chart(costing.by_department) if costing else ([], "0")
    return render(
        request,
        "costing/overview.html",
        {
            "year": year,
            "year_error": year_error,
            "costing": costing,
            "costing_error": costing_error,
            "bars": bars,
            "chart_height": chart_height,
            "chart_left": CHART_LEFT,
            "position_rights": position_rights(request.user),
        },
    )


# --- positions ------------------------------------------------------------------------------


def _line_sums(positions) -> dict:
    """Number of lines and Stellen of a set of positions, in one query.

    SQLite sums decimals as floating point: the sum is brought back to the field's two places.
    """
    sums = positions.aggregate(lines=Count("id"), fte=Sum("fte"))
    sums["fte"] = (sums["fte"] or Decimal(0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return sums


@dataclass(frozen=True)
class ListCosts:
    """The annual cost in `year` of the positions of a list that are active then."""

    year: int
    rates: dict[int, Decimal]
    annual_cost: Decimal
    active_fte: Decimal
    active_lines: int


def list_costs(positions: QuerySet[Position], year: int) -> ListCosts:
    """The engine's annual cost of the active lines of `positions`, by groups of equal lines.

    Lines with the same grade and share cost the same (``annual_cost(fte, rate)``, rounded per
    line), so the total is each group's line cost times its number of lines: exactly the
    engine's ``cost_year(year, positions).total.annual_cost``, from one grouped query instead
    of a pass over every line (the list pages stay fast for a whole city).
    """
    table = cost_table_for_year(year)
    rates = rates_of(table)
    groups = list(
        active_in_year(positions, year)
        .order_by()
        .values_list("pay_grade_id", "fte")
        .annotate(lines=Count("id"))
    )
    missing = {grade for grade, _, _ in groups if grade not in rates}
    if missing:
        raise MissingRateError(
            PayGrade.objects.filter(pk__in=missing).values_list("code", flat=True), table
        )
    return ListCosts(
        year=year,
        rates=rates,
        annual_cost=sum((annual_cost(fte, rates[g]) * n for g, fte, n in groups), ZERO),
        active_fte=sum((fte * n for _, fte, n in groups), ZERO),
        active_lines=sum(n for _, _, n in groups),
    )


def with_in_year(positions: QuerySet[Position], year: int) -> QuerySet[Position]:
    """The positions, each marked ``in_year`` if active in `year` (for the rows of a page)."""
    active = active_in_year(Position.objects.filter(pk=OuterRef("pk")), year)
    return positions.annotate(in_year=Exists(active))


@login_required
@require_GET
def position_list(request: HttpRequest) -> HttpResponse:
    """Positions with filters (shared with the exports), sortable, paginated, with a sum row."""
    filterset = PositionFilter(
        request.GET or None,
        queryset=Position.objects.select_related("org_unit", "pay_grade"),
    )
    positions = filterset.qs
    filter_year = filterset.form.cleaned_data.get("year") if filterset.is_bound else None
    year = int(filter_year) if filter_year and YEAR_MIN <= filter_year <= YEAR_MAX else None
    year = year or current_year()
    sums = _line_sums(positions)
    try:
        costs = list_costs(positions, year)
        costing_error = None
        sums.update(annual_cost=costs.annual_cost, active_fte=costs.active_fte)
    except CostingError as error:
        costs, costing_error = None, str(error)
    table = PositionCostTable(
        with_in_year(positions, year), rates=costs.rates if costs else None, year=year, sums=sums
    )
    paginate(request, table, count=sums["lines"])
    return render(
        request,
        "costing/position_list.html",
        {
            "filter": filterset,
            "table": table,
            "sums": sums,
            "year": year,
            "costs": costs,
            "costing_error": costing_error,
            "position_rights": position_rights(request.user),
            "querystring": request.GET.urlencode(),
        },
    )


def first_detail_year(position: Position, this_year: int) -> int:
    """The first year of the detail page's cost window when none is asked for: this year,
    moved into the position's active years so that a past or future position shows them."""
    first = max(this_year, position.start_date.year)
    if position.end_date is None:
        return first
    return min(first, max(position.start_date.year, position.end_date.year - DETAIL_YEARS + 1))


@login_required
@require_GET
def position_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """All fields of a position, its cost in this and the next years, and its history."""
    position = (
        Position.objects.select_related("org_unit", "pay_grade", "org_unit__budget_section")
        .filter(pk=pk)
        .first()
    )
    if position is None:
        if Position.history.filter(id=pk).exists():
            return redirect("stellenplan:deleted_position_detail", pk=pk)
        raise Http404("Diese Stelle gibt es nicht.")
    if request.GET.get("year") in (None, ""):
        first, year_error = first_detail_year(position, current_year()), None
    else:
        first, year_error = parse_year(request.GET.get("year"))
    years = list(range(first, first + DETAIL_YEARS))
    try:
        cost_rows = position_cost_by_year(position, years)
        costing_error = None
    except CostingError as error:
        cost_rows, costing_error = [], str(error)
    tree = org_tree()
    department = tree.units[tree.department_of(position.org_unit_id)]
    section_id = tree.budget_section_of(position.org_unit_id)
    return render(
        request,
        "costing/position_detail.html",
        {
            "position": position,
            "department": department,
            "budget_section": tree.budget_sections.get(section_id) if section_id else None,
            "ancestors": _ancestors(tree, position.org_unit_id),
            "year": first,
            "year_error": year_error,
            "cost_rows": cost_rows,
            "costing_error": costing_error,
            "history": position_history(position.pk),
            "rights": position_rights(request.user),
        },
    )


# --- org units ------------------------------------------------------------------------------


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
                OrgUnit.Kind(unit.kind).label,
                depth,
                totals.get(unit.id),
                bool(children),
            )
        )
        stack.extend((child, depth + 1) for child in reversed(children))
    return rows


def _ancestors(tree: OrgTree, unit_id: int) -> list:
    return [tree.units[i] for i in reversed(tree.ancestors_or_self(unit_id))]


@login_required
@require_GET
def orgunit_tree(request: HttpRequest) -> HttpResponse:
    """The whole org unit tree with Stellen and costs of the year rolled up to every level."""
    year, year_error = parse_year(request.GET.get("year"))
    costing, costing_error = _costing(year)
    tree = costing.tree if costing else org_tree()
    totals = totals_by_unit(costing) if costing else {}
    rows = _walk(tree, tree.children.get(None, []), totals)
    return render(
        request,
        "costing/orgunit_tree.html",
        {
            "year": year,
            "year_error": year_error,
            "rows": rows,
            # one reverse for ~700 links: the unit's id is appended in the template
            "detail_base": reverse("costing:orgunit_detail", args=[0]).removesuffix("0/"),
            "costing": costing,
            "costing_error": costing_error,
            "rights": orgunit_rights(request.user),
        },
    )


@login_required
@require_GET
def orgunit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One unit: its sub-units with rolled-up figures, its positions, its history."""
    unit = get_object_or_404(OrgUnit.objects.select_related("parent", "budget_section"), pk=pk)
    year, year_error = parse_year(request.GET.get("year"))
    tree = org_tree()
    subtree = tree.descendants_or_self([unit.pk])
    positions = Position.objects.select_related("org_unit", "pay_grade").filter(
        org_unit_id__in=subtree
    )
    costing, costing_error = _costing(year, positions)
    totals = totals_by_unit(costing) if costing else {}
    children = [row for row in _walk(tree, [unit.pk], totals)[1:] if row.depth == 1]
    sums = _line_sums(positions)
    if costing is not None:
        sums["annual_cost"] = costing.total.annual_cost
    table = PositionCostTable(
        with_in_year(positions, year),
        rates=rates_of(costing.table) if costing else None,
        year=year,
        sums=sums,
    )
    paginate(request, table, count=sums["lines"])
    section_id = tree.budget_section_of(unit.pk)
    return render(
        request,
        "costing/orgunit_detail.html",
        {
            "unit": unit,
            "year": year,
            "year_error": year_error,
            "ancestors": _ancestors(tree, unit.pk)[:-1],
            "department": tree.units[tree.department_of(unit.pk)],
            "budget_section": tree.budget_sections.get(section_id) if section_id else None,
            "children": children,
            "total": totals.get(unit.pk),
            "costing": costing,
            "costing_error": costing_error,
            "table": table,
            "sums": sums,
            "history": history_entries(
                OrgUnit.history.filter(id=unit.pk).select_related("history_user"), OrgUnit
            ),
            "rights": orgunit_rights(request.user),
            "position_rights": position_rights(request.user),
        },
    )


# --- cost tables ----------------------------------------------------------------------------


@login_required
@require_GET
def costtable_list(request: HttpRequest) -> HttpResponse:
    """The cost tables with the rates of one of them, and the reimbursement rules."""
    tables = list(CostTable.objects.annotate(rate_count=Count("rates")))
    selected = None
    wanted = request.GET.get("tabelle", "")
    if wanted.isdigit():
        selected = next((t for t in tables if t.pk == int(wanted)), None)
    if selected is None and tables:
        selected = tables[0]
    rates = (
        CostRate.objects.filter(table=selected)
        .select_related("pay_grade")
        .order_by("pay_grade__sort_order", "pay_grade__code")
        if selected
        else CostRate.objects.none()
    )
    rules = ReimbursementRule.objects.prefetch_related("org_units").order_by("-valid_from", "name")
    return render(
        request,
        "costing/costtable_list.html",
        {
            "tables": tables,
            "selected": selected,
            "rates": rates,
            "rules": rules,
            "rate_rights": costrate_rights(request.user),
            "rule_rights": rule_rights(request.user),
        },
    )


# --- the Kämmerei's edits: cost rates and reimbursement rules -------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def costrate_update(request: HttpRequest, pk: int) -> HttpResponse:
    require_costrate_right(request.user, "change")
    rate = get_object_or_404(CostRate.objects.select_related("table", "pay_grade"), pk=pk)
    form = CostRateForm(request.POST or None, instance=rate)
    if request.method == "POST" and form.is_valid():
        try:
            reference_services.costrate_update(
                acting_user=request.user, rate=rate, data=form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Der Kostensatz für „{rate.pay_grade.code}“ wurde gespeichert."
            )
            return redirect(f"{reverse('costing:costtable_list')}?tabelle={rate.table_id}")
    return render(request, "costing/costrate_form.html", {"form": form, "rate": rate})


@login_required
@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest) -> HttpResponse:
    require_rule_right(request.user, "add")
    return _rule_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def rule_update(request: HttpRequest, pk: int) -> HttpResponse:
    require_rule_right(request.user, "change")
    return _rule_form(request, get_object_or_404(ReimbursementRule, pk=pk))


def _rule_form(request: HttpRequest, rule: ReimbursementRule | None) -> HttpResponse:
    form = ReimbursementRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            saved = reference_services.reimbursementrule_save(
                acting_user=request.user, rule=rule, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Die Erstattungsregel „{saved.name}“ wurde gespeichert.")
            return redirect(f"{reverse('costing:costtable_list')}#erstattung")
    return render(request, "costing/rule_form.html", {"form": form, "rule": rule})


@login_required
@require_http_methods(["GET", "POST"])
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_rule_right(request.user, "delete")
    rule = get_object_or_404(ReimbursementRule, pk=pk)
    if request.method == "POST":
        reference_services.reimbursementrule_delete(acting_user=request.user, rule=rule)
        messages.success(request, f"Die Erstattungsregel „{rule.name}“ wurde gelöscht.")
        return redirect(f"{reverse('costing:costtable_list')}#erstattung")
    return render(request, "costing/rule_confirm_delete.html", {"rule": rule})
