"""Editing org units: create, change, delete (the tree pages with costs are in costing.views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from departments.forms import OrgUnitForm
from departments.models import OrgUnit
from departments.permissions import require_orgunit_right
from departments.services import (
    ConcurrentEditError,
    DeleteRefusedError,
    describe_usage,
    orgunit_create,
    orgunit_delete,
    orgunit_update,
)


def _unit_for(request: HttpRequest, pk: int, action: str) -> OrgUnit:
    """The org unit, if the user may `action` it (403) and it exists (404)."""
    require_orgunit_right(request.user, action)
    return get_object_or_404(OrgUnit.objects.select_related("parent", "budget_section"), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def orgunit_create_view(request: HttpRequest) -> HttpResponse:
    require_orgunit_right(request.user, "add")
    if request.method == "POST":
        form = OrgUnitForm(request.POST)
        if form.is_valid():
            try:
                unit = orgunit_create(acting_user=request.user, **form.model_data())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Die Organisationseinheit „{unit}“ wurde angelegt.")
                return redirect("costing:orgunit_detail", pk=unit.pk)
    else:
        initial = {}
        parent_id = request.GET.get("parent", "")
        if parent_id.isdigit() and OrgUnit.objects.filter(pk=parent_id).exists():
            initial["parent"] = int(parent_id)
        form = OrgUnitForm(initial=initial)
    return render(request, "departments/orgunit_form.html", {"form": form, "unit": None})


@login_required
@require_http_methods(["GET", "POST"])
def orgunit_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for(request, pk, "change")
    status = 200
    if request.method == "POST":
        form = OrgUnitForm(request.POST, instance=unit)
        if form.is_valid():
            try:
                orgunit_update(
                    acting_user=request.user,
                    unit=form.instance,
                    expected_version=form.cleaned_data["version"],
                    data=form.model_data(),
                    opened=form.opened_values(),
                )
            except ConcurrentEditError as error:
                if error.current is None:
                    messages.error(request, str(error))
                    return redirect("costing:orgunit_tree")
                form = OrgUnitForm.after_conflict(request.POST, error)
                unit = error.current
                status = 409
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, f"Die Organisationseinheit „{form.instance}“ wurde gespeichert."
                )
                return redirect("costing:orgunit_detail", pk=pk)
    else:
        form = OrgUnitForm(instance=unit)
    return render(
        request, "departments/orgunit_form.html", {"form": form, "unit": unit}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def orgunit_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for(request, pk, "delete")
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = 0
        try:
            orgunit_delete(acting_user=request.user, unit=unit, expected_version=version)
        except (ConcurrentEditError, DeleteRefusedError) as error:
            messages.error(request, str(error))
            if OrgUnit.objects.filter(pk=pk).exists():
                return redirect("costing:orgunit_detail", pk=pk)
            return redirect("costing:orgunit_tree")
        messages.success(request, f"Die Organisationseinheit „{unit}“ wurde gelöscht.")
        return redirect("costing:orgunit_tree")
    return render(
        request,
        "departments/orgunit_confirm_delete.html",
        {
            "unit": unit,
            "usage": describe_usage(
                unit, own_kind="Untereinheit", own_kind_plural="Untereinheiten"
            ),
        },
    )
