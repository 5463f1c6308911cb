"""Excel downloads (every logged-in user) and Excel uploads (Personalamt, Kämmerei).

A large download (``settings.EXPORT_TASK_MIN_POSITIONS`` positions or more) is written by a
job (issue 21, front/export_jobs.py): the answer leads to the job's page.

An upload is checked and shown as a preview (a pending import batch of the uploader); only
its confirmation saves it. A large file of positions is checked and saved by a job (issue 21).
The "Importe" page lists the saved imports; each can be undone while its rows are untouched.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.concurrency import ConcurrentEditError, DeleteRefusedError
from core.formatting import counted, date_de
from core.jobs import start_job
from core.permissions import Action, require_right, rights
from core.users import request_user
from core.xlsx import ImportFailed, ImportIssue, german, xlsx_response
from costing import selectors as cost_selectors
from costing.engine import CostingError
from costing.excel import ExportError, selected_years, write_workbook
from costing.import_template import cost_table_template
from costing.imports import confirm_cost_table, cost_table_import_undo, preview_cost_table
from costing.models import CostTable
from costing.projection import PlannedTable, planned_table_drop
from departments.models import OrgUnit
from front import export_jobs
from front.filters import PositionFilter
from front.forms.imports import CostTableImportForm, PositionImportForm, uploaded_file
from stellenplan import import_jobs
from stellenplan.import_template import positions_template
from stellenplan.imports import (
    SPAN_ROWS,
    confirm_positions,
    issues_from_json,
    max_rows,
    preview_positions,
)
from stellenplan.models import ImportBatch, Position
from stellenplan.services import (
    ImportBatchError,
    PositionsRefused,
    import_batch_discard,
    import_batch_may_undo,
    import_batch_undo,
    import_batch_undo_token,
)

MAX_ISSUES_SHOWN = 500
MAX_BATCHES_SHOWN = 200


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
    request: HttpRequest,
    positions: QuerySet[Position] | None,
    scope: str,
    name: str,
    selection: export_jobs.Selection,
) -> HttpResponseBase:
    """The workbook as a download, or, listing many positions, as a job (issue 21) whose page
    the answer leads to; `selection` says how the job finds the same `positions` again."""
    try:
        years = _years(request)
    except ExportError as error:
        return _error(request, str(error))
    span = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
    file_name = f"Stellenplan_{name}_{span}.xlsx"
    if export_jobs.is_large_export(years, positions):
        job = export_jobs.start_cost_export(
            request_user(request),
            years=years,
            scope=scope,
            file_name=file_name,
            selection=selection,
        )
        return HttpResponseRedirect(reverse("jobs:detail", args=[job.pk]), status=303)
    try:
        return xlsx_response(
            lambda handle: write_workbook(handle, years, positions, scope=scope), file_name
        )
    except (ExportError, CostingError) as error:
        return _error(request, str(error))


@require_GET
@login_required
def export_xlsx(request: HttpRequest) -> HttpResponseBase:
    """The whole plan: ?year=2012 (default: this year) and optionally ?years=2012,2013."""
    return _workbook(request, None, "alle Stellen", "Kosten", export_jobs.WHOLE_PLAN)


@require_GET
@login_required
def export_positions_xlsx(request: HttpRequest) -> HttpResponseBase:
    """The positions list as filtered (same GET parameters as the list page)."""
    filterset = export_jobs.filtered_positions(request.GET)
    if not filterset.is_valid():
        details = [
            f"{filterset.form.fields[name].label}: {' '.join(errors)}"
            for name, errors in filterset.form.errors.items()
        ]
        return _error(request, "Die Filter der Stellenliste sind ungültig.", details)
    selection = {"filter": {key: request.GET.getlist(key) for key in sorted(request.GET)}}
    return _workbook(request, filterset.qs, _describe_filter(filterset), "Stellenliste", selection)


@require_GET
@login_required
def export_org_unit_xlsx(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One org unit with all its sub-units."""
    unit = get_object_or_404(OrgUnit, pk=pk)
    safe_code = "".join(c if c.isalnum() else "-" for c in unit.code)
    return _workbook(
        request,
        export_jobs.unit_positions(unit.pk),
        f"{unit.code} {unit.name} mit Untereinheiten",
        f"Kosten_{safe_code}",
        {"org_unit": unit.pk},
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
    return _issue_list(failed.issues, str(failed))


def _issue_list(issues: list[ImportIssue], failure: str) -> dict:
    return {
        "issues": issues[:MAX_ISSUES_SHOWN],
        "issue_count": len(issues),
        "issues_hidden": max(0, len(issues) - MAX_ISSUES_SHOWN),
        "failure": failure,
    }


def _rate_warnings(preview: dict[str, Any]) -> list[dict[str, Any]]:
    """Warnings of a positions preview for grades without a cost rate in a table the new or
    changed positions would be costed with (they are costed 0 € there, the sums
    "unvollständig"): one per grade and tables, with its rows. Not stored with the batch: the
    rates may be added before the import is confirmed."""
    spans = {
        (
            span["grade"],
            date.fromisoformat(span["start"]),
            date.fromisoformat(span["end"]) if span["end"] else None,
        ): span
        for span in preview.get("grade_spans", [])
        if span["grade"]
    }
    grouped: dict[tuple[str, tuple[int, ...]], dict[str, Any]] = {}
    for key, tables in cost_selectors.grade_spans_without_rate(spans).items():
        span = spans[key]
        names = " und ".join(f"„{t.name}“ (gültig ab {date_de(t.valid_from)})" for t in tables)
        warning = grouped.setdefault(
            (span["code"], tuple(t.pk for t in tables)),
            {
                "rows": [],
                "count": 0,
                "message": f"Kein Kostensatz für „{span['code']}“ in der Kostentabelle "
                f"{names}: die Stelle wird dort mit 0 € gerechnet, die Summen sind "
                "„unvollständig“, bis der Kostensatz ergänzt ist.",
            },
        )
        warning["rows"] = sorted(warning["rows"] + span["rows"])[:SPAN_ROWS]
        warning["count"] += span["count"]
    for warning in grouped.values():
        warning["more"] = warning["count"] - len(warning["rows"])
    return sorted(grouped.values(), key=lambda w: w["rows"][0])


def _cost_table_warnings(batch: ImportBatch) -> dict[str, Any]:
    """What a pending cost-table import would do to the costs (not stored with the batch):
    grades in use without a rate in the file, and a Finanzplanung that would fall."""
    preview = batch.preview or {}
    valid_from = date.fromisoformat(batch.options["valid_from"])
    rated = {
        grade_id: (Decimal(annual), Decimal(personnel) if personnel is not None else None)
        for grade_id, annual, personnel in preview.get("rated", [])
    }
    unrated = cost_selectors.grades_without_planned_rate(valid_from, rated)
    return {
        "grade_warnings": [
            f"Kein Kostensatz für „{item.pay_grade.code}“ in der Datei: "
            f"{counted(item.positions, 'Stelle', 'Stellen')} in den Jahren "
            "dieser Tabelle werden dort mit 0 € gerechnet, die Summen sind „unvollständig“, "
            "bis der Kostensatz ergänzt ist."
            for item in unrated
        ],
        "drop": planned_table_drop(PlannedTable(batch.options["name"], valid_from, rated)),
        "valid_from": valid_from,
    }


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("stellenplan.add_position", raise_exception=True)
def import_positions_view(request: HttpRequest) -> HttpResponse:
    """Upload: the file is checked and shown as a preview; saved only after confirmation."""
    form = PositionImportForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form, "max_rows": german(Decimal(max_rows()))}
    if request.method == "POST" and form.is_valid():
        content, name = uploaded_file(form)
        if import_jobs.is_large_file(content):
            # a large file is checked by the worker; its page shows the progress (issue 21)
            job = start_job(
                import_jobs.PREVIEW,
                request_user(request),
                {
                    "file_name": name,
                    "default_start": form.cleaned_data["default_start"].isoformat(),
                },
                input_file=content,
            )
            return redirect("jobs:detail", pk=job.pk)
        try:
            plan, batch = preview_positions(
                content,
                file_name=name,
                default_start=form.cleaned_data["default_start"],
                acting_user=request_user(request),
            )
        except ImportFailed as failed:
            context |= _issues_context(failed)
        else:
            if batch is not None:
                return redirect("excel:import_batch", pk=batch.pk)
            context |= _issue_list(plan.issues, str(ImportFailed(plan.issues)))
            context["preview"] = plan.preview()
            context["rate_warnings"] = _rate_warnings(context["preview"])
            context["kind"] = ImportBatch.Kind.POSITIONS
    status = 400 if request.method == "POST" else 200
    return render(request, "excel/import_positions.html", context, status=status)


@login_required
@permission_required("stellenplan.add_position", raise_exception=True)
@require_GET
def import_positions_template_view(request: HttpRequest) -> HttpResponseBase:
    """The Excel template of the positions import: header row, example row, "Hinweise"."""
    return xlsx_response(positions_template, "Vorlage_Stellenimport.xlsx")


@login_required
@permission_required("costing.add_costtable", raise_exception=True)
@require_GET
def import_cost_table_template_view(request: HttpRequest) -> HttpResponseBase:
    """The Excel template of the cost-table import."""
    return xlsx_response(cost_table_template, "Vorlage_Kostentabelle.xlsx")


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("costing.add_costtable", raise_exception=True)
def import_cost_table_view(request: HttpRequest) -> HttpResponse:
    """Upload: the file is checked and shown as a preview; saved only after confirmation."""
    form = CostTableImportForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        content, name = uploaded_file(form)
        plan, batch = preview_cost_table(
            content,
            file_name=name,
            name=data["name"],
            valid_from=data["valid_from"],
            remark=data["remark"],
            create_grades=data["create_grades"],
            acting_user=request_user(request),
        )
        if batch is not None:
            return redirect("excel:import_batch", pk=batch.pk)
        context |= _issue_list(plan.issues, str(ImportFailed(plan.issues)))
    status = 400 if request.method == "POST" else 200
    return render(request, "excel/import_cost_table.html", context, status=status)


#: The right an import needs, by kind: (model, action to confirm, action to undo).
BATCH_RIGHTS: dict[str, tuple[type[Model], Action, Action]] = {
    ImportBatch.Kind.POSITIONS: (Position, "add", "delete"),
    ImportBatch.Kind.COST_TABLE: (CostTable, "add", "delete"),
}


def _batch_for(request: HttpRequest, pk: int) -> ImportBatch:
    """The batch; a pending one only for the user who uploaded it (404 for others)."""
    batch = get_object_or_404(ImportBatch.objects.select_related("created_by", "undone_by"), pk=pk)
    if batch.status == ImportBatch.Status.PENDING and batch.created_by_id != request.user.pk:
        raise Http404("Diesen Import gibt es nicht.")
    return batch


@require_GET
@login_required
def import_list_view(request: HttpRequest) -> HttpResponse:
    """Every saved import (newest first) and the user's own pending ones."""
    batches = (
        ImportBatch.objects.exclude(status=ImportBatch.Status.DISCARDED)
        .filter(~Q(status=ImportBatch.Status.PENDING) | Q(created_by_id=request.user.pk))
        .select_related("created_by", "undone_by")
        .defer("file_content", "preview")[:MAX_BATCHES_SHOWN]
    )
    undo = {
        kind: getattr(rights(request.user, model), undo_action)
        for kind, (model, _, undo_action) in BATCH_RIGHTS.items()
    }
    undoable = {
        batch.pk
        for batch in batches
        if batch.status == ImportBatch.Status.APPLIED
        and undo[batch.kind]
        and import_batch_may_undo(batch, request_user(request))
    }
    return render(request, "excel/import_list.html", {"batches": batches, "undoable": undoable})


@require_GET
@login_required
def import_batch_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A pending import's preview (with confirmation), or what a saved import did."""
    batch = _batch_for(request, pk)
    model, confirm_action, undo_action = BATCH_RIGHTS[batch.kind]
    allowed = rights(request.user, model)
    preview = batch.preview or {}
    issues = issues_from_json(preview.get("issues", []))
    context = {
        "batch": batch,
        "preview": preview,
        "kind": batch.kind,
        "may_confirm": getattr(allowed, confirm_action)
        and batch.status == ImportBatch.Status.PENDING
        and not issues,
        "may_undo": getattr(allowed, undo_action)
        and batch.status == ImportBatch.Status.APPLIED
        and import_batch_may_undo(batch, request_user(request)),
        "items": batch.items.all()[:MAX_ISSUES_SHOWN],
        "item_count": batch.items.count(),
        "rate_warnings": _rate_warnings(preview)
        if batch.kind == ImportBatch.Kind.POSITIONS and batch.status == ImportBatch.Status.PENDING
        else [],
    }
    if batch.kind == ImportBatch.Kind.COST_TABLE and batch.status == ImportBatch.Status.PENDING:
        context |= _cost_table_warnings(batch)
    if issues:
        context |= _issue_list(issues, f"{preview['counts']['refused']} Zeilen abgelehnt")
    return render(request, "excel/import_batch.html", context)


@login_required
@require_POST
def import_batch_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (or, with "verwerfen", discard) a pending import."""
    batch = _batch_for(request, pk)
    model, confirm_action, _ = BATCH_RIGHTS[batch.kind]
    require_right(request.user, model, confirm_action)
    try:
        if "verwerfen" in request.POST:
            import_batch_discard(batch_id=batch.pk, acting_user=request_user(request))
            messages.info(request, f"Import {batch.pk} verworfen; es wurde nichts gespeichert.")
            return redirect("excel:import_list")
        if batch.kind == ImportBatch.Kind.POSITIONS and import_jobs.is_large_batch(batch):
            # saved by the worker, all or nothing; its page shows the progress (issue 21)
            job = start_job(import_jobs.CONFIRM, request_user(request), {"batch_id": batch.pk})
            return redirect("jobs:detail", pk=job.pk)
        confirm = (
            confirm_positions if batch.kind == ImportBatch.Kind.POSITIONS else confirm_cost_table
        )
        confirmation = confirm(batch_id=batch.pk, acting_user=request_user(request))
    except (ImportBatchError, ConcurrentEditError) as error:
        messages.error(request, str(error))
    except PositionsRefused as refused:
        messages.error(request, f"{refused} Es wurde nichts gespeichert.")
    else:
        if confirmation.applied:
            messages.success(request, confirmation.message)
        else:
            messages.warning(request, confirmation.message)
    return redirect("excel:import_batch", pk=batch.pk)


@require_http_methods(["GET", "POST"])
@login_required
def import_batch_undo_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask (GET: what will be undone) and undo (POST, with the state the page showed) a saved
    import; who may undo it, the state and the rows are checked by the service."""
    batch = _batch_for(request, pk)
    model, _, undo_action = BATCH_RIGHTS[batch.kind]
    require_right(request.user, model, undo_action)
    if request.method == "POST":
        token = request.POST.get("zustand", "")
        if not token:
            messages.error(
                request,
                f"Der Import {batch.pk} wurde nicht rückgängig gemacht: die Bestätigung fehlt "
                "(Feld „zustand“ ist leer). Bitte auf dieser Seite bestätigen.",
            )
            return redirect("excel:import_batch_undo", pk=batch.pk)
        undo = (
            import_batch_undo
            if batch.kind == ImportBatch.Kind.POSITIONS
            else cost_table_import_undo
        )
        try:
            undo(batch_id=batch.pk, acting_user=request_user(request), expected_token=token)
        except (ImportBatchError, ConcurrentEditError, DeleteRefusedError) as error:
            messages.error(request, str(error))
            return redirect("excel:import_batch", pk=batch.pk)
        messages.success(request, f"Import {batch.pk} wurde rückgängig gemacht.")
        return redirect("excel:import_list")
    context = {
        "batch": batch,
        "applied": batch.status == ImportBatch.Status.APPLIED,
        "may_undo": import_batch_may_undo(batch, request_user(request)),
        "token": import_batch_undo_token(batch),
        "items": batch.items.all()[:MAX_ISSUES_SHOWN],
        "item_count": batch.items.count(),
    }
    return render(request, "excel/import_batch_undo.html", context)
