"""Positions: the list with its sums, a position's page (costs, history), create, edit, delete,
and the deleted positions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.concurrency import ConcurrentEditError, DeleteRefusedError
from core.formatting import date_de, display_value, money_places
from core.parsing import YEAR_MAX, YEAR_MIN, parse_id
from core.permissions import get_for_user, require_right, rights
from core.users import request_user
from costing import selectors
from costing.engine import (
    CostingError,
)
from costing.models import CostRate
from decisions.departures import position_departures
from decisions.selectors import decisions_for_position
from decisions.services import PositionLinkedError, decided_position_delete
from departments.models import OrgUnit
from front.filters import PositionFilter
from front.forms.positions import PositionDeleteForm, PositionForm, PositionMoveForm
from front.tables import PositionCostTable, cost_sums, paginate
from front.views.common import (
    ancestors_of,
    current_year,
    parse_year,
    versioned_delete_page,
    versioned_edit,
)
from front.views.plans import change_rows, may_see_occupation
from stellenplan import plan_selectors
from stellenplan.models import KW_WITHOUT_DATE, PayGrade, Position, PositionChange
from stellenplan.selectors import line_sums, positions_for_list
from stellenplan.services import (
    MoveRefusedError,
    RestoreRefusedError,
    deleted_positions,
    position_create,
    position_history,
    position_restore,
    position_update,
    positions_move,
)


@login_required
@require_GET
def position_list(request: HttpRequest) -> HttpResponse:
    """Positions with filters (shared with the exports), sortable, paginated, with a sum row."""
    filterset = PositionFilter(request.GET or None, queryset=positions_for_list())
    positions = filterset.qs
    filter_year = filterset.form.cleaned_data.get("year") if filterset.is_bound else None
    year = int(filter_year) if filter_year and YEAR_MIN <= filter_year <= YEAR_MAX else None
    year = year or current_year()
    try:
        costs = selectors.list_sums(positions, year, key=filterset.cache_key())
        costing_error = None
        sums: dict[str, Any] = cost_sums(costs)
    except CostingError as error:
        costs, costing_error = None, str(error)
        sums = line_sums(positions)
    text = filterset.form.cleaned_data.get("q") if filterset.is_bound else None
    # a search: the positions of matching units and the other text matches, each with its sum
    by_rank = (
        selectors.search_rank_sums(positions, year, key=filterset.cache_key())
        if text and costs is not None
        else None
    )
    table = PositionCostTable(positions, rates=costs.rates if costs else None, year=year, sums=sums)
    paginate(request, table, count=int(sums["lines"]))
    return render(
        request,
        "positions/position_list.html",
        {
            "filter": filterset,
            "table": table,
            "sums": sums,
            "year": year,
            "costs": costs,
            "costing_error": costing_error,
            "search_text": text,
            "by_rank": by_rank if by_rank and all(part.lines for part in by_rank) else None,
            "position_rights": rights(request.user, Position),
            "rate_rights": rights(request.user, CostRate),
            "querystring": request.GET.urlencode(),
        },
    )


DETAIL_YEARS = 5


@login_required
@require_GET
def position_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """All fields of a position, its cost in this and the next years, and its history."""
    position = (
        Position.objects.select_related("org_unit", "pay_grade", "org_unit__budget_section")
        .filter(pk=pk)
        .first()
    )
    if position is None:
        if Position.history.filter(id=pk).exists():
            return redirect("positions:deleted_detail", pk=pk)
        raise Http404("Diese Stelle gibt es nicht.")
    if request.GET.get("year") in (None, ""):
        first, year_error = selectors.first_costed_year(position, current_year()), None
    else:
        first, year_error = parse_year(request.GET.get("year"))
    years = list(range(first, first + DETAIL_YEARS))
    try:
        cost_rows = selectors.position_costs(position, years)
        costing_error = None
    except CostingError as error:
        cost_rows, costing_error = [], str(error)
    tree = selectors.org_tree()
    department = tree.units[tree.department_of(position.org_unit_id)]
    section_id = tree.budget_section_of(position.org_unit_id)
    return render(
        request,
        "positions/position_detail.html",
        {
            "position": position,
            "department": department,
            "budget_section": tree.budget_sections.get(section_id) if section_id else None,
            "ancestors": ancestors_of(tree, position.org_unit_id),
            "year": first,
            "year_error": year_error,
            "cost_rows": cost_rows,
            "costing_error": costing_error,
            "history": position_history(position.pk),
            "rights": rights(request.user, Position),
            "rate_rights": rights(request.user, CostRate),
            "decisions": decisions_for_position(position.pk),
            "departures": position_departures(position.pk),
            "kw_without_date": KW_WITHOUT_DATE,
            "cost_places": {
                "rate": money_places(getattr(line, "rate", None) for _, line in cost_rows),
                "annual": money_places(getattr(line, "annual_cost", None) for _, line in cost_rows),
                "in_year": money_places(
                    getattr(line, "cost_in_year", None) for _, line in cost_rows
                ),
            },
            "change_rows": change_rows(plan_selectors.changes_of_position(position.pk)),
            "change_rights": rights(request.user, PositionChange),
            "occupations": (
                plan_selectors.occupations_of_position(position.pk)
                if may_see_occupation(request.user)
                else None
            ),
        },
    )


POSITIONS = Position.objects.select_related("org_unit", "pay_grade")


def warn_missing_rates(request: HttpRequest, position: Position) -> None:
    """After saving: a warning for each cost table the position will be costed with that has
    no rate for its grade (saving stays allowed: the Kämmerei adds the rate later), with a
    link to the table for users who may edit rates."""
    tables = selectors.missing_rate_tables(position)
    if not tables:
        return
    may_edit = rights(request.user, CostRate).change
    grade = PayGrade.objects.get(pk=position.pay_grade_id).code
    for table in tables:
        text = format_html(
            "Für den Stellenwert „{}“ enthält die Kostentabelle „{}“ (gültig ab {}) keinen "
            "Kostensatz: die Kosten dieser Stelle fehlen, und die Summen der Jahre dieser "
            "Tabelle werden als „unvollständig“ angezeigt, bis der Kostensatz ergänzt ist.",
            grade,
            table.name,
            date_de(table.valid_from),
        )
        if may_edit:
            url = f"{reverse('costs:costtable_list')}?tabelle={table.pk}#fehlende"
            text = format_html('{} <a href="{}">Kostensätze ergänzen</a>', text, url)
        else:
            text = format_html("{} Bitte die Kämmerei, den Kostensatz zu ergänzen.", text)
        messages.warning(request, text)


@login_required
@require_http_methods(["GET", "POST"])
def position_create_view(request: HttpRequest) -> HttpResponse:
    require_right(request.user, Position, "add")
    initial = {}
    unit_id = parse_id(request.GET.get("org_unit"))
    if unit_id is not None and OrgUnit.objects.filter(pk=unit_id).exists():
        initial["org_unit"] = unit_id
    return versioned_edit(
        request,
        PositionForm,
        None,
        save=lambda *, data, **kw: position_create(**data, **kw),
        template="positions/position_form.html",
        name="position",
        done=lambda saved: (
            f"Die Stelle „{saved}“ wurde angelegt.",
            reverse("positions:detail", args=[saved.pk]),
        ),
        initial=initial,
        extra=_authority,
        then=lambda saved: warn_missing_rates(request, saved),
    )


def _authority(form: PositionForm | PositionDeleteForm) -> dict:
    return {"authority": form.authority()}


@login_required
@require_http_methods(["GET", "POST"])
def position_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    position = get_for_user(request.user, Position, pk, "change", POSITIONS)
    return versioned_edit(
        request,
        PositionForm,
        position,
        save=lambda instance, **kw: position_update(position=instance, **kw),
        template="positions/position_form.html",
        name="position",
        done=lambda saved: (
            f"Die Stelle „{saved}“ wurde gespeichert.",
            reverse("positions:detail", args=[pk]),
        ),
        gone_url=reverse("positions:list"),
        extra=_authority,
        then=lambda saved: warn_missing_rates(request, saved),
    )


@login_required
@require_http_methods(["GET", "POST"])
def position_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    position = get_for_user(request.user, Position, pk, "delete", POSITIONS)
    fields = [
        (field.verbose_name, display_value(field, getattr(position, field.name)))
        for field in Position._meta.concrete_fields
        if field.name in ("org_unit", "pay_grade", "title", "fte", "start_date", "end_date")
    ]
    decided = [item for item in decisions_for_position(pk) if item.adopted_on]
    created_by_paper = any(change.grdrs for change in plan_selectors.changes_of_position(pk))
    return versioned_delete_page(
        request,
        position,
        delete=lambda instance, **kw: decided_position_delete(position=instance, **kw),
        form_class=PositionDeleteForm,
        form_kwargs={"basis_required": bool(decided) or created_by_paper},
        extra=_authority,
        refused=linked_refusal,
        label="Die Stelle",
        done=(
            f"Die Stelle „{position}“ wurde gelöscht. Sie bleibt unter „Gelöschte Stellen“ "
            "mit ihrer Historie erhalten.",
            reverse("positions:list"),
        ),
        kept_url=reverse("positions:detail", args=[pk]),
        template="positions/position_confirm_delete.html",
        context={"position": position, "fields": fields, "decided": decided},
    )


def linked_refusal(error: DeleteRefusedError) -> str:
    """A refused delete in German; where papers link the position, each named with a link to
    its page."""
    if not isinstance(error, PositionLinkedError) or not error.papers:
        return str(error)
    papers = format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        (
            (reverse("decisions:detail", args=[paper.pk]), paper.grdrs_label)
            for paper in error.papers
        ),
    )
    return format_html("{} Zur Vorlage: {}.", str(error), papers)


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
    return render(
        request,
        "positions/deleted_list.html",
        {"page": page, "rows": rows, "may_restore": rights(request.user, Position).add},
    )


@login_required
@require_GET
def deleted_position_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The full history of a deleted position, from its creation to its deletion."""
    if Position.objects.filter(pk=pk).exists():
        return redirect("positions:detail", pk=pk)
    last = Position.history.filter(id=pk).order_by("-history_date", "-history_id").first()
    if last is None:
        raise Http404("Zu dieser Nummer gibt es keine Stelle und keine Historie.")
    return render(
        request,
        "positions/deleted_detail.html",
        {
            "record": last,
            "org_unit": OrgUnit.objects.filter(pk=last.org_unit_id).first(),
            "pay_grade": PayGrade.objects.filter(pk=last.pay_grade_id).first(),
            "history": position_history(pk),
            "may_restore": rights(request.user, Position).add and last.history_type == "-",
        },
    )


@login_required
@require_POST
def position_restore_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Restore a deleted position (Personalamt): back with its id, values and history."""
    require_right(request.user, Position, "add")
    try:
        position = position_restore(acting_user=request_user(request), position_id=pk)
    except RestoreRefusedError as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(
            request, "Die Stelle kann nicht wiederhergestellt werden: " + " ".join(error.messages)
        )
    else:
        messages.success(
            request,
            f"Die Stelle „{position}“ wurde wiederhergestellt; ihre Historie ist erhalten.",
        )
        warn_missing_rates(request, position)
        return redirect("positions:detail", pk=position.pk)
    if Position.objects.filter(pk=pk).exists():
        return redirect("positions:detail", pk=pk)
    return redirect("positions:deleted_list")


@login_required
@require_http_methods(["GET", "POST"])
def positions_move_view(request: HttpRequest) -> HttpResponse:
    """Move all or selected positions of an org unit to another one in one step."""
    require_right(request.user, Position, "change")
    if request.method == "POST":
        form = PositionMoveForm(request.POST)
        if form.is_valid():
            source, target = form.cleaned_data["source"], form.cleaned_data["target"]
            try:
                moved = positions_move(
                    acting_user=request_user(request),
                    source=source,
                    target=target,
                    expected_versions=form.cleaned_data["positions"],
                )
            except MoveRefusedError as error:
                messages.error(request, str(error))
                form = PositionMoveForm(initial={"source": source.pk, "target": target.pk})
            except ConcurrentEditError as error:
                which = f" „{error.current}“" if error.current is not None else ""
                messages.error(
                    request,
                    f"Es wurde nichts verschoben: die Stelle{which} wurde seit dem Öffnen "
                    f"dieser Seite geändert oder gelöscht. {error} Die Liste zeigt jetzt den "
                    "gespeicherten Stand.",
                )
                form = PositionMoveForm(initial={"source": source.pk, "target": target.pk})
            except ValidationError as error:
                form.add_error(None, error)
            else:
                count = len(moved)
                messages.success(
                    request,
                    f"{count} {'Stelle wurde' if count == 1 else 'Stellen wurden'} von "
                    f"„{source}“ nach „{target}“ verschoben.",
                )
                return redirect(f"{reverse('positions:list')}?org_unit={target.pk}")
    else:
        form = PositionMoveForm(
            initial={"source": parse_id(request.GET.get("von"))}
            if parse_id(request.GET.get("von"))
            else None
        )
    units = OrgUnit.objects.order_by("code").only("pk", "code", "name")
    return render(request, "positions/position_move.html", {"form": form, "units": units})
