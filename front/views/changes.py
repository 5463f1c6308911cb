"""The change log (Änderungsprotokoll): every recorded change of every type, filtered, paged,
and as an Excel file. Every logged-in user may read it (as every page of the app)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.history import ChangeLog, ChangeLogEntry
from core.history_excel import write_change_log
from core.xlsx import xlsx_response
from front.forms.changes import ChangeLogFilterForm

PER_PAGE = 50

#: The page of an object of a type, where there is one.
PAGES: dict[str, Callable[[object], str]] = {
    "stellenplan.position": lambda pk: reverse("positions:detail", args=[pk]),
    "departments.orgunit": lambda pk: reverse("orgunits:detail", args=[pk]),
    "decisions.decision": lambda pk: reverse("decisions:detail", args=[pk]),
    "stellenplan.paygrade": lambda pk: reverse("paygrades:update", args=[pk]),
    "costing.costtable": lambda pk: f"{reverse('costs:costtable_list')}?tabelle={pk}",
    "costing.costrate": lambda pk: reverse("costs:costrate_update", args=[pk]),
    "costing.reimbursementrule": lambda pk: reverse("costs:rule_update", args=[pk]),
    "costing.payadjustment": lambda pk: reverse("costs:adjustment_update", args=[pk]),
}


def _link(entry: ChangeLogEntry) -> str:
    page = PAGES.get(entry.type_key)
    return page(entry.object_id) if page is not None and entry.exists else ""


def _change_log(request: HttpRequest) -> tuple[ChangeLogFilterForm, ChangeLog]:
    form = ChangeLogFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    return form, ChangeLog(form.change_filter())


@login_required
@require_GET
def change_list(request: HttpRequest) -> HttpResponse:
    form, log = _change_log(request)
    page: Page[ChangeLogEntry] = Paginator(log, PER_PAGE).get_page(request.GET.get("page"))
    entries = [(entry, _link(entry)) for entry in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "changes/change_list.html",
        {"form": form, "page": page, "entries": entries, "query": query.urlencode()},
    )


@login_required
@require_GET
def change_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered change log as .xlsx (at most core.history_excel.EXPORT_LIMIT rows, newest first)."""
    _form, log = _change_log(request)
    return xlsx_response(
        lambda handle: write_change_log(handle, log),
        f"Aenderungsprotokoll_{timezone.localdate():%Y-%m-%d}.xlsx",
    )
