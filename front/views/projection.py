"""The five-year projection (Finanzplanung N-1 … N+3) for every reader, its Excel export, and
the Kämmerei's pay adjustments (Tarif- und Besoldungsanpassungen) it applies."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.concurrency import ConcurrentEditError, DeleteRefusedError
from core.history import history_entries
from core.permissions import get_for_user, require_right, rights
from core.users import request_user
from core.xlsx import xlsx_response
from costing import reference_services
from costing.engine import CostingError
from costing.models import PayAdjustment
from costing.projection import adjustment_text, cached_projection
from costing.projection_excel import write_projection_workbook
from front.forms.costs import PayAdjustmentForm
from front.forms.positions import VersionForm
from front.views.common import current_year, parse_year


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
    form = PayAdjustmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = reference_services.payadjustment_create(
                acting_user=request_user(request), data=form.model_data()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Die Anpassung „{saved.name}“ wurde angelegt.")
            return redirect("costs:adjustment_list")
    return render(request, "costs/adjustment_form.html", {"form": form, "adjustment": None})


@login_required
@require_http_methods(["GET", "POST"])
def adjustment_update(request: HttpRequest, pk: int) -> HttpResponse:
    adjustment = get_for_user(request.user, PayAdjustment, pk, "change")
    form = PayAdjustmentForm(request.POST or None, instance=adjustment)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            saved = reference_services.payadjustment_update(
                acting_user=request_user(request),
                adjustment=form.instance,
                expected_version=form.cleaned_data["version"],
                data=form.model_data(),
                opened=form.opened_values(),
            )
        except ConcurrentEditError as error:
            if error.current is None:
                messages.error(request, str(error))
                return redirect("costs:adjustment_list")
            form = PayAdjustmentForm.after_conflict(request.POST, error)
            adjustment, status = error.current, 409
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Die Anpassung „{saved.name}“ wurde gespeichert.")
            return redirect("costs:adjustment_list")
    history = history_entries(
        PayAdjustment.history.filter(id=adjustment.pk).select_related("history_user"),
        PayAdjustment,
    )
    return render(
        request,
        "costs/adjustment_form.html",
        {"form": form, "adjustment": adjustment, "history": history},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def adjustment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    adjustment = get_for_user(request.user, PayAdjustment, pk, "delete")
    form = VersionForm(request.POST or None, initial={"version": adjustment.version})
    if request.method == "POST":
        if not form.is_valid():
            messages.error(
                request,
                "Die Anpassung wurde nicht gelöscht: die Bestätigung war unvollständig. "
                "Bitte erneut bestätigen.",
            )
            return redirect("costs:adjustment_delete", pk=pk)
        try:
            reference_services.payadjustment_delete(
                acting_user=request_user(request),
                adjustment=adjustment,
                expected_version=form.cleaned_data["version"],
            )
        except (ConcurrentEditError, DeleteRefusedError) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Die Anpassung „{adjustment.name}“ wurde gelöscht.")
        return redirect("costs:adjustment_list")
    return render(
        request, "costs/adjustment_confirm_delete.html", {"adjustment": adjustment, "form": form}
    )
