"""The Stellenplan's data: the plans (list, new draft, new draft from the last adopted plan,
edit a draft), the changes by type with their authority (list with filters, Erläuterung,
Ermächtigung außerhalb des Stellenplans) and the occupations of a position (internal: only
for users with ``stellenplan.view_occupation``, i.e. the Personalamt)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.permissions import get_for_user, require_right, rights
from core.users import request_user
from decisions.models import Decision
from front.forms.plans import (
    AuthorisationForm,
    ChangeExplanationForm,
    ChangeFilterForm,
    NextPlanForm,
    OccupationForm,
    PlanForm,
)
from front.views.common import versioned_delete_page, versioned_edit
from stellenplan import plan_selectors
from stellenplan.models import Occupation, Position, PositionChange, StaffingPlan
from stellenplan.plan_services import (
    authorisation_record,
    change_update_explanation,
    last_adopted_plan,
    occupation_create,
    occupation_delete,
    occupation_update,
    plan_create,
    plan_create_from_last_adopted,
    plan_update,
)

OCCUPATION_PERMISSION = "stellenplan.view_occupation"


def may_see_occupation(user: Any) -> bool:
    return bool(user.has_perm(OCCUPATION_PERMISSION))


def require_occupation_view(user: Any) -> None:
    if not may_see_occupation(user):
        raise PermissionDenied(
            "Stellenbesetzungen sind interne Daten des Personalamts; Ihre Rolle darf sie nicht "
            "ansehen."
        )


def decision_links(grdrs_numbers: Iterable[str]) -> dict[str, str]:
    """GRDrs -> URL of the decision with that number (where one exists)."""
    numbers = {n for n in grdrs_numbers if n}
    found = Decision.objects.filter(number__in=numbers).values_list("number", "pk")
    return {number: reverse("decisions:detail", args=[pk]) for number, pk in found}


def change_rows(changes: Sequence[PositionChange]) -> list[dict[str, Any]]:
    """Each change with the link to its decision (by GRDrs), if the decision exists."""
    links = decision_links(c.grdrs for c in changes)
    return [{"change": c, "decision_url": links.get(c.grdrs)} for c in changes]


# --- plans -----------------------------------------------------------------------------------


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = StaffingPlan.objects.select_related("based_on").order_by("-first_year")
    return render(
        request,
        "plans/plan_list.html",
        {
            "plans": plans,
            "rights": rights(request.user, StaffingPlan),
            "last_adopted": last_adopted_plan(),
            "next_form": NextPlanForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create_view(request: HttpRequest) -> HttpResponse:
    require_right(request.user, StaffingPlan, "add")
    return versioned_edit(
        request,
        PlanForm,
        None,
        save=lambda *, data, **kw: plan_create(**data, **kw),
        template="plans/plan_form.html",
        name="plan",
        done=lambda saved: (f"Der Entwurf „{saved}“ wurde angelegt.", reverse("plans:list")),
    )


@login_required
@require_POST
def plan_create_next_view(request: HttpRequest) -> HttpResponse:
    require_right(request.user, StaffingPlan, "add")
    form = NextPlanForm(request.POST)
    form.is_valid()
    try:
        plan = plan_create_from_last_adopted(
            acting_user=request_user(request), double=bool(form.cleaned_data.get("double"))
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Der Entwurf „{plan}“ wurde auf Grundlage des {plan.based_on} angelegt."
        )
    return redirect("plans:list")


@login_required
@require_http_methods(["GET", "POST"])
def plan_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_for_user(request.user, StaffingPlan, pk, "change")
    if plan.status == StaffingPlan.Status.ADOPTED:
        messages.error(request, f"Der {plan} ist beschlossen und kann nicht geändert werden.")
        return redirect("plans:list")
    return versioned_edit(
        request,
        PlanForm,
        plan,
        save=lambda instance, **kw: plan_update(plan=instance, **kw),
        template="plans/plan_form.html",
        name="plan",
        done=lambda saved: (f"Der {saved} wurde gespeichert.", reverse("plans:list")),
        gone_url=reverse("plans:list"),
    )


# --- changes ---------------------------------------------------------------------------------


@login_required
@require_GET
def change_list(request: HttpRequest) -> HttpResponse:
    """Every change of the Stellenplan, filtered by year, kind, GRDrs and unit."""
    form = ChangeFilterForm(request.GET or None)
    changes = plan_selectors.changes()
    if form.is_valid():
        wanted = form.cleaned_data
        if wanted.get("jahr"):
            changes = changes.filter(effective_date__year=wanted["jahr"])
        if wanted.get("art"):
            changes = changes.filter(kind=wanted["art"])
        if wanted.get("grdrs"):
            changes = changes.filter(grdrs=" ".join(wanted["grdrs"].split()))
        if wanted.get("einheit") is not None:
            unit = wanted["einheit"]
            changes = changes.filter(Q(org_unit_before=unit) | Q(org_unit_after=unit))
    page = Paginator(changes, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "plans/change_list.html",
        {
            "form": form,
            "page": page,
            "rows": change_rows(list(page.object_list)),
            "rights": rights(request.user, PositionChange),
            "querystring": query.urlencode(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the Erläuterung of a change."""
    change = get_for_user(request.user, PositionChange, pk, "change", plan_selectors.changes())
    back = (
        reverse("positions:detail", args=[change.position_id]) + "#aenderungen"
        if change.position_id
        else reverse("plans:changes")
    )
    return versioned_edit(
        request,
        ChangeExplanationForm,
        change,
        save=lambda instance, data, opened, **kw: change_update_explanation(
            change=instance, explanation=data["explanation"], **kw
        ),
        template="plans/change_form.html",
        name="change",
        done=lambda saved: ("Die Erläuterung wurde gespeichert.", back),
        gone_url=reverse("plans:changes"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def authorisation_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """An Ermächtigung außerhalb des Stellenplans for a position (with its end)."""
    require_right(request.user, PositionChange, "add")
    position = get_object_or_404(Position.objects.select_related("org_unit", "pay_grade"), pk=pk)
    form = AuthorisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        authority = form.authority()
        assert authority is not None
        try:
            authorisation_record(
                acting_user=request_user(request),
                position=position,
                authority=authority,
                end_date=form.cleaned_data["end_date"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Die Ermächtigung außerhalb des Stellenplans wurde erfasst.")
            return redirect(reverse("positions:detail", args=[pk]) + "#aenderungen")
    return render(request, "plans/authorisation_form.html", {"form": form, "position": position})


# --- occupations (internal) ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def occupation_list_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The occupations of a position, and a form for a new one (Personalamt only)."""
    require_occupation_view(request.user)
    position = get_object_or_404(Position.objects.select_related("org_unit", "pay_grade"), pk=pk)
    if request.method == "POST":
        require_right(request.user, Occupation, "add")
    return versioned_edit(
        request,
        OccupationForm,
        None,
        save=lambda *, data, **kw: occupation_create(position=position, **data, **kw),
        template="plans/occupation_list.html",
        name="occupation",
        done=lambda saved: (
            "Die Stellenbesetzung wurde erfasst.",
            reverse("plans:occupations", args=[pk]),
        ),
        context={
            "position": position,
            "occupations": plan_selectors.occupations_of_position(pk),
            "rights": rights(request.user, Occupation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def occupation_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_occupation_view(request.user)
    occupation = get_for_user(
        request.user, Occupation, pk, "change", Occupation.objects.select_related("position")
    )
    back = reverse("plans:occupations", args=[occupation.position_id])
    return versioned_edit(
        request,
        OccupationForm,
        occupation,
        save=lambda instance, **kw: occupation_update(occupation=instance, **kw),
        template="plans/occupation_form.html",
        name="occupation",
        done=lambda saved: ("Die Stellenbesetzung wurde gespeichert.", back),
        gone_url=back,
        context={"position": occupation.position},
    )


@login_required
@require_POST
def occupation_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_occupation_view(request.user)
    occupation = get_for_user(request.user, Occupation, pk, "delete")
    return versioned_delete_page(
        request,
        occupation,
        delete=lambda instance, **kw: occupation_delete(occupation=instance, **kw),
        label="Die Stellenbesetzung",
        done=(
            "Die Stellenbesetzung wurde gelöscht.",
            reverse("plans:occupations", args=[occupation.position_id]),
        ),
    )
