"""The start page, and the Kämmerei's pages: cost tables, cost rates, reimbursement rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.concurrency import ConcurrentEditError
from core.formatting import date_de, euro, percent
from core.parsing import parse_id
from core.permissions import get_for_user, require_right, rights
from core.users import request_user
from costing import reference_services, selectors
from costing.engine import RATE_ROUNDING, GroupTotal
from costing.models import CostRate, CostTable, ReimbursementRule
from costing.usage import table_usage
from departments.selectors import UnitInfo
from front.forms.costs import (
    CostRateCreateForm,
    CostRateForm,
    CostTableCreateForm,
    CostTableForm,
    ReimbursementRuleForm,
    RuleNewRateForm,
)
from front.views.common import (
    parse_year,
    summary_or_error,
    versioned_delete_page,
    versioned_edit,
)
from stellenplan.models import Position


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect("costs:overview")


@dataclass(frozen=True)
class Bar:
    """One row of the bar chart, in SVG user units (strings, never localized)."""

    label: str
    name: str
    y: str
    text_y: str
    own_width: str
    refund_x: str
    refund_width: str
    value_x: str
    value: str


CHART_LEFT, CHART_WIDTH, ROW_HEIGHT, CHART_TOP = 70, 470, 30, 4


def _units(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def bar_chart(rows: Sequence[tuple[UnitInfo, GroupTotal]]) -> tuple[list[Bar], str]:
    """Horizontal bars of the cost in the year per department: municipal share + reimbursement."""
    largest = max((total.cost_in_year for _, total in rows), default=Decimal(0))
    bars: list[Bar] = []
    for index, (unit, total) in enumerate(rows):
        scale = Decimal(CHART_WIDTH) / largest if largest > 0 else Decimal(0)
        own = max(total.municipal_share, Decimal(0)) * scale
        refund = total.reimbursement * scale
        y = Decimal(CHART_TOP + index * ROW_HEIGHT)
        bars.append(
            Bar(
                label=unit.code,
                name=unit.name,
                y=_units(y),
                text_y=_units(y + 14),
                own_width=_units(own),
                refund_x=_units(CHART_LEFT + own),
                refund_width=_units(refund),
                value_x=_units(CHART_LEFT + own + refund + 6),
                value=euro(total.cost_in_year) + (" (unvollständig)" if total.incomplete else ""),
            )
        )
    height = str(CHART_TOP + len(rows) * ROW_HEIGHT + 6)
    return bars, height


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Start page: the staffing plan of a year per Amt/Referat and per Teilhaushalt."""
    year, year_error = parse_year(request.GET.get("year"))
    costing, costing_error = summary_or_error(year)
    bars, chart_height = bar_chart(costing.by_department) if costing else ([], "0")
    return render(
        request,
        "costs/overview.html",
        {
            "year": year,
            "year_error": year_error,
            "costing": costing,
            "costing_error": costing_error,
            "bars": bars,
            "chart_height": chart_height,
            "chart_left": CHART_LEFT,
            "position_rights": rights(request.user, Position),
            "rate_rights": rights(request.user, CostRate),
        },
    )


def _list_url(table_id: int | None = None, anchor: str = "") -> str:
    url = reverse("costs:costtable_list")
    if table_id is not None:
        url += f"?tabelle={table_id}"
    return url + anchor


@login_required
@require_GET
def costtable_list(request: HttpRequest) -> HttpResponse:
    """The cost tables with the rates of one of them (the current one unless another is
    asked for), and the reimbursement rules."""
    # Explicit order: Meta.ordering does not apply to a query with an aggregate (GROUP BY),
    # and the "gültig bis" of each row below depends on it (PostgreSQL returned another order).
    tables = list(
        CostTable.objects.annotate(rate_count=Count("rates")).order_by("-valid_from", "-pk")
    )
    selected = None
    wanted = parse_id(request.GET.get("tabelle"))
    if wanted is not None:
        selected = next((t for t in tables if t.pk == wanted), None)
    current = selectors.current_table(timezone.localdate())
    if selected is None and current is not None:
        selected = next((t for t in tables if t.pk == current.pk), None)
    rates = (
        CostRate.objects.filter(table=selected)
        .select_related("pay_grade")
        .order_by("pay_grade__sort_order", "pay_grade__code")
        if selected
        else CostRate.objects.none()
    )
    rules = ReimbursementRule.objects.prefetch_related("org_units").order_by("-valid_from", "name")
    missing = selectors.grades_without_rate(selected) if selected else []
    # newest first: each table applies until the day before the next newer one
    until = [None] + [t.valid_from - timedelta(days=1) for t in tables[:-1]]
    return render(
        request,
        "costs/costtable_list.html",
        {
            "tables": tables,
            "table_rows": list(zip(tables, until, strict=True)),
            "selected": selected,
            "current": current,
            "rates": rates,
            "missing": missing,
            "rules": rules,
            "table_rights": rights(request.user, CostTable),
            "rate_rights": rights(request.user, CostRate),
            "rule_rights": rights(request.user, ReimbursementRule),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def costtable_create(request: HttpRequest) -> HttpResponse:
    """A new cost table in two steps: the form, then (POST) the comparison of the new rates
    with the source table's; "Speichern" there (``bestaetigt``) saves it."""
    require_right(request.user, CostTable, "add")
    form = CostTableCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source = data["source"]
        if "bestaetigt" in request.POST:
            try:
                table = reference_services.costtable_create(
                    acting_user=request_user(request),
                    name=data["name"],
                    valid_from=data["valid_from"],
                    remark=data["remark"],
                    source=source,
                    increase_percent=data["increase"],
                    rounding=data["rounding"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Die Kostentabelle „{table.name}“ wurde angelegt.")
                return redirect(_list_url(table.pk))
        elif "aendern" not in request.POST:
            rows = (
                selectors.copy_preview(source, data["increase"], data["rounding"])
                if source is not None
                else []
            )
            return render(
                request,
                "costs/costtable_create_preview.html",
                {
                    "form": form,
                    "source": source,
                    "rows": rows,
                    "rounding_label": RATE_ROUNDING[data["rounding"]][1],
                    "drop": selectors.new_table_drop(
                        name=data["name"],
                        valid_from=data["valid_from"],
                        source=source,
                        percent=data["increase"],
                        rounding=data["rounding"],
                    ),
                },
            )
    return render(request, "costs/costtable_create.html", {"form": form})


@login_required
@require_GET
def costtable_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """A table's rates against those of its predecessor: old, new and the change in %."""
    table = get_for_user(request.user, CostTable, pk)
    previous = selectors.predecessor_of(table)
    return render(
        request,
        "costs/costtable_compare.html",
        {
            "table": table,
            "previous": previous,
            "rows": selectors.table_comparison(table, previous),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def costtable_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Name, "gültig ab" (re-dating) and remark of a cost table."""
    table = get_for_user(request.user, CostTable, pk, "change")
    return versioned_edit(
        request,
        CostTableForm,
        table,
        save=lambda instance, **kw: reference_services.costtable_update(table=instance, **kw),
        template="costs/costtable_form.html",
        name="table",
        done=lambda saved: (
            f"Die Kostentabelle „{saved.name}“ wurde gespeichert.",
            _list_url(saved.pk),
        ),
        gone_url=_list_url(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def costtable_delete(request: HttpRequest, pk: int) -> HttpResponse:
    table = get_for_user(request.user, CostTable, pk, "delete")
    return versioned_delete_page(
        request,
        table,
        delete=lambda instance, **kw: reference_services.costtable_delete(table=instance, **kw),
        label="Die Kostentabelle",
        done=(f"Die Kostentabelle „{table.name}“ wurde gelöscht.", _list_url()),
        kept_url=_list_url(table.pk),
        template="costs/costtable_confirm_delete.html",
        context={"table": table, "rate_count": table.rates.count(), "usage": table_usage(table)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def costrate_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the rate of a grade the table lacks (``?stellenwert=`` preselects it)."""
    require_right(request.user, CostRate, "add")
    table = get_for_user(request.user, CostTable, pk)
    return versioned_edit(
        request,
        CostRateCreateForm,
        None,
        save=lambda *, data, **kw: reference_services.costrate_create(table=table, **data, **kw),
        template="costs/costrate_create.html",
        name="rate",
        done=lambda rate: (
            f"Der Kostensatz für „{rate.pay_grade.code}“ wurde angelegt.",
            _list_url(table.pk),
        ),
        initial={"pay_grade": parse_id(request.GET.get("stellenwert"))},
        form_kwargs={"table": table},
        context={"table": table},
    )


@login_required
@require_http_methods(["GET", "POST"])
def costrate_update(request: HttpRequest, pk: int) -> HttpResponse:
    rate = get_for_user(
        request.user, CostRate, pk, "change", CostRate.objects.select_related("table", "pay_grade")
    )
    return versioned_edit(
        request,
        CostRateForm,
        rate,
        save=lambda instance, **kw: reference_services.costrate_update(rate=instance, **kw),
        template="costs/costrate_form.html",
        name="rate",
        done=lambda saved: (
            f"Der Kostensatz für „{saved.pay_grade.code}“ wurde gespeichert.",
            _list_url(saved.table_id),
        ),
        gone_url=_list_url(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def costrate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rate = get_for_user(
        request.user, CostRate, pk, "delete", CostRate.objects.select_related("table", "pay_grade")
    )
    return versioned_delete_page(
        request,
        rate,
        delete=lambda instance, **kw: reference_services.costrate_delete(rate=instance, **kw),
        label="Der Kostensatz",
        done=(
            f"Der Kostensatz für „{rate.pay_grade.code}“ wurde gelöscht.",
            _list_url(rate.table_id),
        ),
        template="costs/costrate_confirm_delete.html",
        context={"rate": rate},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest) -> HttpResponse:
    require_right(request.user, ReimbursementRule, "add")
    return versioned_edit(
        request,
        ReimbursementRuleForm,
        None,
        save=lambda *, data, **kw: reference_services.reimbursementrule_create(**data, **kw),
        template="costs/rule_form.html",
        name="rule",
        done=lambda saved: (
            f"Die Erstattungsregel „{saved.name}“ wurde gespeichert.",
            _list_url(anchor="#erstattung"),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_update(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_for_user(request.user, ReimbursementRule, pk, "change")
    return versioned_edit(
        request,
        ReimbursementRuleForm,
        rule,
        save=lambda instance, **kw: reference_services.reimbursementrule_update(
            rule=instance, **kw
        ),
        template="costs/rule_form.html",
        name="rule",
        done=lambda saved: (
            f"Die Erstattungsregel „{saved.name}“ wurde gespeichert.",
            _list_url(anchor="#erstattung"),
        ),
        gone_url=_list_url(anchor="#erstattung"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_new_rate(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Neuer Satz ab …": a new rule from a date; the old one ends the day before."""
    require_right(request.user, ReimbursementRule, "add")
    rule = get_for_user(request.user, ReimbursementRule, pk, "change")
    form = RuleNewRateForm(request.POST or None, initial={"version": rule.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new_rule = reference_services.reimbursementrule_new_rate(
                acting_user=request_user(request),
                rule=rule,
                expected_version=data["version"],
                valid_from=data["valid_from"],
                rate=data["rate"],
                name=data["name"],
            )
        except ConcurrentEditError as error:
            messages.error(request, str(error))
            if error.current is None:
                return redirect(_list_url(anchor="#erstattung"))
            return redirect("costs:rule_new_rate", pk=pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Die Erstattungsregel „{new_rule.name}“ gilt ab {date_de(new_rule.valid_from)} "
                f"mit {percent(new_rule.rate, ' ')}; die bisherige endet am "
                f"{date_de(new_rule.valid_from - timedelta(days=1))}.",
            )
            return redirect(_list_url(anchor="#erstattung"))
    return render(request, "costs/rule_new_rate.html", {"form": form, "rule": rule})


@login_required
@require_http_methods(["GET", "POST"])
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_for_user(request.user, ReimbursementRule, pk, "delete")
    return versioned_delete_page(
        request,
        rule,
        delete=lambda instance, **kw: reference_services.reimbursementrule_delete(
            rule=instance, **kw
        ),
        label="Die Erstattungsregel",
        done=(
            f"Die Erstattungsregel „{rule.name}“ wurde gelöscht.",
            _list_url(anchor="#erstattung"),
        ),
        template="costs/rule_confirm_delete.html",
        context={"rule": rule},
    )
