"""The start page, and the Kämmerei's pages: cost tables, cost rates, reimbursement rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.concurrency import ConcurrentEditError, DeleteRefusedError
from core.formatting import euro
from core.parsing import parse_id
from core.permissions import get_for_user, require_right, rights
from costing import reference_services, selectors
from costing.engine import (
    GroupTotal,
)
from costing.models import CostRate, CostTable, ReimbursementRule
from departments.selectors import UnitInfo
from front.forms.costs import CostRateForm, CostTableForm, ReimbursementRuleForm
from front.forms.positions import VersionForm
from front.views.common import parse_year, summary_or_error
from stellenplan.models import Position


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect("costs:overview")


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


def bar_chart(rows: Sequence[tuple[UnitInfo, GroupTotal]]) -> tuple[list[Bar], str]:
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
                value=euro(total.cost_in_year) + (" (unvollständig)" if total.incomplete else ""),
            )
        )
    height = str(CHART_TOP + len(rows) * ROW_HEIGHT + 6)
    return bars, height


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Start page: the staffing plan of a year per Amt/Referat and per Teilhaushalt."""
    year, year_error = parse_year(request.GET.get("year"))
    costing, costing_error = summary_or_error(year)
    bars, chart_height = bar_chart(costing.by_department) if costing else ([], "0")
    return render(
        request,
        "costs/overview.html",
        {
            "year": year,
            "year_error": year_error,
            "costing": costing,
            "costing_error": costing_error,
            "bars": bars,
            "chart_height": chart_height,
            "chart_left": CHART_LEFT,
            "position_rights": rights(request.user, Position),
            "rate_rights": rights(request.user, CostRate),
        },
    )


@login_required
@require_GET
def costtable_list(request: HttpRequest) -> HttpResponse:
    """The cost tables with the rates of one of them, and the reimbursement rules."""
    tables = list(CostTable.objects.annotate(rate_count=Count("rates")))
    selected = None
    wanted = parse_id(request.GET.get("tabelle"))
    if wanted is not None:
        selected = next((t for t in tables if t.pk == wanted), None)
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
    missing = selectors.grades_without_rate(selected) if selected else []
    return render(
        request,
        "costs/costtable_list.html",
        {
            "tables": tables,
            "selected": selected,
            "rates": rates,
            "missing": missing,
            "rules": rules,
            "rate_rights": rights(request.user, CostRate),
            "rule_rights": rights(request.user, ReimbursementRule),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def costtable_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Name, "gültig ab" and remark of a cost table (its rates come by import)."""
    table = get_for_user(request.user, CostTable, pk, "change")
    form = CostTableForm(request.POST or None, instance=table)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            reference_services.costtable_update(
                acting_user=request.user,
                table=form.instance,
                expected_version=form.cleaned_data["version"],
                data=form.model_data(),
                opened=form.opened_values(),
            )
        except ConcurrentEditError as error:
            if error.current is None:
                messages.error(request, str(error))
                return redirect("costs:costtable_list")
            form = CostTableForm.after_conflict(request.POST, error)
            table, status = error.current, 409
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Die Kostentabelle „{form.instance.name}“ wurde gespeichert."
            )
            return redirect(f"{reverse('costs:costtable_list')}?tabelle={table.pk}")
    return render(
        request, "costs/costtable_form.html", {"form": form, "table": table}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def costrate_update(request: HttpRequest, pk: int) -> HttpResponse:
    rate = get_for_user(
        request.user, CostRate, pk, "change", CostRate.objects.select_related("table", "pay_grade")
    )
    form = CostRateForm(request.POST or None, instance=rate)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            reference_services.costrate_update(
                acting_user=request.user,
                rate=form.instance,
                expected_version=form.cleaned_data["version"],
                data=form.model_data(),
                opened=form.opened_values(),
            )
        except ConcurrentEditError as error:
            if error.current is None:
                messages.error(request, str(error))
                return redirect("costs:costtable_list")
            form = CostRateForm.after_conflict(request.POST, error)
            rate, status = error.current, 409
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Der Kostensatz für „{rate.pay_grade.code}“ wurde gespeichert."
            )
            return redirect(f"{reverse('costs:costtable_list')}?tabelle={rate.table_id}")
    return render(request, "costs/costrate_form.html", {"form": form, "rate": rate}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest) -> HttpResponse:
    require_right(request.user, ReimbursementRule, "add")
    form = ReimbursementRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = reference_services.reimbursementrule_create(
                acting_user=request.user, **form.model_data()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Die Erstattungsregel „{saved.name}“ wurde gespeichert.")
            return redirect(f"{reverse('costs:costtable_list')}#erstattung")
    return render(request, "costs/rule_form.html", {"form": form, "rule": None})


@login_required
@require_http_methods(["GET", "POST"])
def rule_update(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_for_user(request.user, ReimbursementRule, pk, "change")
    form = ReimbursementRuleForm(request.POST or None, instance=rule)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            saved = reference_services.reimbursementrule_update(
                acting_user=request.user,
                rule=form.instance,
                expected_version=form.cleaned_data["version"],
                data=form.model_data(),
                opened=form.opened_values(),
            )
        except ConcurrentEditError as error:
            if error.current is None:
                messages.error(request, str(error))
                return redirect(f"{reverse('costs:costtable_list')}#erstattung")
            form = ReimbursementRuleForm.after_conflict(request.POST, error)
            rule, status = error.current, 409
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Die Erstattungsregel „{saved.name}“ wurde gespeichert.")
            return redirect(f"{reverse('costs:costtable_list')}#erstattung")
    return render(request, "costs/rule_form.html", {"form": form, "rule": rule}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_for_user(request.user, ReimbursementRule, pk, "delete")
    form = VersionForm(request.POST or None, initial={"version": rule.version})
    if request.method == "POST":
        if not form.is_valid():
            messages.error(
                request,
                "Die Erstattungsregel wurde nicht gelöscht: die Bestätigung war unvollständig. "
                "Bitte erneut bestätigen.",
            )
            return redirect("costs:rule_delete", pk=pk)
        try:
            reference_services.reimbursementrule_delete(
                acting_user=request.user, rule=rule, expected_version=form.cleaned_data["version"]
            )
        except (ConcurrentEditError, DeleteRefusedError) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Die Erstattungsregel „{rule.name}“ wurde gelöscht.")
        return redirect(f"{reverse('costs:costtable_list')}#erstattung")
    return render(request, "costs/rule_confirm_delete.html", {"rule": rule, "form": form})
