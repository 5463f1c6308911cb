"""Pay grades (Stellenwerte): list, create, edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.concurrency import ConcurrentEditError, DeleteRefusedError, describe_usage
from core.permissions import get_for_user, require_right, rights
from core.users import request_user
from front.forms.positions import PayGradeForm, VersionForm
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
            grade = paygrade_create(acting_user=request_user(request), **form.model_data())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Der Stellenwert „{grade.code}“ wurde angelegt.")
            return redirect("paygrades:list")
    return render(request, "paygrades/paygrade_form.html", {"form": form, "grade": None})


@login_required
@require_http_methods(["GET", "POST"])
def paygrade_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    grade = get_for_user(request.user, PayGrade, pk, "change")
    form = PayGradeForm(request.POST or None, instance=grade)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            paygrade_update(
                acting_user=request_user(request),
                grade=form.instance,
                expected_version=form.cleaned_data["version"],
                data=form.model_data(),
                opened=form.opened_values(),
            )
        except ConcurrentEditError as error:
            if error.current is None:
                messages.error(request, str(error))
                return redirect("paygrades:list")
            form = PayGradeForm.after_conflict(request.POST, error)
            grade, status = error.current, 409
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Der Stellenwert „{form.instance.code}“ wurde gespeichert.")
            return redirect("paygrades:list")
    return render(
        request, "paygrades/paygrade_form.html", {"form": form, "grade": grade}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def paygrade_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    grade = get_for_user(request.user, PayGrade, pk, "delete")
    form = VersionForm(request.POST or None, initial={"version": grade.version})
    if request.method == "POST":
        if not form.is_valid():
            messages.error(
                request,
                "Der Stellenwert wurde nicht gelöscht: die Bestätigung war unvollständig. "
                "Bitte erneut bestätigen.",
            )
            return redirect("paygrades:delete", pk=pk)
        try:
            paygrade_delete(
                acting_user=request_user(request),
                grade=grade,
                expected_version=form.cleaned_data["version"],
            )
        except (ConcurrentEditError, DeleteRefusedError) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Der Stellenwert „{grade.code}“ wurde gelöscht.")
        return redirect("paygrades:list")
    return render(
        request,
        "paygrades/paygrade_confirm_delete.html",
        {"grade": grade, "usage": describe_usage(grade), "form": form},
    )
