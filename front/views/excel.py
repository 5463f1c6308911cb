"""Excel downloads (every logged-in user) and Excel uploads (Personalamt, Kämmerei)."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.xlsx import ImportFailed
from costing.engine import CostingError
from costing.excel import XLSX_CONTENT_TYPE, ExportError, selected_years, write_workbook
from costing.imports import import_cost_table
from departments.models import OrgUnit
from departments.selectors import org_tree
from front.filters import PositionFilter
from front.forms.imports import CostTableImportForm, PositionImportForm
from stellenplan.imports import import_positions
from stellenplan.models import Position

MAX_ISSUES_SHOWN = 500


def _years(request: HttpRequest) -> list[int]:
    """?year=2012 (and the two following) and/or ?years=2012&years=2013 or ?years=2012,2013."""

    def number(text: str) -> int:
        # At most four ASCII digits: int() of a longer text may fail (over 4,300 digits);
        # selected_years checks the range.
        text = text.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 4):
            raise ExportError(f"Ungültiges Jahr „{text[:20]}“: erwartet eine Jahreszahl wie 2012.")
        return int(text)

    year_text = request.GET.get("year", "").strip()
    year = number(year_text) if year_text else None
    years = [
        number(part)
        for value in request.GET.getlist("years")
        for part in value.split(",")
        if part.strip()
    ]
    return selected_years(year, years)


def _error(request: HttpRequest, message: str, details: list[str] | None = None) -> HttpResponse:
    return render(
        request,
        "excel/excel_export_error.html",
        {"message": message, "details": details or []},
        status=400,
    )


def _workbook(
    request: HttpRequest, positions: QuerySet[Position] | None, scope: str, name: str
) -> HttpResponseBase:
    try:
        years = _years(request)
    except ExportError as error:
        return _error(request, str(error))
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    try:
        write_workbook(handle, years, positions, scope=scope)
    except (ExportError, CostingError) as error:
        handle.close()
        return _error(request, str(error))
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    span = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"Stellenplan_{name}_{span}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )


@require_GET
@login_required
def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    """The whole plan: ?year=2012 (default: this year) and optionally ?years=2012,2013."""
    return _workbook(request, None, "alle Stellen", "Kosten")


@require_GET
@login_required
def export_positions_xlsx(request: HttpRequest) -> HttpResponseBase:
    """The positions list as filtered (same GET parameters as the list page)."""
    filterset = PositionFilter(request.GET, queryset=Position.objects.all())
    if not filterset.is_valid():
        details = [
            f"{filterset.form.fields[name].label}: {' '.join(errors)}"
            for name, errors in filterset.form.errors.items()
        ]
        return _error(request, "Die Filter der Stellenliste sind ungültig.", details)
    return _workbook(request, filterset.qs, _describe_filter(filterset), "Stellenliste")


@require_GET
@login_required
def export_org_unit_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One org unit with all its sub-units."""
    unit = get_object_or_404(OrgUnit, pk=pk)
    positions = Position.objects.filter(org_unit_id__in=org_tree().descendants_or_self([unit.pk]))
    safe_code = "".join(c if c.isalnum() else "-" for c in unit.code)
    return _workbook(
        request, positions, f"{unit.code} {unit.name} mit Untereinheiten", f"Kosten_{safe_code}"
    )


def _describe_filter(filterset: PositionFilter) -> str:
    parts = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, ""):
            continue
        field = filterset.form.fields[name]
        shown = value
        if hasattr(field, "choices") and not hasattr(value, "pk"):
            shown = dict(field.choices).get(value, value)
        if name == "year":
            shown = int(value)
        parts.append(f"{field.label}: {shown}")
    return "Stellenliste, " + "; ".join(parts) if parts else "Stellenliste, alle Stellen"


def _issues_context(failed: ImportFailed) -> dict:
    return {
        "issues": failed.issues[:MAX_ISSUES_SHOWN],
        "issue_count": len(failed.issues),
        "issues_hidden": max(0, len(failed.issues) - MAX_ISSUES_SHOWN),
        "failure": str(failed),
    }


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("stellenplan.add_position", raise_exception=True)
def import_positions_view(request: HttpRequest) -> HttpResponse:
    form = PositionImportForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            result = import_positions(
                form.cleaned_data["file"],
                default_start=form.cleaned_data["default_start"],
                acting_user=request.user,
            )
        except ImportFailed as failed:
            context |= _issues_context(failed)
        else:
            fte = f"{result.fte:f}".replace(".", ",")
            messages.success(
                request,
                f"{result.created} Stellen ({fte} Stellenanteile) aus Blatt „{result.sheet}“ "
                "importiert.",
            )
            return redirect("excel:import_positions")
    status = 400 if request.method == "POST" else 200
    return render(request, "excel/import_positions.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("costing.add_costtable", raise_exception=True)
def import_cost_table_view(request: HttpRequest) -> HttpResponse:
    form = CostTableImportForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = import_cost_table(
                data["file"],
                name=data["name"],
                valid_from=data["valid_from"],
                remark=data["remark"],
                create_grades=data["create_grades"],
            )
        except ImportFailed as failed:
            context |= _issues_context(failed)
        else:
            text = (
                f"Kostentabelle „{result.table.name}“ gültig ab "
                f"{result.table.valid_from:%d.%m.%Y} mit {result.rates} Kostensätzen importiert."
            )
            if result.created_grades:
                text += f" Neu angelegte Stellenwerte: {', '.join(result.created_grades)}."
            messages.success(request, text)
            return redirect("excel:import_cost_table")
    status = 400 if request.method == "POST" else 200
    return render(request, "excel/import_cost_table.html", context, status=status)
