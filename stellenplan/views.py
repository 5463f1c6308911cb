"""Editing the staffing plan: create, change and delete positions and pay grades.

Views parse the request, check the right (403 otherwise), call one service and redirect. The
pages that show positions with their costs are in costing.views.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from departments.models import OrgUnit
from departments.services import (
    ConcurrentEditError,
    DeleteRefusedError,
    describe_usage,
    display_value,
)
from stellenplan.forms import PayGradeForm, PositionForm, VersionForm
from stellenplan.models import PayGrade, Position
from stellenplan.permissions import paygrade_rights, require_paygrade_right, require_position_right
from stellenplan.services import (
    deleted_positions,
    paygrade_create,
    paygrade_delete,
    paygrade_update,
    position_create,
    position_delete,
    position_history,
    position_update,
)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect("costing:overview")


def _position_for(request: HttpRequest, pk: int, action: str) -> Position:
    """The position, if the user may `action` it (403) and it exists (404)."""
    require_position_right(request.user, action)
    return get_object_or_404(Position.objects.select_related("org_unit", "pay_grade"), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def position_create_view(request: HttpRequest) -> HttpResponse:
    require_position_right(request.user, "add")
    if request.method == "POST":
        form = PositionForm(request.POST)
        if form.is_valid():
            try:
                position = position_create(acting_user=request.user, **form.model_data())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Die Stelle „{position}“ wurde angelegt.")
                return redirect("costing:position_detail", pk=position.pk)
    else:
        initial = {}
        unit_id = request.GET.get("org_unit", "")
        if unit_id.isdigit() and OrgUnit.objects.filter(pk=unit_id).exists():
            initial["org_unit"] = int(unit_id)
        form = PositionForm(initial=initial)
    return render(request, "stellenplan/position_form.html", {"form": form, "position": None})


@login_required
@require_http_methods(["GET", "POST"])
def position_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    position = _position_for(request, pk, "change")
    status = 200
    if request.method == "POST":
        form = PositionForm(request.POST, instance=position)
        if form.is_valid():
            try:
                position_update(
                    acting_user=request.user,
                    position=form.instance,
                    expected_version=form.cleaned_data["version"],
                    data=form.model_data(),
                    opened=form.opened_values(),
                )
            except ConcurrentEditError as error:
                if error.current is None:
                    messages.error(request, str(error))
                    return redirect("costing:position_list")
                form = PositionForm.after_conflict(request.POST, error)
                position = error.current
                status = 409
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Die Stelle „{form.instance}“ wurde gespeichert.")
                return redirect("costing:position_detail", pk=pk)
    else:
        form = PositionForm(instance=position)
    return render(
        request,
        "stellenplan/position_form.html",
        {"form": form, "position": position},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def position_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    position = _position_for(request, pk, "delete")
    form = VersionForm(request.POST or None, initial={"version": position.version})
    if request.method == "POST" and form.is_valid():
        try:
            position_delete(
                acting_user=request.user,
                position=position,
                expected_version=form.cleaned_data["version"],
            )
        except (ConcurrentEditError, DeleteRefusedError) as error:
            messages.error(request, str(error))
            if Position.objects.filter(pk=pk).exists():
                return redirect("costing:position_detail", pk=pk)
            return redirect("costing:position_list")
        messages.success(
            request,
            f"Die Stelle „{position}“ wurde gelöscht. Sie bleibt unter „Gelöschte Stellen“ "
            "mit ihrer Historie erhalten.",
        )
        return redirect("costing:position_list")
    fields = [
        (field.verbose_name, display_value(field, getattr(position, field.name)))
        for field in Position._meta.concrete_fields
        if field.name in ("org_unit", "pay_grade", "title", "fte", "start_date", "end_date")
    ]
    return render(
        request,
        "stellenplan/position_confirm_delete.html",
        {"position": position, "form": form, "fields": fields},
    )


@login_required
@require_GET
def deleted_position_list(request: HttpRequest) -> HttpResponse:
    """Deleted positions: who deleted which position when, with a link to its history."""
    page = Paginator(deleted_positions(), 50).get_page(request.GET.get("page"))
    records = list(page.object_list)
    units = OrgUnit.objects.in_bulk({r.org_unit_id for r in records})
    grades = PayGrade.objects.in_bulk({r.pay_grade_id for r in records})
    rows = [
        {
            "record": r,
            "org_unit": units.get(r.org_unit_id),
            "pay_grade": grades.get(r.pay_grade_id),
        }
        for r in records
    ]
    return render(request, "stellenplan/deleted_list.html", {"page": page, "rows": rows})


@login_required
@require_GET
def deleted_position_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The full history of a deleted position, from its creation to its deletion."""
    if Position.objects.filter(pk=pk).exists():
        return redirect("costing:position_detail", pk=pk)
    last = Position.history.filter(id=pk).order_by("-history_date", "-history_id").first()
    if last is None:
        raise Http404("Zu dieser Nummer gibt es keine Stelle und keine Historie.")
    return render(
        request,
        "stellenplan/deleted_detail.html",
        {
            "record": last,
            "org_unit": OrgUnit.objects.filter(pk=last.org_unit_id).first(),
            "pay_grade": PayGrade.objects.filter(pk=last.pay_grade_id).first(),
            "history": position_history(pk),
        },
    )


# --- pay grades -----------------------------------------------------------------------------


@login_required
@require_GET
def paygrade_list(request: HttpRequest) -> HttpResponse:
    grades = PayGrade.objects.annotate(position_count=Count("positions")).order_by(
        "sort_order", "code"
    )
    return render(
        request,
        "stellenplan/paygrade_list.html",
        {"grades": grades, "rights": paygrade_rights(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def paygrade_create_view(request: HttpRequest) -> HttpResponse:
    require_paygrade_right(request.user, "add")
    form = PayGradeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grade = paygrade_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Der Stellenwert „{grade.code}“ wurde angelegt.")
            return redirect("stellenplan:paygrade_list")
    return render(request, "stellenplan/paygrade_form.html", {"form": form, "grade": None})


@login_required
@require_http_methods(["GET", "POST"])
def paygrade_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_paygrade_right(request.user, "change")
    grade = get_object_or_404(PayGrade, pk=pk)
    form = PayGradeForm(request.POST or None, instance=grade)
    if request.method == "POST" and form.is_valid():
        try:
            paygrade_update(acting_user=request.user, grade=grade, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Der Stellenwert „{grade.code}“ wurde gespeichert.")
            return redirect("stellenplan:paygrade_list")
    return render(request, "stellenplan/paygrade_form.html", {"form": form, "grade": grade})


@login_required
@require_http_methods(["GET", "POST"])
def paygrade_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_paygrade_right(request.user, "delete")
    grade = get_object_or_404(PayGrade, pk=pk)
    if request.method == "POST":
        try:
            paygrade_delete(acting_user=request.user, grade=grade)
        except DeleteRefusedError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Der Stellenwert „{grade.code}“ wurde gelöscht.")
        return redirect("stellenplan:paygrade_list")
    return render(
        request,
        "stellenplan/paygrade_confirm_delete.html",
        {"grade": grade, "usage": describe_usage(grade)},
    )
