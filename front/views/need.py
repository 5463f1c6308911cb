"""Personalbedarfsberechnung: calculations with their lines, and the Jahresarbeitszeiten.

Everyone logged in reads; the Personalamt (rights on the models, ``core.roles``) writes.
Edits use the optimistic lock of ``core.concurrency``: a conflict shows the form again with
what the other person changed (HTTP 409).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.concurrency import ConcurrentEditError, DeleteRefusedError
from core.history import history_entries
from core.permissions import get_for_user, require_right, rights
from core.users import request_user
from core.xlsx import xlsx_response
from front.forms.need import NeedCalculationForm, NeedLineForm, WorkingTimeForm
from front.forms.positions import VersionForm
from stellenplan.models import NeedCalculation, NeedLine, Position, WorkingTime
from stellenplan.need import VERTEILZEIT_MODE, calculate
from stellenplan.need_excel import write_need_workbook
from stellenplan.need_services import (
    needcalculation_create,
    needcalculation_delete,
    needcalculation_update,
    needline_create,
    needline_delete,
    needline_update,
    workingtime_create,
    workingtime_delete,
    workingtime_update,
)

CALCULATIONS = NeedCalculation.objects.prefetch_related(
    "lines", "positions__org_unit", "positions__pay_grade"
)


def _history(model, pk: int):
    return history_entries(model.history.filter(id=pk).select_related("history_user"), model)


# --- calculations ---------------------------------------------------------------------------


@login_required
@require_GET
def need_list(request: HttpRequest) -> HttpResponse:
    results = [calculate(c) for c in CALCULATIONS.order_by("title", "id")]
    return render(
        request,
        "need/need_list.html",
        {"results": results, "rights": rights(request.user, NeedCalculation)},
    )


@login_required
@require_GET
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    calculation = get_for_user(request.user, NeedCalculation, pk, "view", CALCULATIONS)
    return render(
        request,
        "need/need_detail.html",
        {
            "calculation": calculation,
            "result_list": [calculate(calculation)],
            "lines": calculation.lines.all(),
            "rights": rights(request.user, NeedCalculation),
            "line_rights": rights(request.user, NeedLine),
            "history": _history(NeedCalculation, calculation.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_create(request: HttpRequest) -> HttpResponse:
    require_right(request.user, NeedCalculation, "add")
    initial = {}
    chosen = request.GET.get("stelle", "")
    if chosen.isdigit() and Position.objects.filter(pk=int(chosen)).exists():
        initial["positions"] = [int(chosen)]
    form = NeedCalculationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            calculation = needcalculation_create(
                acting_user=request_user(request),
                data=form.model_data(),
                positions=list(form.cleaned_data["positions"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Die Bedarfsberechnung „{calculation}“ wurde angelegt.")
            return redirect("need:detail", pk=calculation.pk)
    return render(request, "need/need_form.html", {"form": form, "calculation": None})


@login_required
@require_http_methods(["GET", "POST"])
def need_update(request: HttpRequest, pk: int) -> HttpResponse:
    calculation = get_for_user(request.user, NeedCalculation, pk, "change")
    status = 200
    form = NeedCalculationForm(request.POST or None, instance=calculation)
    if request.method == "POST" and form.is_valid():
        try:
            needcalculation_update(
                acting_user=request_user(request),
                calculation=form.instance,
                expected_version=form.cleaned_data["version"],
                data=form.model_data(),
                positions=list(form.cleaned_data["positions"]),
                opened=form.opened_values(),
            )
        except ConcurrentEditError as error:
            if error.current is None:
                messages.error(request, str(error))
                return redirect("need:list")
            form = NeedCalculationForm.after_conflict(request.POST, error)
            calculation = error.current
            status = 409
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Die Bedarfsberechnung „{calculation}“ wurde gespeichert.")
            return redirect("need:detail", pk=pk)
    return render(
        request, "need/need_form.html", {"form": form, "calculation": calculation}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_delete(request: HttpRequest, pk: int) -> HttpResponse:
    calculation = get_for_user(request.user, NeedCalculation, pk, "delete")
    form = VersionForm(request.POST or None, initial={"version": calculation.version})
    if request.method == "POST" and form.is_valid():
        try:
            needcalculation_delete(
                acting_user=request_user(request),
                calculation=calculation,
                expected_version=form.cleaned_data["version"],
            )
        except (ConcurrentEditError, DeleteRefusedError) as error:
            messages.error(request, str(error))
            if NeedCalculation.objects.filter(pk=pk).exists():
                return redirect("need:detail", pk=pk)
        else:
            messages.success(request, f"Die Bedarfsberechnung „{calculation}“ wurde gelöscht.")
        return redirect("need:list")
    return render(
        request,
        "need/confirm_delete.html",
        {
            "form": form,
            "what": f"die Bedarfsberechnung „{calculation}“ mit allen Zeilen",
            "back": calculation,
        },
    )


@login_required
@require_GET
def need_export(request: HttpRequest) -> HttpResponseBase:
    """Every calculation as an Excel sheet "Personalbedarfsberechnung"."""
    return xlsx_response(
        lambda handle: write_need_workbook(
            handle, (calculate(c) for c in CALCULATIONS.order_by("title", "id"))
        ),
        "Personalbedarfsberechnung.xlsx",
    )


# --- lines ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def line_create(request: HttpRequest, pk: int) -> HttpResponse:
    calculation = get_for_user(request.user, NeedCalculation, pk, "view")
    require_right(request.user, NeedLine, "add")
    next_order = (
        calculation.lines.order_by("-order").values_list("order", flat=True).first() or 0
    ) + 1
    form = NeedLineForm(request.POST or None, initial={"order": next_order})
    if request.method == "POST" and form.is_valid():
        try:
            line = needline_create(
                acting_user=request_user(request), calculation=calculation, data=form.model_data()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Die Zeile „{line}“ wurde angelegt.")
            return redirect("need:detail", pk=pk)
    return render(
        request, "need/line_form.html", {"form": form, "calculation": calculation, "line": None}
    )


def _line(request: HttpRequest, pk: int, line_pk: int, action) -> NeedLine:
    line = get_for_user(request.user, NeedLine, line_pk, action)
    if line.calculation_id != pk:
        line = get_object_or_404(NeedLine, pk=line_pk, calculation_id=pk)
    return line


@login_required
@require_http_methods(["GET", "POST"])
def line_update(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    line = _line(request, pk, line_pk, "change")
    status = 200
    form = NeedLineForm(request.POST or None, instance=line)
    if request.method == "POST" and form.is_valid():
        try:
            needline_update(
                acting_user=request_user(request),
                line=form.instance,
                expected_version=form.cleaned_data["version"],
                data=form.model_data(),
                opened=form.opened_values(),
            )
        except ConcurrentEditError as error:
            if error.current is None:
                messages.error(request, str(error))
                return redirect("need:detail", pk=pk)
            form = NeedLineForm.after_conflict(request.POST, error)
            line = error.current
            status = 409
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Die Zeile „{line}“ wurde gespeichert.")
            return redirect("need:detail", pk=pk)
    return render(
        request,
        "need/line_form.html",
        {
            "form": form,
            "calculation": line.calculation,
            "line": line,
            "history": _history(NeedLine, line.pk),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def line_delete(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    line = _line(request, pk, line_pk, "delete")
    form = VersionForm(request.POST or None, initial={"version": line.version})
    if request.method == "POST" and form.is_valid():
        try:
            needline_delete(
                acting_user=request_user(request),
                line=line,
                expected_version=form.cleaned_data["version"],
            )
        except (ConcurrentEditError, DeleteRefusedError) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Die Zeile „{line}“ wurde gelöscht.")
        return redirect("need:detail", pk=pk)
    return render(
        request,
        "need/confirm_delete.html",
        {"form": form, "what": f"die Zeile „{line}“", "back": line.calculation},
    )


# --- Jahresarbeitszeiten --------------------------------------------------------------------


@login_required
@require_GET
def workingtime_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "need/workingtime_list.html",
        {
            "parameters": WorkingTime.objects.order_by(
                "status_group", "weekly_hours", "-valid_from"
            ),
            "rights": rights(request.user, WorkingTime),
            "mode": VERTEILZEIT_MODE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def workingtime_create_view(request: HttpRequest) -> HttpResponse:
    require_right(request.user, WorkingTime, "add")
    form = WorkingTimeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            parameter = workingtime_create(
                acting_user=request_user(request), data=form.model_data()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Die Jahresarbeitszeit „{parameter}“ wurde angelegt.")
            return redirect("need:workingtime_list")
    return render(request, "need/workingtime_form.html", {"form": form, "parameter": None})


@login_required
@require_http_methods(["GET", "POST"])
def workingtime_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    parameter = get_for_user(request.user, WorkingTime, pk, "change")
    status = 200
    form = WorkingTimeForm(request.POST or None, instance=parameter)
    if request.method == "POST" and form.is_valid():
        try:
            workingtime_update(
                acting_user=request_user(request),
                parameter=form.instance,
                expected_version=form.cleaned_data["version"],
                data=form.model_data(),
                opened=form.opened_values(),
            )
        except ConcurrentEditError as error:
            if error.current is None:
                messages.error(request, str(error))
                return redirect("need:workingtime_list")
            form = WorkingTimeForm.after_conflict(request.POST, error)
            parameter = error.current
            status = 409
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Die Jahresarbeitszeit „{parameter}“ wurde gespeichert.")
            return redirect("need:workingtime_list")
    return render(
        request,
        "need/workingtime_form.html",
        {"form": form, "parameter": parameter, "history": _history(WorkingTime, parameter.pk)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def workingtime_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    parameter = get_for_user(request.user, WorkingTime, pk, "delete")
    form = VersionForm(request.POST or None, initial={"version": parameter.version})
    if request.method == "POST" and form.is_valid():
        try:
            workingtime_delete(
                acting_user=request_user(request),
                parameter=parameter,
                expected_version=form.cleaned_data["version"],
            )
        except (ConcurrentEditError, DeleteRefusedError) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Die Jahresarbeitszeit „{parameter}“ wurde gelöscht.")
        return redirect("need:workingtime_list")
    return render(
        request,
        "need/confirm_delete.html",
        {"form": form, "what": f"die Jahresarbeitszeit „{parameter}“", "back": None},
    )
