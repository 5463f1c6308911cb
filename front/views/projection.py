"""The five-year projection (Finanzplanung N-1 … N+3) for every reader, its Excel export, and
the Kämmerei's pay adjustments (Tarif- und Besoldungsanpassungen) it applies."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.history import history_entries
from core.permissions import get_for_user, require_right, rights
from core.xlsx import xlsx_response
from costing import reference_services
from costing.engine import CostingError
from costing.models import PayAdjustment
from costing.projection import adjustment_text, cached_projection
from costing.projection_excel import write_projection_workbook
from front.forms.costs import PayAdjustmentForm
from front.views.common import current_year, parse_year, versioned_delete_page, versioned_edit


def _plan_year(request: HttpRequest) -> tuple[int, str | None]:
    """?year=N (the plan year); default: next year, the one the Kämmerei plans."""
    if not request.GET.get("year"):
        return current_year() + 1, None
    return parse_year(request.GET.get("year"))


@login_required
@require_GET
def projection(request: HttpRequest) -> HttpResponse:
    plan_year, year_error = _plan_year(request)
    result, error = None, None
    try:
        result = cached_projection(plan_year)
    except CostingError as exc:
        error = str(exc)
    return render(
        request,
        "costs/projection.html",
        {
            "plan_year": plan_year,
            "year_error": year_error,
            "projection": result,
            "error": error,
            "adjustments": [(a, adjustment_text(a)) for a in result.adjustments] if result else [],
            "adjustment_rights": rights(request.user, PayAdjustment),
        },
    )


@login_required
@require_GET
def projection_export(request: HttpRequest) -> HttpResponseBase:
    plan_year, year_error = _plan_year(request)
    if year_error:
        return render(
            request,
            "excel/excel_export_error.html",
            {"message": year_error, "details": []},
            status=400,
        )
    try:
        result = cached_projection(plan_year)
    except CostingError as exc:
        return render(
            request,
            "excel/excel_export_error.html",
            {"message": str(exc), "details": []},
            status=400,
        )
    years = result.years
    return xlsx_response(
        lambda handle: write_projection_workbook(handle, result),
        f"Stellenplan_Finanzplanung_{years[0]}-{years[-1]}.xlsx",
    )


# --- pay adjustments ------------------------------------------------------------------------


@login_required
@require_GET
def adjustment_list(request: HttpRequest) -> HttpResponse:
    adjustments = list(PayAdjustment.objects.order_by("status_group", "effective_date", "id"))
    return render(
        request,
        "costs/adjustment_list.html",
        {
            "adjustments": [(a, adjustment_text(a)) for a in adjustments],
            "rights": rights(request.user, PayAdjustment),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def adjustment_create(request: HttpRequest) -> HttpResponse:
    require_right(request.user, PayAdjustment, "add")
    return versioned_edit(
        request,
        PayAdjustmentForm,
        None,
        save=reference_services.payadjustment_create,
        template="costs/adjustment_form.html",
        name="adjustment",
        done=lambda saved: (
            f"Die Anpassung „{saved.name}“ wurde angelegt.",
            reverse("costs:adjustment_list"),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def adjustment_update(request: HttpRequest, pk: int) -> HttpResponse:
    adjustment = get_for_user(request.user, PayAdjustment, pk, "change")
    history = history_entries(
        PayAdjustment.history.filter(id=adjustment.pk).select_related("history_user"),
        PayAdjustment,
    )
    return versioned_edit(
        request,
        PayAdjustmentForm,
        adjustment,
        save=lambda instance, **kw: reference_services.payadjustment_update(
            adjustment=instance, **kw
        ),
        template="costs/adjustment_form.html",
        name="adjustment",
        done=lambda saved: (
            f"Die Anpassung „{saved.name}“ wurde gespeichert.",
            reverse("costs:adjustment_list"),
        ),
        gone_url=reverse("costs:adjustment_list"),
        context={"history": history},
    )


@login_required
@require_http_methods(["GET", "POST"])
def adjustment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    adjustment = get_for_user(request.user, PayAdjustment, pk, "delete")
    return versioned_delete_page(
        request,
        adjustment,
        delete=lambda instance, **kw: reference_services.payadjustment_delete(
            adjustment=instance, **kw
        ),
        label="Die Anpassung",
        done=(
            f"Die Anpassung „{adjustment.name}“ wurde gelöscht.",
            reverse("costs:adjustment_list"),
        ),
        template="costs/adjustment_confirm_delete.html",
        context={"adjustment": adjustment},
    )
