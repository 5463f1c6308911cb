"""Pay grades (Stellenwerte): list, create, edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.concurrency import DeleteRefusedError, describe_usage
from core.permissions import require_right, rights
from front.forms.positions import PayGradeForm
from stellenplan.models import PayGrade
from stellenplan.services import (
    paygrade_create,
    paygrade_delete,
    paygrade_update,
)


@login_required
@require_GET
def paygrade_list(request: HttpRequest) -> HttpResponse:
    grades = PayGrade.objects.annotate(position_count=Count("positions")).order_by(
        "sort_order", "code"
    )
    return render(
        request,
        "paygrades/paygrade_list.html",
        {"grades": grades, "rights": rights(request.user, PayGrade)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def paygrade_create_view(request: HttpRequest) -> HttpResponse:
    require_right(request.user, PayGrade, "add")
    form = PayGradeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grade = paygrade_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Der Stellenwert „{grade.code}“ wurde angelegt.")
            return redirect("paygrades:list")
    return render(request, "paygrades/paygrade_form.html", {"form": form, "grade": None})


@login_required
@require_http_methods(["GET", "POST"])
def paygrade_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_right(request.user, PayGrade, "change")
    grade = get_object_or_404(PayGrade, pk=pk)
    form = PayGradeForm(request.POST or None, instance=grade)
    if request.method == "POST" and form.is_valid():
        try:
            paygrade_update(acting_user=request.user, grade=grade, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Der Stellenwert „{grade.code}“ wurde gespeichert.")
            return redirect("paygrades:list")
    return render(request, "paygrades/paygrade_form.html", {"form": form, "grade": grade})


@login_required
@require_http_methods(["GET", "POST"])
def paygrade_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_right(request.user, PayGrade, "delete")
    grade = get_object_or_404(PayGrade, pk=pk)
    if request.method == "POST":
        try:
            paygrade_delete(acting_user=request.user, grade=grade)
        except DeleteRefusedError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Der Stellenwert „{grade.code}“ wurde gelöscht.")
        return redirect("paygrades:list")
    return render(
        request,
        "paygrades/paygrade_confirm_delete.html",
        {"grade": grade, "usage": describe_usage(grade)},
    )
