"""Pay grades (Stellenwerte): list, create, edit, delete."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.concurrency import describe_usage
from core.permissions import get_for_user, require_right, rights
from front.forms.positions import PayGradeForm
from front.views.common import versioned_delete_page, versioned_edit
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
    return versioned_edit(
        request,
        PayGradeForm,
        None,
        save=lambda *, data, **kw: paygrade_create(**data, **kw),
        template="paygrades/paygrade_form.html",
        name="grade",
        done=lambda grade: (
            f"Der Stellenwert „{grade.code}“ wurde angelegt.",
            reverse("paygrades:list"),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def paygrade_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    grade = get_for_user(request.user, PayGrade, pk, "change")
    return versioned_edit(
        request,
        PayGradeForm,
        grade,
        save=lambda instance, **kw: paygrade_update(grade=instance, **kw),
        template="paygrades/paygrade_form.html",
        name="grade",
        done=lambda saved: (
            f"Der Stellenwert „{saved.code}“ wurde gespeichert.",
            reverse("paygrades:list"),
        ),
        gone_url=reverse("paygrades:list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def paygrade_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    grade = get_for_user(request.user, PayGrade, pk, "delete")
    return versioned_delete_page(
        request,
        grade,
        delete=lambda instance, **kw: paygrade_delete(grade=instance, **kw),
        label="Der Stellenwert",
        done=(f"Der Stellenwert „{grade.code}“ wurde gelöscht.", reverse("paygrades:list")),
        template="paygrades/paygrade_confirm_delete.html",
        context={"grade": grade, "usage": describe_usage(grade)},
    )
