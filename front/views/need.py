"""Personalbedarfsberechnung: calculations with their lines, and the Jahresarbeitszeiten.

Everyone logged in reads; the Personalamt (rights on the models, ``core.roles``) writes.
Edits use the optimistic lock of ``core.concurrency``: a conflict shows the form again with
what the other person changed (HTTP 409).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.history import history_entries
from core.permissions import get_for_user, require_right, rights
from core.xlsx import xlsx_response
from front.forms.need import NeedCalculationForm, NeedLineForm, WorkingTimeForm
from front.views.common import versioned_delete_page, versioned_edit
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
    return versioned_edit(
        request,
        NeedCalculationForm,
        None,
        save=needcalculation_create,
        template="need/need_form.html",
        name="calculation",
        done=lambda saved: (
            f"Die Bedarfsberechnung „{saved}“ wurde angelegt.",
            reverse("need:detail", args=[saved.pk]),
        ),
        initial=initial,
        extra=_positions,
    )


def _positions(form: NeedCalculationForm) -> dict:
    return {"positions": list(form.cleaned_data["positions"])}


@login_required
@require_http_methods(["GET", "POST"])
def need_update(request: HttpRequest, pk: int) -> HttpResponse:
    calculation = get_for_user(request.user, NeedCalculation, pk, "change")
    return versioned_edit(
        request,
        NeedCalculationForm,
        calculation,
        save=lambda instance, **kw: needcalculation_update(calculation=instance, **kw),
        template="need/need_form.html",
        name="calculation",
        done=lambda saved: (
            f"Die Bedarfsberechnung „{saved}“ wurde gespeichert.",
            reverse("need:detail", args=[pk]),
        ),
        gone_url=reverse("need:list"),
        extra=_positions,
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_delete(request: HttpRequest, pk: int) -> HttpResponse:
    calculation = get_for_user(request.user, NeedCalculation, pk, "delete")
    return versioned_delete_page(
        request,
        calculation,
        delete=lambda instance, **kw: needcalculation_delete(calculation=instance, **kw),
        label="Die Bedarfsberechnung",
        done=(f"Die Bedarfsberechnung „{calculation}“ wurde gelöscht.", reverse("need:list")),
        kept_url=reverse("need:detail", args=[pk]),
        template="need/confirm_delete.html",
        context={
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
    return versioned_edit(
        request,
        NeedLineForm,
        None,
        save=lambda **kw: needline_create(calculation=calculation, **kw),
        template="need/line_form.html",
        name="line",
        done=lambda saved: (
            f"Die Zeile „{saved}“ wurde angelegt.",
            reverse("need:detail", args=[pk]),
        ),
        initial={"order": next_order},
        context={"calculation": calculation},
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
    return versioned_edit(
        request,
        NeedLineForm,
        line,
        save=lambda instance, **kw: needline_update(line=instance, **kw),
        template="need/line_form.html",
        name="line",
        done=lambda saved: (
            f"Die Zeile „{saved}“ wurde gespeichert.",
            reverse("need:detail", args=[pk]),
        ),
        gone_url=reverse("need:detail", args=[pk]),
        context={"calculation": line.calculation, "history": _history(NeedLine, line.pk)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def line_delete(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    line = _line(request, pk, line_pk, "delete")
    return versioned_delete_page(
        request,
        line,
        delete=lambda instance, **kw: needline_delete(line=instance, **kw),
        label="Die Zeile",
        done=(f"Die Zeile „{line}“ wurde gelöscht.", reverse("need:detail", args=[pk])),
        template="need/confirm_delete.html",
        context={"what": f"die Zeile „{line}“", "back": line.calculation},
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
    return versioned_edit(
        request,
        WorkingTimeForm,
        None,
        save=workingtime_create,
        template="need/workingtime_form.html",
        name="parameter",
        done=lambda saved: (
            f"Die Jahresarbeitszeit „{saved}“ wurde angelegt.",
            reverse("need:workingtime_list"),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def workingtime_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    parameter = get_for_user(request.user, WorkingTime, pk, "change")
    return versioned_edit(
        request,
        WorkingTimeForm,
        parameter,
        save=lambda instance, **kw: workingtime_update(parameter=instance, **kw),
        template="need/workingtime_form.html",
        name="parameter",
        done=lambda saved: (
            f"Die Jahresarbeitszeit „{saved}“ wurde gespeichert.",
            reverse("need:workingtime_list"),
        ),
        gone_url=reverse("need:workingtime_list"),
        context={"history": _history(WorkingTime, parameter.pk)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def workingtime_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    parameter = get_for_user(request.user, WorkingTime, pk, "delete")
    return versioned_delete_page(
        request,
        parameter,
        delete=lambda instance, **kw: workingtime_delete(parameter=instance, **kw),
        label="Die Jahresarbeitszeit",
        done=(
            f"Die Jahresarbeitszeit „{parameter}“ wurde gelöscht.",
            reverse("need:workingtime_list"),
        ),
        template="need/confirm_delete.html",
        context={"what": f"die Jahresarbeitszeit „{parameter}“", "back": None},
    )
